"""Excel workbooks, written with XlsxWriter: a cover sheet, then tables with a frozen header, an
autofilter over header and data rows (totals below it, in bold), column widths and number
formats. Read (and rewritten for mail) with openpyxl.

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
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
    """Write the sheets to ``target`` with XlsxWriter in its constant-memory mode (each row goes
    to disk as it is written: memory stays flat, and it writes several times faster than openpyxl).

    ``contacts_masked`` says whether the sheets hold contacts masked; it is recorded in the
    workbook's properties (see ``has_masked_contacts``).
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(target), {
        "constant_memory": True, "remove_timezone": True,
        # every cell is written by its kind below: no text is ever turned into a formula, number or link
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
    if contacts_masked:
        workbook.set_properties({"keywords": CONTACTS_MASKED})
    styles = _Styles(workbook)
    titles = _unique_titles(sheets)
    title_of = {id(sheet): title for sheet, title in zip(sheets, titles)}
    try:
        for sheet, title in zip(sheets, titles):
            if isinstance(sheet, Cover):
                linked = [title_of.get(id(listed), sheet_title(listed.title)) for listed in sheet.sheets]
                _write_cover(workbook.add_worksheet(title), sheet, linked, styles)
            else:
                _write_table(workbook.add_worksheet(title), sheet, styles)
    finally:
        workbook.close()
    return target


def _unique_titles(sheets: list[Sheet | Cover]) -> list[str]:
    """Each sheet's legal title, a number added where two would be the same (Excel refuses that)."""
    taken: set[str] = set()
    titles = []
    for sheet in sheets:
        base = sheet_title(sheet.name if isinstance(sheet, Cover) else sheet.title)
        title, n = base, 2
        while title.lower() in taken:
            suffix = f" {n}"
            title, n = base[:31 - len(suffix)] + suffix, n + 1
        taken.add(title.lower())
        titles.append(title)
    return titles


class _Styles:
    """The workbook's cell formats, one per (number format, role): XlsxWriter wants each made once."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.made: dict[tuple, object] = {}
        self.header = workbook.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#2F5597",
                                           "pattern": 1, "valign": "vcenter"})
        self.title = workbook.add_format({"bold": True, "font_size": 16, "font_color": "#2F5597"})
        self.bold = workbook.add_format({"bold": True})
        self.link = workbook.add_format({"font_color": "#2F5597", "underline": 1})

    def of(self, number_format: str | None, total: bool = False):
        key = (number_format, total)
        if key not in self.made:
            properties = {"num_format": number_format} if number_format else {}
            if total:
                properties.update(bold=True, top=1)
            self.made[key] = self.workbook.add_format(properties) if properties else None
        return self.made[key]


def _write_table(worksheet, sheet: Sheet, styles: _Styles) -> None:
    frame = sheet.frame.reset_index() if sheet.index else sheet.frame
    for position, width in enumerate(_column_widths(frame)):
        worksheet.set_column(position, position, width)
    worksheet.freeze_panes(1, 0)
    shown = frame if len(frame) < EXCEL_MAX_ROWS - 1 else frame.iloc[:EXCEL_MAX_ROWS - 2]
    totals = min(sheet.total_rows, len(shown))
    if len(frame.columns):   # header and data rows: a filter over the totals would sort them in
        worksheet.autofilter(0, 0, len(shown) - totals, len(frame.columns) - 1)
    for column, name in enumerate(frame.columns):
        worksheet.write_string(0, column, _text(str(name)), styles.header)
    formats = [sheet.number_formats.get(name) for name in frame.columns]
    per_row = [sheet.row_formats.get(name) for name in frame.columns]
    first_total = len(shown) - totals
    numbers = [_plain_numbers(shown.iloc[:, column]) if per_row[column] is None else None
               for column in range(len(frame.columns))]
    for row, record in enumerate(shown.itertuples(index=False, name=None)):
        total = row >= first_total
        for column, (value, fmt, rows) in enumerate(zip(record, formats, per_row)):
            if numbers[column] is not None and not total:   # a column of plain numbers: written directly
                number = numbers[column][row]
                if math.isfinite(number):
                    worksheet.write_number(row + 1, column, number, styles.of(fmt))
                continue
            _write_value(worksheet, row + 1, column, value, rows[row] if rows is not None else fmt, styles, total)
    next_row = len(shown) + 1
    if len(shown) < len(frame):  # Excel opens no sheet longer than its limit: say what is missing
        worksheet.write_string(next_row, 0, f"… {len(frame) - len(shown):,} more rows: more than an Excel sheet holds")
        next_row += 1
    if sheet.note:
        worksheet.write_string(next_row, 0, _text(sheet.note))


def _plain_numbers(column: pd.Series) -> list[float] | None:
    """A numeric column (not boolean) as Python floats, missing ones NaN; None for any other column.
    (Excel keeps every number as a double: an integer reads back the same.)"""
    if column.dtype == bool or str(column.dtype) in ("boolean", "bool[pyarrow]") \
            or not pd.api.types.is_numeric_dtype(column.dtype):
        return None
    return column.to_numpy(dtype="float64", na_value=float("nan")).tolist()


def _write_cover(worksheet, cover: Cover, titles: list[str], styles: _Styles) -> None:
    label_width = max([_text_width(cover.sheets_header[0]), *(_text_width(label) for label, _ in cover.facts),
                       *(_text_width(title) for title in titles)])
    worksheet.set_column(0, 0, min(max(label_width + 2, 12), 34))
    worksheet.set_column(1, 1, 90)
    worksheet.write_string(0, 0, _text(cover.title), styles.title)
    row = 2
    for label, value in cover.facts:
        worksheet.write_string(row, 0, _text(str(label)), styles.bold)
        _write_value(worksheet, row, 1, value, None, styles)
        row += 1
    row += 1
    for column, name in enumerate(cover.sheets_header):
        worksheet.write_string(row, column, _text(str(name)), styles.header)
    for sheet, title in zip(cover.sheets, titles):
        row += 1
        quoted = title.replace("'", "''")
        worksheet.write_url(row, 0, f"internal:'{quoted}'!A1", styles.link, string=title)   # a place in this workbook
        _write_value(worksheet, row, 1, sheet.description, None, styles)


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
    """Store ``text`` in an openpyxl ``cell`` as a string: openpyxl would take one starting with = for a formula."""
    cell.value = text
    cell.data_type = "s"
    return cell


def _text(value: str) -> str:
    """Text without the control characters Excel cannot store."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _write_value(worksheet, row: int, column: int, value, number_format: str | None, styles: _Styles,
                 total: bool = False) -> None:
    """A value as a cell of its kind: text always a string (never a formula, number or error
    code), numbers with ``number_format``, dates as yyyy-mm-dd unless a format is given; a cell of
    a total row is bold under a rule (an empty one too)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and not math.isfinite(value)) \
            or (isinstance(value, str) and not value):   # an empty text is an empty cell, as openpyxl wrote it
        if total:
            worksheet.write_blank(row, column, None, styles.of(None, total))
        return
    if isinstance(value, str):
        worksheet.write_string(row, column, _text(value), styles.of(None, total))
        return
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, bool):
        worksheet.write_boolean(row, column, value, styles.of(number_format, total))
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return
        worksheet.write_number(row, column, value, styles.of(number_format, total))
    elif isinstance(value, (dt.datetime, dt.date)):
        worksheet.write_datetime(row, column, value, styles.of(number_format or "yyyy-mm-dd", total))
    else:
        worksheet.write_string(row, column, _text(str(value)), styles.of(None, total))


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
