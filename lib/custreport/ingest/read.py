"""Read raw CSV and Excel files into grids of text with user-visible row numbers.

Nothing is interpreted here beyond finding the header: every cell becomes text
(Excel dates as ISO text, whole numbers without ``.0``) so that one set of
standardisers serves CSV and Excel alike. Row numbers are the ones a user sees
when opening the file (Excel row, or CSV record with the header as record 1),
because error messages and quarantine entries must point there.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd

from custreport.config import SourceSpec
from custreport.errors import UserError
from custreport.ingest.headers import ALIASES, check_column_map, header_score

HEADER_SEARCH_ROWS = 30
_SNIFF_BYTES = 1 << 20


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

    @property
    def where(self) -> str:
        return f"{self.file.name}" + (f" [{self.sheet}]" if self.sheet else "")


def read_source_file(path: Path, spec: SourceSpec) -> list[RawSheet]:
    """Read one file of a source: every chosen sheet of a workbook, or the CSV itself."""
    bad_target = check_column_map(spec.column_map, spec.table)
    if bad_target:
        raise UserError(f"source {spec.name!r}: column_map {bad_target!r} names no {spec.table} column; use one of "
                        f"{', '.join(ALIASES[spec.table])} or x_<name> for an extra")
    if not path.is_file():
        raise UserError(f"{path}: file not found (source {spec.name!r})")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: the file is empty (source {spec.name!r})")
    if file_kind(path) == "workbook":
        return _read_workbook(path, spec)
    return [_read_csv(path, spec)]


_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
# Zip (xlsx, xlsm, xlsb, ods) and OLE2 (xls, and any password-protected Office file).
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def file_kind(path: Path) -> str:
    """'workbook' or 'text', by the file's first bytes rather than its name.

    Files are renamed by hand: an old .xls saved as .xlsx, or a workbook called
    .csv, must still be read as what they are.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> (folder / "a.xlsx").write_text("客户名称,电话\\n", encoding="utf-8") and file_kind(folder / "a.xlsx")
    'text'
    """
    head = _head(path)
    if head.startswith(_WORKBOOK_MAGIC):
        return "workbook"
    if path.suffix.lower() in _WORKBOOK_SUFFIXES and (not _looks_like_text(head) or _is_markup(head)):
        return "workbook"  # damaged, or a web page saved as .xls: the workbook reader says which
    return "text"


def _head(path: Path, size: int = 4096) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _is_markup(head: bytes) -> bool:
    """HTML or XML: what web exports save under an .xls name."""
    return head.lstrip(codecs.BOM_UTF8).lstrip().startswith(b"<")


def _looks_like_text(head: bytes) -> bool:
    return b"\x00" not in head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


# --------------------------------------------------------------------------- CSV


def detect_encoding(path: Path) -> str:
    """Encoding of a text file: BOMs first, then strict UTF-8, then charset detection.

    GBK and GB2312 are reported as GB18030, their superset, so that rare
    characters typed in a GBK file still decode.
    """
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window is still UTF-8.
        if len(head) == _SNIFF_BYTES and exc.start >= len(head) - 3:
            return "utf-8"
    # Cut the sample at a line end: a multi-byte character split at the edge would make
    # every CJK codec look wrong.
    sample = head[:200_000]
    if len(head) > len(sample):
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        raise UserError(f"{path}: cannot tell the text encoding; set `encoding:` for this source "
                        "in params/sources.yaml (e.g. gb18030 or utf-8)")
    encoding = best.encoding.replace("_", "").lower()
    if encoding in ("gbk", "gb2312", "gb18030", "hz", "cp936"):
        return "gb18030"
    return best.encoding


def _read_csv(path: Path, spec: SourceSpec) -> RawSheet:
    encoding = detect_encoding(path) if spec.encoding == "auto" else spec.encoding
    whitespace = spec.delimiter in ("whitespace", r"\s+")
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            head_records = _first_records(handle, spec.delimiter, whitespace)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UserError(f"{path}: cannot decode as {encoding}: {exc}; set `encoding:` for source "
                        f"{spec.name!r} in params/sources.yaml") from None
    except csv.Error as exc:
        raise UserError(f"{path}: unreadable CSV near the top of the file ({exc})") from None
    header_index = _header_index(head_records, spec, where=str(path))
    if spec.columns:
        headers = list(spec.columns)
        skip = 0 if header_index is None else header_index + 1
    else:
        headers = [str(cell).strip() for cell in head_records[header_index]]
        skip = header_index + 1
    unique_headers = _unique(headers)

    if not whitespace and len(spec.delimiter) == 1:
        frame, bad_lines = _read_csv_arrow(path, encoding, skip, unique_headers, spec.delimiter)
        row_numbers = _row_numbers_skipping(skip + 1, len(frame), sorted(n for n, _ in bad_lines))
        if _line_breaks_in_cells(path, skip + len(frame) + len(bad_lines)):
            _check_no_swallowed_rows(path, frame, row_numbers, spec.delimiter)
        return RawSheet(path, None, headers, frame, row_numbers,
                        rows_above_header=header_index if header_index is not None else 0, unreadable=bad_lines)

    bad_lines: list[tuple[int, str]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                path,
                encoding=encoding,
                sep=r"\s+" if whitespace else spec.delimiter,
                header=None,
                names=unique_headers,
                skiprows=skip,
                dtype="string",
                keep_default_na=False,
                na_values=[],
                skip_blank_lines=False,
                on_bad_lines="warn",
                engine="c",
                encoding_errors="strict",
            )
        except UnicodeDecodeError as exc:
            raise UserError(f"{path}: cannot decode as {encoding} (byte {exc.start}); set `encoding:` "
                            f"for source {spec.name!r} in params/sources.yaml") from None
        except pd.errors.ParserError as exc:
            raise UserError(f"{path}: unreadable CSV: {str(exc).splitlines()[0]}") from None
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame({h: pd.Series(dtype="string") for h in unique_headers})
    for warning in caught:
        for line_no, reason in _bad_line_reports(str(warning.message)):
            bad_lines.append((line_no, reason))

    # pandas counts physical lines; with skipped bad lines the records after them shift.
    bad_set = sorted(n for n, _ in bad_lines)
    first_row = skip + 1
    row_numbers = _row_numbers_skipping(first_row, len(frame), bad_set)
    if not whitespace:
        _check_no_swallowed_rows(path, frame, row_numbers, spec.delimiter)
    return RawSheet(path, None, headers, frame.fillna(""), row_numbers,
                    rows_above_header=header_index if header_index is not None else 0,
                    unreadable=bad_lines)


def _line_breaks_in_cells(path: Path, records: int) -> bool:
    """Whether any record of a delimited file may span lines: the file has more line breaks
    than its ``records`` (header and lines above it included) can account for. Counting
    bytes is a fraction of a second for a gigabyte; searching every cell takes seconds."""
    with path.open("rb") as handle:
        breaks, last = 0, b""
        while chunk := handle.read(1 << 24):
            breaks, last = breaks + chunk.count(b"\n"), chunk[-1:]
    return breaks != (records if last == b"\n" else records - 1)


def _read_csv_arrow(path: Path, encoding: str, skip: int, names: list[str],
                    delimiter: str) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Read a delimited file with pyarrow: about twice as fast and half the memory of
    pandas' C parser for large exports. Malformed rows are set aside, not fatal; their
    line numbers are known only to a single-threaded read, so a file that has any is read
    again that way."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad_lines: list[tuple[int, str]] = []
    swallowing: list[int] = []
    row_like = _swallowed_row(delimiter, len(names))

    def set_aside(row) -> str:
        if row.text and row_like.search(row.text):
            swallowing.append(row.number)  # an unclosed quote ran over the rows after it
        bad_lines.append((row.number, f"expected {row.expected_columns} fields, saw {row.actual_columns}"))
        return "skip"

    arrow_encoding = "utf8" if encoding.replace("-", "").lower() in ("utf8", "utf8sig") else encoding
    try:
        table = _arrow_csv(path, arrow_encoding, skip, names, delimiter, set_aside, use_threads=True)
        if bad_lines:
            bad_lines.clear()
            swallowing.clear()
            table = _arrow_csv(path, arrow_encoding, skip, names, delimiter, set_aside, use_threads=False)
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: cannot decode as {encoding} (byte {exc.start}); set `encoding:` "
                        "for this source in params/sources.yaml") from None
    except pa.ArrowInvalid as exc:
        message = str(exc).splitlines()[0]
        if "Empty CSV file" in message:
            return pd.DataFrame({name: pd.Series(dtype="string") for name in names}), bad_lines
        raise UserError(f"{path}: unreadable as {encoding} CSV: {message}; set `encoding:` or `delimiter:` "
                        "for this source in params/sources.yaml") from None
    if swallowing:
        raise _unclosed_quote(path, swallowing[0])
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    return frame.set_axis(names, axis=1), bad_lines


def _arrow_csv(path: Path, encoding: str, skip: int, names: list[str], delimiter: str, on_invalid,
               use_threads: bool):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, skip_rows=skip, column_names=names,
                                       use_threads=use_threads, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid,
                                         ignore_empty_lines=False, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={name: pa.string() for name in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))


def _check_no_swallowed_rows(path: Path, frame: pd.DataFrame, row_numbers: np.ndarray, delimiter: str) -> None:
    """Stop on a cell that swallowed rows of its own: a quote opened and not closed where it
    should be makes every reader take the lines up to the next quote as one cell, and the
    rows in them would vanish into it (the row count would still add up).

    A swallowed line holds as many delimiters as a row has; a real multi-line cell (an
    address, a note) rarely does.
    """
    if len(delimiter) != 1 or len(frame.columns) < 2:
        return
    row_like = _swallowed_row(delimiter, len(frame.columns)).pattern
    for column in frame.columns:
        values = frame[column]
        multi_line = values.str.contains("\n", regex=False).fillna(False).to_numpy(dtype=bool)
        if not multi_line.any():
            continue
        swallowed = values[multi_line].str.contains(row_like, regex=True).fillna(False).to_numpy(dtype=bool)
        if swallowed.any():
            row = int(row_numbers[np.flatnonzero(multi_line)[np.argmax(swallowed)]])
            raise _unclosed_quote(path, row, f" column {column!r}")


def _swallowed_row(delimiter: str, columns: int) -> re.Pattern:
    """A line break followed by a line with a row's worth of delimiters."""
    return re.compile(rf"\n(?:[^\n]*{re.escape(delimiter)}){{{max(columns - 1, 1)}}}")


def _unclosed_quote(path: Path, row: int, column: str = "") -> UserError:
    return UserError(f"{path} row {row}{column}: a quote (\") in this row is not closed where the cell ends, so "
                     "the rows after it read as part of it; close or remove the quote")


def _row_numbers_skipping(first_row: int, count: int, skipped: list[int]) -> np.ndarray:
    numbers = np.arange(first_row, first_row + count + len(skipped), dtype=np.int64)
    if skipped:
        numbers = numbers[~np.isin(numbers, np.asarray(skipped))]
    return numbers[:count]


_BAD_LINE = re.compile(r"Skipping line (\d+): (.*)")


def _bad_line_reports(message: str) -> list[tuple[int, str]]:
    return [(int(m.group(1)), m.group(2).strip()) for m in _BAD_LINE.finditer(message)]


@contextlib.contextmanager
def _any_field_size():
    """Let the csv module read cells of any length (its default stops at 128 KB): overlong
    cells are quarantined row by row later, not a reason to reject the file."""
    limit = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _first_records(handle: io.TextIOBase, delimiter: str, whitespace: bool) -> list[list[str]]:
    records: list[list[str]] = []
    if whitespace:
        for line in handle:
            records.append(line.split())
            if len(records) >= HEADER_SEARCH_ROWS:
                break
        return records
    with _any_field_size():
        for record in csv.reader(handle, delimiter=delimiter):
            records.append(record)
            if len(records) >= HEADER_SEARCH_ROWS:
                break
    return records


# --------------------------------------------------------------------------- Excel


def _read_workbook(path: Path, spec: SourceSpec) -> list[RawSheet]:
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
        if _is_markup(_head(path)):
            raise UserError(f"{path}: a web page (HTML or XML) saved with an Excel name, as web exports do; open "
                            "it in Excel and save it as .xlsx, or export CSV") from None
        raise UserError(f"{path}: not a readable Excel workbook ({_first_line(exc)}); "
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
            raise UserError(f"{path} [{name}]: unreadable sheet ({_first_line(exc)})") from None
        hidden = _hidden_cells(path, name)
        grid = _fill_merged(_show_hidden_cells(grid, hidden), merged)
        sheet = _sheet_from_grid(path, name, grid, spec)
        sheet.formulas_without_result = hidden.formulas_without_result
        sheets.append(sheet)
    return sheets


def _is_encrypted_office_file(path: Path) -> bool:
    """An encrypted Office file is an OLE2 container holding an ``EncryptionInfo`` stream."""
    with path.open("rb") as handle:
        if not handle.read(8).startswith(_WORKBOOK_MAGIC[1]):
            return False
        # The directory holding the stream's name may sit anywhere in the container.
        return _stream_contains(handle, ("EncryptionInfo".encode("utf-16-le"),))


def _stream_contains(handle, needles: tuple[bytes, ...]) -> bool:
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


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


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
            member = _sheet_member(archive, sheet_name)
            if member is None:
                return hidden
            with archive.open(member) as xml:  # a byte scan first: most sheets hold neither
                if not _stream_contains(xml, (b"<f>", b"<f ", b't="e"')):
                    return hidden
            with archive.open(member) as xml:
                for _, element in ET.iterparse(xml):
                    if element.tag == f"{_MAIN_NS}row":
                        element.clear()  # its cells are done with: keeps memory flat on long sheets
                        continue
                    if element.tag != f"{_MAIN_NS}c" or not element.get("r"):
                        continue
                    reference = element.get("r")
                    letters, row = coordinate_from_string(reference)
                    column = column_index_from_string(letters) - 1
                    formula = element.find(f"{_MAIN_NS}f")
                    if formula is not None and formula.text and not _has_result(element):
                        hidden.formulas_without_result.append((row, column, f"{reference}: ={formula.text[:80]}"))
                    elif element.get("t") == "e":
                        value = element.find(f"{_MAIN_NS}v")
                        hidden.errors.append((row - 1, column, (value.text if value is not None else None) or "#ERROR"))
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError):
        return _CellsValuesHide()  # calamine read the values; a structure this check does not know is no reason to stop
    return hidden


def _sheet_member(archive, sheet_name: str) -> str | None:
    """The zip member holding an xlsx sheet's XML, found through the workbook's relationships
    (KeyError when the zip is not an xlsx)."""
    import posixpath
    import xml.etree.ElementTree as ET

    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next((s.get(f"{_REL_NS}id") for s in book.iter(f"{_MAIN_NS}sheet") if s.get("name") == sheet_name), None)
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rel_id), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _has_result(cell) -> bool:
    # An empty <v/> is a result only for a text formula (t="str" yielding ""); programs
    # that write formulas without computing them leave <v/> empty or out.
    value = cell.find(f"{_MAIN_NS}v")
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
    if not grid or not any(any(_cell_text(c) for c in row) for row in grid):
        return RawSheet(path, name, [], pd.DataFrame(), np.empty(0, dtype=np.int64), len(grid))
    width = max(len(row) for row in grid)
    head = [[_cell_text(c) for c in row] for row in grid[:HEADER_SEARCH_ROWS]]
    header_index = _header_index(head, spec, where=f"{path} [{name}]")
    if spec.columns:
        headers = list(spec.columns)
        start = 0 if header_index is None else header_index + 1
    else:
        headers = [h.strip() for h in head[header_index]]
        start = header_index + 1
    headers = (headers + [""] * width)[:width] if not spec.columns else headers
    body = grid[start:]
    columns = {}
    for position, header in enumerate(_unique(headers)):
        columns[header] = pd.array([_cell_text(row[position]) if position < len(row) else ""
                                    for row in body], dtype="string")
    frame = pd.DataFrame(columns)
    row_numbers = np.arange(start + 1, start + 1 + len(body), dtype=np.int64)
    rows_above = header_index if header_index is not None else 0
    return RawSheet(path, name, headers, frame, row_numbers, rows_above_header=rows_above)


def _cell_text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if (value.hour or value.minute or value.second) else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


# --------------------------------------------------------------------------- workbook limits
#
# calamine unzips a sheet whole and builds the dense grid of its used range, in native code
# that aborts the process when memory runs out. So a workbook is measured before calamine
# reads it: the zip directory (sizes, no decompression), then each xlsx sheet's XML streamed.

MAX_UNZIPPED_BYTES = 1 << 30
"""All members of a zipped workbook (xlsx, xlsm, xlsb, ods) together, uncompressed. A
200,000-row, 20-column customer workbook unzips to about 210 MB."""

MAX_COMPRESSION_RATIO = 100
"""Uncompressed over compressed size of a member over RATIO_CHECKED_FROM_BYTES. Sheet XML
compresses about 8 times (30 for a column of one repeated value); a zip bomb, 1,000."""

RATIO_CHECKED_FROM_BYTES = 50 << 20
"""Members smaller than this unzip to too little to matter, whatever their ratio."""

MAX_SHEET_COLUMNS = 1_000
"""Columns of a sheet's used range (up to its last cell holding a value). Customer sheets
have fewer than 200; Excel allows 16,384, and one stray cell out there makes every row that wide."""

MAX_SHEET_CELLS = 50_000_000
"""Cells of a sheet's used range (rows x columns): calamine holds them all at once, empty or not."""

_REMEDY = "delete the stray cells beyond the data (Ctrl+End in Excel shows the last one) and save, or export CSV"


def check_zip_sizes(path: Path) -> None:
    """Refuse a zipped workbook that would unzip to more than MAX_UNZIPPED_BYTES, or holds a
    member compressed more than MAX_COMPRESSION_RATIO times, from its directory alone."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # not a zip (xls), or damaged: calamine says which
    total = sum(member.file_size for member in members)
    if total > MAX_UNZIPPED_BYTES:
        raise UserError(f"{path}: the workbook unzips to {total / 1e6:,.0f} MB (limit {MAX_UNZIPPED_BYTES / 1e6:,.0f} "
                        "MB); split it into several workbooks or export CSV")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise UserError(f"{path}: {member.filename} unzips from {member.compress_size:,} to "
                            f"{member.file_size:,} bytes ({ratio:,.0f} times, limit {MAX_COMPRESSION_RATIO}): a "
                            f"sheet padded with millions of empty cells, or a zip bomb; {_REMEDY}")


# A cell holding a value: an r="B7" start tag, not self-closing and not closed at once (an
# empty cell with only a style is not in calamine's grid). The attribute sits anywhere in the
# tag. Two patterns of one group each: lists of bytes, where pairs would be millions of tuples
# for the garbage collector to walk.
_VALUED_CELL_COLUMN = re.compile(rb' r="([A-Z]{1,3})[0-9]{1,7}"[^>/]*>(?!</)')
_VALUED_CELL_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,7})"[^>/]*>(?!</)')
_XML_CHUNK = 1 << 24


def check_used_range(path: Path, sheet_name: str) -> None:
    """Refuse an xlsx sheet whose used range passes MAX_SHEET_COLUMNS or MAX_SHEET_CELLS,
    naming its farthest cell.

    The range comes from the cells themselves, streamed from the sheet XML a chunk at a
    time, never from the ``<dimension>`` the file declares. Other formats are not scanned:
    xls holds at most 65,536 x 256 cells; xlsb and ods are limited by their zip sizes only.
    """
    import zipfile

    from openpyxl.utils.cell import column_index_from_string

    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet_name)
            if member is None:
                return
            widest, lowest = (0, ""), (0, "")  # (column or row number, the cell's reference)
            with archive.open(member) as xml:
                carry = b""
                while chunk := xml.read(_XML_CHUNK):
                    chunk = carry + chunk
                    cut = chunk.rfind(b"<")  # a tag cut by the chunk's edge is scanned with the next one
                    if cut < 0 or len(chunk) - cut > 1 << 20:
                        cut = len(chunk)  # no tag runs that long: nothing to carry
                    chunk, carry = chunk[:cut], chunk[cut:]
                    letters = set(_VALUED_CELL_COLUMN.findall(chunk))
                    if not letters:
                        continue
                    column = max(letters, key=lambda text: (len(text), text))
                    row = max(map(int, set(_VALUED_CELL_ROW.findall(chunk))))
                    if column_index_from_string(column.decode()) > widest[0]:
                        widest = (column_index_from_string(column.decode()), _first_cell(chunk, column, rb"[0-9]+"))
                    if row > lowest[0]:
                        lowest = (row, _first_cell(chunk, rb"[A-Z]+", str(row).encode()))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        return  # not an xlsx, or damaged: calamine reads it or says why
    columns, rows = widest[0], lowest[0]
    if columns > MAX_SHEET_COLUMNS or columns * rows > MAX_SHEET_CELLS:
        from openpyxl.utils.cell import get_column_letter

        far = widest[1] if columns > MAX_SHEET_COLUMNS else lowest[1]
        raise UserError(f"{path} [{sheet_name}]: the sheet's used range reaches {get_column_letter(columns)}{rows} "
                        f"({columns:,} columns × {rows:,} rows; limit {MAX_SHEET_COLUMNS:,} columns and "
                        f"{MAX_SHEET_CELLS:,} cells), through the cell at {far}; {_REMEDY}")


def _first_cell(xml: bytes, column: bytes, row: bytes) -> str:
    """The reference of the first valued cell in ``xml`` matching the ``column`` and ``row`` patterns."""
    found = re.search(rb' r="(' + column + row + rb')"[^>/]*>(?!</)', xml)
    return found.group(1).decode() if found else ""


# --------------------------------------------------------------------------- shared


def _header_index(records: list[list[str]], spec: SourceSpec, where: str) -> int | None:
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


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for position, header in enumerate(headers):
        header = header or f"column_{position + 1}"
        count = seen.get(header, 0)
        seen[header] = count + 1
        out.append(header if count == 0 else f"{header} ({count + 1})")
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
