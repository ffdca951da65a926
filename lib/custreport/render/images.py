"""PNG files that carry their own alt text (the standard ``Description`` text chunk), so whoever
embeds a chart (an email) describes it as the report does.

>>> import tempfile, io; from PIL import Image
>>> buffer = io.BytesIO(); Image.new("RGB", (2, 2)).save(buffer, format="PNG")
>>> path = Path(tempfile.mkdtemp()) / "trend.png"
>>> write_described_png(path, buffer.getvalue(), "销售额趋势") and read_described_png(path)[1]
'销售额趋势'
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from custreport.files import write_atomically

DESCRIPTION = "Description"


def write_described_png(path: Path, png: bytes, description: str) -> Path:
    """``png`` written to ``path`` with ``description`` (its alt text) in a text chunk."""
    info = PngInfo()
    info.add_itxt(DESCRIPTION, description)   # international text: UTF-8, any language
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).save(buffer, format="PNG", pnginfo=info)
    return write_atomically(path, buffer.getvalue())


def read_described_png(path: Path) -> tuple[bytes, str]:
    """The PNG's bytes and its description ("" when it carries none)."""
    content = Path(path).read_bytes()
    return content, Image.open(io.BytesIO(content)).text.get(DESCRIPTION, "")
