"""Hostile xlsx files written by hand with zipfile: a stray cell at XFD1048576, a sheet
16,384 columns wide, a zip bomb. openpyxl would take minutes (or gigabytes) to write some of
them; the package needs only five members, and the sheet XML is streamed into the zip.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

from openpyxl.utils.cell import get_column_letter

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def write_xlsx(target: Path | io.BytesIO, sheet_xml: Iterable[str | bytes], sheet: str = "华东") -> None:
    """A minimal valid xlsx of one sheet whose ``<sheetData>`` is the concatenated ``sheet_xml``.

    The declared ``<dimension>`` is a small lie on purpose: readers must not trust it.
    """
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_TYPES}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE}.worksheet+xml"/></Types>'))
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
                                        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
                                            f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
                                                       f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                                                       '</Relationships>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:D4"/><sheetData>'.encode())
            for part in sheet_xml:
                out.write(part.encode() if isinstance(part, str) else part)
            out.write(b"</sheetData></worksheet>")


def xlsx_bytes(sheet_xml: Iterable[str | bytes], sheet: str = "华东") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheet_xml, sheet)
    return buffer.getvalue()


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def row(number: int, values: list[str]) -> str:
    cells = "".join(text_cell(f"{get_column_letter(i + 1)}{number}", v) for i, v in enumerate(values) if v)
    return f'<row r="{number}">{cells}</row>'


CUSTOMERS = [["客户名称", "电话", "区域"], ["杭州华信科技有限公司", "13800138000", "华东"],
             ["北京中关村软件有限公司", "010-12345678", "华北"]]


def customer_rows() -> list[str]:
    return [row(number, values) for number, values in enumerate(CUSTOMERS, start=1)]


def stray_far_cell(reference: str = "XFD1048576", value: str = "<v>1</v>") -> list[str]:
    """The customers, and one cell holding a value far away (a 5 KB file)."""
    number = "".join(ch for ch in reference if ch.isdigit())
    return [*customer_rows(), f'<row r="{number}"><c r="{reference}">{value}</c></row>']


def wide_rows(columns: int = 16_384) -> list[str]:
    """The customers, each row padded with numbers out to ``columns`` columns."""
    padded = []
    for number, values in enumerate(CUSTOMERS, start=1):
        extra = "".join(f'<c r="{get_column_letter(c)}{number}"><v>{c}</v></c>' for c in range(4, columns + 1))
        padded.append(row(number, values).replace("</row>", extra + "</row>"))
    return padded


def bomb_rows(unzipped_bytes: int) -> Iterable[str | bytes]:
    """The customers, then the same row repeated to about ``unzipped_bytes`` of XML, which
    deflate packs a few hundred times."""
    yield from customer_rows()
    block = ('<row r="4"><c r="A4"><v>1</v></c></row>' * 25_000).encode()
    for _ in range(max(unzipped_bytes // len(block), 1)):
        yield block
