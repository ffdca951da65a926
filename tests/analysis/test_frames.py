"""analysis.frames: the customer ledger by hand and against a plain pandas reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custreport.analysis.frames import _grouping_order, before_column, customer_ledger, spans_at, with_keys

T = pd.Timestamp


def lines(*rows) -> pd.DataFrame:
    customer, order, date, amount = zip(*rows)
    return pd.DataFrame({"customer_id": pd.array(customer, dtype="string"), "order_id": pd.array(order, dtype="string"),
                         "order_date": pd.to_datetime(list(date), format="ISO8601").astype("datetime64[ms]"), "amount": list(amount)})


ORDERS = lines(
    ("B", "o1", "2024-01-05 09:00", 10.0),
    ("B", "o1", "2024-01-05 17:00", 5.0),    # second line of o1, same day: one order
    ("B", "o2", "2024-01-05 18:00", 1.0),    # another order the same day: same purchase day
    ("B", "o3", "2024-03-10", 20.0),
    ("B", None, "2024-03-11", 2.0),          # a line without an order id: revenue, no order
    ("A", "o4", "2023-12-01", 7.0),
    ("A", "o5", "2024-04-02", 9.0),          # after as_of
    ("C", "o6", "2024-05-01", 3.0),          # only after as_of
)
AS_OF = T("2024-03-31 23:59:59.999")


@pytest.mark.parametrize("keyed", [False, True])
def test_ledger_by_hand(keyed):
    frame = with_keys(ORDERS) if keyed else ORDERS
    ledger = customer_ledger(frame, AS_OF, period_start=T("2024-01-01"), lookback_since=T("2024-02-29 23:59:59.999"),
                             earlier_ends=(T("2024-01-01"), T("2024-03-01"))).set_index("customer_id")
    assert list(ledger.index) == ["A", "B", "C"]                       # sorted by id
    b, a, c = ledger.loc["B"], ledger.loc["A"], ledger.loc["C"]
    assert b["orders_to_date"] == 3 and b["revenue_to_date"] == 38.0 and b["purchase_days"] == 3
    assert b["first_day_revenue"] == 16.0                              # 10 + 5 + 1 on 2024-01-05
    assert b["first_order"] == T("2024-01-05 09:00") and b["last_order"] == T("2024-03-11")
    assert (b["period_orders"], b["period_revenue"], b["period_lines"]) == (3, 38.0, 5)
    assert (b["window_orders"], b["window_revenue"], b["window_last_order"]) == (1, 22.0, T("2024-03-11"))
    assert pd.isna(b[before_column(T("2024-01-01"))])
    assert b[before_column(T("2024-03-01"))] == T("2024-01-05 18:00")
    # A bought before the period and after as_of: only the first order counts to date
    assert (a["orders_to_date"], a["revenue_to_date"], a["period_orders"], a["period_revenue"]) == (1, 7.0, 0, 0.0)
    assert a["first_ever"] == T("2023-12-01") and a["last_order"] == T("2023-12-01")
    assert pd.isna(a["window_last_order"]) and a["window_orders"] == 0
    # C only bought later: known (first_ever) but nothing to date
    assert c["first_ever"] == T("2024-05-01") and pd.isna(c["first_order"]) and c["purchase_days"] == 0
    assert c["orders_to_date"] == 0 and c["revenue_to_date"] == 0.0


def test_ledger_leaves_its_input_alone_and_skips_undated_or_anonymous_lines():
    frame = pd.concat([ORDERS, lines(("D", "o9", "2024-01-01", 1.0)).assign(customer_id=pd.NA),
                       lines(("E", "o8", "2024-01-01", 1.0)).assign(order_date=pd.NaT)], ignore_index=True)
    before = frame.copy()
    ledger = customer_ledger(frame, AS_OF)
    pd.testing.assert_frame_equal(frame, before)
    assert list(ledger["customer_id"]) == ["A", "B", "C"]


def test_ledger_of_no_orders():
    ledger = customer_ledger(ORDERS.head(0), AS_OF)
    assert ledger.empty and "revenue_to_date" in ledger


def reference(orders: pd.DataFrame, as_of, period_start, since) -> pd.DataFrame:
    """The ledger's figures the slow, obvious way."""
    dated = orders[orders["order_date"] <= as_of].assign(day=lambda f: f["order_date"].dt.normalize())
    ids = dated.dropna(subset=["order_id"])

    def orders_of(frame):
        return frame.dropna(subset=["order_id"]).groupby("customer_id")[["order_id", "day"]].apply(
            lambda g: len(g.drop_duplicates()))

    per_day = dated.groupby(["customer_id", "day"])["amount"].sum().reset_index()
    first_day = per_day.sort_values("day").groupby("customer_id").first()["amount"]
    period = dated[dated["order_date"] >= period_start]
    window = dated[dated["order_date"] > since]
    out = pd.DataFrame({
        "first_ever": orders.groupby("customer_id")["order_date"].min(),
        "first_order": dated.groupby("customer_id")["order_date"].min(),
        "last_order": dated.groupby("customer_id")["order_date"].max(),
        "orders_to_date": orders_of(ids),
        "revenue_to_date": dated.groupby("customer_id")["amount"].sum(),
        "purchase_days": per_day.groupby("customer_id").size(),
        "first_day_revenue": first_day,
        "period_orders": orders_of(period), "period_revenue": period.groupby("customer_id")["amount"].sum(),
        "period_lines": period.groupby("customer_id").size(),
        "window_last_order": window.groupby("customer_id")["order_date"].max(),
        "window_orders": orders_of(window), "window_revenue": window.groupby("customer_id")["amount"].sum(),
    })
    counts = ["orders_to_date", "purchase_days", "period_orders", "period_lines", "window_orders"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out[["revenue_to_date", "period_revenue", "window_revenue"]] = out[
        ["revenue_to_date", "period_revenue", "window_revenue"]].fillna(0.0)
    return out.sort_index()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ledger_matches_a_plain_pandas_reference(seed):
    rng = np.random.default_rng(seed)
    size = 3000
    start = T("2023-01-01").value // 1_000_000
    stamps = start + rng.integers(0, 800, size) * 86_400_000 + rng.integers(0, 3, size) * 3_600_000
    orders = pd.DataFrame({
        "customer_id": pd.array([f"C{n:03d}" for n in rng.integers(0, 300, size)], dtype="string"),
        "order_id": pd.array([None if n == 0 else f"O{n}" for n in rng.integers(0, 1200, size)], dtype="string"),
        "order_date": pd.to_datetime(stamps, unit="ms").astype("datetime64[ms]"),
        "amount": rng.integers(1, 100, size).astype(float)})
    as_of, period_start, since = T("2024-12-31 23:59:59.999"), T("2024-10-01"), T("2024-06-30 23:59:59.999")
    expected = reference(orders, as_of, period_start, since)
    for frame in (orders, with_keys(orders)):
        got = customer_ledger(frame, as_of, period_start, since).set_index("customer_id")
        got.index = got.index.astype(object)
        pd.testing.assert_frame_equal(got[expected.columns], expected, check_names=False, check_index_type=False,
                                      check_dtype=False)
    # counting only some lines (``counted``) is the ledger of those lines alone
    counted = pd.Series(rng.random(size) < 0.7)
    kept = with_keys(orders)[counted.to_numpy()]
    pd.testing.assert_frame_equal(customer_ledger(with_keys(orders), as_of, period_start, since, counted=counted),
                                  customer_ledger(kept, as_of, period_start, since))
    pd.testing.assert_frame_equal(customer_ledger(orders, as_of, period_start, since, counted=counted),
                                  customer_ledger(orders[counted.to_numpy()], as_of, period_start, since))


@pytest.mark.parametrize("largest", [0, 9, 70_000, 5_000_000])
def test_grouping_order_is_lexsort_whether_or_not_lines_come_by_day(largest):
    rng = np.random.default_rng(largest)
    size = 20_000
    ranks = rng.integers(0, largest + 1, size)
    days = np.sort(rng.integers(0, 50, size))
    order_keys = np.arange(size) // 3                  # lines of one order side by side
    by_day = _grouping_order(ranks, days, order_keys)   # the radix path
    assert (by_day == np.lexsort((order_keys, days, ranks))).all()
    shuffled = rng.permutation(size)
    mixed = _grouping_order(ranks[shuffled], days[shuffled], order_keys[shuffled])
    assert (mixed == np.lexsort((order_keys[shuffled], days[shuffled], ranks[shuffled]))).all()
    assert _grouping_order(ranks[:0], days[:0], order_keys[:0]).tolist() == []


def test_ledger_of_lines_in_date_order_matches_the_reference():
    rng = np.random.default_rng(5)
    size = 2000
    stamps = np.sort(T("2023-01-01").value // 1_000_000 + rng.integers(0, 700, size) * 86_400_000)
    orders = pd.DataFrame({
        "customer_id": pd.array([f"C{n:03d}" for n in rng.integers(0, 200, size)], dtype="string"),
        "order_id": pd.array([f"O{n // 2}" for n in range(size)], dtype="string"),
        "order_date": pd.to_datetime(stamps, unit="ms").astype("datetime64[ms]"),
        "amount": rng.integers(1, 100, size).astype(float)})
    as_of, period_start, since = T("2024-12-31 23:59:59.999"), T("2024-10-01"), T("2024-06-30 23:59:59.999")
    expected = reference(orders, as_of, period_start, since)
    got = customer_ledger(with_keys(orders), as_of, period_start, since).set_index("customer_id")
    got.index = got.index.astype(object)
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_names=False, check_index_type=False,
                                  check_dtype=False)


def test_spans_at_an_earlier_end():
    ledger = customer_ledger(ORDERS, AS_OF, earlier_ends=(T("2024-01-01"),))
    spans = spans_at(ledger, T("2024-01-01")).set_index("customer_id")
    assert spans.loc["A", "first_order"] == T("2023-12-01") and spans.loc["A", "last_order"] == T("2023-12-01")
    assert pd.isna(spans.loc["B", "first_order"]) and pd.isna(spans.loc["B", "last_order"])
