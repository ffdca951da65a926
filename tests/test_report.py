"""report: loading a region-period slice and every section's figures, checked by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from custreport.analysis.sales import top_from_ledger
from custreport import report
from custreport.errors import UserError
from tiny_project import make_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    store_folder = make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    return store_folder


def test_latest_period_is_the_last_full_quarter_of_the_data(project):
    ctx = report.load(region="all", period="latest")
    assert ctx.period.label == "2025-Q4"  # last order 2025-12-31 closes Q4


def test_region_accepts_names_and_aliases(project):
    assert report.load(region="华东", period="2025-Q4").region == "east"
    assert report.load(region="华东区", period="2025-Q4").region == "east"


def test_bad_parameters_are_one_line_user_errors(project):
    with pytest.raises(UserError, match="unknown region 'Mars'"):
        report.load(region="Mars", period="2025-Q4")
    with pytest.raises(UserError, match="unknown period '2025-Q5'"):
        report.load(region="all", period="2025-Q5")
    with pytest.raises(UserError, match="unknown locale 'fr'"):
        report.load(region="all", period="2025-Q4", locale="fr")


def test_company_metrics(project):
    figures = report.metrics(report.load(region="all", period="2025-Q4"))
    # 650 over 4 completed orders (the returned 80 is excluded); AOV 162.5
    assert figures["revenue"] == 650.0 and figures["orders"] == 4 and figures["aov"] == 162.5
    # A, B, C bought in the 365 days to 2025-12-31; D exists (no creation date) and never bought
    assert figures["customers"] == {"total": 4, "new": 1, "active": 3, "churned": 0, "prospect": 1}
    assert figures["deals"]["won"] == 1 and figures["deals"]["lost"] == 1 and figures["deals"]["open"] == 1
    assert figures["deals"]["win_rate"] == 0.5 and figures["deals"]["median_cycle_days"] == 30.0
    assert figures["deals"]["pipeline_value"] == 500.0
    # previous quarter 2025-Q3: 120 + 40 = 160 -> (650 - 160) / 160 = 3.0625
    assert figures["previous"]["revenue"] == 160.0
    assert figures["deltas"]["vs_previous"]["revenue"] == pytest.approx(3.0625)
    # a year ago, 2024-Q4: C's 500 -> (650 - 500) / 500 = 0.3
    assert figures["deltas"]["vs_year_ago"]["revenue"] == pytest.approx(0.3)
    assert figures["quality"] == {"rows_read": 6, "loaded": 4, "merged": 1, "non_data": 0, "quarantined": 1}


CONTRACT = {  # ../DESIGN.md: metrics.json keys other parts rely on
    "region": None, "period": {"label", "start", "end"},
    "customers": {"total", "new", "active", "churned", "prospect"}, "revenue": None, "orders": None, "aov": None,
    "deals": {"won", "lost", "open", "win_rate", "won_value", "pipeline_value", "open_without_amount",
              "median_cycle_days"},
    "funnel": None, "value": {"time_unit", "bgnbd", "gamma_gamma", "clv_12m_total"},
    "quality": {"rows_read", "loaded", "merged", "non_data", "quarantined"}, "deltas": {"vs_previous", "vs_year_ago"},
}


def test_metrics_fill_every_key_of_the_contract(project):
    figures = report.metrics(report.load(region="east", period="2025-Q4"))
    for key, inner in CONTRACT.items():
        assert key in figures, key
        if inner:
            assert inner <= set(figures[key]), key
    for row in figures["funnel"]:
        assert set(row) == {"stage", "reached", "step_conversion", "cumulative_conversion"}
    assert figures["value"]["time_unit"] == "weeks"


def test_analyses_in_metrics_by_hand(project):
    figures = report.metrics(report.load(region="all", period="2025-Q4"))
    # Before Q4 (2025-09-30): A and C active, B not created yet, D a prospect. At the end A, B, C
    # are active: A and C retained, B new; nobody lost or reactivated.
    assert figures["movement"] == {"new": 1, "retained": 2, "reactivated": 0, "lost": 0}
    # Deals in play in Q4 on the Chinese list: D1 won (reached every stage), D2 lost (reached the
    # first stage only), D3 open at 方案报价. Reached 3, 2, 2, 1, 1 -> steps 2/3, 1, 1/2, 1.
    assert [(row["stage"], row["reached"], row["step_conversion"]) for row in figures["funnel"]] == [
        ("初步接触", 3, None), ("需求确认", 2, 0.6667), ("方案报价", 2, 1.0), ("商务谈判", 1, 0.5), ("赢单", 1, 1.0)]
    assert figures["funnel_detail"] == {"stage_list": "chinese", "bottleneck": "商务谈判", "lost": 1, "unmapped": 0}
    assert {k: v for k, v in figures["deals_by_stage"].items() if v} == {"方案报价": 1, "赢单": 1, "输单": 1}
    # Q4 revenue A 400, C 200, B 50, D 0 (total 650): A and C make the first 80 % (C starts at 61.5 %),
    # B starts at 92.3 % -> B; D has none -> C.
    assert figures["segments"]["abc"] == {"A": {"customers": 2, "revenue": 600.0},
                                          "B": {"customers": 1, "revenue": 50.0},
                                          "C": {"customers": 1, "revenue": 0.0}}
    # No reps at all: every unowned customer stays unassigned, with a reason.
    assert figures["allocation"] == {"candidates": 4, "assigned": 0, "unassigned": 4}
    assert figures["service"]["interactions"] == 0 and figures["service"]["complaint_rate"] is None


def test_regional_metrics_add_up_to_the_company(project):
    company = report.metrics(report.load(region="all", period="2025-Q4"))
    parts = [report.metrics(report.load(region=code, period="2025-Q4")) for code in ("east", "south", "unknown")]
    assert sum(p["revenue"] for p in parts) == company["revenue"]
    assert sum(p["customers"]["total"] for p in parts) == company["customers"]["total"]
    assert parts[0]["revenue"] == 450.0  # east: 100 + 300 + 50


def test_sections_escape_customer_text(project):
    ctx = report.load(region="east", period="2025-Q4")
    page = report.top_customers(ctx).html()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in report.header(ctx).data


def test_top_movers_against_the_previous_quarter(project):
    # Q3 -> Q4 completed revenue: A 120 -> 400 (+280), C 40 -> 200 (+160), B 0 -> 50 (+50); nobody fell
    frame = report.top_movers_frame(report.load(region="all", period="2025-Q4"))
    assert list(frame.columns) == ["升降", "客户编号", "客户名称", "区域", "销售额", "上期销售额", "变化"]
    assert [[row[0], row[1], row[3], *row[4:]] for row in frame.itertuples(index=False, name=None)] == [
        ["↑", "A", "华东", 400.0, 120.0, 280.0], ["↑", "C", "华南", 200.0, 40.0, 160.0],
        ["↑", "B", "华东", 50.0, 0.0, 50.0]]
    east = report.top_movers(report.load(region="east", period="2025-Q4", locale="en"))
    assert list(east.frame.columns) == ["Trend", "Customer ID", "Customer name", "Revenue", "Previous period",
                                        "Change"]
    assert east.frame["Customer ID"].tolist() == ["A", "B"]
    page = east.html()
    assert "+¥280" in page and "&lt;script&gt;" in page and "<script>" not in page
    # 2024-Q4 -> 2025-Q1: C bought 500 on 2024-11-11 and nothing in 2025-Q1, a fall of 500
    later = report.top_movers_frame(report.load(region="south", period="2025-Q1"))
    assert later[["升降", "客户编号", "变化"]].values.tolist() == [["↓", "C", -500.0]]
    quiet = report.top_movers(report.load(region="unknown", period="2025-Q4"))
    assert "没有客户的销售额发生变化" in quiet.data and "2025-Q3" in quiet.data


def test_kpi_cards_show_values_and_deltas_per_locale(project):
    zh = report.kpis(report.load(region="all", period="2025-Q4", locale="zh"))
    en = report.kpis(report.load(region="all", period="2025-Q4", locale="en"))
    assert "销售额" in zh._repr_html_() and "Revenue" in en._repr_html_()
    revenue = zh.table.set_index("metric").loc["revenue"]
    assert revenue["display"] == "¥650" and revenue["vs_previous"] == pytest.approx(3.0625)


def test_customers_by_type_pivot_has_totals(project):
    table = report.customers_by_type_frame(report.load(region="all", period="2025-Q4"))
    assert table.loc["合计", "合计"] == 4
    assert table.loc["华东", "活跃客户"] == 2


def test_context_pivots_by_order_and_customer_columns_total_the_period(project):
    ctx = report.load(region="all", period="2025-Q4")
    revenue = report.metrics(ctx)["revenue"]
    for by in ("channel", "product", "status", "industry", "customer_type"):
        table = ctx.pivot(by)
        assert table.loc["合计", "revenue"] == pytest.approx(revenue), by


def test_workbook_sheets_mask_contacts_and_keep_period_sales(project):
    sheets = report.workbook_sheets(report.load(region="east", period="2025-Q4"))
    cover = sheets[0]                            # first: what the workbook covers, from which data
    assert cover.name == "封面" and dict(cover.facts)["数据截至"] == "2025-12-31"
    assert cover.sheets == sheets[1:]
    customers = sheets[1].frame
    assert list(customers["客户编号"]) == ["A", "B"]  # by period revenue: A 400, B 50
    assert customers.loc[0, "电话"] == "+86138****5678"
    assert customers.loc[0, "邮箱"] == "b***@jia.com"
    assert customers.loc[0, "销售额 (2025-Q4)"] == 400.0


def test_the_workbook_shows_full_contacts_only_when_the_analysis_file_says_so(project):
    analysis = project.parent.parent / "params" / "analysis.yaml"   # the store is <project>/data/clean
    analysis.write_text("privacy:\n  show_full_contacts_in_workbook: true\n", encoding="utf-8")
    ctx = report.load(region="east", period="2025-Q4")
    customers = report.workbook_sheets(ctx)[1].frame
    assert customers.loc[0, ["电话", "邮箱"]].tolist() == ["+8613812345678", "boss@jia.com"]
    # the frame every other caller gets stays masked
    assert report.customer_sheet_frame(ctx).loc[0, "电话"] == "+86138****5678"


def test_relative_periods_resolve_against_today(project):
    ctx = report.load(region="all", period="last-quarter", today=dt.date(2026, 1, 15))
    assert ctx.period.label == "2025-Q4"


def test_loading_the_same_slice_again_reuses_it_and_its_analyses(project):
    ctx = report.load(region="east", period="2025-Q4")
    figures = report.metrics(ctx)
    again = report.load(region="华东", period="2025-Q4")
    assert again is ctx and report.metrics(again) is figures
    assert report.load(region="east", period="2025-Q4", locale="en") is not ctx
    assert report.load(region="south", period="2025-Q4") is not ctx
    # other settings are another context
    analysis = project.parent.parent / "params" / "analysis.yaml"   # the store is <project>/data/clean
    text = analysis.read_text(encoding="utf-8")
    assert "active_days: 365" in text
    analysis.write_text(text.replace("active_days: 365", "active_days: 30"), encoding="utf-8")
    changed = report.load(region="east", period="2025-Q4")
    assert changed is not ctx
    # and so are other industry names
    industries = analysis.with_name("industries.yaml")
    industries.write_text(industries.read_text(encoding="utf-8").replace("zh: 制造业", "zh: 制造"), encoding="utf-8")
    assert report.load(region="east", period="2025-Q4") is not changed


def test_revenue_follows_the_definition_in_the_analysis_file(project):
    figures = report.metrics(report.load(region="all", period="2025-Q4"))
    # the store has order lines: auto means orders
    assert figures["revenue_basis"] == "orders" and figures["has_order_lines"] is True
    analysis = project.parent.parent / "params" / "analysis.yaml"   # the store is <project>/data/clean
    text = analysis.read_text(encoding="utf-8")
    assert "revenue: auto" in text
    analysis.write_text(text.replace("revenue: auto", "revenue: won_deals"), encoding="utf-8")
    won = report.metrics(report.load(region="all", period="2025-Q4"))
    assert won["revenue_basis"] == "won_deals"
    assert won["revenue"] == won["deals"]["won_value"] and won["orders"] == 4   # orders stay orders
    assert won["previous"]["revenue"] == won["previous"]["deals"]["won_value"]


def test_credit_lines_net_revenue_and_per_customer_figures(project, tmp_path):
    ctx = report.load(region="all", period="2025-Q4")
    credit = ctx.orders.iloc[[0]].assign(order_id="C-1", amount=-30.0, status="cancelled",
                                         order_date=pd.Timestamp("2025-12-20"))
    credit["order_key"] = ctx.orders["order_key"].max() + 1
    netted = dataclasses.replace(ctx, orders=pd.concat([ctx.orders, credit], ignore_index=True))
    figures = report.compute_metrics(netted)
    # 650 - 30, still 4 orders; the credit is a return, not an order
    assert (figures["revenue"], figures["orders"], figures["returns"]) == (620.0, 4, {"orders": 1, "amount": -30.0})
    customer = credit["customer_id"].iloc[0]
    before = ctx.ledger.set_index("customer_id").loc[customer]
    after = netted.ledger.set_index("customer_id").loc[customer]
    assert after["revenue_to_date"] == before["revenue_to_date"] - 30.0
    assert after["orders_to_date"] == before["orders_to_date"] and after["last_order"] == before["last_order"]


def test_without_order_lines_won_deals_are_the_revenue_and_the_purchases(project):
    ctx = report.load(region="all", period="2025-Q4")
    rows = {**ctx.snapshot.manifest["rows"], "orders": 0}
    deals_only = dataclasses.replace(ctx, orders=ctx.orders.iloc[:0],
                                     snapshot=dataclasses.replace(ctx.snapshot, manifest={**ctx.snapshot.manifest,
                                                                                          "rows": rows}))
    figures = report.compute_metrics(deals_only)
    assert (figures["revenue_basis"], figures["has_order_lines"]) == ("won_deals", False)
    # D1 won by A on 2025-10-15 for 1000: the revenue, and A's purchase (active, top customer)
    assert (figures["revenue"], figures["orders"], figures["aov"]) == (1000.0, 0, None)
    assert figures["customers"]["active"] == 1
    top = top_from_ledger(deals_only.ledger, deals_only.customers)
    assert top[["customer_id", "revenue"]].values.tolist() == [["A", 1000.0]]


def test_a_period_after_the_data_is_refused_naming_the_data_s_range(project):
    # the tiny project's dated data runs 2024-11-11 .. 2025-12-31
    for period in ("2026-Q1", "2027", "last-quarter@2026-12-04"):
        with pytest.raises(UserError, match=r"starts after the data ends: the data runs 2024-11-11 – 2025-12-31 "
                                            r"\(snapshot \w+\); choose a period within it"):
            report.load(region="all", period=period, locale="en")
    with pytest.raises(UserError, match="2023-Q1 .* ends before the data begins"):
        report.load(region="all", period="2023-Q1")


def test_a_period_the_data_ends_in_is_cut_marked_partial_and_compared_over_as_many_days(project):
    ctx = report.load(region="all", period="2025-07-01..2026-03-31", locale="en")
    assert (ctx.period.start, ctx.period.end, ctx.period.partial) == (dt.date(2025, 7, 1), dt.date(2025, 12, 31), True)
    assert ctx.period.previous.days == ctx.period.days == 184
    figures = report.compute_metrics(ctx)
    assert figures["period"]["partial"] and figures["period"]["token"] == "2025-07-01..2026-03-31@2025-12-31"
    assert figures["data_coverage"] == {"first": "2024-11-11", "last": "2025-12-31"}
    months = report.trend_months(ctx)
    assert (str(months[0]), str(months[-1]), len(months)) == ("2025-01", "2025-12", 12)
    page = report.header(ctx, "summary").data
    assert "Partial period: these figures cover 2025-07-01 – 2025-12-31 only, not all of 2025-07-01..2026-03-31 (to 2026-03-31)" in page
    assert "Data through</dt><dd>2025-12-31" in page
    zh = report.header(report.load(region="all", period="2025-07-01..2026-03-31"), "summary").data
    assert "不完整期间：数字仅覆盖 2025-07-01 – 2025-12-31" in zh
    covered = report.load(region="all", period="2025-Q4", locale="en")
    assert not covered.period.partial and "Partial period" not in report.header(covered).data
    assert str(report.trend_months(covered)[-1]) == "2025-12"
    assert report.trend_title(covered) == "Monthly revenue · Company-wide"


def test_won_deal_revenue_runs_to_the_last_deal_closed():
    ranges = {"orders": ["2024-01-01T00:00:00", "2024-03-31T00:00:00"], "deals": ["2024-01-05", "2024-05-02"],
              "deals_closed": ["2024-02-01", "2024-06-30T17:00:00"]}
    assert report.data_through({"data_range": ranges}, "won_deals") == pd.Timestamp("2024-06-30")
    assert report.data_through({"data_range": ranges}, "orders") == pd.Timestamp("2024-03-31")
    assert report.data_through({}, "orders") is None


# --------------------------------------------------------------------------- currencies


def _figures(**keys) -> dict:
    return {"revenue": 15000.0, "deltas": {"vs_previous": {}, "vs_year_ago": {}}, **keys}


@pytest.mark.parametrize("currency, zh, en", [
    ("USD", "US$1.50万", "$15.0K"),      # 15000 / 10^4; / 10^3
    ("GBP", "£1.50万", "£15.0K"),
    (None, "¥1.50万", "¥15.0K"),         # a metrics.json written before currencies: CNY
])
def test_kpi_cards_show_the_currency_of_the_figures(currency, zh, en):
    figures = _figures(**({"currency": currency, "currencies": [currency]} if currency else {}))
    for locale, shown in (("zh", zh), ("en", en)):
        assert report.kpi_table(figures, locale, keys=("revenue",))["display"].tolist() == [shown]


def test_kpi_cards_of_several_currencies_list_each_apart():
    figures = _figures(currency=None, currencies=["EUR", "USD"], revenue=None,
                       revenue_by_currency={"EUR": 6000.0, "USD": 13000.0}, aov=None,
                       aov_by_currency={"EUR": 2000.0, "USD": 3250.0})
    table = report.kpi_table(figures, "en", keys=("revenue", "aov"))
    assert table["display"].tolist() == ["€6,000 · $13.0K", "€2,000 · $3,250"]
    assert table["value"].isna().all()                       # never a sum
    note = report.summary_note({**figures, "revenue_basis": "orders", "has_order_lines": True}, "en")
    assert note.startswith("Amounts are in several currencies (EUR, USD): revenue, average order value, won value "
                           "and pipeline are shown per currency, never added") and "params/fx.yaml" in note
    assert report.currency_note({"currency": "USD", "currencies": ["EUR", "USD"]}, "zh") == ""   # converted


def _store_in_two_currencies(tmp_path, monkeypatch):
    """The tiny project with C's orders and deal in EUR, the rest in USD."""
    import tiny_project
    from custreport import schema, store

    folder = make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    orders = tiny_project.orders()
    deals = tiny_project.deals()
    tables = {"customers": tiny_project.customers(),
              "orders": orders.assign(currency=orders["customer_id"].map({"A": "USD", "B": "USD", "C": "EUR"})),
              "deals": deals.assign(currency=deals["customer_id"].map({"A": "USD", "B": "USD", "C": "EUR"})),
              "interactions": schema.empty_frame("interactions"), "reps": schema.empty_frame("reps")}
    manifest = {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}, "currencies": ["EUR", "USD"]}
    store.write_snapshot(folder, tables, {"accounting": pd.DataFrame([{"source": "test", "table": "orders"}])},
                         manifest)


def test_several_currencies_without_rates_are_never_added(tmp_path, monkeypatch):
    _store_in_two_currencies(tmp_path, monkeypatch)
    ctx = report.load(period="2025-Q4", locale="en", reuse=False)
    figures = report.metrics(ctx)
    # 2025-Q4 completed: A 100 + A 300 + B 50 in USD (3 orders), C 200 in EUR (1 order)
    assert (figures["currency"], figures["currencies"], figures["revenue"]) == (None, ["EUR", "USD"], None)
    assert figures["revenue_by_currency"] == {"EUR": 200.0, "USD": 450.0}
    assert figures["aov_by_currency"] == {"EUR": 200.0, "USD": 150.0} and figures["orders"] == 4
    # won D1 (A, 1000 USD); open D3 (B, 500 USD); C's deal was lost
    assert figures["deals"]["won_value_by_currency"] == {"EUR": 0.0, "USD": 1000.0}
    cards = report.deal_kpis(ctx).table.set_index("metric")["display"]
    assert (cards["won_value"], cards["pipeline_value"]) == ("€0 · $1,000", "€0 · $500")
    assert ctx.money(1234) == "EUR+USD 1,234"    # what per-customer tables show: marked as a mix


def test_with_rates_every_amount_is_in_the_reporting_currency(tmp_path, monkeypatch):
    _store_in_two_currencies(tmp_path, monkeypatch)
    (tmp_path / "params" / "fx.yaml").write_text(
        "reporting_currency: USD\nrates:\n  EUR: {2024-11: 1.05, 2025-09: 1.08, 2025-10: 1.1, 2025-11: 1.2}\n",
        encoding="utf-8")
    ctx = report.load(period="2025-Q4", locale="zh", reuse=False)
    figures = report.metrics(ctx)
    assert (figures["currency"], figures["fx"]) == ("USD", {"reporting_currency": "USD", "converted": ["EUR"]})
    assert figures["revenue"] == pytest.approx(450 + 200 * 1.1)     # C's 200 EUR of 2025-10-09
    assert figures["previous"]["revenue"] == pytest.approx(120 + 40 * 1.08)
    assert ctx.money(figures["revenue"]) == "US$670"


def test_the_workbook_says_amounts_of_several_currencies_as_the_cards_do(tmp_path, monkeypatch):
    _store_in_two_currencies(tmp_path, monkeypatch)
    ctx = report.load(period="2025-Q4", locale="en", reuse=False)
    sheet = next(sheet for sheet in report.workbook_sheets(ctx) if sheet.title == "Key figures")
    values = dict(zip(sheet.frame["Metric"], sheet.frame["Value"]))
    assert values["Revenue"] == "€200 · $450" and values["Orders"] == 4


def test_english_reports_name_stages_provinces_and_channels_as_params_give_them(project):
    # params/stages.yaml: chinese list en: (赢单 Won, 方案报价 Proposal); english.channels; regions.yaml provinces' en
    en = report.load(region="east", period="2025-Q4", locale="en")
    assert set(en.customers["province"].dropna()) == {"Zhejiang", "Shanghai"}
    stages = report.funnel_frame(en)
    assert list(stages[stages.columns[0]]) == ["Initial contact", "Needs confirmed", "Proposal", "Negotiation", "Won"]
    assert "Proposal" in set(report.deals_by_stage_frame(en).iloc[:, 0])
    zh = report.load(region="east", period="2025-Q4")
    assert set(zh.customers["province"].dropna()) == {"浙江", "上海"}
    assert list(report.funnel_frame(zh).iloc[:, 0])[-1] == "赢单"
