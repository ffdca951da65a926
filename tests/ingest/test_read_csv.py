"""Tests for custreport.ingest.read_csv: encoding detection and the line-break count that says
whether a cell may span lines."""

from __future__ import annotations

import pytest

from custreport.ingest.read_csv import _line_breaks_in_cells, detect_encoding


def test_gbk_detected_when_the_sample_window_splits_a_character(tmp_path, make_spec):
    # Lines of 3 ASCII bytes + 2-byte GBK characters put a character across the 200,000-byte mark.
    line = "订单号,客户名称,金额\n".encode("gbk")
    body = "".join(f"{i:06d},杭州华信科技有限公司甲乙,{i}\n" for i in range(12000)).encode("gbk")
    path = tmp_path / "orders.csv"
    path.write_bytes(line + body)
    assert detect_encoding(path) == "gb18030"


@pytest.mark.parametrize("content, records, spans", [
    (b"id,name\n1,a\n2,b\n", 3, False),
    (b"id,name\n1,a\n2,b", 3, False),                  # no line break after the last record
    (b"id,name\n1,\"a\nb\"\n2,c\n", 3, True),           # a cell over two lines
    (b"id,name\n1,\"a\nb\"\n2,c", 3, True),             # ... and no break at the end to hide it
    (b"id,name\r1,a\r2,b\r", 3, True),                  # old Mac line ends: searched cell by cell
])
def test_line_breaks_in_cells_are_found_by_counting_line_breaks(tmp_path, content, records, spans):
    path = tmp_path / "rows.csv"
    path.write_bytes(content)
    assert _line_breaks_in_cells(path, records) is spans
