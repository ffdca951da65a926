"""Tests for custreport.ingest.prepare: splitting a sheet into data, non-data and quarantine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from custreport.errors import UserError
from custreport.ingest.prepare import prepare_sheet
from custreport.ingest.raw_sheet import RawSheet
from custreport.ingest.read import read_source_file
from custreport.ingest.sheet_rows import NON_DATA_COLUMNS, QUARANTINE_COLUMNS


def sheet_of(tmp_path: Path, name: str, body: str, spec) -> RawSheet:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    (sheet,) = read_source_file(path, spec)
    return sheet


def prepare(tmp_path, name, body, spec, regions):
    return prepare_sheet(sheet_of(tmp_path, name, body, spec), spec, regions)


CUSTOMERS = (
    "2024年客户清单,,,\n"                     # row 1: title
    "说明：内部资料,,,\n"                     # row 2: note
    "客户名称,电话,区域,备注\n"                # row 3: header
    "杭州华信科技有限公司,13800138000,华东,重点\n"  # row 4
    ",021-62345678,华北,\n"                  # row 5: no name -> quarantine
    ",,,\n"                                 # row 6: blank
    "合计,,,\n"                              # row 7: total
    "丁公司,12345,杭州市,\n"                   # row 8: bad phone is fixed, not rejected
)


def test_customers_rows_split(tmp_path, make_spec, regions):
    spec = make_spec("customers", name="crm")
    result = prepare(tmp_path, "crm.csv", CUSTOMERS, spec, regions)

    assert result.table == "customers" and result.source == "crm"
    assert list(result.non_data.columns) == NON_DATA_COLUMNS
    assert result.non_data[["source_row", "reason"]].values.tolist() == [
        [1, "title or note above header"], [2, "title or note above header"],
        [6, "blank row"], [7, "total or subtotal row"]]
    assert (result.non_data["source_file"] == "crm.csv").all()

    assert list(result.quarantine.columns) == QUARANTINE_COLUMNS
    assert result.quarantine[["source_row", "table", "column", "reason"]].values.tolist() == [
        [5, "customers", "name", "missing customer name"]]

    data = result.data
    assert data["source_row"].tolist() == [4, 8]
    assert data["source"].tolist() == ["crm", "crm"]
    assert data["name"].tolist() == ["杭州华信科技有限公司", "丁公司"]
    assert data["name_key"].tolist() == ["杭州华信科技", "丁"]
    assert data["phone"].tolist() == ["+8613800138000", pd.NA]
    assert data["phone_type"].tolist() == ["mobile", pd.NA]
    # 华东 resolves as a region, 杭州市 (typed in the region column) as a city of 浙江.
    assert data["region"].tolist() == ["east", "east"]
    assert data["x_备注"].tolist() == ["重点", pd.NA]

    # Every row lands in exactly one place: 2 data + (2 title + blank + total) + 1 quarantined = 7.
    assert len(data) + len(result.non_data) + len(result.quarantine) == 7
    assert result.fixes["phones invalid, left empty"] == 1


def test_quarantined_rows_carry_what_may_tell_their_region_and_fixes_their_rows(tmp_path, make_spec, regions):
    result = prepare(tmp_path, "crm.csv", CUSTOMERS, make_spec("customers", name="crm"), regions)
    # Row 5 has no name but 华北 in its region cell; its phone was normalised.
    assert result.quarantine_places["region"].tolist() == ["north"]
    phones = result.fix_kinds.index("phones normalised")
    assert [(bits >> phones) & 1 for bits in result.quarantine_fix_bits.tolist()] == [1]
    assert [(bits >> phones) & 1 for bits in result.data_fix_bits.tolist()] == [1, 0]


def test_display_names_with_stray_spaces_are_tidied_and_counted(tmp_path, make_spec, regions):
    body = "客户名称,区域\n合肥 益华电气 有限公司,华东\nAcme  Trading Co.,华东\n 丁公司 ,华东\n"
    result = prepare(tmp_path, "crm.csv", body, make_spec("customers", name="crm"), regions)
    assert result.data["name"].tolist() == ["合肥益华电气有限公司", "Acme Trading Co.", "丁公司"]
    assert result.fixes["name spacing tidied"] == 2   # trimming the ends is no fix


@pytest.mark.parametrize("label", ["合计", "总计", "小计", "合 计", "Total", "Grand Total", "SUBTOTAL"])
def test_total_rows_are_non_data(tmp_path, make_spec, regions, label):
    spec = make_spec("customers")
    body = f"客户名称,电话\n甲公司,13800138000\n{label},\n"
    result = prepare(tmp_path, "a.csv", body, spec, regions)
    assert result.non_data["reason"].tolist() == ["total or subtotal row"]
    assert result.data["name"].tolist() == ["甲公司"]


def test_total_detected_in_first_non_empty_cell(tmp_path, make_spec, regions):
    spec = make_spec("orders")
    body = "订单号,客户名称,下单日期,金额\n,合计,,300\nO1,甲,2024-01-01,300\n"
    result = prepare(tmp_path, "o.csv", body, spec, regions)
    assert result.non_data["source_row"].tolist() == [2]
    assert result.data["order_id"].tolist() == ["O1"]


def test_customer_places_and_types(tmp_path, make_spec, regions):
    spec = make_spec("customers")
    body = ("客户名称,省份,城市,客户类型,建档日期,潜在价值（万元）,邮箱\n"
            "甲,浙江省,杭州,成交客户,2024/3/5,1.5,A@X.COM\n"
            "乙,,深圳市,潜在客户,not a date,abc,bad\n"
            "丙,火星,,VIP,,,\n")
    data = prepare(tmp_path, "c.csv", body, spec, regions).data
    assert data["region"].tolist() == ["east", "south", "unknown"]
    # Canonical province from the province or, failing that, the city; unknown text kept.
    assert data["province"].tolist() == ["浙江", "广东", "火星"]
    assert data["customer_type"].tolist() == ["active", "prospect", pd.NA]
    assert data["created_at"].tolist() == [pd.Timestamp("2024-03-05"), pd.NaT, pd.NaT]
    # 1.5 x 10^4 from the 万元 unit; unparseable optional values are left empty, not rejected.
    assert data["potential_value"].iloc[0] == 15000.0
    assert np.isnan(data["potential_value"].iloc[1])
    assert data["email"].tolist() == ["a@x.com", pd.NA, pd.NA]


ORDERS = (
    "订单号,客户名称,下单日期,数量,单价,金额,状态\n"   # row 1
    "O1,甲公司,2024-03-05,2,10.5,,已完成\n"           # row 2: amount = 2 x 10.5 = 21
    "O2,甲公司,not a date,1,1,5,\n"                  # row 3: bad date
    "O3,甲公司,2024-03-06,,,,\n"                     # row 4: no amount, nothing to derive it from
    "O4,乙公司,2024/3/7,,,100,shipping soon\n"        # row 5: unknown status
    "O5,,2024-03-08,,,7,\n"                          # row 6: names no customer
    "O6,丙,2024-03-09,,,¥1.2万,退货\n"                # row 7: 1.2 x 10^4 = 12000, returned
    "O7,丙,,,,8,\n"                                  # row 8: missing date
    "O8,丙,2024-03-10,x,2,,\n"                       # row 9: unparseable quantity
)


def test_orders(tmp_path, make_spec, regions):
    spec = make_spec("orders", name="erp")
    result = prepare(tmp_path, "orders.csv", ORDERS, spec, regions)
    data = result.data
    assert data["order_id"].tolist() == ["O1", "O6"]
    assert data["amount"].tolist() == [21.0, 12000.0]
    assert data["status"].tolist() == ["completed", "returned"]
    assert data["order_date"].tolist() == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-09")]
    assert data["customer_name"].tolist() == ["甲公司", "丙"]
    assert data["customer_key"].tolist() == ["甲", "丙"]
    assert result.fixes["amounts derived from quantity x unit price"] == 1

    quarantine = result.quarantine.set_index("source_row")
    assert quarantine.loc[3, "column"] == "order_date"
    assert quarantine.loc[3, "reason"] == "unparseable order_date"
    assert quarantine.loc[3, "value"] == "not a date"
    assert quarantine.loc[4, "column"] == "amount"
    assert quarantine.loc[5, "reason"] == ('unrecognised order status "shipping soon" (1 rows): add it to '
                                           "vocabulary.order_status in params/sources.yaml "
                                           "(e.g. shipping soon: cancelled)")
    assert quarantine.loc[5, "value"] == "shipping soon"
    assert quarantine.loc[6, "column"] == "customer_name"
    assert quarantine.loc[8, "reason"] == "missing order_date"
    assert quarantine.loc[9, "column"] == "quantity"
    assert sorted(quarantine.index) == [3, 4, 5, 6, 8, 9]
    assert (quarantine["source"] == "erp").all() and (quarantine["table"] == "orders").all()


def test_orders_first_reason_wins(tmp_path, make_spec, regions):
    spec = make_spec("orders")
    # Bad date and unknown status: the date is checked first, so it is the reason given.
    body = "订单号,客户名称,下单日期,金额,状态\nO1,甲,bad,5,weird\n"
    quarantine = prepare(tmp_path, "o.csv", body, spec, regions).quarantine
    assert quarantine[["column", "reason"]].values.tolist() == [["order_date", "unparseable order_date"]]


def test_orders_unit_multiplier_from_header(tmp_path, make_spec, regions):
    spec = make_spec("orders")
    body = "订单号,客户名称,下单日期,金额（万元）\nO1,甲,2024-01-01,1.5\n"
    assert prepare(tmp_path, "o.csv", body, spec, regions).data["amount"].tolist() == [15000.0]


def test_orders_date_order_from_spec(tmp_path, make_spec, regions):
    body = "订单号,客户名称,下单日期,金额\nO1,甲,3/5/2024,1\n"
    day_first = prepare(tmp_path, "o.csv", body, make_spec("orders", date_order="day-first"), regions)
    month_first = prepare(tmp_path, "o.csv", body, make_spec("orders", date_order="month-first"), regions)
    assert day_first.data["order_date"].tolist() == [pd.Timestamp("2024-05-03")]
    assert month_first.data["order_date"].tolist() == [pd.Timestamp("2024-03-05")]


def test_deals(tmp_path, make_spec, regions):
    spec = make_spec("deals")
    body = ("商机编号,客户名称,阶段,创建日期,关闭日期,金额,区域\n"
            "D1,甲,赢单,2024-01-01,2024-02-01,100,粤\n"
            "D2,,谈判,2024-01-02,,50,\n"
            "D3,乙,输单,,2024-02-03,,\n"
            "D4,乙,,2024-01-04,,,\n")
    result = prepare(tmp_path, "d.csv", body, spec, regions)
    data = result.data
    # D3 has no creation date: CRMs export early deals without one, so it is kept.
    assert data["deal_id"].tolist() == ["D1", "D2", "D3"]
    assert data["outcome"].tolist() == ["won", "open", "lost"]
    assert data["region"].tolist() == ["south", pd.NA, pd.NA]
    assert data["closed_at"].tolist() == [pd.Timestamp("2024-02-01"), pd.NaT, pd.Timestamp("2024-02-03")]
    assert data["created_at"].isna().tolist() == [False, False, True]
    assert result.quarantine[["source_row", "column", "reason"]].values.tolist() == [
        [5, "stage", "missing deal stage"]]


def test_interactions(tmp_path, make_spec, regions):
    spec = make_spec("interactions", name="service")
    body = ("受理时间,客户名称,服务类型,满意度,处理状态,问题描述\n"   # row 1
            "2024-03-05 14:30:00,甲,投诉,2,已解决,发货延迟\n"       # row 2
            "2024/3/6,乙,客诉,,处理中,\n"                          # row 3
            "2024年3月7日,甲,咨询,5,,询价\n"                        # row 4
            "2024-03-08,乙,投诉,1,转交财务,\n"                      # row 5: unknown status, row kept
            "2024-03-09,丙,闲聊,9,,\n"                             # row 6: unknown kind, score out of 1..5
            "2024-03-10,,投诉,,,\n"                                # row 7: names no customer
            "not a date,甲,投诉,,,\n")                             # row 8: bad date
    result = prepare(tmp_path, "s.csv", body, spec, regions)
    data = result.data
    assert data["source_row"].tolist() == [2, 3, 4, 5, 6]
    assert data["kind"].tolist() == ["complaint", "complaint", "inquiry", "complaint", "other"]
    assert data["status"].tolist() == ["resolved", "open", pd.NA, pd.NA, pd.NA]
    assert data["satisfaction"].isna().tolist() == [False, True, False, False, True]
    assert data["date"].iloc[0] == pd.Timestamp("2024-03-05 14:30")
    assert result.fixes["interaction status not recognised, left empty"] == 1
    assert result.fixes["interaction kind not recognised, kept as other"] == 1
    assert result.quarantine[["source_row", "column"]].values.tolist() == [[7, "customer_name"], [8, "date"]]


def test_reps_rep_id_defaults_to_name(tmp_path, make_spec, regions):
    spec = make_spec("reps")
    body = "姓名,区域,客户容量\n王五,西南,30\n赵六,华东,很多\n"
    result = prepare(tmp_path, "r.csv", body, spec, regions)
    assert result.data[["rep_id", "name", "region", "capacity"]].values.tolist() == [["王五", "王五", "southwest", 30.0]]
    assert result.quarantine[["source_row", "column"]].values.tolist() == [[3, "capacity"]]


def test_malformed_lines_are_quarantined(tmp_path, make_spec, regions):
    spec = make_spec("customers")
    body = "客户名称,电话\n甲,13800138000\n乙,1,2\n丙,13900139000\n"
    result = prepare(tmp_path, "a.csv", body, spec, regions)
    assert result.data["source_row"].tolist() == [2, 4]
    assert result.quarantine[["source_row", "column"]].values.tolist() == [[3, ""]]
    assert result.quarantine["reason"].iloc[0].startswith("malformed line:")


def test_a_name_longer_than_the_limit_is_quarantined_with_its_length(tmp_path, make_spec, regions):
    spec = make_spec("orders")
    body = f"客户名称,下单日期,金额\n{'北' * 30_000},2024-03-05,100\n甲公司,2024-03-06,5\n"
    result = prepare(tmp_path, "o.csv", body, spec, regions)
    assert result.data["source_row"].tolist() == [3]
    assert result.quarantine[["source_row", "column", "reason"]].values.tolist() == [
        [2, "customer_name", "customer_name is 30,000 characters; longer than 1,000: not a typed name"]]
    assert len(result.quarantine["value"].iloc[0]) == 200


def test_required_column_missing_names_file_and_column(tmp_path, make_spec, regions):
    spec = make_spec("orders", name="erp")
    sheet = sheet_of(tmp_path, "o.csv", "订单号,客户名称,数量\nO1,甲,1\n", spec)
    with pytest.raises(UserError) as info:
        prepare_sheet(sheet, spec, regions)
    message = str(info.value)
    assert "o.csv" in message
    assert "required column 'order_date' not found" in message
    assert "'erp'" in message


def test_empty_sheet(tmp_path, make_spec, regions):
    sheet = RawSheet(tmp_path / "b.xlsx", "空", [], pd.DataFrame(), np.empty(0, dtype=np.int64), 0)
    result = prepare_sheet(sheet, make_spec("customers"), regions)
    assert result.data.empty and result.non_data.empty and result.quarantine.empty


def test_blank_and_repeated_headers_become_distinct_extras(tmp_path, make_spec, regions):
    body = "客户名称,电话,备注,备注,,\n甲,13800138000,a,b,c,d\n"
    data = prepare(tmp_path, "c.csv", body, make_spec("customers"), regions).data
    assert data["name"].tolist() == ["甲"]
    extras = sorted(c for c in data.columns if c.startswith("x_"))
    assert len(extras) == 4 and len(set(extras)) == 4


def test_only_a_bare_total_label_makes_a_total_row(tmp_path, make_spec, regions):
    body = "客户名称,电话\nTotal Energies SE,\nSum Technologies,\n小计(华东),\n合计：2家,\n"
    result = prepare(tmp_path, "c.csv", body, make_spec("customers"), regions)
    assert result.data["name"].tolist() == ["Total Energies SE", "Sum Technologies"]
    assert result.non_data["reason"].tolist() == ["total or subtotal row"] * 2


def test_column_map_wins_over_aliases_and_is_checked(tmp_path, make_spec, regions):
    body = "客户,公司全称\n简称甲,甲科技有限公司\n"
    spec = make_spec("customers", column_map={"公司全称": "name"})
    assert prepare(tmp_path, "c.csv", body, spec, regions).data["name"].tolist() == ["甲科技有限公司"]
    with pytest.raises(UserError, match="column_map '联系电话: phnoe' names no customers column"):
        prepare(tmp_path, "c.csv", body, make_spec("customers", column_map={"联系电话": "phnoe"}), regions)


def test_an_unparseable_quantity_does_not_matter_when_the_amount_is_there(tmp_path, make_spec, regions):
    body = "订单号,客户名称,下单日期,数量,金额\nO1,甲,2024-01-02,3件,90\n"
    result = prepare(tmp_path, "o.csv", body, make_spec("orders"), regions)
    assert result.data["amount"].tolist() == [90.0] and result.quarantine.empty
    assert result.fixes["quantity unparseable, left empty"] == 1


ONLINE_RETAIL = (
    "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
    "536365,85123A,6,2010-12-01 08:26,2.55,17850\n"     # row 2: a sale, 15.30
    "C536379,D,-1,2010-12-01 09:41,27.50,14527\n"       # row 3: a cancellation invoice
    "536380,22961,-3,2010-12-01 09:45,1.45,17809\n"     # row 4: a negative line, no prefix: a return
    "C536383,35004C,1,2010-12-01 09:49,4.65,15311\n"    # row 5: prefixed, positive as typed
)


def test_cancellation_prefix_and_negative_lines_are_credits(tmp_path, make_spec, regions):
    spec = make_spec("orders", cancellation_prefix="C")
    result = prepare(tmp_path, "retail.csv", ONLINE_RETAIL, spec, regions)
    data = result.data
    assert data["status"].tolist() == ["completed", "cancelled", "returned", "cancelled"]
    # credits carry a negative amount and quantity, so revenue is net of them
    assert data["amount"].round(2).tolist() == [15.3, -27.5, -4.35, -4.65]
    assert data["quantity"].tolist() == [6.0, -1.0, -3.0, -1.0]
    assert result.fixes["cancellations and returns (credit lines: never orders, revenue net of them)"] == 3
    assert result.quarantine.empty


def test_without_a_prefix_only_negative_lines_are_credits(tmp_path, make_spec, regions):
    data = prepare(tmp_path, "retail.csv", ONLINE_RETAIL, make_spec("orders"), regions).data
    assert data["status"].tolist() == ["completed", "returned", "returned", "completed"]
    assert data["amount"].round(2).tolist() == [15.3, -27.5, -4.35, 4.65]


def test_a_stated_return_keeps_its_status_and_becomes_a_credit(tmp_path, make_spec, regions):
    body = "订单号,客户名称,下单日期,金额,状态\nO1,甲,2024-01-01,-50,已取消\nO2,甲,2024-01-02,-20,已完成\n"
    data = prepare(tmp_path, "o.csv", body, make_spec("orders"), regions).data
    assert data["status"].tolist() == ["cancelled", "returned"] and data["amount"].tolist() == [-50.0, -20.0]


@pytest.mark.parametrize("header, values, expected", [
    ("Churn", ["Yes", "No", ""], ["churned", "active", pd.NA]),
    ("是否流失", ["是", "否", "1"], ["churned", "active", "churned"]),
    ("合作状态", ["停止合作", "合作中", "暂停?"], ["churned", "active", pd.NA]),
    ("Status", ["Closed", "Active", "Cancelled"], ["churned", "active", "churned"]),
    ("客户状态", ["流失", "合作中", "潜在客户"], ["churned", "active", "prospect"]),
])
def test_customer_status_from_a_churn_or_status_column(tmp_path, make_spec, regions, header, values, expected):
    body = f"客户名称,{header}\n" + "".join(f"客户{i},{value}\n" for i, value in enumerate(values))
    result = prepare(tmp_path, "c.csv", body, make_spec("customers"), regions)
    assert result.data["status"].tolist() == expected
    assert result.fixes["customer status not recognised, left empty"] == (1 if header == "合作状态" else 0)


def test_tenure_and_recurring_charges_are_kept(tmp_path, make_spec, regions):
    body = ("customerID,tenure,MonthlyCharges,TotalCharges,Churn\n"
            "7590-VHVEG,1,29.85,29.85,No\n"
            "3668-QPYBK,2,53.85,108.15,Yes\n"
            "4472-LVYGI,0,52.55, ,No\n")
    spec = make_spec("customers", combine={"name": ["customerID"]})
    data = prepare(tmp_path, "telco.csv", body, spec, regions).data
    assert data["source_customer_id"].tolist() == ["7590-VHVEG", "3668-QPYBK", "4472-LVYGI"]
    assert data["status"].tolist() == ["active", "churned", "active"]
    assert data["tenure_months"].tolist() == [1.0, 2.0, 0.0]
    assert data["monthly_charge"].tolist() == [29.85, 53.85, 52.55]
    assert data["total_charges"].iloc[:2].tolist() == [29.85, 108.15] and pd.isna(data["total_charges"].iloc[2])


def test_customer_since_contact_and_annual_purchases_headers(tmp_path, make_spec, regions):
    """A 客户管理表 of 150 customers, 113 with a 合作日期: every date is read, none left as an x_ extra."""
    rows = [f"客户{i},{'2023/%d/%d' % (i % 12 + 1, i % 28 + 1) if i < 113 else ''},联系人{i},{i % 7}"
            for i in range(150)]
    body = "客户名称,合作日期,联系人,年度采购额（万元）\n" + "\n".join(rows) + "\n"
    data = prepare(tmp_path, "c.csv", body, make_spec("customers"), regions).data
    assert int(data["created_at"].notna().sum()) == 113
    assert data["created_at"].iloc[0] == pd.Timestamp("2023-01-01")
    assert data["contact"].iloc[5] == "联系人5"
    assert data["annual_purchases"].iloc[5] == 50000.0  # 5 x 10^4 from the 万元 unit
    assert not [c for c in data.columns if c.startswith("x_")]


def test_territory_na_and_company_none_are_values(tmp_path, make_spec):
    """"NA" is the North America territory and "None" a company: neither is read as missing."""
    from custreport.config import RegionTable
    territories = RegionTable(regions=[{"code": "na", "zh": "北美", "en": "North America", "aliases": ["NA"]},
                                       {"code": "emea", "zh": "欧非中东", "en": "EMEA", "aliases": ["EMEA"]}])
    body = ("Customer Name,Territory,Phone\n"
            "None,NA,\n"        # a company called None in North America
            "Acme,EMEA,\n"
            "Zeta,-,\n"         # a dash still means no territory
            "无,NA,\n")         # 无 is no name: quarantined as before
    prepared = prepare(tmp_path, "c.csv", body, make_spec("customers"), territories)
    assert prepared.data["name"].tolist() == ["None", "Acme", "Zeta"]
    assert prepared.data["region"].tolist() == ["na", "emea", "unknown"]
    assert prepared.quarantine["reason"].tolist() == ["missing customer name"]


def test_na_values_of_a_source_mean_missing_in_every_column(tmp_path, make_spec, regions):
    spec = make_spec("customers", na_values=["None", "TBD"])
    body = "客户名称,区域,行业\nNone,华东,TBD\n甲,华东,制造\n"
    prepared = prepare(tmp_path, "c.csv", body, spec, regions)
    assert prepared.data["name"].tolist() == ["甲"]
    assert prepared.data["industry"].tolist() == ["制造"]
    assert prepared.quarantine["reason"].tolist() == ["missing customer name"]


def test_vocabulary_of_params_maps_statuses_and_names_the_key_for_the_rest(tmp_path, make_spec, regions):
    from custreport.config import Vocabulary
    spec = make_spec("orders", vocabulary=Vocabulary(order_status={"In Process": "completed",
                                                                   "On Hold": "completed", "Resolved": "completed"}))
    body = ("订单号,客户名称,下单日期,金额,状态\n"
            "O1,甲,2024-03-05,10,In Process\nO2,甲,2024-03-05,10,on hold\nO3,甲,2024-03-05,10,Resolved\n"
            "O4,甲,2024-03-05,10,Disputed\nO5,甲,2024-03-05,10,Disputed\nO6,甲,2024-03-05,10,已完成\n")
    result = prepare(tmp_path, "o.csv", body, spec, regions)
    assert result.data["status"].tolist() == ["completed"] * 4
    assert result.quarantine["reason"].tolist() == [
        'unrecognised order status "Disputed" (2 rows): add it to vocabulary.order_status in '
        "params/sources.yaml (e.g. Disputed: cancelled)"] * 2


def test_vocabulary_of_params_for_types_kinds_and_outcomes(tmp_path, make_spec, regions):
    from custreport.config import Vocabulary
    vocabulary = Vocabulary(customer_type={"Key Account": "active"}, interaction_kind={"Ticket": "complaint"},
                            interaction_status={"Waiting on customer": "open"}, deal_outcome={"Signed": "won"})
    customers = prepare(tmp_path, "c.csv", "客户名称,客户类型\n甲,Key Account\n",
                        make_spec("customers", vocabulary=vocabulary), regions).data
    assert customers["customer_type"].tolist() == ["active"]
    interactions = prepare(tmp_path, "i.csv", "客户名称,日期,类型,状态\n甲,2024-03-05,Ticket,Waiting on customer\n",
                           make_spec("interactions", vocabulary=vocabulary), regions).data
    assert interactions[["kind", "status"]].values.tolist() == [["complaint", "open"]]
    deals = prepare(tmp_path, "d.csv", "商机编号,阶段,客户名称\nD1,Signed,甲\n",
                    make_spec("deals", vocabulary=vocabulary), regions).data
    assert deals["outcome"].tolist() == ["won"]
