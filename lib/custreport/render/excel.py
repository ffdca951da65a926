"""Excel workbooks with openpyxl: a cover sheet, then tables with a frozen header, an autofilter
over header and data rows (totals below it, in bold), column widths and number formats.

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
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="2F5597")
_TOTAL_FONT = Font(bold=True)
_TOTAL_BORDER = Border(top=Side(style="thin"))
_TITLE_FONT = Font(bold=True, size=16, color="2F5597")
_INVALID_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass
class Sheet:
    """One worksheet: a frame and, per column, an Excel number format.

    ``row_formats`` gives a column one format per row instead (a column of figures of several
    kinds); the last ``total_rows`` rows are totals: bold, below the autofilter's range, so
    sorting and filtering leave them where they are. ``description`` is the sheet's line on
    the cover; ``note``, when given, is a line below the rows (what the sheet leaves out).
    """

    title: str
    frame: pd.DataFrame
    number_formats: dict[str, str] = field(default_factory=dict)
    index: bool = False
    row_formats: dict[str, list[str | None]] = field(default_factory=dict)
    total_rows: int = 0
    description: str = ""
    note: str = ""


@dataclass
class Cover:
    """A workbook's first sheet (``name`` on its tab): a title, facts as (label, value) rows, and a table of the
    sheets that follow (``sheets_header``: the two column names, then one line per sheet,
    each sheet's name linking to it)."""

    name: str
    title: str
    facts: list[tuple[str, str]]
    sheets_header: tuple[str, str]
    sheets: list[Sheet]


def sheet_title(text: str) -> str:
    """A legal worksheet title (31 characters, none of []:*?/\\)."""
    return str(text).translate(_INVALID_SHEET_CHARS)[:31] or "Sheet"


EXCEL_MAX_ROWS = 1_048_576

# In the workbook's keywords when its contacts are masked: mail can then send it as it is.
CONTACTS_MASKED = "custreport:contacts-masked"


def write_workbook(target: Path, sheets: list[Sheet | Cover], contacts_masked: bool = True) -> Path:
    """Write the sheets to ``target`` in openpyxl's streaming mode (memory stays flat on big tables).

    ``contacts_masked`` says whether the sheets hold contacts masked; it is recorded in the
    workbook's properties (see ``has_masked_contacts``).
    """
    workbook = Workbook(write_only=True)
    workbook.properties.keywords = CONTACTS_MASKED if contacts_masked else None
    for sheet in sheets:
        if isinstance(sheet, Cover):
            _write_cover(workbook, sheet)
        else:
            _write_table(workbook, sheet)
    workbook.save(target)
    return target


def _write_table(workbook: Workbook, sheet: Sheet) -> None:
    frame = sheet.frame.reset_index() if sheet.index else sheet.frame
    worksheet = workbook.create_sheet(sheet_title(sheet.title))
    for position, width in enumerate(_column_widths(frame), start=1):
        worksheet.column_dimensions[get_column_letter(position)].width = width
    worksheet.freeze_panes = "A2"
    shown = frame if len(frame) < EXCEL_MAX_ROWS - 1 else frame.iloc[:EXCEL_MAX_ROWS - 2]
    totals = min(sheet.total_rows, len(shown))
    if len(frame.columns):   # header and data rows: a filter over the totals would sort them in
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(shown) - totals + 1}"
    worksheet.append([_header_cell(worksheet, name) for name in frame.columns])
    formats = [sheet.number_formats.get(name) for name in frame.columns]
    per_row = [sheet.row_formats.get(name) for name in frame.columns]
    for row, record in enumerate(shown.itertuples(index=False, name=None)):
        total = row >= len(shown) - totals
        worksheet.append([_cell(worksheet, value, rows[row] if rows is not None else fmt, total)
                          for value, fmt, rows in zip(record, formats, per_row)])
    if len(shown) < len(frame):  # Excel opens no sheet longer than its limit: say what is missing
        worksheet.append([f"… {len(frame) - len(shown):,} more rows: more than an Excel sheet holds"])
    if sheet.note:
        worksheet.append([_cell(worksheet, sheet.note, None)])


def _write_cover(workbook: Workbook, cover: Cover) -> None:
    worksheet = workbook.create_sheet(sheet_title(cover.name))
    label_width = max([_text_width(cover.sheets_header[0]), *(_text_width(label) for label, _ in cover.facts),
                       *(_text_width(sheet_title(sheet.title)) for sheet in cover.sheets)])
    worksheet.column_dimensions["A"].width = min(max(label_width + 2, 12), 34)
    worksheet.column_dimensions["B"].width = 90
    title = _set_text(WriteOnlyCell(worksheet), cover.title)
    title.font = _TITLE_FONT
    worksheet.append([title])
    worksheet.append([])
    for label, value in cover.facts:
        worksheet.append([_bold(worksheet, label), _cell(worksheet, value, None)])
    worksheet.append([])
    worksheet.append([_header_cell(worksheet, name) for name in cover.sheets_header])
    for sheet in cover.sheets:
        name = sheet_title(sheet.title)
        link = _set_text(WriteOnlyCell(worksheet), name)
        quoted = name.replace("'", "''")
        link.hyperlink = Hyperlink(ref="", location=f"'{quoted}'!A1", display=name)   # a place in this workbook
        link.font = Font(color="2F5597", underline="single")
        worksheet.append([link, _cell(worksheet, sheet.description, None)])


def _bold(worksheet, text: str) -> WriteOnlyCell:
    cell = _set_text(WriteOnlyCell(worksheet), str(text))
    cell.font = _TOTAL_FONT
    return cell


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


def _cell(worksheet, value, number_format: str | None, total: bool = False):
    """A value as a cell: text that would be a formula kept text, a format where one is given;
    a cell of a total row is bold under a rule (an empty one too)."""
    shown = _value(worksheet, value, number_format)
    if not total:
        return shown
    cell = shown if isinstance(shown, Cell) else WriteOnlyCell(worksheet, value=shown)
    cell.font = _TOTAL_FONT
    cell.border = _TOTAL_BORDER
    return cell


def _value(worksheet, value, number_format: str | None):
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
    if hasattr(value, "item"):
        value = value.item()
    if number_format or isinstance(value, (dt.datetime, dt.date)):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = number_format or "yyyy-mm-dd"
        return cell
    return value


def _text_width(text: str) -> int:
    """Columns a text takes in Excel: CJK characters two, others one."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _column_widths(frame: pd.DataFrame, sample: int = 500) -> list[float]:
    widths = []
    for name in frame.columns:
        values = [str(name)] + [str(v) for v in frame[name].head(sample).tolist() if v is not None]
        longest = max(_text_width(text) for text in values)
        widths.append(min(max(longest + 2, 8), 50))
    return widths
