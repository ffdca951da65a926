"""A sheet as read: text cells below its header row, with the row numbers a user sees, and
the header search both readers share.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from custreport.config import SourceSpec
from custreport.errors import UserError
from custreport.ingest.headers import header_score

HEADER_SEARCH_ROWS = 30


@dataclass
class RawSheet:
    """One sheet (or CSV file) as text, below its header row."""

    file: Path
    sheet: str | None
    headers: list[str]
    rows: pd.DataFrame              # string dtype, columns = headers (made unique)
    row_numbers: np.ndarray         # user-visible row number of each row in ``rows``
    rows_above_header: int          # title and note rows: counted as non-data
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    # Formulas with no saved result: (row number, column position, "E2: =C2*D2"); read as empty.
    formulas_without_result: list[tuple[int, int, str]] = field(default_factory=list)
    # A database row's key ("id=42"): its lineage instead of a file row (None for files).
    row_keys: np.ndarray | None = None

    @property
    def where(self) -> str:
        return f"{self.file.name}" + (f" [{self.sheet}]" if self.sheet else "")


def header_row_index(records: list[list[str]], spec: SourceSpec, where: str) -> int | None:
    """0-based index of the header record: configured, or the best-scoring of the first rows."""
    if spec.header_row is not None:
        if spec.header_row > len(records):
            raise UserError(f"{where}: header_row {spec.header_row} is past the end of the file")
        return spec.header_row - 1
    if spec.columns:
        return None
    best_index, best_score = None, 0
    for index, record in enumerate(records):
        score = header_score(record, spec.table, spec.column_map)
        if score > best_score:
            best_index, best_score = index, score
    mapped = {str(k).strip() for k in spec.column_map}
    if best_index is not None and best_score == 1 and mapped & {str(c).strip() for c in records[best_index]}:
        return best_index  # a row naming a column_map header is the header, even with one column
    if best_index is None or best_score < 2:
        raise UserError(f"{where}: no header row found in the first {HEADER_SEARCH_ROWS} rows for a "
                        f"{spec.table} table; set `header_row:` or `column_map:` for source {spec.name!r}")
    return best_index


def made_unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for position, header in enumerate(headers):
        header = header or f"column_{position + 1}"
        count = seen.get(header, 0)
        seen[header] = count + 1
        out.append(header if count == 0 else f"{header} ({count + 1})")
    return out


def cell_text(value: object) -> str:
    """A typed cell (from a workbook or a database) as the text a CSV export of it would hold,
    so one set of standardisers reads every source alike.

    >>> [cell_text(v) for v in (None, 12.0, 0.5, True, dt.datetime(2024, 3, 5), Decimal("1E+3"))]
    ['', '12', '0.5', 'TRUE', '2024-03-05', '1000']
    """
    if value is None or (isinstance(value, str) and value == ""):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return ""
        # Without an exponent (1E+3 is 1000), and without the zeros a NUMERIC(12,2) pads with.
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if (value.hour or value.minute or value.second or value.microsecond) \
            else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
