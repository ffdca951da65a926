"""report: the sections of the segments, funnel, allocation and quality reports, checked by hand
on the tiny project (tests/tiny_project.py); the value report's are in tests/reporting/test_sections_value.py.

Tiny project, 2025-Q4: east A (orders 08-01 120, 10-02 100, 12-01 300; a returned 80) and B (named
<script>, created 10-20, 12-31 50); south C (2024-11-11 500, 09-30 40, 10-09 200); unknown D (nothing).
Deals: D1 won (east, A, 09-15 -> 10-15, 1000), D2 lost (south, C, 08-01 -> 11-20, 700), D3 open (east,
B, 方案报价, 500). No reps, no interactions.
"""

from __future__ import annotations

import pandas as pd
import pytest

from custreport import report, schema, store
from custreport.render.tables import Table
from chart_pixels import chart_colours, rgb
from tiny_project import customers, deals, make_project, orders


@pytest.fixture
def project(tmp_path, monkeypatch):
    store_folder = make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    return store_folder


def _load(region: str = "all", locale: str = "zh") -> report.ReportContext:
    return report.load(region=region, period="2025-Q4", locale=locale)


def _rows(frame: pd.DataFrame) -> list[list]:
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False, name=None)]


# --------------------------------------------------------------------------- segments


def test_customer_movement(project):
    # before Q4 A and C were active; at its end A, B, C: A and C retained, B new (first bought in Q4)
    assert _rows(report.customer_movement_frame(_load())) == [
        ["新增客户", 1], ["持续活跃", 2], ["重新活跃", 0], ["转为流失", 0]]
    table = report.customer_movement(_load(locale="en"))
    assert isinstance(table, Table) and list(table.frame.columns) == ["Customer movement", "Customers"]


def test_place_pivot_is_by_region_for_the_company_and_by_province_for_a_region(project):
    company = report.pivot_frame(_load(), "region")
    # east A 400 (2 orders) + B 50; south C 200; unknown D no sales; total 650 over 4 orders
    assert company.index.name == "区域"
    assert company.index.tolist() == ["华东", "华南", "未知区域", "合计"]
    assert company.loc["华东", ["客户数", "购买客户数", "销售额", "订单数", "客单价"]].tolist() == [2, 2, 450.0, 3, 150.0]
    assert company.loc["合计", "占比"] == 1.0 and company.loc["华南", "占比"] == pytest.approx(200 / 650)
    assert report.place_pivot(_load()).frame.index.tolist() == company.index.tolist()
    east = report.place_pivot(_load("east"))
    assert east.frame.index.tolist() == ["浙江", "上海", "合计"] and east.total_row
    html = east.html()
    assert "¥400" in html and "88.9%" in html   # 400 / 450


def test_place_and_type_charts_keep_the_colours_of_regions_and_types(project):
    from custreport.charts import REGION_COLOURS, TYPE_COLOURS

    company = report.place_revenue_chart(_load())
    assert company.alt == "分地区销售 · 全公司"
    assert {rgb(REGION_COLOURS["east"]), rgb(REGION_COLOURS["south"])} <= chart_colours(company)
    east = chart_colours(report.place_revenue_chart(_load("east", locale="en")))
    assert rgb(REGION_COLOURS["east"]) in east and rgb(REGION_COLOURS["south"]) not in east
    # at the end of Q4 A, B and C are active and D a prospect; nobody has churned
    types = chart_colours(report.customer_types_chart(_load()))
    assert {rgb(TYPE_COLOURS["active"]), rgb(TYPE_COLOURS["prospect"])} <= types
    assert rgb(TYPE_COLOURS["churned"]) not in types
    # a region without customers gets a line of text, not an empty chart (or a warning in the report)
    assert "无数据" in report.customer_types_chart(_load("northwest")).data
    assert "本期没有销售额" in report.place_revenue_chart(_load("northwest")).data


def test_pivot_by_an_order_column_counts_buyers(project):
    table = report.pivot_frame(_load(locale="en"), "channel")
    # no order has a channel: one Unknown row with the three buyers
    assert table.index.name == "Channel" and table.index.tolist() == ["Unknown", "Total"]
    assert table.loc["Total", ["Customers", "Buyers", "Revenue", "Orders"]].tolist() == [3, 3, 650.0, 4]


def test_rfm_grid_and_map(project):
    # as of 2025-12-31: A 30 days, 3 orders, 520; B 0 days, 1, 50; C 83 days, 3, 740
    # -> R: B 5, A 3, C 1; F: A and C tie (4), B 1; M: B 1, A 3, C 5
    grid = report.rfm_grid_frame(_load())
    assert grid.index.tolist() == [5, 4, 3, 2, 1] and grid.columns.tolist() == [1, 2, 3, 4, 5]
    assert int(grid.to_numpy().sum()) == 3
    assert grid.loc[4, 3] == 1 and grid.loc[4, 1] == 1 and grid.loc[1, 5] == 1   # A, C, B
    chart = report.rfm_map(_load())
    assert chart.png.startswith(b"\x89PNG") and chart.alt == "RFM分层地图 · 全公司"


def test_rfm_segments_and_abc_tables(project):
    segments = report.rfm_segments(_load())
    counts = dict(zip(segments.frame["分层"], segments.frame["客户数"]))
    # A (3, 4, 3) Loyal Customers, B (5, 1, 1) New Customers, C (1, 4, 5) Can't Lose Them
    assert {k: v for k, v in counts.items() if v} == {"忠诚客户": 1, "新客户": 1, "不能失去": 1}
    assert len(segments.frame) == 12
    abc = report.abc_table(_load(locale="en"))
    # A 400 and C 200 make the first 80 % of 650; B 50 is B; D (no revenue) is C
    assert _rows(abc.frame[["Tier", "Customers", "Revenue"]]) == [["A", 2, 600.0], ["B", 1, 50.0], ["C", 1, 0.0]]
    assert "92.3%" in abc.html()   # 600 / 650


# --------------------------------------------------------------------------- funnel


def test_funnel_chart_table_and_summary(project):
    ctx = _load()
    assert report.funnel_chart(ctx).png.startswith(b"\x89PNG")
    table = report.funnel_stages(ctx)
    # D1 won reached every stage, D2 lost reached the first, D3 sits at 方案报价: 3, 2, 2, 1, 1
    assert table.frame["到达数"].tolist() == [3, 2, 2, 1, 1]
    assert table.frame["流失数"].tolist() == [0, 1, 0, 1, 0]
    assert "66.7%" in table.html()
    summary = report.funnel_summary(ctx).data
    assert "瓶颈在「商务谈判」" in summary and "只有 50.0%" in summary and "1 个止步于此前" in summary
    assert "共 3 个商机进入漏斗，1 个赢单（累计转化率 33.3%），另有 1 个在本期输单" in summary
    english = report.funnel_summary(_load("east", "en")).data
    # east: D1 and D3 only -> reached 2, 2, 2, 1, 1, nothing lost
    assert "The bottleneck is Negotiation" in english and "2 deals entered the funnel" in english
    assert "0 were lost" in english


def test_funnel_summary_without_deals(project):
    page = report.funnel_summary(report.load(region="all", period="2025-Q1")).data
    assert "本期没有在谈商机" in page


def test_deal_kpis_compare_with_the_previous_period(project):
    cards = report.deal_kpis(_load()).table.set_index("metric")
    assert cards.loc["deals_won", "value"] == 1 and cards.loc["deals_lost", "value"] == 1
    assert cards.loc["win_rate", "display"] == "50.0%" and cards.loc["won_value", "display"] == "¥1,000"
    assert cards.loc["median_cycle_days", "display"] == "30天"   # D1: 09-15 -> 10-15
    # open at the end of Q3: D1 (1000) and D2 (700); now D3 (500): (500 - 1700) / 1700
    assert cards.loc["pipeline_value", "vs_previous"] == pytest.approx(-0.7059)
    assert pd.isna(cards.loc["deals_won", "vs_previous"])   # nothing won in Q3
    assert "30 days" in report.deal_kpis(_load(locale="en"))._repr_html_()


def test_sales_cycle(project):
    frame = report.sales_cycle_frame(_load())
    # won D1 30 days; lost D2 08-01 -> 11-20 = 111 days
    assert _rows(frame) == [["赢单", 1, 30.0, 30.0, 30.0, 30.0], ["输单", 1, 111.0, 111.0, 111.0, 111.0]]
    east = report.sales_cycle_frame(_load("east", "en"))
    assert _rows(east)[1] == ["Lost", 0, None, None, None, None]


def test_win_rates_by_a_deal_column(project):
    frame = report.win_rates_frame(_load(), "region")
    assert frame.columns.tolist() == ["区域", "赢单数", "输单数", "在谈商机数", "赢单率", "赢单金额", "在谈金额",
                                      "销售周期中位数"]
    assert _rows(frame) == [["华东", 1, 0, 1, 1.0, 1000.0, 500.0, 30.0],
                            ["华南", 0, 1, 0, 0.0, 0.0, 0.0, None],
                            ["合计", 1, 1, 1, 0.5, 1000.0, 500.0, 30.0]]
    owners = report.win_rates(_load(), "owner_rep")   # no deal has an owner
    assert owners.frame.iloc[:, 0].tolist() == ["未知", "合计"] and owners.total_row


def test_deals_by_stage(project):
    frame = report.deals_by_stage_frame(_load())
    # in play in Q4: D1 (won 10-15), D2 (lost 11-20), D3 (open at 方案报价)
    assert {stage: (n, amount) for stage, n, amount in _rows(frame) if n} == {
        "方案报价": (1, 500.0), "赢单": (1, 1000.0), "输单": (1, 700.0), "合计": (3, 2200.0)}
    assert frame.iloc[-1, 0] == "合计"


# --------------------------------------------------------------------------- allocation


def test_allocation_overview(project):
    # no reps: all four unowned customers stay unassigned
    assert _rows(report.allocation_overview_frame(_load())) == [
        ["华东", 2, 0, 2], ["华南", 1, 0, 1], ["未知区域", 1, 0, 1], ["合计", 4, 0, 4]]
    east = report.allocation_overview(_load("east", "en"))
    assert _rows(east.frame) == [["East China", 2, 0, 2]] and not east.total_row
    assert east.frame.columns.tolist() == ["Region", "Customers to allocate", "Assigned", "Unassigned"]


def test_unassigned_reasons_and_list(project):
    ctx = _load()
    assert _rows(report.unassigned_reasons_frame(ctx)) == [
        ["华东区域没有销售", 2], ["区域未知，无法按区域分配销售", 1], ["华南区域没有销售", 1]]
    table = report.unassigned_customers(ctx, limit=3)
    # priority = 0.2 × recency: B bought on the last day (0.2), A 30 days before (0.2 × (1 − 30/365)),
    # C 83 days before; D never bought (0)
    assert table.frame["客户编号"].tolist() == ["B", "A", "C"]
    assert table.frame["优先级"].tolist() == pytest.approx([0.2, 0.2 * (1 - 30 / 365), 0.2 * (1 - 83 / 365)])
    assert table.caption == "按优先级列出前 3 位（共 4 位）；完整名单见 Excel 工作簿的「客户分配」表。"
    page = table.html()
    assert "&lt;script&gt;" in page and "<script>" not in page and "0.20" in page
    assert "区域" not in report.unassigned_customers(_load("east")).frame.columns   # one region: no column
    assert "No customer was assigned a rep." in report.allocation_table(_load(locale="en")).data


def test_allocation_table_and_workload_with_reps(project):
    reps = schema.conform(pd.DataFrame({"rep_id": ["R1"], "name": ["王敏"], "region": ["east"], "capacity": [1.0],
                                        "source": "test", "source_row": [2]}), "reps")
    accounting = pd.DataFrame([{"source": "test", "table": "customers", "files": 1, "rows_read": 6, "loaded": 4,
                                "merged": 1, "non_data": 0, "quarantined": 1}])
    store.write_snapshot(project, {"customers": customers(), "orders": orders(), "deals": deals(),
                                   "interactions": schema.empty_frame("interactions"), "reps": reps},
                         {"accounting": accounting},
                         {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}})
    ctx = _load("east")
    # B has the higher priority and takes R1's only place; A finds R1 full
    assigned = report.allocation_table(ctx)
    assert _rows(assigned.frame[["客户编号", "分配销售"]]) == [["B", "王敏"]]
    assert "华东区域客户；王敏分配后负责 1/1 个客户，是唯一可分配的销售" in assigned.html()
    assert _rows(report.unassigned_reasons_frame(ctx)) == [["华东区域唯一的销售王敏已满额（1/1）", 1]]
    workload = report.rep_workload(ctx)
    assert _rows(workload.frame[["销售", "分配前客户数", "已分配", "分配后客户数", "负荷率"]]) == [["王敏", 0, 1, 1, 1.0]]
    assert "100.0%" in workload.html()
    chart = report.workload_chart(ctx)
    assert chart.png.startswith(b"\x89PNG") and chart.caption.startswith("没有销售超出客户容量")
    assert chart.alt == "销售负荷 · 华东: 超出容量（0 位）"
    assert "本区域没有销售" in report.rep_workload(_load("south")).data


# --------------------------------------------------------------------------- quality


@pytest.fixture
def ingested(project):
    """A snapshot with the side tables an ingest writes: lineage, quarantine, fixes and accounting
    (an unbalanced source among them), each row with its region where it can be told.

    test (customers): A, B (east), C (south), D (unknown) loaded; row 6 merged into A; row 7 (no
    name, 上海) quarantined, east's. sales (orders): 4 rows of east and 3 of south loaded; row 12
    names an unknown customer (no region), row 13 an unreadable date of a south customer."""
    accounting = pd.DataFrame([
        {"source": "test", "table": "customers", "files": 1, "rows_read": 6, "loaded": 4, "merged": 1,
         "non_data": 0, "quarantined": 1},
        {"source": "sales", "table": "orders", "files": 2, "rows_read": 11, "loaded": 7, "merged": 0,
         "non_data": 1, "quarantined": 2}])
    region_accounting = pd.DataFrame({
        "source": ["test", "test", "test", "sales", "sales", "sales"],
        "table": ["customers"] * 3 + ["orders"] * 3, "region": pd.array(["east", "south", "unknown", "east",
                                                                        "south", pd.NA], dtype="string"),
        "loaded": [2, 1, 1, 4, 3, 0], "merged": [1, 0, 0, 0, 0, 0], "quarantined": [1, 0, 0, 0, 1, 1],
        "into_records": [1, 0, 0, 0, 0, 0]})
    lineage = pd.DataFrame({
        "source": ["test"] * 6 + ["sales"] * 2, "source_file": ["c.csv"] * 6 + ["o.csv"] * 2,
        "source_sheet": pd.array([pd.NA] * 8, dtype="string"), "source_row": pd.array(list(range(2, 10)), dtype="Int64"),
        "status": ["loaded", "loaded", "loaded", "loaded", "merged", "quarantined", "loaded", "loaded"],
        "record_id": ["A", "B", "C", "D", "A", None, "O1", "O3"]})
    quarantine = pd.DataFrame({
        "source": ["test", "sales", "sales"], "source_file": ["c.csv", "o.csv", "o.csv"],
        "source_sheet": pd.array([pd.NA, "华南", "华南"], dtype="string"),
        "source_row": pd.array([7, 12, 13], dtype="Int64"),
        "table": ["customers", "orders", "orders"], "column": ["name", "customer_name", "order_date"],
        "reason": ["missing customer name", "names a customer found in no customer source (or several equally)",
                   "unparseable order_date"],
        "value": [None, "<b>乙公司</b>", "昨天"], "region": pd.array(["east", pd.NA, "south"], dtype="string")})
    fixes = pd.DataFrame({
        "source": ["sales", "sales", "sales", "test", "test", "test"],
        "region": pd.array(["east", "south", pd.NA, "east", "east", "south"], dtype="string"),
        "fix": ["dates parsed", "dates parsed", "dates parsed", "phones normalised", "dates parsed", "dates parsed"],
        "count": [5, 3, 1, 2, 2, 1]})
    warnings = pd.DataFrame({
        "code": ["dedupe_window", "made_up"], "source": ["", "sales"], "count": [40, 3],
        "message": ["customer matching compared a block by its neighbours", "south rows hit a limit"],
        "remedy": ["raise max_block", "raise it"], "region": pd.array([pd.NA, "south"], dtype="string")})
    tables = {"customers": customers(), "orders": orders(), "deals": deals(),
              "interactions": schema.empty_frame("interactions"), "reps": schema.empty_frame("reps")}
    store.write_snapshot(project, tables, {"accounting": accounting, "lineage": lineage, "quarantine": quarantine,
                                           "fixes": fixes, "region_accounting": region_accounting,
                                           "warnings": warnings},
                         {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}})
    return project


def test_ingest_accounting_checks_every_source(ingested):
    frame = report.accounting_frame(_load())
    assert _rows(frame) == [["test", "customers", 1, 6, 4, 1, 0, 1, "相符"],
                            ["sales", "orders", 2, 11, 7, 0, 1, 2, "不符"],   # 7 + 0 + 1 + 2 = 10, not 11
                            ["合计", None, 3, 17, 11, 1, 1, 3, "不符"]]
    table = report.ingest_accounting(_load(locale="en"))
    assert table.total_row and table.frame.columns.tolist()[-1] == "Balanced" and table.frame.iloc[0, -1] == "yes"
    assert table.caption is None


def test_a_region_s_accounting_counts_its_own_rows_and_says_what_only_the_company_shows(ingested):
    east = report.ingest_accounting(_load("east"))
    assert east.frame.columns.tolist() == ["数据源", "数据表", "载入", "合并", "隔离"]
    assert _rows(east.frame) == [["test", "customers", 2, 1, 1], ["sales", "orders", 4, 0, 0], ["合计", None, 6, 1, 1]]
    assert "读取行数与非数据行" in east.caption and "全公司另有 1 行被隔离的数据无法判断所属区域" in east.caption
    assert _rows(report.accounting_frame(_load("south"))) == [
        ["test", "customers", 1, 0, 0], ["sales", "orders", 3, 0, 1], ["合计", None, 4, 0, 1]]
    assert "No source row belongs to this region." in report.ingest_accounting(_load("northwest", "en")).data


def test_accounting_counts_stay_exact(project):
    accounting = pd.DataFrame([{"source": "big", "table": "orders", "files": 1, "rows_read": 12345, "loaded": 12345,
                                "merged": 0, "non_data": 0, "quarantined": 0}])
    store.write_snapshot(project, {"customers": customers(), "orders": orders(), "deals": deals()},
                         {"accounting": accounting},
                         {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}})
    assert "12,345" in report.ingest_accounting(_load()).html()   # not 1.23万


def test_fixes_in_accounting_order_most_first_in_the_reports_language(ingested):
    assert _rows(report.fixes_frame(_load("all", "en"))) == [["test", "dates parsed", 3], ["test", "phones normalised", 2],
                                                             ["sales", "dates parsed", 9]]
    assert _rows(report.fixes_frame(_load())) == [["test", "已解析的日期", 3], ["test", "已规范的电话", 2],
                                                  ["sales", "已解析的日期", 9]]
    assert report.ingest_fixes(_load()).frame.columns.tolist() == ["数据源", "修正内容", "次数"]


def test_a_region_s_fixes_are_those_made_on_its_rows(ingested):
    east = report.ingest_fixes(_load("east", "en"))
    assert _rows(east.frame) == [["test", "dates parsed", 2], ["test", "phones normalised", 2],
                                 ["sales", "dates parsed", 5]]
    assert east.caption.startswith("1 more fixes were made on rows whose region cannot be told")
    assert _rows(report.fixes_frame(_load("south"))) == [["test", "已解析的日期", 1], ["sales", "已解析的日期", 3]]
    assert report.ingest_fixes(_load()).caption is None


def test_duplicates_merged_and_merged_customers(ingested):
    assert _rows(report.duplicates_frame(_load())) == [["test", "customers", 1, 1], ["合计", None, 1, 1]]
    assert _rows(report.duplicates_frame(_load("east"))) == [["test", "customers", 1, 1], ["合计", None, 1, 1]]
    assert "没有合并的重复记录" in report.duplicates_merged(_load("south")).data
    # A was built from rows 2 and 6 of the test source; it is east's, not south's
    assert _rows(report.merged_customers_frame(_load("east"))) == [["A", "杭州甲科技有限公司", 2, "test"]]
    assert report.merged_customers_frame(_load("south")).empty
    assert "None of the report&#x27;s customers" in report.merged_customers(_load("south", "en")).data


def test_quarantine_by_reason_and_sample(ingested):
    assert _rows(report.quarantine_reasons_frame(_load("all", "en"))) == [
        ["sales", "orders", "customer_name", "names a customer found in no customer source (or several equally)", 1],
        ["sales", "orders", "order_date", "unparseable order_date", 1],
        ["test", "customers", "name", "missing customer name", 1],
        ["Total", None, None, None, 3]]
    # ingest's words in the reader's language: no English reason, table or column in a Chinese report
    assert _rows(report.quarantine_reasons_frame(_load()))[0] == [
        "sales", "订单", "客户名称", "所写客户在任何客户来源中都找不到(或同样接近多个客户)", 1]
    company = report.quarantine_sample(_load())
    assert company.frame.columns.tolist() == ["数据源", "文件", "工作表", "行号", "列", "原因", "原值"]
    assert company.frame["行号"].tolist() == [12, 13, 7] and company.caption is None
    page = company.html()
    assert "&lt;b&gt;乙公司&lt;/b&gt;" in page and "<b>乙" not in page


def test_a_region_s_quarantine_is_its_own_rows_and_counts_those_of_no_region(ingested):
    east = report.quarantine_reasons(_load("east"))
    assert _rows(east.frame) == [["test", "客户", "客户名称", "缺少客户名称", 1], ["合计", None, None, None, 1]]
    assert "全公司另有 1 行被隔离的数据无法判断所属区域" in east.caption and "全公司报告（all）" in east.caption
    south = report.quarantine_sample(_load("south"))
    assert _rows(south.frame) == [["sales", "o.csv", "华南", 13, "下单日期", "无法解析的下单日期", "昨天"]]
    for region in ("east", "south"):   # the row of no region is no region's
        assert "乙公司" not in report.quarantine_sample(_load(region)).html()
    northwest = report.quarantine_reasons(_load("northwest", "en")).data
    assert "No row was quarantined." in northwest and "1 more quarantined rows" in northwest


def test_a_region_s_warnings_are_its_own_and_it_counts_the_company_wide_ones(ingested):
    assert _rows(report.ingest_warnings_frame(_load()))[0][1] == 40
    south = report.ingest_warnings(_load("south", "en"))
    assert _rows(south.frame) == [["sales", 3, "south rows hit a limit", "raise it"]]
    assert south.caption.startswith("1 ingest warnings concern the whole company")
    assert "1 条导入警告涉及全公司" in report.ingest_warnings(_load("east")).data


def test_a_snapshot_without_regions_of_rows_shows_its_quality_in_the_company_report_only(project):
    quarantine = pd.DataFrame({
        "source": ["sales"], "source_file": ["o.csv"], "source_sheet": pd.array([pd.NA], dtype="string"),
        "source_row": pd.array([12], dtype="Int64"), "table": ["orders"], "column": ["customer_name"],
        "reason": ["names a customer found in no customer source (or several equally)"], "value": ["乙公司"]})
    fixes = pd.DataFrame({"source": ["sales"], "fix": ["dates parsed"], "count": [9]})
    accounting = pd.DataFrame([{"source": "sales", "table": "orders", "files": 1, "rows_read": 10, "loaded": 9,
                                "merged": 0, "non_data": 0, "quarantined": 1}])
    store.write_snapshot(project, {"customers": customers(), "orders": orders(), "deals": deals()},
                         {"quarantine": quarantine, "fixes": fixes, "accounting": accounting},
                         {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}})
    east = _load("east")
    for shown in (report.ingest_accounting(east), report.ingest_fixes(east), report.duplicates_merged(east),
                  report.quarantine_reasons(east)):
        assert "此快照写于导入记录各行所属区域之前" in shown.data
    assert report.quarantine_sample(east).data == ""
    assert _rows(report.fixes_frame(_load())) == [["sales", "已解析的日期", 9]]
    assert len(report.quarantine_sample(_load())) == 1


@pytest.fixture
def contacts_in_text(project):
    """A snapshot whose free text carries contacts: an open complaint's note and a quarantined raw value."""
    interactions = schema.conform(pd.DataFrame({
        "customer_id": ["A"], "date": pd.to_datetime(["2025-11-02"]), "kind": ["complaint"], "status": ["open"],
        "note": ["请回电 13812345678 或 boss@jia.com"], "source": "test", "source_row": [2]}), "interactions")
    quarantine = pd.DataFrame({
        "source": ["sales"], "source_file": ["o.csv"], "source_sheet": pd.array([pd.NA], dtype="string"),
        "source_row": pd.array([12], dtype="Int64"), "table": ["orders"], "column": ["customer_name"],
        "reason": ["names a customer found in no customer source (or several equally)"],
        "value": ["张三 13900001111 zhang@san.cn"]})
    tables = {"customers": customers(), "orders": orders(), "deals": deals(), "interactions": interactions,
              "reps": schema.empty_frame("reps")}
    store.write_snapshot(project, tables, {"quarantine": quarantine},
                         {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}})
    return project


def test_contacts_typed_into_notes_and_raw_values_are_masked_unless_the_workbook_may_show_them(contacts_in_text):
    ctx = _load()
    assert report.open_complaints_frame(ctx)["最近记录"].tolist() == ["请回电 138****5678 或 b***@jia.com"]
    page = report.quarantine_sample(ctx).html()
    assert "张三 139****1111 z***@san.cn" in page and "13900001111" not in page and "zhang@san.cn" not in page
    sheets = {sheet.title: sheet.frame for sheet in report.workbook_sheets(ctx)[1:]}   # after the cover
    assert sheets["未结投诉"]["最近记录"].tolist() == ["请回电 138****5678 或 b***@jia.com"]
    assert sheets["隔离样本"]["原值"].tolist() == ["张三 139****1111 z***@san.cn"]
    analysis = contacts_in_text.parent.parent / "params" / "analysis.yaml"
    analysis.write_text("privacy:\n  show_full_contacts_in_workbook: true\n", encoding="utf-8")
    ctx = _load()
    sheets = {sheet.title: sheet.frame for sheet in report.workbook_sheets(ctx)[1:]}   # after the cover
    assert sheets["未结投诉"]["最近记录"].tolist() == ["请回电 13812345678 或 boss@jia.com"]
    assert sheets["隔离样本"]["原值"].tolist() == ["张三 13900001111 zhang@san.cn"]
    assert "13900001111" not in report.quarantine_sample(ctx).html()   # reports never show them


def test_quality_sections_without_side_tables(project):
    ctx = _load(locale="en")
    assert "No row was quarantined." in report.quarantine_reasons(ctx).data
    assert "Ingest hit no limit." in report.ingest_warnings(ctx).data
    assert report.quarantine_sample(ctx).data == ""
    assert "no data" in report.ingest_fixes(ctx).data
    # the tiny snapshot has accounting but no lineage: merged rows are known, the records they went into are not
    assert _rows(report.duplicates_frame(ctx)) == [["test", "customers", 1, None], ["Total", None, 1, None]]


# --------------------------------------------------------------------------- fix lists


def test_fix_lists_by_kind_and_owner_say_what_was_fixed_since_the_last_period(project):
    from custreport.reporting import fix_lists

    reps = schema.conform(pd.DataFrame({"rep_id": ["R1"], "name": ["王芳"], "region": ["east"]}), "reps")
    owned = customers().assign(owner_rep=["R1", "R1", None, None], industry=["制造业", None, "零售", "零售"])
    tables = {"customers": owned, "orders": orders(), "deals": deals(), "reps": reps}
    manifest = {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}}
    first = store.write_snapshot(project, tables, {}, manifest)
    ctx = _load("east")
    # no list kept for 2025-Q3: nothing can be said fixed, and no zero says it
    table = report.fix_list_kinds(ctx)
    assert table.caption.startswith("没有上期（2025-Q3）的待修正清单，无从比较哪些已修正")
    assert table.frame.columns.tolist() == ["本期待修正"]
    # Q3's lists, made before B got its industry and A its email
    fix_lists.period_problems(project, first, report.load(period="2025-Q3").period, report.load().settings, keep=True)
    store.write_snapshot(project, {**tables, "customers": owned.assign(industry="制造业")}, {}, manifest)
    frame = report.fix_kinds_frame(_load("east"))
    # east: R1 owns A (clean) and B (no phone, no email, and in Q3 no industry either)
    assert frame.columns.tolist() == ["本期待修正", "上期清单", "已修正", "新增"]
    assert _rows(frame.reset_index()) == [["缺少电话", 1, 1, 0, 0], ["缺少邮箱", 1, 1, 0, 0],
                                          ["缺少行业", 0, 1, 1, 0], ["合计", 2, 3, 1, 0]]
    owners = report.fix_owners_frame(_load("east", "en"))
    assert owners.columns.tolist() == ["Open now", "Last list", "Fixed", "Still open", "New", "No phone", "No email"]
    assert _rows(owners.reset_index()) == [["王芳 (R1)", 2, 3, 1, 2, 0, 1, 1], ["Total", 2, 3, 1, 2, 0, 1, 1]]
    caption = report.fix_list_kinds(_load("east", "en")).caption
    assert caption.startswith("Against the last list (2025-Q3): 1 fixed, 2 still open, 0 new.")
    # the south's list is the unassigned customers' (C), the company's every list
    assert report.fix_owners_frame(_load("south")).index.tolist() == ["未分配客户 · 华南", "合计"]
    assert report.fix_owners_frame(_load()).index.tolist() == ["王芳（R1）", "未分配客户 · 华南", "未分配客户 · 未知区域",
                                                                "合计"]
    # of more lists than the table holds, those with the most to fix; the total stays that of every list
    top = report.fix_list_owners(_load(), limit=2)
    # D (unknown region): no phone, email, owner, region or contact ever: 5; R1 2, and C in the south 2
    assert top.frame.index.tolist() == ["未分配客户 · 未知区域", "王芳（R1）", "合计"]
    assert top.caption == "待修正问题最多的 2 个清单（共 3 个）；合计为全部清单。"
    assert top.frame.loc["合计", "本期待修正"] == report.fix_owners_frame(_load()).loc["合计", "本期待修正"]


# --------------------------------------------------------------------------- every section, both languages


SECTIONS = ["customer_movement", "place_pivot", "rfm_map", "rfm_segments", "abc_table", "funnel_chart",
            "funnel_stages", "funnel_summary", "deal_kpis", "sales_cycle", "win_rates", "deals_by_stage",
            "value_summary", "clv_distribution", "clv_bands", "high_value_customers", "at_risk_rule",
            "at_risk_customers", "lost_rule", "lost_customers", "model_parameters",
            "allocation_overview", "allocation_table", "unassigned_reasons", "unassigned_customers", "rep_workload",
            "workload_chart", "ingest_accounting", "ingest_fixes", "duplicates_merged", "merged_customers",
            "quarantine_reasons", "quarantine_sample", "ingest_warnings", "fix_list_kinds", "fix_list_owners"]


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_section_renders_in_both_languages(ingested, locale):
    for region in ("all", "east", "unknown"):
        ctx = _load(region, locale)
        for name in SECTIONS:
            shown = getattr(report, name)(ctx)
            page = shown._repr_html_() if hasattr(shown, "_repr_html_") and not hasattr(shown, "data") else shown.data
            assert isinstance(page, str), name
            assert "<script>" not in page, name


def test_report_names_and_titles(project):
    names = {key: report.report_title(_load(), key) for key in ("summary", "segments", "funnel", "value",
                                                                 "allocation", "quality")}
    assert names == {"summary": "经营概览 · 全公司 · 2025-Q4", "segments": "客户分层 · 全公司 · 2025-Q4",
                     "funnel": "销售漏斗 · 全公司 · 2025-Q4", "value": "客户价值 · 全公司 · 2025-Q4",
                     "allocation": "客户分配 · 全公司 · 2025-Q4", "quality": "数据质量 · 全公司 · 2025-Q4"}
    assert report.report_title(_load("east", "en"), "value") == "Customer value · East China · 2025-Q4"
    assert "<h1>客户价值 · 华东 · 2025-Q4</h1>" in report.header(_load("east"), "value").data


# --------------------------------------------------------------------------- summary KPI cards


def _figures(basis: str, has_orders: bool, **extra) -> dict:
    return {"revenue_basis": basis, "has_order_lines": has_orders, "revenue": 1000.0, "orders": 0, "aov": None,
            "customers": {"total": 3, "new": 1, "active": 2, "churned": 1},
            "deals": {"won": 2, "win_rate": 0.5, "won_value": 1000.0, "pipeline_value": 700.0},
            "deltas": {"vs_previous": {"deals.won_value": 0.25}, "vs_year_ago": {}}, **extra}


def test_a_deals_only_summary_leads_with_won_value_and_never_shows_order_revenue():
    cards = report.kpi_table(_figures("won_deals", False), "en")
    assert cards["metric"].tolist()[:4] == ["won_value", "pipeline_value", "win_rate", "deals_won"]
    assert not {"revenue", "orders", "aov"} & set(cards["metric"])
    won = cards.set_index("metric").loc["won_value"]
    assert (won["label"], won["value"], won["vs_previous"]) == ("Won value", 1000.0, 0.25)
    # revenue: orders on a store without order lines: still no ¥0 revenue, and a note says why
    assert not {"revenue", "orders"} & set(report.kpi_table(_figures("orders", False), "zh")["metric"])
    assert "没有订单行" in report.revenue_note(_figures("orders", False), "zh")


def test_the_summary_says_what_revenue_is_unless_it_is_orders():
    assert report.revenue_note(_figures("orders", True), "en") == ""
    assert report.revenue_note(_figures("won_deals", True), "en") == \
        "Revenue is the value of deals won (set by revenue: in params/analysis.yaml)."
    assert "赢单金额" in report.revenue_note(_figures("won_deals", False), "zh")
    cards = report.KpiCards(report.kpi_table(_figures("won_deals", False), "zh"), "zh",
                            report.revenue_note(_figures("won_deals", False), "zh"))
    assert '<p class="note">销售额按赢单金额计' in cards._repr_html_()


def test_recurring_charges_add_cards_after_the_headline_ones():
    figures = _figures("orders", True, recurring={"monthly_active": 29.85, "monthly_lost": 124.55})
    metrics = report.kpi_table(figures, "en").set_index("metric")
    assert metrics.index.tolist()[-3:] == ["customers_churned", "monthly_active", "monthly_lost"]
    assert metrics.loc["monthly_lost", "value"] == 124.55 and metrics.loc["customers_churned", "value"] == 1


def test_a_customer_list_alone_shows_its_customers_and_charges():
    figures = _figures("won_deals", False, has_deals=False, recurring={"monthly_active": 29.85, "monthly_lost": 53.85})
    assert report.kpi_table(figures, "en")["metric"].tolist() == [
        "customers_total", "customers_new", "customers_active", "customers_churned", "monthly_active", "monthly_lost"]
    assert report.revenue_note(figures, "en").startswith("The data has no order lines and no deals")


def test_the_summary_cards_of_the_tiny_project_are_the_order_cards(project):
    ctx = _load()
    assert report.kpis(ctx).table["metric"].tolist() == list(report.ORDER_CARDS)
    assert report.kpis(ctx).note == ""


def test_open_deals_without_an_amount_are_said_under_the_cards():
    unknown = {"deals": {"open": 2089, "open_without_amount": 2089}}
    assert report.pipeline_note(unknown, "en") == \
        "None of the 2,089 open deals has an amount: the pipeline value is unknown, not 0."
    assert report.pipeline_note(unknown, "zh") == "2,089 个在谈商机都没有金额：在谈金额未知（不是 0）。"
    assert "1 个没有金额" in report.pipeline_note({"deals": {"open": 5, "open_without_amount": 1}}, "zh")
    assert report.pipeline_note({"deals": {"open": 5, "open_without_amount": 0}}, "en") == ""
    assert report.pipeline_note({}, "en") == ""
