"""The worker's notebook kernel: started once, warmed up, reused by every report it runs.

Starting a kernel and importing pandas, matplotlib and custreport costs seconds; a report
notebook itself runs in a fraction of a second. So each worker process keeps one kernel
and one client connected to it for its whole life, and papermill runs every report
through them (the ``custreport`` papermill engine). Reports stay isolated: each one's first
cell empties the namespace (the runner adds it), so no variable leaks from one report into
the next; what stays is imported modules and the slice report.load read last.

>>> kernel = warm_kernel(Path("notebooks"))    # doctest: +SKIP
>>> nb = kernel.execute_notebook(nbformat.read("notebooks/summary.ipynb", 4), "out.ipynb",
...                              {"region": "east", "period": "2025-Q4"}, cwd="notebooks")  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

ENGINE = "custreport"
ASYNC_CLIENT = "jupyter_client.asynchronous.AsyncKernelClient"

# Run once in a new kernel: the libraries every report imports, then gc.freeze(), which
# moves everything alive so far out of the garbage collector's reach. The modules live as
# long as the kernel anyway, and each report's `%reset -f` ends with a full gc.collect()
# that would otherwise walk all of them again (0.1 s per report).
WARM_UP = """
import gc as _gc
import matplotlib.pyplot, seaborn
from custreport import charts, report
del matplotlib, seaborn, charts, report
_gc.collect()
_gc.freeze()
del _gc
"""


@dataclass
class WarmKernel:
    """A running kernel and the one client every report of this process talks to it through."""

    manager: object      # jupyter_client KernelManager
    client: object       # an AsyncKernelClient of it, channels open
    started_for: tuple   # (folder, $CUSTREPORT_HOME) it was started with: see _starting_point
    owner: int = field(default_factory=os.getpid)   # the process that started it

    def alive(self) -> bool:
        return self.manager.is_alive()

    def execute_notebook(self, nb, output_path: str, parameters: dict, cwd: str):
        """Run ``nb`` with ``parameters`` through papermill in this kernel; the executed notebook.

        The output notebook is written once, at the end (or with the error, when a cell fails).
        """
        import papermill

        return papermill.execute_notebook(nb, output_path, parameters=parameters, engine_name=ENGINE,
                                          kernel_name="python3", progress_bar=False, log_output=False,
                                          request_save_on_cell_execute=False, cwd=cwd,
                                          km=self.manager, kc=self.client)

    def run(self, code: str) -> None:
        """Execute ``code``; its error (one line) becomes a RuntimeError here, and so does the
        kernel dying meanwhile (noticed within a second, however long the code may take)."""
        msg_id = self.client.execute(code, store_history=False, allow_stdin=False)
        while True:
            try:
                reply = run_sync(self.client.get_shell_msg)(timeout=1)
            except Empty:
                if not self.alive():
                    raise RuntimeError("the notebook kernel died (out of memory, or killed)") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"{content.get('ename', 'Error')}: {content.get('evalue', '')}".rstrip(": "))

    def call(self, module: str, function: str, arguments: dict) -> None:
        """Run ``module.function(**arguments)`` in the kernel (``arguments`` JSON data, sent as
        such: no value is ever spliced into code); its error becomes a RuntimeError here, as run's."""
        payload = json.dumps(arguments, ensure_ascii=False)
        self.run(f"__import__('importlib').import_module({module!r}).{function}(**__import__('json').loads({payload!r}))")

    def kill(self) -> None:
        """Stop the kernel process at once, from any thread (a report past its time limit): the
        report's client sees it die within a second, and the next report starts a fresh one."""
        pid = getattr(self.manager.provisioner, "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def shut_down(self) -> None:
        """Stop the client and the kernel (only from the process that started them)."""
        if self.owner != os.getpid():
            return
        for stop in (self.client.stop_channels, lambda: self.manager.shutdown_kernel(now=True)):
            try:
                stop()
            except Exception:  # already stopped, or gone at interpreter exit
                pass


class TimeLimit:
    """Kill ``kernel`` when the ``with`` block runs longer than ``seconds``; ``exceeded`` then
    says why the block failed. A hung report costs its time limit, never the whole run.

    >>> with TimeLimit(kernel, 600) as limit:                 # doctest: +SKIP
    ...     kernel.execute_notebook(nb, "out.ipynb", {}, cwd="notebooks")
    """

    def __init__(self, kernel: WarmKernel, seconds: float):
        self.kernel, self.seconds, self.exceeded = kernel, seconds, False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def _expire(self) -> None:
        self.exceeded = True
        self.kernel.kill()

    def __enter__(self) -> "TimeLimit":
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()


_CURRENT: dict[str, WarmKernel] = {}


def warm_kernel(cwd: Path) -> WarmKernel:
    """This process's kernel, started (in ``cwd``) and warmed up on first use; started anew if it
    died, or if ``cwd`` or $CUSTREPORT_HOME changed since (the kernel keeps those of its start)."""
    from jupyter_client.manager import KernelManager

    kernel = _CURRENT.pop("kernel", None)
    if kernel is not None and kernel.owner != os.getpid():
        kernel = None   # a forked worker's copy of its parent's kernel: the parent's to use and stop
    if kernel is not None and kernel.alive() and kernel.started_for == _starting_point(cwd):
        _CURRENT["kernel"] = kernel
        return kernel
    if kernel is not None:
        kernel.shut_down()
    # nbclient awaits the client's calls: a blocking client would block its event loop in
    # get_msg, and the check that notices a dead kernel would never run (the run hangs).
    manager = KernelManager(kernel_name="python3", client_class=ASYNC_CLIENT)
    # The kernel's own start-up chatter (transport warnings) is not for report readers;
    # cell errors still reach us through the kernel protocol.
    manager.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kernel = WarmKernel(manager, manager.client(), _starting_point(cwd))
    try:
        kernel.client.start_channels()
        run_sync(kernel.client.wait_for_ready)(timeout=60)
        kernel.client.allow_stdin = False
        kernel.run(WARM_UP)
    except Exception as exc:   # never leave a kernel running that nobody will use or stop
        kernel.shut_down()
        raise RuntimeError(f"the notebook kernel did not start with the report libraries: {exc}") from None
    atexit.register(kernel.shut_down)
    _CURRENT["kernel"] = kernel
    return kernel


def _starting_point(cwd: Path) -> tuple[str, str | None]:
    """What a kernel keeps from its start that decides which project it reads params/ from:
    its folder and $CUSTREPORT_HOME. A process that renders another project needs another kernel."""
    return str(Path(cwd).resolve()), os.environ.get("CUSTREPORT_HOME")


class _SharedClientNotebookClient(PapermillNotebookClient):
    """papermill's notebook client, on a client that is already connected and stays open."""

    def __init__(self, nb_man, kc, **kwargs):
        super().__init__(nb_man, **kwargs)
        # nbclient starts (and waits for) a client of its own only when it has none, and
        # leaves this one open afterwards because it does not own the kernel manager.
        self.kc = kc


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine on the worker's warm kernel and its open client."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, *, km, kc, **kwargs):
        kwargs.pop("input_path", None)
        client = _SharedClientNotebookClient(nb_man, kc, km=km, kernel_name=kernel_name, timeout=execution_timeout,
                                             startup_timeout=start_timeout, log=logger, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
        return client.execute()


papermill_engines.register(ENGINE, WarmKernelEngine)
