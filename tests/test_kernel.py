"""kernel: one warm kernel and client per process, papermill runs notebooks through them."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError

from custreport import kernel as kernel_module


def notebook(*sources: str):
    """A notebook whose first cell is the parameters cell, then one code cell per source."""
    cells = [nbformat.v4.new_code_cell("value = 0", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The kernel's folder: the same for every test, so they share one kernel."""
    return tmp_path_factory.mktemp("kernel")


@pytest.fixture
def warm(folder):
    return kernel_module.warm_kernel(folder)


def outputs(nb) -> list[str]:
    return ["".join(out.get("text", "")) for cell in nb.cells for out in cell.get("outputs", [])]


def test_notebooks_run_with_their_parameters_on_one_kernel_and_one_client(warm, folder, tmp_path):
    first = warm.execute_notebook(notebook("print(value * 2)"), str(tmp_path / "a.ipynb"), {"value": 21},
                                  cwd=str(tmp_path))
    second = warm.execute_notebook(notebook("print(value + 1)"), str(tmp_path / "b.ipynb"), {"value": 1},
                                   cwd=str(tmp_path))
    assert outputs(first) == ["42\n"] and outputs(second) == ["2\n"]
    assert kernel_module.warm_kernel(folder) is warm            # the same kernel, not a new one per call
    assert warm.client.channels_running                          # papermill left the shared client open
    saved = nbformat.read(tmp_path / "b.ipynb", as_version=4)
    assert outputs(saved) == ["2\n"]                             # the executed notebook is written at the end


def test_the_warm_up_imported_the_report_libraries_and_froze_them(warm, tmp_path):
    warm.run("import gc, sys\n"
             "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()\n"
             "assert {'custreport.report', 'seaborn', 'matplotlib.pyplot'} <= set(sys.modules)")


def test_an_error_in_code_run_directly_is_one_line(warm):
    with pytest.raises(RuntimeError, match=r"^ZeroDivisionError: division by zero$"):
        warm.run("1 / 0")


def test_a_failing_cell_fails_the_notebook_and_saves_it_with_the_error(warm, tmp_path):
    target = tmp_path / "failed.ipynb"
    with pytest.raises(PapermillExecutionError, match="the cell failed"):
        warm.execute_notebook(notebook("raise ValueError('the cell failed')"), str(target), {}, cwd=str(tmp_path))
    assert "the cell failed" in target.read_text(encoding="utf-8")
    # a stream may arrive in pieces (the kernel flushes on a timer): its text is what counts
    assert "".join(outputs(warm.execute_notebook(notebook("print('still here')"), str(tmp_path / "next.ipynb"), {},
                                                 cwd=str(tmp_path)))) == "still here\n"


def _kernel_in_a_forked_worker(folder) -> tuple[bool, bool]:
    kernel = kernel_module.warm_kernel(folder)
    return kernel.owner == os.getpid(), kernel.alive()


def test_a_forked_worker_starts_its_own_kernel_and_leaves_its_parents_alone(warm, folder):
    with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
        assert pool.submit(_kernel_in_a_forked_worker, folder).result(timeout=120) == (True, True)
    assert warm.alive() and kernel_module.warm_kernel(folder) is warm


def test_code_run_directly_notices_the_kernel_dying(warm):
    started = time.perf_counter()
    with pytest.raises(RuntimeError, match="the notebook kernel died"):
        warm.run("import os\nos._exit(1)")
    assert time.perf_counter() - started < 30 and not warm.alive()


def test_a_kernel_that_cannot_import_the_report_libraries_is_stopped_and_says_why(tmp_path, monkeypatch):
    import psutil

    def kernels() -> set[int]:
        return {p.pid for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(p.cmdline())}

    before = kernels()
    monkeypatch.setattr(kernel_module, "WARM_UP", "raise ImportError('no module named seaborn')")
    with pytest.raises(RuntimeError, match="did not start with the report libraries: ImportError: no module named"):
        kernel_module.warm_kernel(tmp_path)
    deadline = time.monotonic() + 10
    while kernels() - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not kernels() - before   # no kernel left running


def test_a_notebook_that_kills_its_kernel_fails_and_the_next_call_starts_a_new_one(warm, folder, tmp_path):
    with pytest.raises(Exception):
        warm.execute_notebook(notebook("import os\nos._exit(3)"), str(tmp_path / "kill.ipynb"), {},
                              cwd=str(tmp_path))
    assert not warm.alive()
    fresh = kernel_module.warm_kernel(folder)
    assert fresh is not warm and fresh.alive()
    assert outputs(fresh.execute_notebook(notebook("print(value)"), str(tmp_path / "after.ipynb"), {"value": 7},
                                          cwd=str(tmp_path))) == ["7\n"]


def test_another_folder_or_environment_gets_another_kernel(tmp_path, monkeypatch):
    first = kernel_module.warm_kernel(tmp_path)
    assert kernel_module.warm_kernel(tmp_path) is first
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path / "other-project"))
    second = kernel_module.warm_kernel(tmp_path)
    assert second is not first and not first.alive()
    second.run("import os\nassert os.environ['CUSTREPORT_HOME'].endswith('other-project')")
    (tmp_path / "elsewhere").mkdir()
    third = kernel_module.warm_kernel(tmp_path / "elsewhere")
    assert third is not second
    third.run("import os\nassert os.getcwd().endswith('elsewhere'), os.getcwd()")
