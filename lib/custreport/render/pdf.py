"""Report HTML -> A4 PDF with WeasyPrint: page numbers, running title, CJK fonts embedded."""

from __future__ import annotations

import logging
from pathlib import Path

# WeasyPrint logs every unsupported CSS property at WARNING; reports do not need that noise.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def html_to_pdf(html: str, target: Path) -> Path:
    """Write ``html`` as a PDF at ``target`` (print media rules apply)."""
    from weasyprint import HTML

    HTML(string=html, base_url=None, media_type="print").write_pdf(target)
    return target
