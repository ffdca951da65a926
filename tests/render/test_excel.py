"""render.excel: frozen header, filter, widths, number formats, no formulas from text."""

import datetime as dt
import io

import pandas as pd
from openpyxl import load_workbook

from custreport.render.excel import Sheet, has_masked_contacts, rewrite_text, sheet_title, write_workbook


def test_workbook_layout_and_formats(tmp_path):
    frame = pd.DataFrame({"客户名称": ["甲公司", "乙公司"], "销售额": [1234.5, 10.0],
                          "建档日期": pd.to_datetime(["2025-01-02", None])})
    path = write_workbook(tmp_path / "r.xlsx", [Sheet("客户总表", frame, {"销售额": "#,##0.00"})])
    sheet = load_workbook(path)["客户总表"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C3"
    assert [c.value for c in sheet[1]] == ["客户名称", "销售额", "建档日期"]
    assert sheet["B2"].value == 1234.5 and sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].value == dt.datetime(2025, 1, 2) and sheet["C3"].value is None
    assert sheet.column_dimensions["A"].width >= 8


HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)", "\t=1", "=1+1"]


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [Sheet("s", pd.DataFrame({"name": [*HOSTILE, "\r=1"]}))])
    sheet = load_workbook(path)["s"]
    for row, text in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.value == text and cell.data_type == "s"
    carriage_return = sheet.cell(row=len(HOSTILE) + 2, column=1)
    # a CR is stored escaped (_x000D_, which Excel shows as the CR; openpyxl reads the escape as
    # it is): what matters is that it stays text
    assert carriage_return.data_type == "s" and carriage_return.value.replace("_x000D_", "").lstrip() == "=1"


def test_negative_numbers_stay_numbers(tmp_path):
    frame = pd.DataFrame({"变化": [-280.0, -3.0], "次数": pd.array([-1, 2], dtype="int64"), "文本": ["-3", "-1.5"]})
    sheet = load_workbook(write_workbook(tmp_path / "n.xlsx", [Sheet("s", frame, {"变化": "#,##0.00"})]))["s"]
    assert [(c.value, c.data_type) for c in sheet[2]] == [(-280.0, "n"), (-1, "n"), ("-3", "s")]
    assert sheet["B3"].value == 2 and sheet["C3"].data_type == "s"


def test_rewriting_text_keeps_text_text_numbers_numbers_and_the_layout(tmp_path):
    frame = pd.DataFrame({"name": HOSTILE, "amount": [-1.5] * len(HOSTILE)})
    path = write_workbook(tmp_path / "r.xlsx", [Sheet("s", frame, {"amount": "#,##0.00"})])
    sheet = load_workbook(io.BytesIO(rewrite_text(path, lambda text: text.replace("1", "9"))))["s"]
    for row, text in enumerate(HOSTILE, start=2):
        assert (sheet.cell(row, 1).value, sheet.cell(row, 1).data_type) == (text.replace("1", "9"), "s")
        assert (sheet.cell(row, 2).value, sheet.cell(row, 2).number_format) == (-1.5, "#,##0.00")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:B{len(HOSTILE) + 1}"
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_two_sheets_of_the_same_title_both_open_and_the_cover_links_each(tmp_path):
    from custreport.render.excel import Cover

    sheets = [Sheet("x" * 40, pd.DataFrame({"n": [1]})), Sheet("x" * 35, pd.DataFrame({"n": [2]}))]
    workbook = load_workbook(write_workbook(tmp_path / "d.xlsx", [Cover("c", "t", [], ("a", "b"), sheets), *sheets]))
    assert workbook.sheetnames == ["c", "x" * 31, "x" * 29 + " 2"]
    assert [row[0].hyperlink.location for row in workbook["c"].iter_rows(min_row=5)] == [
        f"'{'x' * 31}'!A1", f"'{'x' * 29} 2'!A1"]


def test_sheet_titles_are_made_legal():
    assert sheet_title("a/b:c*d?[e]") == "a_b_c_d__e_"
    assert len(sheet_title("x" * 40)) == 31


def test_index_is_written_as_first_column(tmp_path):
    frame = pd.DataFrame({"合计": [3]}, index=pd.Index(["浙江"], name="省份"))
    sheet = load_workbook(write_workbook(tmp_path / "p.xlsx", [Sheet("p", frame, index=True)]))["p"]
    assert [c.value for c in sheet[1]] == ["省份", "合计"] and sheet["A2"].value == "浙江"


def test_control_characters_are_dropped_not_fatal(tmp_path):
    path = write_workbook(tmp_path / "c.xlsx", [Sheet("s", pd.DataFrame({"name": ["甲\x01公司"]}))])
    assert load_workbook(path)["s"]["A2"].value == "甲公司"


def test_excel_error_codes_in_text_stay_text(tmp_path):
    # A quarantined raw value "#DIV/0!" is text to show, not an error cell.
    frame = pd.DataFrame({"value": ["#DIV/0!", "#N/A", "#REF!"]})
    sheet = load_workbook(write_workbook(tmp_path / "e.xlsx", [Sheet("s", frame)]))["s"]
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [("#DIV/0!", "s"), ("#N/A", "s"), ("#REF!", "s")]


def test_the_workbook_records_whether_its_contacts_are_masked(tmp_path):
    frame = pd.DataFrame({"phone": ["+86138****5678"]})
    assert has_masked_contacts(write_workbook(tmp_path / "m.xlsx", [Sheet("s", frame)]))
    assert not has_masked_contacts(write_workbook(tmp_path / "f.xlsx", [Sheet("s", frame)], contacts_masked=False))
    (tmp_path / "not.xlsx").write_bytes(b"not a workbook")
    assert not has_masked_contacts(tmp_path / "not.xlsx")


def test_a_sheet_longer_than_excel_allows_says_how_many_rows_it_leaves_out(tmp_path, monkeypatch):
    from custreport.render import excel

    monkeypatch.setattr(excel, "EXCEL_MAX_ROWS", 5)   # the real limit is 1,048,576 rows
    path = write_workbook(tmp_path / "long.xlsx", [Sheet("s", pd.DataFrame({"n": range(10)}))])
    values = [c.value for c in load_workbook(path)["s"]["A"]]
    assert values == ["n", 0, 1, 2, "… 7 more rows: more than an Excel sheet holds"]


def test_total_rows_are_bold_and_below_the_autofilter(tmp_path):
    frame = pd.DataFrame({"省份": ["浙江", "江苏", "合计"], "销售额": [300.0, 100.0, 400.0], "占比": [0.75, 0.25, 1.0]})
    sheet = load_workbook(write_workbook(tmp_path / "t.xlsx", [
        Sheet("s", frame, {"销售额": "#,##0.00", "占比": "0.0%"}, total_rows=1)]))["s"]
    assert sheet.auto_filter.ref == "A1:C3"                   # header and the two data rows
    assert [c.value for c in sheet[4]] == ["合计", 400.0, 1.0]
    assert all(c.font.b for c in sheet[4]) and not any(c.font.b for c in sheet[3])
    assert sheet["B4"].number_format == "#,##0.00" and sheet["C4"].number_format == "0.0%"
    assert sheet["A4"].border.top.style == "thin"


def test_a_column_of_figures_of_several_kinds_takes_a_format_per_row(tmp_path):
    frame = pd.DataFrame({"指标": ["客户数", "销售额", "赢单率"], "数值": [1008, 33528982.2, 0.1377]})
    sheet = load_workbook(write_workbook(tmp_path / "k.xlsx", [
        Sheet("k", frame, row_formats={"数值": ["#,##0", '"¥"#,##0.00', "0.0%"]})]))["k"]
    assert [(c.value, c.number_format) for c in sheet["B"][1:]] == [
        (1008, "#,##0"), (33528982.2, '"¥"#,##0.00'), (0.1377, "0.0%")]


def test_the_cover_lists_every_sheet_with_a_link_to_it(tmp_path):
    from custreport.render.excel import Cover

    sheets = [Sheet("客户总表", pd.DataFrame({"n": [1]}), description="全部客户"),
              Sheet("O'Brien's", pd.DataFrame({"n": [2]}), description="=not a formula")]
    cover = Cover("封面", "数据工作簿 · 华东 · 2025-Q4", [("区域", "华东"), ("生成时间", "2026-12-04 08:00 UTC")],
                  ("工作表", "内容"), sheets)
    workbook = load_workbook(write_workbook(tmp_path / "c.xlsx", [cover, *sheets]))
    assert workbook.sheetnames == ["封面", "客户总表", "O'Brien's"]
    page = workbook["封面"]
    rows = [[c.value for c in row] for row in page.iter_rows()]
    assert rows[0][0] == "数据工作簿 · 华东 · 2025-Q4" and page["A1"].font.b
    assert rows[2:4] == [["区域", "华东"], ["生成时间", "2026-12-04 08:00 UTC"]]
    assert rows[5:] == [["工作表", "内容"], ["客户总表", "全部客户"], ["O'Brien's", "=not a formula"]]
    assert page["B8"].data_type == "s"
    assert [page[f"A{row}"].hyperlink.location for row in (7, 8)] == ["'客户总表'!A1", "'O''Brien''s'!A1"]
    assert page.auto_filter.ref is None
