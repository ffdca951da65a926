"""reporting.sections.value: the value report's key points, lists and appendix, checked by hand on
the tiny project (tests/tiny_project.py) with hand-made value figures in place of the fitted ones
(the fits have their own tests in tests/analysis/test_value.py). The period is 2025-Q4: as of
2025-12-31."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from custreport import report
from custreport.analysis.value import BgNbd, GammaGamma, ValueModels
from tiny_project import make_project

MODELS = ValueModels(BgNbd(r=0.5, alpha=5.0, a=1.0, b=3.0, log_likelihood=-10.0),
                     GammaGamma(p=2.0, q=5.0, gamma=100.0, log_likelihood=-5.0), customers=3)


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    return tmp_path


def _load(region: str = "all", locale: str = "zh") -> report.ReportContext:
    # a fresh context: the tests put their own value figures into it
    return report.load(region=region, period="2025-Q4", locale=locale, reuse=False)


def _values(rows: list[tuple]) -> pd.DataFrame:
    """customer_values rows: id, revenue to date, first and last purchase day, purchase days, P(alive),
    expected purchases, CLV."""
    ids, revenue, first, last, days, p_alive, purchases, clv = zip(*rows)
    return pd.DataFrame({
        "customer_id": pd.array(ids, dtype="string"), "revenue_to_date": list(revenue),
        "orders_to_date": list(days), "first_order": pd.to_datetime(list(first)),
        "last_order": pd.to_datetime(list(last)), "frequency": [n - 1 for n in days],
        "p_alive": list(p_alive), "expected_purchases": list(purchases), "clv": list(clv)})


# A (杭州甲科技有限公司) 800 of the 1,000 revenue to date: the only valuable customer (B's share
# before it is 0.8, not under). A's P(alive) 0.3 is at the floor: at risk, not lost. A's purchase
# days 2024-01-10 .. 2025-03-01 are 416 days apart over 4 gaps: a usual gap of 104 days, and 305
# days since (to 2025-12-31) = 2.9 times it.
TINY = [("A", 800.0, "2024-01-10", "2025-03-01", 5, 0.3, 0.5, 300.0),
        ("B", 150.0, "2025-01-05", "2025-12-01", 2, 0.9, 1.5, 100.0),
        ("C", 50.0, "2025-06-01", "2025-06-01", 1, 1.0, 1.0, 50.0)]


def _with(ctx: report.ReportContext, rows: list[tuple], models: ValueModels = MODELS) -> report.ReportContext:
    ctx.__dict__["customer_value"] = (_values(rows), models)   # cached_property slot
    return ctx


def _text(shown) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", shown.data))


def test_key_points_say_what_the_models_say_in_words(project):
    text = _text(report.value_summary(_with(_load(), TINY)))
    # P(alive) 0.3 + 0.9 + 1 = 2.2 still buying; 0.5 + 1.5 + 1 = 3 purchases in the next 13 weeks
    assert "3 位客户在期末前有过购买。按购买频率模型估计，其中约 2 位仍在继续购买，未来 13 周预计共购买约 3 次。" in text
    # CLV 300 + 100 + 50 = 450; the top tenth of 3 customers is 1 (A, 300 = 66.7 %)
    assert "预计共带来 ¥450（已按每月 1.0% 折现）；价值最高的 10% 客户（1 位）占其中 66.7%" in text
    assert "价值最高的是杭州甲科技有限公司（¥300）" in text
    # A's value at stake: 300 / 0.3 = 1,000 if still a customer, 0.7 of it gone = 700
    assert "1 位重要客户有流失迹象" in text and "约 ¥700 面临流失风险。「流失预警客户」列出全部 1 位。" in text
    assert "大概率已经流失" not in text   # nobody under 0.3
    # words only, in the report's language: no parameter, no English
    assert not re.search(r"[A-Za-z=γα]", text)
    english = _text(report.value_summary(_with(_load(locale="en"), TINY)))
    assert "about 2 of them are still buying, and expects about 3 purchases over the next 13 weeks" in english
    assert "Valuable customers slipping away: 1." in english and '(see "At-risk customers": all 1)' in english
    assert not re.search(r"[\u4e00-\u9fff]", english.replace("杭州甲科技有限公司", ""))


def test_the_appendix_holds_the_parameters_for_analysts(project):
    page = _text(report.model_parameters(_with(_load(), TINY)))
    # rate r/α = 0.1 a week, 0.1 × 365.25 / 7 = 5.2 a year; drop-out a / (a + b) = 25 %
    assert "r = 0.500，α = 5.000，a = 1.000，b = 3.000（对数似然 -10.00）" in page
    assert "客户平均每周购买 0.100 次（约每年 5.2 次），每次购买后不再回来的概率平均为 25.0%" in page
    # mean spend p·γ / (q − 1) = 200 / 4 = 50
    assert "p = 2.000，q = 5.000，γ = 100.00（对数似然 -5.00）。即每次复购平均 ¥50" in page
    english = _text(report.model_parameters(_with(_load(locale="en"), TINY)))
    assert "buys 0.100 times a week on average" in english and "worth ¥50 on average" in english


def test_a_missing_model_is_explained_in_the_reports_language(project):
    # east: A repeats, B bought once -> one repeat customer, too few for Gamma-Gamma
    ctx = _load("east")
    appendix = _text(report.model_parameters(ctx))
    assert "基于 2 位有购买的客户拟合" in appendix and "有复购的客户少于 2 位，无法拟合单次金额模型。" in appendix
    assert "needs" not in appendix
    assert "单次金额模型无法拟合（原因见附录）" in _text(report.value_summary(ctx))
    english = _text(report.model_parameters(_load("east", "en")))
    assert "Fewer than 2 customers made repeat purchases: the spend model cannot be fitted." in english
    # unknown: D never bought, nothing to fit
    nobody = _load("unknown")
    assert "有购买的客户太少（0 位）" in _text(report.value_summary(nobody))
    assert _text(report.model_parameters(nobody)).startswith("没有购买记录，无法拟合模型。")


def test_the_at_risk_list_shows_why_each_customer_is_on_it(project):
    ctx = _with(_load(), TINY)
    # the workbook's frame has the last purchase's date; the report's table says it in days
    assert report.at_risk_frame(ctx).columns.tolist() == [
        "客户编号", "客户名称", "累计销售额", "末单日期", "距上次购买（天）", "平常间隔（天）", "存活概率", "风险金额", "预警原因"]
    table = report.at_risk_customers(ctx)
    assert table.frame.columns.tolist() == ["客户编号", "客户名称", "累计销售额", "距上次购买（天）", "平常间隔（天）",
                                            "存活概率", "风险金额", "预警原因"]
    row = table.frame.iloc[0]
    assert (row["客户编号"], row["客户名称"], row["距上次购买（天）"], row["平常间隔（天）"]) == (
        "A", "杭州甲科技有限公司", 305, 104.0)
    assert row["风险金额"] == pytest.approx(700.0)
    assert row["预警原因"] == "存活概率低于 80%；未购买已达平常间隔 2.9 倍"
    assert table.caption == "全部 1 位，按风险金额排列；完整名单见 Excel 工作簿的「流失预警」表。"
    assert "30.0%" in table.html() and "¥700" in table.html()
    english = report.at_risk_customers(_with(_load(locale="en"), TINY))
    assert english.frame["Why listed"].tolist() == ["P(alive) under 80%; silent 2.9× their usual gap"]
    # everyone likely alive and on time: no list, a sentence
    calm = [("A", 800.0, "2024-01-10", "2025-12-20", 5, 0.9, 0.5, 300.0), *TINY[1:]]
    assert "没有出现流失迹象的重要客户" in report.at_risk_customers(_with(_load(), calm)).data
    unfitted = [row[:5] + (float("nan"), float("nan"), float("nan")) for row in TINY]
    assert "无法判断流失风险" in report.at_risk_customers(_with(_load(), unfitted, ValueModels(None, None, 3))).data


# Ten customers of 100 each: the first eight by id make the top 80 % of revenue to date. All at
# P(alive) 0.5, so each one's value at stake is its CLV (CLV / 0.5 × 0.5): K08 80 first.
MANY = [(f"K{i:02d}", 100.0, "2025-06-01", "2025-07-01", 2, 0.5, 1.0, 10.0 * i) for i in range(1, 11)]


def test_the_at_risk_list_says_it_shows_the_top_n_of_m_and_the_key_points_agree(project):
    analysis = project / "params" / "analysis.yaml"
    analysis.write_text(analysis.read_text(encoding="utf-8").replace("list_size: 20", "list_size: 3"),
                        encoding="utf-8")
    ctx = _with(_load(), MANY)
    table = report.at_risk_customers(ctx)
    assert table.frame["客户编号"].tolist() == ["K08", "K07", "K06"]
    assert table.caption.startswith("前 3 位（共 8 位），按风险金额排列")
    assert "8 位重要客户有流失迹象" in _text(report.value_summary(ctx)) and "列出前 3 位（共 8 位）" in _text(
        report.value_summary(ctx))
    assert report.metrics(ctx)["value"]["at_risk_customers"] == 8
    assert report.metrics(ctx)["value"]["at_risk_value_at_stake"] == 80 + 70 + 60 + 50 + 40 + 30 + 20 + 10
    english = _with(_load(locale="en"), MANY)
    assert report.at_risk_customers(english).caption.startswith("Top 3 of 8, by value at stake")
    assert '(see "At-risk customers": top 3 of 8)' in _text(report.value_summary(english))
    # the workbook's sheet, where the caption sends readers, holds all eight
    sheets = {sheet.title: sheet for sheet in report.workbook_sheets(ctx)}
    assert sheets["流失预警"].frame["客户编号"].tolist() == [f"K{i:02d}" for i in range(8, 0, -1)]


def test_lost_customers_are_counted_and_listed_apart(project):
    # A's P(alive) falls under 0.3: lost, no longer at risk
    gone = [TINY[0][:5] + (0.1,) + TINY[0][6:], *TINY[1:]]
    ctx = _with(_load(), gone)
    assert report.at_risk_frame(ctx).empty and "没有出现流失迹象的重要客户" in report.at_risk_customers(ctx).data
    lost = report.lost_customers(ctx)
    assert lost.frame.columns.tolist() == ["客户编号", "客户名称", "累计销售额", "距上次购买（天）", "平常间隔（天）",
                                           "存活概率"]
    assert lost.frame["客户编号"].tolist() == ["A"] and lost.caption == "全部 1 位，按累计销售额排列。"
    figures = report.metrics(ctx)["value"]
    assert (figures["at_risk_customers"], figures["lost_customers"]) == (0, 1)
    text = _text(report.value_summary(ctx))
    assert "另有 1 位重要客户的存活概率已低于 30%，大概率已经流失" in text and "没有重要客户出现流失迹象" in text
    assert "低于 30% 的客户" in _text(report.lost_rule(ctx))


def test_high_value_list(project):
    high = report.high_value_customers(_with(_load(), TINY))
    assert high.frame["客户编号"].tolist() == ["A", "B", "C"]   # CLV 300, 100, 50
    page = high.html()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page


def test_clv_distribution_and_bands(project):
    ctx = _load()
    values = pd.DataFrame({"customer_id": pd.array([f"K{i:02d}" for i in range(12)], dtype="string"),
                           "clv": [float(v) for v in range(12, 0, -1)]})
    ctx.__dict__["customer_value"] = (values, ValueModels(None, None, 12))
    frame = report.clv_bands_frame(ctx)
    # 12 customers in tenths: position × 10 // 12 -> 2, 1, 1, 1, 1, 2, 1, 1, 1, 1 customers; total 78
    assert frame["客户数"].tolist() == [2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 12]
    assert frame.iloc[0].tolist() == ["前10%", 2, 23.0, pytest.approx(23 / 78), 11.0]
    assert frame.iloc[5, 0] == "50–60%" and frame.iloc[5, 2] == 11.0   # 6 + 5
    assert frame.iloc[-1].tolist() == ["合计", 12, 78.0, 1.0, 1.0]
    assert report.clv_bands(ctx).total_row
    assert report.clv_distribution(ctx).png.startswith(b"\x89PNG")
    ctx.__dict__["customer_value"] = (values.assign(clv=float("nan")), ValueModels(None, None, 12))
    assert "无数据" in report.clv_distribution(ctx).data and "无数据" in report.clv_bands(ctx).data
