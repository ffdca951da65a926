"""The headline figures by name, and data alerts on them.

A figure has a name readers and params use (``revenue``, ``win_rate``), the dotted key it
has in metrics.json (``deals.win_rate``) and a kind that says how it is shown (count,
money, percent). Figures compared with earlier periods also have changes:
``<name>_change`` (vs the previous period) and ``<name>_change_year`` (vs the same period
a year earlier): relative for counts and amounts (+0.25 = +25 %), a difference in
percentage points for rates (win_rate 0.30 after 0.25 is a change of +0.05 = +5 pp).
Each figure also has a direction, the way that is good (params/analysis.yaml
``kpi_directions`` may change it): cards colour a change green or red by it, grey when
neither way is better.

A data alert (``when:`` of a recipient in params/recipients.yaml) is one comparison of a
figure with a number, so that mail goes out only when something needs attention:

>>> alert = parse_alert("revenue_change < -10%")
>>> alert.holds({"deltas": {"vs_previous": {"revenue": -0.123}}})
(True, -0.123)
>>> parse_alert("win_rate < 0.2").holds({"deals": {"win_rate": 0.35}})
(False, 0.35)
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

# name, metrics.json key, kind
CARDS = (("customers_total", "customers.total", "count"), ("customers_new", "customers.new", "count"),
         ("customers_active", "customers.active", "count"), ("revenue", "revenue", "money"),
         ("orders", "orders", "count"), ("aov", "aov", "money"), ("deals_won", "deals.won", "count"),
         ("win_rate", "deals.win_rate", "percent"), ("pipeline_value", "deals.pipeline_value", "money"),
         ("won_value", "deals.won_value", "money"), ("customers_churned", "customers.churned", "count"),
         ("monthly_active", "recurring.monthly_active", "money"),
         ("monthly_lost", "recurring.monthly_lost", "money"))

# The figures metrics.json compares with the previous period and a year earlier (deltas).
COMPARED = ("customers.total", "customers.new", "customers.active", "revenue", "orders", "aov",
            "deals.won", "deals.win_rate", "deals.won_value", "deals.pipeline_value")

# Which way is good (up or down), or neither (neutral: changes are shown grey). Besides the
# cards: the funnel's deals lost and sales cycle, where less is better.
DIRECTIONS = {"customers_total": "up", "customers_new": "up", "customers_active": "up", "revenue": "up",
              "orders": "up", "aov": "up", "deals_won": "up", "win_rate": "up", "pipeline_value": "up",
              "won_value": "up", "customers_churned": "down", "monthly_active": "up", "monthly_lost": "down",
              "deals_lost": "down", "median_cycle_days": "down"}
DIRECTION_VALUES = ("up", "down", "neutral")

_DOTTED = {name: dotted for name, dotted, _ in CARDS}
_KIND = {name: kind for name, _, kind in CARDS}
_CHANGES = {"_change_year": "vs_year_ago", "_change": "vs_previous"}   # longest suffix first

_OPERATORS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
              "<": operator.lt, ">": operator.gt}
_ALERT = re.compile(r"^\s*(?P<figure>[a-z_]+)\s*(?P<op><=|>=|==|!=|<|>)\s*(?P<number>[+-]?\d+(?:\.\d+)?)\s*"
                    r"(?P<percent>%?)\s*$")


# metrics.json keys of rates: their changes are differences in points, never relative.
RATES = frozenset(dotted for _, dotted, kind in CARDS if kind == "percent")


def change(now, before, rate: bool = False) -> float | None:
    """How a figure moved: relative (+0.25 = +25 %), or for a ``rate`` the difference in
    points (0.30 after 0.25: +0.05, shown +5.0 pp); None without a base to compare with.

    >>> change(125, 100), change(0.30, 0.25, rate=True), change(5, 0), change(None, 3)
    (0.25, 0.05, None, None)
    """
    if now is None or before is None or _nan(now) or _nan(before):
        return None
    if rate:
        return round(float(now) - float(before), 4)
    if before == 0:
        return None
    return round((now - before) / abs(before), 4)


def _nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def tone(value, direction: str = "up") -> str:
    """How a change reads: good, bad, neutral (no way is better) or flat (no change, or none known).

    >>> tone(0.2), tone(0.2, "down"), tone(-0.1, "down"), tone(0.2, "neutral"), tone(0, "up"), tone(None)
    ('good', 'bad', 'good', 'neutral', 'flat', 'flat')
    """
    if value is None or _nan(value) or value == 0:
        return "flat"
    if direction == "neutral":
        return "neutral"
    return "good" if (value > 0) == (direction == "up") else "bad"


def alert_figures() -> list[str]:
    """Every name a data alert may test: each figure, and the changes of the compared ones.

    >>> alert_figures()[:4]
    ['customers_total', 'customers_total_change', 'customers_total_change_year', 'customers_new']
    """
    names = []
    for name, dotted, _ in CARDS:
        names.append(name)
        if dotted in COMPARED:
            names += [f"{name}_change", f"{name}_change_year"]
    return names


@dataclass(frozen=True)
class Alert:
    """``figure op threshold``; ``percent``: the threshold was written with % (and is stored /100)."""

    figure: str
    op: str
    threshold: float
    percent: bool
    text: str

    @property
    def base(self) -> str:
        """The figure without its change suffix: revenue for revenue_change."""
        for suffix in _CHANGES:
            if self.figure.endswith(suffix):
                return self.figure[: -len(suffix)]
        return self.figure

    @property
    def change(self) -> str | None:
        """vs_previous or vs_year_ago for a change, None for the figure itself."""
        return next((key for suffix, key in _CHANGES.items() if self.figure.endswith(suffix)), None)

    def value(self, figures: dict) -> float | None:
        """The figure's value in ``figures`` (metrics.json), None when it has none (no earlier
        period to compare with, no deals ...)."""
        dotted = _DOTTED[self.base]
        found = (figures.get("deltas", {}).get(self.change, {}).get(dotted) if self.change
                 else _get(figures, dotted))
        if found is None or (isinstance(found, float) and math.isnan(found)):
            return None
        return float(found)

    def holds(self, figures: dict) -> tuple[bool | None, float | None]:
        """Whether the alert holds on ``figures``, and the value tested; (None, None) when the
        figure has no value."""
        value = self.value(figures)
        if value is None:
            return None, None
        return bool(_OPERATORS[self.op](value, self.threshold)), value

    @property
    def is_percent(self) -> bool:
        """Whether the figure is shown as a percentage (a change, or a rate)."""
        return self.change is not None or _KIND[self.base] == "percent"

    @property
    def in_points(self) -> bool:
        """Whether the tested value is a change of a rate, in percentage points (win_rate_change)."""
        return self.change is not None and _KIND[self.base] == "percent"


def parse_alert(text: str) -> Alert:
    """An alert from its text; ValueError (one line, naming the known figures) when it is not one.

    >>> parse_alert("revenue_change < -10%").threshold
    -0.1
    >>> parse_alert("revenue < lots")
    Traceback (most recent call last):
    ValueError: 'revenue < lots' is not <figure> <op> <number>[%], e.g. revenue_change < -10% or win_rate < 0.2
    """
    found = _ALERT.match(str(text))
    if not found:
        raise ValueError(f"{text!r} is not <figure> <op> <number>[%], e.g. revenue_change < -10% or win_rate < 0.2")
    figure = found["figure"]
    if figure not in alert_figures():
        raise ValueError(f"{text!r}: unknown figure {figure!r}; known: {', '.join(alert_figures())}")
    number = float(found["number"])
    percent = bool(found["percent"])
    return Alert(figure, found["op"], round(number / 100, 12) if percent else number, percent, str(text).strip())


def _get(figures: dict, dotted: str):
    value = figures
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
