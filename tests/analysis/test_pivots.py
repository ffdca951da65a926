"""Tests for custreport.analysis.pivots.count_pivot."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport.analysis.pivots import count_pivot

FRAME = pd.DataFrame({
    "province": pd.array(["浙江", "浙江", "上海", None, "浙江", "广东", "广东"], dtype="string"),
    "customer_type": pd.array(["active", "prospect", "active", "active", None, "churned", "active"],
                              dtype="string"),
})


def test_count_pivot_totals():
    table = count_pivot(FRAME, "province", "customer_type", total_label="合计")
    # 浙江: active 1, prospect 1, missing type 1 -> 3; 广东: active 1, churned 1 -> 2;
    # 上海: active 1; missing province: active 1. Grand total 7.
    assert table.loc["浙江", "合计"] == 3
    assert table.loc["广东", "合计"] == 2
    assert table.loc["上海", "合计"] == 1
    assert table.loc["合计", "合计"] == 7
    # Column totals: active 4 (浙江, 上海, —, 广东), prospect 1, churned 1, — 1.
    assert table.loc["合计"].drop("合计").to_dict() == {"active": 4, "churned": 1, "prospect": 1, "—": 1}
    # The total row is last; rows are ordered by their total, largest first.
    assert table.index[-1] == "合计"
    assert list(table.index[:2]) == ["浙江", "广东"]
    assert table.index.name == "province" and table.columns.name is None
    assert (table.dtypes == "int64").all()


def test_count_pivot_missing_keys_are_their_own_row_and_column():
    table = count_pivot(FRAME, "province", "customer_type", missing_label="(空)")
    assert table.loc["(空)", "active"] == 1       # the row with no province
    assert table.loc["浙江", "(空)"] == 1          # the row with no type
    assert table.loc["Total", "Total"] == 7


def test_count_pivot_column_order():
    table = count_pivot(FRAME, "province", "customer_type", column_order=["prospect", "active", "lost"])
    # Known columns in the order given (absent ones skipped), the others after, then the total.
    assert list(table.columns) == ["prospect", "active", "churned", "—", "Total"]


def test_count_pivot_input_untouched():
    before = FRAME.copy()
    count_pivot(FRAME, "province", "customer_type")
    pd.testing.assert_frame_equal(FRAME, before)


Q3 = (pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"))
CUSTOMERS = pd.DataFrame({
    "customer_id": ["A", "B", "C", "D"],
    "industry": pd.array(["制造业", "制造业", "金融", None], dtype="string"),
    "channel": pd.array(["直销", "经销商甲", None, None], dtype="string"),
})
ORDERS = pd.DataFrame({
    "order_id": ["o1", "o1", "o2", "o3", "o4", "o5"],
    "customer_id": ["A", "A", "B", "C", "A", "B"],
    "amount": [100.0, 50.0, 30.0, 20.0, 999.0, 40.0],
    "order_date": pd.to_datetime(["2024-07-01", "2024-07-01", "2024-09-30", "2024-08-08", "2024-10-01",
                                  "2024-08-01"]),
    "status": ["completed", "completed", "completed", "completed", "completed", "returned"],
    "channel": pd.array([None, None, "经销商乙", None, "直销", None], dtype="string"),
})


def test_sales_pivot_by_customer_attribute():
    from custreport.analysis.pivots import sales_pivot

    table = sales_pivot(CUSTOMERS, ORDERS, "industry", *Q3, total_label="合计")
    # In Q3, completed: o1 (A, two lines 150), o2 (B, 30), o3 (C, 20); o4 is after Q3, o5 returned.
    # 制造业: A + B -> revenue 180, orders 2, aov 90, share 180/200 = .9, 2 customers both buying.
    # 金融: C -> 20, 1 order; missing industry: D, no purchases.
    assert table.index.tolist() == ["制造业", "金融", "—", "合计"]
    assert table.loc["制造业", ["customers", "buyers", "revenue", "orders", "aov", "share"]].tolist() == [
        2, 2, 180.0, 2, 90.0, 0.9]
    assert table.loc["—", ["customers", "buyers", "revenue", "orders"]].tolist() == [1, 0, 0.0, 0]
    assert pd.isna(table.loc["—", "aov"])
    assert table.loc["合计", ["customers", "buyers", "revenue", "orders", "aov", "share"]].tolist() == [
        4, 3, 200.0, 3, 200.0 / 3, 1.0]


def test_sales_pivot_by_order_channel_falls_back_to_the_customers_channel():
    from custreport.analysis.pivots import sales_pivot

    table = sales_pivot(CUSTOMERS, ORDERS, "channel", *Q3)
    # o1 has no channel -> A's 直销 (150); o2 says 经销商乙 (30, not B's 经销商甲); o3: neither -> missing.
    assert table["revenue"].to_dict() == {"直销": 150.0, "经销商乙": 30.0, "—": 20.0, "Total": 200.0}
    assert table["customers"].to_dict() == {"直销": 1, "经销商乙": 1, "—": 1, "Total": 3}


def test_sales_pivot_of_an_empty_period():
    from custreport.analysis.pivots import sales_pivot

    table = sales_pivot(CUSTOMERS, ORDERS, "industry", pd.Timestamp("2030-01-01"), pd.Timestamp("2030-04-01"))
    assert table.loc["Total", ["customers", "revenue", "orders"]].tolist() == [4, 0.0, 0]
    assert table["aov"].isna().all() and table["share"].isna().all()


def test_compare_pivots():
    from custreport.analysis.pivots import compare_pivots

    now = pd.DataFrame({"revenue": [120.0, 10.0], "customers": [2, 1]}, index=["x", "y"])
    before = pd.DataFrame({"revenue": [100.0, 0.0], "customers": [2, 1]}, index=["x", "y"])
    year_ago = pd.DataFrame({"revenue": [60.0], "customers": [4]}, index=["x"])
    table = compare_pivots(now, before, year_ago)
    assert table.loc["x", "revenue_vs_previous"] == pytest.approx(0.2)      # 120 vs 100
    assert table.loc["x", "revenue_vs_year_ago"] == pytest.approx(1.0)      # 120 vs 60
    assert table.loc["x", "customers_vs_year_ago"] == pytest.approx(-0.5)   # 2 vs 4
    assert pd.isna(table.loc["y", "revenue_vs_previous"])                   # from 0: undefined
    assert pd.isna(table.loc["y", "revenue_vs_year_ago"])                   # no such row a year ago
    assert "revenue_vs_previous" not in now                                  # input untouched
