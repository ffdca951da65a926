"""notebook_parameters: unknown papermill parameters are named, known ones pass."""

from __future__ import annotations

import pytest

from custreport.errors import UserError
from custreport.notebook_parameters import check_injected, unknown_parameters


def test_unknown_names_in_an_injected_cell():
    cell = '# Parameters\nregion = "east"\nregoin = "华东"\nperiod = "2025-Q4"\nx = y = 1\n'
    assert unknown_parameters(cell) == ["regoin", "x", "y"]
    assert unknown_parameters('# Parameters\nregion = "east"\nlocale = "en"\n') == []
    assert unknown_parameters("# Parameters\nregion = (\n") == []   # not Python: nothing to say


def test_check_injected_reads_the_latest_injected_cell_of_the_kernel(monkeypatch):
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    shell.run_cell('# Parameters\nregoin = "华东"\n', store_history=True)
    with pytest.raises(UserError, match=r"unknown notebook parameter 'regoin': the reports take region, period"):
        check_injected()
    # a later report in the same kernel with good parameters is not blamed for the earlier one
    shell.run_cell('# Parameters\nregion = "east"\n', store_history=True)
    check_injected()


def test_check_injected_outside_a_kernel_does_nothing():
    check_injected()


def test_papermill_with_a_misspelt_parameter_fails_with_one_clear_line(tmp_path, monkeypatch):
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from tiny_project import make_project

    make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    with pytest.raises(PapermillExecutionError) as failure:
        papermill.execute_notebook(str(tmp_path / "notebooks" / "summary.ipynb"), str(tmp_path / "out.ipynb"),
                                   parameters={"regoin": "华东", "period": "2025-Q4"}, progress_bar=False,
                                   kernel_name="python3", cwd=str(tmp_path / "notebooks"))
    assert failure.value.ename == "UserError"
    assert failure.value.evalue == "unknown notebook parameter 'regoin': the reports take region, period, locale, store, snapshot"
