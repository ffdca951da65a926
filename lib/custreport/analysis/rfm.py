"""RFM scores and segments, and ABC value tiers.

R, F and M are scored 1–5 by quintiles over the customers who bought on or before
``as_of``: recency = days since the last completed order (fewer is better), frequency
= distinct completed orders, monetary = completed revenue, all within the look-back
window (default: all history). A score is the quintile of the customer's mid-rank,
``floor(5 * (average rank - 0.5) / n) + 1``, so equal values always share a score, a
lone customer (or all-equal values) scores 3, and n distinct values split into exact
fifths.

Segments follow the published eleven (Champions ... Lost); each rule gives R, F and M
ranges, rules are applied in order and the first match wins, else ``Others``. The
shipped order (``SEGMENT_RULES``, overridable in params/analysis.yaml) puts narrow
rules before the wide ones that contain them, so every segment can be reached.

ABC tiers rank customers by revenue: A = the customers making the first 80 % of it
(the one crossing 80 % included), B = the next 15 %, C = the rest and anyone without
revenue.

>>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"], "order_id": ["1", "2", "3"],
...     "amount": [100.0, 50.0, 30.0], "status": ["completed"] * 3,
...     "order_date": pd.to_datetime(["2024-06-01", "2024-09-01", "2024-01-05"])})
>>> rfm_scores(orders, pd.Timestamp("2024-09-30"))[["customer_id", "r", "f", "m", "segment"]].values.tolist()
[['A', 4, 4, 4, 'Champions'], ['B', 2, 2, 2, 'At Risk']]
>>> abc_tiers(pd.Series({"A": 80.0, "B": 15.0, "C": 5.0})).tolist()
['A', 'B', 'C']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custreport.analysis.frames import customer_ledger
from custreport.analysis.segments import completed


@dataclass(frozen=True)
class SegmentRule:
    """A named box of R, F and M score ranges (inclusive)."""

    name: str
    r: tuple[int, int]
    f: tuple[int, int]
    m: tuple[int, int]

    def matches(self, r: pd.Series, f: pd.Series, m: pd.Series) -> pd.Series:
        return r.between(*self.r) & f.between(*self.f) & m.between(*self.m)


# Ranges of the rfm R package's segment table (Hanley, rfm 0.2), plus Hibernating;
# ordered narrow-before-wide: in the package's own order New Customers, Need Attention,
# About To Sleep and Can't Lose Them sit inside earlier boxes and can never be assigned.
SEGMENT_RULES: tuple[SegmentRule, ...] = (
    SegmentRule("Champions", (4, 5), (4, 5), (4, 5)),
    SegmentRule("Can't Lose Them", (1, 1), (4, 5), (4, 5)),
    SegmentRule("At Risk", (1, 2), (2, 5), (2, 5)),
    SegmentRule("Loyal Customers", (2, 5), (3, 5), (3, 5)),
    SegmentRule("New Customers", (4, 5), (1, 1), (1, 1)),
    SegmentRule("Promising", (3, 4), (1, 1), (1, 1)),
    SegmentRule("Need Attention", (2, 3), (2, 3), (2, 3)),
    SegmentRule("Lost", (1, 1), (1, 1), (1, 1)),
    SegmentRule("Hibernating", (1, 2), (1, 2), (1, 2)),
    SegmentRule("About To Sleep", (2, 3), (1, 2), (1, 2)),
    SegmentRule("Potential Loyalist", (3, 5), (1, 3), (1, 3)),
)
OTHERS = "Others"
SEGMENT_NAMES = tuple(rule.name for rule in SEGMENT_RULES) + (OTHERS,)


def quintile_scores(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Scores 1–5 from the mid-rank quintile (ties share a score; see the module docstring).

    >>> quintile_scores(pd.Series([10, 20, 20, 30, 40])).tolist()
    [1, 3, 3, 4, 5]
    """
    if values.empty:
        return pd.Series(dtype="int64", index=values.index)
    ranks = values.rank(method="average", ascending=higher_is_better)
    position = (ranks - 0.5) / len(values)
    return (np.floor(5 * position).clip(upper=4) + 1).astype("int64")


def assign_segments(r: pd.Series, f: pd.Series, m: pd.Series,
                    rules: tuple[SegmentRule, ...] = SEGMENT_RULES) -> pd.Series:
    """The first matching rule's name per customer, ``Others`` where none matches."""
    # rule numbers first (integers), names once at the end
    chosen = np.full(len(r), len(rules))
    unassigned = pd.Series(True, index=r.index)
    for number, rule in enumerate(rules):
        hit = unassigned & rule.matches(r, f, m)
        chosen[hit.to_numpy(dtype=bool)] = number
        unassigned &= ~hit
    names = pd.array([rule.name for rule in rules] + [OTHERS], dtype="string")
    return pd.Series(names.take(chosen), index=r.index, dtype="string")


def rfm_scores(orders: pd.DataFrame, as_of: pd.Timestamp, lookback_days: int | None = None,
               rules: tuple[SegmentRule, ...] = SEGMENT_RULES) -> pd.DataFrame:
    """Per buying customer: recency_days, frequency, monetary, r, f, m scores, the
    ``rfm`` code (e.g. "545") and the segment, sorted by customer_id.

    Only completed orders dated on or before ``as_of`` (and within ``lookback_days``
    of it, when given) count; customers with none are not scored.
    """
    as_of = pd.Timestamp(as_of)
    since = as_of - pd.Timedelta(days=lookback_days) if lookback_days is not None else None
    return rfm_from_ledger(customer_ledger(completed(orders), as_of, lookback_since=since), as_of, rules)


def rfm_from_ledger(ledger: pd.DataFrame, as_of: pd.Timestamp,
                    rules: tuple[SegmentRule, ...] = SEGMENT_RULES) -> pd.DataFrame:
    """rfm_scores from a customer ledger at ``as_of`` (its window columns: the lookback)."""
    as_of = pd.Timestamp(as_of)
    scored = ledger[ledger["window_last_order"].notna()]
    frame = pd.DataFrame({"last_order": scored["window_last_order"].to_numpy(),
                          "frequency": scored["window_orders"].to_numpy(),
                          "monetary": scored["window_revenue"].to_numpy()},
                         index=pd.Index(scored["customer_id"], name="customer_id"))
    frame["recency_days"] = (as_of.normalize() - frame["last_order"].dt.normalize()).dt.days.astype("int64")
    frame["r"] = quintile_scores(frame["recency_days"], higher_is_better=False)
    frame["f"] = quintile_scores(frame["frequency"])
    frame["m"] = quintile_scores(frame["monetary"])
    frame["rfm"] = frame["r"].astype(str) + frame["f"].astype(str) + frame["m"].astype(str)
    frame["segment"] = assign_segments(frame["r"], frame["f"], frame["m"], rules)
    columns = ["customer_id", "last_order", "recency_days", "frequency", "monetary", "r", "f", "m", "rfm", "segment"]
    # the ledger comes sorted by customer_id
    return frame.reset_index()[columns]


def segment_summary(scores: pd.DataFrame, names: tuple[str, ...] = SEGMENT_NAMES) -> pd.DataFrame:
    """Customers, share of customers, revenue and share of revenue per segment, in rule order
    (segments with no customers kept as zero rows)."""
    grouped = scores.groupby("segment")
    table = pd.DataFrame({"customers": grouped.size(), "monetary": grouped["monetary"].sum()})
    table = table.reindex(list(names) + [s for s in table.index if s not in names], fill_value=0)
    table = table.astype({"customers": "int64", "monetary": "float64"})
    customers, revenue = table["customers"].sum(), table["monetary"].sum()
    table["customer_share"] = table["customers"] / customers if customers else 0.0
    table["revenue_share"] = table["monetary"] / revenue if revenue else 0.0
    table.index.name = "segment"
    return table


def share_before(revenue: pd.Series) -> pd.Series:
    """Per customer (``revenue`` indexed by customer), the share of total revenue made by the
    customers ranked above it (by revenue, ties by index); 1.0 everywhere when the total is 0.

    >>> share_before(pd.Series({"A": 80.0, "B": 15.0, "C": 5.0})).tolist()
    [0.0, 0.8, 0.95]
    """
    amounts = revenue.fillna(0.0).clip(lower=0.0).to_numpy(dtype="float64")
    keys = revenue.index
    # Ties go to the smaller key (as text). A ledger comes sorted by id already, which saves
    # sorting hundreds of thousands of strings.
    if keys.is_monotonic_increasing and (isinstance(keys.dtype, pd.StringDtype) or keys.dtype == object):
        tie_break = np.arange(len(keys))
    else:
        tie_break = np.argsort(np.argsort(keys.astype(str).to_numpy(dtype=object), kind="stable"), kind="stable")
    order = np.lexsort((tie_break, -amounts))
    total = float(amounts.sum())
    ranked = amounts[order]
    before = np.ones(len(amounts))
    if total:
        before[order] = (np.cumsum(ranked) - ranked) / total
    return pd.Series(before, index=revenue.index, name="share_before")


def abc_tiers(revenue: pd.Series, a_share: float = 0.80, b_share: float = 0.95) -> pd.Series:
    """A/B/C per customer (``revenue`` indexed by customer): ranked by revenue (ties by
    index), A while the revenue before the customer is under ``a_share`` of the total,
    B while under ``b_share``, else C; customers with no revenue (or a zero total) are C."""
    if not 0 < a_share < b_share <= 1:
        raise ValueError(f"ABC shares must satisfy 0 < A ({a_share}) < B ({b_share}) <= 1")
    before = share_before(revenue)
    code = np.where(revenue.fillna(0.0).to_numpy() <= 0, 2, np.where(before < a_share, 0, np.where(before < b_share, 1, 2)))
    return pd.Series(pd.array(["A", "B", "C"], dtype="string").take(code), index=revenue.index, name="tier")


def abc_summary(revenue: pd.Series, tiers: pd.Series) -> pd.DataFrame:
    """Customers, revenue and revenue share per tier A, B, C."""
    frame = pd.DataFrame({"revenue": revenue.fillna(0.0), "tier": tiers})
    table = frame.groupby("tier")["revenue"].agg(customers="size", revenue="sum").reindex(["A", "B", "C"])
    table = table.fillna(0).astype({"customers": "int64", "revenue": "float64"})
    total = table["revenue"].sum()
    table["revenue_share"] = table["revenue"] / total if total else 0.0
    return table
