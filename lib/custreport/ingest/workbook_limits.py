"""Hostile workbooks are refused before calamine reads them.

calamine unzips a sheet whole and builds the dense grid of its used range, in native code
that aborts the process when memory runs out. So a workbook is measured first: the zip
directory (sizes, no decompression), then each xlsx sheet's XML streamed.
"""

from __future__ import annotations

import re
from pathlib import Path

from custreport.errors import UserError


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
            member = sheet_member(archive, sheet_name)
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


MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def sheet_member(archive, sheet_name: str) -> str | None:
    """The zip member holding an xlsx sheet's XML, found through the workbook's relationships
    (KeyError when the zip is not an xlsx)."""
    import posixpath
    import xml.etree.ElementTree as ET

    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next((s.get(f"{REL_NS}id") for s in book.iter(f"{MAIN_NS}sheet") if s.get("name") == sheet_name), None)
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels if r.get("Id") == rel_id), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
