"""Tests for custreport.i18n: labels and number formats in zh and en."""

from __future__ import annotations

import math

import numpy as np
import pytest

from custreport import i18n
from custreport.errors import UserError
from custreport.i18n import (LABELS, LOCALES, check_locale, currency_symbol, excel_money_format, format_count,
                             format_delta, format_money, format_money_by_currency, format_percent,
                             is_currency_code, label)


def test_both_locales_have_the_same_labels():
    assert set(LABELS["zh"]) == set(LABELS["en"])
    assert label("revenue", "zh") == "销售额" and label("revenue", "en") == "Revenue"
    assert label("not_a_key", "zh") == "not_a_key"


def test_check_locale():
    assert [check_locale(locale) for locale in LOCALES] == ["zh", "en"]
    with pytest.raises(UserError, match="unknown locale 'fr'"):
        check_locale("fr")


@pytest.mark.parametrize("value, zh, en", [
    (0, "¥0", "¥0"),
    (9999, "¥9,999", "¥9,999"),
    (10000, "¥1.00万", "¥10.0K"),                 # 10000 / 10^4; 10000 / 10^3
    (12345, "¥1.23万", "¥12.3K"),
    (1234567, "¥123.46万", "¥1.2M"),              # 1234567 / 10^4 = 123.4567
    (123456789, "¥1.23亿", "¥123.5M"),            # / 10^8 = 1.2346; / 10^6 = 123.46
    (2.5e9, "¥25.00亿", "¥2.5B"),
    (-12345, "-¥1.23万", "-¥12.3K"),
    (1234.5, "¥1,234", "¥1,234"),
    (np.float64(1.5e8), "¥1.50亿", "¥150.0M"),
])
def test_format_money(value, zh, en):
    assert format_money(value, "zh") == zh
    assert format_money(value, "en") == en


@pytest.mark.parametrize("value, currency, zh, en", [
    (1234, "USD", "US$1,234", "$1,234"),
    (123000, "USD", "US$12.30万", "$123.0K"),          # 123000 / 10^4 = 12.3; / 10^3 = 123.0
    (1234567, "GBP", "£123.46万", "£1.2M"),
    (2.5e9, "EUR", "€25.00亿", "€2.5B"),
    (98765, "BRL", "R$9.88万", "R$98.8K"),             # 9.8765 -> 9.88; 98.765 -> 98.8
    (50000, "HKD", "HK$5.00万", "HK$50.0K"),
    (12345, "CNY", "¥1.23万", "¥12.3K"),               # CNY is ¥ in English too
    (12345, "JPY", "JP¥1.23万", "JP¥12.3K"),           # so yen never looks like yuan
    (1234, "CHF", "CHF 1,234", "CHF 1,234"),           # no symbol: the code and a space
    (-5, "GBP", "-£5", "-£5"),
    (1234, "EUR+USD", "EUR+USD 1,234", "EUR+USD 1,234"),   # amounts added across currencies say so
])
def test_format_money_by_currency_and_locale(value, currency, zh, en):
    assert format_money(value, "zh", currency) == zh
    assert format_money(value, "en", currency) == en


def test_currency_symbols():
    assert [currency_symbol(c, "zh") for c in ("USD", "HKD", "EUR", "GBP", "BRL", "CNY")] == \
        ["US$", "HK$", "€", "£", "R$", "¥"]
    assert [currency_symbol(c, "en") for c in ("USD", "HKD", "EUR", "GBP", "BRL", "CNY")] == \
        ["$", "HK$", "€", "£", "R$", "¥"]
    assert is_currency_code("BRL") and not is_currency_code("RMB") and not is_currency_code("usd")


def test_amounts_in_several_currencies_are_listed_apart():
    assert format_money_by_currency({"EUR": 12000.0, "USD": 300.0}, "en") == "€12.0K · $300"
    assert format_money_by_currency({"EUR": None}, "zh") == "—"


def test_excel_money_format():
    assert excel_money_format("USD", "en") == '"$"#,##0.00'
    assert excel_money_format("USD", "zh") == '"US$"#,##0.00'
    assert excel_money_format("CHF", "zh") == '"CHF "#,##0.00'


@pytest.mark.parametrize("value, zh, en", [
    (999, "999", "999"),
    (9999, "9,999", "9,999"),
    (12345, "1.23万", "12,345"),
    (123456789, "1.23亿", "123,456,789"),
    (-20000, "-2.00万", "-20,000"),
])
def test_format_count(value, zh, en):
    assert format_count(value, "zh") == zh
    assert format_count(value, "en") == en


def test_format_percent():
    assert format_percent(0.1234, "zh") == "12.3%"
    assert format_percent(0.5, "en", decimals=0) == "50%"
    assert format_percent(1, "en") == "100.0%"


def test_format_delta_is_signed():
    assert format_delta(0.123, "zh") == "+12.3%"
    assert format_delta(-0.04, "en") == "-4.0%"
    assert format_delta(0, "en") == "+0.0%"


@pytest.mark.parametrize("missing", [None, math.nan, np.nan])
def test_missing_values_are_an_em_dash(missing):
    for locale in LOCALES:
        assert format_money(missing, locale) == "—"
        assert format_count(missing, locale) == "—"
        assert format_percent(missing, locale) == "—"
        assert format_delta(missing, locale) == "—"


def test_pandas_missing_value_shows_a_dash():
    import pandas as pd

    from custreport.i18n import format_count, format_money, format_percent

    assert format_money(pd.NA, "zh") == format_count(pd.NA, "en") == format_percent(pd.NA, "zh") == "—"


@pytest.mark.parametrize("english, chinese", [
    ("unparseable order_date", "无法解析的下单日期"),
    ("unparseable amount: #DIV/0!", "无法解析的金额:#DIV/0!"),
    ("missing amount (and no quantity x unit price)", "缺少金额(也没有数量×单价可算)"),
    ("orders row names no customer", "订单行没有写明客户"),
    ("order_date in the future (after 2025-01-02)", "下单日期晚于数据导出日(2025-01-02 之后)"),
    ('unrecognised order status "On Hold" (3 rows): add it under vocabulary.order_status in params/sources.yaml, '
     'e.g. "On Hold: cancelled"',
     '无法识别的订单状态 "On Hold"(3 行):请在 params/sources.yaml 的 vocabulary.order_status 下添加,'
     '例如 "On Hold: cancelled"'),
    ('unrecognised order status "Disputed" (14 rows): add it to vocabulary.order_status in params/sources.yaml '
     '(e.g. Disputed: cancelled)',
     '无法识别的订单状态 "Disputed"(14 行):请在 params/sources.yaml 的 vocabulary.order_status 下添加,'
     '例如 Disputed: cancelled'),
    ("unrecognised order status (5 more values, 12 rows): add them to vocabulary.order_status in "
     "params/sources.yaml",
     "无法识别的订单状态(另有 5 个值,12 行):请在 params/sources.yaml 的 vocabulary.order_status 下添加"),
    ('unrecognised lead status "On Hold": add it to vocabulary.lead_status in params/sources.yaml '
     '(e.g. On Hold: disqualified); the status is left empty',
     '无法识别的线索状态 "On Hold":请在 params/sources.yaml 的 vocabulary.lead_status 下添加,'
     '例如 On Hold: disqualified;状态已置空'),
    ("converted_at unparseable, left empty", "无法解析的转化日期,已置空"),
    ("total or subtotal row", "合计或小计行"),
    ("created_at unparseable, left empty", "无法解析的创建日期,已置空"),
    ("note longer than 32,767 characters, cut", "备注超过 32,767 个字符,已截断"),
    ("name is 30,000 characters; longer than 1,000: not a typed name", "客户名称长 30,000 个字符,超过 1,000:不是手工录入的名称"),
])
def test_ingest_words_read_in_chinese_and_stay_as_written_in_english(english, chinese):
    assert i18n.ingest_text(english, "zh") == chinese
    assert i18n.ingest_text(english, "en") == english


def test_ingest_words_no_pattern_knows_are_shown_as_written():
    assert i18n.ingest_text("something new", "zh") == "something new"


def test_every_note_is_in_both_catalogs_and_fills_in_from_the_same_arguments():
    import string

    assert i18n.NOTES["zh"].keys() == i18n.NOTES["en"].keys()
    for key in i18n.NOTES["zh"]:
        # a language may leave out a field (English lower-cases a word Chinese has not): the caller passes both
        fields = {name.split(".")[0].split("[")[0] for locale in ("zh", "en")
                  for _, name, _, _ in string.Formatter().parse(i18n.NOTES[locale][key]) if name}
        for locale in ("zh", "en"):
            assert i18n.note(key, locale, **{name: 1 for name in fields}), key


def test_a_note_reads_in_the_reader_s_language_with_its_fields():
    assert i18n.note("note.top_movers", "en", previous="2025-Q3").count("2025-Q3") <= 1
    assert i18n.note("note.allocation_table", "zh") != i18n.note("note.allocation_table", "en")
