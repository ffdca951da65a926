"""Notebooks stay thin and diff-friendly: tagged parameters, no functions, no outputs, paired script in sync."""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import nbformat
import pytest
from papermill.inspection import inspect_notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
REQUIRED_PARAMETERS = {"region", "period", "locale", "store"}


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return request.param


def test_there_are_notebooks():
    assert NOTEBOOKS


def test_parameters_cell_is_tagged_and_parsable_by_papermill(notebook):
    parameters = inspect_notebook(str(notebook))
    assert set(parameters) >= REQUIRED_PARAMETERS
    assert all(p["help"] for p in parameters.values())  # each parameter explains itself


def test_no_outputs_and_no_function_definitions(notebook):
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.outputs and cell.execution_count is None
        tree = ast.parse(cell.source)
        assert not any(isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for node in ast.walk(tree))


def test_paired_script_is_in_sync(notebook):
    script = notebook.with_suffix(".py")
    assert script.is_file(), "pair the notebook with `jupytext --set-formats ipynb,py:percent`"
    from_script = jupytext.read(script)
    from_notebook = nbformat.read(notebook, as_version=4)
    assert [(c.cell_type, c.source) for c in from_script.cells] == \
           [(c.cell_type, c.source) for c in from_notebook.cells]


def _code_cells(notebook: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code"]


def test_parameters_are_the_same_in_every_notebook(notebook):
    # one set of defaults and help texts: the runner passes the same four to every report
    summary = notebook.with_name("summary.ipynb")
    assert _code_cells(notebook)[0] == _code_cells(summary)[0]


def test_first_cell_loads_the_context_and_shows_the_header(notebook):
    first = _code_cells(notebook)[1]
    assert "from custreport import report" in first and "ctx = report.load(" in first
    calls = {f'report.header(ctx, "{notebook.stem}")'} | ({"report.header(ctx)"} if notebook.stem == "summary" else set())
    assert first.strip().splitlines()[-1] in calls   # the report key names the notebook


def test_every_report_has_a_name_in_both_languages(notebook):
    from custreport.i18n import LOCALES, report_name

    for locale in LOCALES:
        assert report_name(notebook.stem, locale) != notebook.stem
