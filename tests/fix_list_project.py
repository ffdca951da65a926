"""A generated project whose data is clean but for problems planted on specific reps' customers,
for the fix lists' acceptance test (tests/reporting/test_fix_lists.py).

Reps: E01 王芳 and E02 李强 (capacity 2) in the east, S01 陈静 in the south, N01 赵敏 in the north,
each with clean customers of their own (distinct names, valid phones and emails, an industry, an
order in 2025-11 and in 2026-02). Planted (``PLANTED``: rep -> {(kind, customer name)}):

- E01: 杭州明远机电有限公司 typed twice in the CRM (merged at ingest: a duplicate at the source);
  嘉兴联创包装有限公司 with the phone 12345 (no number: ingest leaves phone empty and keeps what was
  typed, so it is on the list as an invalid phone) and no email;
- E02: three customers for a capacity of two (over capacity), one of them without an industry;
- S01: 广州恒达贸易有限公司 and 南宁蓝海物流有限公司 sharing a phone (a suspected duplicate each way),
  and 珠海安泰五金有限公司 with no order since 2025-03 and no interaction (no contact for 6 months);
- N01: 北方星辰科技有限公司, whose place no region knows (no region);
- no owner: 宁波启航电子有限公司 in the east (on the east's unassigned list, no rep's).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from demo_project import PROJECT, copy_params

SOURCES = """defaults: {date_order: year-first, phone_region: CN, currency: CNY, max_quarantined: 100%}
keep_snapshots: 5
sources:
  - {name: crm, path: data/raw/crm.csv, table: customers}
  - {name: orders, path: data/raw/orders.csv, table: orders}
  - {name: service, path: data/raw/service.csv, table: interactions}
  - {name: reps, path: data/raw/reps.csv, table: reps}
"""

REPS = [("E01", "王芳", "华东", "", "制造业", 10), ("E02", "李强", "华东", "王芳", "零售", 2),
        ("S01", "陈静", "华南", "", "物流", 10), ("N01", "赵敏", "华北", "", "能源", 10)]

# 客户名称, 区域, 省份, 城市, 行业, 负责人, 联系电话, 邮箱
CLEAN = [
    ("温州东升阀门有限公司", "华东", "浙江", "温州", "制造业", "王芳", "13811110001", "info@dongsheng.cn"),
    ("上海百川食品有限公司", "华东", "上海", "上海", "零售", "E01", "13811110002", "sales@baichuan.cn"),
    ("苏州华美家居有限公司", "华东", "江苏", "苏州", "零售", "李强", "13811110003", "contact@huamei.cn"),
    ("合肥瑞丰农业有限公司", "华东", "安徽", "合肥", "农业", "李强", "13811110004", "office@ruifeng.cn"),
    ("东莞鸿运模具有限公司", "华南", "广东", "东莞", "制造业", "陈静", "13811110005", "mail@hongyun.cn"),
    ("北京同和医药有限公司", "华北", "北京", "北京", "医药", "赵敏", "13811110006", "hr@tonghe.cn"),
    ("天津港丰物流有限公司", "华北", "天津", "天津", "物流", "N01", "13811110007", "ops@gangfeng.cn"),
]
PLANTED_ROWS = [
    ("杭州明远机电有限公司", "华东", "浙江", "杭州", "制造业", "王芳", "13822220001", "sales@mingyuan.cn"),
    ("杭州明远机电有限公司", "华东", "浙江", "杭州", "制造业", "王芳", "13822220001", "sales@mingyuan.cn"),
    ("嘉兴联创包装有限公司", "华东", "浙江", "嘉兴", "包装", "王芳", "12345", ""),
    ("南京新城建材有限公司", "华东", "江苏", "南京", "", "李强", "13822220003", "buy@xincheng.cn"),
    ("广州恒达贸易有限公司", "华南", "广东", "广州", "贸易", "陈静", "13822220004", "trade@hengda.cn"),
    ("南宁蓝海物流有限公司", "华南", "广西", "南宁", "物流", "陈静", "13822220004", "info@lanhai.cn"),
    ("珠海安泰五金有限公司", "华南", "广东", "珠海", "五金", "陈静", "13822220006", "sales@antai.cn"),
    ("北方星辰科技有限公司", "", "火星", "", "科技", "赵敏", "13822220007", "star@xingchen.cn"),
    ("宁波启航电子有限公司", "华东", "浙江", "宁波", "电子", "", "13822220008", "hi@qihang.cn"),
]
STALE = "珠海安泰五金有限公司"
ONLY_SERVICE = "北京同和医药有限公司"     # contacted by a visit, never ordered: no problem

PLANTED: dict[str, set[tuple[str, str]]] = {
    "E01": {("duplicate_merged", "杭州明远机电有限公司"), ("phone_invalid", "嘉兴联创包装有限公司"),
            ("email_missing", "嘉兴联创包装有限公司")},
    "E02": {("over_capacity", ""), ("industry_missing", "南京新城建材有限公司")},
    "S01": {("duplicate_suspected", "广州恒达贸易有限公司"), ("duplicate_suspected", "南宁蓝海物流有限公司"),
            ("no_contact", STALE)},
    "N01": {("region_missing", "北方星辰科技有限公司")},
}
UNASSIGNED = {("unassigned", "宁波启航电子有限公司")}
REGIONS = {"E01": "east", "E02": "east", "S01": "south", "N01": "north"}


def _write(path: Path, header: list[str], rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_customers(root: Path, rows: list[tuple]) -> None:
    _write(root / "data" / "raw" / "crm.csv", ["客户名称", "区域", "省份", "城市", "行业", "负责人", "联系电话", "邮箱",
                                              "建档日期"], [(*row, "2023-05-10") for row in rows])


def make_fix_list_project(root: Path) -> None:
    """params/ (this project's, with the sources above), notebooks/ and the raw files under ``root``."""
    copy_params(root)
    shutil.copytree(PROJECT / "notebooks", root / "notebooks")
    (root / "params" / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    rows = [*CLEAN, *PLANTED_ROWS]
    write_customers(root, rows)
    orders, number = [], 0
    for name in dict.fromkeys(row[0] for row in rows):
        if name == ONLY_SERVICE:
            continue
        dates = ["2025-03-10"] if name == STALE else ["2025-11-15", "2026-02-15"]
        for day in dates:
            number += 1
            orders.append((f"SO-{number:04d}", name, day, 1000 + number, "已完成"))
    orders.append((f"SO-{number + 1:04d}", CLEAN[0][0], "2026-03-31", 500, "已完成"))   # the data runs to 2026-03-31
    _write(root / "data" / "raw" / "orders.csv", ["订单号", "客户名称", "下单日期", "金额", "订单状态"], orders)
    _write(root / "data" / "raw" / "service.csv", ["客户名称", "日期", "类型", "备注"],
           [(ONLY_SERVICE, "2025-10-20", "拜访", "季度拜访"), (ONLY_SERVICE, "2026-02-20", "拜访", "季度拜访")])
    _write(root / "data" / "raw" / "reps.csv", ["工号", "姓名", "所属区域", "经理", "擅长行业", "客户容量"], REPS)


def fix_planted_problems(root: Path) -> None:
    """What E01 and the east's manager do before the next period: 嘉兴联创 gets an email (its phone stays
    wrong) and 宁波启航 gets an owner, E01."""
    rows = [*CLEAN, *PLANTED_ROWS]
    fixed = [(*row[:7], "info@lianchuang.cn") if row[0] == "嘉兴联创包装有限公司" else
             (*row[:5], "E01", *row[6:]) if row[0] == "宁波启航电子有限公司" else row for row in rows]
    write_customers(root, fixed)
