"""render.pdf: A4 pages, page numbers, Chinese glyphs from an embedded CJK font."""

from pypdf import PdfReader

from custreport.render.pdf import html_to_pdf

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
