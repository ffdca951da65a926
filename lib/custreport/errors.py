"""The errors custreport shows its users: one line each, with the remedy, never a traceback.

``UserError`` is a mistake in the user's files, parameters or machine (exit code 2);
``os_refusal`` turns what a disk refuses (full, read-only, forbidden) into one.

>>> str(UserError("params/regions.yaml: regions.0.code: field required"))
'params/regions.yaml: regions.0.code: field required'
"""

from __future__ import annotations

import errno


class UserError(Exception):
    """A mistake in the user's files or parameters: shown as one line, exit code 2."""


# What a user's machine can refuse, by errno and by the text pyarrow gives without one.
_OS_REFUSALS = {
    errno.ENOSPC: ("no space left on the device",
                   "free space (or point --store / --out at a larger disk) and run again; the store keeps its last "
                   "complete snapshot and the outputs their last complete reports"),
    errno.EDQUOT: ("disk quota exceeded", "free space within the quota and run again"),
    errno.EROFS: ("read-only file system", "make the folder writable, or point --store / --out at a writable one"),
    errno.EACCES: ("permission denied", "give this user write access to the folder (or read access to the file), "
                   "or point --store / --out elsewhere"),
    errno.EPERM: ("operation not permitted", "give this user access to the folder, or point --store / --out "
                  "elsewhere"),
}
_OS_REFUSAL_TEXTS = {"No space left on device": errno.ENOSPC, "Disk quota exceeded": errno.EDQUOT,
                     "Read-only file system": errno.EROFS, "Permission denied": errno.EACCES}


def os_refusal(exc: BaseException) -> UserError | None:
    """The one-line error, with its remedy, for an OS error a user's machine causes (disk full,
    read-only or forbidden folder); None for any other error.

    >>> str(os_refusal(OSError(errno.ENOSPC, "No space left on device", "data/clean/x.parquet")))[:54]
    'data/clean/x.parquet: no space left on the device; fre'
    """
    if not isinstance(exc, OSError):
        return None
    code = exc.errno if exc.errno in _OS_REFUSALS else next(
        (number for text, number in _OS_REFUSAL_TEXTS.items() if text in str(exc)), None)
    if code is None:
        return None
    what, remedy = _OS_REFUSALS[code]
    where = exc.filename or "a file being written"
    return UserError(f"{where}: {what}; {remedy}")


def first_line(exc: BaseException, limit: int = 300) -> str:
    """An error's first line (at most ``limit`` characters), or its type's name when it says nothing.

    >>> first_line(ValueError("bad value\\nmore detail")), first_line(KeyError())
    ('bad value', 'KeyError')
    """
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:limit]
