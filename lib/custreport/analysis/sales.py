"""Revenue, orders and average order value; monthly trend; top customers and top movers.

Revenue is the sum of ``amount`` over completed order rows dated in the period
(returned and cancelled orders excluded), net of credit lines (cancellation invoices and
negative lines, which are never orders). Orders are distinct order ids of completed rows (an
order may have several lines). AOV = revenue / orders.

>>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"], "amount": [100.0, 50.0, 30.0],
...     "order_date": pd.to_datetime(["2024-07-02", "2024-08-01", "2024-09-30"]),
...     "status": ["completed", "returned", "completed"]})
>>> sales_totals(orders, pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"))
{'revenue': 130.0, 'orders': 2, 'aov': 65.0, 'returned_orders': 1, 'returned_amount': 50.0, 'credit_orders': 0, 'credit_amount': 0.0}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custreport.analysis.frames import customer_ledger, sort_rows
from custreport.analysis.segments import completed, in_revenue, is_completed, is_credit
from custreport.keyed_frames import looked_up


def in_period(orders: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> pd.DataFrame:
    """Orders dated in [start, end_exclusive)."""
    keep = (orders["order_date"] >= start) & (orders["order_date"] < end_exclusive)
    return orders if keep.all() else orders[keep]   # no copy when nothing is dropped


def sold_in(orders: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> pd.DataFrame:
    """The completed order lines dated in [start, end_exclusive): one mask, one copy."""
    keep = ((orders["order_date"] >= start) & (orders["order_date"] < end_exclusive)).fillna(False) & \
        is_completed(orders)
    return orders if keep.all() else orders[keep]


def distinct_orders(lines: pd.DataFrame, rows: np.ndarray | None = None) -> int:
    """Orders among order lines (those marked in the boolean ``rows``, default all): distinct
    order ids (lines share an id), or lines without ids.

    Counts the integer ``order_key`` (stored with the lines, or frames.with_keys) when present: the same ids, cheaper.
    """
    chosen = np.ones(len(lines), dtype=bool) if rows is None else rows
    if "order_key" in lines:
        keys = lines["order_key"].to_numpy(dtype="int64")
        return _distinct_codes(keys[chosen & (keys >= 0)], int(keys.max(initial=-1)) + 1)
    if "order_id" in lines:
        return int(lines["order_id"][chosen].nunique())
    return int(chosen.sum())


def _distinct_codes(codes: np.ndarray, bound: int) -> int:
    """How many distinct values among non-negative integer codes below ``bound``."""
    # keys number the ids of one store or frame: a mark per key beats sorting them
    if bound <= max(64 * len(codes), 1 << 24):
        seen = np.zeros(bound, dtype=bool)
        seen[codes] = True
        return int(seen.sum())
    return int(len(np.unique(codes)))


def sales_totals(orders: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> dict:
    """Revenue, completed orders, AOV and returns for orders dated in [start, end_exclusive)."""
    # masks over the columns rather than filtered frames: a row filter copies every column
    dates = orders["order_date"]
    in_range = ((dates >= start) & (dates < end_exclusive)).to_numpy(dtype=bool, na_value=False)
    done = in_range & is_completed(orders).to_numpy()
    credits = in_range & is_credit(orders).to_numpy()
    returned = in_range & orders["status"].eq("returned").to_numpy(dtype=bool, na_value=False) & ~credits
    amounts = orders["amount"].to_numpy(dtype="float64", na_value=np.nan)
    revenue = float(np.nansum(amounts[done | credits]))
    count = distinct_orders(orders, done)
    return {
        "revenue": round(revenue, 2),
        "orders": count,
        "aov": round(revenue / count, 2) if count else None,
        "returned_orders": distinct_orders(orders, returned),
        "returned_amount": round(float(np.nansum(amounts[returned])), 2),
        "credit_orders": distinct_orders(orders, credits),
        "credit_amount": round(float(np.nansum(amounts[credits])), 2),
    }


def revenue_by_month(orders: pd.DataFrame, months: list[pd.Period]) -> pd.DataFrame:
    """Completed revenue and orders (counted as sales_totals counts them) per calendar month,
    zero-filled for quiet months."""
    index = pd.PeriodIndex(months, freq="M", name="month")
    revenue, counts = np.zeros(len(index)), np.zeros(len(index), dtype="int64")
    if len(index):
        # Each line's month as a Period ordinal (months since 1970-01), found among the wanted
        # ones by binary search: masks over a year of lines, no filtered copy of them.
        by_ordinal = np.argsort(index.asi8)
        ordinals = index.asi8[by_ordinal]
        month = orders["order_date"].to_numpy().astype("datetime64[M]").astype("int64")
        at = np.searchsorted(ordinals, month).clip(max=len(ordinals) - 1)
        dated = (ordinals[at] == month) & orders["order_date"].notna().to_numpy()
        summed = dated & in_revenue(orders).to_numpy()
        amounts = orders["amount"].to_numpy(dtype="float64", na_value=np.nan)[summed]
        revenue = np.bincount(by_ordinal[at[summed]], weights=np.nan_to_num(amounts), minlength=len(index))
        done = dated & is_completed(orders).to_numpy()
        counts = _orders_per_slot(orders, done, by_ordinal[at[done]], len(index))
    return pd.DataFrame({"month": index, "revenue": revenue.astype("float64"), "orders": counts.astype("int64")})


def _orders_per_slot(orders: pd.DataFrame, rows: np.ndarray, slot: np.ndarray, slots: int) -> np.ndarray:
    """Orders among the lines marked in ``rows`` (as distinct_orders counts them) per ``slot``
    of each such line."""
    if "order_key" in orders:
        keys = orders["order_key"].to_numpy(dtype="int64")[rows]
    elif "order_id" in orders:
        keys = pd.factorize(orders["order_id"])[0][rows]   # a missing id gets -1
    else:
        return np.bincount(slot, minlength=slots)           # each line is an order
    kept = keys >= 0                                        # a line without an id makes no order
    bound = int(keys.max(initial=-1)) + 1
    return np.array([_distinct_codes(keys[kept & (slot == s)], bound) for s in range(slots)], dtype="int64")


def top_customers(orders: pd.DataFrame, customers: pd.DataFrame, start: pd.Timestamp,
                  end_exclusive: pd.Timestamp, limit: int = 10) -> pd.DataFrame:
    """The customers with the most completed revenue in the period, with their share of it.

    Orders are counted per customer as the customer ledger counts them; equal revenue goes
    to more orders, then to the smaller id.
    """
    sold = sold_in(orders, start, end_exclusive)
    ledger = customer_ledger(sold, pd.Timestamp(end_exclusive) - pd.Timedelta(milliseconds=1), period_start=start)
    return top_from_ledger(ledger, customers, limit)


def top_from_ledger(ledger: pd.DataFrame, customers: pd.DataFrame, limit: int = 10) -> pd.DataFrame:
    """top_customers from a customer ledger of the period (its period_* columns)."""
    columns = ["customer_id", "name", "region", "industry", "revenue", "orders", "share"]
    bought = ledger[ledger["period_lines"] > 0]
    if bought.empty:
        return pd.DataFrame(columns=columns)
    total = float(bought["period_revenue"].sum())
    # the ledger comes sorted by id: a stable sort leaves equal rows in id order
    ranked = bought.sort_values(["period_revenue", "period_orders"], ascending=False, kind="stable").head(limit)
    out = pd.DataFrame({"customer_id": ranked["customer_id"].to_numpy(), "revenue": ranked["period_revenue"].to_numpy(),
                        "orders": ranked["period_orders"].to_numpy(dtype="int64")})
    for column in ("name", "region", "industry"):
        out[column] = looked_up(customers, out["customer_id"], column).to_numpy()
    out["share"] = out["revenue"] / total if total else 0.0
    return out[columns]


def revenue_by_customer(orders: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> pd.Series:
    """Completed revenue per customer id over lines dated in [start, end_exclusive), net of
    credit lines (segments.in_revenue); customers without such a line are left out.

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"], "amount": [100.0, 50.0, 30.0],
    ...     "order_date": pd.to_datetime(["2024-07-02", "2024-08-01", "2024-06-30"]),
    ...     "status": ["completed", "completed", "completed"]})
    >>> revenue_by_customer(orders, pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01")).to_dict()
    {'A': 150.0}
    """
    dates = orders["order_date"]
    done = ((dates >= start) & (dates < end_exclusive)).to_numpy(dtype=bool, na_value=False) & \
        in_revenue(orders).to_numpy() & orders["customer_id"].notna().to_numpy()
    amounts = np.nan_to_num(orders["amount"].to_numpy(dtype="float64", na_value=np.nan)[done])
    ids = orders["customer_id"].array[done]   # only the period's ids become an index: not millions of strings
    return pd.Series(amounts, index=pd.Index(ids, dtype="string", name="customer_id")).groupby(level=0).sum()


MOVER_COLUMNS = ["customer_id", "name", "region", "revenue", "previous", "change", "direction"]


def revenue_movers(orders: pd.DataFrame, customers: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp,
                   previous_start: pd.Timestamp, limit: int = 5,
                   previous_end_exclusive: pd.Timestamp | None = None) -> pd.DataFrame:
    """The customers whose completed revenue rose most, and those whose revenue fell most, in
    [start, end_exclusive) against the period before it, [previous_start, previous_end_exclusive)
    (default: up to ``start``; a partial period compares with as many days of the one before).

    Up to ``limit`` risers (largest rise first), then up to ``limit`` fallers (largest fall
    first); equal changes by id. A customer without revenue in one of the periods counts 0
    there. ``direction`` is "up" or "down".

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"], "amount": [100.0, 250.0, 80.0],
    ...     "order_date": pd.to_datetime(["2024-05-02", "2024-08-01", "2024-06-30"]),
    ...     "status": ["completed"] * 3})
    >>> customers = pd.DataFrame({"customer_id": ["A", "B"], "name": ["甲", "乙"], "region": ["east"] * 2})
    >>> movers = revenue_movers(orders, customers, pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"),
    ...                         pd.Timestamp("2024-04-01"))
    >>> movers[["customer_id", "change", "direction"]].values.tolist()
    [['A', 150.0, 'up'], ['B', -80.0, 'down']]
    """
    now = revenue_by_customer(orders, start, end_exclusive)
    before = revenue_by_customer(orders, previous_start, start if previous_end_exclusive is None
                                 else previous_end_exclusive)
    # In cents: sums of float amounts differ in the 15th digit (10.10 + 20.20 against 30.30),
    # and that is no change.
    both = pd.DataFrame({"revenue": now, "previous": before}).fillna(0.0).round(2)
    both["change"] = (both["revenue"] - both["previous"]).round(2)
    both = both.rename_axis("customer_id").reset_index()
    risers = sort_rows(both[both["change"] > 0], ["change", "customer_id"], ascending=[False, True]).head(limit)
    fallers = sort_rows(both[both["change"] < 0], ["change", "customer_id"], ascending=[True, True]).head(limit)
    moved = pd.concat([risers.assign(direction="up"), fallers.assign(direction="down")], ignore_index=True)
    for column in ("name", "region"):
        moved[column] = looked_up(customers, moved["customer_id"], column).to_numpy()
    return moved.reindex(columns=MOVER_COLUMNS)
