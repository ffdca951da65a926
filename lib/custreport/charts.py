"""One chart look for every report: a seaborn theme, a CJK-capable font, fixed colours.

Charts are returned as :class:`Chart`, which shows itself in JupyterLab and in the
rendered HTML/PDF as an inline PNG (no external files), with alt text.

>>> chart = bar_chart(pd.DataFrame({"x": ["华东", "华南"], "y": [3, 5]}), "x", "y", title="客户数")
>>> chart.png[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import base64
import html
import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

# Preferred fonts that carry Chinese glyphs, in order; the first installed one is used.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
             "SimHei", "Heiti SC", "Arial Unicode MS")

PALETTE = ["#2F5597", "#ED7D31", "#70AD47", "#FFC000", "#5B9BD5", "#A5A5A5", "#9E480E", "#264478", "#7F6000"]
REGION_COLOURS = {"east": "#2F5597", "south": "#ED7D31", "north": "#70AD47", "central": "#FFC000",
                  "southwest": "#5B9BD5", "northwest": "#9E480E", "northeast": "#264478",
                  "unknown": "#A5A5A5", "all": "#404040"}
TYPE_COLOURS = {"active": "#70AD47", "prospect": "#5B9BD5", "churned": "#C00000"}
HIGHLIGHT = "#C00000"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font that can draw Chinese, or None when there is none."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    return None


@lru_cache(maxsize=1)
def apply_theme() -> None:
    """Set the report theme once per process."""
    import seaborn as sns  # imported here: it pulls in scipy.stats, which only drawing needs

    font = cjk_font()
    sans = [font] if font else []
    sns.set_theme(style="whitegrid", palette=PALETTE, font_scale=0.95,
                  rc={"font.family": "sans-serif", "font.sans-serif": [*sans, "DejaVu Sans"],
                      "axes.unicode_minus": False, "figure.dpi": 110, "savefig.dpi": 160,
                      "axes.titleweight": "bold", "axes.spines.right": False, "axes.spines.top": False})


class Chart:
    """A finished chart: PNG bytes plus alt text; displays inline in notebooks and reports.

    ``kind`` is a second class of the figure (the page's style may size such charts apart),
    ``caption`` a line of text shown under the chart.
    """

    def __init__(self, figure: plt.Figure, alt: str, kind: str | None = None, caption: str | None = None):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        plt.close(figure)
        self.png = buffer.getvalue()
        self.alt = alt
        self.kind = kind
        self.caption = caption

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        classes = "chart" + (f" {html.escape(self.kind)}" if self.kind else "")
        caption = f"<figcaption>{html.escape(self.caption)}</figcaption>" if self.caption else ""
        return (f'<figure class="{classes}"><img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}">'
                f"{caption}</figure>")


def _figure(width: float = 7.5, height: float = 3.2) -> tuple[plt.Figure, plt.Axes]:
    apply_theme()
    return plt.subplots(figsize=(width, height))


def line_chart(frame: pd.DataFrame, x: str, y: str, title: str, value_format=None, colour: str | None = None,
               height: float = 3.2) -> Chart:
    """A single-series line chart with markers (e.g. revenue by month), ``height`` inches tall."""
    figure, axes = _figure(height=height)
    axes.plot(frame[x].astype(str), frame[y], marker="o", color=colour or PALETTE[0], linewidth=2)
    axes.set_title(title)
    axes.set_xlabel("")
    axes.set_ylabel("")
    if value_format:
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: value_format(v)))
    axes.tick_params(axis="x", rotation=45)
    axes.set_ylim(bottom=0)
    return Chart(figure, alt=title)


def bar_chart(frame: pd.DataFrame, x: str, y: str, title: str, colours: dict | None = None,
              value_format=None) -> Chart:
    """Vertical bars, coloured per category when ``colours`` maps category to colour."""
    figure, axes = _figure()
    categories = frame[x].astype(str)
    palette = [colours.get(c, PALETTE[i % len(PALETTE)]) if colours else PALETTE[i % len(PALETTE)]
               for i, c in enumerate(categories)]
    axes.bar(categories, frame[y], color=palette)
    axes.set_title(title)
    if value_format:
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: value_format(v)))
    return Chart(figure, alt=title)


def funnel_chart(frame: pd.DataFrame, stage: str, value: str, title: str, notes: list[str] | None = None,
                 colour: str | None = None, highlight: int | None = None) -> Chart:
    """Horizontal bars, first stage on top, each annotated with its value and an optional note;
    the bar at position ``highlight`` (e.g. the bottleneck) is drawn in red."""
    figure, axes = _figure(height=max(2.2, 0.55 * len(frame) + 0.8))
    stages = frame[stage].astype(str).tolist()
    values = frame[value].astype(float).tolist()
    positions = list(range(len(stages)))[::-1]   # first stage on top
    colours = [HIGHLIGHT if i == highlight else colour or PALETTE[0] for i in range(len(stages))]
    axes.barh(positions, values, color=colours, height=0.65)
    axes.set_yticks(positions, stages)
    top = max(values, default=0) or 1
    for position, amount, note in zip(positions, values, notes or [""] * len(values)):
        text = f"{amount:,.0f}" + (f"  {note}" if note else "")
        axes.text(amount + top * 0.01, position, text, va="center", fontsize=8.5)
    axes.set_xlim(0, top * 1.3)
    axes.set_title(title)
    axes.grid(axis="y", visible=False)
    return Chart(figure, alt=title)


def heatmap(counts: pd.DataFrame, title: str, x_label: str, y_label: str,
            notes: pd.DataFrame | None = None) -> Chart:
    """A grid of counts (rows top to bottom as given), each cell showing its count and an optional note."""
    figure, axes = _figure(height=4.2)
    values = counts.to_numpy(dtype=float)
    axes.imshow(values, cmap="Blues", aspect="auto", vmin=0, vmax=max(values.max(initial=0), 1))
    axes.set_xticks(range(counts.shape[1]), [str(c) for c in counts.columns])
    axes.set_yticks(range(counts.shape[0]), [str(i) for i in counts.index])
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.grid(False)
    threshold = values.max(initial=0) * 0.6
    for row in range(counts.shape[0]):
        for column in range(counts.shape[1]):
            count = values[row, column]
            note = "" if notes is None or pd.isna(notes.iat[row, column]) else str(notes.iat[row, column])
            text = f"{count:,.0f}" + (f"\n{note}" if note and count else "")
            axes.text(column, row, text, ha="center", va="center", fontsize=7.5,
                      color="white" if count > threshold else "#1f2933")
    axes.set_title(title)
    return Chart(figure, alt=title)


def histogram(values: pd.Series, title: str, value_format=None, bins: int = 20, colour: str | None = None) -> Chart:
    """The distribution of one measure (e.g. customer lifetime value) as a histogram."""
    figure, axes = _figure()
    axes.hist(values.dropna().astype(float), bins=bins, color=colour or PALETTE[0], edgecolor="white")
    axes.set_title(title)
    if value_format:
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: value_format(v)))
    axes.tick_params(axis="x", rotation=30)
    return Chart(figure, alt=title)


def grouped_bar_chart(frame: pd.DataFrame, x: str, series: dict[str, str], title: str,
                      colours: dict[str, str] | None = None, stacked: bool = False, value_format=None) -> Chart:
    """Bars per category, side by side or ``stacked``: ``series`` maps each column to plot to its
    legend label, ``colours`` a column to its fixed colour (else the palette in order)."""
    figure, axes = _figure()
    categories = frame[x].astype(str).tolist()
    width = 0.8 if stacked else 0.8 / max(len(series), 1)
    base = pd.Series(0.0, index=frame.index)
    for i, (column, name) in enumerate(series.items()):
        values = frame[column].astype(float)
        offsets = [position if stacked else position - 0.4 + width * (i + 0.5) for position in range(len(categories))]
        colour = (colours or {}).get(column, PALETTE[i % len(PALETTE)])
        axes.bar(offsets, values, width=width, bottom=base if stacked else None, label=name, color=colour)
        if stacked:
            base = base + values
    axes.set_xticks(range(len(categories)), categories)
    axes.tick_params(axis="x", rotation=45 if len(categories) > 6 else 0)
    if value_format:
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: value_format(v)))
    if series:
        axes.legend(frameon=False)
    axes.set_title(title)
    return Chart(figure, alt=title)


# Light tints of a bar's colour, for the part of it that was added (customers assigned now).
_TINTS = {PALETTE[0]: "#9DB3DB", HIGHLIGHT: "#EE9A9A"}


def capacity_bars(frame: pd.DataFrame, label: str, before: str, added: str, capacity: str, title: str,
                  names: dict[str, str], caption: str | None = None) -> Chart:
    """One horizontal bar per row (e.g. a rep), in the order given, first on top: ``before``
    plus ``added`` stacked (the added part lighter), each row's ``capacity`` marked with a
    black tick, and rows whose total passes their capacity drawn red. ``names`` gives the
    legend's words for ``before``, ``added``, ``capacity`` and ``over`` (which should say how
    many are over). Narrow and tall (a row's height each), so its labels stay readable when
    a phone shrinks it; the report's style shows it at this size on paper.
    """
    rows = len(frame)
    row_height = min(0.3, 8.3 / max(rows, 1))            # past 27 rows the chart stays one A4 page tall
    font = max(6.5, min(10.0, row_height * 72 * 0.62))
    figure, axes = _figure(width=4.3, height=max(2.0, row_height * rows + 1.3))
    positions = list(range(rows))[::-1]
    start = frame[before].astype(float).to_numpy()
    extra = frame[added].astype(float).to_numpy()
    limit = frame[capacity].astype(float).to_numpy()
    over = (start + extra) > limit                          # NaN capacity: never over
    solid = [HIGHLIGHT if flag else PALETTE[0] for flag in over]
    axes.barh(positions, start, color=solid, height=0.7)
    axes.barh(positions, extra, left=start, color=[_TINTS[c] for c in solid], height=0.7)
    marked = [(p, c) for p, c in zip(positions, limit) if c == c]
    if marked:
        axes.scatter([c for _, c in marked], [p for p, _ in marked], marker="|", s=(row_height * 72) ** 2 * 0.9,
                     color="#1f2933", linewidths=1.6, zorder=3)
    top = max([*(start + extra), *(c for _, c in marked), 1])
    for position, total, cap in zip(positions, start + extra, limit):
        text = f"{total:,.0f}" + (f" / {cap:,.0f}" if cap == cap else "")
        axes.text(max(total, cap if cap == cap else 0) + top * 0.015, position, text, va="center",
                  fontsize=font - 1, color="#1f2933")
    axes.set_xlim(0, top * 1.28)
    axes.set_ylim(-0.6, rows - 0.4)
    axes.set_yticks(positions, frame[label].astype(str).tolist(), fontsize=font)
    axes.tick_params(axis="x", labelsize=font - 1)
    axes.grid(axis="y", visible=False)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color=PALETTE[0], label=names["before"]), Patch(color=_TINTS[PALETTE[0]], label=names["added"]),
               Line2D([], [], color="#1f2933", marker="|", linestyle="", markersize=10, markeredgewidth=1.6,
                      label=names["capacity"]), Patch(color=HIGHLIGHT, label=names["over"])]
    axes.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.45, 1.0), ncol=2, frameon=False,
                fontsize=font - 0.5, handlelength=1.2, columnspacing=1.0)
    axes.set_title(title, pad=6 + 2.2 * font * 1.5)
    return Chart(figure, alt=f"{title}: {names['over']}", kind="workload", caption=caption)
