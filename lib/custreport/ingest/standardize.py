"""Turn hand-typed text into typed values: dates, money, emails, names, categories (phones: ingest/phones.py).

Each parser takes a text Series and returns a new typed Series plus a boolean
Series marking cells that held something but could not be parsed, so callers
can quarantine a row (required column) or count the fix (optional column).
Work is done once per distinct value, because real columns repeat heavily.

>>> parse_dates(pd.Series(["2024/3/5", "2024年3月5日", "45356", "20240305", "x"], dtype="string"))[0].dt.date.tolist()
[datetime.date(2024, 3, 5), datetime.date(2024, 3, 5), datetime.date(2024, 3, 5), datetime.date(2024, 3, 5), NaT]
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custreport.config import DateOrder
from custreport.ingest.distinct import on_distinct

# Whitespace as a plain class: pandas hands any pattern with \\s to Python's re, row by row,
# because RE2's \\s differs in corner cases; these are the characters that occur in typed data.
WS = "[ \t\n\r\f\v\u00a0\u3000]"
WS_CHARS = " \t\n\r\f\v\u00a0\u3000"

EMPTY_MARKERS = ("", "-", "--", "—", "/", "n/a", "na", "null", "none", "nan", "无", "暂无", "空", "#n/a")
# Words that are real values in a code or name column: territory "NA" is North America, a company
# may be called "None". Those columns (ids, names, region, country, status, stage, type, kind)
# read them as values; a source lists them under na_values when they do mean missing there.
VALUE_WORDS = ("na", "none")
CODE_MARKERS = tuple(marker for marker in EMPTY_MARKERS if marker not in VALUE_WORDS)

DATE_MIN = pd.Timestamp("1900-01-01")
DATE_MAX = pd.Timestamp("2100-12-31")


def nfkc(series: pd.Series) -> pd.Series:
    """``series.str.normalize("NFKC")``, with only the texts that are not plain ASCII normalised
    (in Python, a text at a time): ASCII is its own NFKC form, and most dates, amounts, ids
    and emails are ASCII.

    >>> nfkc(pd.Series(["２０２４", "2024", None], dtype="string")).tolist()
    ['2024', '2024', <NA>]
    """
    text = series.astype("string")
    array = pa.array(text.array)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    other = ~pc.fill_null(pc.string_is_ascii(array), True).to_numpy(zero_copy_only=False)
    if not other.any():
        return text
    normalised = pa.array(text[other].str.normalize("NFKC").array)
    normalised = normalised.combine_chunks() if isinstance(normalised, pa.ChunkedArray) else normalised
    merged = pc.replace_with_mask(array, pa.array(other), normalised.cast(array.type))
    return pd.Series(pd.arrays.ArrowStringArray(merged), index=series.index, dtype=text.dtype)


def blank_to_na(series: pd.Series, markers: tuple[str, ...] = EMPTY_MARKERS) -> pd.Series:
    """Trim text and turn empty markers ("", "-", "N/A", "无" ...) into missing values."""
    text = series.astype("string").str.strip()
    return text.mask(text.str.lower().isin(markers))


def without_missing_tokens(frame: pd.DataFrame, tokens: list[str]) -> pd.DataFrame:
    """``frame`` with every cell that is one of a source's ``na_values`` (trimmed, any case) missing.

    >>> without_missing_tokens(pd.DataFrame({"region": ["NA", "EMEA", " tbd "]}), ["TBD"])["region"].tolist()
    ['NA', 'EMEA', <NA>]
    """
    folded = {token.strip().lower() for token in tokens}
    if not folded:
        return frame

    def masked(column: str) -> pd.Series:
        text = frame[column].astype("string")
        return text.mask(text.str.strip().str.lower().isin(folded))

    return frame.assign(**{column: masked(column) for column in frame.columns})


# --------------------------------------------------------------------------- dates

# Patterns used with pandas .str methods stay plain strings: pandas runs those natively on
# Arrow strings but falls back to a Python call per row for compiled patterns.
_WEEKDAY = (f"(?i){WS}*[(（]?{WS}*(?:星期|周|礼拜)[一二三四五六日天]{WS}*[)）]?{WS}*$"
            f"|{WS}*[(（]?{WS}*(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\\.?{WS}*[)）]?{WS}*$")
# re.ASCII: \d would otherwise take other scripts' digits (NFKC leaves ١٢ alone), which
# pd.to_numeric then refuses with a ValueError instead of marking the cell unparseable.
_YEAR_FIRST = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
                         r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?$", re.ASCII)
_YEAR_LAST = re.compile(r"^(?P<a>\d{1,2})-(?P<b>\d{1,2})-(?P<y>\d{2}|\d{4})"
                        r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$", re.ASCII)
_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2}))?$",
                      re.ASCII)
_SERIAL = r"^\d{1,5}(?:\.\d+)?$"
_AM_PM = f"(?:上午|下午|晚上|凌晨){WS}*"
_AFTERNOON = r"(?i)下午|晚上|\d\s*pm\b"
_FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)(1[89]|2\d)\d\d(?!\d)")
_LEADING_YEAR = re.compile(r"\d{4}(?!\d)", re.ASCII)


def _extract(text: pd.Series, pattern: re.Pattern) -> pd.DataFrame:
    """``text.str.extract(pattern)`` run by Arrow (RE2): pandas runs a compiled pattern in Python,
    row by row. The date patterns mean the same in both: ASCII digits, anchored at both ends
    of stripped text. A group that took no part is missing, as in pandas (RE2 gives "")."""
    found = pc.extract_regex(pa.array(text.astype("string").array), pattern.pattern)
    columns = {}
    for name in pattern.groupindex:
        values = pc.struct_field(found, name)
        columns[name] = pd.Series(pd.arrays.ArrowStringArray(pc.if_else(pc.equal(values, ""), None, values)),
                                  index=text.index, dtype="string")
    return pd.DataFrame(columns, index=text.index)


def _normalise_date_text(text: pd.Series) -> pd.Series:
    text = nfkc(text).str.strip()
    text = text.str.replace(_WEEKDAY, "", regex=True)
    text = text.str.replace(f"{WS}*(?:年|月){WS}*", "-", regex=True).str.replace(f"{WS}*(?:日|号)", " ", regex=True)
    # Fractional seconds first: the dot of 14:30:15.123 is no date separator. The clock is read
    # to the second, as _YEAR_FIRST always did.
    text = text.str.replace(r"(:\d\d)\.\d+", r"\1", regex=True)
    # 2024.3.5 and 2024/3/5: twice, because neighbouring matches share a digit.
    text = text.str.replace(r"(\d)[./](\d)", r"\1-\2", regex=True).str.replace(r"(\d)[./](\d)", r"\1-\2", regex=True)
    text = text.str.replace(_AM_PM, "", regex=True).str.replace("时", ":").str.replace("分", ":").str.replace("秒", "")
    return text.str.replace(r":$", "", regex=True).str.strip()


def _from_parts(parts: pd.DataFrame) -> pd.Series:
    frame = pd.DataFrame({
        "year": pd.to_numeric(parts["y"], errors="coerce"),
        "month": pd.to_numeric(parts["m"], errors="coerce"),
        "day": pd.to_numeric(parts["d"], errors="coerce"),
        "hour": pd.to_numeric(parts.get("H"), errors="coerce").fillna(0) if "H" in parts else 0,
        "minute": pd.to_numeric(parts.get("M"), errors="coerce").fillna(0) if "M" in parts else 0,
        "second": pd.to_numeric(parts.get("S"), errors="coerce").fillna(0) if "S" in parts else 0,
    }, index=parts.index)
    # pandas rolls 25:00 or 12:60 over into the next day or hour; such a clock is a typo, not a time.
    # Years outside the range are unparseable anyway, and some (0100) would not fit the caller's
    # nanosecond Series: pandas hands them back in microseconds.
    sensible = (frame["hour"].le(23) & frame["minute"].le(59) & frame["second"].le(59)
                & frame["year"].between(DATE_MIN.year, DATE_MAX.year))
    return pd.to_datetime(frame, errors="coerce").where(sensible)


@on_distinct
def parse_dates(series: pd.Series, order: DateOrder = "year-first") -> tuple[pd.Series, pd.Series]:
    """Parse dates typed every which way; returns (datetime64[ms] Series, unparseable mask).

    Accepted: ISO, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, Excel serial numbers,
    any of those with a time or trailing weekday (2018-01-01 星期五), and 3/5/2024
    read month-first or day-first as the source declares (undeclared: a value over 12
    in either place decides for the whole column, else month-first). Dates outside
    1900..2100 count as unparseable.
    """
    raw = blank_to_na(series)
    text = _normalise_date_text(raw)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")

    year_first = _extract(text, _YEAR_FIRST)
    hit = year_first["y"].notna()
    if hit.any():
        result[hit] = _from_parts(year_first[hit])

    todo = result.isna() & text.notna()
    compact = _extract(text[todo], _COMPACT)
    hit = compact["y"].notna().reindex(series.index, fill_value=False)
    if hit.any():
        result[hit] = _from_parts(compact[compact["y"].notna()])

    todo = result.isna() & text.notna()
    # Taken before normalisation, which turns the decimal point of 45356.5 into a dash.
    serial_text = nfkc(raw[todo]).str.strip()
    serial_hit = serial_text.str.fullmatch(_SERIAL).fillna(False).astype(bool)
    if serial_hit.any():
        values = pd.to_numeric(serial_text[serial_hit], errors="coerce")
        # 10000 (1927) .. 80000 (2119): a bare "2024" or "15" is not a date.
        values = values.where(values.between(10_000, 80_000))
        # Excel's day 1 is 1900-01-01 and it counts a 29 Feb 1900 that never was, hence 1899-12-30.
        serial_dates = pd.to_datetime(values, unit="D", origin="1899-12-30", errors="coerce")
        result[serial_dates.index] = serial_dates.dt.round("s")

    todo = result.isna() & text.notna()
    year_last = _extract(text[todo], _YEAR_LAST)
    present = year_last["a"].notna()
    if present.any():
        parts = year_last[present].copy()
        a = pd.to_numeric(parts["a"])
        # Undeclared order: a first part over 12 can only be a day (and a second over 12, under
        # the month-first default, already reads as the day).
        if order == "day-first" or (order == "year-first" and (a > 12).any()):
            parts["d"], parts["m"] = parts["a"], parts["b"]
        else:
            parts["m"], parts["d"] = parts["a"], parts["b"]
        year = pd.to_numeric(parts["y"])
        # Two-digit years as Excel reads them: 00-29 are 2000-2029, 30-99 are 1930-1999.
        parts["y"] = year.where(year >= 100, year + np.where(year < 30, 2000, 1900)).astype(str)
        result[parts.index] = _from_parts(parts)

    todo = result.isna() & text.notna()
    if todo.any():
        dayfirst = order == "day-first"
        leftovers = text[todo]
        result[leftovers.index] = pd.Series([_parse_free_date(v, dayfirst) for v in leftovers],
                                            index=leftovers.index, dtype="datetime64[ns]")

    # 下午3时30分 and 3:30 PM are afternoon times; the patterns above read the clock face only.
    afternoon = _afternoon(raw) & (result.dt.hour < 12)
    result = result.mask(afternoon, result + pd.Timedelta(hours=12))
    # Compare days, not instants: 2100-12-31 14:30 is still in 2100.
    result = result.where((result >= DATE_MIN) & (result.dt.normalize() <= DATE_MAX))
    invalid = raw.notna() & result.isna()
    return result.astype("datetime64[ms]"), invalid.astype(bool)


def _afternoon(raw: pd.Series) -> pd.Series:
    """Texts naming an afternoon time (_AFTERNOON). Its \\s and \\d make pandas match it in Python,
    a text at a time, so only texts holding 下午, 晚上 or pm (any case) are matched."""
    maybe = raw.str.contains("(?i)下午|晚上|pm", na=False).astype(bool)
    found = pd.Series(False, index=raw.index)
    if maybe.any():
        found[maybe] = raw[maybe].str.contains(_AFTERNOON, na=False).astype(bool)
    return found


def _parse_free_date(value: str, dayfirst: bool) -> pd.Timestamp | None:
    # Month names and other free forms are rare; the slow general parser is fine for them.
    # Without a year it would invent one (today's), so such text is not a date.
    if not _FOUR_DIGIT_YEAR.search(value) or value.strip().isdigit():
        return None  # a bare year (or number) would be stretched into 1 January
    if _LEADING_YEAR.match(value):
        dayfirst = False  # a leading year is followed by the month; dayfirst would read 2024-03-05 as 3 May
    try:
        stamp = pd.to_datetime(value, dayfirst=dayfirst, errors="coerce")
    except (ValueError, OverflowError, TypeError):
        return None
    if stamp is pd.NaT or stamp is None or pd.isna(stamp):
        return None
    stamp = stamp.tz_localize(None) if stamp.tzinfo else stamp
    # Out of range anyway, and a year like 2999 does not fit the caller's nanosecond Series.
    return stamp if DATE_MIN.year <= stamp.year <= DATE_MAX.year else None


# --------------------------------------------------------------------------- money

_CURRENCY = r"(?i)(?:rmb|cny|usd|us\$|hk\$|人民币|元|¥|￥|\$|€|£)"
_SCALE = {"万": 1e4, "亿": 1e8, "千": 1e3, "k": 1e3, "m": 1e6}


@on_distinct
def parse_money(series: pd.Series, multiplier: float = 1.0) -> tuple[pd.Series, pd.Series]:
    """Parse amounts like ¥1,234.50, 1.2万, (1,234), －５０ and full-width digits.

    Returns (float64 Series, unparseable mask). Infinite and NaN text counts as
    unparseable; ``multiplier`` applies a unit taken from the header (万元).
    An amount in parentheses is negative (accounting style), wherever the currency mark
    stands: (5), (-5), -(5) and ￥(1,234.50) are all negative; a minus inside or before the
    parentheses repeats the sign, it never turns the amount positive.

    >>> parse_money(pd.Series(["¥1,234.50", "1.2万", "(1,234)", "(-5)", "￥(1,234.50)", "abc"], dtype="string"))[0].tolist()
    [1234.5, 12000.0, -1234.0, -5.0, -1234.5, nan]
    """
    raw = blank_to_na(series)
    text = nfkc(raw).str.strip().str.lower()
    text = text.str.replace(_CURRENCY, "", regex=True).str.replace(f"[,'{WS_CHARS}]", "", regex=True)
    negative = text.str.fullmatch(r"-?\(.*\)").fillna(False).astype(bool)
    text = text.str.replace(r"^-?\((.*)\)$", r"\1", regex=True)
    scale = pd.Series(1.0, index=text.index)
    for suffix, factor in _SCALE.items():
        ends = text.str.endswith(suffix).fillna(False).astype(bool)
        scale = scale.mask(ends, scale * factor)  # units compound: 1千万 is 1 x 10^3 x 10^4
        text = text.mask(ends, text.str.slice(0, -len(suffix)))
    # Only plain decimal numbers in ASCII digits (NFKC made full-width ones ASCII): this keeps
    # "inf", "nan", "1e999" and other scripts' digits out.
    plain = text.str.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)").fillna(False).astype(bool)
    # Arrow's cast rounds correctly; pandas' reader loses the last digit of "+900719925475.0001".
    numbers = pc.cast(pa.array(text.where(plain).astype("string").array), pa.float64())
    values = pd.Series(numbers.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")
    values = values * scale * multiplier
    values = values.where(~negative, -values.abs())
    values = values.where(np.isfinite(values))
    invalid = raw.notna() & values.isna()
    return values, invalid.astype(bool)


# Symbols and codes seen in cells and headers -> ISO 4217. Longer symbols first (R$ before $).
CURRENCY_MARKS: tuple[tuple[str, str], ...] = (
    ("R$", "BRL"), ("US$", "USD"), ("HK$", "HKD"), ("A$", "AUD"), ("C$", "CAD"), ("S$", "SGD"),
    ("£", "GBP"), ("€", "EUR"), ("¥", "CNY"), ("￥", "CNY"), ("₹", "INR"), ("$", "USD"),
    ("人民币", "CNY"), ("元", "CNY"), ("美元", "USD"), ("英镑", "GBP"), ("欧元", "EUR"),
)
CURRENCY_CODES = ("CNY", "RMB", "USD", "GBP", "EUR", "BRL", "HKD", "JPY", "AUD", "CAD", "SGD", "INR", "CHF")
_CODE_IN_TEXT = re.compile(r"(?<![A-Za-z])(" + "|".join(CURRENCY_CODES) + r")(?![A-Za-z])", re.IGNORECASE)
# $, ¥ and 元 alone are the dollars, yen and yuan of several countries: they never contradict a source's currency.
_SHARED_MARKS = re.compile(r"(?<![A-Za-z])\$|[¥￥]|(?<![美欧币])元")


def currency_in(text: str) -> str | None:
    """The ISO 4217 code a symbol or code in ``text`` names (R$ 10 -> BRL), or None.

    >>> currency_in("R$ 10"), currency_in("金额(元)"), currency_in("12 rmb"), currency_in("12")
    ('BRL', 'CNY', 'CNY', None)
    """
    for mark, code in CURRENCY_MARKS:
        if mark in text:
            return code
    match = _CODE_IN_TEXT.search(text)
    if match:
        found = match.group(1).upper()
        return "CNY" if found == "RMB" else found
    return None


@on_distinct
def foreign_currency(series: pd.Series, currency: str) -> pd.Series:
    """The code of a currency other than ``currency`` that a cell names (US$12 in a CNY source),
    else NA; $, ¥ and 元 alone name no one currency and are read as ``currency``.

    >>> foreign_currency(pd.Series(["US$12", "$12", "¥5", "€3", "12"], dtype="string"), "CNY").tolist()
    ['USD', <NA>, <NA>, 'EUR', <NA>]
    """
    def named(text) -> str | None:
        if pd.isna(text):
            return None
        code = currency_in(_SHARED_MARKS.sub("", str(text)))
        return code if code and code != currency else None

    return pd.Series([named(text) for text in series], index=series.index, dtype="string")


# --------------------------------------------------------------------------- emails, names, text

_EMAIL = r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$"


@on_distinct
def normalize_emails(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Lower-case and check emails; returns (email, invalid mask)."""
    raw = blank_to_na(series)
    text = nfkc(raw).str.strip().str.lower().str.replace(r"^mailto:", "", regex=True)
    valid = text.str.fullmatch(_EMAIL).fillna(False).astype(bool)
    email = text.where(valid)
    return email, (raw.notna() & ~valid).astype(bool)


_INVISIBLE = "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2060\ufeff\u00ad]"
_COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
                     "co.,ltd.", "co.,ltd", "co.ltd", "co.", "ltd.", "ltd", "limited", "inc.", "inc",
                     "corporation", "corp.", "corp", "llc", "company")
_NAME_PUNCT = f"[{WS_CHARS}·•.,，。、'\"“”‘’()（）\\[\\]【】\\-_/&＆]+"


# Characters written without spaces between them: CJK ideographs (and kana), and the CJK and
# full-width punctuation set beside them. Hangul is left out: Korean spaces its words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_PUNCT = "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_SPACE_IN_CJK = f"(?<=[{_CJK}]) (?=[{_CJK}{_CJK_PUNCT}])|(?<=[{_CJK_PUNCT}]) (?=[{_CJK}])"


def _tidied(series: pd.Series, markers: tuple[str, ...]) -> pd.Series:
    """Trimmed text, invisible characters removed, runs of whitespace (full-width and no-break
    spaces too) one space, empty markers missing."""
    text = blank_to_na(series, markers).str.replace(_INVISIBLE, "", regex=True)
    return text.str.replace(f"{WS}+", " ", regex=True).str.strip().replace("", pd.NA)


@on_distinct
def tidy_text(series: pd.Series, markers: tuple[str, ...] = EMPTY_MARKERS) -> pd.Series:
    """Free text and codes: trimmed, invisible characters removed, inner whitespace one space."""
    return _tidied(series, markers)


@on_distinct
def display_names(series: pd.Series, markers: tuple[str, ...] = EMPTY_MARKERS) -> pd.Series:
    """Names as shown to readers: tidied as ``tidy_text`` does, and no space left between two
    CJK characters or a CJK character and CJK punctuation; Latin words keep one space.

    >>> display_names(pd.Series(["合肥 益华电气\u3000有限公司", "Acme  Trading\u00a0Co.", "上海 IBM 有限公司"])).tolist()
    ['合肥益华电气有限公司', 'Acme Trading Co.', '上海 IBM 有限公司']
    """
    text = _tidied(series, markers)
    # The lookarounds make pandas run the pattern in Python, a name at a time: only names with
    # a space can change.
    spaced = text.str.contains(" ", regex=False).fillna(False).astype(bool)
    if not spaced.any():
        return text
    return text.mask(spaced, text[spaced].str.replace(_SPACE_IN_CJK, "", regex=True))


def respaced(raw: pd.Series, shown: pd.Series) -> pd.Series:
    """Rows whose display name differs from the cell as typed beyond trimming its ends and
    dropping invisible characters: spaces collapsed, or removed between CJK characters (a fix
    ingest counts).

    >>> respaced(pd.Series([" 合肥 益华 ", "Acme  Co", "Acme Co", None]),
    ...          pd.Series(["合肥益华", "Acme Co", "Acme Co", None])).tolist()
    [True, True, False, False]
    """
    typed = raw.astype("string").str.replace(_INVISIBLE, "", regex=True).str.strip(WS_CHARS)
    return (shown.notna() & typed.ne(shown.astype("string"))).fillna(False).astype(bool)


@on_distinct
def name_keys(series: pd.Series, markers: tuple[str, ...] = EMPTY_MARKERS) -> pd.Series:
    """Matching key of a company name: half-width, lower-case, no spaces or punctuation, no legal suffix.

    >>> name_keys(pd.Series(["杭州 华信科技有限公司", "杭州华信科技", "ＡＢＣ Co., Ltd."], dtype="string")).tolist()
    ['杭州华信科技', '杭州华信科技', 'abc']
    """
    text = nfkc(_tidied(series, markers)).str.lower()
    text = text.str.replace(f"{WS}+", "", regex=True)
    suffix_pattern = "(?:" + "|".join(re.escape(s.replace(" ", "")) for s in _COMPANY_SUFFIXES) + ")+$"
    text = text.str.replace(suffix_pattern, "", regex=True)
    text = text.str.replace(_NAME_PUNCT, "", regex=True)
    return text.replace("", pd.NA)


@on_distinct
def names_and_keys(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Display names and their matching keys in one pass over the distinct names; a company
    called "None" or "NA" keeps its name (see VALUE_WORDS).

    >>> names_and_keys(pd.Series(["None", "无", "NA Corp"], dtype="string"))[0].tolist()
    ['None', <NA>, 'NA Corp']
    """
    shown = display_names.__wrapped__(series, CODE_MARKERS)
    return shown, name_keys.__wrapped__(shown, CODE_MARKERS)


def clean_text(series: pd.Series) -> pd.Series:
    """Trimmed text with invisible characters removed and empty markers as missing."""
    return tidy_text(series)


def clean_codes(series: pd.Series) -> pd.Series:
    """clean_text for a code column (region, territory, country, stage): "NA" and "None" are codes.

    >>> clean_codes(pd.Series(["NA", "EMEA", "-", "none"], dtype="string")).tolist()
    ['NA', 'EMEA', <NA>, 'none']
    """
    return tidy_text(series, CODE_MARKERS)


def clean_ids(series: pd.Series) -> pd.Series:
    """clean_text for a column of ids, nearly all distinct: cleaned row by row (vectorised),
    as finding the distinct values first would only add a pass over ten million of them.

    >>> clean_ids(pd.Series([" SO-1 ", "无", "SO\u200b-2"])).tolist()
    ['SO-1', <NA>, 'SO-2']
    """
    text = series.astype("string")
    array = pa.array(text.array)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    # An id of printable ASCII without spaces is tidy as it is, unless it is an empty marker
    # (the short ones are cleaned in full): ten million order ids are not rewritten six times over.
    plain = pc.fill_null(pc.match_substring_regex(array, "^[!-~]+$"), False)
    short = pc.fill_null(pc.less_equal(pc.utf8_length(array), max(len(marker) for marker in CODE_MARKERS)), True)
    other = pc.or_(pc.invert(plain), short).to_numpy(zero_copy_only=False)
    if not other.any():
        return text
    tidied = pa.array(_tidied(text[other], CODE_MARKERS).array)
    tidied = tidied.combine_chunks() if isinstance(tidied, pa.ChunkedArray) else tidied
    merged = pc.replace_with_mask(array, pa.array(other), tidied.cast(array.type))
    return pd.Series(pd.arrays.ArrowStringArray(merged), index=series.index, dtype=text.dtype)


@on_distinct
def map_synonyms(series: pd.Series, synonyms: dict[str, tuple[str, ...]],
                 added: dict[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """Map labels to canonical values through synonym lists; returns (values, unrecognised mask).

    ``added`` (label -> canonical, from params vocabulary) wins over the built-in lists.

    >>> map_synonyms(pd.Series(["已完成", "退货", "On Hold"], dtype="string"), ORDER_STATUS_SYNONYMS,
    ...              {"on hold": "completed"})[0].tolist()
    ['completed', 'returned', 'completed']
    """
    lookup = {_fold_label(label): canonical for canonical, labels in synonyms.items()
              for label in (canonical, *labels)}
    lookup.update({_fold_label(label): canonical for label, canonical in (added or {}).items()})
    raw = blank_to_na(series, CODE_MARKERS)
    values = raw.map(lambda v: lookup.get(_fold_label(v)) if isinstance(v, str) else None).astype("string")
    return values, (raw.notna() & values.isna()).astype(bool)


def unknown_vocabulary(values: pd.Series, unknown: pd.Series, key: str, what: str, example: str,
                       most: int = 20) -> list[tuple[pd.Series, str]]:
    """(rows, quarantine reason) per unrecognised value, most frequent first: the value, its row
    count and the vocabulary key that maps it; values past the ``most`` frequent share one reason.

    >>> [r for _, r in unknown_vocabulary(pd.Series(["x", "Disputed"]), pd.Series([False, True]),
    ...                                   "order_status", "order status", "cancelled")]
    ['unrecognised order status "Disputed" (1 rows): add it to vocabulary.order_status in params/sources.yaml (e.g. Disputed: cancelled)']
    """
    if not unknown.any():   # the usual case: not a pass over every row for nothing
        return []
    text = values.astype("string").str.strip()
    counts = text[unknown].value_counts()
    found = []
    for value, count in counts.head(most).items():
        found.append((unknown & text.eq(value).fillna(False).astype(bool),
                      f'unrecognised {what} "{value}" ({count} rows): add it to vocabulary.{key} in '
                      f"params/sources.yaml (e.g. {value}: {example})"))
    if len(counts) > most:
        rest = unknown & ~text.isin(list(counts.index[:most])).fillna(False).astype(bool)
        found.append((rest, f"unrecognised {what} ({len(counts) - most} more values, {int(rest.sum())} rows): "
                            f"add them to vocabulary.{key} in params/sources.yaml"))
    return found


def _fold_label(label: str) -> str:
    from custreport.config import fold_text

    return fold_text(label).replace("_", "").replace("-", "")


ORDER_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "completed": ("已完成", "完成", "已付款", "已支付", "已发货", "已签收", "已收货", "交易成功", "成功", "正常",
                  "complete", "paid", "shipped", "delivered", "closed", "fulfilled", "done"),
    "returned": ("退货", "已退货", "退款", "已退款", "退货退款", "returned", "return", "refund", "refunded"),
    "cancelled": ("已取消", "取消", "作废", "已作废", "关闭", "canceled", "cancel", "void", "voided"),
}

CUSTOMER_TYPE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "prospect": ("潜在客户", "意向客户", "线索", "潜客", "新线索", "lead", "potential", "prospective"),
    "active": ("成交客户", "老客户", "活跃客户", "现有客户", "正式客户", "签约客户", "合作客户", "customer",
               "client", "customer - direct", "customer - channel", "existing", "current"),
    "churned": ("流失客户", "已流失", "沉睡客户", "流失", "lost", "former customer", "inactive", "former"),
}

# customers.status: the relationship a source states. A churn flag reads yes = churned.
CUSTOMER_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "churned": ("yes", "y", "true", "1", "1.0", "是", "流失", "已流失", "流失客户", "停止合作", "终止合作", "已停止", "已终止",
                "已注销", "注销", "closed", "cancelled", "canceled", "churn", "inactive", "former", "lost", "ended",
                "terminated", "exited"),
    "active": ("no", "n", "false", "0", "0.0", "否", "合作中", "在合作", "正常", "正常合作", "活跃", "活跃客户", "成交客户",
               "stayed", "current", "open", "existing"),
    "prospect": ("潜在", "潜在客户", "意向客户", "prospective", "lead", "potential"),
}

INTERACTION_KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    "inquiry": ("咨询", "询价", "询问", "问询", "enquiry", "question", "request"),
    "complaint": ("投诉", "抱怨", "客诉", "complain", "claim"),
    "feedback": ("反馈", "建议", "评价", "回访", "review", "suggestion", "survey"),
    "visit": ("拜访", "上门", "走访", "面谈", "会面", "meeting", "onsite", "on-site visit"),
    "call": ("电话", "来电", "去电", "通话", "phone", "phone call", "telephone"),
}

# "关闭" and "closed" mean resolved for a service ticket, unlike for an order (cancelled).
INTERACTION_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "resolved": ("已解决", "解决", "已处理", "处理完成", "已完成", "完成", "已关闭", "关闭", "已结案", "结案", "是",
                 "closed", "done", "solved", "fixed", "completed"),
    "open": ("未解决", "处理中", "待处理", "跟进中", "未处理", "待解决", "进行中", "否",
             "pending", "in progress", "new", "unresolved", "ongoing", "waiting"),
}

# leads.status. A "Converted" column of yes/no reads yes = converted; "closed" alone means
# closed without a deal (Salesforce: Closed - Not Converted).
LEAD_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "open": ("未处理", "待处理", "待跟进", "跟进中", "新线索", "新建", "已联系", "培育中", "未转化", "否", "no", "n", "false",
             "0", "new", "working", "contacted", "nurturing", "nurture", "open - not contacted",
             "working - contacted", "in progress", "attempted to contact", "not contacted"),
    "converted": ("已转化", "转化", "已转换", "转换", "已转商机", "转商机", "已转客户", "转客户", "是", "yes", "y", "true", "1",
                  "closed - converted", "qualified", "won", "sql"),
    "disqualified": ("无效", "无效线索", "已关闭", "关闭", "已作废", "作废", "丢弃", "放弃", "已放弃", "unqualified",
                     "closed - not converted", "junk", "invalid", "lost", "dead", "closed", "lost lead"),
}

DEAL_OUTCOME_SYNONYMS: dict[str, tuple[str, ...]] = {
    "won": ("赢单", "成交", "已成交", "签约", "已签约", "赢得", "closed won", "closed-won", "win"),
    "lost": ("输单", "丢单", "失败", "已丢单", "closed lost", "closed-lost", "loss",
             "closed-lost to competition", "lost to competition", "closed lost to competition"),
}
