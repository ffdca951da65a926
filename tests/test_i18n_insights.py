"""Insights and the headline in words, in both languages, from hand-made records."""
from __future__ import annotations

import pandas as pd
import pytest

from custreport.analysis import insights as engine
from custreport.i18n.insights import headline_sentence, insight_sentence, money, signed_money

WORDS = {"region": "华东", "period": "2025-Q4", "currency": "CNY",
         "group_name": lambda dimension, value: {"manufacturing": "制造业"}.get(value, value)}


def _record(insight):
    return insight.as_dict()


def test_money_in_sentences_reads_like_a_report():
    assert money(33_529_000, "zh", "CNY") == "¥3,353万"
    assert money(6_120_000, "zh", "CNY") == "¥612.0万"
    assert money(1.5e8, "zh", "CNY") == "¥1.50亿"
    assert money(33_529_000, "en", "USD") == "$33.5M"
    assert signed_money(-1_200_000, "zh", "CNY") == "−¥120.0万" and signed_money(0, "en", "CNY") == "¥0"


def test_the_bridge_names_its_three_largest_parts_in_both_languages():
    bridge = engine.bridge_insight(engine.revenue_bridge(pd.Series({"A": 1_500_000.0, "B": 200_000.0, "D": 450_000.0}),
                                                         pd.Series({"A": 1_000_000.0, "B": 600_000.0, "C": 300_000.0}),
                                                         {"D"}))
    assert insight_sentence(_record(bridge), "zh", WORDS) == \
        "销售额较上期增加 ¥25.00万：老客户增购 +¥50.00万，新客户 +¥45.00万，老客户减购 −¥40.00万。"
    assert insight_sentence(_record(bridge), "en", WORDS) == ("Revenue rose ¥250.0K on the previous period: existing "
                                                              "customers buying more +¥500.0K, new customers +¥450.0K, "
                                                              "existing customers buying less −¥400.0K.")


@pytest.mark.parametrize("locale, expected", [
    ("zh", "订单数+20.0%（贡献 +¥200），客单价+10.0%（贡献 +¥120）。"),
    ("en", "Orders +20.0% (+¥200), average order value +10.0% (+¥120)."),
])
def test_volume_and_price_in_words(locale, expected):
    assert insight_sentence(_record(engine.volume_price(1320.0, 12, 1000.0, 10)), locale, WORDS) == expected


@pytest.mark.parametrize("locale, driver, detractor", [
    ("zh", "按行业看，增长主要来自制造业（+¥70）、零售（+¥50）。", "按行业看，拖累最大的是物流（−¥40）。"),
    ("en", "By industry, growth came mostly from 制造业 (+¥70), 零售 (+¥50).", "By industry, the largest drags were 物流 (−¥40)."),
])
def test_drivers_and_detractors_in_words(locale, driver, detractor):
    table = engine.contributions(pd.Series({"manufacturing": 170.0, "零售": 150.0, "物流": 20.0}),
                                 pd.Series({"manufacturing": 100.0, "零售": 100.0, "物流": 60.0}))
    found = {i.kind: i for i in engine.driver_insights(table, "industry", 340.0)}
    assert insight_sentence(_record(found["driver"]), locale, WORDS) == driver
    assert insight_sentence(_record(found["detractor"]), locale, WORDS) == detractor


@pytest.mark.parametrize("kind, locale, expected", [
    ("concentration", "zh", "最大客户甲贡献本期销售额的 50.0%（上期 40.0%）；前 2 位客户合计 80.0%（上期 80.0%）。"),
    ("concentration", "en", "The largest customer, 甲, brought 50.0% of revenue (previous period 40.0%); the top 2 "
                            "brought 80.0% (previous 80.0%)."),
    ("unusual", "zh", "本期销售额 ¥150，比按过去 4 期走势预计的 ¥108 高出 ¥42，远超平时波动，属异常增长。"),
    ("unusual", "en", "Revenue of ¥150 is ¥42 above the ¥108 the trend of the last 4 periods points to, far beyond the "
                      "usual swings: an unusual rise."),
    ("outlier", "zh", "1 笔订单远大于平常：最大一笔 ¥2,000（大客户），是中位订单的 20 倍。"),
    ("outlier", "en", "Orders far larger than usual: 1; the largest, ¥2,000 (大客户), is 20× the median order."),
    ("coverage", "zh", "在途商机 ¥150，是本期赢单金额 ¥100 的 1.5 倍（健康水平 3 倍）；按本期赢单率 25.0% 预计可成交 ¥38。"),
    ("coverage", "en", "Open pipeline of ¥150 covers 1.5× the ¥100 deals won this period (healthy: 3×); at this "
                       "period's 25.0% win rate it should bring ¥38."),
    ("attainment", "zh", "销售额完成目标的 120%（¥60，目标 ¥50，按已过天数折算），已达成。"),
    ("attainment", "en", "Revenue reached 120% of its target (¥60 against ¥50, pro-rated for the days elapsed): met."),
])
def test_every_kind_reads_in_both_languages(kind, locale, expected):
    insight = {
        "concentration": lambda: engine.concentration_insight(pd.Series({"A": 50.0, "B": 30.0, "C": 20.0}),
                                                              pd.Series({"A": 20.0, "B": 20.0, "C": 10.0}),
                                                              {"A": "甲"}, top=2),
        "unusual": lambda: engine.unusual_insight("revenue", 150.0, [100.0, 102.0, 104.0, 106.0], 150.0),
        "outlier": lambda: engine.order_outliers(pd.Series([100.0] * 12 + [2000.0], index=[f"o{i}" for i in range(13)]),
                                                 3200.0, {"X": "大客户"}, pd.Series({"o12": "X"})),
        "coverage": lambda: engine.coverage_insight(150.0, 100.0, 0.25, 200.0, "run_rate"),
        "attainment": lambda: engine.attainment_insight("revenue", 60.0, 100.0, "money", "up", 100.0, prorated=0.5),
    }[kind]()
    assert insight_sentence(_record(insight), locale, WORDS) == expected


def test_the_headline_names_the_change_and_its_main_cause_either_way():
    figures = {"revenue": 33_529_000.0, "revenue_basis": "orders", "deltas": {"vs_previous": {"revenue": 0.429}}}
    up = {"part": "new", "group": "manufacturing", "amount": 6_120_000.0}
    assert headline_sentence(figures, {"change": 1e7}, up, "zh", WORDS) == \
        "华东 2025-Q4 销售额 ¥3,353万，环比 +42.9%，主要来自制造业新客户（+¥612.0万）"
    assert headline_sentence(figures, {"change": 1e7}, up, "en", WORDS) == \
        "华东 2025-Q4: revenue ¥33.5M, +42.9% on the previous period, driven mostly by new customers in 制造业 (+¥6.1M)"
    down = {**figures, "deltas": {"vs_previous": {"revenue": -0.1}}}
    lost = {"part": "lost", "group": None, "amount": -2_000_000.0}
    assert headline_sentence(down, {"change": -1e6}, lost, "zh", WORDS).endswith("环比 -10.0%，主要因客户未复购（−¥200.0万）")
    assert headline_sentence({"revenue": 5.0, "deltas": {}}, None, None, "zh", WORDS) == \
        "华东 2025-Q4 销售额 ¥5（上期无可比数据）"


def test_a_headline_over_several_currencies_names_each_and_adds_none():
    figures = {"revenue": None, "revenue_by_currency": {"EUR": 1000.0, "USD": 2000.0}, "deltas": {}}
    text = headline_sentence(figures, None, None, "en", {**WORDS, "currency": "EUR+USD"})
    assert "€1,000" in text and "$2,000" in text and "—" not in text
