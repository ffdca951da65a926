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
