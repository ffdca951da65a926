"""Tests for custreport.analysis.pivots.count_pivot."""

from __future__ import annotations

import pandas as pd

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
