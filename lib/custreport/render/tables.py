"""Tables for reports: escaped HTML with per-column formats, shown the same in JupyterLab and reports.

Every cell goes through HTML escaping, so a customer called ``<script>`` is shown, never run.

Each column is one of three kinds, named by the class of its cells, so that the page's style
keeps a figure or a code on one line at any width: ``num`` (numbers: money, counts, shares,
right-aligned, never wrapped), ``short`` (dates, ids, short names: never wrapped) and ``text``
(names and reasons: wrapped, but never narrower than a few words). The table sits in a
``table-scroll`` box, which scrolls sideways on a phone instead of squeezing the columns.

>>> print(Table(pd.DataFrame({"name": ["<b>甲</b>"], "revenue": [1234.5]}), {"revenue": "{:,.1f}".format}).html())
<div class="table-scroll"><table class="data figures"><colgroup><col><col style="width:5.74em"></colgroup><thead><tr><th class="short">name</th><th class="num">revenue</th></tr></thead><tbody><tr><td class="short">&lt;b&gt;甲&lt;/b&gt;</td><td class="num">1,234.5</td></tr></tbody></table></div>
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from typing import Callable

import pandas as pd
from pandas.api.types import is_numeric_dtype

# A text column whose longest value is wider than this (in em: a Chinese character is 1 em,
# a Latin one about 0.6) wraps; narrower ones (ids, dates, regions, industries) never do.
SHORT_TEXT_EM = 10.0
# Wrapping columns are at least this wide (the style sheet's min-width of td.text), so that a
# name wraps into a few lines of several characters, never one character a line.
TEXT_MIN_EM = 9.0
# A header wider than this wraps into two lines; shorter ones stay on one line.
SHORT_HEADER_EM = 5.0
# Horizontal padding of a cell (16px at the tables' 12px) and the A4 text width (210mm less
# 2 x 14mm margins = 688px) in em of the tables' print font: a table estimated wider than that
# is marked ``wide`` and printed in a smaller font, so that nothing is cut at the page's edge.
CELL_PADDING_EM = 1.4
A4_WIDTH_EM = 688 / 12


class Table:
    """A frame plus formatters; ``frame`` stays available to analysts for further work."""

    def __init__(self, frame: pd.DataFrame, formats: dict[str, Callable] | None = None,
                 caption: str | None = None, index: bool = False, total_row: bool = False):
        self.frame = frame
        self.formats = formats or {}
        self.caption = caption
        self.index = index
        self.total_row = total_row

    def html(self) -> str:
        frame = self.frame.reset_index() if self.index else self.frame
        columns = [_Column(str(col), [_format(v, self.formats.get(col)) for v in frame[col]],
                           is_numeric_dtype(frame[col])) for col in frame.columns]
        head = "".join(col.header_html() for col in columns)
        rows = []
        last = len(frame) - 1
        for position in range(len(frame)):
            cells = "".join(f'<td class="{col.kind}">{html.escape(col.texts[position])}</td>' for col in columns)
            row_class = ' class="total"' if self.total_row and position == last else ""
            rows.append(f"<tr{row_class}>{cells}</tr>")
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        # A label column then figures only: the print style lays it out with fixed widths, which
        # spares the PDF renderer measuring every cell twice; the widths are the figures' own,
        # so that none is cut or wrapped, and the label column takes the rest.
        figures = len(columns) > 1 and all(col.kind == "num" for col in columns[1:])
        colgroup = ""
        if figures:
            colgroup = "<colgroup><col>" + "".join(
                f'<col style="width:{col.width_em + CELL_PADDING_EM:.2f}em">' for col in columns[1:]) + "</colgroup>"
        wide = _print_width_em(columns) > A4_WIDTH_EM
        kinds = ["data"] + (["figures"] if figures else []) + (["wide"] if wide else [])
        return (f'<div class="table-scroll"><table class="{" ".join(kinds)}">{caption}{colgroup}'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")

    def _repr_html_(self) -> str:
        return self.html()

    def __len__(self) -> int:
        return len(self.frame)


class _Column:
    """One column's header, cell texts, kind (num, short or text) and the width it needs in em."""

    def __init__(self, name: str, texts: list[str], numeric: bool):
        self.name = name
        self.texts = texts
        widest = max((text_em(text) for text in texts), default=0.0)
        self.kind = "num" if numeric else "short" if widest <= SHORT_TEXT_EM else "text"
        if self.kind == "text":
            widest = max(TEXT_MIN_EM, max((_longest_word_em(text) for text in texts), default=0.0))
        header = text_em(name)
        # A long header over narrow figures takes two lines rather than one character a line.
        self.header_min_em = math.ceil(max(header / 2, _longest_word_em(name))) if header > SHORT_HEADER_EM else None
        self.width_em = max(widest, self.header_min_em or header)

    def header_html(self) -> str:
        if self.header_min_em is None or self.kind == "text":
            return f'<th class="{self.kind}">{html.escape(self.name)}</th>'
        return (f'<th class="{self.kind} wraps" style="min-width:{self.header_min_em}em">'
                f"{html.escape(self.name)}</th>")


def text_em(text: str) -> float:
    """About how wide ``text`` is in em of the report font, erring wide: a Chinese (wide)
    character 1, a Latin letter or digit 0.62, punctuation and spaces 0.3.

    >>> text_em("¥67.43万"), text_em("华东")
    (4.4, 2.0)
    """
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in "WF":
            width += 1.0
        elif char in " .,:;'!|()-·":
            width += 0.3
        else:
            width += 0.62
    return round(width, 2)


_WORD = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def _longest_word_em(text: str) -> float:
    """The widest run a line cannot break inside: a Latin word (a Chinese text breaks anywhere)."""
    return max((text_em(word) for word in _WORD.findall(text)), default=1.0)


def _print_width_em(columns: list[_Column]) -> float:
    return sum(col.width_em + CELL_PADDING_EM for col in columns)


def _format(value, formatter: Callable | None) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return "—"
    if formatter is not None:
        return formatter(value)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
