"""The customer ledger: every per-customer order figure the analyses need, in one pass.

Classification, RFM, the value models, ABC tiers and the pivots all start from per-customer
aggregates of the same order lines. Integer keys for the string ids (written by the store,
or with_keys), sorting them once and reducing each run of equal keys is what
keeps a region's report interactive: measured on 3.4 M lines, about 0.7 s against 2 s for
the same figures as one DuckDB query, and seconds per figure with pandas group-bys. The
result is a new pandas frame: inputs are never modified and nothing is read from disk.

Pass revenue-bearing (completed) order lines. Counting rules:
- a line counts "to date" when dated on or before ``as_of``;
- orders are distinct order ids per calendar day (lines without an order id count as no
  order), so an order whose lines carry two dates counts once on each date;
- purchase days are the calendar days with at least one line.

>>> orders = pd.DataFrame({"customer_id": ["A", "A", "A", "B"], "order_id": ["1", "1", "2", "3"],
...     "amount": [10.0, 5.0, 7.0, 4.0],
...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-03-01"])})
>>> ledger = customer_ledger(orders, pd.Timestamp("2024-12-31"), period_start=pd.Timestamp("2024-02-01"))
>>> ledger[["customer_id", "orders_to_date", "revenue_to_date", "purchase_days", "period_revenue"]].values.tolist()
[['A', 2, 22.0, 2, 7.0], ['B', 1, 4.0, 1, 4.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custreport.schema import id_codes


def each_distinct(values: pd.Series, function) -> pd.Series:
    """``function`` applied once per distinct value (not per row) and mapped back, as strings;
    missing values stay missing.

    >>> each_distinct(pd.Series(["east", None, "east"]), str.upper).tolist()
    ['EAST', <NA>, 'EAST']
    """
    codes, distinct = pd.factorize(values)            # missing values get code -1
    mapped = pd.array([function(v) for v in distinct] + [pd.NA], dtype="string")
    return pd.Series(mapped.take(codes), index=values.index, dtype="string", name=values.name)


def sort_rows(frame: pd.DataFrame, by: list[str], ascending: list[bool]) -> pd.DataFrame:
    """``frame.sort_values(by, ascending=ascending, kind="stable")`` (missing values last),
    sorted by Arrow: pandas factorizes string keys first, several times slower on large frames.

    >>> sort_rows(pd.DataFrame({"v": [1.0, 3.0, 3.0], "id": ["b", "d", "c"]}), ["v", "id"], [False, True])["id"].tolist()
    ['c', 'd', 'b']
    """
    keys = pa.Table.from_pandas(frame[by], preserve_index=False)
    order = pc.sort_indices(keys, sort_keys=[(c, "ascending" if up else "descending") for c, up in zip(by, ascending)])
    return frame.take(order.to_numpy())


def before_column(end_exclusive: pd.Timestamp) -> str:
    """The ledger column holding each customer's last order dated before ``end_exclusive``."""
    return f"last_order_before_{pd.Timestamp(end_exclusive).isoformat()}"


def with_keys(orders: pd.DataFrame) -> pd.DataFrame:
    """``orders`` plus integer ``customer_key`` and ``order_key`` columns (-1 where the id is
    missing) that customer_ledger groups by instead of hashing the ids again.

    Encoding is the costly part of grouping millions of string ids: the store writes these
    keys with the order lines (a report loads them); frames from elsewhere get them here.
    """
    keys = {}
    for column, key in (("customer_id", "customer_key"), ("order_id", "order_key")):
        if column in orders:
            values = pa.array(orders[column].astype("string"), type=pa.large_string())
            keys[key] = id_codes(values).to_numpy(zero_copy_only=False).astype("int64")
    return orders.assign(**keys)


_NEVER = np.iinfo("int64").min   # "no date" while reducing: below every real timestamp


def customer_ledger(orders: pd.DataFrame, as_of: pd.Timestamp, period_start: pd.Timestamp | None = None,
                    lookback_since: pd.Timestamp | None = None,
                    earlier_ends: tuple[pd.Timestamp, ...] = (), counted: pd.Series | None = None) -> pd.DataFrame:
    """One row per customer with a dated order line, sorted by customer_id.

    ``counted`` marks the lines to count (e.g. ``orders["status"] == "completed"``; default
    all): cheaper than filtering a frame of millions of lines first.

    Columns (dates are the lines' timestamps):
    - first_ever: first line, whatever its date;
    - first_order, last_order, orders_to_date, revenue_to_date: lines dated on or before
      ``as_of`` (NaT / 0 for a customer whose lines all come later);
    - purchase_days and first_day_revenue (the amount of the first purchase day), to date;
    - period_orders, period_revenue, period_lines: lines dated in [period_start, as_of]
      (all to-date lines when ``period_start`` is None);
    - window_last_order, window_orders, window_revenue: lines dated after ``lookback_since``
      and on or before ``as_of`` (all to-date lines when None);
    - one ``before_column(end)`` per earlier end (period boundaries, at midnight): the last
      line dated before that end.

    Implementation: one sort of the lines by customer, day and order, then a reduction per
    run of equal keys (no hash table per figure).
    """
    as_of = pd.Timestamp(as_of)
    keyed = orders if {"customer_key", "order_key"} <= set(orders.columns) else with_keys(orders)
    customers = keyed["customer_key"].to_numpy(dtype="int64")
    order_keys = keyed["order_key"].to_numpy(dtype="int64") if "order_key" in keyed else np.arange(len(keyed))
    dated = keyed["order_date"].astype("datetime64[ms]")
    stamps = dated.to_numpy().astype("int64")
    amounts = keyed["amount"].astype("float64").fillna(0.0).to_numpy()
    # Rows are dropped from the arrays, not the frame: a frame filter copies its string columns.
    usable = (customers >= 0) & dated.notna().to_numpy()
    if counted is not None:
        usable &= counted.to_numpy(dtype=bool, na_value=False)
    rows = np.flatnonzero(usable) if not usable.all() else np.arange(len(customers))
    if len(rows) < len(customers):
        customers, order_keys, stamps, amounts = customers[rows], order_keys[rows], stamps[rows], amounts[rows]
    days = stamps // 86_400_000

    # customers in id order: rank each customer key by its id (keys are small integers, so a
    # scatter finds each key's first row without sorting)
    first_row = np.full(int(customers.max()) + 1 if len(customers) else 0, -1, dtype="int64")
    first_row[customers[::-1]] = np.arange(len(customers) - 1, -1, -1)
    distinct_keys = np.flatnonzero(first_row >= 0)
    first_rows = rows[first_row[distinct_keys]]
    id_text = pa.array(keyed["customer_id"].astype("string").iloc[first_rows], type=pa.large_string())
    by_id = pc.sort_indices(id_text).to_numpy()
    rank = np.empty(int(distinct_keys.max()) + 1 if len(distinct_keys) else 0, dtype="int64")
    rank[distinct_keys[by_id]] = np.arange(len(by_id))
    count = len(by_id)
    ranks = rank[customers] if len(customers) else customers

    def ms(value) -> int:   # the lines' own unit: milliseconds since the epoch
        return pd.Timestamp(value).value // 1_000_000

    first_ever = np.full(count, _NEVER)
    order = _grouping_order(ranks, days, order_keys)
    # sorted ranks are each rank repeated by its line count, and days follow from stamps:
    # cheaper than gathering them through the permutation
    ranks = np.repeat(np.arange(count), np.bincount(ranks, minlength=count))
    order_keys, stamps, amounts = order_keys[order], stamps[order], amounts[order]
    days = stamps // 86_400_000
    new_customer = np.ones(len(ranks), dtype=bool)
    new_customer[1:] = ranks[1:] != ranks[:-1]
    starts = np.flatnonzero(new_customer)
    first_ever[ranks[starts]] = np.minimum.reduceat(stamps, starts) if len(starts) else first_ever[:0]

    kept = stamps <= ms(as_of)
    if not kept.all():
        ranks, days, order_keys, stamps, amounts = ranks[kept], days[kept], order_keys[kept], stamps[kept], amounts[kept]
    n = len(ranks)
    new_customer = np.ones(n, dtype=bool)
    new_customer[1:] = ranks[1:] != ranks[:-1]
    new_day = new_customer.copy()
    new_day[1:] |= days[1:] != days[:-1]
    new_order = new_day.copy()
    new_order[1:] |= order_keys[1:] != order_keys[:-1]
    new_order &= order_keys >= 0            # lines without an order id make no order
    starts = np.flatnonzero(new_customer)
    owners = ranks[starts]

    def per_customer(values: np.ndarray, reduce=np.add) -> np.ndarray:
        return reduce.reduceat(values, starts) if n else values[:0]

    def spread(values: np.ndarray, fill) -> np.ndarray:
        out = np.full(count, fill, dtype=np.asarray(values).dtype if len(values) else type(fill))
        out[owners] = values
        return out

    in_period = stamps >= ms(period_start) if period_start is not None else np.ones(n, dtype=bool)
    in_window = stamps > ms(lookback_since) if lookback_since is not None else np.ones(n, dtype=bool)
    day_starts = np.flatnonzero(new_day)
    day_totals = np.add.reduceat(amounts, day_starts) if n else amounts[:0]
    first_day_of_customer = np.cumsum(new_day)[starts] - 1 if n else starts

    def dates(values: np.ndarray) -> np.ndarray:
        return np.where(values == _NEVER, np.datetime64("NaT"), values.astype("datetime64[ms]"))

    columns = {
        "customer_id": pd.array(id_text.take(pa.array(by_id)), dtype="string"),
        "first_ever": dates(first_ever),
        "first_order": dates(spread(per_customer(stamps, np.minimum), _NEVER)),
        "last_order": dates(spread(per_customer(stamps, np.maximum), _NEVER)),
        "orders_to_date": spread(per_customer(new_order.astype("int64")), 0),
        "revenue_to_date": spread(per_customer(amounts), 0.0),
        "purchase_days": spread(per_customer(new_day.astype("int64")), 0),
        "first_day_revenue": spread(day_totals[first_day_of_customer], np.nan),
        "period_orders": spread(per_customer((new_order & in_period).astype("int64")), 0),
        "period_revenue": spread(per_customer(np.where(in_period, amounts, 0.0)), 0.0),
        "period_lines": spread(per_customer(in_period.astype("int64")), 0),
        "window_last_order": dates(spread(per_customer(np.where(in_window, stamps, _NEVER), np.maximum), _NEVER)),
        "window_orders": spread(per_customer((new_order & in_window).astype("int64")), 0),
        "window_revenue": spread(per_customer(np.where(in_window, amounts, 0.0)), 0.0),
    }
    for end in earlier_ends:
        before = np.where(stamps < ms(end), stamps, _NEVER)
        columns[before_column(end)] = dates(spread(per_customer(before, np.maximum), _NEVER))
    counts = ("orders_to_date", "purchase_days", "period_orders", "period_lines", "window_orders")
    amounts_out = ("revenue_to_date", "first_day_revenue", "period_revenue", "window_revenue")
    frame = pd.DataFrame(columns)
    return frame.astype({**{c: "int64" for c in counts}, **{c: "float64" for c in amounts_out}})


def with_credits(ledger: pd.DataFrame, credits: pd.DataFrame, as_of: pd.Timestamp,
                 period_start: pd.Timestamp | None = None, lookback_since: pd.Timestamp | None = None) -> pd.DataFrame:
    """``ledger`` with each customer's credit lines (returns and cancellations, negative
    amounts) added to its revenue columns, dated as customer_ledger dates lines: revenue is net
    of them, while orders, purchase days and order dates stay those of the sales. A customer
    with credits but no sale gets no row.

    >>> ledger = pd.DataFrame({"customer_id": ["A", "B"], "revenue_to_date": [30.0, 5.0],
    ...                        "period_revenue": [30.0, 5.0], "window_revenue": [30.0, 5.0]})
    >>> credits = pd.DataFrame({"customer_id": ["A", "A"], "amount": [-10.0, -1.0],
    ...                         "order_date": pd.to_datetime(["2024-01-05", "2025-01-01"])})
    >>> with_credits(ledger, credits, pd.Timestamp("2024-12-31"))["revenue_to_date"].tolist()
    [20.0, 5.0]
    """
    dates = credits["order_date"]
    dated = credits[(dates <= pd.Timestamp(as_of)).fillna(False)]
    if dated.empty:
        return ledger

    def netted(column: str, since: pd.Timestamp | None, inclusive: bool) -> pd.Series:
        rows = dated
        if since is not None:
            rows = dated[dated["order_date"].ge(since) if inclusive else dated["order_date"].gt(since)]
        sums = rows.groupby("customer_id")["amount"].sum()
        return ledger[column] + ledger["customer_id"].map(sums).astype("float64").fillna(0.0).to_numpy()

    return ledger.assign(revenue_to_date=netted("revenue_to_date", None, True),
                         period_revenue=netted("period_revenue", period_start, True),
                         window_revenue=netted("window_revenue", lookback_since, False))


def _grouping_order(ranks: np.ndarray, days: np.ndarray, order_keys: np.ndarray) -> np.ndarray:
    """The permutation sorting lines by (rank, day, order key): ``np.lexsort``, in a third of
    the time when the lines already come by day and order (as a store writes them).

    Then only the ranks need a stable sort, done as a radix sort on 16-bit digits (numpy
    sorts 16-bit integers by counting, in linear time).

    >>> _grouping_order(np.array([1, 0, 1]), np.array([5, 5, 6]), np.array([0, 1, 2])).tolist()
    [1, 0, 2]
    """
    same_day = days[1:] == days[:-1]
    if not ((days[1:] >= days[:-1]).all() and (order_keys[1:] >= order_keys[:-1])[same_day].all()):
        return np.lexsort((order_keys, days, ranks))
    order = np.arange(len(ranks))
    largest = int(ranks.max()) if len(ranks) else 0
    for shift in range(0, max(largest.bit_length(), 1), 16):   # least significant digit first
        digit = ((ranks[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
    return order


def spans_at(ledger: pd.DataFrame, end_exclusive: pd.Timestamp) -> pd.DataFrame:
    """first_ever, and first_order / last_order before ``end_exclusive``, from a ledger that
    was built with that end among its ``earlier_ends``."""
    end = pd.Timestamp(end_exclusive)
    return pd.DataFrame({"customer_id": ledger["customer_id"], "first_ever": ledger["first_ever"],
                         "first_order": ledger["first_ever"].where(ledger["first_ever"] < end),
                         "last_order": ledger[before_column(end)]})
