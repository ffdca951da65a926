"""What a source file is, by its first bytes rather than its name: a workbook or text."""

from __future__ import annotations

import codecs
from pathlib import Path

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
# Zip (xlsx, xlsm, xlsb, ods) and OLE2 (xls, and any password-protected Office file).
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def file_kind(path: Path) -> str:
    """'workbook' or 'text', by the file's first bytes rather than its name.

    Files are renamed by hand: an old .xls saved as .xlsx, or a workbook called
    .csv, must still be read as what they are.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> (folder / "a.xlsx").write_text("客户名称,电话\\n", encoding="utf-8") and file_kind(folder / "a.xlsx")
    'text'
    """
    head = head_bytes(path)
    if head.startswith(WORKBOOK_MAGIC):
        return "workbook"
    if path.suffix.lower() in _WORKBOOK_SUFFIXES and (not _looks_like_text(head) or is_markup(head)):
        return "workbook"  # damaged, or a web page saved as .xls: the workbook reader says which
    return "text"


def head_bytes(path: Path, size: int = 4096) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def is_markup(head: bytes) -> bool:
    """HTML or XML: what web exports save under an .xls name."""
    return head.lstrip(codecs.BOM_UTF8).lstrip().startswith(b"<")


def _looks_like_text(head: bytes) -> bool:
    return b"\x00" not in head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
