"""Tests for custreport.ingest.workbook_limits: hostile workbooks refused from the zip directory and a
streamed scan, before calamine reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from custreport.errors import UserError
from custreport.ingest import workbook_limits
from custreport.ingest.read import read_source_file
from hostile_workbooks import bomb_rows, customer_rows, stray_far_cell, wide_rows, write_xlsx
from test_read import read_one


# -- hostile workbooks: refused from the zip directory and a streamed scan, before calamine


def one_line_refusal(path: Path, spec) -> str:
    with pytest.raises(UserError) as refused:
        read_source_file(path, spec)
    message = str(refused.value)
    assert "\n" not in message and str(path) in message
    return message


@pytest.mark.hostile(expect="clear error", risk="crash")
def test_a_stray_cell_at_xfd1048576_is_refused_naming_it(tmp_path, make_spec):
    # calamine would build a 16,384 x 1,048,576 grid for it and abort the process.
    path = tmp_path / "客户.xlsx"
    write_xlsx(path, stray_far_cell("XFD1048576"))
    assert path.stat().st_size < 5_000
    message = one_line_refusal(path, make_spec())
    assert "[华东]" in message and "reaches XFD1048576 (16,384 columns × 1,048,576 rows" in message
    assert "cell at XFD1048576" in message and "delete the stray cells" in message


@pytest.mark.hostile(expect="clear error", risk="crash")
def test_a_far_cell_in_range_of_columns_but_too_many_cells_is_refused(tmp_path, make_spec):
    path = tmp_path / "客户.xlsx"
    write_xlsx(path, stray_far_cell("ALL1000000"))  # column 1,000: wide enough, but 1e9 cells
    assert "cell at ALL1000000" in one_line_refusal(path, make_spec())


def test_far_cells_without_a_value_do_not_count(tmp_path, make_spec):
    # A formatted but empty cell is not in calamine's grid: the sheet reads as its data.
    path = tmp_path / "客户.xlsx"
    write_xlsx(path, [*customer_rows(), '<row r="1048576"><c r="XFD1048576" s="0"/>'
                                        '<c r="XFE1048576" s="0"></c></row>'])
    sheet = read_one(path, make_spec())
    assert sheet.rows["客户名称"].tolist() == ["杭州华信科技有限公司", "北京中关村软件有限公司"]


@pytest.mark.hostile(expect="clear error", risk="crash")
def test_a_16384_column_sheet_is_refused(tmp_path, make_spec):
    path = tmp_path / "wide.xlsx"
    write_xlsx(path, wide_rows(16_384))
    message = one_line_refusal(path, make_spec())
    assert "[华东]" in message and "16,384 columns × 3 rows" in message and "limit 1,000 columns" in message


def test_the_used_range_is_found_across_chunk_edges(tmp_path, make_spec, monkeypatch):
    monkeypatch.setattr(workbook_limits, "_XML_CHUNK", 7)  # every tag cut somewhere
    path = tmp_path / "客户.xlsx"
    write_xlsx(path, stray_far_cell("ALM2"))
    assert "1,001 columns × 3 rows" in one_line_refusal(path, make_spec())
    write_xlsx(path, customer_rows())
    assert len(read_one(path, make_spec()).rows) == 2


@pytest.mark.hostile(expect="clear error", risk="crash")
def test_a_highly_compressed_member_is_refused_from_the_zip_directory(tmp_path, make_spec):
    path = tmp_path / "bomb.xlsx"
    write_xlsx(path, bomb_rows(60 << 20))
    message = one_line_refusal(path, make_spec())
    assert "xl/worksheets/sheet1.xml unzips from" in message and "limit 100" in message


@pytest.mark.hostile(expect="clear error", risk="crash")
def test_a_workbook_unzipping_past_the_limit_is_refused(tmp_path, make_spec, monkeypatch):
    monkeypatch.setattr(workbook_limits, "MAX_UNZIPPED_BYTES", 1 << 20)
    path = tmp_path / "big.xlsx"
    write_xlsx(path, bomb_rows(2 << 20))
    message = one_line_refusal(path, make_spec())
    assert "unzips to 2 MB (limit 1 MB)" in message and "export CSV" in message


@pytest.mark.hostile(expect="clear error", risk="crash")
@pytest.mark.slow
def test_a_1_5_gb_zip_bomb_is_refused_without_unzipping_it(tmp_path, make_spec):
    path = tmp_path / "bomb.xlsx"
    write_xlsx(path, bomb_rows(1_500_000_000))
    assert path.stat().st_size < 10_000_000
    assert "unzips to 1,500 MB (limit 1,074 MB)" in one_line_refusal(path, make_spec())
