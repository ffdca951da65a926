"""Excel workbooks with openpyxl: frozen header, autofilter, column widths, number formats.

Text that Excel would run as a formula (starting with = + - @, or a tab or CR, the OWASP
CSV-injection list) is written as a plain string, so a customer named ``=HYPERLINK(...)``
stays a name; numbers, negative ones included, stay numbers. No cell is ever a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="2F5597")
_INVALID_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass
class Sheet:
    """One worksheet: a frame and, per column, an Excel number format."""

    title: str
    frame: pd.DataFrame
    number_formats: dict[str, str] = field(default_factory=dict)
    index: bool = False


def sheet_title(text: str) -> str:
    """A legal worksheet title (31 characters, none of []:*?/\\)."""
    return str(text).translate(_INVALID_SHEET_CHARS)[:31] or "Sheet"


EXCEL_MAX_ROWS = 1_048_576

# In the workbook's keywords when its contacts are masked: mail can then send it as it is.
CONTACTS_MASKED = "custreport:contacts-masked"


def write_workbook(target: Path, sheets: list[Sheet], contacts_masked: bool = True) -> Path:
    """Write the sheets to ``target`` in openpyxl's streaming mode (memory stays flat on big tables).

    ``contacts_masked`` says whether the sheets hold contacts masked; it is recorded in the
    workbook's properties (see ``has_masked_contacts``).
    """
    workbook = Workbook(write_only=True)
    workbook.properties.keywords = CONTACTS_MASKED if contacts_masked else None
    for sheet in sheets:
        frame = sheet.frame.reset_index() if sheet.index else sheet.frame
        worksheet = workbook.create_sheet(sheet_title(sheet.title))
        widths = _column_widths(frame)
        for position, width in enumerate(widths, start=1):
            worksheet.column_dimensions[get_column_letter(position)].width = width
        worksheet.freeze_panes = "A2"
        if len(frame.columns):
            worksheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{max(len(frame), 1) + 1}"
        worksheet.append([_header_cell(worksheet, name) for name in frame.columns])
        formats = [sheet.number_formats.get(name) for name in frame.columns]
        shown = frame if len(frame) < EXCEL_MAX_ROWS - 1 else frame.iloc[:EXCEL_MAX_ROWS - 2]
        for record in shown.itertuples(index=False, name=None):
            worksheet.append([_cell(worksheet, value, fmt) for value, fmt in zip(record, formats)])
        if len(shown) < len(frame):  # Excel opens no sheet longer than its limit: say what is missing
            worksheet.append([f"… {len(frame) - len(shown):,} more rows: more than an Excel sheet holds"])
    workbook.save(target)
    return target


def has_masked_contacts(path: Path) -> bool:
    """Whether ``write_workbook`` recorded the workbook at ``path`` as holding masked contacts
    (read from its properties alone, without loading the sheets)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return CONTACTS_MASKED.encode() in archive.read("docProps/core.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def rewrite_text(source: Path, rewrite: Callable[[str], str]) -> bytes:
    """The workbook at ``source`` with ``rewrite`` applied to every text cell, as .xlsx bytes.

    Layout, formats and numbers are kept; text stays text (a rewritten value starting with
    ``=`` is still a string, never a formula).

    >>> import tempfile
    >>> path = write_workbook(Path(tempfile.mkdtemp()) / "w.xlsx", [Sheet("s", pd.DataFrame({"n": ["=a", "b"]}))])
    >>> sheet = load_workbook(io.BytesIO(rewrite_text(path, lambda text: text + "!")))["s"]
    >>> [(cell.value, cell.data_type) for cell in sheet["A"]]
    [('n!', 's'), ('=a!', 's'), ('b!', 's')]
    """
    workbook = load_workbook(source)
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if cell.data_type == "s" and isinstance(cell.value, str):
                    _set_text(cell, rewrite(cell.value))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _set_text(cell, text: str):
    """Store ``text`` in ``cell`` as a string: openpyxl would take one starting with = for a formula."""
    cell.value = text
    cell.data_type = "s"
    return cell


def _header_cell(worksheet, name) -> WriteOnlyCell:
    cell = _set_text(WriteOnlyCell(worksheet), str(name))
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(vertical="center")
    return cell


def _cell(worksheet, value, number_format: str | None):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters Excel cannot store
        # a plain str is written as-is unless openpyxl would read it as a formula
        # openpyxl would also write "#N/A" and the other error codes as error cells
        as_text = value.startswith(FORMULA_TRIGGERS) or value in ERROR_CODES
        return _set_text(WriteOnlyCell(worksheet), value) if as_text else value
    if number_format or isinstance(value, (dt.datetime, dt.date)):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = number_format or "yyyy-mm-dd"
        return cell
    if hasattr(value, "item"):
        return value.item()
    return value


def _column_widths(frame: pd.DataFrame, sample: int = 500) -> list[float]:
    widths = []
    for name in frame.columns:
        values = [str(name)] + [str(v) for v in frame[name].head(sample).tolist() if v is not None]
        longest = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) for text in values)
        widths.append(min(max(longest + 2, 8), 50))
    return widths
