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


def test_capacity_bars_draw_reps_over_capacity_in_red_and_say_how_many():
    reps = pd.DataFrame({"rep": ["王敏", "<李娜>", "张伟"], "before": [12, 3, 5], "added": [0, 2, 1],
                         "capacity": [10.0, 10.0, None]})
    names = {"before": "分配前", "added": "本次分配", "capacity": "容量", "over": "超出容量（1 位）"}
    chart = charts.capacity_bars(reps, "rep", "before", "added", "capacity", "负荷", names, caption="1/3 <超出>")
    drawn = chart_colours(chart)
    assert rgb(charts.HIGHLIGHT) in drawn and rgb(charts.PALETTE[0]) in drawn
    page = chart._repr_html_()
    assert page.startswith('<figure class="chart workload">') and "<figcaption>1/3 &lt;超出&gt;</figcaption>" in page
    assert chart.alt == "负荷: 超出容量（1 位）"
    # with nobody over, red is left in the legend's swatch only
    within = charts.capacity_bars(reps.assign(before=[1, 3, 5]), "rep", "before", "added", "capacity", "负荷", names)
    assert 0 < _pixels_of(within, charts.HIGHLIGHT) < _pixels_of(chart, charts.HIGHLIGHT) / 5


def _pixels_of(chart, colour: str) -> int:
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(chart.png)).convert("RGB"))
    return int((pixels == np.array(rgb(colour))).all(axis=-1).sum())


def test_capacity_bars_grow_with_the_reps_and_stay_one_page_tall():
    from PIL import Image
    import io

    def height(count: int) -> int:
        reps = pd.DataFrame({"rep": [f"销售{i}" for i in range(count)], "before": [5] * count, "added": [1] * count,
                             "capacity": [10.0] * count})
        names = {"before": "b", "added": "a", "capacity": "c", "over": "o"}
        chart = charts.capacity_bars(reps, "rep", "before", "added", "capacity", "t", names)
        return Image.open(io.BytesIO(chart.png)).size[1]

    assert height(5) < height(25) < height(60) <= 11 * 160   # under eleven inches at 160 dpi
