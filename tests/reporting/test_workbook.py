"""reporting.workbook: the region's workbook as written, opened with openpyxl: a cover first,
rates as percentages, amounts as money, totals outside the autofilter.

Tiny project, 2025-Q4 (tests/tiny_project.py): east A (400) and B (50), south C (200); deals D1
won and D2 lost, so the company's win rate is 1 / 2.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from custreport import report
from custreport.render.excel import write_workbook
from tiny_project import make_project

GENERATED = dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.timezone.utc)
# Headers naming a rate or a share, in either language.
RATE = re.compile(r"率|占比|概率|转化|share|rate|conversion|utilisation|p\(alive\)|→", re.IGNORECASE)


@pytest.fixture
def project(tmp_path, monkeypatch):
    store_folder = make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    return store_folder


def _written(tmp_path, region: str, locale: str = "zh"):
    ctx = report.load(region=region, period="2025-Q4", locale=locale)
    path = write_workbook(tmp_path / f"{region}.xlsx", report.workbook_sheets(ctx, generated_at=GENERATED))
    return ctx, load_workbook(path)


def test_the_first_sheet_is_a_cover_naming_the_report_its_data_and_every_sheet(project, tmp_path):
    ctx, workbook = _written(tmp_path, "east")
    cover = workbook.worksheets[0]
    assert cover.title == "封面"
    rows = [[cell.value for cell in row] for row in cover.iter_rows()]
    assert rows[0][0] == "数据工作簿 · 华东 · 2025-Q4"
    facts = {row[0]: row[1] for row in rows[2:] if row[0] and row[1]}
    assert facts["区域"] == "华东" and facts["期间"] == "2025-Q4（2025-10-01 – 2025-12-31）"
    assert facts["数据截至"] == "2025-12-31" and facts["数据快照"] == ctx.snapshot.id
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", facts["快照时间"])
    assert facts["生成时间"] == "2026-01-05 08:30 UTC"
    listed = rows[rows.index(["工作表", "内容"]) + 1:]
    assert [name for name, _ in listed] == workbook.sheetnames[1:]
    assert all(description for _, description in listed)


def test_every_rate_and_share_is_a_percentage_and_every_amount_money(project, tmp_path):
    for region, locale in (("east", "zh"), ("all", "en")):
        _, workbook = _written(tmp_path, region, locale)
        checked = 0
        for sheet in workbook.worksheets[1:]:
            headers = [cell.value for cell in sheet[1]]
            for column, header in enumerate(headers, start=1):
                if not isinstance(header, str) or not RATE.search(header):
                    continue
                for row in range(2, sheet.max_row + 1):
                    cell = sheet.cell(row, column)
                    if isinstance(cell.value, (int, float)):
                        assert cell.number_format == "0.0%", (sheet.title, header, row)
                        checked += 1
        assert checked > 20, region


def test_key_figures_show_each_in_its_format(project, tmp_path):
    _, workbook = _written(tmp_path, "all", "en")
    sheet = workbook["Key figures"]
    values = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert (values["Win rate"].value, values["Win rate"].number_format) == (0.5, "0.0%")
    assert (values["Revenue"].value, values["Revenue"].number_format) == (650.0, '"¥"#,##0.00')
    assert (values["Orders"].value, values["Orders"].number_format) == (4, "#,##0")


def test_totals_stay_below_every_autofilter(project, tmp_path):
    _, workbook = _written(tmp_path, "all")
    totals = 0
    for sheet in workbook.worksheets[1:]:
        if sheet.auto_filter.ref is None:
            continue
        _, _, _, last = range_boundaries(sheet.auto_filter.ref)
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row, 1).value == "合计":
                assert row > last and sheet.cell(row, 1).font.b, sheet.title
                totals += 1
    assert totals >= 5   # the pivot, the four sales pivots, the value tiers
    pivot = workbook["销售-区域"]
    assert pivot.auto_filter.ref == "A1:G4" and pivot["A5"].value == "合计"   # 华东, 华南, 未知区域; then 合计


def test_targets_and_their_attainment_are_in_the_key_figures_and_a_targets_sheet(project, tmp_path):
    # east: revenue 450 against 500 (90%), win rate 100% against 50%; a rep owning none of its customers
    (tmp_path / "params" / "targets.yaml").write_text(
        "targets:\n  - {region: east, period: 2025-Q4, revenue: 500, win_rate: 50%}\n"
        "  - {region: east, period: 2025-Q4, rep: 张伟, revenue: 100}\n", encoding="utf-8")
    _, workbook = _written(tmp_path, "east")
    targets = [[cell.value for cell in row] for row in workbook["目标达成"].iter_rows()]
    assert targets[0] == ["对象", "指标", "目标", "折算目标", "实际", "目标达成率"]
    assert targets[1:4] == [["华东", "销售额", 500, 500, 450, 0.9], ["华东", "赢单率", 0.5, 0.5, 1, 2],
                            ["张伟", "销售额", 100, 100, 0, 0]]
    formats = [[cell.number_format for cell in row] for row in workbook["目标达成"].iter_rows(min_row=2, max_row=3)]
    assert formats[0][2:] == ['"¥"#,##0.00'] * 3 + ["0.0%"] and formats[1][2:] == ["0.0%"] * 4
    kpis = {row[0].value: row for row in workbook["关键指标"].iter_rows(min_row=2)}
    assert [cell.value for cell in kpis["销售额"]][4:6] == [500, 0.9]


def test_a_rate_s_change_in_the_key_figures_is_in_points(project):
    from custreport.reporting.workbook import _kpi_sheet

    sheet = _kpi_sheet(report.load(region="all", period="2025-Q4"), '"¥"#,##0.00')
    rows = sheet.frame["指标"].tolist()
    win_rate = rows.index("赢单率")
    assert sheet.row_formats["环比"][win_rate] == '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"'
    assert sheet.row_formats["环比"][rows.index("销售额")] == "0.0%"


def test_a_long_customer_list_keeps_its_top_rows_and_names_the_file_with_them_all(project, tmp_path):
    (tmp_path / "params" / "analysis.yaml").write_text("workbook:\n  customer_rows: 1\n", encoding="utf-8")
    for locale, expected in (("zh", "按本期销售额排前 1 位（期末共 2 位客户）；完整名单见 east_customers.csv。"),
                             ("en", "Top 1 of 2 customers at the period end, by the period's revenue; "
                                    "full list in east_customers.csv.")):
        _, workbook = _written(tmp_path, "east", locale)
        customers = workbook.worksheets[1]
        rows = [[cell.value for cell in row] for row in customers.iter_rows()]
        assert rows[1][:2] == ["A", "杭州甲科技有限公司"]   # 400 of revenue before B's 50
        assert [row[0] for row in rows[2:]] == [expected]
        assert [expected] == [row[1] for row in workbook.worksheets[0].iter_rows(values_only=True)
                              if row[0] == customers.title]


def test_the_region_files_list_every_customer_beside_the_workbook(project, tmp_path):
    from custreport.reporting.jobs import write_region_files

    (tmp_path / "params" / "analysis.yaml").write_text("workbook:\n  customer_rows: 1\n", encoding="utf-8")
    ctx = report.load(region="east", period="2025-Q4")
    written = write_region_files("east", "2025-Q4", str(ctx.snapshot.path.parent.parent), "zh", ctx.snapshot.id,
                                 str(tmp_path), "east.xlsx")
    assert written[-3:] == ["east.xlsx", "east_customers.csv", "fix_lists/unassigned.xlsx"]   # no reps
    lines = (tmp_path / "east_customers.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines] == ['"客户编号"', '"A"', '"B"']
