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


def test_index_page_escapes_everything():
    page = index_page("报告 <b>", [("期间", "2025-Q4")], ["区域", "文件", "状态"],
                      [{"name": "<script>x</script>", "links": [{"href": "east/summary.pdf", "text": "summary.pdf"}],
                        "status": "ok"}], "zh-CN")
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert 'href="east/summary.pdf"' in page and "报告 &lt;b&gt;" in page


def test_reads_notebook_written_by_nbformat(tmp_path):
    path = tmp_path / "n.ipynb"
    nbformat.write(_executed_notebook(), path)
    page = notebook_to_html(nbformat.read(path, as_version=4), title="t", locale="zh")
    assert "42" in page
