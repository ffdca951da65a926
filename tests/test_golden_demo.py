"""The demo job's figures, held still: every region's metrics.json and every workbook cell equal
the ones recorded in tests/data/demo_golden.json (what a snapshot is called and when it was
made aside). A change of code that was not meant to change a figure shows here.

A change that is meant to change figures records them anew, and the diff shows which:

    CUSTREPORT_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_demo.py
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import openpyxl

GOLDEN = Path(__file__).parent / "data" / "demo_golden.json"
# What names the snapshot or the moment, not the data.
VOLATILE_KEYS = {"snapshot", "snapshot_created_at"}


def _steady(value):
    if isinstance(value, dict):
        return {key: _steady(item) for key, item in value.items() if key not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_steady(item) for item in value]
    return value


def _sheet_digest(sheet) -> str:
    """The sha256 of a sheet's cell values, row by row (the snapshot's id and time blanked)."""
    digest = hashlib.sha256()
    for row in sheet.iter_rows(values_only=True):
        text = json.dumps([None if isinstance(v, str) and _names_the_snapshot(v) else v for v in row],
                          ensure_ascii=False, default=str)
        digest.update(text.encode())
    return digest.hexdigest()


def _names_the_snapshot(text: str) -> bool:
    return text[:8].isdigit() and "T" in text[8:10] and text.endswith("Z") or "UTC" in text or "+00:00" in text


def demo_figures(root: Path) -> dict:
    """Per region folder of the demo's latest period: its metrics.json and its workbook's sheets."""
    folder = next((root / "outputs").glob("*/run.json")).parent
    figures = {}
    for region in sorted(p for p in folder.iterdir() if (p / "metrics.json").is_file()):
        workbook = openpyxl.load_workbook(region / f"{region.name}.xlsx", read_only=True)
        figures[region.name] = {
            "metrics": _steady(json.loads((region / "metrics.json").read_text(encoding="utf-8"))),
            "workbook": {sheet.title: _sheet_digest(sheet) for sheet in workbook.worksheets},
        }
        workbook.close()
    return figures


def test_the_demo_s_figures_and_workbook_values_are_unchanged(demo_run):
    figures = demo_figures(demo_run)
    if os.environ.get("CUSTREPORT_WRITE_GOLDEN") == "1":   # recorded anew, then compared like any run
        GOLDEN.write_text(json.dumps(figures, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(figures) == sorted(golden)
    for region in golden:
        assert figures[region]["metrics"] == golden[region]["metrics"], region
        changed = [sheet for sheet, digest in golden[region]["workbook"].items()
                   if figures[region]["workbook"].get(sheet) != digest]
        assert not changed and figures[region]["workbook"].keys() == golden[region]["workbook"].keys(), \
            f"{region}: the values of sheets {changed} changed"
