"""The house rules, checked on the code itself: modules stay small, dependencies run one way,
kernels get no code built from values, and docs/architecture.md names every part."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib" / "custreport"
ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
MAX_LINES = 600


def modules() -> list[Path]:
    return sorted(path for path in LIB.rglob("*.py") if "__pycache__" not in path.parts)


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at its top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(LIB)))
def test_no_module_is_over_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize("name", ["runner.py", "run_outputs.py", "run_index.py", "cli.py", "update.py", "delivery"])
def test_the_runner_the_command_line_and_delivery_never_import_report_sections(name):
    paths = [LIB / name] if name.endswith(".py") else sorted((LIB / name).glob("*.py"))
    for path in paths:
        wrong = {module for module in imported(path) if module in ("custreport.report", "custreport.reporting.jobs",
                                                                   "custreport.reporting.workbook")
                 or module.startswith("custreport.reporting.sections")}
        assert not wrong, f"{path.name} imports {sorted(wrong)}"


def test_ingest_imports_no_analysis():
    for path in sorted((LIB / "ingest").glob("*.py")):
        assert not [m for m in imported(path) if m.startswith("custreport.analysis")], path.name


def test_reporting_dependencies_run_one_way():
    order = ["request", "context", "insights", "metrics", "front_page", "sections", "workbook", "jobs"]
    for path in sorted((LIB / "reporting").rglob("*.py")):
        own = "sections" if "sections" in path.parts else path.stem
        if own not in order:
            continue
        for module in imported(path):
            parts = module.split(".")
            if parts[:2] == ["custreport", "reporting"] and len(parts) > 2 and parts[2] in order:
                assert order.index(parts[2]) <= order.index(own), f"{path.name} imports {module}"


def test_kernels_get_no_code_built_from_values():
    # The kernel runs notebooks through papermill and functions through WarmKernel.call (JSON
    # arguments); only kernel.py may hand it source.
    for path in modules():
        if path.name != "kernel.py":
            assert ".run(" not in path.read_text(encoding="utf-8").replace("subprocess.run(", ""), path.name


def test_docs_architecture_names_every_package_and_module():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = []
    for path in modules():
        if path.name == "__init__.py":
            name = path.parent.name
            if path.parent != LIB and f"{name}/" not in text:
                missing.append(f"{name}/")
        elif path.parent == LIB or path.parent.name in ("ingest", "reporting", "render"):
            if f"{path.stem}.py" not in text and f"`{path.stem}`" not in text:
                missing.append(str(path.relative_to(LIB)))
    assert not missing, f"docs/architecture.md does not name {missing}"
