"""Revenue, orders and average order value; monthly trend; top customers.

Revenue is the sum of ``amount`` over completed order rows dated in the period
(returned and cancelled orders excluded). Orders are distinct order ids (an order
may have several lines). AOV = revenue / orders.

>>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"], "amount": [100.0, 50.0, 30.0],
...     "order_date": pd.to_datetime(["2024-07-02", "2024-08-01", "2024-09-30"]),
...     "status": ["completed", "returned", "completed"]})
>>> sales_totals(orders, pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"))
{'revenue': 130.0, 'orders': 2, 'aov': 65.0, 'returned_orders': 1, 'returned_amount': 50.0}
"""

from __future__ import annotations

import pandas as pd

from custreport.analysis.segments import completed


def in_period(orders: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> pd.DataFrame:
    """Orders dated in [start, end_exclusive)."""
    keep = (orders["order_date"] >= start) & (orders["order_date"] < end_exclusive)
    return orders if keep.all() else orders[keep]   # no copy when nothing is dropped


def distinct_orders(lines: pd.DataFrame) -> int:
    """Orders among order lines: distinct order ids (lines share an id), or lines without ids.

    Counts the integer ``order_key`` of frames.with_keys when present: the same ids, cheaper.
    """
    for column in ("order_key", "order_id"):
        if column in lines:
            ids = lines[column]
            return int(ids[ids >= 0].nunique()) if column == "order_key" else int(ids.nunique())
    return int(len(lines))


def sales_totals(orders: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> dict:
    """Revenue, completed orders, AOV and returns for orders dated in [start, end_exclusive)."""
    # only the columns used here: every row filter copies each column a frame carries
    order = next((c for c in ("order_key", "order_id") if c in orders), None)
    used = [c for c in (order, "order_date", "amount", "status") if c in orders]
    period = in_period(orders[used], start, end_exclusive)
    done = completed(period)
    returned = period[period["status"] == "returned"]
    returned_count = distinct_orders(returned)
    revenue = float(done["amount"].sum())
    count = distinct_orders(done)
    return {
        "revenue": round(revenue, 2),
        "orders": count,
        "aov": round(revenue / count, 2) if count else None,
        "returned_orders": returned_count,
        "returned_amount": round(float(returned["amount"].sum()), 2),
    }


def revenue_by_month(orders: pd.DataFrame, months: list[pd.Period]) -> pd.DataFrame:
    """Completed revenue and order count per calendar month, zero-filled for quiet months."""
    done = completed(orders)
    keys = done["order_date"].dt.to_period("M")
    grouped = done.groupby(keys)["amount"].agg(revenue="sum", orders="count")
    index = pd.PeriodIndex(months, freq="M", name="month")
    out = grouped.reindex(index, fill_value=0).reset_index()
    out["revenue"] = out["revenue"].astype("float64")
    out["orders"] = out["orders"].astype("int64")
    return out


def top_customers(orders: pd.DataFrame, customers: pd.DataFrame, start: pd.Timestamp,
                  end_exclusive: pd.Timestamp, limit: int = 10) -> pd.DataFrame:
    """The customers with the most completed revenue in the period, with their share of it."""
    done = completed(in_period(orders, start, end_exclusive))
    orders = ("order_id", "nunique") if "order_id" in done else ("amount", "count")
    totals = done.groupby("customer_id").agg(revenue=("amount", "sum"), orders=orders)
    if totals.empty:
        return pd.DataFrame(columns=["customer_id", "name", "region", "industry", "revenue", "orders", "share"])
    totals["share"] = totals["revenue"] / totals["revenue"].sum()
    ranked = totals.sort_values(["revenue", "orders"], ascending=False, kind="stable").head(limit)
    details = customers.set_index("customer_id")[["name", "region", "industry"]]
    return ranked.join(details).reset_index()[["customer_id", "name", "region", "industry", "revenue", "orders", "share"]]
