"""Per-customer order aggregates computed with DuckDB, for the analyses' heavy group-bys.

pandas group-bys over millions of string-keyed order lines take seconds each; the same
aggregates in DuckDB, scanning the frame in place, take a fraction of that. Results are
new pandas frames: inputs are never modified and nothing is read from disk.

>>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"], "order_id": ["1", "1", "2"],
...     "amount": [10.0, 5.0, 7.0], "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"])})
>>> customer_totals(orders, pd.Timestamp("2024-12-31")).values.tolist()
[['A', Timestamp('2024-01-01 00:00:00'), Timestamp('2024-01-01 00:00:00'), 1, 15.0], ['B', Timestamp('2024-02-01 00:00:00'), Timestamp('2024-02-01 00:00:00'), 1, 7.0]]
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa


def _query(sql: str, params: list, **frames: pd.DataFrame) -> pd.DataFrame:
    connection = duckdb.connect()
    try:
        for name, frame in frames.items():
            # Handing DuckDB Arrow data (zero-copy from Arrow-backed columns) avoids its
            # row-by-row conversion of pandas string columns.
            connection.register(name, pa.Table.from_pandas(frame, preserve_index=False))
        return connection.execute(sql, params).df()
    finally:
        connection.close()


def _typed(frame: pd.DataFrame, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    out = frame.assign(customer_id=frame["customer_id"].astype("string"))
    for column in dates:
        out[column] = pd.to_datetime(out[column]).astype("datetime64[ms]")
    return out


def customer_totals(orders: pd.DataFrame, until: pd.Timestamp, since: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per customer with orders dated in (since, until]: first_order, last_order, orders
    (distinct order ids; rows when there is no order_id) and revenue (sum of amount),
    sorted by customer_id. Pass revenue-bearing (completed) orders."""
    count = "count(DISTINCT order_id)" if "order_id" in orders else "count(*)"
    lower = "AND order_date > ?" if since is not None else ""
    params = [pd.Timestamp(until).to_pydatetime()] + ([pd.Timestamp(since).to_pydatetime()] if since is not None else [])
    frame = orders[[c for c in ("customer_id", "order_id", "order_date", "amount") if c in orders]]
    result = _query(f"""
        SELECT customer_id, min(order_date) AS first_order, max(order_date) AS last_order,
               {count} AS orders, sum(amount) AS revenue
        FROM frame WHERE order_date <= ? {lower} AND customer_id IS NOT NULL
        GROUP BY customer_id ORDER BY customer_id""", params, frame=frame)
    result = _typed(result, ("first_order", "last_order"))
    return result.astype({"orders": "int64", "revenue": "float64"})


def order_spans(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per customer with any order: first_ever (whatever its date), and first_order /
    last_order among the orders dated on or before ``as_of`` (NaT when none)."""
    frame = orders[["customer_id", "order_date"]]
    result = _query("""
        SELECT customer_id, min(order_date) AS first_ever,
               min(order_date) FILTER (WHERE order_date <= ?) AS first_order,
               max(order_date) FILTER (WHERE order_date <= ?) AS last_order
        FROM frame WHERE customer_id IS NOT NULL GROUP BY customer_id ORDER BY customer_id""",
        [pd.Timestamp(as_of).to_pydatetime()] * 2, frame=frame)
    return _typed(result, ("first_ever", "first_order", "last_order"))


def purchase_days(orders: pd.DataFrame, end: pd.Timestamp, time_unit: float) -> pd.DataFrame:
    """The frequency / recency / T / monetary_value summary of analysis.value.rfm_summary:
    orders on the same calendar day merged, repeat days counted, times in ``time_unit`` days."""
    frame = orders[["customer_id", "order_date", "amount"]]
    end = pd.Timestamp(end)
    result = _query("""
        WITH days AS (
            SELECT customer_id, CAST(order_date AS DATE) AS day, sum(amount) AS amount
            FROM frame WHERE order_date <= ? AND customer_id IS NOT NULL GROUP BY ALL),
        spans AS (
            SELECT customer_id, min(day) AS first_day, max(day) AS last_day, count(*) AS days
            FROM days GROUP BY ALL)
        SELECT s.customer_id, s.days - 1 AS frequency,
               date_diff('day', s.first_day, s.last_day) / ? AS recency,
               date_diff('day', s.first_day, CAST(? AS DATE)) / ? AS "T",
               coalesce(avg(d.amount) FILTER (WHERE d.day > s.first_day), 0.0) AS monetary_value
        FROM spans s JOIN days d USING (customer_id)
        GROUP BY s.customer_id, s.days, s.first_day, s.last_day ORDER BY s.customer_id""",
        [end.to_pydatetime(), float(time_unit), end.to_pydatetime(), float(time_unit)], frame=frame)
    return _typed(result).astype({"frequency": "int64", "recency": "float64", "T": "float64",
                                  "monetary_value": "float64"})
