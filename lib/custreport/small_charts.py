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

from matplotlib.ticker import FuncFormatter

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
    return None


def _axis_money(locale: str, currency: str):
    return FuncFormatter(lambda v, _: i18n.format_money_axis(v, locale, currency))


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
    axes.tick_params(axis="y", labelsize=7)
    axes.grid(axis="x", visible=False)
    return Chart(figure, alt=alt)


def drivers_chart(figures: dict, locale: str, currency: str, group_name, alt: str) -> Chart:
    """Each group's contribution to the change, rises to the right in green, falls to the left in red."""
    rows = sorted(figures["chart"], key=lambda row: row["change"])
    figure, axes = _figure(SIZE[0], max(SIZE[1], 0.32 * len(rows) + 0.5))
    names = [_short(group_name(figures["dimension"], row["group"]), 10) for row in rows]
    values = [row["change"] for row in rows]
    axes.barh(range(len(rows)), values, color=[GOOD if v > 0 else BAD for v in values], height=0.6)
    axes.set_yticks(range(len(rows)), names, fontsize=7)
    axes.axvline(0, color="#1f2933", linewidth=0.8)
    axes.xaxis.set_major_formatter(_axis_money(locale, currency))
    axes.tick_params(axis="x", labelsize=7)
    axes.grid(axis="y", visible=False)
    return Chart(figure, alt=alt)


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
    axes.tick_params(axis="y", labelsize=7)
    axes.set_ylim(bottom=0)
    return Chart(figure, alt=alt)
