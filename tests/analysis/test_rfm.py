"""Tests for custreport.analysis.rfm: quintile scores, the segment rules, ABC tiers."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from custreport.analysis.rfm import (OTHERS, SEGMENT_RULES, SegmentRule, abc_summary, abc_tiers, assign_segments,
                                     quintile_scores, rfm_scores, segment_summary, share_before)

T = pd.Timestamp


def orders(*rows) -> pd.DataFrame:
    ids, order_ids, dates, amounts, statuses = zip(*rows)
    return pd.DataFrame({"customer_id": list(ids), "order_id": list(order_ids),
                         "order_date": pd.to_datetime(list(dates)), "amount": list(amounts),
                         "status": list(statuses)})


def test_quintiles_of_ten_distinct_values_are_exact_fifths():
    # mid-rank positions (r - 0.5) / 10 * 5 = 0.25, 0.75, 1.25, ... 4.75 -> 1,1,2,2,3,3,4,4,5,5
    assert quintile_scores(pd.Series(range(10))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_at_a_quintile_edge_share_one_score():
    # [10, 20, 20, 30, 40]: the two 20s have average rank 2.5 -> (2.0 / 5) * 5 = 2 -> score 3.
    # Rank-by-position would split them into 2 and 3.
    assert quintile_scores(pd.Series([10, 20, 20, 30, 40])).tolist() == [1, 3, 3, 4, 5]


def test_all_equal_values_and_a_lone_customer_score_three():
    assert quintile_scores(pd.Series([7.0] * 6)).tolist() == [3] * 6
    assert quintile_scores(pd.Series([7.0])).tolist() == [3]


def test_lower_is_better_reverses_the_scores():
    assert quintile_scores(pd.Series([1, 100]), higher_is_better=False).tolist() == [4, 2]


def test_empty_input_scores_nothing():
    assert quintile_scores(pd.Series([], dtype="float64")).empty
    scores = rfm_scores(orders(("A", "1", "2024-01-01", 10.0, "cancelled")), T("2024-12-31"))
    assert scores.empty and "segment" in scores.columns


def test_rfm_scores_by_hand():
    frame = orders(
        ("A", "a1", "2024-12-30", 300.0, "completed"),  # last order 1 day before as_of
        ("A", "a2", "2024-11-01", 200.0, "completed"),
        ("A", "a2", "2024-11-01", 100.0, "completed"),  # second line of order a2: one order
        ("B", "b1", "2024-06-30", 50.0, "completed"),   # 184 days before
        ("B", "b2", "2024-12-01", 80.0, "returned"),    # returns do not count
        ("C", "c1", "2023-12-31", 1000.0, "completed"),  # 366 days before
        ("D", "d1", "2025-01-05", 999.0, "completed"),  # after as_of: D is not scored
    )
    scores = rfm_scores(frame, T("2024-12-31")).set_index("customer_id")
    assert scores.index.tolist() == ["A", "B", "C"]
    assert scores["recency_days"].tolist() == [1, 184, 366]
    assert scores["frequency"].tolist() == [2, 1, 1]
    assert scores["monetary"].tolist() == [600.0, 50.0, 1000.0]
    # n = 3: ranks 1, 2, 3 -> positions 0.5/3, 1.5/3, 2.5/3 -> x5 = 0.83, 2.5, 4.17 -> scores 1, 3, 5.
    # R: A most recent -> 5, B 3, C 1. F: B and C tie at 1 (average rank 1.5 -> 1/3*5 = 1.67 -> 2), A -> 5.
    # M: B 1, A 3, C 5.
    assert scores[["r", "f", "m"]].values.tolist() == [[5, 5, 3], [3, 2, 1], [1, 2, 5]]
    assert scores["rfm"].tolist() == ["553", "321", "125"]
    # A (5,5,3): Champions needs m >= 4; Loyal Customers (2-5, 3-5, 3-5) matches.
    # B (3,2,1): About To Sleep (2-3, 1-2, 1-2)? m = 1, f = 2 -> yes (Need Attention needs m >= 2).
    # C (1,2,5): At Risk (1-2, 2-5, 2-5) matches.
    assert scores["segment"].tolist() == ["Loyal Customers", "About To Sleep", "At Risk"]


def test_lookback_window_limits_the_orders():
    frame = orders(("A", "1", "2020-01-01", 10.0, "completed"), ("A", "2", "2024-12-01", 10.0, "completed"))
    scores = rfm_scores(frame, T("2024-12-31"), lookback_days=365)
    assert scores["frequency"].tolist() == [1]


def test_a_single_customer_is_middling_on_every_axis():
    scores = rfm_scores(orders(("A", "1", "2024-12-01", 10.0, "completed")), T("2024-12-31"))
    assert scores[["r", "f", "m", "segment"]].values.tolist() == [[3, 3, 3, "Loyal Customers"]]


EXAMPLES = {"Champions": (5, 5, 5), "Can't Lose Them": (1, 5, 5), "At Risk": (1, 3, 3),
            "Loyal Customers": (3, 4, 4), "New Customers": (5, 1, 1), "Promising": (3, 1, 1),
            "Need Attention": (3, 2, 2), "Lost": (1, 1, 1), "Hibernating": (2, 1, 1),
            "About To Sleep": (3, 1, 2), "Potential Loyalist": (4, 2, 2), OTHERS: (1, 1, 3)}


def test_every_published_segment_is_reachable_first_match_wins():
    r, f, m = (pd.Series([scores[i] for scores in EXAMPLES.values()]) for i in range(3))
    assert assign_segments(r, f, m).tolist() == list(EXAMPLES)
    assert len(SEGMENT_RULES) == 11


def test_every_score_combination_gets_exactly_one_segment():
    combos = list(itertools.product(range(1, 6), repeat=3))
    r, f, m = (pd.Series([c[i] for c in combos]) for i in range(3))
    segments = assign_segments(r, f, m)
    assert segments.notna().all()
    assert set(segments) == set(EXAMPLES)   # all eleven plus Others occur


def test_rule_order_decides_overlaps():
    wide, narrow = SegmentRule("Wide", (1, 5), (1, 5), (1, 5)), SegmentRule("Narrow", (5, 5), (5, 5), (5, 5))
    one = pd.Series([5])
    assert assign_segments(one, one, one, (wide, narrow)).tolist() == ["Wide"]
    assert assign_segments(one, one, one, (narrow, wide)).tolist() == ["Narrow"]


def test_segment_summary_keeps_empty_segments_in_rule_order():
    scores = pd.DataFrame({"segment": ["Lost", "Champions", "Champions"], "monetary": [10.0, 60.0, 30.0]})
    table = segment_summary(scores)
    assert table.index[0] == "Champions" and table.index[-1] == OTHERS and len(table) == 12
    assert table.loc["Champions", "customers"] == 2 and table.loc["Promising", "customers"] == 0
    assert table.loc["Champions", "revenue_share"] == pytest.approx(0.9)   # 90 of 100
    assert table.loc["Lost", "customer_share"] == pytest.approx(1 / 3)


def test_abc_tiers_by_hand():
    revenue = pd.Series({"a": 50.0, "b": 25.0, "c": 10.0, "d": 6.0, "e": 5.0, "f": 4.0, "g": 0.0})
    # total 100; share before: a 0, b .50, c .75, d .85, e .91, f .96, g 1.0
    # A while before < .80: a, b, c (c crosses 80 %); B while < .95: d, e; C: f and g (no revenue).
    assert abc_tiers(revenue).to_dict() == {"a": "A", "b": "A", "c": "A", "d": "B", "e": "B", "f": "C", "g": "C"}
    summary = abc_summary(revenue, abc_tiers(revenue))
    assert summary["customers"].tolist() == [3, 2, 2]
    assert summary["revenue"].tolist() == [85.0, 11.0, 4.0]


def test_abc_ties_are_ranked_by_id_and_zero_revenue_is_c():
    revenue = pd.Series({"y": 40.0, "x": 40.0, "z": 20.0})
    # x before y (tie by id): x before 0 -> A, y before .4 -> A, z before .8 -> B
    assert abc_tiers(revenue).to_dict() == {"y": "A", "x": "A", "z": "B"}
    assert share_before(revenue).to_dict() == {"y": 0.4, "x": 0.0, "z": 0.8}
    assert abc_tiers(pd.Series({"a": 0.0, "b": 0.0})).tolist() == ["C", "C"]
    assert abc_tiers(pd.Series([], dtype="float64")).empty


def test_abc_rejects_shares_out_of_order():
    with pytest.raises(ValueError, match="ABC shares"):
        abc_tiers(pd.Series({"a": 1.0}), a_share=0.9, b_share=0.8)
