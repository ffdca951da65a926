"""Tests for custreport.i18n: labels and number formats in zh and en."""

from __future__ import annotations

import math

import numpy as np
import pytest

from custreport.config import UserError
from custreport.i18n import (LABELS, LOCALES, check_locale, format_count, format_delta, format_money,
                             format_percent, label)


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


def test_format_money_currency():
    assert format_money(1234, "en", currency="$") == "$1,234"


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
