"""run_index: the run's index page, each region with its headline figures, links and status."""

from __future__ import annotations

import json

from custreport import run_index

FILES = ["all.xlsx", "en/all.xlsx", "en/summary.html", "en/summary.pdf", "metrics.json", "quality.html",
         "quality.ipynb", "quality.pdf", "segments.html", "summary.html", "summary.ipynb", "summary.pdf",
         "trend.png", "zz_extra.html"]


def _figures(**changes) -> dict:
    figures = {"revenue_basis": "orders", "has_order_lines": True, "has_deals": True, "currency": "CNY",
               "revenue": 15000.0, "customers": {"total": 1008, "new": 99}, "deals": {"win_rate": 0.1377},
               "deltas": {"vs_previous": {"revenue": 0.25, "customers.total": 0.0, "deals.win_rate": -0.061},
                          "vs_year_ago": {}}}
    return {**figures, **changes}


def test_a_region_shows_revenue_with_its_change_customers_new_customers_and_win_rate():
    shown = run_index.region_figures(_figures(), "en")
    assert [(f["label"], f["value"]) for f in shown] == [
        ("Revenue", "¥15.0K"), ("Customers", "1,008"), ("New customers", "99"), ("Win rate", "13.8%")]
    assert [(f["change"], f["direction"], f["tone"]) for f in shown] == [
        ("vs previous +25.0%", "up", "good"), ("vs previous +0.0%", "flat", "flat"), ("", "flat", "flat"),
        ("vs previous -6.1 pp", "down", "bad")]


def test_a_region_shows_its_headline_and_a_change_coloured_by_the_figure_s_direction():
    figures = _figures(headline={"zh": "华东 2025-Q4 销售额 ¥1.50万，环比 +25.0%", "en": "East"},
                       directions={"revenue": "down"},
                       targets={"revenue": {"goal": 12000.0, "attainment": 1.25, "met": True}})
    entry = run_index.region_entry("east", "华东", FILES, figures, None, "zh")
    assert entry["headline"] == "华东 2025-Q4 销售额 ¥1.50万，环比 +25.0%"
    revenue = entry["figures"][0]
    assert revenue["tone"] == "bad" and revenue["target"] == "目标 ¥1.20万 · 达成 125%"


def test_a_business_without_order_lines_shows_what_its_summary_leads_with():
    figures = _figures(revenue_basis="won_deals", has_order_lines=False)
    assert run_index.index_cards(figures) == ("won_value", "pipeline_value", "win_rate", "deals_won")
    assert run_index.region_figures(None, "zh") == []


def test_the_summary_leads_the_other_reports_are_grouped_in_reading_order_and_the_rest_kept_apart():
    entry = run_index.region_entry("all", "全公司", FILES, _figures(), None, "zh")
    assert entry["ok"] and entry["problem"] is None
    assert entry["main"]["name"] == "经营概览"
    assert [(link["href"], link["text"]) for link in entry["main"]["links"]] == [
        ("all/summary.html", "网页版"), ("all/summary.pdf", "PDF")]
    assert [report["name"] for report in entry["reports"]] == ["客户分层", "数据质量", "zz_extra"]
    assert entry["workbook"] == {"href": "all/all.xlsx", "text": "Excel 工作簿"}
    assert entry["languages"] == [{"name": "English", "links": [
        {"href": "all/en/summary.html", "text": "经营概览 网页版"}, {"href": "all/en/summary.pdf", "text": "经营概览 PDF"},
        {"href": "all/en/all.xlsx", "text": "Excel 工作簿"}]}]
    assert [link["text"] for link in entry["more"]] == ["metrics.json", "quality.ipynb", "summary.ipynb", "trend.png"]


def test_the_page_of_a_run_says_every_region_s_state(tmp_path, monkeypatch):
    from custreport.runner import JobResult, RunRequest, RunSummary
    from tiny_project import make_project

    make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    folder = tmp_path / "outputs" / "2025-Q4"
    for region, files in (("east", ["metrics.json", "summary.html", "summary.pdf"]), ("south", ["summary.html"])):
        (folder / region).mkdir(parents=True)
        (folder / region / "job.json").write_text(json.dumps({"files": files, "failed": []}), encoding="utf-8")
    (folder / "east" / "metrics.json").write_text(json.dumps(_figures()), encoding="utf-8")
    request = RunRequest.build(period="2025-Q4", reports="summary", regions="east,south", formats="html,pdf")
    summary = RunSummary("2025-Q4", folder, [JobResult("south", False, 1.0, ["summary.html"], "value: 出错")], 1.0)
    run_index.write_index(request, summary)
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "2 个区域中有 1 个未能全部生成：华南。" in page
    assert "未能全部生成：value: 出错" in page and "没有该区域的指标" in page
    east = page.split('id="region-east"')[1].split('id="region-south"')[0]
    assert "¥1.50万" in east and "✓ 已完成" in east and 'class="index-button" href="east/summary.pdf"' in east


def test_a_regions_fix_lists_are_among_its_other_files_never_a_language():
    files = [*FILES, "fix_lists/S0001.xlsx", "fix_lists/unassigned.xlsx", "en/fix_lists/S0001.xlsx"]
    entry = run_index.region_entry("all", "全公司", files, _figures(), None, "zh")
    assert [language["name"] for language in entry["languages"]] == ["English"]
    assert [link["text"] for link in entry["more"]][-3:] == ["en/fix_lists/S0001.xlsx", "fix_lists/S0001.xlsx",
                                                             "fix_lists/unassigned.xlsx"]
    assert {"href": "all/fix_lists/S0001.xlsx", "text": "fix_lists/S0001.xlsx"} in entry["more"]
