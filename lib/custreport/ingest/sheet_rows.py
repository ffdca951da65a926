"""The rows of a sheet that are not records: each row's lineage (source, file, sheet, row), title
and note rows above the header, total rows and blank rows, rows the reader could not parse, and
formulas without a saved result; the column layouts of lineage, quarantine and non-data rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from custreport.config import SourceSpec
from custreport.ingest.headers import HeaderMapping
from custreport.ingest.raw_sheet import RawSheet

# source_key: a database row's key ("id=42"), missing for rows of files.
LINEAGE_COLUMNS = ["source", "source_file", "source_sheet", "source_row", "source_key"]
# region: the region code a quarantined row belongs to, missing when it cannot be told.
QUARANTINE_COLUMNS = [*LINEAGE_COLUMNS, "table", "column", "reason", "value", "region"]
NON_DATA_COLUMNS = [*LINEAGE_COLUMNS, "reason"]

_TOTAL_ROW = (r"(?i)^ *(?:合 *计|总 *计|小 *计|共 *计|汇 *总|total|subtotal|sub-total|grand total|sum)"
              r" *(?:[(（][^)）]*[)）])? *(?:行|row)? *[:：]? *[0-9,.]* *(?:家|个|户|条|行|rows?)? *$")


def lineage_of(sheet: RawSheet, spec: SourceSpec) -> pd.DataFrame:
    count = len(sheet.rows)
    return pd.DataFrame({
        "source": repeated(spec.name, count),
        "source_file": repeated(sheet.file.name, count),
        "source_sheet": repeated(sheet.sheet, count),
        "source_row": pd.array(sheet.row_numbers[:count], dtype="Int64"),
        "source_key": (repeated(None, count) if sheet.row_keys is None else
                       pd.array(sheet.row_keys[:count], dtype=pd.StringDtype("pyarrow"))),
    }, index=sheet.rows.index)


def repeated(text: str | None, count: int) -> pd.arrays.ArrowStringArray:
    """``text`` ``count`` times as a string array, built in Arrow (a Python list of ten million
    references takes seconds)."""
    import pyarrow as pa

    return pd.array(pa.repeat(pa.scalar(text, pa.string()), count), dtype=pd.StringDtype("pyarrow"))


def title_rows(sheet: RawSheet, spec: SourceSpec) -> pd.DataFrame:
    count = sheet.rows_above_header
    return pd.DataFrame({
        "source": pd.array([spec.name] * count, dtype="string"),
        "source_file": pd.array([sheet.file.name] * count, dtype="string"),
        "source_sheet": pd.array([sheet.sheet] * count, dtype="string"),
        "source_row": pd.array(np.arange(1, count + 1), dtype="Int64"),
        "source_key": pd.array([None] * count, dtype="string"),
        "reason": pd.array(["title or note above header"] * count, dtype="string"),
    })


def unreadable_rows(sheet: RawSheet, spec: SourceSpec) -> pd.DataFrame:
    rows = sheet.unreadable
    return pd.DataFrame({
        "source": pd.array([spec.name] * len(rows), dtype="string"),
        "source_file": pd.array([sheet.file.name] * len(rows), dtype="string"),
        "source_sheet": pd.array([sheet.sheet] * len(rows), dtype="string"),
        "source_row": pd.array([n for n, _ in rows], dtype="Int64"),
        "source_key": pd.array([None] * len(rows), dtype="string"),
        "table": pd.array([spec.table] * len(rows), dtype="string"),
        "column": pd.array([""] * len(rows), dtype="string"),
        "reason": pd.array([f"malformed line: {why}" for _, why in rows], dtype="string"),
        "value": pd.array([None] * len(rows), dtype="string"),
        "region": pd.array([None] * len(rows), dtype="string"),
    }, columns=QUARANTINE_COLUMNS)


def non_data_kind(rows: pd.DataFrame) -> pd.Series:
    """'blank row' or 'total or subtotal row' for rows that carry no record, else missing."""
    first_value = pd.Series(pd.NA, index=rows.index, dtype="string")
    undecided = np.ones(len(rows), dtype=bool)
    for name in rows.columns:  # left to right, only over rows whose first value is still unknown
        everywhere = undecided.all()   # the first column: no row selection, no alignment (millions of rows)
        text = (rows[name] if everywhere else rows[name][undecided]).str.strip()
        filled = (text != "").fillna(False).to_numpy(dtype=bool)
        first_value = text.where(filled) if everywhere else first_value.fillna(text[filled])
        undecided[np.flatnonzero(undecided)[filled]] = False
        if not undecided.any():
            break
    blank = first_value.isna()
    total = first_value.str.contains(_TOTAL_ROW, na=False).astype(bool)
    kind = pd.Series(pd.NA, index=rows.index, dtype="string")
    kind = kind.mask(total, "total or subtotal row")
    return kind.mask(blank, "blank row")


def formulas_without_result(sheet: RawSheet, headers: list[str], mapping: HeaderMapping,
                             kept: pd.Index) -> list[tuple[str, pd.Series, pd.Series]]:
    """Per canonical column, the data rows whose cell is a formula without a saved result.

    Such a cell reads as empty, so the row would load with a value missing (or be set aside
    for the wrong reason). Formulas in total rows and in unmapped columns do not matter.
    """
    if not sheet.formulas_without_result:
        return []
    canonical = dict(zip(headers, mapping.canonical))
    position_of_row = {int(number): position for position, number in enumerate(sheet.row_numbers)}
    found: dict[str, dict[int, str]] = {}
    for row_number, column_position, formula in sheet.formulas_without_result:
        position = position_of_row.get(row_number)
        if position is None or column_position >= len(sheet.rows.columns) or position not in kept:
            continue
        name = canonical.get(sheet.rows.columns[column_position], "")
        if name and not name.startswith("x_"):
            found.setdefault(name, {})[position] = formula
    return [(name, pd.Series(kept.isin(list(cells)), index=kept),
             pd.Series(cells, dtype="string").reindex(kept)) for name, cells in found.items()]


def rows_where(frame: pd.DataFrame, keep: np.ndarray | pd.Series) -> pd.DataFrame:
    """``frame[keep]`` (a boolean mask, by position), each column filtered on its own (Arrow
    filters a text column): pandas turns the mask into positions and takes every column
    through them, many times as long for ten million order lines.

    >>> rows_where(pd.DataFrame({"a": ["x", "y", "z"], "n": [1, 2, 3]}, index=[5, 6, 7]),
    ...            np.array([True, False, True])).to_dict("index")
    {5: {'a': 'x', 'n': 1}, 7: {'a': 'z', 'n': 3}}
    """
    keep = np.asarray(keep, dtype=bool)
    if keep.all():
        return frame.copy(deep=False)   # copy-on-write: the caller's changes stay its own
    out = pd.DataFrame({position: frame.iloc[:, position].array[keep] for position in range(frame.shape[1])},
                       index=frame.index[keep], copy=False)
    return out.set_axis(frame.columns, axis=1)
