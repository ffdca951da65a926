"""Tests for custreport.ingest.read (and the readers behind it): encodings, header search, row numbers,
Excel cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from custreport.errors import UserError
from custreport.ingest.file_kind import file_kind
from custreport.ingest.read import read_source_file
from custreport.ingest.read_csv import detect_encoding
from hostile_workbooks import row, write_xlsx

CUSTOMERS_CSV = "客户名称,电话,区域\n杭州华信科技有限公司,13800138000,华东\n北京中关村软件,010-12345678,华北\n"


def read_one(path: Path, spec):
    sheets = read_source_file(path, spec)
    assert len(sheets) == 1
    return sheets[0]


def rows(sheet) -> list[list[str]]:
    return sheet.rows.values.tolist()


# -- encodings -------------------------------------------------------------


def test_utf8(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text(CUSTOMERS_CSV, encoding="utf-8")
    assert detect_encoding(path) == "utf-8"
    sheet = read_one(path, make_spec())
    assert sheet.headers == ["客户名称", "电话", "区域"]
    assert rows(sheet)[0] == ["杭州华信科技有限公司", "13800138000", "华东"]
    assert sheet.sheet is None and sheet.where == "a.csv"


def test_utf8_bom(tmp_path, make_spec):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CUSTOMERS_CSV.encode("utf-8"))
    assert detect_encoding(path) == "utf-8-sig"
    sheet = read_one(path, make_spec())
    # The BOM must not stick to the first header, or it would not be recognised.
    assert sheet.headers[0] == "客户名称"


def test_gbk_without_declaration_read_as_gb18030(tmp_path, make_spec):
    path = tmp_path / "erp.csv"
    body = CUSTOMERS_CSV + "".join(f"深圳市腾达电子有限公司{i},0755-8888{i:04d},华南\n" for i in range(20))
    path.write_bytes(body.encode("gbk"))
    assert detect_encoding(path) == "gb18030"
    sheet = read_one(path, make_spec())
    assert sheet.headers == ["客户名称", "电话", "区域"]
    assert rows(sheet)[0] == ["杭州华信科技有限公司", "13800138000", "华东"]
    assert rows(sheet)[-1] == ["深圳市腾达电子有限公司19", "0755-88880019", "华南"]


def test_declared_wrong_encoding_is_a_user_error(tmp_path, make_spec):
    path = tmp_path / "erp.csv"
    path.write_bytes(CUSTOMERS_CSV.encode("gbk"))
    with pytest.raises(UserError, match=r"cannot decode as utf-8.*encoding"):
        read_source_file(path, make_spec(encoding="utf-8"))


# -- header rows and row numbers ------------------------------------------


def test_header_found_below_title_and_note(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text("2024年客户清单,,\n说明：内部资料，请勿外传,,\n" + CUSTOMERS_CSV, encoding="utf-8")
    sheet = read_one(path, make_spec())
    assert sheet.headers == ["客户名称", "电话", "区域"]
    assert sheet.rows_above_header == 2
    # Title = line 1, note = line 2, header = line 3, so data starts on line 4.
    assert sheet.row_numbers.tolist() == [4, 5]


def test_configured_header_row(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text("客户名称,电话\n" + CUSTOMERS_CSV, encoding="utf-8")
    sheet = read_one(path, make_spec(header_row=2))
    assert sheet.headers == ["客户名称", "电话", "区域"]
    assert sheet.rows_above_header == 1
    assert sheet.row_numbers.tolist() == [3, 4]


def test_header_row_past_end(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text(CUSTOMERS_CSV, encoding="utf-8")
    with pytest.raises(UserError, match="header_row 40 is past the end"):
        read_source_file(path, make_spec(header_row=40))


def test_no_header_found(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"no header row found.*'src'"):
        read_source_file(path, make_spec())


def test_headerless_file_with_columns(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text("杭州华信,13800138000\n北京中关村,010-12345678\n", encoding="utf-8")
    sheet = read_one(path, make_spec(columns=["name", "phone"]))
    assert sheet.headers == ["name", "phone"]
    assert rows(sheet) == [["杭州华信", "13800138000"], ["北京中关村", "010-12345678"]]
    assert sheet.row_numbers.tolist() == [1, 2]
    assert sheet.rows_above_header == 0


def test_whitespace_delimiter(tmp_path, make_spec):
    path = tmp_path / "a.txt"
    path.write_text("name phone region\n甲  13800138000   east\n乙\t13900139000 south\n", encoding="utf-8")
    sheet = read_one(path, make_spec(delimiter="whitespace"))
    assert sheet.headers == ["name", "phone", "region"]
    assert rows(sheet) == [["甲", "13800138000", "east"], ["乙", "13900139000", "south"]]


def test_semicolon_delimiter(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text("name;phone\n甲;1,5\n", encoding="utf-8")
    assert rows(read_one(path, make_spec(delimiter=";"))) == [["甲", "1,5"]]


def test_cells_stay_text(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text("客户名称,电话,区域\n甲,013800138000,NA\n", encoding="utf-8")
    sheet = read_one(path, make_spec())
    # Leading zeros kept, NA not turned into a missing value here.
    assert rows(sheet) == [["甲", "013800138000", "NA"]]
    assert all(str(dtype) == "string" for dtype in sheet.rows.dtypes)


def test_malformed_line_reported_and_later_rows_numbered(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text("客户名称,电话,区域\n"        # line 1
                    "甲,13800138000,华东\n"       # line 2
                    "乙,13900139000,华南,多余\n"   # line 3: four fields
                    "丙,021-62345678,华北\n"      # line 4
                    "丁,,华中\n",                 # line 5
                    encoding="utf-8")
    sheet = read_one(path, make_spec())
    assert [n for n, _ in sheet.unreadable] == [3]
    assert "expected 3 fields, saw 4" in sheet.unreadable[0][1]
    assert [r[0] for r in rows(sheet)] == ["甲", "丙", "丁"]
    assert sheet.row_numbers.tolist() == [2, 4, 5]


def test_blank_lines_are_kept_as_rows(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text("客户名称,电话,区域\n甲,1,华东\n\n乙,2,华南\n", encoding="utf-8")
    sheet = read_one(path, make_spec())
    assert rows(sheet) == [["甲", "1", "华东"], ["", "", ""], ["乙", "2", "华南"]]
    assert sheet.row_numbers.tolist() == [2, 3, 4]


def test_duplicate_and_blank_headers_made_unique(tmp_path, make_spec):
    path = tmp_path / "a.csv"
    path.write_text("客户名称,电话,电话,\n甲,1,2,x\n", encoding="utf-8")
    sheet = read_one(path, make_spec())
    assert sheet.headers == ["客户名称", "电话", "电话", ""]
    assert list(sheet.rows.columns) == ["客户名称", "电话", "电话 (2)", "column_4"]


def test_missing_and_empty_files(tmp_path, make_spec):
    with pytest.raises(UserError, match="file not found"):
        read_source_file(tmp_path / "none.csv", make_spec())
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match=r"empty\.csv: the file is empty \(source 'src'\)"):
        read_source_file(empty, make_spec())


# -- Excel -----------------------------------------------------------------


def region_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "华东"
    sheet["A1"] = "2024年华东区客户管理表"
    sheet.merge_cells("A1:D1")
    sheet["A2"] = "注：金额单位为万元"
    sheet.append(["客户名称", "电话", "建档日期", "潜在价值"])
    sheet.append(["甲公司", 13800138000, dt.datetime(2024, 3, 5), 12.0])
    sheet.append(["乙公司", "021-62345678", dt.datetime(2024, 3, 5, 14, 30), 12.5])
    sheet.append(["丙公司", None, dt.date(2024, 1, 2), 3])
    other = workbook.create_sheet("华南")
    other.append(["客户名称", "区域"])
    other.append(["丁公司", "华南"])
    workbook.save(path)
    return path


def test_xlsx_title_note_header_and_cells(tmp_path, make_spec):
    path = region_workbook(tmp_path / "客户.xlsx")
    east, south = read_source_file(path, make_spec())
    assert east.sheet == "华东" and east.where == "客户.xlsx [华东]"
    assert east.headers == ["客户名称", "电话", "建档日期", "潜在价值"]
    assert east.rows_above_header == 2
    # Header on Excel row 3, so the first record is row 4.
    assert east.row_numbers.tolist() == [4, 5, 6]
    assert rows(east) == [
        ["甲公司", "13800138000", "2024-03-05", "12"],              # whole floats lose ".0"
        ["乙公司", "021-62345678", "2024-03-05 14:30:00", "12.5"],
        ["丙公司", "", "2024-01-02", "3"],
    ]
    assert south.sheet == "华南"
    assert south.row_numbers.tolist() == [2]
    assert rows(south) == [["丁公司", "华南"]]


def test_xlsx_chosen_sheet(tmp_path, make_spec):
    path = region_workbook(tmp_path / "客户.xlsx")
    sheets = read_source_file(path, make_spec(sheets=["华南"]))
    assert [s.sheet for s in sheets] == ["华南"]


def test_xlsx_missing_sheet_names_the_sheets(tmp_path, make_spec):
    path = region_workbook(tmp_path / "客户.xlsx")
    with pytest.raises(UserError) as info:
        read_source_file(path, make_spec(sheets=["华北"]))
    message = str(info.value)
    assert "'华北' not found" in message
    assert "华东, 华南" in message


def test_xlsx_empty_sheet_gives_no_rows(tmp_path, make_spec):
    path = tmp_path / "book.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "空"
    workbook.save(path)
    (sheet,) = read_source_file(path, make_spec())
    assert sheet.rows.empty and sheet.headers == []


def test_not_a_workbook(tmp_path, make_spec):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"\x00\x01binary garbage\x00" * 20)
    with pytest.raises(UserError) as info:
        read_source_file(path, make_spec())
    message = str(info.value)
    assert message.startswith(f"{path}: not a readable Excel workbook")
    assert "\n" not in message


def test_files_are_read_as_what_they_contain_not_as_what_they_are_called(tmp_path, make_spec):
    text_named_xlsx = tmp_path / "export.xlsx"
    text_named_xlsx.write_text("客户名称,电话\n甲,1\n", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.append(["客户名称", "电话"])
    book.active.append(["乙", "2"])
    workbook_named_csv = tmp_path / "export.csv"
    book.save(workbook_named_csv)
    assert [file_kind(text_named_xlsx), file_kind(workbook_named_csv)] == ["text", "workbook"]
    assert read_source_file(text_named_xlsx, make_spec())[0].rows["客户名称"].tolist() == ["甲"]
    assert read_source_file(workbook_named_csv, make_spec())[0].rows["客户名称"].tolist() == ["乙"]


@pytest.mark.hostile(expect="ok", risk="hang")
def test_a_30000_character_name_in_a_workbook_is_read_as_it_is(tmp_path, make_spec):
    # Read whole; prepare quarantines it (longer than cell_limits.NAME_LIMIT).
    path = tmp_path / "客户.xlsx"
    write_xlsx(path, [row(1, ["客户名称", "电话"]), row(2, ["杭" * 30_000, "13800138000"])])
    assert [len(name) for name in read_one(path, make_spec()).rows["客户名称"]] == [30_000]
