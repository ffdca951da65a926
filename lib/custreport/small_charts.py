"""The front page's small charts, one per insight that has a picture: the revenue bridge (a
waterfall), a dimension's drivers and detractors (bars either side of zero) and a period
against its trend (a line). Drawn from the insight's figures as metrics.json keeps them, so
the report and the mail show the same picture.

>>> chart = insight_chart({"kind": "bridge", "text": {"en": "Revenue rose"}, "figures": {"previous": 100.0,
...     "current": 130.0, "new": 40.0, "reactivated": 0.0, "growth": 0.0, "decline": 0.0, "lost": -10.0,
...     "other": 0.0}}, "en", "CNY", lambda d, v: v)
>>> chart.png[:4], chart.alt
(b'\\x89PNG', 'Revenue rose')
"""

from __future__ import annotations

from matplotlib.ticker import FuncFormatter, MaxNLocator

from custreport import i18n
from custreport.charts import PALETTE, Chart, _figure

GOOD, BAD, BASE = "#2e7d32", "#c62828", "#8a96a3"
SIZE = (3.6, 1.9)   # inches: two side by side across an A4 page, one across a phone
PARTS = ("new", "reactivated", "growth", "decline", "lost", "other")


def insight_chart(record: dict, locale: str, currency: str, group_name) -> Chart | None:
    """The small chart of one insight record (kind, figures, text), or None for a kind drawn in words only."""
    kind, figures = record["kind"], record["figures"]
    alt = (record.get("text") or {}).get(locale, "")
    if kind == "bridge":
        return bridge_chart(figures, locale, currency, alt)
    if kind in ("driver", "detractor"):
        return drivers_chart(figures, locale, currency, group_name, alt)
    if kind == "unusual":
        return trend_chart(figures, locale, currency, alt)
    if kind == "volume_price":
        return parts_chart([(i18n.note("chart.volume", locale), figures["volume"]),
                            (i18n.note("chart.price", locale), figures["price"])], locale, currency, alt)
    if kind == "attainment":
        return attainment_chart(figures, locale, currency, alt)
    if kind == "concentration":
        return shares_chart(figures, locale, alt)
    if kind == "coverage":
        return coverage_chart(figures, locale, currency, alt)
    if kind == "outlier":
        return parts_chart([(_short(row.get("name") or row["order_id"], 10), row["amount"]) for row in figures["orders"]]
                           + [(i18n.note("chart.median_order", locale), figures["median"])], locale, currency, alt,
                           signed=False)
    return None


def _axis_money(locale: str, currency: str):
    return FuncFormatter(lambda v, _: i18n.format_money_axis(v, locale, currency))


def _few_ticks(axis) -> None:
    """Four ticks at most: a small chart's amounts (¥100万) would run into each other."""
    axis.set_major_locator(MaxNLocator(nbins=4))


def _short(text: str, limit: int = 8) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bridge_chart(figures: dict, locale: str, currency: str, alt: str) -> Chart:
    """Previous revenue, each part that moved it (green up, red down), this period's revenue."""
    figure, axes = _figure(*SIZE)
    labels, bottoms, heights, colours = [i18n.note("bridge.previous", locale)], [0.0], [figures["previous"]], [BASE]
    level = figures["previous"]
    for part in PARTS:
        amount = figures.get(part) or 0.0
        if not amount:
            continue
        labels.append(i18n.note(f"bridge.short.{part}", locale))
        bottoms.append(level if amount > 0 else level + amount)
        heights.append(abs(amount))
        colours.append(GOOD if amount > 0 else BAD)
        level += amount
    labels.append(i18n.note("bridge.current", locale))
    bottoms.append(0.0)
    heights.append(figures["current"])
    colours.append(PALETTE[0])
    axes.bar(range(len(labels)), heights, bottom=bottoms, color=colours, width=0.7)
    # English words are wider than two Chinese characters: slanted, they never run into each other
    slant = {"rotation": 30, "ha": "right"} if locale == "en" else {}
    axes.set_xticks(range(len(labels)), labels, fontsize=7, **slant)
    axes.yaxis.set_major_formatter(_axis_money(locale, currency))
    _few_ticks(axes.yaxis)
    axes.tick_params(axis="y", labelsize=7)
    axes.grid(axis="x", visible=False)
    return Chart(figure, alt=alt)


def drivers_chart(figures: dict, locale: str, currency: str, group_name, alt: str) -> Chart:
    """Each group's contribution to the change, largest rise on top, rises green and falls red."""
    rows = sorted(figures["chart"], key=lambda row: -row["change"])
    return parts_chart([(_short(group_name(figures["dimension"], row["group"]), 10), row["change"]) for row in rows],
                       locale, currency, alt)


def trend_chart(figures: dict, locale: str, currency: str, alt: str) -> Chart:
    """The trailing periods, the trend they point to and this period, marked."""
    figure, axes = _figure(*SIZE)
    series = figures["series"]
    labels = [*(figures.get("labels") or [str(i) for i in range(len(series))]), figures.get("current_label") or ""]
    known = [(i, v) for i, v in enumerate(series) if v is not None]
    axes.plot([i for i, _ in known], [v for _, v in known], marker="o", markersize=3, color=BASE, linewidth=1.5)
    last = len(series)
    axes.plot([last], [figures["expected"]], marker="_", markersize=14, color=BASE)
    axes.plot([last], [figures["current"]], marker="o", markersize=6,
              color=GOOD if figures["direction"] == "up" else BAD)
    axes.set_xticks(range(len(labels)), [_short(label, 7) for label in labels], fontsize=6, rotation=45)
    axes.yaxis.set_major_formatter(_axis_money(locale, currency))
    _few_ticks(axes.yaxis)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_ylim(bottom=0)
    return Chart(figure, alt=alt)


def _small(rows: int) -> tuple:
    return _figure(SIZE[0], max(1.1, 0.34 * rows + 0.45))


def parts_chart(parts: list[tuple[str, float]], locale: str, currency: str, alt: str, signed: bool = True) -> Chart:
    """A few amounts as horizontal bars: a change's parts (green up, red down), or sizes (grey)."""
    figure, axes = _small(len(parts))
    names = [name for name, _ in parts][::-1]
    values = [value for _, value in parts][::-1]
    # unsigned: the orders in the house colour, the median order (listed last, drawn lowest) grey
    colours = ([GOOD if v > 0 else BAD for v in values] if signed
               else [BASE] + [PALETTE[0]] * (len(values) - 1))
    axes.barh(range(len(parts)), values, color=colours, height=0.6)
    axes.set_yticks(range(len(parts)), names, fontsize=7)
    if signed:
        axes.axvline(0, color="#1f2933", linewidth=0.8)
    axes.xaxis.set_major_formatter(_axis_money(locale, currency))
    _few_ticks(axes.xaxis)
    axes.tick_params(axis="x", labelsize=7)
    axes.grid(axis="y", visible=False)
    return Chart(figure, alt=alt)


def attainment_chart(figures: dict, locale: str, currency: str, alt: str) -> Chart:
    """A bullet bar: the actual figure against its goal (the black mark), green when met."""
    kind = figures["kind"]
    ticks = (_axis_money(locale, currency) if kind == "money" else
             FuncFormatter(lambda v, _: f"{v * 100:.0f}%") if kind == "percent" else None)
    return _bullet(figures["actual"], figures["goal"], figures["met"], i18n.label(figures["metric"], locale), ticks,
                   alt)


def _bullet(value: float, mark: float, good: bool, label: str, ticks, alt: str) -> Chart:
    """One bar (green when ``good``, else red) against a black mark, on an axis formatted by ``ticks``."""
    figure, axes = _small(1)
    axes.barh([0], [value], color=GOOD if good else BAD, height=0.5)
    axes.plot([mark, mark], [-0.4, 0.4], color="#1f2933", linewidth=2)
    axes.set_yticks([0], [label], fontsize=7)
    axes.set_xlim(0, max(value, mark) * 1.15 or 1)
    if ticks is not None:
        axes.xaxis.set_major_formatter(ticks)
    _few_ticks(axes.xaxis)
    axes.tick_params(axis="x", labelsize=7)
    axes.grid(axis="y", visible=False)
    return Chart(figure, alt=alt)


def shares_chart(figures: dict, locale: str, alt: str) -> Chart:
    """The largest customer's and the top ten's share of revenue, this period and the previous."""
    figure, axes = _small(2)
    labels = [i18n.note("chart.top_customer", locale), i18n.note("chart.top_n", locale, n=figures["top_n"])]
    now = [figures["top_share"], figures["top_n_share"]]
    before = [figures.get("top_share_before") or 0.0, figures.get("top_n_share_before") or 0.0]
    # the top row (y = 1) is the largest customer, the bottom one the top n; previous above this period
    axes.barh([1.15, 0.15], before, height=0.3, color=BASE, label=i18n.note("bridge.previous", locale))
    axes.barh([0.85, -0.15], now, height=0.3, color=PALETTE[0], label=i18n.note("bridge.current", locale))
    axes.set_yticks([1, 0], labels, fontsize=7)
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
    axes.tick_params(axis="x", labelsize=7)
    axes.legend(fontsize=6, loc="lower right", frameon=False)
    axes.grid(axis="y", visible=False)
    return Chart(figure, alt=alt)


def coverage_chart(figures: dict, locale: str, currency: str, alt: str) -> Chart:
    """The open pipeline against the healthy cover (3 × what next period needs, the black mark)."""
    healthy = figures["healthy"] * figures["reference"]
    return _bullet(figures["pipeline"], healthy, figures["pipeline"] >= healthy, i18n.note("chart.pipeline", locale),
                   _axis_money(locale, currency), alt)
