"""Labels and number formats for the two report languages, zh and en.

>>> format_money(123456789, "zh"), format_money(123456789, "en")
('¥1.23亿', '¥123.5M')
>>> format_money(123000, "zh", "USD"), format_money(123000, "en", "USD"), format_money(-5, "en", "GBP")
('US$12.30万', '$123.0K', '-£5')
>>> format_count(12345, "zh"), format_percent(0.1234, "en")
('1.23万', '12.3%')
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from custreport.i18n import en, zh

LOCALES = ("zh", "en")
# One catalog per language (i18n/zh.py, i18n/en.py): every word a reader sees, by key.
LABELS: dict[str, dict[str, str]] = {"zh": zh.LABELS, "en": en.LABELS}
NOTES: dict[str, dict[str, str]] = {"zh": zh.NOTES, "en": en.NOTES}


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        from custreport.errors import UserError

        raise UserError(f"unknown locale {locale!r}: use zh or en")
    return locale


def label(key: str, locale: str) -> str:
    """The reader-facing word for ``key``; the key itself when no label exists."""
    return LABELS[locale].get(key, key)


def note(key: str, locale: str, **values) -> str:
    """A section's note or caption from the catalog of ``locale``, its fields filled in.

    >>> note("note.allocation_table", "en")
    'No customer was assigned a rep.'
    """
    return NOTES[locale][key].format(**values)


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_count(value, locale: str) -> str:
    """Counts: 万/亿 in Chinese above ten thousand, thousands separators in English."""
    if _missing(value):
        return "—"
    if locale == "zh":
        return _zh_units(value, decimals=2) if abs(value) >= 10_000 else f"{value:,.0f}"
    return f"{value:,.0f}"


DEFAULT_CURRENCY = "CNY"

# Symbols that differ from CLDR's (babel): CNY is ¥ in both languages, as this product's readers
# write it, so JPY is JP¥ in English too and the two never look alike.
_SYMBOLS = {("CNY", "en"): "¥", ("JPY", "en"): "JP¥"}
_BABEL_LOCALES = {"zh": "zh_CN", "en": "en"}


@lru_cache(maxsize=256)
def currency_symbol(currency: str, locale: str) -> str:
    """The symbol of an ISO 4217 code in a report language (CLDR's, via babel); the code itself
    when there is none (SGD, CHF). A text that is no code (a mixed "EUR+USD") stays as it is.

    >>> [currency_symbol(c, "zh") for c in ("CNY", "USD", "HKD", "EUR", "GBP", "BRL")]
    ['¥', 'US$', 'HK$', '€', '£', 'R$']
    >>> [currency_symbol(c, "en") for c in ("CNY", "USD", "JPY", "CHF")]
    ['¥', '$', 'JP¥', 'CHF']
    """
    if (currency, locale) in _SYMBOLS:
        return _SYMBOLS[currency, locale]
    if not is_currency_code(currency):
        return currency
    from babel.numbers import get_currency_symbol

    return get_currency_symbol(currency, _BABEL_LOCALES.get(locale, "en"))


@lru_cache(maxsize=1)
def _currency_codes() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def is_currency_code(code: object) -> bool:
    """Whether ``code`` is an ISO 4217 currency code (upper case).

    >>> is_currency_code("USD"), is_currency_code("usd"), is_currency_code("RMB")
    (True, False, False)
    """
    return isinstance(code, str) and code in _currency_codes()


def format_money(value, locale: str, currency: str = DEFAULT_CURRENCY, decimals: int | None = None) -> str:
    """Amounts in ``currency`` (ISO 4217): 万/亿 in Chinese, K/M/B in English, with the currency's
    symbol in that language (US$ in Chinese, $ in English; a code without symbol is written
    before the number with a space: CHF 1,234); ``decimals`` overrides the precision (axes use 0)."""
    if _missing(value):
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(value)
    places = 1 if decimals is None else decimals
    if locale == "zh":
        text = _zh_units(value, decimals=2 if decimals is None else decimals) if value >= 10_000 else f"{value:,.0f}"
    elif value >= 1e9:
        text = f"{value / 1e9:.{places}f}B"
    elif value >= 1e6:
        text = f"{value / 1e6:.{places}f}M"
    elif value >= 1e4:
        text = f"{value / 1e3:.{places}f}K"
    else:
        text = f"{value:,.0f}"
    symbol = currency_symbol(currency, locale)
    space = " " if symbol[-1:].isalpha() else ""
    return f"{sign}{symbol}{space}{text}"


def format_money_axis(value, locale: str, currency: str = DEFAULT_CURRENCY) -> str:
    """An axis tick: the fewest decimals (up to two) that show the tick's value exactly in its
    unit, so ticks 1.0M, 1.2M, 1.4M never all read $1M.

    >>> [format_money_axis(v, "en", "USD") for v in (1_000_000, 1_200_000, 800_000)]
    ['$1M', '$1.2M', '$800K']
    >>> [format_money_axis(v, "zh") for v in (120_000_000, 150_000_000, 250_000)]
    ['¥1.2亿', '¥1.5亿', '¥25万']
    """
    if _missing(value):
        return "—"
    size = abs(value)
    if locale == "zh":
        unit = 1e8 if size >= 1e8 else 1e4 if size >= 10_000 else 1
    else:
        unit = 1e9 if size >= 1e9 else 1e6 if size >= 1e6 else 1e3 if size >= 1e4 else 1
    scaled = size / unit
    decimals = next((d for d in (0, 1) if abs(round(scaled, d) - scaled) < 1e-6 * max(1.0, scaled)), 2)
    return format_money(value, locale, currency, decimals)


def format_money_by_currency(values: dict, locale: str) -> str:
    """Amounts in several currencies, each apart and never added: ``{"USD": 1200, "EUR": 300}``
    -> '$1,200 · €300'; an em dash when there is none.

    >>> format_money_by_currency({"USD": 12000.0, "EUR": 300.0}, "zh")
    'US$1.20万 · €300'
    """
    shown = [format_money(value, locale, currency) for currency, value in values.items() if not _missing(value)]
    return " · ".join(shown) if shown else "—"


def excel_money_format(currency: str, locale: str) -> str:
    """An Excel number format showing ``currency``'s symbol: '"$"#,##0.00'.

    >>> excel_money_format("EUR", "en"), excel_money_format("CHF", "en")
    ('"€"#,##0.00', '"CHF "#,##0.00')
    """
    symbol = currency_symbol(currency, locale)
    space = " " if symbol[-1:].isalpha() else ""
    return f'"{symbol}{space}"#,##0.00'


def format_percent(value, locale: str, decimals: int = 1) -> str:
    if _missing(value):
        return "—"
    return f"{value * 100:.{decimals}f}%"


def format_delta(value, locale: str) -> str:
    """A relative change as +12.3% / -4.0%; an em dash when there is no base to compare with."""
    if _missing(value):
        return "—"
    return f"{value * 100:+.1f}%"


def format_points(value, locale: str) -> str:
    """A change of a rate in percentage points: +1.2 pp / +1.2个百分点; an em dash for none.

    >>> format_points(-0.061, "en"), format_points(0.012, "zh"), format_points(None, "en")
    ('-6.1 pp', '+1.2个百分点', '—')
    """
    if _missing(value):
        return "—"
    return f"{value * 100:+.1f}{'个百分点' if locale == 'zh' else ' pp'}"


def format_change(value, kind: str, locale: str) -> str:
    """A figure's change as readers expect it: points for a rate (``kind`` percent), else relative.

    >>> format_change(0.25, "money", "en"), format_change(0.05, "percent", "en")
    ('+25.0%', '+5.0 pp')
    """
    return format_points(value, locale) if kind == "percent" else format_delta(value, locale)


def _zh_units(value: float, decimals: int) -> str:
    if abs(value) >= 1e8:
        return f"{value / 1e8:,.{decimals}f}亿"
    return f"{value / 1e4:,.{decimals}f}万"


def report_name(report: str, locale: str) -> str:
    """A report's name: its ``report_<key>`` label, else the key's own label."""
    # a report key may also name a column (value: 数值), so report names have labels of their own
    return LABELS[locale].get(f"report_{report}") or label(report, locale)


def report_title(report: str, region_name: str, period_label: str, locale: str) -> str:
    """The title of one report: 客户汇总 · 华东 · 2025-Q4."""
    return f"{report_name(report, locale)} · {region_name} · {period_label}"


# --------------------------------------------------------------------------- ingest reasons and fixes

_INGEST_COLUMNS_ZH = zh.INGEST_COLUMNS
_INGEST_TEXT_ZH = zh.INGEST_TEXT


def _zh_column(name: str) -> str:
    return _INGEST_COLUMNS_ZH.get(name.strip(), name)


def ingest_column(name, locale: str):
    """A column or table name as ingest writes it, for readers of ``locale`` (else as written).

    >>> ingest_column("order_date", "zh"), ingest_column("order_date", "en")
    ('下单日期', 'order_date')
    """
    return _zh_column(name) if locale == "zh" and isinstance(name, str) else name


@lru_cache(maxsize=1)
def _ingest_patterns():
    import re

    return [(re.compile(pattern + r"\Z", re.DOTALL), template) for pattern, template in _INGEST_TEXT_ZH]


@lru_cache(maxsize=4096)
def ingest_text(text: str, locale: str) -> str:
    """A quarantine reason, non-data reason or fix name as ingest writes it (English), in ``locale``.

    The store keeps ingest's English words (the command line prints them and users search for
    them); reports show them in their reader's language. Text no pattern knows is shown as written.

    >>> ingest_text("unparseable order_date", "zh"), ingest_text("unparseable order_date", "en")
    ('无法解析的下单日期', 'unparseable order_date')
    """
    if locale != "zh" or not isinstance(text, str):
        return text
    for pattern, template in _ingest_patterns():
        found = pattern.match(text)
        if found:
            parts = {key: (_zh_column(value) if key == "col" else value)
                     for key, value in found.groupdict().items() if value is not None}
            return template.format(**parts)
    return text
