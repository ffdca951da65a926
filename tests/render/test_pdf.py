"""render.pdf: A4 pages, page numbers, Chinese glyphs from an embedded CJK font, tables within the page."""

import pandas as pd
from pypdf import PdfReader
from weasyprint import HTML

from custreport.render.html import TEMPLATES
from custreport.render.pdf import html_to_pdf
from custreport.render.tables import Table

PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
html { font-family: "Noto Sans CJK SC", sans-serif; }
@page { size: A4; @bottom-right { content: counter(page) " / " counter(pages); } }
</style></head><body><h1>华东区客户报告</h1>{rows}</body></html>"""


def test_pdf_is_a4_with_page_numbers_and_embedded_cjk_font(tmp_path):
    rows = "".join(f"<p>第{i}行 客户数据</p>" for i in range(120))  # long enough for two pages
    target = html_to_pdf(PAGE.replace("{rows}", rows), tmp_path / "r.pdf")
    reader = PdfReader(target)
    assert len(reader.pages) >= 2
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    first = reader.pages[0].extract_text()
    assert "华东区客户报告" in first and f"1 / {len(reader.pages)}" in first
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    descriptors = [d.get_object()["/FontDescriptor"].get_object()
                   for f in fonts for d in f.get("/DescendantFonts", [])]
    assert any("CJK" in str(d["/FontName"]) and "/FontFile3" in d for d in descriptors)


def _report_page(body: str) -> str:
    css = (TEMPLATES / "custreport" / "report.css").read_text(encoding="utf-8")
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>{css}</style></head>'
            f"<body><main>{body}</main></body></html>")


def _cells_right_of(page_box, edge: float) -> list[str]:
    """Texts of the table cells whose box reaches past ``edge`` (in CSS px)."""
    found, boxes = [], [page_box]
    while boxes:
        box = boxes.pop()
        if getattr(box, "element_tag", "") in ("td", "th") and box.position_x + box.margin_width() > edge + 0.5:
            found.append("".join(box.element.itertext()))
        boxes.extend(getattr(box, "children", []))
    return found


def test_money_is_never_split_and_a_wide_table_fits_the_a4_page(tmp_path):
    """The high-value customers' table of the value report (nine columns, long names): the
    table fits between the margins, and every amount is printed whole (¥499.27万, not ¥499.27 / 万)."""
    money = lambda v: f"¥{v / 1e4:.2f}万"
    frame = pd.DataFrame({
        "客户编号": ["CD7AIYYIAI2ED", "CVK4IEDWBTRCW", "CS7VWM3KWXZCI"],
        "客户名称": ["杭州万瑞百货集团有限公司", "乌鲁木齐千麒生物科技有限公司", "芜湖强纪供应链管理股份有限公司"],
        "累计销售额": [4_992_700.0, 4_866_000.0, 1_908_000.0], "累计订单": [256, 248, 94],
        "末单日期": ["2025-12-24", "2025-12-29", "2024-10-15"], "存活概率": ["99.7%", "99.9%", "12.6%"],
        "预计购买次数": [17.97, 17.52, 0.0], "12个月客户价值": [1_423_400.0, 1_386_600.0, 17_440.0],
        "风险金额": [1_908_000.0, 2_222_000.0, 1_908_000.0]})
    table = Table(frame, {c: money for c in ("累计销售额", "12个月客户价值", "风险金额")}).html()
    assert '<table class="data wide">' in table       # too wide for A4 at the usual size
    html = _report_page(table)
    target = html_to_pdf(html, tmp_path / "value.pdf")
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    for amount in ("¥499.27万", "¥486.60万", "¥190.80万", "¥142.34万", "¥138.66万", "¥1.74万", "¥222.20万"):
        assert amount in text
    # where each cell ended up: the laid-out boxes of WeasyPrint's first page
    page = HTML(string=html, media_type="print").render().pages[0]._page_box
    assert _cells_right_of(page, page.content_box_x() + page.width) == []
