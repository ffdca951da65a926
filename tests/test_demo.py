"""Tests for the messy demo-data generator (small sizes, so they stay fast)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml

from custreport.config import RegionTable, load_regions
from custreport.demo import FILE_NAMES, generate
from custreport.errors import UserError

PROJECT = Path(__file__).resolve().parents[1]
REGIONS_YAML = PROJECT / "params" / "regions.yaml"
# The demo spreads customers over every region of the project's table, in the table's order.
REGIONS = tuple(region.zh for region in load_regions(REGIONS_YAML).regions)

CUSTOMERS = 300
SEED = 7

CSV_HEADERS = {
    "crm_accounts.csv": [
        "Account ID", "Account Name", "Phone", "Email", "Billing State/Province",
        "Billing City", "Industry", "Account Owner", "Type", "Created Date",
    ],
    "orders.csv": ["订单号", "下单日期", "客户名称", "产品", "数量", "单价", "金额", "销售渠道", "订单状态"],
    "deals.csv": ["商机编号", "客户名称", "商机阶段", "创建日期", "关闭日期", "预计金额", "负责人", "线索来源", "产品", "所属区域"],
    "reps.csv": ["工号", "姓名", "所属区域", "经理", "擅长行业", "客户容量"],
    "服务记录.csv": ["工单号", "受理时间", "客户名称", "服务类型", "问题描述", "满意度", "处理状态", "处理人"],
    "_truth/customer_rows.csv": ["file", "sheet", "source_row", "entity_id"],
    "_truth/order_rows.csv": ["file", "source_row", "entity_id"],
    "_truth/deal_rows.csv": ["file", "source_row", "entity_id"],
    "_truth/service_rows.csv": ["file", "source_row", "entity_id"],
}
ENCODINGS = {"orders.csv": "gbk", "deals.csv": "utf-8-sig", "服务记录.csv": "utf-8-sig"}
TITLE_LINES = {"服务记录.csv": 1}  # the service desk's export puts a title above the header
PROVINCE_ABBREVIATIONS = set("沪苏浙皖闽赣鲁粤桂琼京津冀晋蒙豫鄂湘渝川黔滇藏陕甘青宁新辽吉黑")
FULL_WIDTH_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("demo")
    return path, generate(path, customers=CUSTOMERS, seed=SEED)


@pytest.fixture(scope="module")
def out(generated) -> Path:
    return generated[0]


@pytest.fixture(scope="module")
def counts(generated) -> dict[str, int]:
    return generated[1]


def csv_text(out: Path, name: str) -> str:
    """A CSV's text from its header line on."""
    text = (out / name).read_bytes().decode(ENCODINGS.get(name, "utf-8"))
    for _ in range(TITLE_LINES.get(name, 0)):
        text = text.split("\n", 1)[1]
    return text


def read_csv(out: Path, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text(out, name), newline="")))


@pytest.fixture(scope="module")
def workbook(out: Path):
    wb = openpyxl.load_workbook(out / "客户管理表.xlsx")
    yield wb
    wb.close()


def sheet_table(ws) -> tuple[list[str], list[tuple]]:
    """Header and data rows of a regional sheet (title, note and 合计 row dropped)."""
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[2]), rows[3:-1]


def column(ws, *labels: str) -> list:
    header, rows = sheet_table(ws)
    idx = next(header.index(label) for label in labels if label in header)
    return [row[idx] for row in rows]


def all_files(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


# --- determinism -----------------------------------------------------------


def test_same_seed_gives_identical_bytes_even_in_another_process(out: Path, tmp_path: Path):
    # A separate interpreter with a different hash seed catches any reliance
    # on set/dict ordering or on the clock.
    script = "import sys; from pathlib import Path; from custreport.demo import generate; " \
             f"generate(Path(sys.argv[1]), customers={CUSTOMERS}, seed={SEED})"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env)
    first, second = all_files(out), all_files(tmp_path)
    assert sorted(first) == sorted(second)
    changed = [name for name in first if first[name] != second[name]]
    assert changed == []


def test_other_seed_gives_other_data(out: Path, tmp_path: Path):
    generate(tmp_path, customers=CUSTOMERS, seed=SEED + 1)
    assert (tmp_path / "crm_accounts.csv").read_bytes() != (out / "crm_accounts.csv").read_bytes()
    assert (tmp_path / "orders.csv").read_bytes() != (out / "orders.csv").read_bytes()


# --- files, headers, encodings -----------------------------------------------


def test_file_set(out: Path):
    written = set(all_files(out))
    assert written == set(FILE_NAMES) | {"_truth/README.md"}


def test_returned_counts_match_data_rows(out: Path, counts: dict[str, int], workbook):
    assert set(counts) == set(FILE_NAMES)
    for name in CSV_HEADERS:
        assert counts[name] == len(read_csv(out, name)), name
    assert counts["_truth/entities.csv"] == CUSTOMERS
    assert counts["客户管理表.xlsx"] == sum(ws.max_row - 4 for ws in workbook.worksheets)


@pytest.mark.parametrize("name", sorted(CSV_HEADERS))
def test_csv_headers(out: Path, name: str):
    header = next(csv.reader(io.StringIO(csv_text(out, name))))
    assert header == CSV_HEADERS[name]


def test_orders_is_gbk_and_not_utf8(out: Path):
    raw = (out / "orders.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_crm_is_utf8_with_month_first_dates(out: Path):
    rows = read_csv(out, "crm_accounts.csv")
    assert all(re.fullmatch(r"001A0000[0-9A-Z]{7}", r["Account ID"]) for r in rows)
    assert len({r["Account ID"] for r in rows}) == len(rows)
    dates = [dt.datetime.strptime(r["Created Date"], "%m/%d/%Y").date() for r in rows if r["Created Date"]]
    assert all(dt.date(2023, 1, 1) <= d <= dt.date(2025, 12, 31) for d in dates)
    # A day above 12 proves the column is month-first, not day-first.
    assert any(d.day > 12 for d in dates)
    assert 0 < len(rows) - len(dates) < 0.06 * len(rows)
    assert {r["Type"] for r in rows} <= {"Prospect", "Customer - Direct", "Customer - Channel", "Other", ""}
    provinces = Counter(r["Billing State/Province"] for r in rows)
    assert provinces.most_common(1)[0][0].isascii()
    assert any(p.endswith("省") for p in provinces)


# --- workbook structure -------------------------------------------------------


def test_workbook_has_one_titled_sheet_per_region(workbook):
    assert workbook.sheetnames == list(REGIONS)
    headers = set()
    for ws in workbook.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = [h for h in rows[2] if h is not None]
        headers.add(tuple(header))
        assert rows[0][0] == f"{ws.title}区客户管理表（2025年）"
        assert [str(r) for r in ws.merged_cells.ranges] == [f"A1:{openpyxl.utils.get_column_letter(len(header))}1"]
        assert rows[1][0].startswith("说明：")
        assert "客户名称" in header or "公司名称" in header
        assert "潜在价值(万元)" in header and "意向度" in header and "客户类型" in header
        total = rows[-1]
        assert total[0] == "合计"
        assert total[1] == len(rows) - 4
    # Regional teams label and order their columns differently.
    assert len(headers) >= 4
    assert len({h.index("客户类型") for h in headers}) > 1


def test_workbook_values_look_like_hand_typed_data(workbook):
    types, intents, provinces, dates = set(), set(), [], []
    for ws in workbook.worksheets:
        types.update(column(ws, "客户类型"))
        intents.update(column(ws, "意向度"))
        provinces += column(ws, "所在省份", "省份")
        dates += column(ws, "建档日期", "创建日期")
    assert types - {None} == {"潜在客户", "意向客户", "成交客户", "老客户", "流失客户"}
    assert intents <= {"高", "中", "低", None}
    assert any(p in PROVINCE_ABBREVIATIONS for p in provinces)
    assert any(isinstance(p, str) and p.endswith("省") for p in provinces)
    assert any(p in ("浙江", "广东", "江苏", "山东", "上海", "北京") for p in provinces)
    kinds = Counter(
        "excel_date" if isinstance(d, dt.datetime)
        else "serial" if isinstance(d, int)
        else "chinese" if isinstance(d, str) and "年" in d
        else "slash" if isinstance(d, str) and "/" in d
        else "iso" if isinstance(d, str) and "-" in d
        else "blank" if d is None
        else "other"
        for d in dates
    )
    assert {"excel_date", "serial", "chinese", "slash", "iso"} <= set(kinds)
    assert "other" not in kinds
    serials = [d for d in dates if isinstance(d, int)]
    # Excel serials of 2023-01-01 and 2025-12-31.
    assert all(44927 <= s <= 46022 for s in serials)


# --- ground truth -------------------------------------------------------------


def test_truth_covers_every_customer_row_exactly_once(out: Path, workbook):
    truth = read_csv(out, "_truth/customer_rows.csv")
    keys = [(t["file"], t["sheet"], int(t["source_row"])) for t in truth]
    assert len(keys) == len(set(keys))
    crm_rows = len(read_csv(out, "crm_accounts.csv"))
    expected = {("crm_accounts.csv", "", line) for line in range(2, crm_rows + 2)}
    for ws in workbook.worksheets:
        expected |= {("客户管理表.xlsx", ws.title, r) for r in range(4, ws.max_row)}  # last row is 合计
    assert set(keys) == expected
    entity_ids = {int(t["entity_id"]) for t in truth}
    assert entity_ids <= set(range(1, CUSTOMERS + 1))


def test_truth_rows_point_at_the_right_company(out: Path, workbook):
    entities = {e["entity_id"]: e for e in read_csv(out, "_truth/entities.csv")}
    crm = read_csv(out, "crm_accounts.csv")
    truth = read_csv(out, "_truth/customer_rows.csv")
    crm_truth = [t for t in truth if t["file"] == "crm_accounts.csv"]
    # CRM rows keep the proper name unless the name was left blank.
    for row, t in zip(crm, crm_truth):
        assert row["Account Name"] in ("", entities[t["entity_id"]]["name"])
    order_truth = read_csv(out, "_truth/order_rows.csv")
    orders = read_csv(out, "orders.csv")
    assert [int(t["source_row"]) for t in order_truth] == list(range(2, len(orders) + 2))
    matched = sum(
        norm(o["客户名称"]) == entities[t["entity_id"]]["name_key"]
        for o, t in zip(orders, order_truth) if t["entity_id"]
    )
    assert matched > 0.9 * len(orders)


def norm(name: str) -> str:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    while True:
        for suffix in ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司"):
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                break
        else:
            return key


def test_normalised_company_names_are_unique(out: Path):
    entities = read_csv(out, "_truth/entities.csv")
    keys = [norm(e["name"]) for e in entities]
    assert len(set(keys)) == len(keys) == CUSTOMERS
    assert keys == [e["name_key"] for e in entities]


def test_orders_naming_unknown_customers_are_rare_and_unknown(out: Path):
    orders = read_csv(out, "orders.csv")
    truth = read_csv(out, "_truth/order_rows.csv")
    known_keys = {e["name_key"] for e in read_csv(out, "_truth/entities.csv")}
    ghosts = [o["客户名称"] for o, t in zip(orders, truth) if not t["entity_id"]]
    assert 0 < len(ghosts) < 0.01 * len(orders)
    assert not any(norm(g) in known_keys for g in ghosts)


# --- volumes ------------------------------------------------------------------


def test_volumes_roughly_as_configured(out: Path):
    truth = read_csv(out, "_truth/customer_rows.csv")
    files_per_entity: dict[str, Counter] = {}
    for t in truth:
        files_per_entity.setdefault(t["entity_id"], Counter())[t["file"]] += 1
    in_crm = sum("crm_accounts.csv" in c for c in files_per_entity.values()) / CUSTOMERS
    in_wb = sum("客户管理表.xlsx" in c for c in files_per_entity.values()) / CUSTOMERS
    in_both = sum(len(c) == 2 for c in files_per_entity.values()) / CUSTOMERS
    wb_twice = sum(c["客户管理表.xlsx"] == 2 for c in files_per_entity.values()) / CUSTOMERS
    assert 0.62 <= in_crm <= 0.78  # 55% only CRM + 15% both
    assert 0.37 <= in_wb <= 0.53  # 30% only workbook + 15% both
    assert 0.09 <= in_both <= 0.21
    assert 0.005 <= wb_twice <= 0.07

    orders = read_csv(out, "orders.csv")
    assert 7 * CUSTOMERS <= len(orders) <= 13 * CUSTOMERS
    per_customer = Counter(t["entity_id"] for t in read_csv(out, "_truth/order_rows.csv") if t["entity_id"])
    never_bought = CUSTOMERS - len(per_customer)
    assert 0.15 * CUSTOMERS <= never_bought <= 0.35 * CUSTOMERS
    # Heavy tail: the busiest customer orders far more than the typical one.
    counts = sorted(per_customer.values())
    assert counts[-1] >= 5 * counts[len(counts) // 2]

    statuses = Counter(o["订单状态"] for o in orders)
    assert set(statuses) == {"已完成", "退货", "已取消"}
    assert statuses["已完成"] > 0.85 * len(orders)

    deals = read_csv(out, "deals.csv")
    assert 0.6 * CUSTOMERS <= len(deals) <= 1.0 * CUSTOMERS


def test_reps_per_region_and_names_used_everywhere(out: Path, workbook):
    reps = read_csv(out, "reps.csv")
    per_region = Counter(r["所属区域"] for r in reps)
    assert set(per_region) == set(REGIONS)
    assert all(3 <= n <= 6 for n in per_region.values())
    names = {r["姓名"] for r in reps}
    assert len(names) == len(reps)
    assert all(r["经理"] in names | {""} for r in reps)
    assert all(int(r["客户容量"]) > 0 for r in reps)
    used = {r["Account Owner"] for r in read_csv(out, "crm_accounts.csv")} - {""}  # "": not yet assigned
    used |= {d["负责人"] for d in read_csv(out, "deals.csv")}
    for ws in workbook.worksheets:
        used |= set(column(ws, "负责人", "销售负责人")) - {None}
    assert used <= names


# --- dirt ---------------------------------------------------------------------


def test_dirt_is_present(out: Path, workbook):
    crm = read_csv(out, "crm_accounts.csv")
    names = [r["Account Name"] for r in crm] + [o["客户名称"] for o in read_csv(out, "orders.csv")]
    phones = [r["Phone"] for r in crm]
    provinces = [r["Billing State/Province"] for r in crm]
    for ws in workbook.worksheets:
        names += [n for n in column(ws, "客户名称", "公司名称") if n is not None]
        phones += [str(p) for p in column(ws, "联系电话", "手机号") if p is not None]
        provinces += column(ws, "所在省份", "省份")
    assert any(FULL_WIDTH_ALNUM.search(n) for n in names)
    assert any(n != n.strip() for n in names)
    assert any(" " in n.strip() for n in names)
    assert any(not n.endswith("公司") and not n.endswith("集团") and n.strip() for n in names)

    assert any(p.startswith("+86 ") for p in phones)
    assert any(re.fullmatch(r"1\d{2}-\d{4}-\d{4}", p) for p in phones)
    assert any(re.fullmatch(r"0\d{2,3}-\d{3,4} \d{4}", p) for p in phones)
    assert any(re.search(r"[A-Za-z]", p) or len(re.sub(r"\D", "", p)) < 10 for p in phones if p)
    assert any(p in ("未知", "-", "--", "N/A", "其他", "待定") for p in provinces)


def test_order_amounts_are_mixed_and_consistent(out: Path):
    orders = read_csv(out, "orders.csv")
    kinds = Counter(
        "blank" if not o["金额"] else "yuan_sign" if o["金额"].startswith("￥")
        else "wan" if o["金额"].endswith("万") else "plain"
        for o in orders
    )
    assert {"blank", "yuan_sign", "wan", "plain"} <= set(kinds)
    assert 0.02 < kinds["blank"] / len(orders) < 0.09
    for o in orders:
        amount = o["金额"].replace("￥", "").replace(",", "")
        if amount and not amount.endswith("万"):
            assert abs(float(amount) - int(o["数量"]) * float(o["单价"])) < 0.01
    date_styles = Counter(
        "time" if ":" in o["下单日期"] else "chinese" if "年" in o["下单日期"]
        else "slash" if "/" in o["下单日期"] else "iso" if "-" in o["下单日期"] else "compact"
        for o in orders
    )
    assert set(date_styles) == {"time", "chinese", "slash", "iso", "compact"}


def test_deal_stages_and_dates(out: Path):
    deals = read_csv(out, "deals.csv")
    open_stages = {"初步接触", "需求确认", "方案报价", "商务谈判"}
    stages = Counter(d["商机阶段"] for d in deals)
    assert set(stages) <= open_stages | {"赢单", "输单"}
    assert stages["赢单"] > 0 and stages["输单"] > 0
    for d in deals:
        if d["商机阶段"] in open_stages:
            assert d["关闭日期"] == ""
        else:
            assert d["关闭日期"] > d["创建日期"]
        assert d["所属区域"] in set(REGIONS) | {""}
    blank_region = sum(d["所属区域"] == "" for d in deals) / len(deals)
    assert 0.2 < blank_region < 0.4


# --- accounts not yet assigned ------------------------------------------------


def test_a_few_new_accounts_have_no_owner_anywhere(out: Path, workbook):
    entities = read_csv(out, "_truth/entities.csv")
    unowned = {e["entity_id"] for e in entities if not e["owner"]}
    assert 0.01 * CUSTOMERS <= len(unowned) <= 0.08 * CUSTOMERS
    # Only accounts of the last two quarters are waiting for a rep.
    assert all(e["created"] >= "2025-07-01" for e in entities if e["entity_id"] in unowned)
    truth = read_csv(out, "_truth/customer_rows.csv")
    crm_truth = [t for t in truth if t["file"] == "crm_accounts.csv"]
    for row, t in zip(read_csv(out, "crm_accounts.csv"), crm_truth):
        assert (row["Account Owner"] == "") == (t["entity_id"] in unowned)
    sheet_rows = {(t["sheet"], int(t["source_row"])): t["entity_id"] for t in truth if t["file"] == "客户管理表.xlsx"}
    for ws in workbook.worksheets:
        for row, owner in enumerate(column(ws, "负责人", "销售负责人"), start=4):
            if sheet_rows[(ws.title, row)] in unowned:
                assert owner is None


# --- service log ----------------------------------------------------------------

COMPLAINT_LABELS = {"投诉", "客诉"}
SERVICE_KIND_LABELS = {"咨询", "询价", "问询", "投诉", "客诉", "反馈", "建议", "回访", "拜访", "上门",
                       "电话", "来电", "去电", "其他"}


@pytest.fixture(scope="module")
def service(out: Path) -> list[dict[str, str]]:
    return read_csv(out, "服务记录.csv")


def test_service_log_is_an_excel_csv_with_a_title_line(out: Path):
    raw = (out / "服务记录.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n")
    assert raw.decode("utf-8-sig").split("\r\n", 1)[0].startswith("客户服务记录导出")


def test_service_truth_covers_every_row_and_names_the_right_company(out: Path, service):
    truth = read_csv(out, "_truth/service_rows.csv")
    # Line 1 is the title, line 2 the header.
    assert [int(t["source_row"]) for t in truth] == list(range(3, len(service) + 3))
    entities = {e["entity_id"]: e for e in read_csv(out, "_truth/entities.csv")}
    assert {t["entity_id"] for t in truth} <= set(entities)
    same = sum(norm(s["客户名称"]) == entities[t["entity_id"]]["name_key"] for s, t in zip(service, truth))
    assert 0.8 * len(service) < same < len(service)  # mostly proper names, some typed differently
    in_touch = len({t["entity_id"] for t in truth}) / CUSTOMERS
    assert 0.35 <= in_touch <= 0.7
    assert 1.0 * CUSTOMERS <= len(service) <= 4.0 * CUSTOMERS
    # A company gets in touch only once its account exists, and within the demo's years.
    days = [service_day(s["受理时间"]) for s in service]
    assert all(entities[t["entity_id"]]["created"] <= d.isoformat() for d, t in zip(days, truth))
    assert dt.date(2023, 1, 1) <= min(days) and max(days) <= dt.date(2025, 12, 31)


def service_day(text: str) -> dt.date:
    return dt.date(*map(int, re.match(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", text).groups()))


def test_service_kinds_scores_and_notes(service):
    kinds = Counter(s["服务类型"] for s in service)
    assert {"咨询", "投诉", "反馈", "拜访", "电话"} <= set(kinds) <= SERVICE_KIND_LABELS
    complaints = [s for s in service if s["服务类型"] in COMPLAINT_LABELS]
    assert 0.05 < len(complaints) / len(service) < 0.25
    scores = Counter(s["满意度"] for s in service)
    assert set(scores) == {"", "1", "2", "3", "4", "5"}
    assert 0.3 < scores[""] / len(service) < 0.8

    def mean_score(rows):
        rated = [int(r["满意度"]) for r in rows if r["满意度"]]
        return sum(rated) / len(rated)

    others = [s for s in service if s["服务类型"] not in COMPLAINT_LABELS]
    assert mean_score(complaints) < 3 < mean_score(others)
    assert 0.8 < sum(bool(s["问题描述"]) for s in service) / len(service) < 0.98


def test_complaints_carry_a_status_most_of_them_resolved(service):
    complaints = [s for s in service if s["服务类型"] in COMPLAINT_LABELS]
    statuses = Counter(s["处理状态"] for s in complaints)
    resolved = sum(statuses[label] for label in ("已解决", "已处理", "关闭"))
    still_open = sum(statuses[label] for label in ("处理中", "未解决", "待处理"))
    assert set(statuses) <= {"已解决", "已处理", "关闭", "处理中", "未解决", "待处理", ""}
    assert 0 < still_open < 0.15 * len(complaints) < resolved
    assert 0 < statuses[""] < 0.1 * len(complaints)
    # Other kinds have no status, except a complaint typed as the unmapped 其他.
    assert all(not s["处理状态"] for s in service if s["服务类型"] not in COMPLAINT_LABELS | {"其他"})


def test_service_dates_are_mixed_and_visits_are_typed_by_hand(service):
    styles = Counter(
        "system" if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", d)
        else "excel" if re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}", d)
        else "slash" if re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}", d)
        else "chinese" if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", d)
        else "iso" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)
        else "other"
        for d in (s["受理时间"] for s in service)
    )
    assert set(styles) == {"system", "excel", "slash", "chinese", "iso"}
    visits = [s for s in service if s["服务类型"] in ("拜访", "上门")]
    assert visits and all(":" not in v["受理时间"] and not v["工单号"] for v in visits)
    tickets = [s["工单号"] for s in service if s["工单号"]]
    assert len(tickets) == len(set(tickets)) and all(re.fullmatch(r"FW20\d{6}\d{4}", t) for t in tickets)
    assert tickets == sorted(tickets)  # numbered as they come in


# --- geography from params/regions.yaml -------------------------------------------


def test_every_company_sits_in_a_city_of_its_province_and_region_in_the_regions_table(out: Path):
    table = load_regions(REGIONS_YAML)
    provinces = {(region.zh, province.name): province for region in table.regions for province in region.provinces}
    entities = read_csv(out, "_truth/entities.csv")
    for entity in entities:
        assert entity["city"] in provinces[(entity["region"], entity["province"])].cities, entity
    # Salesforce's state picklist carries the table's English province names.
    english = {province.en for province in provinces.values()}
    typed = {r["Billing State/Province"] for r in read_csv(out, "crm_accounts.csv")}
    assert {p for p in typed if p.isascii() and len(p) > 3} <= english


def edited_table(edit) -> RegionTable:
    data = yaml.safe_load(REGIONS_YAML.read_text(encoding="utf-8"))
    edit(data)
    return RegionTable.model_validate(data)


def test_the_demo_follows_an_edited_regions_table(tmp_path: Path):
    def move_shandong_north_and_rename_it(data):
        east, north = data["regions"][0], data["regions"][2]
        shandong = next(p for p in east["provinces"] if p["name"] == "山东")
        east["provinces"].remove(shandong)
        north["provinces"].append(shandong)
        north["zh"] = "北方"

    generate(tmp_path, customers=CUSTOMERS, seed=SEED, regions=edited_table(move_shandong_north_and_rename_it))
    entities = read_csv(tmp_path, "_truth/entities.csv")
    shandong = [e for e in entities if e["province"] == "山东"]
    assert shandong and all(e["region"] == "北方" for e in shandong)
    assert {e["region"] for e in entities} == {"华东", "华南", "北方", "华中", "西南", "西北", "东北"}
    wb = openpyxl.load_workbook(tmp_path / "客户管理表.xlsx", read_only=True)
    assert wb.sheetnames == ["华东", "华南", "北方", "华中", "西南", "西北", "东北"]
    wb.close()


def test_a_regions_table_without_what_the_demo_needs_is_refused_in_one_line(tmp_path: Path):
    def drop_tibet(data):
        southwest = data["regions"][4]
        southwest["provinces"] = [p for p in southwest["provinces"] if p["name"] != "西藏"]

    def drop_a_city(data):
        zhejiang = data["regions"][0]["provinces"][2]
        zhejiang["cities"].remove("绍兴")

    with pytest.raises(UserError, match="the regions table: no 西藏: the demo data needs"):
        generate(tmp_path, customers=10, seed=SEED, regions=edited_table(drop_tibet))
    with pytest.raises(UserError, match="the regions table: no city 绍兴 in 浙江"):
        generate(tmp_path, customers=10, seed=SEED, regions=edited_table(drop_a_city))


@pytest.mark.parametrize("home", ["unset", "folder without params"])
def test_outside_a_project_the_shipped_regions_table_gives_the_same_files(out: Path, tmp_path: Path, home: str):
    # No params/ above the working folder: the regions.yaml at the repository root is read.
    env = {k: v for k, v in os.environ.items() if k != "CUSTREPORT_HOME"}
    if home != "unset":
        env["CUSTREPORT_HOME"] = str(tmp_path)
    script = "import sys; from pathlib import Path; from custreport.demo import generate; " \
             f"generate(Path(sys.argv[1]), customers={CUSTOMERS}, seed={SEED})"
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "raw")], check=True, env=env, cwd=tmp_path)
    assert all_files(tmp_path / "raw") == all_files(out)


def test_demo_targets_are_scaled_written_once_and_only_beside_the_shipped_regions(tmp_path):
    import shutil

    from custreport.config import load_regions
    from custreport.demo.targets import write_demo_targets
    from custreport.targets import load_targets

    params = tmp_path / "params"
    params.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "params" / "regions.yaml", params / "regions.yaml")
    written = write_demo_targets(params, 300)
    table = load_targets(load_regions(params / "regions.yaml"), written)   # every region it names is known
    assert table.for_region("east", "2025-Q4", ["east"])["revenue"] == 3_000_000.0    # 30M for 3,000 customers
    assert table.for_region("east", "2025-Q4", ["east"])["win_rate"] == 0.2            # rates are not scaled
    written.write_text("targets: []\n", encoding="utf-8")
    assert write_demo_targets(params, 300) is None and written.read_text(encoding="utf-8") == "targets: []\n"
    other = tmp_path / "other"
    other.mkdir()
    (other / "regions.yaml").write_text("regions: [{code: west, zh: 西部, en: West}]\n", encoding="utf-8")
    assert write_demo_targets(other, 300) is None and not (other / "targets.yaml").exists()
