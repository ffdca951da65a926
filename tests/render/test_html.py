"""render.html: an executed notebook becomes a self-contained page without code."""

import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from custreport.render.html import index_page, notebook_to_html


def _executed_notebook():
    return new_notebook(cells=[
        new_markdown_cell("# Analyst notes\nnot for readers", metadata={"tags": ["notes"]}),
        new_code_cell("region = 'all'", metadata={"tags": ["parameters"]}),
        new_code_cell("secret_code()", outputs=[
            new_output("execute_result", data={"text/markdown": "## 关键指标", "text/plain": "x"}, execution_count=1)]),
        new_code_cell("report.kpis(ctx)", outputs=[
            new_output("display_data", data={"text/html": "<div class=\"kpi\">42</div>", "text/plain": "x"})]),
        new_code_cell("chart()", outputs=[
            new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "fig"})]),
        new_markdown_cell("## Second section\nSome narrative."),
        new_code_cell("print(1)", outputs=[new_output("stream", name="stderr", text="a warning")]),
    ])


def test_page_has_outputs_but_no_code_prompts_or_hidden_cells():
    page = notebook_to_html(_executed_notebook(), title="经营概览 · 华东", locale="zh")
    assert '<div class="kpi">42</div>' in page
    assert "secret_code" not in page and "region = " not in page
    assert "Analyst notes" not in page  # tagged notes
    assert "a warning" not in page  # stderr is not for readers
    assert "data:image/png;base64,iVBORw0KGgo=" in page
    assert '<html lang="zh-CN">' in page and "<title>经营概览 · 华东</title>" in page


def test_table_of_contents_links_every_section_heading():
    page = notebook_to_html(_executed_notebook(), title="t", locale="en")
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', page)
    assert [text for _, text in links] == ["关键指标", "Second section"]
    for anchor, _ in links:
        assert f'<h2 id="{anchor}">' in page
    assert "Contents" in page


def test_page_references_nothing_outside_itself():
    page = notebook_to_html(_executed_notebook(), title="t", locale="zh")
    assert not re.search(r"https?://", page)
    assert "<script" not in page and "<link" not in page


WORDS = {"status_ok": "已完成", "status_failed": "失败", "no_figures": "无指标", "other_reports": "其他报告",
         "more_files": "其他文件", "regions_nav": "区域"}


def _region(**changes) -> dict:
    region = {"code": "east", "name": "华东", "ok": True, "problem": None,
              "figures": [{"label": "销售额", "value": "¥450", "change": "环比 +12.5%", "direction": "up"}],
              "main": {"name": "经营概览", "links": [{"href": "east/summary.html", "text": "网页版"},
                                                   {"href": "east/summary.pdf", "text": "PDF"}]},
              "reports": [{"name": "数据质量", "links": [{"href": "east/quality.html", "text": "网页版"}]}],
              "workbook": {"href": "east/east.xlsx", "text": "Excel 工作簿"}, "languages": [],
              "more": [{"href": "east/metrics.json", "text": "metrics.json"}]}
    return {**region, **changes}


def test_index_page_escapes_everything():
    page = index_page("报告 <b>", [("期间", "2025-Q4")], "<i>1</i>", False,
                      [_region(name="<script>x</script>", problem="<img src=x>", ok=False)], WORDS, "zh-CN")
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<img src=x>" not in page and "&lt;i&gt;1&lt;/i&gt;" in page
    assert 'href="east/summary.pdf"' in page and "报告 &lt;b&gt;" in page


def test_index_page_leads_each_region_with_its_figures_and_summary_and_says_a_failure():
    page = index_page("客户报告", [], "2 个区域中有 1 个未能全部生成：华南。", True,
                      [_region(), _region(code="south", name="华南", ok=False, problem="未能全部生成：value: 出错",
                                          figures=[])], WORDS, "zh-CN")
    east, south = page.split('id="region-east"')[1].split('id="region-south"')
    # figures, then the summary's buttons, then the other reports and the workbook, then the rest
    order = [east.index(text) for text in ("¥450", "▲ 环比 +12.5%", 'class="index-button" href="east/summary.html"',
                                           'href="east/quality.html"', 'href="east/east.xlsx"',
                                           'href="east/metrics.json"')]
    assert order == sorted(order)
    assert "✓ 已完成" in east and "失败" not in east
    assert "✗ 失败" in south and "未能全部生成：value: 出错" in south and "无指标" in south
    assert 'class="index-overview failures"' in page and '<a href="#region-south" class="failed">' in page
    assert not re.search(r"https?://|<script|<link", page)   # one page, nothing from outside
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_reads_notebook_written_by_nbformat(tmp_path):
    path = tmp_path / "n.ipynb"
    nbformat.write(_executed_notebook(), path)
    page = notebook_to_html(nbformat.read(path, as_version=4), title="t", locale="zh")
    assert "42" in page
