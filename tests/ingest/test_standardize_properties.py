"""Property tests for the cell parsers of custreport.ingest.standardize.

Whatever is typed into a cell, parse_dates, parse_money and normalize_phones give a
valid value or a missing value flagged as unparseable (a blank cell: missing, not
flagged). They never raise, keep the input's index and leave the input alone. Text
typed in any of the ways a parser's docstring accepts reads back to exactly the value
it was made from. Example-based regressions for what these found live in
test_standardize.py.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime

import numpy as np
import pandas as pd
import phonenumbers
from hypothesis import HealthCheck, given, settings, strategies as st

from custreport.ingest import standardize as std
from custreport.ingest.phones import _one_phone, normalize_phones
from custreport.ingest.standardize import parse_dates, parse_money

# A parser call costs ~10 ms whatever the column length, so each example is a whole column of
# up to 25 cells and there are few examples: thousands of cells a run in a few seconds a test.
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ORDERS = ("year-first", "month-first", "day-first")
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)  # parse_dates' declared range
# "E.164" as libphonenumber (our authority on validity) writes it: some valid numbers have seven
# digits (+49 30000, Berlin; +683 4002, Niue), and German landlines run past E.164's fifteen
# (+49 30000000000000 is valid to it); a national number has at most 17 digits.
E164 = re.compile(r"\+[1-9][0-9]{4,19}")
PHONE_KINDS = {"mobile", "landline", "service", "voip", "other"}

# ASCII to full-width forms; NFKC maps them back, as the parsers promise to.
FULL_WIDTH = str.maketrans("0123456789-/.,:()+", "０１２３４５６７８９－／．，：（）＋")


def call(parser, series: pd.Series, *args):
    """The parser's outputs for ``series``, with its warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the free-form date fallback may warn about its guess
        return parser(series, *args)


# -- arbitrary text ----------------------------------------------------------

TRICKY_CHARS = (
    "0123456789０１２３４５６７８９٠١٢٣٤٥٦٧٨٩"        # ASCII, full-width and Arabic-Indic digits
    "-－/.．,，:：'()（）+＋ \t\n\u3000\u00a0"
    "年月日号时分秒上午下午晚上星期周礼拜一二三四五六天万亿千元¥￥$€£"
    "TtAaPpMmKkEeInfNa#"
    "\u200b\u200c\u200d\u200e\u2060\ufeff\u00ad"      # zero-width characters, soft hyphen
    "\x00\x01\x1f\x7f\x85\u2028"                      # control and line-separator characters
    "😀🇨🇳中文"
)
NASTY_LITERALS = (
    "1e308", "-1e308", "1e309", "1E-400", "inf", "-inf", "+inf", "Infinity", "nan", "NaN", "-nan",
    "-0", "-0.0", "+0", "(0)", "0", "00000000", "0x1F", "1_000", "1" * 25, "9" * 400, "9" * 20 + "万",
    "99999999999999999999999亿", "٢٠٢٤-٠١-٠٢", "١-٢-٢٠٢٤", "２０２４年１３月４０日", "2024-02-30",
    "Jan 1 2999", "Jan 1 1800", "31/12/9999", "99991231", "0000-00-00", "2024-01-02 25:00",
    "1/2/2024 99:99", "20240305250000", "45356.5.5", "-45356", "+86", "+86 ", "0086", "(+86)",
    "+999 123 456 789", "+1 202 555 0123", "１３８００１３８０００", "13800138000" * 30,
    "¥", "()", "（）", "-", "--", "N/A", "#N/A", "null", "None", "无",
)


def repeated() -> st.SearchStrategy[str]:
    """Very long strings, built cheaply by repeating a short piece."""
    return st.builds(lambda piece, n: piece * n, st.text(TRICKY_CHARS, min_size=1, max_size=4),
                     st.integers(200, 2000))


any_text = st.one_of(
    st.text(),
    st.text(TRICKY_CHARS, max_size=30),
    st.sampled_from(NASTY_LITERALS),
    repeated(),
    # Almost-dates, almost-amounts and almost-phones reach the value checks far more
    # often than arbitrary text (and \d here draws digits of every script).
    st.from_regex(r"\s?\d{1,8}([-/.年月日 :T]\d{1,4}){0,6}(\s?(PM|am|下午|星期\w))?\s?", fullmatch=True),
    st.from_regex(r"[(（]?[-－+]?[¥$]?\d{0,20}([.,' ]\d{0,5}){0,3}(万|亿|千|k|M|元|千万)?[)）]?",
                  fullmatch=True),
    st.from_regex(r"(\+|00)?\d{0,4}[ (-]?\d{1,4}\)?[ -]?\d{0,9}", fullmatch=True),
)

BLANK_MARKERS = ("", "-", "--", "—", "/", "n/a", "N/A", "na", "NA", "null", "NULL", "none", "None",
                 "nan", "NaN", "无", "暂无", "空", "#n/a", "#N/A")
blanks = st.builds(lambda before, marker, after: before + marker + after,
                   st.text(std.WS_CHARS, max_size=3), st.sampled_from(BLANK_MARKERS),
                   st.text(std.WS_CHARS, max_size=3))


@st.composite
def series_of(draw, cells: st.SearchStrategy[str], max_size: int = 25) -> pd.Series:
    """A text column of ``cells`` and missing values, in every dtype and index shape a frame gives."""
    values = draw(st.lists(st.one_of(cells, st.none()), max_size=max_size))
    shape = draw(st.sampled_from(["range", "shuffled", "labels", "duplicates"]))
    n = len(values)
    index = {
        "range": None,
        "shuffled": draw(st.permutations(range(100, 100 + n))),
        "labels": [f"row{i}" for i in range(n)],
        "duplicates": draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)),
    }[shape]
    return pd.Series(values, index=index, dtype=draw(st.sampled_from(["string", "str", "object"])))


def assert_present_or_flagged(series: pd.Series, present: np.ndarray, flagged: pd.Series) -> None:
    """A value is never flagged; a missing value is flagged unless its cell was blank."""
    assert flagged.dtype == bool
    pd.testing.assert_index_equal(flagged.index, series.index)
    blank = std.blank_to_na(series).isna().to_numpy()
    flagged = flagged.to_numpy()
    wrong = [(value, bool(p), bool(f)) for value, p, f, b in zip(series, present, flagged, blank)
             if f != (not p and not b) or (p and b)]
    assert not wrong, f"(cell, has value, flagged) breaking the contract: {wrong[:5]}"


def run_parser(parser, series: pd.Series, *args) -> tuple:
    """The parser's outputs, after checking the part of the contract every parser shares:
    the input is not changed and each output keeps the input's index."""
    before = series.copy()
    outputs = call(parser, series, *args)
    pd.testing.assert_series_equal(series, before)
    for output in outputs:
        pd.testing.assert_index_equal(output.index, series.index)
    return outputs


def check_dates(series: pd.Series, order: str = "year-first") -> tuple[pd.Series, pd.Series]:
    """parse_dates' outputs, checked against its contract: in-range dates or flagged misses."""
    dates, invalid = run_parser(parse_dates, series, order)
    assert dates.dtype == "datetime64[ms]"
    present = dates.notna().to_numpy()
    out_of_range = [d for d in dates[present] if not FIRST_DAY <= d.date() <= LAST_DAY]
    assert not out_of_range
    assert_present_or_flagged(series, present, invalid)
    return dates, invalid


def check_money(series: pd.Series, multiplier: float = 1.0) -> tuple[pd.Series, pd.Series]:
    """parse_money's outputs, checked against its contract: finite amounts or flagged misses."""
    values, invalid = run_parser(parse_money, series, multiplier)
    assert values.dtype == "float64"
    present = values.notna().to_numpy()
    assert np.isfinite(values.to_numpy()[present]).all()
    assert_present_or_flagged(series, present, invalid)
    return values, invalid


def check_phones(series: pd.Series, region: str = "CN") -> tuple[pd.Series, pd.Series, pd.Series]:
    """normalize_phones' outputs, checked against its contract: valid E.164 and a kind, or flagged misses."""
    e164, kind, invalid = run_parser(normalize_phones, series, region)
    assert str(e164.dtype) == "string" and str(kind.dtype) == "string"
    present = e164.notna().to_numpy()
    assert (kind.notna().to_numpy() == present).all(), "a number has a kind exactly when it is valid"
    for number, number_kind in zip(e164[present], kind[present]):
        assert E164.fullmatch(number), number
        assert number_kind in PHONE_KINDS
        assert phonenumbers.is_valid_number(phonenumbers.parse(number))
    assert_present_or_flagged(series, present, invalid)
    return e164, kind, invalid


# -- contract on arbitrary input -----------------------------------------------


@PROPERTY
@given(series_of(any_text), st.sampled_from(ORDERS))
def test_parse_dates_gives_in_range_date_or_flag_for_any_text(series, order):
    """Any column: in-range dates or flagged misses, blanks unflagged, index kept, input intact."""
    check_dates(series, order)


@PROPERTY
@given(series_of(any_text), st.sampled_from([1.0, 1e4, 0.01, 1e300]))
def test_parse_money_gives_finite_amount_or_flag_for_any_text(series, multiplier):
    """Any column: finite amounts or flagged misses, even when the header unit overflows a value."""
    check_money(series, multiplier)


@PROPERTY
@given(series_of(any_text), st.sampled_from(["CN", "CN", "HK", "US"]))
def test_normalize_phones_gives_e164_or_flag_for_any_text(series, region):
    """Any column: valid E.164 numbers with a kind, or flagged misses; blanks unflagged."""
    check_phones(series, region)


@settings(PROPERTY, max_examples=25)
@given(series_of(blanks))
def test_blank_cells_are_missing_and_never_flagged(series):
    """Empty markers with any padding are missing for every parser, not unparseable."""
    dates, invalid_dates = call(parse_dates, series)
    values, invalid_values = call(parse_money, series)
    e164, kind, invalid_phones = call(normalize_phones, series)
    assert dates.isna().all() and values.isna().all() and e164.isna().all() and kind.isna().all()
    assert not invalid_dates.any() and not invalid_values.any() and not invalid_phones.any()


# -- well-formed dates read exactly ----------------------------------------------

DAYS = st.dates(FIRST_DAY, LAST_DAY)
CN_WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
YEAR_FIRST_FORMS = ("{y}-{m:02d}-{d:02d}", "{y}-{m}-{d}", "{y}/{m}/{d}", "{y}/{m:02d}/{d:02d}",
                    "{y}.{m}.{d}", "{y}年{m}月{d}日", "{y} 年 {m} 月 {d} 日", "{y}年{m}月{d}号")
# 3/5/2024 as the source declares it; the undeclared order is decided by the whole column.
YEAR_LAST_FORMS = {
    "month-first": ("{m}/{d}/{y}", "{m:02d}/{d:02d}/{y}", "{m}-{d}-{y}", "{m}.{d}.{y}"),
    "day-first": ("{d}/{m}/{y}", "{d:02d}/{m:02d}/{y}", "{d}-{m}-{y}", "{d}.{m}.{y}"),
}


def _weekday(day: date) -> st.SearchStrategy[str]:
    cn, en = CN_WEEKDAYS[day.weekday()], EN_WEEKDAYS[day.weekday()]
    alternatives = [f" 星期{cn}", f"(周{cn})", f"（周{cn}）", f" 礼拜{cn}", f" {en}", f" {en[:3]}", f" ({en[:3]})",
                    f" {en[:3]}."]
    if cn == "日":
        alternatives += [" 星期天", "(周天)"]
    return st.sampled_from(alternatives)


@st.composite
def clock_times(draw, day_text: str, moment: datetime) -> str:
    """``day_text`` followed by the time of ``moment`` in one of the accepted typings."""
    h, m, s = moment.hour, moment.minute, moment.second
    forms = [f" {h:02d}:{m:02d}:{s:02d}", f" {h}:{m:02d}:{s:02d}", f"T{h:02d}:{m:02d}:{s:02d}",
             f" {h}时{m}分{s}秒", f" {h:02d}:{m:02d}:{s:02d}.{draw(st.integers(0, 999999))}"]
    if s == 0:
        forms += [f" {h:02d}:{m:02d}", f" {h}时{m}分"]
        if day_text.endswith(("日", "号")):  # 5日10时30分 runs on; after digits a run-on time is another number
            forms.append(f"{h}时{m}分")
    h12 = (h - 1) % 12 + 1
    forms += [f" {h12}:{m:02d}:{s:02d} {'PM' if h >= 12 else 'AM'}",
              f" {h12}:{m:02d}:{s:02d} {'pm' if h >= 12 else 'am'}"]
    if h >= 13:
        forms += [f" 下午{h - 12}:{m:02d}:{s:02d}", f" 下午{h - 12}时{m}分{s}秒"]
    if h >= 19:
        forms += [f" 晚上{h - 12}:{m:02d}:{s:02d}"]
    if 1 <= h <= 11:
        forms += [f" 上午{h}:{m:02d}:{s:02d}"]
    if 1 <= h <= 5:
        forms += [f" 凌晨{h}:{m:02d}:{s:02d}"]
    return day_text + draw(st.sampled_from(forms))


@st.composite
def typed_dates(draw, order: str) -> tuple[str, pd.Timestamp]:
    """(text, the timestamp it means) in a typing parse_dates accepts for a column of ``order``."""
    families = ["day", "day and weekday", "day and time", "day, time and weekday", "compact", "serial"]
    if order in YEAR_LAST_FORMS:
        families += ["year last", "year last and time", "two-digit year"]
    family = draw(st.sampled_from(families))
    moment = draw(st.datetimes(datetime(1900, 1, 1), datetime(2100, 12, 31, 23, 59, 59)))
    moment = moment.replace(microsecond=0)
    day = moment.date()
    parts = {"y": day.year, "m": day.month, "d": day.day}
    midnight = pd.Timestamp(day)

    if family in ("day", "day and weekday"):
        text = draw(st.sampled_from(YEAR_FIRST_FORMS)).format(**parts)
        text, expected = text + (draw(_weekday(day)) if family == "day and weekday" else ""), midnight
    elif family == "day and time":
        text = draw(clock_times(draw(st.sampled_from(YEAR_FIRST_FORMS)).format(**parts), moment))
        expected = pd.Timestamp(moment)
    elif family == "day, time and weekday":
        clock = draw(st.sampled_from([f" {moment:%H:%M:%S}", f" {moment:%H}时{moment:%M}分{moment:%S}秒"]))
        text = draw(st.sampled_from(YEAR_FIRST_FORMS)).format(**parts) + clock + draw(_weekday(day))
        expected = pd.Timestamp(moment)
    elif family == "compact":
        # 20240305 and 20240305143000: years 19xx and 20xx only, so long numbers stay numbers.
        moment = draw(st.datetimes(datetime(1900, 1, 1), datetime(2099, 12, 31, 23, 59, 59)))
        moment = moment.replace(microsecond=0)
        with_time = draw(st.booleans())
        text = f"{moment:%Y%m%d%H%M%S}" if with_time else f"{moment:%Y%m%d}"
        expected = pd.Timestamp(moment) if with_time else pd.Timestamp(moment.date())
    elif family == "serial":
        # Excel serials 10000 .. 80000, counted from 1899-12-30; a fraction is the time of day.
        day = draw(st.dates(date(1927, 5, 18), LAST_DAY))
        fraction, hours = draw(st.sampled_from([("", 0), (".0", 0), (".25", 6), (".5", 12), (".75", 18)]))
        text = f"{(day - date(1899, 12, 30)).days}{fraction}"
        expected = pd.Timestamp(day) + pd.Timedelta(hours=hours)
    elif family == "year last":
        text, expected = draw(st.sampled_from(YEAR_LAST_FORMS[order])).format(**parts), midnight
    elif family == "year last and time":
        day_text = draw(st.sampled_from(YEAR_LAST_FORMS[order])).format(**parts)
        text = day_text + f" {moment.hour}:{moment.minute:02d}:{moment.second:02d}"
        expected = pd.Timestamp(moment)
    else:
        # Two-digit years as Excel reads them: 00-29 are 2000-2029, 30-99 are 1930-1999.
        day = draw(st.dates(date(1930, 1, 1), date(2029, 12, 31)))
        form = draw(st.sampled_from(YEAR_LAST_FORMS[order])).replace("{y}", "{y:02d}")
        text, expected = form.format(y=day.year % 100, m=day.month, d=day.day), pd.Timestamp(day)

    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    padding = st.text(std.WS_CHARS, max_size=2)
    return draw(padding) + text + draw(padding), expected


@st.composite
def orders_and_typed_dates(draw):
    order = draw(st.sampled_from(ORDERS))
    return order, draw(st.lists(typed_dates(order), min_size=1, max_size=20))


@PROPERTY
@given(orders_and_typed_dates(), st.lists(st.one_of(any_text, blanks, st.none()), max_size=5))
def test_typed_dates_read_back_exactly(order_and_cells, noise):
    """Every accepted typing of a 1900..2100 date(time) gives exactly that moment, junk alongside or not."""
    order, cells = order_and_cells
    texts = [text for text, _ in cells]
    series = pd.Series(texts + noise, dtype="string")
    dates, invalid = check_dates(series, order)
    got = list(zip(texts, dates[: len(cells)], invalid[: len(cells)]))
    expected = [(text, stamp, False) for text, stamp in cells]
    assert got == expected


CLOCK_FORMS = {
    "year-first": ("{y}-{m}-{d} {H}:{M:02d}", "{y}/{m}/{d} {H}:{M:02d}:00", "{y}年{m}月{d}日{H}时{M}分",
                   "{y}{m:02d}{d:02d}{H:02d}{M:02d}00"),
    "month-first": ("{m}/{d}/{y} {H}:{M:02d}",),
    "day-first": ("{d}/{m}/{y} {H}:{M:02d}",),
}


@st.composite
def typed_clocks(draw, order: str) -> tuple[str, pd.Timestamp | None]:
    """(text of a day at HH:MM with HH 0..99 and MM 0..99, the moment it means or None)."""
    form = draw(st.sampled_from(CLOCK_FORMS["year-first"] + CLOCK_FORMS.get(order, ())))
    day = draw(st.dates(FIRST_DAY, date(2099, 12, 31)))  # compact dates are 19xx and 20xx only
    hour, minute = draw(st.integers(0, 99)), draw(st.integers(0, 99))
    text = form.format(y=day.year, m=day.month, d=day.day, H=hour, M=minute)
    sensible = hour <= 23 and minute <= 59
    return text, pd.Timestamp(day) + pd.Timedelta(hours=hour, minutes=minute) if sensible else None


@st.composite
def orders_and_typed_clocks(draw):
    order = draw(st.sampled_from(ORDERS))
    return order, draw(st.lists(typed_clocks(order), min_size=1, max_size=20))


@PROPERTY
@given(orders_and_typed_clocks())
def test_clock_out_of_range_is_flagged_never_rolled_over(order_and_cells):
    """A typed 25:00 or 12:60 makes the cell unparseable instead of moving it to another hour or day."""
    order, cells = order_and_cells
    texts = [text for text, _ in cells]
    dates, invalid = check_dates(pd.Series(texts, dtype="string"), order)
    got = [(text, None if pd.isna(stamp) else stamp, flagged)
           for text, stamp, flagged in zip(texts, dates, invalid)]
    assert got == [(text, expected, expected is None) for text, expected in cells]


# -- well-formed amounts read exactly --------------------------------------------

CURRENCY_PREFIXES = ("", "¥", "￥", "$", "RMB", "rmb ", "CNY ", "USD", "US$", "HK$", "人民币", "€", "£")
SCALES = {"": 1.0, "万": 1e4, "亿": 1e8, "千": 1e3, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "千万": 1e7}


def _group_thousands(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


@st.composite
def typed_amounts(draw) -> tuple[str, float]:
    """(text, the amount it means before any header multiplier) in a typing parse_money accepts."""
    whole = str(draw(st.integers(0, 10**12)))
    separator = draw(st.sampled_from(["", ",", " ", "'", "\u00a0"]))
    typed_whole = _group_thousands(whole, separator)
    decimals = draw(st.sampled_from(["", "", ".", ".0"]) | st.from_regex(r"\.[0-9]{1,4}", fullmatch=True))
    if typed_whole == "0" and decimals.startswith(".") and len(decimals) > 1 and draw(st.booleans()):
        typed_whole = ""  # .5
    sign = draw(st.sampled_from(["", "", "-", "－", "+"]))
    scale = draw(st.sampled_from(sorted(SCALES)))
    prefix = draw(st.sampled_from(CURRENCY_PREFIXES))
    suffix = draw(st.sampled_from(["", "元", " 元", " RMB"])) if prefix in ("", "¥", "￥", "人民币") else ""
    body = f"{sign}{typed_whole}{decimals}{scale}{suffix}"
    amount = float(f"{'-' if sign in ('-', '－') else ''}{whole}{decimals}") * SCALES[scale]
    if draw(st.booleans()):
        body, prefix = body.translate(FULL_WIDTH), prefix.translate(FULL_WIDTH)
    text = f"{prefix}{body}"
    if draw(st.booleans()):  # accounting negative: (1,234), (-5), -(5), ¥(1,234.50) are all negative
        left, right = draw(st.sampled_from([("(", ")"), ("（", "）")]))
        before = draw(st.sampled_from(["", "", "-", "－"]))
        inside = draw(st.booleans())
        text = (f"{before}{left}{prefix}{body}{right}" if inside else f"{prefix}{before}{left}{body}{right}")
        amount = -abs(amount)
    padding = st.text(std.WS_CHARS, max_size=2)
    return draw(padding) + text + draw(padding), amount


@PROPERTY
@given(st.lists(typed_amounts(), min_size=1, max_size=20), st.sampled_from([1.0, 1e4, 1e3, 0.01]),
       st.lists(st.one_of(any_text, blanks, st.none()), max_size=5))
def test_typed_amounts_read_back_exactly(cells, multiplier, noise):
    """Currency signs, separators, 万/亿/千/k/m units, brackets and full-width digits give the exact amount."""
    texts = [text for text, _ in cells]
    values, invalid = check_money(pd.Series(texts + noise, dtype="string"), multiplier)
    got = list(zip(texts, values[: len(cells)], invalid[: len(cells)]))
    assert got == [(text, amount * multiplier, False) for text, amount in cells]


# -- well-formed phones read exactly -----------------------------------------------

AREA_CODES = ("10", "20", "21", "22", "23", "24", "25", "27", "28", "29", "311", "351", "371", "411", "431",
              "451", "471", "510", "512", "531", "551", "571", "591", "731", "755", "769", "791", "851",
              "871", "898", "931", "951", "991")


def _phone_type(national: str) -> int | None:
    number = phonenumbers.parse("+86" + national)
    return phonenumbers.number_type(number) if phonenumbers.is_valid_number(number) else None


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True).filter(
    lambda n: _phone_type(n) == phonenumbers.PhoneNumberType.MOBILE)
landlines = st.one_of(
    st.tuples(st.sampled_from(AREA_CODES[:10]), st.from_regex(r"[2-8][0-9]{7}", fullmatch=True)),
    st.tuples(st.sampled_from(AREA_CODES[10:]), st.from_regex(r"[2-8][0-9]{6,7}", fullmatch=True)),
).filter(lambda parts: _phone_type("".join(parts)) == phonenumbers.PhoneNumberType.FIXED_LINE)
SERVICE_TYPES = (phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.SHARED_COST)
services = st.from_regex(r"[48]00[0-9]{7}", fullmatch=True).filter(lambda n: _phone_type(n) in SERVICE_TYPES)


@st.composite
def typed_phones(draw) -> tuple[str, str, str]:
    """(text, E.164, kind) for a valid Chinese mobile, landline or 400/800 number, typed some usual way."""
    family = draw(st.sampled_from(["mobile", "landline", "service"]))
    if family == "mobile":
        n = draw(mobiles)
        a, b, c = n[:3], n[3:7], n[7:]
        text = draw(st.sampled_from([
            n, f"{a}-{b}-{c}", f"{a} {b} {c}", f"{a}.{b}.{c}", f"+86 {a} {b} {c}", f"+86{n}", f"+86-{a}-{b}-{c}",
            f"(+86){n}", f"(+86) {a} {b} {c}", f"0086{n}", f"0086-{a}-{b}-{c}", f"86-{n}", f"86 {n}", f"86{n}",
        ]))
        expected = ("+86" + n, "mobile")
    elif family == "landline":
        area, local = draw(landlines)
        text = draw(st.sampled_from([
            f"0{area}-{local}", f"0{area} {local}", f"0{area}{local}", f"(0{area}){local}", f"(0{area}) {local}",
            f"（0{area}）{local}", f"0{area}-{local[:-4]} {local[-4:]}", f"+86 {area} {local}", f"+86-{area}-{local}",
            f"0086{area}{local}", f"+86{area}{local}",
        ]))
        expected = ("+86" + area + local, "landline")
    else:
        n = draw(services)
        text = draw(st.sampled_from([n, f"{n[:3]}-{n[3:6]}-{n[6:]}", f"{n[:3]} {n[3:6]} {n[6:]}", f"+86 {n}"]))
        expected = ("+86" + n, "service")
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    padding = st.text(std.WS_CHARS, max_size=2)
    return (draw(padding) + text + draw(padding), *expected)


@PROPERTY
@given(st.lists(typed_phones(), min_size=1, max_size=20),
       st.lists(st.one_of(any_text, blanks, st.none()), max_size=5))
def test_typed_phones_read_back_exactly(cells, noise):
    """Valid Chinese mobiles, landlines and 400/800 numbers in usual typings give their E.164 and kind."""
    texts = [text for text, _, _ in cells]
    e164, kind, invalid = check_phones(pd.Series(texts + noise, dtype="string"))
    got = list(zip(texts, e164[: len(cells)], kind[: len(cells)], invalid[: len(cells)]))
    assert got == [(text, number, number_kind, False) for text, number, number_kind in cells]


@settings(PROPERTY, max_examples=80)
@given(st.lists(st.one_of(
    st.from_regex(r"(\+86 ?|0086|86-)?1[0-9]{2}[ -]?[0-9]{4}[ -]?[0-9]{4}", fullmatch=True),   # mobiles
    st.from_regex(r"(\+86 ?|\(?0)[1-9][0-9]{1,2}\)?[ -]?[2-8][0-9]{6,7}", fullmatch=True),       # landlines
    st.from_regex(r"[48]00[ -]?[0-9]{3}[ -]?[0-9]{4}", fullmatch=True),                           # 400 / 800
    st.from_regex(r"\+?[0-9 ()-]{4,16}", fullmatch=True)),                                      # anything
    min_size=1, max_size=25))
def test_fast_path_agrees_with_phonenumbers(numbers):
    """The vectorised metadata path types every number exactly as phonenumbers' own parse does."""
    e164, kind, invalid = normalize_phones(pd.Series(numbers, dtype="string"))
    for number, got, got_kind in zip(numbers, e164, kind):
        expected, expected_kind = _one_phone(number, "CN")
        assert (None if got is pd.NA else got) == expected
        assert (None if got_kind is pd.NA else got_kind) == expected_kind
