"""Pivot summaries with totals, the way an Excel pivot table shows them.

>>> frame = pd.DataFrame({"province": ["浙江", "浙江", "上海"], "customer_type": ["active", "prospect", "active"]})
>>> int(count_pivot(frame, "province", "customer_type", total_label="合计").loc["合计", "合计"])
3
>>> customers = pd.DataFrame({"customer_id": ["A", "B"], "industry": ["制造业", "金融"],
...                           "customer_type": ["active", "prospect"]})
>>> orders = pd.DataFrame({"order_id": ["o1", "o2"], "customer_id": ["A", "A"], "amount": [100.0, 50.0],
...     "order_date": pd.to_datetime(["2024-07-01", "2024-08-01"]), "status": ["completed", "completed"],
...     "channel": ["直销", "直销"]})
>>> sales_pivot(customers, orders, "industry", pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"))[
...     ["customers", "revenue", "orders", "aov", "share"]].loc["制造业"].tolist()
[1.0, 150.0, 2.0, 75.0, 1.0]
"""

from __future__ import annotations

import pandas as pd

from custreport.analysis.frames import customer_ledger
from custreport.analysis.sales import distinct_orders, sold_in
from custreport.keyed_frames import aligned

# Dimensions a sales pivot can group by: customer attributes, plus the order's channel.
CUSTOMER_DIMENSIONS = ("region", "province", "city", "industry", "customer_type", "owner_rep")
ORDER_DIMENSIONS = ("channel", "product")


def by_customer(by: str, customers: pd.DataFrame) -> bool:
    """Whether a pivot ``by`` groups customers (a customer column) rather than order lines."""
    return by in customers.columns and by not in ORDER_DIMENSIONS


def count_pivot(frame: pd.DataFrame, index: str, columns: str, total_label: str = "Total",
                column_order: list[str] | None = None, missing_label: str = "—") -> pd.DataFrame:
    """Row counts by ``index`` x ``columns`` with a total row and column (missing keys kept as their own row)."""
    keys = frame[[index, columns]].astype("string").fillna(missing_label)
    table = pd.crosstab(keys[index], keys[columns])
    if column_order:
        table = table.reindex(columns=[c for c in column_order if c in table.columns]
                              + [c for c in table.columns if c not in column_order], fill_value=0)
    table = table.sort_values(by=list(table.columns), ascending=False) if len(table.columns) else table
    table[total_label] = table.sum(axis=1)
    table = table.sort_values(total_label, ascending=False, kind="stable")
    table.loc[total_label] = table.sum(axis=0)
    table.index.name = index
    table.columns.name = None
    return table.astype("int64")


def sales_pivot(customers: pd.DataFrame, orders: pd.DataFrame, by: str, start: pd.Timestamp,
                end_exclusive: pd.Timestamp, total_label: str = "Total", missing_label: str = "—") -> pd.DataFrame:
    """Customers, buyers, revenue, orders, AOV and revenue share by one dimension, with a total row.

    ``customers`` are the customers of the report (classified at the period end, so
    ``customer_type`` is available); ``by`` is one of their columns (region, province,
    industry, customer_type, owner_rep, ...) or an order column (channel, product; an
    order without a channel takes its customer's). Revenue and orders count completed
    orders dated in [start, end_exclusive) (by customer: orders as the customer ledger
    counts them; by channel or product: distinct order ids);
    customers = customers with that attribute (for order dimensions: the buyers);
    buyers = those with such an order; share = group revenue / total revenue.
    Rows are ordered by revenue, then customers; missing keys form their own row.
    """
    sold = sold_in(orders, start, end_exclusive)
    if by_customer(by, customers):
        ledger = customer_ledger(sold, pd.Timestamp(end_exclusive) - pd.Timedelta(milliseconds=1), start)
        return customer_pivot(customers, ledger, by, total_label, missing_label)
    own = sold[by].astype("string") if by in sold else pd.Series(pd.NA, index=sold.index, dtype="string")
    missing = own.isna()
    if by in customers.columns and missing.any():
        fallback = customers.set_index("customer_id")[by].astype("string")
        own = own.fillna(sold.loc[missing, "customer_id"].map(fallback))
    # integer keys (stored with the lines, or frames.with_keys) count the same customers and orders, faster
    buyer = "customer_key" if "customer_key" in sold else "customer_id"
    order = next((c for c in ("order_key", "order_id") if c in sold), None)
    keyed = sold.assign(_key=own.fillna(missing_label))
    if order == "order_key":
        keyed["order_key"] = keyed["order_key"].where(keyed["order_key"] >= 0)
    grouped = keyed.groupby("_key")
    table = pd.DataFrame({"buyers": grouped[buyer].nunique(), "revenue": grouped["amount"].sum(),
                          "orders": grouped[order].nunique() if order else grouped.size()})
    table["customers"] = table["buyers"]
    return _finished(table, by, total_label, buyers=int(sold[buyer].nunique()),
                     revenue=float(sold["amount"].sum()), orders=distinct_orders(sold))


def customer_pivot(customers: pd.DataFrame, ledger: pd.DataFrame, by: str, total_label: str = "Total",
                   missing_label: str = "—") -> pd.DataFrame:
    """sales_pivot by a customer column, from a customer ledger of the period (its
    period_revenue, period_orders and period_lines columns). ``customers`` may carry those
    columns already (joined from the same ledger), which saves joining them again."""
    columns = ["customer_id", "period_revenue", "period_orders", "period_lines"]
    period = ledger[ledger["period_lines"] > 0]
    own = customers if set(columns) <= set(customers.columns) else aligned(ledger[columns], customers["customer_id"])
    keys = customers[by].astype("string").fillna(missing_label)
    frame = pd.DataFrame({by: keys, "buyer": own["period_lines"].fillna(0).to_numpy() > 0,
                          "revenue": own["period_revenue"].fillna(0.0).to_numpy(dtype="float64"),
                          "orders": own["period_orders"].fillna(0).to_numpy(dtype="int64")})
    grouped = frame.groupby(by)
    table = pd.DataFrame({"customers": grouped.size(), "buyers": grouped["buyer"].sum(),
                          "revenue": grouped["revenue"].sum(), "orders": grouped["orders"].sum()})
    # buyers the customers table does not hold still count in the totals (and form no row)
    return _finished(table, by, total_label, buyers=len(period), revenue=float(period["period_revenue"].sum()),
                     orders=int(period["period_orders"].sum()))


def _finished(table: pd.DataFrame, by: str, total_label: str, buyers: int, revenue: float, orders: int) -> pd.DataFrame:
    """Typed, ordered rows plus the total row, AOV and share."""
    table = table[["customers", "buyers", "revenue", "orders"]].astype(
        {"customers": "int64", "buyers": "int64", "revenue": "float64", "orders": "int64"})
    table = table.sort_values(["revenue", "customers"], ascending=False, kind="stable")
    total = pd.DataFrame({"customers": [int(table["customers"].sum())], "buyers": [buyers], "revenue": [revenue],
                          "orders": [orders]}, index=[total_label])
    table = pd.concat([table, total])
    table["aov"] = (table["revenue"] / table["orders"]).where(table["orders"] > 0)
    table["share"] = (table["revenue"] / revenue) if revenue else float("nan")
    table.index.name = by
    return table


def compare_pivots(current: pd.DataFrame, previous: pd.DataFrame, year_ago: pd.DataFrame,
                   columns: tuple[str, ...] = ("revenue", "customers")) -> pd.DataFrame:
    """``current`` with, for each of ``columns``, its relative change against the previous
    period and a year ago (``revenue_vs_previous``, ...); NA where the earlier value is 0 or absent."""
    out = current.copy()
    for column in columns:
        for suffix, earlier in (("vs_previous", previous), ("vs_year_ago", year_ago)):
            before = earlier[column].reindex(out.index)
            out[f"{column}_{suffix}"] = ((out[column] - before) / before.abs()).where(before.fillna(0) != 0)
    return out
