"""Tests for custreport.analysis.industries: one name per industry, whatever the spelling."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport.analysis.allocation import allocate
from custreport.analysis.industries import industry_names, listed_industry_names
from custreport.config import Industry, IndustryTable

TABLE = IndustryTable(industries=[
    Industry(code="manufacturing", zh="制造业", en="Manufacturing", aliases=["制造", "Industrial"]),
    Industry(code="food_beverage", zh="餐饮", en="Food & Beverage", aliases=["食品"]),
])


def test_every_spelling_of_an_industry_gets_its_name_in_the_locale():
    typed = pd.Series(["制造业", " manufacturing", "ＭＡＮＵＦＡＣＴＵＲＩＮＧ", "制造", "Industrial", "食品",
                       "food & beverage", "Mining ", None, "  "], dtype="string", index=range(10, 20))
    zh = industry_names(typed, TABLE, "zh")
    assert zh.tolist() == ["制造业"] * 5 + ["餐饮", "餐饮", "Mining", pd.NA, pd.NA]
    assert zh.index.tolist() == list(range(10, 20)) and zh.dtype == "string"
    assert industry_names(typed, TABLE, "en").tolist()[:7] == ["Manufacturing"] * 5 + ["Food & Beverage"] * 2


def test_an_empty_table_keeps_industries_as_typed():
    assert industry_names(pd.Series(["制造业", " Retail "], dtype="string"), IndustryTable(), "en").tolist() == [
        "制造业", "Retail"]


def test_a_reps_list_is_renamed_item_by_item_without_repeats():
    lists = pd.Series(["制造业、Manufacturing", "Industrial, 食品;Mining", "食品 / 餐饮", None, "、"], dtype="string")
    assert listed_industry_names(lists, TABLE, "zh").tolist() == ["制造业", "制造业、餐饮、Mining", "餐饮", pd.NA, pd.NA]
    assert listed_industry_names(lists, TABLE, "en").tolist()[1] == "Manufacturing, Food & Beverage, Mining"


def test_inputs_are_not_mutated():
    typed = pd.Series(["制造"], dtype="string")
    industry_names(typed, TABLE, "zh")
    listed_industry_names(typed, TABLE, "zh")
    assert typed.tolist() == ["制造"]


def test_named_industries_let_a_rep_who_lists_one_spelling_cover_a_customer_typed_in_another():
    customers = pd.DataFrame({"customer_id": ["C1"], "name": ["甲"], "region": ["east"],
                              "industry": pd.array(["Manufacturing"], dtype="string"), "owner_rep": [None],
                              "potential_value": [100.0], "intent": [None]})
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["王敏", "李娜"], "region": ["east", "east"],
                         "industries": pd.array(["制造", "食品"], dtype="string"), "capacity": [10.0, 10.0]})
    orders = pd.DataFrame({"customer_id": pd.Series([], dtype="string"), "order_date": pd.to_datetime([]),
                           "amount": pd.Series([], dtype="float64"), "status": pd.Series([], dtype="string")})
    as_typed = allocate(customers, reps, orders, pd.Timestamp("2024-12-31"), region_names={"east": "华东"})
    assert "没有擅长Manufacturing的可分配销售" in as_typed["reason"].iloc[0]   # the spellings differ
    named = allocate(customers.assign(industry=industry_names(customers["industry"], TABLE, "zh")),
                     reps.assign(industries=listed_industry_names(reps["industries"], TABLE, "zh")), orders,
                     pd.Timestamp("2024-12-31"), region_names={"east": "华东"})
    assert named["rep_id"].tolist() == ["R1"] and "王敏擅长制造业" in named["reason"].iloc[0]


@pytest.mark.parametrize("entries, message", [
    ([{"code": "a", "zh": "甲", "en": "A", "aliases": ["x"]}, {"code": "b", "zh": "乙", "en": "B", "aliases": ["X"]}],
     "'X' names two industries: a and b"),
    ([{"code": "a", "zh": "", "en": "A"}], "at least 1 character"),
])
def test_an_ambiguous_or_incomplete_table_is_refused(entries, message):
    with pytest.raises(ValueError, match=message):
        IndustryTable.model_validate({"industries": entries})
