"""Tests for custreport.analysis.allocation: candidates, priority, rep choice, reasons, workload."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport.analysis.allocation import (
    ALLOCATION_COLUMNS, AllocationRules, allocate, customers_to_allocate, priority_scores, workload)
from custreport.schema import conform, empty_frame

T = pd.Timestamp
AS_OF = T("2024-12-31")
EAST = {"east": "华东", "south": "华南"}
EAST_EN = {"east": "East", "south": "South"}
NO_ORDERS = empty_frame("orders")


def customers(*rows, **columns) -> pd.DataFrame:
    """Rows of (customer_id, region, industry, owner_rep, potential_value, intent)."""
    ids, region, industry, owner, value, intent = zip(*rows) if rows else ([],) * 6
    frame = pd.DataFrame({"customer_id": list(ids), "name": [f"客户{i}" for i in ids], "region": list(region),
                          "industry": list(industry), "owner_rep": list(owner), "potential_value": list(value),
                          "intent": list(intent), **columns})
    return conform(frame, "customers")


def owned(rep: str, count: int, region: str = "east") -> list[tuple]:
    """``count`` customers already owned by ``rep`` (they only add to its load)."""
    return [(f"{rep}-{n:03d}", region, None, rep, None, None) for n in range(count)]


def reps(*rows) -> pd.DataFrame:
    """Rows of (rep_id, name, region, industries, capacity)."""
    ids, name, region, industries, capacity = zip(*rows) if rows else ([],) * 5
    return conform(pd.DataFrame({"rep_id": list(ids), "name": list(name), "region": list(region),
                                 "industries": list(industries), "capacity": list(capacity)}), "reps")


def orders(*rows) -> pd.DataFrame:
    ids, dates, statuses = zip(*rows)
    return conform(pd.DataFrame({"order_id": [f"O{n}" for n in range(len(ids))], "customer_id": list(ids),
                                 "order_date": pd.to_datetime(list(dates)), "status": list(statuses),
                                 "amount": [10.0] * len(ids)}), "orders")


def chosen(result: pd.DataFrame) -> dict[str, object]:
    return {cid: (None if pd.isna(rep) else rep) for cid, rep in zip(result["customer_id"], result["rep_id"])}


def reasons(result: pd.DataFrame) -> dict[str, str]:
    return dict(zip(result["customer_id"], result["reason"]))


# --------------------------------------------------------------------------- edge cases


def test_no_customers_gives_an_empty_allocation_and_an_idle_workload():
    team = reps(("R1", "王敏", "east", "制造业", 10.0))
    result = allocate(customers(), team, NO_ORDERS, AS_OF)
    assert result.empty and list(result.columns) == ALLOCATION_COLUMNS
    load = workload(customers(), team, result)
    assert load[["rep_id", "owned_before", "assigned", "owned_after", "utilisation"]].values.tolist() == [
        ["R1", 0, 0, 0, 0.0]]


def test_no_reps_leaves_everyone_unassigned():
    frame = customers(("C1", "east", "制造业", None, 100.0, "高"))
    result = allocate(frame, reps(), NO_ORDERS, AS_OF, region_names=EAST)
    assert result[["status", "reason"]].values.tolist() == [["unassigned", "华东区域没有销售"]]
    assert workload(frame, reps(), result).empty


def test_single_customer_goes_to_the_single_rep():
    result = allocate(customers(("C1", "east", "制造业", None, 100.0, "高")),
                      reps(("R1", "王敏", "east", "制造业", 10.0)), NO_ORDERS, AS_OF, region_names=EAST)
    row = result.iloc[0]
    assert (row["rep_id"], row["rep_name"], row["status"]) == ("R1", "王敏", "assigned")
    assert row["reason"] == "华东区域客户，王敏擅长制造业；分配后负责 1/10 个客户，是唯一可分配的销售"
    assert pd.isna(row["previous_owner"])


def test_unknown_or_missing_region_is_not_guessed():
    frame = customers(("C1", "unknown", "制造业", None, 1.0, None), ("C2", None, "制造业", None, 1.0, None))
    team = reps(("R1", "王敏", "east", "制造业", None), ("R0", "占位", "unknown", "制造业", None))
    result = allocate(frame, team, NO_ORDERS, AS_OF)
    assert chosen(result) == {"C1": None, "C2": None}
    assert set(result["reason"]) == {"区域未知，无法按区域分配销售"}
    assert allocate(frame, team, NO_ORDERS, AS_OF, locale="en")["reason"].iloc[0] == (
        "Region unknown; no rep can be chosen by region")


# --------------------------------------------------------------------------- capacity and balance


def test_a_rep_at_capacity_gets_nothing_and_a_full_region_says_so():
    team = reps(("R1", "王敏", "east", "", 2.0), ("R2", "李娜", "east", "", 3.0), ("R3", "陈刚", "south", "", 1.0))
    # Before: R1 owns 2 of 2 (full), R2 owns 1 of 3, R3 owns 1 of 1 (full).
    # Priority by potential value: C1 (1.0) > C2 (2/3) > C3 (1/3). C1 and C2 fill R2 to 3 of 3;
    # C3 is in the south, whose only rep is full.
    frame = customers(*owned("R1", 2), *owned("R2", 1), *owned("R3", 1, "south"),
                      ("C1", "east", None, None, 300.0, None), ("C2", "east", None, None, 200.0, None),
                      ("C3", "south", None, None, 100.0, None), ("C4", "east", None, None, None, None))
    result = allocate(frame, team, NO_ORDERS, AS_OF, region_names=EAST)
    assert chosen(result) == {"C1": "R2", "C2": "R2", "C3": None, "C4": None}
    assert reasons(result)["C3"] == "华南区域唯一的销售陈刚已满额（1/1）"
    assert reasons(result)["C4"] == "华东区域 2 位销售均已满额"
    en = reasons(allocate(frame, team, NO_ORDERS, AS_OF, locale="en", region_names=EAST_EN))
    assert en["C3"] == "The only rep in South, 陈刚, is at capacity (1 of 1)"
    assert en["C4"] == "All 2 reps in East are at capacity"
    load = workload(frame, team, result)
    assert load[["rep_id", "owned_before", "assigned", "owned_after"]].values.tolist() == [
        ["R1", 2, 0, 2], ["R2", 1, 2, 3], ["R3", 1, 0, 1]]
    assert load["utilisation"].tolist() == [1.0, 1.0, 1.0]


def test_default_capacity_applies_to_reps_without_one():
    team = reps(("R1", "王敏", "east", "", None))
    frame = customers(*owned("R1", 1), ("C1", "east", None, None, 2.0, None), ("C2", "east", None, None, 1.0, None))
    rules = AllocationRules(default_capacity=2)
    # R1 owns 1 of 2: C1 takes the last place, C2 finds the region full.
    assert chosen(allocate(frame, team, NO_ORDERS, AS_OF, rules)) == {"C1": "R1", "C2": None}
    assert chosen(allocate(frame, team, NO_ORDERS, AS_OF)) == {"C1": "R1", "C2": "R1"}
    load = workload(frame, team, allocate(frame, team, NO_ORDERS, AS_OF, rules), rules)
    assert load[["capacity", "owned_after", "utilisation"]].values.tolist() == [[2.0, 2, 1.0]]
    assert pd.isna(workload(frame, team, allocate(frame, team, NO_ORDERS, AS_OF))["utilisation"].iloc[0])


def test_workload_is_balanced_and_ties_go_to_the_lower_rep_id():
    team = reps(("R3", "C", "east", "", None), ("R1", "A", "east", "", None), ("R2", "B", "east", "", None))
    frame = customers(*[(f"C{n}", "east", None, None, float(10 - n), None) for n in range(1, 6)])
    result = allocate(frame, team, NO_ORDERS, AS_OF, locale="en", region_names=EAST_EN)
    # No limits: every rep has ratio 0, so load decides, then rep_id:
    # C1 -> R1 (0,0,0), C2 -> R2 (1,0,0), C3 -> R3 (1,1,0), C4 -> R1 (1,1,1), C5 -> R2 (2,1,1).
    assert chosen(result) == {"C1": "R1", "C2": "R2", "C3": "R3", "C4": "R1", "C5": "R2"}
    assert reasons(result)["C1"] == ("East customer; A has 1 customer (no limit) after this, "
                                     "the lowest load of 3 eligible reps (a tie of 3, first by rep ID)")
    assert reasons(result)["C3"] == ("East customer; C has 1 customer (no limit) after this, "
                                     "the lowest load of 3 eligible reps")
    assert reasons(result)["C5"] == ("East customer; B has 2 customers (no limit) after this, "
                                     "the lowest load of 3 eligible reps (a tie of 2, first by rep ID)")
    zh = allocate(frame, team, NO_ORDERS, AS_OF, region_names=EAST)
    assert reasons(zh)["C1"] == "华东区域客户；A分配后负责 1 个客户（不设上限），是 3 位可分配销售中负荷最低的（3 位并列，按编号在先）"


def test_load_ratio_comes_before_the_number_of_customers():
    # R1 owns 4 of 10 (0.4), R2 owns 3 of 5 (0.6): R1 has more customers but more room.
    team = reps(("R1", "王敏", "east", "", 10.0), ("R2", "李娜", "east", "", 5.0))
    frame = customers(*owned("R1", 4), *owned("R2", 3), ("C1", "east", None, None, 1.0, None))
    result = allocate(frame, team, NO_ORDERS, AS_OF, region_names=EAST)
    assert chosen(result) == {"C1": "R1"}
    assert reasons(result)["C1"] == "华东区域客户；王敏分配后负责 5/10 个客户，是 2 位可分配销售中负荷最低的"


# --------------------------------------------------------------------------- industry


def test_industry_preference_beats_load():
    team = reps(("R1", "王敏", "east", "教育、制造业", 40.0), ("R2", "李娜", "east", "能源", 40.0),
                ("R3", "陈刚", "east", "Retail， Finance", 40.0))
    # R1 owns 20 of 40 (0.5); R2 and R3 own nothing. R1 alone lists 制造业, so R1 takes C1.
    # C2 (Ｆｉｎａｎｃｅ, full-width) matches R3's "Finance" after folding; C3 (医药) matches no one:
    # lowest ratio among all three -> R2 (0/40, before R3 which has 1/40 by then).
    frame = customers(*owned("R1", 20), ("C1", "east", "制造业", None, 3.0, None),
                      ("C2", "east", "Ｆｉｎａｎｃｅ", None, 2.0, None), ("C3", "east", "医药", None, 1.0, None))
    result = allocate(frame, team, NO_ORDERS, AS_OF, region_names=EAST)
    assert chosen(result) == {"C1": "R1", "C2": "R3", "C3": "R2"}
    assert reasons(result) == {
        "C1": "华东区域客户，王敏擅长制造业；分配后负责 21/40 个客户，是唯一擅长该行业的可分配销售",
        "C2": "华东区域客户，陈刚擅长Ｆｉｎａｎｃｅ；分配后负责 1/40 个客户，是唯一擅长该行业的可分配销售",
        "C3": "华东区域客户，没有擅长医药的可分配销售；李娜分配后负责 1/40 个客户，是 3 位可分配销售中负荷最低的",
    }
    # Without the preference, load alone decides: C1 -> R2 (0/40), C2 -> R3 (0/40), C3 -> R2 (1/40 before R1's 20/40).
    plain = allocate(frame, team, NO_ORDERS, AS_OF, AllocationRules(industry_match=False))
    assert chosen(plain) == {"C1": "R2", "C2": "R3", "C3": "R2"}


def test_a_full_industry_specialist_gives_way_to_the_others():
    team = reps(("R1", "Wang Min", "east", "Real Estate | Retail", 1.0), ("R2", "Li Na", "east", "Energy", 5.0),
                ("R3", "Chen Gang", "east", "Real Estate", 5.0), ("R4", "Zhao Lei", "east", "Retail", 5.0))
    # R1 is full, so R3 is the only eligible rep covering Real Estate (phrases match whole).
    frame = customers(*owned("R1", 1), ("C1", "east", "real estate", None, 1.0, None))
    result = allocate(frame, team, NO_ORDERS, AS_OF, locale="en", region_names=EAST_EN)
    assert chosen(result) == {"C1": "R3"}
    assert reasons(result)["C1"] == ("East customer; Chen Gang covers real estate; 1 of 5 customers after this, "
                                     "the only eligible rep covering real estate")


# --------------------------------------------------------------------------- owners


def test_orphaned_owner_is_reallocated_and_known_owners_are_matched_loosely():
    team = reps(("R1", "王敏", "east", "", 10.0), ("R2", "Li Na", "east", "", 10.0))
    frame = customers(("K1", "east", None, " r1 ", 1.0, None),        # rep_id, other case and spaces
                      ("K2", "east", None, "ＬＩ ＮＡ", 1.0, None),    # name, full-width
                      ("K3", "east", None, "王 敏", 1.0, None),        # name with a stray space
                      ("O1", "east", None, "张三", 5.0, None),         # left the company
                      ("U1", "east", None, "  ", 1.0, None))           # blank owner
    candidates = customers_to_allocate(frame, team, AllocationRules())
    assert candidates["customer_id"].tolist() == ["O1", "U1"]
    assert candidates["previous_owner"].tolist()[0] == "张三" and pd.isna(candidates["previous_owner"].iloc[1])
    kept = customers_to_allocate(frame, team, AllocationRules(include_orphaned=False))
    assert kept["customer_id"].tolist() == ["U1"]
    # Loads before: R1 2 (K1, K3), R2 1 (K2). O1 (higher value) -> R2, now 2/10; U1 then finds
    # R1 and R2 both at 2/10 and goes to R1, first by rep_id.
    result = allocate(frame, team, NO_ORDERS, AS_OF)
    assert chosen(result) == {"O1": "R2", "U1": "R1"}
    assert result.set_index("customer_id").loc["O1", "previous_owner"] == "张三"
    assert workload(frame, team, result)["owned_before"].tolist() == [2, 1]


def test_a_name_two_reps_share_counts_for_the_one_in_the_customers_region():
    team = reps(("R1", "王敏", "east", "", 10.0), ("R2", "王敏", "south", "", 10.0))
    frame = customers(("K1", "south", None, "王敏", 1.0, None), ("K2", "north", None, "王敏", 1.0, None))
    # K1 counts for R2; K2's owner exists but cannot be told apart: owned, counted for nobody.
    assert customers_to_allocate(frame, team).empty
    assert workload(frame, team, allocate(frame, team, NO_ORDERS, AS_OF))["owned_before"].tolist() == [0, 1]


def test_repeated_rep_ids_are_refused():
    team = reps(("R1", "王敏", "east", "", 10.0), ("r1", "李娜", "east", "", 10.0))
    with pytest.raises(ValueError, match="rep_id"):
        allocate(customers(("C1", "east", None, None, 1.0, None)), team, NO_ORDERS, AS_OF)


# --------------------------------------------------------------------------- priority


def test_priority_arithmetic_with_weights():
    frame = customers(("A", "east", None, None, 300.0, "高"), ("B", "east", None, None, 100.0, "Medium"),
                      ("C", "east", None, None, None, "cold"), ("D", "east", None, None, 100.0, "maybe"))
    bought = orders(("A", "2024-10-19", "completed"),    # 12 + 30 + 31 = 73 days before as_of
                    ("A", "2024-06-01", "completed"),    # older: the last order counts
                    ("B", "2024-12-31", "returned"),     # not a purchase
                    ("C", "2025-01-05", "completed"))    # after as_of
    scored = priority_scores(frame, bought, AS_OF, AllocationRules()).set_index("customer_id")
    # value: ranks among the 3 with a value: B and D share 1.5, A 3 -> 1.5/3 = 0.5, 3/3 = 1; C missing -> 0.
    assert scored["value_score"].to_dict() == {"A": 1.0, "B": 0.5, "C": 0.0, "D": 0.5}
    assert scored["intent_score"].to_dict() == {"A": 1.0, "B": 0.5, "C": 0.0, "D": 0.0}
    # recency: A 1 - 73/365 = 0.8; the others have no completed order by as_of.
    assert scored["recency_score"].round(12).to_dict() == {"A": 0.8, "B": 0.0, "C": 0.0, "D": 0.0}
    # 0.5*v + 0.3*i + 0.2*r: A 0.5 + 0.3 + 0.16 = 0.96; B 0.25 + 0.15 = 0.4; D 0.25.
    assert scored["priority"].round(12).to_dict() == {"A": 0.96, "B": 0.4, "C": 0.0, "D": 0.25}
    rules = AllocationRules(value_weight=1, intent_weight=1, recency_weight=2, intent_scores={"Medium": 0.8},
                            recency_days=146)
    scored = priority_scores(frame, bought, AS_OF, rules).set_index("customer_id")
    # recency A 1 - 73/146 = 0.5; 高 is not in the custom scores. (v + i + 2r) / 4:
    # A (1 + 0 + 1) / 4 = 0.5; B (0.5 + 0.8) / 4 = 0.325; D 0.5 / 4 = 0.125.
    assert scored["priority"].round(12).to_dict() == {"A": 0.5, "B": 0.325, "C": 0.0, "D": 0.125}
    team = reps(("R1", "王敏", "east", "", None))
    result = allocate(frame, team, bought, AS_OF, rules)
    assert result["customer_id"].tolist() == ["A", "B", "D", "C"]
    assert result["last_order"].iloc[0] == T("2024-10-19")


def test_classified_customers_score_from_their_own_last_order():
    from custreport.analysis.segments import classify_customers

    frame = customers(("A", "east", None, None, 300.0, "高"), ("B", "east", None, None, 100.0, None),
                      ("C", "east", None, None, None, "cold"), created_at=pd.to_datetime(["2024-01-01"] * 3))
    bought = orders(("A", "2024-10-19", "completed"), ("A", "2024-06-01", "completed"),
                    ("B", "2024-12-31", "returned"), ("C", "2025-01-05", "completed"))
    classified = classify_customers(frame, bought, AS_OF)
    assert classified["last_order"].tolist()[0] == T("2024-10-19")
    from_orders = priority_scores(frame, bought, AS_OF).set_index("customer_id")
    from_classified = priority_scores(classified, None, AS_OF).set_index("customer_id")
    for column in ("last_order", "recency_score", "priority"):
        pd.testing.assert_series_equal(from_classified[column], from_orders[column], check_dtype=False)
    team = reps(("R1", "王敏", "east", "", None))
    assert allocate(classified, team, None, AS_OF).equals(allocate(frame, team, bought, AS_OF))


def test_owner_pairs_with_missing_owner_or_region_resolve_apart():
    # a missing region must not be confused with the neighbouring owner's last region code
    frame = customers(("A", "east", None, "王敏", None, None), ("B", None, None, "Li Na", None, None),
                      ("C", "south", None, "Li Na", None, None), ("D", None, None, None, None, None),
                      ("E", "east", None, "李娜", None, None))
    team = reps(("R1", "王敏", "east", "", None), ("R2", "Li Na", "south", "", None),
                ("R3", "Li Na", "east", "", None))
    result = allocate(frame, team, NO_ORDERS, AS_OF, AllocationRules(include_orphaned=True))
    # B's "Li Na" names two reps and B has no region: owned, by nobody known (not reallocated,
    # not counted); C's is the south one; D has no owner; E names no rep: orphaned.
    assert sorted(result["customer_id"]) == ["D", "E"]
    load = workload(frame, team, result.iloc[0:0]).set_index("rep_id")["owned_before"].to_dict()
    assert load == {"R1": 1, "R2": 1, "R3": 0}


def test_equal_priorities_are_served_by_customer_id():
    frame = customers(("C2", "east", None, None, 1.0, None), ("C1", "east", None, None, 1.0, None))
    result = allocate(frame, reps(("R1", "王敏", "east", "", 1.0)), NO_ORDERS, AS_OF)
    assert chosen(result) == {"C1": "R1", "C2": None}
    assert result["customer_id"].tolist() == ["C1", "C2"]


@pytest.mark.parametrize("changes, field", [
    ({"value_weight": -1}, "value_weight"),
    ({"value_weight": 0, "intent_weight": 0, "recency_weight": 0}, "at least one"),
    ({"recency_weight": float("nan")}, "recency_weight"),
    ({"recency_days": 0}, "recency_days"),
    ({"intent_scores": {"高": 2}}, "intent_scores"),
    ({"intent_scores": {"High": 1, "high": 0.5}}, "intent_scores"),
    ({"default_capacity": -1}, "default_capacity"),
    ({"industry_match": "yes"}, "industry_match"),
])
def test_rules_are_checked(changes, field):
    with pytest.raises(ValueError, match=field):
        AllocationRules(**changes)


# --------------------------------------------------------------------------- determinism, purity, language


def _mixed():
    team = reps(("R1", "王敏", "east", "制造业", 5.0), ("R2", "李娜", "east", "能源", 5.0),
                ("R3", "陈刚", "south", "", None))
    frame = customers(*owned("R1", 2), ("C1", "east", "制造业", None, 5.0, "高"),
                      ("C2", "east", "能源", "离职者", 5.0, "高"), ("C3", "south", None, None, None, "低"),
                      ("C4", "east", "医药", None, 2.0, None), ("C5", "unknown", None, None, 9.0, "中"))
    bought = orders(("C1", "2024-12-01", "completed"), ("C4", "2024-06-30", "completed"))
    return frame, team, bought


def test_shuffled_inputs_give_the_same_allocation():
    frame, team, bought = _mixed()
    expected = allocate(frame, team, bought, AS_OF)
    for seed in range(3):
        again = allocate(frame.sample(frac=1, random_state=seed), team.sample(frac=1, random_state=seed),
                         bought.sample(frac=1, random_state=seed), AS_OF)
        pd.testing.assert_frame_equal(again, expected)


def test_inputs_are_not_mutated():
    frame, team, bought = _mixed()
    copies = [frame.copy(), team.copy(), bought.copy()]
    result = allocate(frame, team, bought, AS_OF)
    customers_to_allocate(frame, team)
    priority_scores(frame, bought, AS_OF)
    allocation = result.copy()
    workload(frame, team, result)
    for before, after in zip(copies + [allocation], [frame, team, bought, result]):
        pd.testing.assert_frame_equal(before, after)


def test_reasons_in_chinese_and_english():
    team = reps(("R1", "王敏", "east", "制造业", 40.0), ("R2", "李娜", "east", "制造业、能源", 40.0),
                ("R3", "陈刚", "east", "制造业", 40.0))
    # Ratios before: R1 12/40 = 0.3, R2 20/40 = 0.5, R3 30/40 = 0.75; all three list 制造业.
    frame = customers(*owned("R1", 12), *owned("R2", 20), *owned("R3", 30), ("C1", "east", "制造业", None, 1.0, None))
    zh = allocate(frame, team, NO_ORDERS, AS_OF, region_names=EAST)
    assert zh["reason"].tolist() == ["华东区域客户，王敏擅长制造业；分配后负责 13/40 个客户，是 3 位可分配销售中负荷最低的"]
    team_en = team.assign(name=["Wang Min", "Li Na", "Chen Gang"],
                          industries=["Manufacturing", "Manufacturing, Energy", "Manufacturing"])
    frame_en = frame.assign(industry=frame["industry"].replace("制造业", "Manufacturing"))
    en = allocate(frame_en, team_en, NO_ORDERS, AS_OF, locale="en", region_names=EAST_EN)
    assert en["reason"].tolist() == [
        "East customer; Wang Min covers Manufacturing; 13 of 40 customers after this, the lowest load of 3 eligible reps"]
    # Without region names the code stands in.
    assert allocate(frame, team, NO_ORDERS, AS_OF)["reason"].iloc[0].startswith("east区域客户")


def test_unknown_locale_is_refused():
    from custreport.errors import UserError

    with pytest.raises(UserError):
        allocate(customers(), reps(), NO_ORDERS, AS_OF, locale="fr")
