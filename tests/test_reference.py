"""docs/tables.md is the manual's list of canonical columns: it must say what the code does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from custreport import schema

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "scripts"))

import write_reference  # noqa: E402


@pytest.mark.parametrize("table", schema.TABLES)
def test_every_column_a_source_can_fill_has_a_meaning_and_an_example(table):
    for column in schema.COLUMNS[table]:
        if column in write_reference.MADE_BY_INGEST or column in schema.LINEAGE:
            continue
        meaning, example = write_reference.meaning_of(table, column)
        assert meaning and example, f"{table}.{column}"


def test_required_columns_are_marked_required():
    page = write_reference.reference()
    assert "| `order_date` | date | **required** |" in page
    assert "| `amount` | number | **required** |" in page.split("## `orders`")[1].split("## `deals`")[0]
    assert "| `product` | text |  |" in page


def test_docs_tables_page_is_up_to_date():
    result = subprocess.run([sys.executable, str(PROJECT / "scripts" / "write_reference.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
