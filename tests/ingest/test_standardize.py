"""Tests for custreport.ingest.standardize: dates, money, emails, names, synonyms."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from custreport.ingest import standardize as std
from custreport.ingest.phones import normalize_phones
from custreport.ingest.standardize import (CUSTOMER_TYPE_SYNONYMS, DEAL_OUTCOME_SYNONYMS,
                                           INTERACTION_STATUS_SYNONYMS, ORDER_STATUS_SYNONYMS,
                                           blank_to_na, display_names, map_synonyms, name_keys,
                                           normalize_emails, parse_dates,
                                           parse_money)

T = pd.Timestamp


def text(*values) -> pd.Series:
    return pd.Series(list(values), dtype="string")


def one_date(value: str, order: str = "year-first"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the free-form fallback may warn about its guess
        dates, invalid = parse_dates(text(value), order)
    return dates.iloc[0], bool(invalid.iloc[0])


# -- blank markers ---------------------------------------------------------


def test_blank_to_na():
    out = blank_to_na(text(" 甲 ", "", "  ", "-", "--", "N/A", "null", "无", "暂无", None, "0"))
    assert out.tolist() == ["甲", *[pd.NA] * 9, "0"]


# -- dates -----------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("2024-03-05", T("2024-03-05")),
    ("2024-3-5", T("2024-03-05")),
    ("2024/3/5", T("2024-03-05")),
    ("2024.3.5", T("2024-03-05")),
    ("2024年3月5日", T("2024-03-05")),
    ("2024 年 3 月 5 日", T("2024-03-05")),
    ("20240305", T("2024-03-05")),
    ("20240305143000", T("2024-03-05 14:30:00")),
    # Excel serial: day 45356 counted from 1899-12-30 is 2024-03-05; .5 is noon, .25 six o'clock.
    ("45356", T("2024-03-05")),
    ("45356.5", T("2024-03-05 12:00")),
    ("45356.25", T("2024-03-05 06:00")),
    ("2024-03-05 14:30", T("2024-03-05 14:30")),
    ("2024-03-05T14:30:15", T("2024-03-05 14:30:15")),
    ("2024/3/5 9:05:01", T("2024-03-05 09:05:01")),
    ("2018-01-01 星期五", T("2018-01-01")),
    ("2024-03-04(周一)", T("2024-03-04")),
    ("2024-03-05（周二）", T("2024-03-05")),
    ("2024-03-05 Tue", T("2024-03-05")),
    ("２０２４－０３－０５", T("2024-03-05")),
    ("２０２４年３月５日", T("2024-03-05")),
    (" 2024-03-05 ", T("2024-03-05")),
    ("Mar 5, 2024", T("2024-03-05")),
])
def test_parse_dates_formats(value, expected):
    assert one_date(value) == (expected, False)


@pytest.mark.parametrize("value, order, expected", [
    ("3/5/2024", "month-first", T("2024-03-05")),
    ("3/5/2024", "day-first", T("2024-05-03")),
    ("3-5-2024", "day-first", T("2024-05-03")),
    # Undeclared (year-first) with nothing over 12: month-first.
    ("3/5/2024", "year-first", T("2024-03-05")),
    # Two-digit years.
    ("3/5/24", "month-first", T("2024-03-05")),
    ("3/5/24", "day-first", T("2024-05-03")),
    ("12/31/99", "month-first", T("1999-12-31")),
    ("1/2/00", "month-first", T("2000-01-02")),
    ("1/2/29", "month-first", T("2029-01-02")),
    ("1/2/30", "month-first", T("1930-01-02")),
])
def test_parse_dates_year_last(value, order, expected):
    assert one_date(value, order) == (expected, False)


def test_parse_dates_undeclared_order_decided_by_column():
    # 13 cannot be a month, so the whole column reads day-first: 3/5/2024 is 3 May.
    dates, invalid = parse_dates(text("3/5/2024", "13/5/2024"))
    assert dates.tolist() == [T("2024-05-03"), T("2024-05-13")]
    assert not invalid.any()
    # A value over 12 in the second place keeps month-first.
    dates, _ = parse_dates(text("3/5/2024", "5/13/2024"))
    assert dates.tolist() == [T("2024-03-05"), T("2024-05-13")]


@pytest.mark.parametrize("value", ["1899-12-31", "2101-01-01", "18991231", "2024-02-30", "2024-13-01",
                                   "abc"])
def test_parse_dates_invalid(value):
    result, invalid = one_date(value)
    assert pd.isna(result) and invalid


@pytest.mark.parametrize("value", ["", "  ", "-", "--", "N/A", "无", None])
def test_parse_dates_blanks_are_missing_not_invalid(value):
    result, invalid = one_date(value)
    assert pd.isna(result) and not invalid


def test_parse_dates_range_boundaries():
    dates, invalid = parse_dates(text("1900-01-01", "2100-12-31"))
    assert dates.tolist() == [T("1900-01-01"), T("2100-12-31")]
    assert not invalid.any()


def test_parse_dates_dtype():
    dates, invalid = parse_dates(text("2024-03-05", None))
    assert dates.dtype == "datetime64[ms]"
    assert invalid.dtype == bool


# Regressions found by the properties in test_standardize_properties.py.


@pytest.mark.parametrize("value", ["١-٢-٢٠٢٤", "0/0/0٠", "٢٠٢٤-١-٢", "0000/0/٠"])
def test_parse_dates_other_scripts_digits_are_unparseable_not_an_error(value):
    # Arabic-Indic digits matched \d, then pd.to_numeric raised ValueError on them.
    assert one_date(value, "year-first")[1] and one_date(value, "day-first")[1]


@pytest.mark.parametrize("value", ["Jan 1 2999", "JAN2300", "1/1/0100", "0100-01-01"])
def test_parse_dates_years_beyond_nanoseconds_are_unparseable_not_an_error(value):
    # pandas returned these in microseconds and OutOfBoundsDatetime escaped on assignment.
    result, invalid = one_date(value)
    assert pd.isna(result) and invalid


@pytest.mark.parametrize("value, order", [("2024-01-02 25:00", "year-first"), ("2024-01-02 24:00", "year-first"),
                                          ("2000-1-1 0:60", "year-first"), ("2024-01-02 12:30:60", "year-first"),
                                          ("20240305250000", "year-first"), ("1/2/2024 99:99", "month-first"),
                                          ("2024年1月2日25时10分", "day-first")])
def test_parse_dates_impossible_clock_is_unparseable_not_rolled_over(value, order):
    # pandas turned 25:00 into 01:00 the next day.
    result, invalid = one_date(value, order)
    assert pd.isna(result) and invalid


def test_parse_dates_last_day_of_range_keeps_its_time():
    assert one_date("2100-12-31 14:30") == (T("2100-12-31 14:30"), False)
    assert one_date("2101-01-01 00:00")[1]


@pytest.mark.parametrize("value, expected", [
    ("2024-03-05 3:30 PM", T("2024-03-05 15:30")),
    ("2024/03/05 3:30 pm", T("2024-03-05 15:30")),
    ("2000-01-02 0时0分0秒", T("2000-01-02")),
    ("2024-03-05 14:30:15.123", T("2024-03-05 14:30:15")),
])
def test_parse_dates_day_first_column_keeps_year_first_text(value, expected):
    # A day-first source read a leading year as year-day-month (2024-05-03) in the free-form
    # fallback, and lost 14:30:15.123 altogether to the dot-to-dash rewrite.
    assert one_date(value, "day-first") == (expected, False)


@pytest.mark.parametrize("order", ["year-first", "month-first", "day-first"])
def test_parse_dates_fractional_seconds_read_to_the_second(order):
    assert one_date("2024-03-05T14:30:15.999", order) == (T("2024-03-05 14:30:15"), False)
    assert one_date("2024.3.5 14:30:15.5", order) == (T("2024-03-05 14:30:15"), False)


# -- money -----------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("¥1,234.50", 1234.5),
    ("￥1,234.50", 1234.5),
    ("RMB 1234.5", 1234.5),
    ("人民币100元", 100.0),
    ("$1,000", 1000.0),
    ("USD 12", 12.0),
    ("1.2万", 12000.0),       # 1.2 x 10^4
    ("3亿", 300000000.0),     # 3 x 10^8
    ("2k", 2000.0),
    ("(1,234)", -1234.0),      # accounting negative
    ("（1,234）", -1234.0),    # full-width brackets
    ("(-5)", -5.0),            # a minus inside the brackets repeats the sign, never cancels it
    ("-(5)", -5.0),
    ("(5)", -5.0),
    ("￥(1,234.50)", -1234.5),  # currency mark outside the brackets
    ("(¥1,234.50)", -1234.5),
    ("$ (1,000)", -1000.0),
    ("-50", -50.0),
    ("－５０", -50.0),
    ("１２３４．５", 1234.5),
    ("1 234", 1234.0),
    (".5", 0.5),
    ("100.", 100.0),
    ("0", 0.0),
])
def test_parse_money_values(value, expected):
    values, invalid = parse_money(text(value))
    assert values.iloc[0] == expected
    assert not invalid.iloc[0]


@pytest.mark.parametrize("value", ["abc", "inf", "-inf", "Infinity", "1e999", "1e3", "1.2.3", "12abc"])
def test_parse_money_invalid(value):
    values, invalid = parse_money(text(value))
    assert np.isnan(values.iloc[0])
    assert invalid.iloc[0]


@pytest.mark.parametrize("value", ["", "-", "N/A", None, "nan", "NaN"])
def test_parse_money_blanks(value):
    # "nan" is how pandas writes a missing value: an empty marker, never a number.
    values, invalid = parse_money(text(value))
    assert np.isnan(values.iloc[0])
    assert not invalid.iloc[0]


def test_parse_money_multiplier():
    # Header said 万元: 1.5 -> 15000, and a 万 suffix multiplies again: 2万 x 10^4 = 2 x 10^8.
    values, invalid = parse_money(text("1.5", "2万", "(3)"), multiplier=1e4)
    assert values.tolist() == [15000.0, 200000000.0, -30000.0]
    assert not invalid.any()


def test_parse_money_dtype():
    values, invalid = parse_money(text("1", None))
    assert values.dtype == "float64" and invalid.dtype == bool


@pytest.mark.parametrize("value, expected", [
    ("1千万", 1e7),
    ("￥2.5千万元", 2.5e7),
    ("(3千万)", -3e7),
    ("1k万", 1e7),
])
def test_parse_money_compound_units_multiply(value, expected):
    # Regression: the last unit stripped replaced the first, so 1千万 read as 1000.
    values, invalid = parse_money(text(value))
    assert (values.iloc[0], bool(invalid.iloc[0])) == (expected, False)


@pytest.mark.parametrize("value", ["-0", "-0.0", "(0)", "－０", "-0万", "¥-0.00"])
def test_parse_money_negative_zero_is_zero(value):
    values, invalid = parse_money(text(value))
    assert values.iloc[0] == 0.0 and not invalid.iloc[0]


# -- emails ----------------------------------------------------------------


def test_normalize_emails():
    email, invalid = normalize_emails(text("Zhang.Wei@HuaXin.com", " mailto:li@x.cn ", "ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ",
                                           "not-an-email", "a@b", "a@b.c", "x y@z.com", "", "无", None))
    assert email.tolist() == ["zhang.wei@huaxin.com", "li@x.cn", "wang@example.com", *[pd.NA] * 7]
    assert invalid.tolist() == [False, False, False, True, True, True, True, False, False, False]


# -- names -----------------------------------------------------------------


def test_display_names():
    out = display_names(text("  杭州  华信\u200b科技 ", "\ufeffABC", "a\t b", "", "-", None))
    assert out.tolist() == ["杭州华信科技", "ABC", "a b", pd.NA, pd.NA, pd.NA]


@pytest.mark.parametrize("typed, shown", [
    ("合肥 益华电气 有限公司", "合肥益华电气有限公司"),
    ("合肥\u3000益华电气\u00a0\u00a0有限公司", "合肥益华电气有限公司"),       # full-width and no-break spaces
    ("Acme  Trading Co.", "Acme Trading Co."),
    ("Acme\u3000Trading\u00a0Co.", "Acme Trading Co."),
    ("上海 IBM 有限公司", "上海 IBM 有限公司"),                              # CJK beside Latin keeps its space
    ("杭州 华信科技 （ 集团 ） 有限公司", "杭州华信科技（集团）有限公司"),       # CJK beside CJK punctuation
    ("华信 、 华益", "华信、华益"),
    ("第 1 分公司", "第 1 分公司"),                                          # digits are not CJK
    ("株式会社 サンプル", "株式会社サンプル"),                                 # kana
    ("삼성 전자", "삼성 전자"),                                              # Korean spaces its words
])
def test_display_names_tidy_inner_spaces(typed, shown):
    assert display_names(text(typed)).tolist() == [shown]


def test_respaced_marks_names_whose_inner_spacing_was_tidied():
    typed = text(" 合肥 益华 ", "Acme  Co", "Acme Co", "  Acme Co  ", "甲\u200b公司", None)
    assert std.respaced(typed, display_names(typed)).tolist() == [True, True, False, False, False, False]


def test_free_text_keeps_its_spaces_between_cjk_words():
    assert std.clean_text(text("已回访  客户满意")).tolist() == ["已回访 客户满意"]


@pytest.mark.parametrize("name, key", [
    ("杭州 华信科技有限公司", "杭州华信科技"),
    ("杭州华信科技", "杭州华信科技"),
    ("杭州华信科技股份有限公司", "杭州华信科技"),
    ("杭州华信科技有限责任公司", "杭州华信科技"),
    ("ＡＢＣ Co., Ltd.", "abc"),
    ("ABC Company Limited", "abc"),
    ("A.B.C Ltd", "abc"),
    ("Acme, Inc.", "acme"),
    ("Beta Corp.", "beta"),
    ("XYZ LLC", "xyz"),
    ("深圳（腾达）集团有限公司", "深圳腾达"),
])
def test_name_keys(name, key):
    assert name_keys(text(name)).tolist() == [key]


def test_name_keys_empty():
    # A name that is nothing but a legal suffix has no key.
    assert name_keys(text("有限公司", "", None)).isna().all()


# -- synonyms --------------------------------------------------------------


def test_map_synonyms_order_status():
    values, unknown = map_synonyms(text("已完成", "ＰＡＩＤ", " Completed ", "退货", "Refunded", "已取消",
                                        "作废", "shipping soon", "", None), ORDER_STATUS_SYNONYMS)
    assert values.tolist() == ["completed", "completed", "completed", "returned", "returned", "cancelled",
                               "cancelled", pd.NA, pd.NA, pd.NA]
    assert unknown.tolist() == [False] * 7 + [True, False, False]


def test_map_synonyms_customer_type():
    values, unknown = map_synonyms(text("潜在客户", "Customer - Direct", "customer_channel", "流失客户",
                                        "active", "VIP"), CUSTOMER_TYPE_SYNONYMS)
    assert values.tolist() == ["prospect", "active", "active", "churned", "active", pd.NA]
    assert unknown.tolist() == [False] * 5 + [True]


def test_map_synonyms_deal_outcome():
    values, unknown = map_synonyms(text("赢单", "Closed Won", "closed_won", "输单", "closed-lost", "谈判"),
                                   DEAL_OUTCOME_SYNONYMS)
    assert values.tolist() == ["won", "won", "won", "lost", "lost", pd.NA]
    # A stage that is not an outcome is "unrecognised" here; deals treat it as still open.
    assert unknown.tolist() == [False] * 5 + [True]


def test_map_synonyms_interaction_status():
    values, unknown = map_synonyms(text("已解决", "已处理", "关闭", "Closed", "done", "未解决", "处理中", "待处理",
                                        "In Progress", "pending", "转交财务", ""), INTERACTION_STATUS_SYNONYMS)
    assert values.tolist() == ["resolved"] * 5 + ["open"] * 5 + [pd.NA, pd.NA]
    assert unknown.tolist() == [False] * 10 + [True, False]


def test_map_synonyms_keeps_index():
    series = pd.Series(["退货", None], index=[7, 3], dtype="string")
    values, unknown = map_synonyms(series, ORDER_STATUS_SYNONYMS)
    assert list(values.index) == [7, 3] and list(unknown.index) == [7, 3]
    assert str(values.dtype) == "string"


def test_parsers_keep_their_docstrings():
    assert "Excel serial" in std.parse_dates.__doc__
    assert std.parse_money.__wrapped__ is not None


def test_time_without_a_date_is_not_a_date():
    from custreport.ingest.standardize import parse_dates

    values, invalid = parse_dates(pd.Series(["12:30", "下午3时30分"], dtype="string"))
    assert values.isna().all() and invalid.all()  # never today's date invented


def test_afternoon_markers_move_the_clock_by_twelve_hours():
    from custreport.ingest.standardize import parse_dates

    values, _ = parse_dates(pd.Series(["2024-03-05 下午3:30", "2024-03-05 3:30 PM", "2024-03-05 上午9:00"],
                                      dtype="string"))
    assert [v.strftime("%H:%M") for v in values] == ["15:30", "15:30", "09:00"]


def test_small_numbers_are_not_excel_serial_dates():
    from custreport.ingest.standardize import parse_dates

    values, invalid = parse_dates(pd.Series(["2024", "15", "45356"], dtype="string"))
    assert values.isna().tolist() == [True, True, False] and invalid.tolist() == [True, True, False]


def test_control_characters_are_removed_from_text():
    from custreport.ingest.standardize import display_names

    assert display_names(pd.Series(["甲\x01公\x1f司\x7f"], dtype="string")).tolist() == ["甲公司"]


def test_clean_ids_cleans_as_clean_text_does():
    ids = pd.Series([" SO-1 ", "SO-1", None, "无", "N/A", "SO\u200b-2", "SO  3", "", "SO-1"], index=range(10, 19))
    cleaned = std.clean_ids(ids)
    assert cleaned.tolist()[:7] == ["SO-1", "SO-1", pd.NA, pd.NA, pd.NA, "SO-2", "SO 3"]   # by hand
    pd.testing.assert_series_equal(cleaned, std.clean_text(ids))


def test_code_and_name_columns_keep_na_and_none():
    assert std.clean_codes(text("NA", "None", "-", "无", "", " NA ")).tolist() == ["NA", "None", pd.NA, pd.NA, pd.NA, "NA"]
    names, keys = std.names_and_keys(text("None", "N/A", "null"))
    assert names.tolist() == ["None", pd.NA, pd.NA]
    assert keys.tolist() == ["none", pd.NA, pd.NA]
    # Free text and the typed parsers still read the words as missing.
    assert std.clean_text(text("None", "NA")).isna().all()


def test_without_missing_tokens_masks_listed_cells_only():
    frame = pd.DataFrame({"a": ["TBD", "x", " tbd"], "b": ["NA", None, "y"]}, dtype="string")
    out = std.without_missing_tokens(frame, ["TBD"])
    assert out["a"].tolist() == [pd.NA, "x", pd.NA]
    assert out["b"].tolist() == ["NA", pd.NA, "y"]
    assert frame["a"].iloc[0] == "TBD"  # input untouched
    assert std.without_missing_tokens(frame, []) is frame
