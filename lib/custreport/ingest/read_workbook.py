"""Read the chosen sheets of a workbook (xlsx, xlsm, xls, xlsb, ods) with calamine into
RawSheets: merged cells filled, Excel error values and formulas without a saved result shown,
dates as ISO text; hostile workbooks are refused first (workbook_limits).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from custreport.config import SourceSpec
from custreport.errors import UserError, first_line
from custreport.ingest.file_kind import WORKBOOK_MAGIC, head_bytes, is_markup
from custreport.ingest.raw_sheet import HEADER_SEARCH_ROWS, RawSheet, cell_text, header_row_index, made_unique
from custreport.ingest.workbook_limits import MAIN_NS, check_used_range, check_zip_sizes, sheet_member


def read_workbook(path: Path, spec: SourceSpec) -> list[RawSheet]:
    from python_calamine import CalamineWorkbook

    check_zip_sizes(path)
    try:
        # From the bytes, not the name: calamine then tells xls, xlsx, xlsb and ods by content.
        with path.open("rb") as handle:
            workbook = CalamineWorkbook.from_filelike(handle)
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        if _is_encrypted_office_file(path):
            raise UserError(f"{path}: the workbook is password-protected; save a copy without a password "
                            "(Excel: File > Info > Protect Workbook > Encrypt with Password, clear it)") from None
        if is_markup(head_bytes(path)):
            raise UserError(f"{path}: a web page (HTML or XML) saved with an Excel name, as web exports do; open "
                            "it in Excel and save it as .xlsx, or export CSV") from None
        raise UserError(f"{path}: not a readable Excel workbook ({first_line(exc)}); "
                        "save it again as .xlsx or export it as CSV") from None
    names = workbook.sheet_names
    if spec.sheets == "all":
        chosen = names
    else:
        missing = [s for s in spec.sheets if s not in names]
        if missing:
            raise UserError(f"{path}: sheet {missing[0]!r} not found (source {spec.name!r}); "
                            f"the workbook has {', '.join(names)}")
        chosen = list(spec.sheets)
    sheets = []
    for name in chosen:
        check_used_range(path, name)
        try:
            sheet = workbook.get_sheet_by_name(name)
            grid = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception as exc:
            raise UserError(f"{path} [{name}]: unreadable sheet ({first_line(exc)})") from None
        hidden = _hidden_cells(path, name)
        grid = _fill_merged(_show_hidden_cells(grid, hidden), merged)
        sheet = _sheet_from_grid(path, name, grid, spec)
        sheet.formulas_without_result = hidden.formulas_without_result
        sheets.append(sheet)
    return sheets


def _is_encrypted_office_file(path: Path) -> bool:
    """An encrypted Office file is an OLE2 container holding an ``EncryptionInfo`` stream."""
    with path.open("rb") as handle:
        if not handle.read(8).startswith(WORKBOOK_MAGIC[1]):
            return False
        # The directory holding the stream's name may sit anywhere in the container.
        return stream_contains(handle, ("EncryptionInfo".encode("utf-16-le"),))


def stream_contains(handle, needles: tuple[bytes, ...]) -> bool:
    """Whether the rest of a binary stream holds any of ``needles``, read a megabyte at a time
    (a needle cut by a chunk's edge is still found)."""
    overlap = max(len(needle) for needle in needles) - 1
    tail = b""
    while chunk := handle.read(1 << 20):
        window = tail + chunk
        if any(needle in window for needle in needles):
            return True
        tail = window[-overlap:] if overlap else b""
    return False


@dataclass
class _CellsValuesHide:
    """What calamine's values do not show of an xlsx sheet: both read as empty cells."""

    formulas_without_result: list[tuple[int, int, str]] = field(default_factory=list)  # as RawSheet's
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column) 0-based, "#DIV/0!"


def _show_hidden_cells(grid: list[list], hidden: _CellsValuesHide) -> list[list]:
    """Put Excel error values (#N/A, #DIV/0!) back into the grid, so a row fails on its real
    reason ("unparseable amount: #DIV/0!") instead of a missing value."""
    if not hidden.errors:
        return grid
    grid = [list(row) for row in grid]
    for row, column, text in hidden.errors:
        if row < len(grid):
            cells = grid[row]
            cells.extend([""] * (column + 1 - len(cells)))
            cells[column] = text
    return grid


def _hidden_cells(path: Path, sheet_name: str) -> _CellsValuesHide:
    """Formula cells without a result and error cells of one xlsx sheet, from its XML.

    openpyxl reports a missing result and an empty one alike, so the XML is read; only
    sheets whose bytes hold a formula or an error cell are parsed. Any other workbook
    format (xls, ods) is not a zip with xl/workbook.xml and gives nothing.
    """
    import xml.etree.ElementTree as ET
    import zipfile

    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    hidden = _CellsValuesHide()
    try:
        with zipfile.ZipFile(path) as archive:
            member = sheet_member(archive, sheet_name)
            if member is None:
                return hidden
            with archive.open(member) as xml:  # a byte scan first: most sheets hold neither
                if not stream_contains(xml, (b"<f>", b"<f ", b't="e"')):
                    return hidden
            with archive.open(member) as xml:
                for _, element in ET.iterparse(xml):
                    if element.tag == f"{MAIN_NS}row":
                        element.clear()  # its cells are done with: keeps memory flat on long sheets
                        continue
                    if element.tag != f"{MAIN_NS}c" or not element.get("r"):
                        continue
                    reference = element.get("r")
                    letters, row = coordinate_from_string(reference)
                    column = column_index_from_string(letters) - 1
                    formula = element.find(f"{MAIN_NS}f")
                    if formula is not None and formula.text and not _has_result(element):
                        hidden.formulas_without_result.append((row, column, f"{reference}: ={formula.text[:80]}"))
                    elif element.get("t") == "e":
                        value = element.find(f"{MAIN_NS}v")
                        hidden.errors.append((row - 1, column, (value.text if value is not None else None) or "#ERROR"))
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError):
        return _CellsValuesHide()  # calamine read the values; a structure this check does not know is no reason to stop
    return hidden


def _has_result(cell) -> bool:
    # An empty <v/> is a result only for a text formula (t="str" yielding ""); programs
    # that write formulas without computing them leave <v/> empty or out.
    value = cell.find(f"{MAIN_NS}v")
    return value is not None and (bool(value.text) or cell.get("t") == "str")


def _fill_merged(grid: list[list], ranges: list) -> list[list]:
    """Give every cell of a merged range the value of its top-left cell, as a reader sees it.

    A region or owner merged down several customer rows belongs to each of them.
    """
    if not ranges:
        return grid
    grid = [list(row) for row in grid]
    for (top, left), (bottom, right) in ranges:
        if top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        for row in range(top, min(bottom, len(grid) - 1) + 1):
            cells = grid[row]
            if len(cells) <= right:
                cells.extend([""] * (right + 1 - len(cells)))
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    cells[column] = value
    return grid


def _sheet_from_grid(path: Path, name: str, grid: list[list], spec: SourceSpec) -> RawSheet:
    if not grid or not any(any(cell_text(c) for c in row) for row in grid):
        return RawSheet(path, name, [], pd.DataFrame(), np.empty(0, dtype=np.int64), len(grid))
    width = max(len(row) for row in grid)
    head = [[cell_text(c) for c in row] for row in grid[:HEADER_SEARCH_ROWS]]
    header_index = header_row_index(head, spec, where=f"{path} [{name}]")
    if spec.columns:
        headers = list(spec.columns)
        start = 0 if header_index is None else header_index + 1
    else:
        headers = [h.strip() for h in head[header_index]]
        start = header_index + 1
    headers = (headers + [""] * width)[:width] if not spec.columns else headers
    body = grid[start:]
    # Transposed at once, and a text cell (nearly all of them) taken as it is, not through a call.
    cells_by_column = list(itertools.zip_longest(*body, fillvalue="")) if body else []
    columns = {}
    for position, header in enumerate(made_unique(headers)):
        cells = cells_by_column[position] if position < len(cells_by_column) else [""] * len(body)
        columns[header] = pd.array([cell if type(cell) is str else cell_text(cell) for cell in cells], dtype="string")
    frame = pd.DataFrame(columns)
    row_numbers = np.arange(start + 1, start + 1 + len(body), dtype=np.int64)
    rows_above = header_index if header_index is not None else 0
    return RawSheet(path, name, headers, frame, row_numbers, rows_above_header=rows_above)
    return str(value)
