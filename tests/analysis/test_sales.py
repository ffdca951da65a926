"""Tests for custreport.analysis.sales: totals, monthly trend, top customers."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport.analysis.frames import with_keys
from custreport.analysis.sales import (MOVER_COLUMNS, in_period, revenue_by_customer, revenue_by_month, revenue_movers,
                                      sales_totals, top_customers)

T = pd.Timestamp
Q3 = (T("2024-07-01"), T("2024-10-01"))

ORDERS = pd.DataFrame({
    "customer_id": ["A", "A", "B", "C", "B", "A", "C"],
    "amount": [100.0, 50.0, 30.0, 20.0, 70.0, 999.0, 5.0],
    "order_date": pd.to_datetime(["2024-07-01", "2024-08-01", "2024-09-30 23:59", "2024-08-15",
                                  "2024-09-01", "2024-10-01", "2024-06-30"], format="ISO8601"),
    "status": ["completed", "returned", "completed", "cancelled", "completed", "completed", "completed"],
})

CUSTOMERS = pd.DataFrame({"customer_id": ["A", "B", "C"], "name": ["甲", "乙", "丙"],
                          "region": ["east", "south", "north"], "industry": ["制造", None, "零售"]})


def test_in_period_is_half_open():
    # 2024-07-01 is in, 2024-09-30 23:59 is in, 2024-10-01 and 2024-06-30 are out.
    assert sorted(in_period(ORDERS, *Q3)["amount"]) == [20.0, 30.0, 50.0, 70.0, 100.0]


def test_sales_totals_exclude_returns_and_cancellations():
    # Completed in Q3: 100 (A) + 30 (B) + 70 (B) = 200 over 3 orders, AOV 200 / 3 = 66.67.
    # Returned: one order of 50; the cancelled 20 counts nowhere.
    assert sales_totals(ORDERS, *Q3) == {"revenue": 200.0, "orders": 3, "aov": 66.67,
                                         "returned_orders": 1, "returned_amount": 50.0,
                                         "credit_orders": 0, "credit_amount": 0.0}


def test_sales_totals_aov_none_without_orders():
    assert sales_totals(ORDERS, T("2023-01-01"), T("2023-04-01")) == {
        "revenue": 0.0, "orders": 0, "aov": None, "returned_orders": 0, "returned_amount": 0.0,
        "credit_orders": 0, "credit_amount": 0.0}


def test_sales_totals_only_returns():
    returns_only = ORDERS[ORDERS["status"] == "returned"]
    totals = sales_totals(returns_only, *Q3)
    assert (totals["revenue"], totals["orders"], totals["aov"]) == (0.0, 0, None)
    assert totals["returned_amount"] == 50.0


def test_credit_lines_net_revenue_and_are_never_orders():
    # invoice 1: two lines 15.3 + 20; cancellation C1 of one of them (-15.3); invoice 2: 10
    lines = pd.DataFrame({"order_id": ["1", "1", "C1", "2"], "customer_id": ["A", "A", "A", "B"],
                          "amount": [15.3, 20.0, -15.3, 10.0],
                          "order_date": pd.to_datetime(["2024-07-01", "2024-07-01", "2024-07-03", "2024-08-01"]),
                          "status": ["completed", "completed", "cancelled", "completed"]})
    totals = sales_totals(lines, *Q3)
    assert (totals["revenue"], totals["orders"], totals["aov"]) == (30.0, 2, 15.0)
    assert (totals["credit_orders"], totals["credit_amount"]) == (1, -15.3)
    monthly = revenue_by_month(lines, [pd.Period("2024-07", "M"), pd.Period("2024-08", "M")])
    assert monthly["revenue"].round(2).tolist() == [20.0, 10.0] and monthly["orders"].tolist() == [1, 1]


LINES = pd.DataFrame({
    "order_id": ["o1", "o1", "o2", None, "o3", "o3", "o4"],   # o1 and o3 have two lines each
    "customer_id": ["A", "A", "B", "B", "A", "A", "C"],
    "amount": [10.0, 5.0, 7.0, 3.0, 2.0, 1.0, float("nan")],
    "order_date": pd.to_datetime(["2024-07-01", "2024-07-01", "2024-08-01", "2024-08-02", "2024-09-01",
                                  "2024-09-01", "2024-09-02"]),
    "status": ["completed", "completed", "completed", "completed", "returned", "returned", "completed"],
})


@pytest.mark.parametrize("spread", [1, 100_000_000])
def test_sales_totals_count_order_ids_and_their_integer_keys_alike(spread):
    # completed: o1 (two lines, 15), o2 (7), a line without an id (3, no order), o4 (amount missing: 0)
    expected = {"revenue": 25.0, "orders": 3, "aov": 8.33, "returned_orders": 1, "returned_amount": 3.0,
                "credit_orders": 0, "credit_amount": 0.0}
    assert sales_totals(LINES, *Q3) == expected
    keyed = with_keys(LINES)
    # sparse keys (far apart) take the sorting path, dense ones the marking path
    keyed["order_key"] = keyed["order_key"].where(keyed["order_key"] < 0, keyed["order_key"] * spread)
    assert sales_totals(keyed, *Q3) == expected


def test_revenue_by_month_counts_orders_not_lines():
    months = list(pd.period_range("2024-07", "2024-09", freq="M"))
    for frame in (LINES, with_keys(LINES)):
        trend = revenue_by_month(frame, months)
        # Jul: o1's two lines are one order; Aug: o2, and a line without an id (no order);
        # Sep: o3 returned, o4 without an amount
        assert trend["orders"].tolist() == [1, 1, 1]
        assert trend["revenue"].tolist() == [15.0, 10.0, 0.0]


def test_revenue_by_month_zero_fills():
    months = list(pd.period_range("2024-06", "2024-11", freq="M"))
    trend = revenue_by_month(ORDERS, months)
    # Jun: 5 (C); Jul: 100 (A); Aug: nothing completed (50 returned, 20 cancelled);
    # Sep: 30 + 70 = 100 over 2 orders; Oct: 999; Nov: nothing.
    assert trend["month"].astype(str).tolist() == ["2024-06", "2024-07", "2024-08", "2024-09", "2024-10", "2024-11"]
    assert trend["revenue"].tolist() == [5.0, 100.0, 0.0, 100.0, 999.0, 0.0]
    assert trend["orders"].tolist() == [1, 1, 0, 2, 1, 0]
    assert trend["revenue"].dtype == "float64" and trend["orders"].dtype == "int64"


def test_revenue_by_month_no_orders():
    trend = revenue_by_month(ORDERS.iloc[0:0], list(pd.period_range("2024-01", "2024-02", freq="M")))
    assert trend["revenue"].tolist() == [0.0, 0.0] and trend["orders"].tolist() == [0, 0]


def test_top_customers_share_and_order():
    top = top_customers(ORDERS, CUSTOMERS, *Q3)
    # Q3 completed: A 100 (1 order), B 30 + 70 = 100 (2 orders); total 200.
    # Equal revenue: more orders first, so B before A. C's only Q3 order was cancelled.
    assert top["customer_id"].tolist() == ["B", "A"]
    assert top["revenue"].tolist() == [100.0, 100.0]
    assert top["orders"].tolist() == [2, 1]
    assert top["share"].tolist() == [pytest.approx(0.5), pytest.approx(0.5)]
    assert top["name"].tolist() == ["乙", "甲"]
    assert list(top.columns) == ["customer_id", "name", "region", "industry", "revenue", "orders", "share"]


def test_top_customers_limit_and_share_of_all():
    orders = pd.DataFrame({"customer_id": ["A", "B", "C"], "amount": [60.0, 30.0, 10.0],
                           "order_date": pd.to_datetime(["2024-07-02"] * 3), "status": ["completed"] * 3})
    top = top_customers(orders, CUSTOMERS, *Q3, limit=2)
    # Shares are of the whole period's revenue (100), not of the rows shown.
    assert top["customer_id"].tolist() == ["A", "B"]
    assert top["share"].tolist() == [pytest.approx(0.6), pytest.approx(0.3)]


def test_top_customers_empty_period():
    top = top_customers(ORDERS, CUSTOMERS, T("2023-01-01"), T("2023-04-01"))
    assert top.empty
    assert list(top.columns) == ["customer_id", "name", "region", "industry", "revenue", "orders", "share"]


Q2_START = T("2024-04-01")


def test_revenue_by_customer_counts_completed_lines_in_the_period():
    # Q3 completed: A 100, B 30 + 70; A's returned 50, C's cancelled 20 and A's 10-01 999 do not count
    assert revenue_by_customer(ORDERS, *Q3).to_dict() == {"A": 100.0, "B": 100.0}
    assert revenue_by_customer(ORDERS, T("2023-01-01"), T("2023-04-01")).empty


def test_revenue_movers_rises_then_falls_against_the_period_before():
    orders = pd.DataFrame({
        "customer_id": ["A", "A", "B", "B", "C", "D", "E", None],
        "amount": [100.0, 400.0, 500.0, 120.0, 60.0, 90.0, 75.0, 1000.0],
        "order_date": pd.to_datetime(["2024-05-01", "2024-08-01", "2024-06-01", "2024-09-01", "2024-07-15",
                                      "2024-06-15", "2024-06-20", "2024-08-08"]),
        "status": ["completed"] * 6 + ["cancelled", "completed"]})
    customers = pd.DataFrame({"customer_id": list("ABCDE"), "name": list("甲乙丙丁戊"), "region": ["east"] * 5})
    movers = revenue_movers(orders, customers, *Q3, previous_start=Q2_START)
    # Q2 -> Q3: A 100 -> 400 (+300), B 500 -> 120 (-380), C 0 -> 60 (+60), D 90 -> 0 (-90);
    # E's only order was cancelled, the line without a customer belongs to nobody
    assert list(movers.columns) == MOVER_COLUMNS
    assert movers[["customer_id", "revenue", "previous", "change", "direction"]].values.tolist() == [
        ["A", 400.0, 100.0, 300.0, "up"], ["C", 60.0, 0.0, 60.0, "up"],
        ["B", 120.0, 500.0, -380.0, "down"], ["D", 0.0, 90.0, -90.0, "down"]]
    assert movers["name"].tolist() == ["甲", "丙", "乙", "丁"]
    top = revenue_movers(orders, customers, *Q3, previous_start=Q2_START, limit=1)
    assert top["customer_id"].tolist() == ["A", "B"]
    # Q2 cut to May: only A's 100 (05-01) was bought in it; B's 06-01 and D's 06-15 fall outside
    may = revenue_movers(orders, customers, *Q3, previous_start=Q2_START, previous_end_exclusive=T("2024-06-01"))
    assert may[["customer_id", "previous", "change"]].values.tolist() == [
        ["A", 100.0, 300.0], ["B", 0.0, 120.0], ["C", 0.0, 60.0]]


def test_revenue_movers_ties_by_id_and_nothing_when_nothing_changed():
    # Q3 rises: B +50, A +50 (ties: A first); falls: E -40, D -40 (D first); C spent the same in
    # both quarters, F too in float terms (10.10 + 20.20 = 30.300000000000004 against 30.30)
    orders = pd.DataFrame({
        "customer_id": ["B", "A", "C", "C", "E", "D", "F", "F", "F"],
        "amount": [50.0, 50.0, 10.0, 10.0, 40.0, 40.0, 10.10, 20.20, 30.30],
        "order_date": pd.to_datetime(["2024-07-02", "2024-07-03", "2024-05-01", "2024-08-01", "2024-06-01",
                                      "2024-06-02", "2024-05-05", "2024-05-06", "2024-08-08"]),
        "status": ["completed"] * 9})
    movers = revenue_movers(orders, CUSTOMERS, *Q3, previous_start=Q2_START)
    assert movers["customer_id"].tolist() == ["A", "B", "D", "E"]
    assert movers["change"].tolist() == [50.0, 50.0, -40.0, -40.0]
    empty = revenue_movers(orders.iloc[0:0], CUSTOMERS, *Q3, previous_start=Q2_START)
    assert empty.empty and list(empty.columns) == MOVER_COLUMNS


def test_inputs_not_mutated():
    before = ORDERS.copy()
    sales_totals(ORDERS, *Q3)
    revenue_by_month(ORDERS, list(pd.period_range("2024-07", "2024-09", freq="M")))
    top_customers(ORDERS, CUSTOMERS, *Q3)
    revenue_movers(ORDERS, CUSTOMERS, *Q3, previous_start=Q2_START)
    pd.testing.assert_frame_equal(ORDERS, before)


def test_revenue_by_customer_is_net_of_credits():
    lines = pd.DataFrame({"customer_id": ["A", "A", "B"], "amount": [100.0, -30.0, 20.0],
                          "order_date": pd.to_datetime(["2024-07-02", "2024-07-05", "2024-08-01"]),
                          "status": ["completed", "returned", "completed"]})
    assert revenue_by_customer(lines, *Q3).to_dict() == {"A": 70.0, "B": 20.0}
