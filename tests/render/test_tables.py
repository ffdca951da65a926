"""render.tables: escaped HTML tables with per-column formats."""

import pandas as pd

from custreport.render.tables import Table


def test_cells_and_headers_are_escaped():
    page = Table(pd.DataFrame({"<th>": ["<img src=x onerror=alert(1)>"]})).html()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;th&gt;" in page


def test_numbers_are_right_aligned_and_formatted():
    page = Table(pd.DataFrame({"name": ["甲"], "revenue": [1234.5]}), {"revenue": lambda v: f"¥{v:,.0f}"}).html()
    assert '<td class="num">¥1,234</td>' in page  # 1234.5 rounds half to even -> 1,234
    assert "<td>甲</td>" in page


def test_missing_values_show_a_dash_and_total_row_is_marked():
    frame = pd.DataFrame({"n": [1.0, None]})
    page = Table(frame, total_row=True).html()
    assert "<td class=\"num\">—</td>" in page
    assert page.count('<tr class="total">') == 1


def test_index_is_included_when_asked():
    frame = pd.DataFrame({"count": [3]}, index=pd.Index(["浙江"], name="省份"))
    page = Table(frame, index=True).html()
    assert "<th>省份</th>" in page and "<td>浙江</td>" in page


def test_a_label_column_then_figures_is_marked_for_fixed_print_layout():
    pivot = pd.DataFrame({"revenue": [3.0], "orders": [2]}, index=pd.Index(["浙江"], name="省份"))
    assert Table(pivot, index=True).html().startswith('<table class="data figures">')
    listing = pd.DataFrame({"name": ["甲"], "reason": ["负责行业"], "revenue": [1.0]})
    assert Table(listing).html().startswith('<table class="data">')        # text columns keep the auto layout
    assert Table(pd.DataFrame({"n": [1]})).html().startswith('<table class="data">')
