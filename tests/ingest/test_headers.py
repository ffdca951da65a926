"""Tests for custreport.ingest.headers: folding, aliases, column_map and header mapping."""

from __future__ import annotations

import pytest

from custreport import schema
from custreport.ingest.headers import (ALIASES, CUSTOMER_NAME, canonical_for, fold_header, header_score,
                                       map_headers)


@pytest.mark.parametrize("header, expected", [
    ("潜在价值（万元）", ("潜在价值", 1e4)),
    ("金额(万元)", ("金额", 1e4)),
    ("金额（亿元）", ("金额", 1e8)),
    ("金额[千元]", ("金额", 1e3)),
    ("Amount (k)", ("amount", 1e3)),
    ("金额（元）", ("金额", 1.0)),
    ("客户名称*", ("客户名称", 1.0)),
    ("＊客户名称：", ("客户名称", 1.0)),
    ("联系电话:", ("联系电话", 1.0)),
    ("ＡＣＣＯＵＮＴ＿ＮＡＭＥ", ("accountname", 1.0)),
    ("Account Name", ("accountname", 1.0)),
    (" 客户 名称 ", ("客户名称", 1.0)),
])
def test_fold_header(header, expected):
    assert fold_header(header) == expected


def test_fold_header_non_text():
    assert fold_header(2024) == ("2024", 1.0)


ALL_ALIASES = [(table, canonical, alias)
               for table, columns in ALIASES.items()
               for canonical, aliases in columns.items()
               for alias in (canonical, *aliases)]


@pytest.mark.parametrize("table, canonical, alias", ALL_ALIASES)
def test_every_alias_maps_to_its_column(table, canonical, alias):
    # An alias listed under two columns of one table would silently map to the first.
    assert canonical_for(alias, table) == canonical


def test_alias_targets_are_canonical_columns():
    for table, columns in ALIASES.items():
        for canonical in columns:
            assert canonical in schema.COLUMNS[table] or canonical == CUSTOMER_NAME, (table, canonical)


@pytest.mark.parametrize("table, header, canonical", [
    ("customers", "客户名称", "name"), ("customers", "公司名称", "name"), ("customers", "Account Name", "name"),
    ("customers", "ACCOUNT_NAME", "name"), ("customers", "客户名称*", "name"), ("customers", "客户全称：", "name"),
    ("customers", "联系电话", "phone"), ("customers", "手机号", "phone"), ("customers", "Phone", "phone"),
    ("customers", "E-mail", "email"), ("customers", "省份", "province"), ("customers", "Billing City", "city"),
    ("customers", "建档日期", "created_at"), ("customers", "Account ID", "source_customer_id"),
    ("customers", "潜在价值（万元）", "potential_value"), ("customers", "客户类型", "customer_type"),
    # customer since, the contact person and the annual purchases of a 客户管理表 and their English kin
    ("customers", "合作日期", "created_at"), ("customers", "首次合作时间", "created_at"),
    ("customers", "签约日期", "created_at"), ("customers", "开户日期", "created_at"),
    ("customers", "Customer Since", "created_at"), ("customers", "Client Since", "created_at"),
    ("customers", "Account Opened", "created_at"), ("customers", "Start Date", "created_at"),
    ("customers", "联系人", "contact"), ("customers", "Contact Name", "contact"),
    ("customers", "Contact Person", "contact"), ("customers", "Primary Contact", "contact"),
    ("customers", "年度采购额（万元）", "annual_purchases"), ("customers", "Annual Purchases", "annual_purchases"),
    ("orders", "下单日期", "order_date"), ("orders", "Order Date", "order_date"),
    ("orders", "InvoiceDate", "order_date"), ("orders", "订单号", "order_id"), ("orders", "Invoice No", "order_id"),
    ("orders", "客户名称", CUSTOMER_NAME), ("orders", "金额（万元）", "amount"), ("orders", "Qty", "quantity"),
    ("orders", "单价", "unit_price"), ("orders", "订单状态", "status"),
    ("deals", "商机编号", "deal_id"), ("deals", "Opportunity ID", "deal_id"), ("deals", "阶段", "stage"),
    ("deals", "Close Date", "closed_at"), ("deals", "Sales Agent", "owner_rep"),
    ("interactions", "拜访日期", "date"), ("interactions", "Activity Type", "kind"),
    ("interactions", "满意度", "satisfaction"), ("interactions", "处理状态", "status"),
    ("interactions", "是否解决", "status"), ("interactions", "Resolution Status", "status"),
    ("interactions", "受理时间", "date"), ("interactions", "服务类型", "kind"), ("interactions", "问题描述", "note"),
    ("reps", "工号", "rep_id"), ("reps", "Sales Agent", "name"), ("reps", "regional_office", "region"),
])
def test_canonical_for_examples(table, header, canonical):
    assert canonical_for(header, table) == canonical


def test_canonical_for_depends_on_table():
    assert canonical_for("客户名称", "customers") == "name"
    assert canonical_for("客户名称", "orders") == CUSTOMER_NAME
    assert canonical_for("类型", "customers") == "customer_type"
    assert canonical_for("类型", "interactions") == "kind"


def test_canonical_for_unknown():
    assert canonical_for("备注", "customers") is None
    assert canonical_for("", "orders") is None
    assert canonical_for("完全不认识", "reps") is None


def test_column_map_wins_over_aliases():
    column_map = {"公司": "industry", "Comp No": "source_customer_id"}
    # 公司 is an alias of name; the map sends it to industry instead.
    assert canonical_for("公司", "customers", column_map) == "industry"
    # Matching a map key is folded too: full-width, case, stars and spaces.
    assert canonical_for("ＣＯＭＰ ＮＯ*", "customers", column_map) == "source_customer_id"
    # Headers not in the map still use the aliases.
    assert canonical_for("联系电话", "customers", column_map) == "phone"


def test_header_score():
    assert header_score(["客户名称", "电话", "区域", "备注"], "customers") == 3
    # The same column named twice counts once; blanks and unknowns count nothing.
    assert header_score(["客户名称", "公司名称", "", "foo"], "customers") == 1
    assert header_score(["2024年客户清单", "", ""], "customers") == 0
    assert header_score(["A", "B"], "customers", {"A": "name", "B": "phone"}) == 2


def test_map_headers_extras_and_repeats():
    mapping = map_headers(["客户名称", "电话", "手机", "备注", "", "公司名称"], "customers")
    # 手机 and 公司名称 repeat phone and name: they are kept as extras, not dropped.
    assert mapping.canonical == ["name", "phone", "x_手机", "x_备注", "x_column", "x_公司名称"]
    assert mapping.headers == ["客户名称", "电话", "手机", "备注", "", "公司名称"]
    assert mapping.multipliers == {}
    assert mapping.column_of("phone") == "电话"
    assert mapping.column_of("email") is None


def test_map_headers_records_unit_multipliers():
    mapping = map_headers(["订单号", "金额（万元）", "数量", "单价(千元)", "下单日期"], "orders")
    assert mapping.canonical == ["order_id", "amount", "quantity", "unit_price", "order_date"]
    assert mapping.multipliers == {"amount": 1e4, "unit_price": 1e3}
    assert mapping.column_of("amount") == "金额（万元）"


def test_map_headers_with_column_map():
    mapping = map_headers(["Kunde", "Tel"], "customers", {"Kunde": "name", "Tel": "phone"})
    assert mapping.canonical == ["name", "phone"]
