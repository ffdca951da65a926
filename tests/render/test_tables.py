"""render.tables: escaped HTML tables with per-column formats, kinds of column and print widths."""

import re

import pandas as pd

from custreport.render.tables import Table, text_em


def test_cells_and_headers_are_escaped():
    page = Table(pd.DataFrame({"<th>": ["<img src=x onerror=alert(1)>"]})).html()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;th&gt;" in page


def test_numbers_are_right_aligned_and_formatted():
    page = Table(pd.DataFrame({"name": ["甲"], "revenue": [1234.5]}), {"revenue": lambda v: f"¥{v:,.0f}"}).html()
    assert '<td class="num">¥1,234</td>' in page  # 1234.5 rounds half to even -> 1,234
    assert '<td class="short">甲</td>' in page


def test_missing_values_show_a_dash_and_total_row_is_marked():
    frame = pd.DataFrame({"n": [1.0, None]})
    page = Table(frame, total_row=True).html()
    assert "<td class=\"num\">—</td>" in page
    assert page.count('<tr class="total">') == 1


def test_index_is_included_when_asked():
    frame = pd.DataFrame({"count": [3]}, index=pd.Index(["浙江"], name="省份"))
    page = Table(frame, index=True).html()
    assert '<th class="short">省份</th>' in page and '<td class="short">浙江</td>' in page


def test_ids_dates_and_short_names_stay_whole_while_long_names_and_reasons_wrap():
    name, reason = "杭州万瑞百货集团有限公司", "华东区域客户；王敏分配后负责 1/1 个客户"
    frame = pd.DataFrame({"id": ["CD7AIYYIAI2ED"], "day": [pd.Timestamp("2025-12-24")], "region": ["华东"],
                          "name": [name], "reason": [reason], "revenue": [674_300.0]})
    page = Table(frame, {"revenue": lambda v: f"¥{v / 1e4:.2f}万"}).html()
    kinds = {text: kind for kind, text in re.findall(r'<td class="(\w+)">([^<]*)</td>', page)}
    assert kinds == {"CD7AIYYIAI2ED": "short", "2025-12-24": "short", "华东": "short",
                     name: "text", reason: "text", "¥67.43万": "num"}


def test_every_table_sits_in_a_box_that_scrolls_sideways():
    page = Table(pd.DataFrame({"n": [1]})).html()
    assert page.startswith('<div class="table-scroll"><table class="data">') and page.endswith("</table></div>")


def test_a_label_column_then_figures_is_laid_out_with_the_figures_own_widths_in_print():
    pivot = pd.DataFrame({"revenue": [674_300.0], "orders": [2]}, index=pd.Index(["浙江"], name="省份"))
    page = Table(pivot, {"revenue": lambda v: f"¥{v / 1e4:.2f}万"}, index=True).html()
    assert page.startswith('<div class="table-scroll"><table class="data figures"><colgroup><col><col style=')
    widths = [float(w) for w in re.findall(r'<col style="width:([\d.]+)em">', page)]
    assert len(widths) == 2 and widths[0] > text_em("¥67.43万") and widths[1] > text_em("orders")
    listing = pd.DataFrame({"name": ["甲"], "reason": ["负责行业"], "revenue": [1.0]})
    assert '<table class="data">' in Table(listing).html() and "<colgroup>" not in Table(listing).html()


def test_a_long_header_over_narrow_figures_takes_two_lines_not_one_character_each():
    page = Table(pd.DataFrame({"客户": ["甲"], "销售周期中位数": [98]})).html()
    assert '<th class="num wraps" style="min-width:4em">销售周期中位数</th>' in page   # 7 characters: 4 + 3
    assert '<th class="num">订单数</th>' in Table(pd.DataFrame({"订单数": [3]})).html()


def test_a_table_too_wide_for_a4_is_marked_for_a_smaller_print_font():
    money = {f"金额{i}": [12_345_678.0] for i in range(10)}
    wide = Table(pd.DataFrame({"客户名称": ["杭州万瑞百货集团有限公司"], **money}),
                 {f"金额{i}": lambda v: f"¥{v / 1e4:.2f}万" for i in range(10)})
    assert '<table class="data figures wide">' in wide.html()
    narrow = Table(pd.DataFrame({"客户名称": ["杭州万瑞百货集团有限公司"], "金额": [1.0]}))
    assert "wide" not in narrow.html()

