"""Tables for reports: escaped HTML with per-column formats, shown the same in JupyterLab and reports.

Every cell goes through HTML escaping, so a customer called ``<script>`` is shown, never run.

>>> Table(pd.DataFrame({"name": ["<b>甲</b>"], "revenue": [1234.5]}), {"revenue": "{:,.1f}".format}).html()
'<table class="data figures"><thead><tr><th>name</th><th class="num">revenue</th></tr></thead><tbody><tr><td>&lt;b&gt;甲&lt;/b&gt;</td><td class="num">1,234.5</td></tr></tbody></table>'
"""

from __future__ import annotations

import html
from typing import Callable

import pandas as pd
from pandas.api.types import is_numeric_dtype


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
        numeric = {col for col in frame.columns if is_numeric_dtype(frame[col])}
        num_class = ' class="num"'
        head = "".join(f"<th{num_class if col in numeric else ''}>{html.escape(str(col))}</th>"
                       for col in frame.columns)
        rows = []
        last = len(frame) - 1
        for position, record in enumerate(frame.itertuples(index=False, name=None)):
            cells = []
            for col, value in zip(frame.columns, record):
                text = _format(value, self.formats.get(col))
                cells.append(f"<td{num_class if col in numeric else ''}>{html.escape(text)}</td>")
            row_class = ' class="total"' if self.total_row and position == last else ""
            rows.append(f"<tr{row_class}>{''.join(cells)}</tr>")
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        # A label column then figures only: the print style can lay it out with fixed widths,
        # which spares the PDF renderer measuring every cell twice.
        figures = len(frame.columns) > 1 and all(col in numeric for col in frame.columns[1:])
        kind = "data figures" if figures else "data"
        return (f'<table class="{kind}">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>")

    def _repr_html_(self) -> str:
        return self.html()

    def __len__(self) -> int:
        return len(self.frame)


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
