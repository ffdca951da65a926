"""The insight engine on tiny hand-computed fixtures: parts add up to the change exactly, ranking is stable."""
from __future__ import annotations

import pandas as pd
import pytest

from custreport.analysis import insights as engine
from custreport.analysis.insights import Insight

# Customer revenue in the previous period and this one (hand-made):
#   A 100 -> 150 (growth +50), B 60 -> 20 (decline -40), C 30 -> 0 (lost -30),
#   D new this period 45 (first purchase ever), E bought two periods ago, 25 now (reactivated)
BEFORE = pd.Series({"A": 100.0, "B": 60.0, "C": 30.0})
NOW = pd.Series({"A": 150.0, "B": 20.0, "D": 45.0, "E": 25.0})


def test_the_bridge_parts_add_up_to_the_change_exactly():
    bridge = engine.revenue_bridge(NOW, BEFORE, new_ids={"D"})
    assert (bridge["previous"], bridge["current"], bridge["change"]) == (190.0, 240.0, 50.0)
    assert {part: bridge[part] for part in engine.BRIDGE_PARTS} == {
        "new": 45.0, "reactivated": 25.0, "growth": 50.0, "decline": -40.0, "lost": -30.0, "other": 0.0}
    assert bridge["customers"] == {"new": 1, "reactivated": 1, "growth": 1, "decline": 1, "lost": 1}
    assert round(bridge["previous"] + sum(bridge[p] for p in engine.BRIDGE_PARTS), 2) == bridge["current"]


def test_revenue_no_customer_holds_is_the_other_part_and_cents_never_drift():
    # 0.1 + 0.2 is 0.30000000000000004 in floats: the bridge sums cents
    now, before = pd.Series({"A": 0.1, "B": 0.2}), pd.Series({"A": 0.3})
    bridge = engine.revenue_bridge(now, before, set(), current_total=10.3, previous_total=0.3)
    assert (bridge["decline"], bridge["reactivated"], bridge["other"], bridge["change"]) == (-0.2, 0.2, 10.0, 10.0)


def test_the_bridge_insight_leads_with_the_part_that_moved_revenue_most_its_way():
    insight = engine.bridge_insight(engine.revenue_bridge(NOW, BEFORE, {"D"}))
    assert insight.kind == "bridge" and insight.figures["leading"] == "growth"
    assert insight.score == round(50 / 240, 6) and insight.figures["relative"] == round(50 / 190, 4)


def test_bridge_by_group_splits_each_part_by_the_customers_group():
    parts = engine.customer_parts(NOW, BEFORE, {"D"})
    table = engine.bridge_by_group(parts, pd.Series({"A": "制造业", "B": "零售", "C": "零售", "D": "制造业", "E": None}))
    rows = {row["group"]: row for row in table.to_dict("records")}
    assert rows["制造业"]["new"] == 45.0 and rows["制造业"]["growth"] == 50.0
    assert rows["零售"]["decline"] == -40.0 and rows["零售"]["lost"] == -30.0
    assert rows[None]["reactivated"] == 25.0
    driver = engine.headline_driver(engine.revenue_bridge(NOW, BEFORE, {"D"}), table)
    assert driver == {"part": "growth", "group": "制造业", "amount": 50.0}


def test_volume_and_price_add_up_to_the_change():
    # 10 orders of 100 -> 12 orders of 110: volume 2 x 100 = 200, price 12 x 10 = 120
    split = engine.volume_price(1320.0, 12, 1000.0, 10)
    assert (split.figures["volume"], split.figures["price"], split.figures["change"]) == (200.0, 120.0, 320.0)
    assert engine.volume_price(1320.0, 12, 0.0, 0) is None


def test_contributions_add_up_and_drivers_and_detractors_are_the_largest_each_way():
    now = pd.Series({"east": 150.0, "south": 20.0, "north": 70.0})
    before = pd.Series({"east": 100.0, "south": 60.0, "west": 30.0})
    table = engine.contributions(now, before)
    assert table["group"].tolist() == ["north", "east", "west", "south"]
    assert table["change"].tolist() == [70.0, 50.0, -30.0, -40.0] and table["change"].sum() == 50.0
    found = {i.kind: i for i in engine.driver_insights(table, "region", scale=240.0)}
    assert [g["group"] for g in found["driver"].figures["groups"]] == ["north", "east"]
    assert [g["group"] for g in found["detractor"].figures["groups"]] == ["south", "west"]
    assert found["driver"].score == round(70 / 240, 6) and found["detractor"].score == round(40 / 240, 6)


def test_a_dimension_of_one_group_has_no_drivers():
    assert engine.driver_insights(engine.contributions(pd.Series({"east": 5.0}), pd.Series({"east": 1.0})),
                                  "region", 5.0) == []


def test_concentration_is_the_top_customer_and_top_n_share_now_and_before():
    insight = engine.concentration_insight(pd.Series({"A": 50.0, "B": 30.0, "C": 20.0}),
                                           pd.Series({"A": 20.0, "B": 20.0, "C": 10.0}), {"A": "甲"}, top=2)
    f = insight.figures
    assert (f["top_customer"], f["top_name"], f["top_share"], f["top_share_before"]) == ("A", "甲", 0.5, 0.4)
    assert (f["top_n"], f["top_n_share"], f["top_n_share_before"]) == (2, 0.8, 0.8)
    assert insight.score == 0.5
    assert engine.concentration_insight(pd.Series(dtype="float64"), BEFORE) is None


def test_a_period_far_off_its_trend_is_unusual_and_a_steady_trend_is_not():
    # trend through 100, 102, 104, 106 points to 108; residuals 0 -> any distance is unusual
    jump = engine.unusual_insight("revenue", 150.0, [100.0, 102.0, 104.0, 106.0], 150.0)
    assert jump.figures["expected"] == 108.0 and jump.figures["direction"] == "up" and jump.figures["z"] is None
    assert jump.score == round(42 / 150, 6)
    assert engine.unusual_insight("revenue", 108.0, [100.0, 102.0, 104.0, 106.0], 150.0) is None
    # periods before the data began do not count: three known periods say nothing
    assert engine.unusual_insight("revenue", 500.0, [None, 100.0, 101.0, 99.0], 500.0) is None


def test_only_orders_beyond_the_far_fence_and_five_medians_are_outliers():
    amounts = pd.Series([100.0] * 11 + [450.0, 2000.0], index=[f"o{i}" for i in range(13)])
    insight = engine.order_outliers(amounts, 3550.0, {"X": "大客户"}, pd.Series({"o12": "X"}))
    # Q1 = Q3 = median = 100: fence max(100 + 0, 500) = 500; 450 is under it
    assert insight.figures["count"] == 1 and insight.figures["fence"] == 500.0
    assert insight.figures["orders"][0] == {"order_id": "o12", "amount": 2000.0, "customer": "X", "name": "大客户",
                                            "multiple": 20.0}
    assert engine.order_outliers(amounts.head(9), 1000.0) is None   # too few orders to tell


def test_coverage_scores_the_missing_share_of_a_three_times_cover():
    insight = engine.coverage_insight(150.0, 100.0, 0.25, scale=200.0, basis="run_rate")
    assert insight.figures["coverage"] == 1.5 and insight.figures["expected"] == 37.5
    assert insight.score == round((300 - 150) / 3 / 200, 6)
    assert engine.coverage_insight(400.0, 100.0, 0.25, 200.0, "run_rate").score == 0.0
    assert engine.coverage_insight(None, 100.0, 0.25, 200.0, "run_rate") is None


@pytest.mark.parametrize("actual, direction, attainment, met", [
    (90.0, "up", 0.9, False), (110.0, "up", 1.1, True), (80.0, "down", 1.25, True)])
def test_attainment_by_direction(actual, direction, attainment, met):
    insight = engine.attainment_insight("revenue", actual, 100.0, "money", direction, scale=100.0)
    assert insight.figures["attainment"] == attainment and insight.figures["met"] is met


def test_attainment_of_a_running_period_is_against_the_prorated_goal_but_a_rate_is_not_prorated():
    money = engine.attainment_insight("revenue", 60.0, 100.0, "money", "up", 100.0, prorated=0.5)
    assert money.figures["goal"] == 50.0 and money.figures["attainment"] == 1.2 and money.figures["met"]
    rate = engine.attainment_insight("win_rate", 0.2, 0.25, "percent", "up", 100.0, prorated=0.5)
    assert rate.figures["goal"] == 0.25 and rate.figures["attainment"] == 0.8 and rate.score == 0.2


def test_ranking_is_by_score_then_kind_then_key_and_never_depends_on_input_order():
    items = [Insight("driver", "industry", 0.2), Insight("bridge", "revenue", 0.2), Insight("driver", "channel", 0.2),
             Insight("concentration", "customers", 0.5), None]
    expected = [("concentration", "customers"), ("bridge", "revenue"), ("driver", "channel"), ("driver", "industry")]
    assert [(i.kind, i.key) for i in engine.ranked(items)] == expected
    assert [(i.kind, i.key) for i in engine.ranked(list(reversed(items)))] == expected


def test_the_front_page_takes_the_bridge_and_best_driver_first_then_the_best_of_each_other_kind():
    items = [Insight("driver", "a", 0.3), Insight("driver", "b", 0.25), Insight("unusual", "revenue", 0.4),
             Insight("bridge", "revenue", 0.1), Insight("outlier", "orders", 0.35), Insight("coverage", "run_rate", 0.2)]
    picked = engine.front_page(items, limit=4)
    assert [(i.kind, i.key) for i in picked] == [("bridge", "revenue"), ("driver", "a"), ("unusual", "revenue"),
                                                 ("outlier", "orders")]
