"""Parameters a report notebook was given: unknown names are an error, not a warning.

papermill only warns about ``-p regoin 华东`` and runs the report for the default region.
Every report notebook takes the same parameters (NOTEBOOK_PARAMETERS); report.load calls
check_injected() on entry, which reads the cell papermill injected (kept in the kernel's
input history, so it costs nothing) and names what it does not know.

>>> unknown_parameters('# Parameters\\nregion = "east"\\nregoin = "华东"\\n')
['regoin']
"""

from __future__ import annotations

import ast

from custreport.errors import UserError

NOTEBOOK_PARAMETERS = ("region", "period", "locale", "store", "snapshot")
# papermill's Python translator starts the cell it injects with this comment
INJECTED_HEADER = "# Parameters"


def unknown_parameters(injected: str, known: tuple[str, ...] = NOTEBOOK_PARAMETERS) -> list[str]:
    """Names assigned in an injected-parameters cell that are not ``known``, in cell order."""
    try:
        tree = ast.parse(injected)
    except SyntaxError:
        return []
    names = [target.id for node in tree.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)]
    return [name for name in dict.fromkeys(names) if name not in known]


def check_injected(known: tuple[str, ...] = NOTEBOOK_PARAMETERS) -> None:
    """Raise UserError when the latest papermill-injected cell of this kernel names an unknown
    parameter; nothing outside a kernel or when no parameters were injected."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    history = shell.user_ns.get("In") or []
    injected = next((cell for cell in reversed(history) if cell.lstrip().startswith(INJECTED_HEADER)), None)
    unknown = unknown_parameters(injected, known) if injected else []
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise UserError(f"unknown notebook parameter{plural} {', '.join(map(repr, unknown))}: "
                        f"the reports take {', '.join(known)}")
