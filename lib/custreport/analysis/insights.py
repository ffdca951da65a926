"""The insight engine: what changed in a period and why, as ranked records (no prose, no display).

Every insight is an :class:`Insight`: its ``kind``, a ``key`` saying what it is about within
the kind (a dimension, a figure), a ``score`` that ranks it, and its ``figures`` (plain JSON
numbers and names; the sentence is written from them by ``i18n.insights``). Amounts are
summed in cents, so the parts of a change add up to it exactly.

The score of an insight is the money it puts at stake as a share of the period's revenue
scale (the larger of this and the previous period's revenue), between 0 and 1; a figure
that is not money (a count or a rate against its target) scores its relative gap. Insights
rank by score, then by the order of ``KINDS``, then by key: the same data always ranks the
same way (docs/metrics.md, Insights).

>>> now = pd.Series({"A": 150.0, "C": 40.0}); before = pd.Series({"A": 100.0, "B": 30.0})
>>> bridge = revenue_bridge(now, before, new_ids={"C"})
>>> bridge["previous"], bridge["new"], bridge["growth"], bridge["lost"], bridge["current"]
(130.0, 40.0, 50.0, -30.0, 190.0)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

# The kinds, in the order that breaks ties between equal scores.
KINDS = ("bridge", "attainment", "driver", "detractor", "unusual", "concentration", "volume_price", "outlier",
         "coverage")

# The parts of a revenue change, in bridge order (see revenue_bridge).
BRIDGE_PARTS = ("new", "reactivated", "growth", "decline", "lost", "other")

# A period is unusual when it lies this many residual standard deviations from the trend of the
# trailing periods.
UNUSUAL_Z = 2.0
TRAILING_PERIODS = 8
MIN_TRAILING = 4          # fewer periods with data than this say nothing about what is usual

# An order is an outlier beyond Tukey's far fence (Q3 + 3 IQR) and this many times the median order.
OUTLIER_FENCE = 3.0
OUTLIER_MEDIAN_MULTIPLE = 5.0
MIN_ORDERS_FOR_OUTLIERS = 10

# A pipeline covering this many periods' revenue (or target) is healthy.
COVERAGE_HEALTHY = 3.0


@dataclass(frozen=True)
class Insight:
    """One finding: ``kind`` (see KINDS), ``key`` (what within the kind), ``score`` (ranks it) and ``figures``."""

    kind: str
    key: str
    score: float
    figures: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def cents(value: float) -> int:
    """An amount in whole cents (how parts are summed so that they add up exactly).

    >>> cents(10.1), cents(-0.004)
    (1010, 0)
    """
    return int(round(float(value) * 100))


def cents_of(values: pd.Series) -> np.ndarray:
    """``cents`` of every value, at once (the same rounding: half to even).

    >>> cents_of(pd.Series([10.1, -0.004, 0.125])).tolist()
    [1010, 0, 12]
    """
    return np.rint(values.to_numpy(dtype="float64", na_value=np.nan) * 100).astype("int64")


def _money(value_cents: int) -> float:
    return round(value_cents / 100, 2)


def revenue_scale(current: float, previous: float) -> float:
    """What scores are shares of: the larger of the two periods' revenue (at least 1)."""
    return max(abs(float(current or 0.0)), abs(float(previous or 0.0)), 1.0)


def score_of(amount: float, scale: float) -> float:
    """``|amount| / scale`` capped at 1 and rounded, so that equal findings tie exactly."""
    return round(min(abs(float(amount)) / scale, 1.0), 6) if scale else 0.0


def customer_parts(now: pd.Series, before: pd.Series,
                   new_ids: set | frozenset | pd.Index = frozenset()) -> pd.DataFrame:
    """Each customer's part of a revenue change (see revenue_bridge): customer, part and its
    amount in cents (the change it brings; a lost customer's is minus what it bought before).

    >>> customer_parts(pd.Series({"A": 80.0}), pd.Series({"A": 100.0, "B": 5.0})).values.tolist()
    [['A', 'decline', -2000], ['B', 'lost', -500]]
    """
    ids = now.index.union(before.index)
    now_c = cents_of(now.reindex(ids).fillna(0.0))
    before_c = cents_of(before.reindex(ids).fillna(0.0))
    bought_now, bought_before = now_c != 0, before_c != 0
    is_new = ids.isin(list(new_ids))
    diff = now_c - before_c
    part = np.select([bought_now & ~bought_before & is_new, bought_now & ~bought_before,
                      bought_now & bought_before & (diff > 0), bought_now & bought_before & (diff < 0),
                      bought_before & ~bought_now], ["new", "reactivated", "growth", "decline", "lost"], "")
    frame = pd.DataFrame({"customer": ids, "part": part, "cents": diff})
    return frame[frame["part"] != ""].reset_index(drop=True)


def revenue_bridge(now: pd.Series, before: pd.Series, new_ids: set | frozenset | pd.Index = frozenset(),
                   current_total: float | None = None, previous_total: float | None = None) -> dict:
    """How revenue went from the previous period to this one, customer by customer.

    ``now`` and ``before`` are revenue per customer id in the two periods; ``new_ids`` the
    customers whose first purchase ever falls in this period. A customer buying only now is
    *new* (in ``new_ids``) or *reactivated* (bought before the previous period); one buying in
    both adds to *growth* or *decline*; one buying only before is *lost*. Revenue not tied to a
    customer (``current_total`` / ``previous_total`` beyond the customers' sums, such as deals
    without one) is *other*. previous + every part = current, exactly, in cents.

    >>> b = revenue_bridge(pd.Series({"A": 80.0, "D": 25.0}), pd.Series({"A": 100.0}), set())
    >>> b["decline"], b["reactivated"], b["change"]
    (-20.0, 25.0, 5.0)
    """
    parts = customer_parts(now, before, new_ids)
    sums = parts.groupby("part")["cents"].sum()
    counts = parts["part"].value_counts()
    amounts = {part: int(sums.get(part, 0)) for part in BRIDGE_PARTS[:-1]}
    previous_c = int(cents_of(before.fillna(0.0)).sum()) if previous_total is None else cents(previous_total)
    current_c = int(cents_of(now.fillna(0.0)).sum()) if current_total is None else cents(current_total)
    amounts["other"] = current_c - previous_c - sum(amounts.values())
    return {"previous": _money(previous_c), "current": _money(current_c), "change": _money(current_c - previous_c),
            **{part: _money(value) for part, value in amounts.items()},
            "customers": {part: int(counts.get(part, 0)) for part in BRIDGE_PARTS[:-1]}}


def bridge_by_group(parts: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """customer_parts summed per group of the customers (``groups``: a group per customer id):
    one row per group, a column per bridge part, in money.

    >>> parts = customer_parts(pd.Series({"A": 50.0, "B": 10.0}), pd.Series({"B": 30.0}), {"A"})
    >>> bridge_by_group(parts, pd.Series({"A": "制造业", "B": "零售"})).to_dict("records")
    [{'group': '制造业', 'new': 50.0, 'decline': 0.0}, {'group': '零售', 'new': 0.0, 'decline': -20.0}]
    """
    missing = "\x00"   # a customer without a group: kept as a group of its own, named None
    named = parts.assign(group=[missing if _is_missing(g) else str(g)
                                for g in groups.reindex(parts["customer"]).to_numpy(dtype="object")])
    table = named.pivot_table(index="group", columns="part", values="cents", aggfunc="sum", fill_value=0) / 100
    table = table.reindex(columns=[p for p in BRIDGE_PARTS if p in table.columns])
    table.columns.name = None
    table = table.reset_index()
    # an object column keeps None (a str column would read it back as NaN)
    named_groups = pd.Series([None if g == missing else g for g in table["group"]], dtype="object")
    table = table.drop(columns="group")
    table.insert(0, "group", named_groups)
    return table


def bridge_insight(bridge: dict) -> Insight | None:
    """The revenue bridge as an insight; its largest part in the direction of the change leads."""
    change = bridge["change"]
    if bridge["previous"] == 0 and bridge["current"] == 0:
        return None
    scale = revenue_scale(bridge["current"], bridge["previous"])
    leading = _leading_part(bridge)
    return Insight("bridge", "revenue", score_of(change, scale),
                   {**bridge, "relative": _relative(bridge["current"], bridge["previous"]), "leading": leading})


def _leading_part(bridge: dict) -> str | None:
    """The part that moved revenue most in the direction it went (None when nothing moved)."""
    sign = 1 if bridge["change"] >= 0 else -1
    moved = [(sign * bridge[part], -BRIDGE_PARTS.index(part), part) for part in BRIDGE_PARTS if sign * bridge[part] > 0]
    return max(moved)[2] if moved else None


def _relative(now: float | None, before: float | None) -> float | None:
    if now is None or before in (None, 0):
        return None
    return round((now - before) / abs(before), 4)


def volume_price(revenue_now: float, orders_now: int, revenue_before: float, orders_before: int) -> Insight | None:
    """Revenue change split into orders and order value: Δrevenue = Δorders × AOV before
    (volume) + orders now × ΔAOV (price); the price part is the change less the volume part,
    so the two add up to the change exactly.

    >>> split = volume_price(1320.0, 12, 1000.0, 10).figures
    >>> split["volume"], split["price"], split["change"]
    (200.0, 120.0, 320.0)
    """
    if not orders_now or not orders_before:
        return None
    aov_before = revenue_before / orders_before
    change_c = cents(revenue_now) - cents(revenue_before)
    volume_c = cents((orders_now - orders_before) * aov_before)
    price_c = change_c - volume_c
    scale = revenue_scale(revenue_now, revenue_before)
    figures = {"change": _money(change_c), "volume": _money(volume_c), "price": _money(price_c),
               "orders": int(orders_now), "orders_before": int(orders_before),
               "orders_relative": _relative(orders_now, orders_before),
               "aov": round(revenue_now / orders_now, 2), "aov_before": round(aov_before, 2),
               "aov_relative": _relative(revenue_now / orders_now, aov_before)}
    return Insight("volume_price", "revenue", score_of(max(abs(volume_c), abs(price_c)) / 100, scale), figures)


def contributions(now: pd.Series, before: pd.Series) -> pd.DataFrame:
    """Each group's revenue in both periods and its change (its contribution to the total
    change); the changes add up to the total change exactly. Sorted by change, largest rise
    first, equal changes by group name. Groups are the index of ``now`` and ``before`` (a
    missing group, NA, is kept and named None).

    >>> contributions(pd.Series({"x": 10.0, "y": 5.0}), pd.Series({"x": 4.0, "z": 3.0}))["change"].tolist()
    [6.0, 5.0, -3.0]
    """
    groups = now.index.union(before.index)
    now_c = cents_of(now.reindex(groups, fill_value=0.0).fillna(0.0))
    before_c = cents_of(before.reindex(groups, fill_value=0.0).fillna(0.0))
    names = [None if _is_missing(g) else str(g) for g in groups]
    frame = pd.DataFrame({"group": pd.array(names, dtype="object"), "now": now_c / 100,
                          "before": before_c / 100, "change": (now_c - before_c) / 100})
    frame["sort_name"] = frame["group"].map(lambda g: "\uffff" if g is None else g)
    frame = frame.sort_values(["change", "sort_name"], ascending=[False, True], kind="stable")
    return frame.drop(columns="sort_name").reset_index(drop=True)


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def driver_insights(table: pd.DataFrame, dimension: str, scale: float, top: int = 3) -> list[Insight]:
    """The top drivers (groups that raised revenue most) and detractors (lowered it most) of
    one ``dimension`` from its ``contributions`` table; none for a dimension of fewer than two
    groups (a region's own region says nothing)."""
    if len(table) < 2:
        return []
    rows = lambda frame: [{"group": None if _is_missing(r.group) else r.group, "change": float(r.change),  # noqa: E731
                           "now": float(r.now), "before": float(r.before)} for r in frame.itertuples(index=False)]
    chart = rows(pd.concat([table.head(top), table.tail(top)]).drop_duplicates(subset=["group"]))
    found = []
    rising = table[table["change"] > 0].head(top)
    if not rising.empty:
        found.append(Insight("driver", dimension, score_of(rising["change"].iloc[0], scale),
                             {"dimension": dimension, "groups": rows(rising), "chart": chart,
                              "total_change": round(float(table["change"].sum()), 2)}))
    falling = table[table["change"] < 0].iloc[::-1].head(top)
    if not falling.empty:
        found.append(Insight("detractor", dimension, score_of(falling["change"].iloc[0], scale),
                             {"dimension": dimension, "groups": rows(falling), "chart": chart,
                              "total_change": round(float(table["change"].sum()), 2)}))
    return found


def concentration_insight(now: pd.Series, before: pd.Series, names: dict | None = None,
                          top: int = 10) -> Insight | None:
    """How much of the period's revenue the largest customer and the top ``top`` bring, and how
    that changed; scored by the largest customer's share (what would go with it).

    >>> i = concentration_insight(pd.Series({"A": 60.0, "B": 40.0}), pd.Series({"A": 50.0, "B": 50.0}))
    >>> i.figures["top_share"], i.figures["top_share_before"], i.score
    (0.6, 0.5, 0.6)
    """
    positive = now[now > 0]
    total = float(positive.sum())
    if total <= 0:
        return None
    ranked = positive.sort_index().sort_values(ascending=False, kind="stable")
    top_id = ranked.index[0]
    before_positive = before[before > 0]
    before_total = float(before_positive.sum())
    share_before = (float(before_positive.sort_values(ascending=False).head(1).sum()) / before_total
                    if before_total > 0 else None)
    top_n_before = (float(before_positive.sort_values(ascending=False).head(top).sum()) / before_total
                    if before_total > 0 else None)
    top_share = round(float(ranked.iloc[0]) / total, 4)
    top_n_share = round(float(ranked.head(top).sum()) / total, 4)
    return Insight("concentration", "customers", round(top_share, 6), {
        "top_customer": str(top_id), "top_name": (names or {}).get(top_id), "top_revenue": round(float(ranked.iloc[0]), 2),
        "top_share": top_share, "top_share_before": None if share_before is None else round(share_before, 4),
        "top_n": int(min(top, len(ranked))), "top_n_share": top_n_share,
        "top_n_share_before": None if top_n_before is None else round(top_n_before, 4),
        "customers": int(len(ranked))})


def unusual_insight(metric: str, current: float | None, trailing: list[float | None], scale: float,
                    labels: list[str] | None = None, current_label: str = "") -> Insight | None:
    """``current`` against what the ``trailing`` periods before it (oldest first; None for a
    period without data) lead one to expect: the straight-line trend through them, extended
    one period. Unusual when ``current`` lies UNUSUAL_Z or more of their residual standard
    deviations from that expectation and at least MIN_TRAILING periods have data (a business
    growing steadily is not unusual for growing). Scored by the distance.

    >>> steady = unusual_insight("revenue", 150.0, [100.0, 110.0, 120.0, 130.0, 140.0], 150.0)
    >>> steady is None
    True
    >>> jump = unusual_insight("revenue", 300.0, [100.0, 104.0, 98.0, 101.0, 99.0], 300.0)
    >>> jump.figures["expected"], jump.figures["direction"], jump.score
    (98.9, 'up', 0.670333)
    """
    points = [(x, float(v)) for x, v in enumerate(trailing)
              if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if current is None or len(points) < MIN_TRAILING:
        return None
    xs, ys = np.array([x for x, _ in points], dtype="float64"), np.array([y for _, y in points])
    slope, intercept = np.polyfit(xs, ys, 1)
    expected = float(slope * len(trailing) + intercept)
    residuals = ys - (slope * xs + intercept)
    spread = float(np.sqrt((residuals ** 2).sum() / (len(points) - 2)))
    distance = float(current) - expected
    if abs(distance) < 0.005:        # within a cent of the trend
        return None
    z = math.inf if spread < 0.005 else distance / spread
    if abs(z) < UNUSUAL_Z:
        return None
    return Insight("unusual", metric, score_of(distance, scale), {
        "metric": metric, "current": round(float(current), 2), "expected": round(expected, 2),
        "mean": round(float(ys.mean()), 2), "std": round(spread, 2), "z": None if math.isinf(z) else round(z, 2),
        "direction": "up" if distance > 0 else "down", "periods": len(points),
        "series": [None if v is None else round(float(v), 2) for v in trailing],
        "labels": list(labels or []), "current_label": current_label})


def order_outliers(order_amounts: pd.Series, scale: float, names: dict | None = None,
                   customers: pd.Series | None = None, limit: int = 3) -> Insight | None:
    """Orders far larger than the period's usual order: beyond Q3 + OUTLIER_FENCE × IQR and
    OUTLIER_MEDIAN_MULTIPLE × the median (``order_amounts``: one amount per order id, their
    customers in ``customers`` by the same index). Scored by the largest one's share of revenue.

    >>> amounts = pd.Series([100.0] * 12 + [5000.0], index=[f"o{i}" for i in range(13)])
    >>> order_outliers(amounts, 6200.0).figures["orders"][0]["amount"]
    5000.0
    """
    amounts = order_amounts[order_amounts > 0]
    if len(amounts) < MIN_ORDERS_FOR_OUTLIERS:
        return None
    q1, median, q3 = (float(x) for x in np.quantile(amounts.to_numpy(dtype="float64"), [0.25, 0.5, 0.75]))
    fence = max(q3 + OUTLIER_FENCE * (q3 - q1), OUTLIER_MEDIAN_MULTIPLE * median)
    far = amounts[amounts > fence]
    if far.empty:
        return None
    far = far.sort_index().sort_values(ascending=False, kind="stable")
    rows = []
    for order_id, amount in far.head(limit).items():
        customer = None if customers is None else customers.get(order_id)
        rows.append({"order_id": str(order_id), "amount": round(float(amount), 2),
                     "customer": None if _is_missing(customer) else str(customer),
                     "name": (names or {}).get(customer), "multiple": round(float(amount) / median, 1) if median else None})
    return Insight("outlier", "orders", score_of(far.iloc[0], scale), {
        "orders": rows, "count": int(len(far)), "median": round(median, 2), "fence": round(fence, 2),
        "total": round(float(far.sum()), 2)})


def coverage_insight(pipeline: float | None, reference: float | None, win_rate: float | None, scale: float,
                     basis: str) -> Insight | None:
    """Open pipeline against what the next period needs (``reference``: its revenue target, or
    this period's revenue when there is none, as ``basis`` says). COVERAGE_HEALTHY × is
    healthy; scored by the share of that cover that is missing, in revenue terms.

    >>> coverage_insight(150.0, 100.0, 0.25, 100.0, "run_rate").figures["coverage"]
    1.5
    """
    if pipeline is None or not reference or reference <= 0:
        return None
    coverage = float(pipeline) / float(reference)
    missing = max(0.0, COVERAGE_HEALTHY * float(reference) - float(pipeline)) / COVERAGE_HEALTHY
    return Insight("coverage", basis, score_of(missing, scale), {
        "pipeline": round(float(pipeline), 2), "reference": round(float(reference), 2), "basis": basis,
        "coverage": round(coverage, 2), "healthy": COVERAGE_HEALTHY,
        "expected": None if win_rate is None else round(float(pipeline) * float(win_rate), 2),
        "win_rate": win_rate})


def attainment_insight(metric: str, actual: float | None, target: float | None, kind: str, direction: str,
                       scale: float, prorated: float = 1.0) -> Insight | None:
    """``actual`` against its ``target`` (pro-rated by ``prorated``, the share of the period
    elapsed): attainment = actual / target (for a figure where lower is better, target /
    actual); ``met`` says whether it is on the good side. A money figure scores its gap as a
    share of revenue; others their relative gap.

    >>> attainment_insight("revenue", 90.0, 100.0, "money", "up", 100.0).figures["attainment"]
    0.9
    """
    if actual is None or target is None or target == 0:
        return None
    goal = float(target) * (prorated if kind != "percent" else 1.0)
    gap = float(actual) - goal
    if direction == "down":
        attainment = goal / float(actual) if actual else None
        met = float(actual) <= goal
    else:
        attainment = float(actual) / goal if goal else None
        met = float(actual) >= goal
    score = score_of(gap, scale) if kind == "money" else round(min(abs(gap) / abs(goal), 1.0), 6)
    return Insight("attainment", metric, score, {
        "metric": metric, "actual": round(float(actual), 4), "target": round(float(target), 4),
        "goal": round(goal, 4), "prorated": round(prorated, 4), "gap": round(gap, 4),
        "attainment": None if attainment is None else round(attainment, 4), "met": met, "kind": kind})


def ranked(insights: list[Insight | None]) -> list[Insight]:
    """Insights by score (largest first), then kind (KINDS order), then key: stable and total."""
    found = [i for i in insights if i is not None]
    return sorted(found, key=lambda i: (-i.score, KINDS.index(i.kind), i.key))


# What a front page shows first when it has one: the bridge (it explains the headline), then the
# best driver (where the change came from); the rest by rank.
LEADING_KINDS = ("bridge", "driver")


def front_page(insights: list[Insight], limit: int = 4, per_kind: int = 1) -> list[Insight]:
    """The insights a front page shows: the best of each kind (``per_kind``), up to ``limit``;
    the bridge and then the best driver first when there are some, the rest in rank order.

    >>> picks = front_page([Insight("unusual", "r", .6), Insight("driver", "a", .5), Insight("driver", "b", .4),
    ...                     Insight("bridge", "r", .1)])
    >>> [(i.kind, i.key) for i in picks]
    [('bridge', 'r'), ('driver', 'a'), ('unusual', 'r')]
    """
    chosen, taken = [], {}
    lead = {kind: position for position, kind in enumerate(LEADING_KINDS)}
    for insight in sorted(ranked(insights), key=lambda i: lead.get(i.kind, len(lead))):
        if taken.get(insight.kind, 0) >= per_kind:
            continue
        taken[insight.kind] = taken.get(insight.kind, 0) + 1
        chosen.append(insight)
        if len(chosen) == limit:
            break
    return chosen


def headline_driver(bridge: dict, by_group: pd.DataFrame | None) -> dict | None:
    """What the headline names as the main cause of the change: the largest cell of the bridge
    broken down by a group (e.g. industry × new customers) in the direction of the change,
    else the bridge's leading part. ``by_group``: one row per group with a column per bridge part.

    >>> cells = pd.DataFrame({"group": ["制造业", "零售"], "new": [612.0, 10.0], "lost": [0.0, -20.0]})
    >>> headline_driver({"change": 600.0, "new": 622.0, "lost": -20.0}, cells)
    {'part': 'new', 'group': '制造业', 'amount': 612.0}
    """
    change = bridge.get("change") or 0.0
    if change == 0:
        return None
    sign = 1 if change > 0 else -1
    best = None
    if by_group is not None and not by_group.empty:
        for part in BRIDGE_PARTS:
            if part not in by_group or part == "other":
                continue
            for group, amount in zip(by_group["group"], by_group[part]):
                if group is None or _is_missing(group) or sign * amount <= 0:
                    continue
                candidate = (sign * float(amount), -BRIDGE_PARTS.index(part), str(group))
                if best is None or candidate[0] > best[0] or (candidate[0] == best[0] and candidate[1:] > best[1:]):
                    best = candidate + (part,)
    if best is not None:
        return {"part": best[3], "group": best[2], "amount": round(sign * best[0], 2)}
    part = _leading_part({**{p: bridge.get(p, 0.0) for p in BRIDGE_PARTS}, "change": change})
    return None if part is None else {"part": part, "group": None, "amount": bridge[part]}
