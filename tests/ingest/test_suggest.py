"""suggest: the guesses `custreport sources suggest` makes about a new export."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from custreport.config import RegionTable, SourcesConfig
from custreport.ingest.suggest import (closest_aliases, guess_currency, guess_date_order, guess_table, region_share,
                                       source_name, sources_yaml, suggest_sheet, vocabulary)

REGIONS = RegionTable(regions=[{"code": "north", "zh": "北部", "en": "North", "aliases": ["Scotland", "NA"]},
                               {"code": "south", "zh": "南部", "en": "South", "aliases": ["London"]}])


def text(*values) -> pd.Series:
    return pd.Series(values, dtype="string")


@pytest.mark.parametrize("headers, table", [
    (["Invoice", "InvoiceDate", "Customer ID", "Quantity", "UnitPrice"], "orders"),
    (["客户名称", "联系电话", "所在省份", "建档日期"], "customers"),
    (["Opportunity ID", "Account", "Stage", "Close Date", "Amount"], "deals"),
    (["客户名称", "服务类型", "受理日期", "处理状态"], "interactions"),
])
def test_the_table_is_the_one_whose_aliases_name_most_headers(headers, table):
    assert guess_table(headers) == table


def test_an_unknown_header_gets_its_closest_aliases():
    assert closest_aliases("Ordr Date", "orders")[0] == "order date -> order_date"
    assert closest_aliases("Territory", "orders") == ()


@pytest.mark.parametrize("values, order, reason", [
    (("31/01/2024", "05/02/2024", "28/02/2024"), "day-first",
     "day-first: 31/01/2024 has a first part > 12 in 2 of 3 dates"),
    (("1/13/2023", "2/1/2023"), "month-first", "month-first: 1/13/2023 has a second part > 12 in 1 of 2 dates"),
    (("2024-01-31", "2024-02-05"), "year-first", "year-first: 2 dates like 2024-01-31 start with the year"),
])
def test_the_date_order_comes_from_the_values_only_one_order_reads(values, order, reason):
    guess = guess_date_order(text(*values))
    assert (guess.order, guess.reason, guess.unparseable, guess.decided) == (order, reason, 0, True)


def test_dates_no_part_of_which_decides_are_undecided_and_say_so():
    guess = guess_date_order(text("01/02/2024", "03/04/2024"))
    assert not guess.decided and guess.reason.startswith("undecided: no part of 2 day/month dates is over 12")


def test_dates_read_both_ways_are_called_mixed():
    guess = guess_date_order(text("31/01/2024", "01/31/2024"))
    assert guess.reason == ("mixed: 31/01/2024 reads day-first (1 date) but 01/31/2024 month-first (1): "
                            "dates with both parts up to 12 are ambiguous; fix the file")


def test_values_no_order_reads_are_counted():
    assert guess_date_order(text("2024-01-31", "sometime in May")).unparseable == 1


def test_no_dates_no_guess():
    assert guess_date_order(text(None, "")) is None


def test_vocabulary_counts_values_and_flags_those_ingest_does_not_know():
    found = vocabulary(text("Shipped", "On Hold", "on hold ", "已完成", None), "orders", "status", "Status")
    assert found.counts == {"Shipped": 1, "On Hold": 1, "on hold": 1, "已完成": 1}
    assert found.unknown == {"On Hold": 1, "on hold": 1}


def test_deal_stages_are_known_through_the_outcome_synonyms():
    found = vocabulary(text("Closed Won", "Closed Won", "Haggling"), "deals", "stage", "Stage")
    assert found.counts == {"Closed Won": 2, "Haggling": 1} and found.unknown == {"Haggling": 1}


def test_a_column_without_a_vocabulary_has_none():
    assert vocabulary(text("a"), "orders", "product", "Product") is None


@pytest.mark.parametrize("headers, cells, code", [
    (["Amount (USD)"], {}, "USD"),
    (["金额(元)"], {}, "CNY"),
    (["Total"], {"Total": text("$1,200", "$5")}, "USD"),
    (["Net"], {"Net": text("£1,200.00", "€3")}, "GBP"),
    (["Valor"], {"Valor": text("R$ 10,00")}, "BRL"),
])
def test_the_currency_comes_from_a_header_unit_or_the_symbols_in_cells(headers, cells, code):
    assert guess_currency(headers, cells).code == code


def test_mixed_currencies_are_said():
    guess = guess_currency(["Net"], {"Net": text("£1", "£2", "€3")})
    assert "2 amounts like '£1' in 'Net' carry GBP (also EUR 1: mixed currencies)" == guess.reason


def test_no_symbol_no_currency():
    assert guess_currency(["Amount"], {"Amount": text("12", "13")}) is None


def test_region_share_counts_rows_whose_value_resolves():
    assert region_share(text("North", "London", "Atlantis", "NA"), REGIONS) == pytest.approx(0.75)


def test_a_sheet_suggestion_puts_the_guesses_together():
    grid = pd.DataFrame({"Order No": ["1", "2", "3"], "Order Date": ["31/01/2024", "02/02/2024", "03/02/2024"],
                         "Customer": ["A", "B", "A"], "Territory": ["North", "London", "Scotland"],
                         "Net Amount": ["£10", "£1,200.50", "£3"], "Status": ["Shipped", "On Hold", "Shipped"],
                         "Sales Rep": ["x", "y", "z"]}, dtype="string")
    guess = suggest_sheet(grid, regions=REGIONS)
    roles = {column.header: column.role for column in guess.columns}
    assert guess.table == "orders" and guess.rows == 3
    assert roles == {"Order No": "order_id", "Order Date": "order_date", "Customer": "customer_name",
                     "Territory": None, "Net Amount": "amount", "Status": "status", "Sales Rep": None}
    assert guess.date_order.order == "day-first" and guess.currency.code == "GBP"
    assert guess.region_candidates == [("Territory", 1.0)]
    assert [v.unknown for v in guess.vocabularies] == [{"On Hold": 1}]


def test_the_sources_yaml_is_valid_and_explains_each_guess():
    grid = pd.DataFrame({"客户名称": ["甲公司", "乙公司"], "区域名": ["North", "South"],
                         "建档日期": ["2024-01-02", "2024-02-03"]}, dtype="string")
    guess = suggest_sheet(grid, regions=REGIONS)
    text_ = sources_yaml([("crm", "data/raw/客户.csv", None, guess)])
    config = SourcesConfig.model_validate(yaml.safe_load(text_))
    source = config.sources[0]
    assert (source.table, source.date_order, source.column_map) == ("customers", "year-first", {"区域名": "region"})
    assert "# '区域名': 100% of its values are regions of params/regions.yaml; read as the region" in text_


def test_a_quarantining_vocabulary_suggests_a_limit_only_in_a_comment():
    grid = pd.DataFrame({"订单号": [str(n) for n in range(10)], "客户名称": ["甲"] * 10,
                         "下单日期": ["2024-01-02"] * 10, "状态": ["已完成"] * 9 + ["挂起"]}, dtype="string")
    text_ = sources_yaml([("orders", "o.csv", None, suggest_sheet(grid))])
    assert "'挂起' 1; their rows are quarantined unless mapped" in text_
    assert "    # max_quarantined: 11%" in text_
    assert "max_quarantined" not in yaml.safe_load(text_)["sources"][0]


def test_source_names_are_simple_and_distinct():
    from pathlib import Path

    assert source_name(Path("UK Orders 2024.csv"), set()) == "uk_orders_2024"
    assert source_name(Path("orders.csv"), {"orders"}) == "orders_2"
