"""Customer classification relative to a date: prospect, active or churned; new in a period.

Rules (documented in docs/metrics.md):
- a customer exists at ``as_of`` when created on or before it; without a creation
  date, when its first order (in ``orders``) is on or before it, or it has none at all;
- active: at least one completed order in the ``active_days`` before ``as_of`` (inclusive);
- churned: completed orders before that window but none inside it;
- prospect: no completed order on or before ``as_of``;
- a status the source states (customers.status: a churn flag, 合作状态) wins over these where
  given, at every date (the export says how things stand now); derivation fills the blanks.

>>> customers = pd.DataFrame({"customer_id": ["A", "B", "C"], "created_at": pd.to_datetime(["2024-01-01"] * 3)})
>>> orders = pd.DataFrame({"customer_id": ["A", "B"], "order_date": pd.to_datetime(["2024-06-01", "2022-01-01"]),
...                        "status": ["completed", "completed"], "amount": [10.0, 5.0]})
>>> classify_customers(customers, orders, pd.Timestamp("2024-12-31"))["customer_type"].tolist()
['active', 'churned', 'prospect']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custreport.analysis.frames import customer_ledger
from custreport.keyed_frames import aligned

ACTIVE_DAYS = 365


def is_completed(orders: pd.DataFrame) -> pd.Series:
    """True for the order lines that are orders: status completed (returns and cancellations
    are not; credit lines among them still net revenue, see in_revenue)."""
    return (orders["status"] == "completed").fillna(False).astype(bool)


def is_credit(orders: pd.DataFrame) -> pd.Series:
    """True for credit lines: a return or cancellation with a negative amount (ingest's
    cancellation rule makes every cancellation invoice and negative line one). Revenue is net of
    them; they are never orders, purchase days or activity."""
    negative = orders["amount"].to_numpy(dtype="float64", na_value=np.nan) < 0
    credit = np.zeros(len(orders), dtype=bool)
    if negative.any():   # the status of millions of lines is read only where an amount is negative
        rows = np.flatnonzero(negative)
        credit[rows] = orders["status"].iloc[rows].isin(["returned", "cancelled"]).to_numpy(dtype=bool, na_value=False)
    return pd.Series(credit, index=orders.index)


def in_revenue(orders: pd.DataFrame) -> pd.Series:
    """True for the lines revenue sums: completed lines and credit lines (net revenue)."""
    return is_completed(orders) | is_credit(orders)


def completed(orders: pd.DataFrame) -> pd.DataFrame:
    """The order lines that count as revenue (see is_completed)."""
    keep = is_completed(orders)
    return orders if keep.all() else orders[keep]   # no copy when nothing is dropped


def classify_customers(customers: pd.DataFrame, orders: pd.DataFrame, as_of: pd.Timestamp,
                       active_days: int = ACTIVE_DAYS) -> pd.DataFrame:
    """Customers existing at ``as_of`` with first/last order dates and their type at that date."""
    return classify_by_spans(customers, customer_ledger(completed(orders), as_of), as_of, active_days)


def classify_by_spans(customers: pd.DataFrame, spans: pd.DataFrame, as_of: pd.Timestamp,
                      active_days: int = ACTIVE_DAYS) -> pd.DataFrame:
    """classify_customers from each customer's completed-order span: ``spans`` holds
    customer_id, first_ever (any date), and first_order / last_order on or before ``as_of``
    (a customer ledger at ``as_of``, or frames.spans_at for an earlier date)."""
    as_of = pd.Timestamp(as_of)
    spans = aligned(spans[["customer_id", "first_ever", "first_order", "last_order"]], customers["customer_id"])
    out = customers.drop(columns=["customer_type", "first_order", "last_order"], errors="ignore").assign(
        first_ever=spans["first_ever"], first_order=spans["first_order"], last_order=spans["last_order"])
    first_seen = out["created_at"].fillna(out["first_ever"])
    exists = first_seen.isna() | (first_seen <= as_of)
    out = (out if exists.all() else out[exists]).drop(columns="first_ever")
    window_start = as_of - pd.Timedelta(days=active_days)
    kind = pd.Series("prospect", index=out.index, dtype="string")
    kind = kind.mask(out["last_order"].notna(), "churned")
    kind = kind.mask(out["last_order"] > window_start, "active")
    if "status" in out:
        kind = out["status"].astype("string").fillna(kind)
    return out.assign(customer_type=kind)


def recurring_charges(classified: pd.DataFrame) -> dict:
    """Monthly recurring charges of the classified customers by type, and how many carry one.

    ``monthly_lost`` is what the churned customers paid a month: the recurring revenue lost.
    Every figure is None when no customer has a monthly charge (the data holds none).

    >>> recurring_charges(pd.DataFrame({"customer_type": ["active", "churned", "churned"],
    ...                                 "monthly_charge": [20.0, 70.5, None]}))
    {'customers_with_charge': 2, 'monthly_active': 20.0, 'monthly_lost': 70.5, 'total_charges_lost': None}
    """
    charge = classified["monthly_charge"] if "monthly_charge" in classified else pd.Series(dtype="float64")
    if not charge.notna().any():
        return {"customers_with_charge": 0, "monthly_active": None, "monthly_lost": None, "total_charges_lost": None}
    kind = classified["customer_type"]
    total = classified["total_charges"] if "total_charges" in classified else pd.Series(dtype="float64")
    churned_total = total[kind.eq("churned").fillna(False)] if len(total) else total

    def money(values: pd.Series) -> float:
        return round(float(values.sum()), 2)

    return {
        "customers_with_charge": int(charge.notna().sum()),
        "monthly_active": money(charge[kind.eq("active").fillna(False)]),
        "monthly_lost": money(charge[kind.eq("churned").fillna(False)]),
        "total_charges_lost": money(churned_total) if churned_total.notna().any() else None,
    }


def new_in_period(classified: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> pd.Series:
    """True for the new customers of the period: those whose first completed purchase is in it
    (``first_order`` of a classification at the period end). The one definition of "new": the
    KPI ``customers.new`` and the new customers of the movement both count these. A record
    created in the period that has not bought is a prospect, not a new customer; one created
    earlier that first buys in the period is new."""
    first = classified["first_order"]
    return (first.ge(start) & first.lt(end_exclusive)).fillna(False).astype(bool)


def customer_counts(classified: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> dict[str, int]:
    """total, new, active, churned, prospect for customers classified at the period end."""
    types = classified["customer_type"].value_counts()
    return {
        "total": int(len(classified)),
        "new": int(new_in_period(classified, start, end_exclusive).sum()),
        "active": int(types.get("active", 0)),
        "churned": int(types.get("churned", 0)),
        "prospect": int(types.get("prospect", 0)),
    }


MOVEMENTS = ("new", "retained", "reactivated", "lost")


def customer_movement(customers: pd.DataFrame, orders: pd.DataFrame, start: pd.Timestamp,
                      end_exclusive: pd.Timestamp, active_days: int = ACTIVE_DAYS) -> pd.DataFrame:
    """How each customer's buying status moved over the period, comparing its type at the
    end of the previous day with its type at the period end.

    - new: first completed purchase in the period (new_in_period, as ``customers.new`` counts);
    - retained: active at both ends;
    - reactivated: churned before the period, active at its end;
    - lost: active before the period, churned at its end.

    So active at the end = new + retained + reactivated, and active before = retained + lost
    (when types come from orders and the period is no longer than ``active_days``).
    Returns customer_id, type_before, type_after, movement (NA for customers that did not move
    into, stay in or leave the active state).
    """
    last_moment = pd.Timedelta(milliseconds=1)
    before = classify_customers(customers, orders, pd.Timestamp(start) - last_moment, active_days)
    after = classify_customers(customers, orders, pd.Timestamp(end_exclusive) - last_moment, active_days)
    return movement_between(before, after, start, end_exclusive)


def movement_between(before: pd.DataFrame, after: pd.DataFrame, start: pd.Timestamp,
                     end_exclusive: pd.Timestamp) -> pd.DataFrame:
    """customer_movement from two classify_customers results (the day before the period, its end)."""
    types_before = before.set_index("customer_id")["customer_type"].rename("type_before")
    out = after[["customer_id", "customer_type"]].rename(columns={"customer_type": "type_after"})
    out = out.join(types_before, on="customer_id")[["customer_id", "type_before", "type_after"]]
    active_now, active_then = out["type_after"] == "active", out["type_before"] == "active"
    movement = pd.Series(pd.NA, index=out.index, dtype="string")
    movement = movement.mask(active_now & active_then.fillna(False), "retained")
    movement = movement.mask(active_now & (out["type_before"] == "churned").fillna(False), "reactivated")
    movement = movement.mask(~active_now & active_then.fillna(False), "lost")
    # new last: a first purchase in the period is new whatever a status the source states says
    movement = movement.mask(new_in_period(after, start, end_exclusive).to_numpy(), "new")
    return out.assign(movement=movement).reset_index(drop=True)


def movement_counts(movement: pd.DataFrame) -> dict[str, int]:
    """new, retained, reactivated, lost counts of a customer_movement frame."""
    counts = movement["movement"].value_counts()
    return {key: int(counts.get(key, 0)) for key in MOVEMENTS}
