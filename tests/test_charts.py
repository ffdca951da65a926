"""charts: a CJK font is found, charts embed as PNG with escaped alt text, categories keep their colours."""

import pandas as pd

from chart_pixels import chart_colours, rgb
from custreport import charts


def test_a_cjk_font_is_installed_and_chosen():
    # make setup installs Noto Sans CJK; without it Chinese labels would draw as boxes.
    assert charts.cjk_font() is not None


def test_chart_is_an_inline_png_with_escaped_alt_text():
    chart = charts.bar_chart(pd.DataFrame({"x": ["华东", "华南"], "y": [3, 5]}), "x", "y", title="<b>客户数</b>")
    assert chart.png.startswith(b"\x89PNG")
    page = chart._repr_html_()
    assert page.startswith('<figure class="chart"><img src="data:image/png;base64,')
    assert 'alt="&lt;b&gt;客户数&lt;/b&gt;"' in page


def test_line_chart_formats_the_value_axis():
    frame = pd.DataFrame({"month": ["2025-10", "2025-11"], "revenue": [10.0, 20.0]})
    chart = charts.line_chart(frame, "month", "revenue", title="趋势", value_format=lambda v: f"¥{v:.0f}")
    assert len(chart.png) > 1000


def test_report_chart_helpers_draw_pngs_with_escaped_alt_text():
    stages = pd.DataFrame({"stage": ["初步接触", "赢单"], "reached": [8, 2]})
    grid = pd.DataFrame([[1, 0], [3, 2]], index=[2, 1], columns=[1, 2])
    notes = pd.DataFrame([["冠军客户", None], ["已流失", "新客户"]], index=[2, 1], columns=[1, 2])
    reps = pd.DataFrame({"rep": ["王敏", "李娜"], "before": [3, 5], "after": [4, 5]})
    drawn = [charts.funnel_chart(stages, "stage", "reached", title="<漏斗>", notes=["", "(25.0%)"], highlight=1),
             charts.heatmap(grid, "<地图>", "R", "F", notes),
             charts.histogram(pd.Series([1.0, 2.0, 2.5, None]), "<分布>", value_format=lambda v: f"¥{v:.0f}"),
             charts.grouped_bar_chart(reps, "rep", {"before": "分配前", "after": "分配后"}, "<负荷>")]
    for chart in drawn:
        assert chart.png.startswith(b"\x89PNG") and len(chart.png) > 1000
        assert 'alt="&lt;' in chart._repr_html_()


def test_stacked_bars_draw_each_series_in_its_fixed_colour():
    frame = pd.DataFrame({"place": ["浙江", "江苏"], "活跃": [5, 3], "流失": [1, 2]})
    chart = charts.grouped_bar_chart(frame, "place", {"活跃": "活跃", "流失": "流失"}, "类型", stacked=True,
                                     colours={"活跃": charts.TYPE_COLOURS["active"], "流失": charts.TYPE_COLOURS["churned"]})
    drawn = chart_colours(chart)
    assert {rgb(charts.TYPE_COLOURS["active"]), rgb(charts.TYPE_COLOURS["churned"])} <= drawn
    assert rgb(charts.PALETTE[0]) not in drawn   # the palette's first colour is not used instead


def test_bars_take_the_colour_of_their_category():
    frame = pd.DataFrame({"region": ["华东", "华南"], "revenue": [3.0, 5.0]})
    chart = charts.bar_chart(frame, "region", "revenue", "销售额",
                             colours={"华东": charts.REGION_COLOURS["east"], "华南": charts.REGION_COLOURS["south"]})
    assert {rgb(charts.REGION_COLOURS["east"]), rgb(charts.REGION_COLOURS["south"])} <= chart_colours(chart)
