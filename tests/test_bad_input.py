"""The bad-input battery: every malformed file ends safely, and no row is ever lost.

Each case writes its input files (generated here, nothing stored), runs the real
``custreport ingest`` entry point on them and expects exactly one of two endings:

* ``Error``: exit code 2, one line on stderr naming the file (and the sheet, row and
  column where there is one), no traceback, and no new store snapshot;
* ``Loads``: exit code 0 and a snapshot whose accounting adds up: the rows the case
  wrote = rows read = loaded + merged + non-data + quarantined, one lineage entry per
  row, and every quarantined row carries its reason and row number.

The 200 MB file is its own test below: it runs in a child process so that its peak
memory can be measured.
"""

from __future__ import annotations

import codecs
import io
import os
import resource
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import openpyxl
import pandas as pd
import pytest

from custreport import store
from custreport.cli import main as custreport_main

import hostile_workbooks

PROJECT = Path(__file__).resolve().parents[1]
RAW = "data/raw"

CUSTOMERS = [  # name, phone, region, created
    ("杭州华信科技有限公司", "13800138000", "华东", "2024-03-05"),
    ("北京中关村软件有限公司", "010-12345678", "华北", "2023-11-20"),
    ("广州南方贸易有限公司", "+86 139 0000 1111", "华南", "2025-01-08"),
]
CUSTOMER_HEADER = ["客户名称", "电话", "区域", "创建日期"]
ORDER_HEADER = ["客户名称", "下单日期", "金额"]


# --------------------------------------------------------------------------- what a case is


@dataclass(frozen=True)
class Error:
    """Ends in one line on stderr, exit code 2; the line names all of ``mentions``."""

    mentions: tuple[str, ...]


@dataclass(frozen=True)
class Loads:
    """Ends in a snapshot; ``reasons`` must each be the reason of some quarantined row."""

    reasons: tuple[str, ...] = ()
    non_data: int | None = None
    merged: int | None = None
    check: Callable[[dict[str, pd.DataFrame]], None] | None = None


@dataclass(frozen=True)
class Case:
    """Files to write (path under data/raw -> bytes), the source entry, and the ending."""

    name: str
    table: str
    files: Callable[[], dict[str, bytes]]
    rows: int                          # data, blank, title and total rows the files hold (headers excluded)
    ending: Error | Loads
    options: dict = field(default_factory=dict)
    path: str | None = None            # the source's path (a glob); default: the only file
    extra_sources: tuple[tuple[str, str, dict[str, bytes], int], ...] = ()  # (name, table, files, rows)


def csv_bytes(header: list[str], rows: list[tuple], encoding: str = "utf-8") -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list]], merge: dict[str, list[str]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, grid in sheets.items():
        sheet = book.create_sheet(title)
        for row in grid:
            sheet.append(row)
        for cells in (merge or {}).get(title, []):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def customers_csv(encoding: str = "utf-8", rows=CUSTOMERS) -> bytes:
    return csv_bytes(CUSTOMER_HEADER, list(rows), encoding)


def customers_grid() -> list[list]:
    return [CUSTOMER_HEADER, *[list(row) for row in CUSTOMERS]]


def orders_csv(rows: list[tuple], header=ORDER_HEADER) -> bytes:
    return csv_bytes(header, rows)


def xls_bytes() -> bytes:
    import xlwt  # the legacy .xls format: only this writer exists, and only the tests need it

    book = xlwt.Workbook()
    sheet = book.add_sheet("华东")
    for r, row in enumerate(customers_grid()):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsm_bytes() -> bytes:
    """A macro-enabled workbook: the same package with the macro-enabled content type."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"华东": customers_grid()})))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
            target.writestr(item, data)
    return buffer.getvalue()


def encrypted_xlsx_bytes() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx_bytes({"华东": customers_grid()}))).encrypt("secret", encrypted)
    return encrypted.getvalue()


def names_are(*expected: str) -> Callable[[dict[str, pd.DataFrame]], None]:
    def check(tables: dict[str, pd.DataFrame]) -> None:
        assert sorted(tables["customers"]["name"].tolist()) == sorted(expected)
    return check


def only(check: Callable[[pd.DataFrame], bool], table: str) -> Callable[[dict[str, pd.DataFrame]], None]:
    def run(tables: dict[str, pd.DataFrame]) -> None:
        assert check(tables[table]), tables[table].to_dict(orient="records")
    return run


NAMES = [row[0] for row in CUSTOMERS]
BINARY = np.random.default_rng(7).bytes(4096)
GOOD_ORDER = ("杭州华信科技有限公司", "2024-03-05", "100")


# --------------------------------------------------------------------------- the cases


def cases() -> list[Case]:
    wide_header = CUSTOMER_HEADER + [""] * 10_000
    wide_rows = [row + ("",) * 10_000 for row in CUSTOMERS]
    one_mb = "很" * 1_000_000
    return [
        # -- the file as a whole
        Case("empty file", "customers", lambda: {"c.csv": b""}, 0, Error(("c.csv", "the file is empty"))),
        Case("header only", "customers", lambda: {"c.csv": "客户名称,电话\n".encode()}, 0, Loads()),
        Case("binary bytes named .xlsx", "customers", lambda: {"c.xlsx": BINARY}, 0,
             Error(("c.xlsx", "not a readable Excel workbook"))),
        Case("truncated xlsx", "customers",
             lambda: {"c.xlsx": xlsx_bytes({"华东": customers_grid()})[:1500]}, 0,
             Error(("c.xlsx", "not a readable Excel workbook"))),
        Case("xls saved as .xlsx", "customers", lambda: {"c.xlsx": xls_bytes()}, 3, Loads(check=names_are(*NAMES))),
        Case("xlsm saved as .xlsx", "customers", lambda: {"c.xlsx": xlsm_bytes()}, 3, Loads(check=names_are(*NAMES))),
        Case("workbook saved as .csv", "customers",
             lambda: {"c.csv": xlsx_bytes({"华东": customers_grid()})}, 3, Loads(check=names_are(*NAMES))),
        Case("web page saved as .xls", "customers",
             lambda: {"c.xls": "<html><body><table><tr><td>客户名称</td></tr></table></body></html>".encode()}, 0,
             Error(("c.xls", "a web page"))),
        Case("password-protected workbook", "customers", lambda: {"c.xlsx": encrypted_xlsx_bytes()}, 0,
             Error(("c.xlsx", "password-protected"))),
        Case("named sheet missing", "customers", lambda: {"c.xlsx": xlsx_bytes({"华东": customers_grid()})}, 0,
             Error(("c.xlsx", "sheet '华南' not found", "华东")), options={"sheets": ["华南"]}),
        Case("sheet of only merged cells", "customers",
             lambda: {"c.xlsx": xlsx_bytes({"说明": [["本表仅供内部使用"]]}, merge={"说明": ["A1:F20"]})}, 0,
             Error(("c.xlsx", "[说明]", "no header row found"))),
        Case("formulas without saved values", "orders",
             lambda: {"o.xlsx": xlsx_bytes({"订单": [["客户名称", "下单日期", "数量", "单价", "金额", "备注"],
                                                    ["杭州华信科技有限公司", "2024-03-05", 2, 10, "=C2*D2", "=A2"],
                                                    ["杭州华信科技有限公司", "2024-03-06", 1, 10, 10, "=A3"],
                                                    ["合计", "", "=SUM(C2:C3)", "", "=SUM(E2:E3)"]]})}, 3,
             Loads(reasons=("formula with no saved result",), non_data=1,
                   check=only(lambda o: o["amount"].tolist() == [10.0], "orders"))),
        Case("title, note, blank and total rows", "customers",
             lambda: {"c.xlsx": xlsx_bytes({"华东": [["2025年华东区客户管理表"], ["制表：销售部"],
                                                   *customers_grid(), [], ["合计", "3家"]]})},
             7, Loads(non_data=4, check=names_are(*NAMES))),
        # -- encodings
        Case("CSV in GBK without declaration", "customers", lambda: {"c.csv": customers_csv("gbk")}, 3,
             Loads(check=names_are(*NAMES))),
        Case("CSV in UTF-16 with BOM", "customers", lambda: {"c.csv": customers_csv("utf-16")}, 3,
             Loads(check=names_are(*NAMES))),
        Case("mixed encodings in one folder", "customers", lambda: {
            "part_1.csv": customers_csv("utf-8", CUSTOMERS[:1]),
            "part_2.csv": codecs.BOM_UTF8 + customers_csv("utf-8", CUSTOMERS[1:2]),
            "part_3.csv": customers_csv("gb18030", CUSTOMERS[2:])}, 3,
             Loads(check=names_are(*NAMES)), path=f"{RAW}/part_*.csv"),
        Case("declared encoding wrong", "customers", lambda: {"c.csv": customers_csv("gbk")}, 0,
             Error(("c.csv", "cannot decode as utf-8")), options={"encoding": "utf-8"}),
        # -- columns
        Case("duplicate column names", "customers",
             lambda: {"c.csv": csv_bytes(["客户名称", "电话", "电话"], [(n, p, "") for n, p, _, _ in CUSTOMERS])}, 3,
             Loads(check=only(lambda c: c["phone"].notna().all(), "customers"))),
        Case("required column missing", "orders",
             lambda: {"o.csv": csv_bytes(["客户名称", "下单日期"], [("甲", "2024-01-01")])}, 0,
             Error(("o.csv", "row 1", "required column 'amount' not found"))),
        Case("columns in another order", "customers",
             lambda: {"c.csv": csv_bytes(CUSTOMER_HEADER[::-1], [row[::-1] for row in CUSTOMERS])}, 3,
             Loads(check=names_are(*NAMES))),
        Case("10,000 extra empty columns", "customers", lambda: {"c.csv": csv_bytes(wide_header, wide_rows)}, 3,
             Loads(check=only(lambda c: not [n for n in c.columns if n.startswith("x_")], "customers"))),
        Case("semicolons where commas were declared", "customers",
             lambda: {"c.csv": "客户名称;电话\n甲公司;13800138000\n".encode()}, 0,
             Error(("c.csv", "no header row found"))),
        # -- rows and cells
        Case("malformed line in the middle", "customers",
             lambda: {"c.csv": "客户名称,电话\n甲公司,13800138000\n乙公司,1,2,3,4\n丙公司,13900001111\n".encode()}, 3,
             Loads(reasons=("malformed line: expected 2 fields, saw 5",))),
        Case("only blank lines below the header", "customers", lambda: {"c.csv": "客户名称,电话\n,\n,\n\n".encode()}, 3,
             Loads(non_data=3)),
        Case("all dates invalid", "orders",
             lambda: {"o.csv": orders_csv([("甲", "not a date", "1"), ("乙", "2024-13-45", "2"),
                                           ("丙", "32/13/2024", "3")])}, 3,
             Loads(reasons=("unparseable order_date",))),
        Case("dates in the future or before 1900", "orders",
             lambda: {"o.csv": orders_csv([("甲", "2099-01-01", "1"), ("乙", "1850-06-01", "2"), GOOD_ORDER])}, 3,
             Loads(reasons=("order_date in the future", "unparseable order_date"))),
        Case("customer created in the future", "customers",
             lambda: {"c.csv": customers_csv(rows=[(*CUSTOMERS[0][:3], "2099-01-01")])}, 1,
             Loads(check=only(lambda c: c["created_at"].isna().all(), "customers"))),
        Case("amounts with text, NaN, inf and 1e308", "orders", lambda: {"o.csv": orders_csv(
            [("甲", "2024-01-01", v) for v in ("abc", "NaN", "inf", "-inf", "1e308", "1" + "0" * 308, "#N/A")]
            + [GOOD_ORDER])}, 8,
             Loads(reasons=("unparseable amount", "not a real order line"))),
        Case("negative quantities", "orders", lambda: {"o.csv": orders_csv(
            [("杭州华信科技有限公司", "2024-03-05", "-2", "10", ""), GOOD_ORDER[:2] + ("3", "10", ""),
             GOOD_ORDER[:2] + ("-1", "10", "退货")],
            header=["客户名称", "下单日期", "数量", "单价", "订单状态"])}, 3,
             # the cancellation rule: negative lines are credits (returns), negative, never orders
             Loads(check=only(lambda o: sorted(zip(o["status"], o["amount"])) == [
                 ("completed", 30.0), ("returned", -20.0), ("returned", -10.0)], "orders"))),
        Case("unrecognised order status", "orders",
             lambda: {"o.csv": orders_csv([GOOD_ORDER + ("外星状态",)], header=[*ORDER_HEADER, "订单状态"])}, 1,
             Loads(reasons=("unrecognised order status",))),
        Case("order row naming no customer", "orders", lambda: {"o.csv": orders_csv([("", "2024-01-01", "5")])}, 1,
             Loads(reasons=("order row names no customer",))),
        Case("order for a customer nobody knows", "orders",
             lambda: {"o.csv": orders_csv([GOOD_ORDER, ("火星贸易有限公司", "2024-01-01", "5")])}, 2,
             Loads(reasons=("names a customer found in no customer source",)),
             extra_sources=(("customers", "customers", {"c.csv": customers_csv()}, 3),)),
        Case("deal without a stage", "deals",
             lambda: {"d.csv": csv_bytes(["商机名称", "阶段", "创建日期"], [("大单", "", "2024-01-01"),
                                                                          ("小单", "初步接洽", "2024-01-02")])}, 2,
             Loads(reasons=("missing deal stage",))),
        Case("full-width digits and letters", "orders",
             lambda: {"o.csv": orders_csv([("ＡＢＣ科技有限公司", "２０２４－０３－０５", "１２３４．５")])}, 1,
             Loads(check=only(lambda o: o["amount"].tolist() == [1234.5]
                              and str(o["order_date"].iloc[0].date()) == "2024-03-05", "orders"))),
        Case("full-width phone digits", "customers",
             lambda: {"c.csv": customers_csv(rows=[("甲公司", "１３８００１３８０００", "华东", "")])}, 1,
             Loads(check=only(lambda c: c["phone"].tolist() == ["+8613800138000"], "customers"))),
        Case("emoji and zero-width characters in names", "customers",
             lambda: {"c.csv": customers_csv(rows=[("华信\u200b科技\ufeff有限公司", "", "华东", ""),
                                                   ("😀快乐贸易有限公司", "", "华南", "")])}, 2,
             Loads(check=names_are("华信科技有限公司", "😀快乐贸易有限公司"))),
        Case("control characters in cells", "customers",
             lambda: {"c.csv": customers_csv(rows=[("甲\x07公司\x1b", "", "华东", "")])}, 1,
             Loads(check=only(lambda c: not c["name"].str.contains(r"[\x00-\x1f]").any(), "customers"))),
        Case("a stray cell at XFD1048576", "customers",
             lambda: {"c.xlsx": hostile_workbooks.xlsx_bytes(hostile_workbooks.stray_far_cell("XFD1048576"))}, 0,
             Error(("c.xlsx [华东]", "reaches XFD1048576", "delete the stray cells"))),
        Case("a sheet 16,384 columns wide", "customers",
             lambda: {"c.xlsx": hostile_workbooks.xlsx_bytes(hostile_workbooks.wide_rows(16_384))}, 0,
             Error(("c.xlsx [华东]", "16,384 columns", "limit 1,000 columns"))),
        Case("a zip bomb", "customers",
             lambda: {"c.xlsx": hostile_workbooks.xlsx_bytes(hostile_workbooks.bomb_rows(60 << 20))}, 0,
             Error(("c.xlsx", "xl/worksheets/sheet1.xml unzips from", "zip bomb"))),
        Case("a 30,000-character customer name", "customers",
             lambda: {"c.csv": customers_csv(rows=[("杭" * 30_000, "", "华东", ""), *CUSTOMERS[:1]])}, 2,
             Loads(reasons=("name is 30,000 characters; longer than 1,000",))),
        Case("a 30,000-character customer name in a workbook", "orders",
             lambda: {"o.xlsx": xlsx_bytes({"订单": [ORDER_HEADER, ["杭" * 30_000, "2024-03-05", 5], list(GOOD_ORDER)]})},
             2, Loads(reasons=("customer_name is 30,000 characters; longer than 1,000",))),
        Case("a 1 MB string in a cell", "customers",
             lambda: {"c.csv": customers_csv(rows=[(one_mb, "", "华东", ""), *CUSTOMERS[:1]])}, 2,
             Loads(reasons=("cell longer than 32,767 characters",))),
        Case("unbalanced quote", "customers",
             lambda: {"c.csv": '客户名称,电话\n"甲公司,13800138000\n乙公司,13900001111\n'.encode()}, 2,
             Error(("c.csv row 2", "not closed"))),
        Case("two stray quotes swallowing the rows between them", "customers", lambda: {"c.csv": (
            '客户名称,电话,区域\n"甲公司,13800138000,华东\n乙公司,13900001111,华东\n'
            '"丙公司,13900002222,华南\n丁公司,13900003333,华北\n').encode()}, 4,
             Error(("c.csv row 2 column '客户名称'", "not closed"))),
        Case("a quoted cell over several lines", "customers", lambda: {"c.csv": (
            '客户名称,地址,区域\n甲公司,"浙江省杭州市\n西湖区文三路 1 号",华东\n乙公司,上海市,华东\n').encode()}, 2,
             Loads(check=only(lambda c: c["address"].str.contains("西湖区").any(), "customers"))),
        Case("NUL bytes in a cell", "customers",
             lambda: {"c.csv": "客户名称,电话\n甲\x00公司,13800138000\n乙公司,1\n".encode()}, 2,
             Loads(check=only(lambda c: not c["name"].str.contains("\x00").any(), "customers"))),
        Case("old Mac line endings", "customers",
             lambda: {"c.csv": customers_csv().replace(b"\n", b"\r")}, 3, Loads(check=names_are(*NAMES))),
        Case("the same customer typed three ways", "customers", lambda: {"c.csv": customers_csv(rows=[
            ("杭州华信科技有限公司", "13800138000", "华东", ""), ("杭州华信科技有限公司 ", "138-0013-8000", "浙江", ""),
            ("华信科技（杭州）有限公司", "+86 138 0013 8000", "华东", "")])}, 3, Loads(merged=2)),
        Case("Excel error values and serial dates", "orders",
             lambda: {"o.xlsx": xlsx_bytes({"订单": [ORDER_HEADER, ["甲", 45356, "#DIV/0!"], ["乙", 45357, 12.5]]})}, 2,
             Loads(reasons=("unparseable amount",),
                   check=only(lambda o: str(o["order_date"].iloc[0].date()) == "2024-03-06", "orders"))),
    ]


CASES = cases()


# --------------------------------------------------------------------------- running a case


def new_project(root: Path) -> Path:
    """An empty project folder: the real regions table, an empty data/raw; returns data/raw."""
    (root / "params").mkdir(parents=True)
    shutil.copy(PROJECT / "params" / "regions.yaml", root / "params" / "regions.yaml")
    raw = root / RAW
    raw.mkdir(parents=True)
    return raw


def write_project(root: Path, case: Case) -> Path:
    raw = new_project(root)
    entries = []
    sources = [(case.name, case.table, case.files(), case.path, case.options),
               *[(name, table, files(), None, {}) if callable(files) else (name, table, files, None, {})
                 for name, table, files, _ in case.extra_sources]]
    for name, table, files, path, options in sources:
        for file_name, content in files.items():
            (raw / file_name).write_bytes(content)
        path = path or f"{RAW}/{next(iter(files))}"
        entry = {"name": name, "path": path, "table": table, **options}
        entries.append(entry)
    import yaml

    # Each case is a tiny file whose bad rows are the point: quarantining them must not stop the ingest.
    (root / "params" / "sources.yaml").write_text(
        yaml.safe_dump({"defaults": {"max_quarantined": 1.0}, "sources": entries}, allow_unicode=True),
        encoding="utf-8")
    return root


def run_ingest(root: Path, capsys, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(root)
    monkeypatch.setattr(sys, "argv", ["custreport", "ingest", "--config", "params/sources.yaml", "--store", "store"])
    with pytest.raises(SystemExit) as ended:
        custreport_main()
    return ended.value.code, capsys.readouterr().err


def raw_digests(root: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((root / RAW).iterdir())}


@pytest.fixture(scope="module", autouse=True)
def announce_battery(request):
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    errors = sum(isinstance(case.ending, Error) for case in CASES)
    message = (f"bad-input battery: {len(CASES) + 1} cases ({errors} end in a one-line error, "
               f"{len(CASES) - errors} load with any bad rows quarantined, 1 large file)")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # output is captured while tests run
            reporter.write_line(message)
    else:
        print(message)
    yield


def _in_the_battery(case: Case):
    """Each case counts in the hostile-input battery: an error is a clear one; a load is a right one."""
    if isinstance(case.ending, Error):
        return pytest.param(case, marks=pytest.mark.hostile(expect="clear error", risk="crash"))
    return pytest.param(case, marks=pytest.mark.hostile(expect="ok", risk="wrong"))


@pytest.mark.parametrize("case", [_in_the_battery(case) for case in CASES], ids=[case.name for case in CASES])
def test_bad_input_ends_in_an_error_or_quarantine_and_loses_no_row(case, tmp_path, capsys, monkeypatch):
    root = write_project(tmp_path, case)
    before = raw_digests(root)
    code, stderr = run_ingest(root, capsys, monkeypatch)
    assert raw_digests(root) == before, "ingest modified a raw file"
    if isinstance(case.ending, Error):
        assert_one_line_error(code, stderr, case.ending)
        assert not (root / "store").exists() or not store.list_snapshots(root / "store")
        return
    assert code == 0, stderr
    assert_accounting_identity(root / "store", case)
    tables = {name: store.read_table(store.current_snapshot(root / "store"), name)
              for name in ("customers", "orders", "deals")}
    if case.ending.check:
        case.ending.check(tables)


def assert_one_line_error(code: int, stderr: str, ending: Error) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == 2, stderr
    assert len(lines) == 1 and lines[0].startswith("error:"), stderr
    assert "Traceback" not in stderr
    for mention in ending.mentions:
        assert mention in lines[0], f"{mention!r} not in {lines[0]!r}"


def assert_accounting_identity(store_folder: Path, case: Case) -> None:
    snapshot = store.current_snapshot(store_folder)
    accounting = store.read_side_table(snapshot, "accounting").set_index("source")
    lineage = store.read_side_table(snapshot, "lineage")
    quarantine = store.read_side_table(snapshot, "quarantine")
    expected_rows = {case.name: case.rows, **{name: rows for name, _, _, rows in case.extra_sources}}
    for source, rows in expected_rows.items():
        counts = accounting.loc[source]
        assert counts["rows_read"] == rows, f"{source}: wrote {rows} rows, read {counts['rows_read']}"
        assert counts["rows_read"] == counts[["loaded", "merged", "non_data", "quarantined"]].sum()
        assert (lineage["source"] == source).sum() == rows
    assert quarantine["reason"].notna().all() and quarantine["source_row"].notna().all()
    reasons = quarantine["reason"].tolist()
    for expected in case.ending.reasons:
        assert any(expected in reason for reason in reasons), f"{expected!r} not among {reasons}"
    totals = accounting[["quarantined", "non_data", "merged"]].sum()
    if case.ending.reasons:
        assert totals["quarantined"] >= len(case.ending.reasons)
    if case.ending.non_data is not None:
        assert totals["non_data"] == case.ending.non_data
    if case.ending.merged is not None:
        assert totals["merged"] == case.ending.merged


# --------------------------------------------------------------------------- the large file

LARGE_FILE_BYTES = 200_000_000
PEAK_MEMORY_LIMIT = 2 * 1024**3


def write_large_orders_csv(path: Path, target_bytes: int, customers: int = 50_000) -> int:
    """About ``target_bytes`` of order lines (ERP-export style) for ``customers`` customers;
    returns the number of rows written."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(7)
    rows = target_bytes // 64
    names = np.array([f"客户{j:05d}贸易有限公司" for j in range(customers)])
    cities = np.array(["杭州", "上海", "广州", "成都", "北京", "武汉", "西安", "沈阳"])
    dates = (np.datetime64("2022-01-01") + rng.integers(0, 3 * 365, rows)).astype(str)
    table = pa.table({
        "订单编号": pa.array(np.char.add("SO", np.arange(rows).astype(str))),
        "客户名称": pa.array(names[rng.integers(0, customers, rows)]),
        "下单日期": pa.array(dates),
        "城市": pa.array(cities[rng.integers(0, len(cities), rows)]),
        "金额": pa.array(np.round(rng.gamma(2.0, 300.0, rows), 2)),
    })
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    return rows


# The child reports its own peak: RUSAGE_CHILDREN would include every earlier test's children.
_INGEST_WITH_PEAK = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    "f'peak_rss_bytes={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}\\n'))\n"
    "from custreport.cli import main\n"
    "sys.argv = ['custreport', 'ingest', '--config', 'params/sources.yaml', '--store', 'store']\n"
    "main()\n")


@pytest.mark.slow
def test_a_200_mb_csv_is_ingested_in_under_2_gb_of_memory(tmp_path):
    root = tmp_path
    new_project(root)
    (root / "params" / "sources.yaml").write_text(
        f"sources:\n  - {{name: orders, path: {RAW}/orders.csv, table: orders}}\n", encoding="utf-8")
    rows = write_large_orders_csv(root / RAW / "orders.csv", LARGE_FILE_BYTES)
    size = (root / RAW / "orders.csv").stat().st_size
    assert size >= 0.95 * LARGE_FILE_BYTES

    done = subprocess.run([sys.executable, "-c", _INGEST_WITH_PEAK], cwd=root, capture_output=True, text=True,
                          timeout=900, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr[-2000:]
    peak = int(done.stderr.rsplit("peak_rss_bytes=", 1)[1].split()[0])
    print(f"200 MB CSV: {size / 1e6:.0f} MB, {rows:,} rows, peak memory {peak / 1024**3:.2f} GiB")
    assert peak < PEAK_MEMORY_LIMIT, f"peak memory {peak / 1024**3:.2f} GiB"

    snapshot = store.current_snapshot(root / "store")
    accounting = store.read_side_table(snapshot, "accounting").iloc[0]
    assert accounting["rows_read"] == rows
    assert accounting[["loaded", "merged", "non_data", "quarantined"]].sum() == rows
