"""Tests for custreport.periods; expected dates are worked out by hand."""

from __future__ import annotations

import doctest
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import custreport.periods as periods
from custreport.periods import Period, PeriodError, parse_period

D = date
TODAY = D(2026, 11, 22)


def span(text: str, today: date | None = None) -> tuple[date, date, str, str]:
    p = parse_period(text, today=today)
    return p.start, p.end, p.label, p.kind


# -- parsing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024", (D(2024, 1, 1), D(2024, 12, 31), "2024", "year")),
        ("1900", (D(1900, 1, 1), D(1900, 12, 31), "1900", "year")),
        ("2999", (D(2999, 1, 1), D(2999, 12, 31), "2999", "year")),
        ("2024-H1", (D(2024, 1, 1), D(2024, 6, 30), "2024-H1", "half")),
        ("2024-H2", (D(2024, 7, 1), D(2024, 12, 31), "2024-H2", "half")),
        ("2024-h2", (D(2024, 7, 1), D(2024, 12, 31), "2024-H2", "half")),
        ("2024H1", (D(2024, 1, 1), D(2024, 6, 30), "2024-H1", "half")),
        ("2024-Q1", (D(2024, 1, 1), D(2024, 3, 31), "2024-Q1", "quarter")),
        ("2024-Q2", (D(2024, 4, 1), D(2024, 6, 30), "2024-Q2", "quarter")),
        ("2024-Q3", (D(2024, 7, 1), D(2024, 9, 30), "2024-Q3", "quarter")),
        ("2024-Q4", (D(2024, 10, 1), D(2024, 12, 31), "2024-Q4", "quarter")),
        ("2024-q3", (D(2024, 7, 1), D(2024, 9, 30), "2024-Q3", "quarter")),
        ("2024Q3", (D(2024, 7, 1), D(2024, 9, 30), "2024-Q3", "quarter")),
        ("2024q3", (D(2024, 7, 1), D(2024, 9, 30), "2024-Q3", "quarter")),
        ("2024-09", (D(2024, 9, 1), D(2024, 9, 30), "2024-09", "month")),
        ("2024-9", (D(2024, 9, 1), D(2024, 9, 30), "2024-09", "month")),
        ("2024-12", (D(2024, 12, 1), D(2024, 12, 31), "2024-12", "month")),
        ("2024-02", (D(2024, 2, 1), D(2024, 2, 29), "2024-02", "month")),
        ("2023-02", (D(2023, 2, 1), D(2023, 2, 28), "2023-02", "month")),
        ("1900-02", (D(1900, 2, 1), D(1900, 2, 28), "1900-02", "month")),
        ("2000-02", (D(2000, 2, 1), D(2000, 2, 29), "2000-02", "month")),
        # 2024-01-01 is a Monday, so W36 starts 35 weeks later.
        ("2024-W36", (D(2024, 9, 2), D(2024, 9, 8), "2024-W36", "week")),
        ("2024W36", (D(2024, 9, 2), D(2024, 9, 8), "2024-W36", "week")),
        ("2024-w36", (D(2024, 9, 2), D(2024, 9, 8), "2024-W36", "week")),
        ("2024-W1", (D(2024, 1, 1), D(2024, 1, 7), "2024-W01", "week")),
        # 2025-01-01 is a Wednesday: its week 1 starts in 2024.
        ("2025-W01", (D(2024, 12, 30), D(2025, 1, 5), "2025-W01", "week")),
        # 2020 has 53 ISO weeks; the last one ends in 2021.
        ("2020-W53", (D(2020, 12, 28), D(2021, 1, 3), "2020-W53", "week")),
        # 2021-01-01 is a Friday: it belongs to 2020-W53, so W01 starts 4 Jan.
        ("2021-W01", (D(2021, 1, 4), D(2021, 1, 10), "2021-W01", "week")),
        (
            "2024-07-01..2024-09-30",
            (D(2024, 7, 1), D(2024, 9, 30), "2024-07-01..2024-09-30", "range"),
        ),
        (
            "2024-7-1..2024-9-30",
            (D(2024, 7, 1), D(2024, 9, 30), "2024-07-01..2024-09-30", "range"),
        ),
        (
            "2024-07-01 .. 2024-09-30",
            (D(2024, 7, 1), D(2024, 9, 30), "2024-07-01..2024-09-30", "range"),
        ),
        (
            "2024-02-29..2024-02-29",
            (D(2024, 2, 29), D(2024, 2, 29), "2024-02-29..2024-02-29", "range"),
        ),
        (
            "2023-12-15..2024-01-14",
            (D(2023, 12, 15), D(2024, 1, 14), "2023-12-15..2024-01-14", "range"),
        ),
        ("  2024-Q3\t", (D(2024, 7, 1), D(2024, 9, 30), "2024-Q3", "quarter")),
        ("\n2024\n", (D(2024, 1, 1), D(2024, 12, 31), "2024", "year")),
    ],
)
def test_parse_forms(text, expected):
    assert span(text) == expected


def test_parse_returns_plain_period():
    p = parse_period("2024-Q3")
    assert p == Period(D(2024, 7, 1), D(2024, 9, 30), "2024-Q3", "quarter")
    assert p.to_date is None
    with pytest.raises(AttributeError):
        p.start = D(2024, 1, 1)  # frozen


@pytest.mark.parametrize(
    "text, expected",
    [
        ("last-month", (D(2026, 10, 1), D(2026, 10, 31), "2026-10", "month")),
        ("last-quarter", (D(2026, 7, 1), D(2026, 9, 30), "2026-Q3", "quarter")),
        ("last-year", (D(2025, 1, 1), D(2025, 12, 31), "2025", "year")),
        ("LAST-QUARTER", (D(2026, 7, 1), D(2026, 9, 30), "2026-Q3", "quarter")),
        ("last_month", (D(2026, 10, 1), D(2026, 10, 31), "2026-10", "month")),
        (
            "mtd",
            (D(2026, 11, 1), D(2026, 11, 22), "2026-11-01..2026-11-22", "range"),
        ),
        (
            "qtd",
            (D(2026, 10, 1), D(2026, 11, 22), "2026-10-01..2026-11-22", "range"),
        ),
        (
            "YTD",
            (D(2026, 1, 1), D(2026, 11, 22), "2026-01-01..2026-11-22", "range"),
        ),
    ],
)
def test_relative_forms(text, expected):
    assert span(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "today, text, label",
    [
        (D(2026, 1, 15), "last-month", "2025-12"),
        (D(2026, 1, 15), "last-quarter", "2025-Q4"),
        (D(2026, 3, 31), "last-quarter", "2025-Q4"),
        (D(2026, 4, 1), "last-quarter", "2026-Q1"),
        (D(2026, 3, 31), "last-month", "2026-02"),
        (D(2026, 1, 1), "last-year", "2025"),
        (D(2026, 1, 1), "mtd", "2026-01-01..2026-01-01"),
        (D(2026, 1, 1), "qtd", "2026-01-01..2026-01-01"),
        (D(2026, 12, 31), "qtd", "2026-10-01..2026-12-31"),
        (D(2024, 2, 29), "ytd", "2024-01-01..2024-02-29"),
    ],
)
def test_relative_edges(today, text, label):
    assert parse_period(text, today=today).label == label


def test_relative_accepts_datetime_today():
    p = parse_period("mtd", today=datetime(2026, 11, 22, 17, 30))
    assert (p.start, p.end) == (D(2026, 11, 1), D(2026, 11, 22))


def test_relative_defaults_to_current_date():
    before = date.today()
    p = parse_period("ytd")
    after = date.today()
    assert p.start == D(p.end.year, 1, 1)
    assert before <= p.end <= after


def test_to_date_slice_is_not_a_plain_range():
    qtd = parse_period("qtd", today=TODAY)
    assert qtd.to_date == "quarter"
    same_days = parse_period(qtd.label)
    assert (same_days.start, same_days.end) == (qtd.start, qtd.end)
    # They step back differently, so they must not compare equal.
    assert same_days.previous != qtd.previous
    assert same_days != qtd


# -- errors ----------------------------------------------------------------

FORMS = (
    "use 2024, 2024-H1, 2024-Q3, 2024-09, 2024-W36, 2024-07-01..2024-09-30, "
    "last-month, last-quarter, last-year, mtd, qtd or ytd, each optionally @YYYY-MM-DD (as of that day)"
)


def test_error_message_exact():
    with pytest.raises(PeriodError) as info:
        parse_period("2024-Q5")
    assert str(info.value) == f"unknown period '2024-Q5': {FORMS}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2024-Q5",
        "2024-Q0",
        "2024-H3",
        "2024-13",
        "2024-00",
        "2024-123",
        "2024-W00",
        "2024-W53",  # 2024 has 52 ISO weeks
        "2021-W53",
        "2020-W54",
        "2024-02-30..2024-03-01",
        "2023-02-29..2023-03-01",
        "2024-01-01..2024-13-01",
        "2024-03-02..2024-03-01",
        "2024-07-01..",
        "..2024-07-01",
        "2024-07-01",
        "1899",
        "3000",
        "0000-Q1",
        "1899-12-31..1900-01-31",
        "24",
        "Q3-2024",
        "2024-Q3-01",
        "last-week",
        "last month ago",
        "wtd",
        "today",
        "２０２４",  # full-width digits
        "٢٠٢٤",  # Arabic-Indic digits: int() would accept them
        "2024\n-Q3",
    ],
)
def test_invalid_inputs_raise_period_error(text):
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    message = str(info.value)
    assert "\n" not in message
    assert repr(text.strip()) in message
    assert message.endswith(FORMS)


def test_invalid_value_message_names_the_problem():
    with pytest.raises(PeriodError, match=r"2024 has ISO weeks 1\.\.52"):
        parse_period("2024-W53")
    with pytest.raises(PeriodError, match="month must be 1..12"):
        parse_period("2024-13")
    with pytest.raises(PeriodError, match="start is after end"):
        parse_period("2024-03-02..2024-03-01")


def test_period_error_is_value_error():
    assert issubclass(PeriodError, ValueError)


def test_non_string_input_raises_period_error():
    with pytest.raises(PeriodError):
        parse_period(2024)  # type: ignore[arg-type]


def test_direct_construction_rejects_inverted_dates():
    with pytest.raises(ValueError):
        Period(D(2024, 2, 1), D(2024, 1, 1), "x", "range")
    with pytest.raises(ValueError):
        Period(D(2024, 1, 1), D(2024, 1, 1), "x", "fortnight")


# -- previous --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, label, start, end",
    [
        ("2024", "2023", D(2023, 1, 1), D(2023, 12, 31)),
        ("2024-H1", "2023-H2", D(2023, 7, 1), D(2023, 12, 31)),
        ("2024-H2", "2024-H1", D(2024, 1, 1), D(2024, 6, 30)),
        ("2024-Q1", "2023-Q4", D(2023, 10, 1), D(2023, 12, 31)),
        ("2024-Q2", "2024-Q1", D(2024, 1, 1), D(2024, 3, 31)),
        ("2024-Q3", "2024-Q2", D(2024, 4, 1), D(2024, 6, 30)),
        ("2024-01", "2023-12", D(2023, 12, 1), D(2023, 12, 31)),
        ("2024-03", "2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2023-03", "2023-02", D(2023, 2, 1), D(2023, 2, 28)),
        ("2024-W36", "2024-W35", D(2024, 8, 26), D(2024, 9, 1)),
        ("2021-W01", "2020-W53", D(2020, 12, 28), D(2021, 1, 3)),
        ("2024-W01", "2023-W52", D(2023, 12, 25), D(2023, 12, 31)),
        ("2025-W01", "2024-W52", D(2024, 12, 23), D(2024, 12, 29)),
        (
            # 92 days, so the previous range is the 92 days before 1 July.
            "2024-07-01..2024-09-30",
            "2024-03-31..2024-06-30",
            D(2024, 3, 31),
            D(2024, 6, 30),
        ),
        (
            "2024-03-01..2024-03-10",
            "2024-02-20..2024-02-29",
            D(2024, 2, 20),
            D(2024, 2, 29),
        ),
        (
            "2024-01-01..2024-01-01",
            "2023-12-31..2023-12-31",
            D(2023, 12, 31),
            D(2023, 12, 31),
        ),
    ],
)
def test_previous(text, label, start, end):
    p = parse_period(text)
    prev = p.previous
    assert (prev.label, prev.start, prev.end) == (label, start, end)
    assert prev.kind == p.kind
    assert prev == parse_period(label)


@pytest.mark.parametrize(
    "today, text, label",
    [
        (TODAY, "qtd", "2026-07-01..2026-08-22"),
        (TODAY, "mtd", "2026-10-01..2026-10-22"),
        (TODAY, "ytd", "2025-01-01..2025-11-22"),
        (D(2026, 1, 10), "mtd", "2025-12-01..2025-12-10"),
        (D(2026, 2, 15), "qtd", "2025-10-01..2025-11-15"),
        # The previous unit is shorter: clamp to its last day.
        (D(2026, 3, 31), "mtd", "2026-02-01..2026-02-28"),
        (D(2024, 3, 31), "mtd", "2024-02-01..2024-02-29"),
        (D(2026, 5, 31), "qtd", "2026-01-01..2026-02-28"),
        (D(2024, 2, 29), "ytd", "2023-01-01..2023-02-28"),
    ],
)
def test_previous_of_to_date_slices(today, text, label):
    p = parse_period(text, today=today)
    prev = p.previous
    assert prev.label == label
    assert prev.kind == "range"
    assert prev.to_date == p.to_date


def test_previous_of_to_date_slice_chains():
    p = parse_period("qtd", today=TODAY)
    assert p.previous.previous.label == "2026-04-01..2026-05-22"


# -- year_ago --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, label, start, end",
    [
        ("2024", "2023", D(2023, 1, 1), D(2023, 12, 31)),
        ("2024-H1", "2023-H1", D(2023, 1, 1), D(2023, 6, 30)),
        ("2024-H2", "2023-H2", D(2023, 7, 1), D(2023, 12, 31)),
        ("2024-Q1", "2023-Q1", D(2023, 1, 1), D(2023, 3, 31)),
        ("2024-Q4", "2023-Q4", D(2023, 10, 1), D(2023, 12, 31)),
        ("2024-02", "2023-02", D(2023, 2, 1), D(2023, 2, 28)),
        ("2025-02", "2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2024-W36", "2023-W36", D(2023, 9, 4), D(2023, 9, 10)),
        ("2021-W01", "2020-W01", D(2019, 12, 30), D(2020, 1, 5)),
        # No week 53 in 2019 or 2025: fall back to week 52.
        ("2020-W53", "2019-W52", D(2019, 12, 23), D(2019, 12, 29)),
        ("2026-W53", "2025-W52", D(2025, 12, 22), D(2025, 12, 28)),
        ("2021-W52", "2020-W52", D(2020, 12, 21), D(2020, 12, 27)),
        (
            "2024-07-01..2024-09-30",
            "2023-07-01..2023-09-30",
            D(2023, 7, 1),
            D(2023, 9, 30),
        ),
        (
            "2024-02-29..2024-03-31",
            "2023-02-28..2023-03-31",
            D(2023, 2, 28),
            D(2023, 3, 31),
        ),
        (
            "2024-01-01..2024-02-29",
            "2023-01-01..2023-02-28",
            D(2023, 1, 1),
            D(2023, 2, 28),
        ),
        (
            "2025-02-28..2025-03-01",
            "2024-02-28..2024-03-01",
            D(2024, 2, 28),
            D(2024, 3, 1),
        ),
    ],
)
def test_year_ago(text, label, start, end):
    p = parse_period(text)
    ago = p.year_ago
    assert (ago.label, ago.start, ago.end) == (label, start, end)
    assert ago.kind == p.kind
    assert ago == parse_period(label)


@pytest.mark.parametrize(
    "today, text, label",
    [
        (TODAY, "qtd", "2025-10-01..2025-11-22"),
        (TODAY, "mtd", "2025-11-01..2025-11-22"),
        (TODAY, "ytd", "2025-01-01..2025-11-22"),
        (D(2024, 2, 29), "mtd", "2023-02-01..2023-02-28"),
        (D(2024, 2, 29), "ytd", "2023-01-01..2023-02-28"),
    ],
)
def test_year_ago_of_to_date_slices(today, text, label):
    p = parse_period(text, today=today)
    assert p.year_ago.label == label
    assert p.year_ago.to_date == p.to_date


# -- helpers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, days",
    [
        ("2024", 366),
        ("2023", 365),
        ("2024-H1", 182),
        ("2024-H2", 184),
        ("2024-Q1", 91),
        ("2023-Q1", 90),
        ("2024-02", 29),
        ("2024-W36", 7),
        ("2024-07-01..2024-09-30", 92),
        ("2024-07-01..2024-07-01", 1),
    ],
)
def test_days(text, days):
    assert parse_period(text).days == days


def test_contains():
    p = parse_period("2024-Q3")
    assert p.contains(D(2024, 7, 1))
    assert p.contains(D(2024, 9, 30))
    assert not p.contains(D(2024, 6, 30))
    assert not p.contains(D(2024, 10, 1))
    assert p.contains(datetime(2024, 9, 30, 23, 59))
    assert p.contains(pd.Timestamp("2024-09-30 23:59:59"))
    assert not p.contains(pd.Timestamp("2024-10-01 00:00:00"))


def test_timestamps_filter_datetime_column():
    p = parse_period("2024-09")
    assert p.start_ts == pd.Timestamp("2024-09-01")
    assert p.end_exclusive_ts == pd.Timestamp("2024-10-01")
    s = pd.Series(
        pd.to_datetime(
            [
                "2024-08-31 23:59:59",
                "2024-09-01 00:00:00",
                "2024-09-30 23:59:59",
                "2024-10-01 00:00:00",
            ]
        )
    )
    mask = (p.start_ts <= s) & (s < p.end_exclusive_ts)
    assert mask.tolist() == [False, True, True, False]


def test_timestamps_at_year_end():
    p = parse_period("2024")
    assert p.end_exclusive_ts == pd.Timestamp("2025-01-01")


@pytest.mark.parametrize(
    "text, labels",
    [
        ("2024-Q3", ["2024-07", "2024-08", "2024-09"]),
        ("2024-09", ["2024-09"]),
        ("2024-W36", ["2024-09"]),
        ("2024-W05", ["2024-01", "2024-02"]),
        ("2020-W53", ["2020-12", "2021-01"]),
        ("2023-12-15..2024-02-01", ["2023-12", "2024-01", "2024-02"]),
        ("2024-H1", ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]),
    ],
)
def test_months(text, labels):
    months = parse_period(text).months()
    assert [m.label for m in months] == labels
    assert all(m.kind == "month" for m in months)


def test_months_are_full_months():
    months = parse_period("2023-12-15..2024-02-01").months()
    assert months[0].start == D(2023, 12, 1)
    assert months[-1].end == D(2024, 2, 29)
    assert len(parse_period("2024").months()) == 12


def test_doctests():
    result = doctest.testmod(periods, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


# -- properties ------------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None)

years = st.integers(1900, 2999)
ALL_DAYS = st.dates(min_value=D(1900, 1, 1), max_value=D(2999, 12, 31))
# Relative forms step back a unit, so a today in 1900 would name a period in 1899.
TODAYS = st.dates(min_value=D(1901, 1, 1), max_value=D(2999, 12, 31))


@st.composite
def weeks(draw):
    y = draw(years)
    w = draw(st.integers(1, date(y, 12, 28).isocalendar().week))
    return f"{y}-W{w:02d}"


@st.composite
def ranges(draw):
    a, b = sorted([draw(ALL_DAYS), draw(ALL_DAYS)])
    return f"{a.isoformat()}..{b.isoformat()}"


valid_labels = st.one_of(
    years.map(str),
    st.builds(lambda y, h: f"{y}-H{h}", years, st.integers(1, 2)),
    st.builds(lambda y, q: f"{y}-Q{q}", years, st.integers(1, 4)),
    st.builds(lambda y, m: f"{y}-{m:02d}", years, st.integers(1, 12)),
    weeks(),
    ranges(),
)

# Strings that look almost like periods reach the value checks far more often
# than arbitrary text does (and \d here draws digits of every script).
near_periods = st.from_regex(
    r"\s?\d{1,5}(-?[HhQqWw]?\d{0,3})?(\s?\.\.\s?\d{1,5}-\d{1,3}-\d{1,3})?"
    r"|\d{4}-\d{1,3}-\d{1,3}\.\.\d{4}-\d{1,3}-\d{1,3}"
    r"|(last[-_ ]?)?(month|quarter|year|week)|[a-z]td",
    fullmatch=True,
)

TRICKY_CHARS = (
    "0123456789０１２٠١٢-－._ HhQqWwTtDdYyMmLlAaSs"
    # Every kind of line break and space, zero-width and control characters.
    "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u00a0\u2028\u2029\u3000\u200b\ufeff\x00\x7f"
    "年季度月周😀"
)
junk = st.text(TRICKY_CHARS, max_size=2)
tricky_text = st.one_of(
    st.text(TRICKY_CHARS, max_size=30),
    # A valid label with junk around or inside it.
    st.builds(lambda a, label, b: a + label + b, junk, valid_labels, junk),
    st.builds(
        lambda label, i, extra: label[:i] + extra + label[i:],
        valid_labels,
        st.integers(0, 25),
        junk.filter(bool),
    ),
    st.sampled_from(
        [
            "9" * 400,
            "2024-Q" + "3" * 100,
            "2024-W" + "0" * 50 + "1",
            "2024-Q3" * 50,
            "1e308",
            "inf",
            "nan",
            "-0",
            "２０２４-Q3",
            "٢٠٢٤-Q3",
            "last-month" * 3,
            "0000-01-01..0000-01-01",
            "9999-12-31..9999-12-31",
            "2024-02-29..2025-02-29",
        ]
    ),
)


def _parses_or_period_error(text) -> Period | None:
    """The contract of parse_period for any input; the period, or None if refused.

    Refused: exactly a PeriodError, its message one line naming the stripped input.
    Accepted: a period in order whose label parses back to the same days, with a
    previous and a year-ago period of the same kind that end before it does.
    """
    try:
        p = parse_period(text, today=TODAY)
    except PeriodError as exc:
        message = str(exc)
        assert type(exc) is PeriodError
        assert len(message.splitlines()) == 1, message
        assert (repr(text.strip()) if isinstance(text, str) else repr(text)) in message
        assert message.endswith(FORMS)
        return None
    assert isinstance(p, Period) and p.kind in periods.KINDS
    assert p.start <= p.end and p.days >= 1
    if p.kind != "range":
        assert p.start < p.end
    again = parse_period(p.label)
    if p.to_date is None:
        assert again == p
    else:  # mtd, qtd, ytd: the same days, but a to-date slice steps back differently
        assert (again.start, again.end, again.kind) == (p.start, p.end, "range")
    prev, ago = p.previous, p.year_ago
    assert prev.kind == ago.kind == p.kind
    assert prev.to_date == ago.to_date == p.to_date
    assert prev.end < p.start and ago.end < p.end
    if p.to_date is None:
        assert prev.end + timedelta(days=1) == p.start
    return p


@PROPERTY
@given(st.text())
def test_any_text_parses_or_raises_period_error(text):
    """Any text: a well-formed period, or a PeriodError with a one-line message."""
    _parses_or_period_error(text)


@PROPERTY
@given(tricky_text)
def test_tricky_text_parses_or_raises_period_error(text):
    """Line breaks, other digits, zero-width, huge inputs: a period or a PeriodError."""
    _parses_or_period_error(text)


@PROPERTY
@given(near_periods)
def test_near_periods_parse_or_raise_period_error(text):
    """Period-shaped strings with numbers out of range: a PeriodError, nothing else."""
    _parses_or_period_error(text)


@PROPERTY
@given(
    st.one_of(
        st.none(),
        st.integers(),
        st.floats(),
        st.binary(max_size=10),
        ALL_DAYS,
        st.lists(st.integers(), max_size=3),
    )
)
def test_non_text_raises_period_error(value):
    """Anything but a str is refused with a PeriodError naming it, not a TypeError."""
    assert _parses_or_period_error(value) is None


@PROPERTY
@given(valid_labels)
def test_label_round_trip(label):
    """A canonical label parses to a period with that label, equal when parsed again."""
    p = parse_period(label)
    assert p.label == label
    assert parse_period(p.label) == p
    assert _parses_or_period_error(label) == p


def _last_day(y: int, first_month: int, months: int) -> date:
    """The last day of the ``months`` months from ``first_month`` of year ``y`` on."""
    after = first_month + months
    next_start = date(y + 1, after - 12, 1) if after > 12 else date(y, after, 1)
    return next_start - timedelta(days=1)


@st.composite
def typed_periods(draw):
    """(text, start, end, label): a period typed in a way parse_period accepts.

    Start and end are worked out from the calendar here, not with the module's helpers.
    """
    kind = draw(st.sampled_from(["year", "half", "quarter", "month", "week", "range"]))
    y = draw(years)
    if kind == "year":
        text, start, end, label = str(y), D(y, 1, 1), D(y, 12, 31), str(y)
    elif kind == "half":
        h = draw(st.integers(1, 2))
        text = draw(st.sampled_from([f"{y}-H{h}", f"{y}-h{h}", f"{y}H{h}", f"{y}h{h}"]))
        start, end = D(y, 6 * h - 5, 1), _last_day(y, 6 * h - 5, 6)
        label = f"{y}-H{h}"
    elif kind == "quarter":
        q = draw(st.integers(1, 4))
        text = draw(st.sampled_from([f"{y}-Q{q}", f"{y}-q{q}", f"{y}Q{q}", f"{y}q{q}"]))
        start, end = D(y, 3 * q - 2, 1), _last_day(y, 3 * q - 2, 3)
        label = f"{y}-Q{q}"
    elif kind == "month":
        m = draw(st.integers(1, 12))
        text = draw(st.sampled_from([f"{y}-{m:02d}", f"{y}-{m}"]))
        start, end, label = D(y, m, 1), _last_day(y, m, 1), f"{y}-{m:02d}"
    elif kind == "week":
        # ISO week 1 is the Monday-to-Sunday week with 4 January in it.
        jan4 = D(y, 1, 4)
        w = draw(st.integers(1, D(y, 12, 28).isocalendar().week))
        start = jan4 - timedelta(days=jan4.weekday()) + timedelta(weeks=w - 1)
        end, label = start + timedelta(days=6), f"{y}-W{w:02d}"
        text = draw(
            st.sampled_from([f"{y}-W{w:02d}", f"{y}-W{w}", f"{y}W{w:02d}", f"{y}w{w}"])
        )
    else:
        start, end = sorted([draw(ALL_DAYS), draw(ALL_DAYS)])
        label = f"{start.isoformat()}..{end.isoformat()}"
        a, b = (
            draw(st.sampled_from([d.isoformat(), f"{d.year}-{d.month}-{d.day}"]))
            for d in (start, end)
        )
        text = a + draw(st.sampled_from(["..", " .. ", "\t..", ".. "])) + b
    padding = st.text(" \t\n\r\u3000\u00a0", max_size=2)
    return draw(padding) + text + draw(padding), start, end, label


@PROPERTY
@given(typed_periods())
def test_typed_forms_give_the_expected_days(typed):
    """Each accepted typing (case, dash, unpadded numbers, spaces): its days, label."""
    text, start, end, label = typed
    p = parse_period(text)
    assert (p.start, p.end, p.label) == (start, end, label)
    assert p == parse_period(label)


@PROPERTY
@given(valid_labels)
def test_previous_is_adjacent_and_same_kind(label):
    """previous ends the day before the period starts and is of the same kind."""
    p = parse_period(label)
    prev = p.previous
    assert prev.kind == p.kind
    assert prev.end + timedelta(days=1) == p.start
    if p.kind == "range":
        assert prev.days == p.days
    if p.kind == "week":
        assert prev.days == 7
    if prev.start.year >= periods.MIN_YEAR:
        assert parse_period(prev.label) == prev


@PROPERTY
@given(valid_labels)
def test_year_ago_is_same_kind_one_year_back(label):
    """year_ago is the same kind of period in the previous (ISO, for weeks) year."""
    p = parse_period(label)
    ago = p.year_ago
    assert ago.kind == p.kind
    if ago.start.year >= periods.MIN_YEAR:
        assert parse_period(ago.label) == ago
    if p.kind == "week":
        assert ago.start.isocalendar().year == p.start.isocalendar().year - 1
    else:
        assert ago.start.year == p.start.year - 1
        assert ago.end.year == p.end.year - 1
    if p.kind in ("year", "half", "quarter", "month"):
        assert (ago.start.month, ago.start.day) == (p.start.month, p.start.day)
        assert ago.end.month == p.end.month


UNIT_STARTS = {
    "month": lambda t: D(t.year, t.month, 1),
    "quarter": lambda t: D(t.year, 3 * ((t.month - 1) // 3) + 1, 1),
    "year": lambda t: D(t.year, 1, 1),
}


@PROPERTY
@given(
    TODAYS,
    st.sampled_from(["month", "quarter", "year"]),
    st.sampled_from(["last-", "LAST_", "Last "]),
)
def test_last_unit_is_the_full_unit_before_today(today, unit, prefix):
    """last-month/quarter/year: the whole unit ending the day before today's unit."""
    p = parse_period(f" {prefix}{unit} ", today=today)
    assert p.kind == unit
    assert p.end + timedelta(days=1) == UNIT_STARTS[unit](today)
    assert p.start == UNIT_STARTS[unit](p.end)
    assert parse_period(p.label) == p


@PROPERTY
@given(TODAYS, st.sampled_from(["mtd", "qtd", "ytd", "MTD", "Qtd", "YTD"]))
def test_to_date_slices(today, text):
    """mtd/qtd/ytd: today's unit up to today; previous, year_ago: earlier units."""
    unit = {"m": "month", "q": "quarter", "y": "year"}[text[0].lower()]
    p = parse_period(text, today=today)
    assert (p.start, p.end, p.to_date) == (UNIT_STARTS[unit](today), today, unit)
    assert p.contains(today)
    prev = p.previous
    assert prev.start < p.start
    assert prev.end < p.start
    assert prev.start == UNIT_STARTS[unit](prev.start)
    assert prev.to_date == p.to_date
    # The same day of the month as today, or the last day of a shorter month.
    clamped = prev.end.day < today.day and (prev.end + timedelta(days=1)).day == 1
    assert prev.end.day == today.day or clamped
    ago = p.year_ago
    assert (ago.start.year, ago.end.year) == (p.start.year - 1, p.end.year - 1)
    assert ago.to_date == p.to_date


# --------------------------------------------------------------------------- tokens and cut periods


@pytest.mark.parametrize("text", ["2024", "2024-H2", "2024-Q3", "2024-09", "2024-W36", "2024-07-01..2024-09-30",
                                  "last-month", "last-quarter", "last-year", "mtd", "qtd", "ytd"])
def test_token_reads_back_as_the_same_period_on_any_later_day(text):
    period = parse_period(text, today=date(2026, 11, 22))
    again = parse_period(period.token, today=date(2027, 3, 1))
    assert again == period
    assert (again.previous, again.year_ago) == (period.previous, period.year_ago)


def test_to_date_tokens_keep_the_to_date_comparisons():
    # ytd on 2026-11-22: compared with 2025-01-01..2025-11-22, not the 326 days before 2026-01-01
    ytd = parse_period("ytd@2026-11-22", today=date(2027, 6, 30))
    assert (ytd.start, ytd.end) == (date(2026, 1, 1), date(2026, 11, 22))
    assert (ytd.previous.start, ytd.previous.end) == (date(2025, 1, 1), date(2025, 11, 22))
    assert (ytd.year_ago.start, ytd.year_ago.end) == (date(2025, 1, 1), date(2025, 11, 22))
    qtd = parse_period("qtd@2026-11-22")
    assert (qtd.previous.start, qtd.previous.end) == (date(2026, 7, 1), date(2026, 8, 22))
    assert (qtd.year_ago.start, qtd.year_ago.end) == (date(2025, 10, 1), date(2025, 11, 22))
    mtd = parse_period("mtd@2026-03-30")
    assert (mtd.previous.start, mtd.previous.end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert (mtd.year_ago.start, mtd.year_ago.end) == (date(2025, 3, 1), date(2025, 3, 30))


def test_a_cut_quarter_compares_as_many_days():
    q4 = parse_period("2025-Q4").cut(date(2025, 11, 15))
    assert (q4.label, q4.start, q4.end, q4.full_end, q4.partial) == \
        ("2025-Q4", date(2025, 10, 1), date(2025, 11, 15), date(2025, 12, 31), True)
    assert q4.days == 46
    assert (q4.previous.start, q4.previous.end, q4.previous.days) == (date(2025, 7, 1), date(2025, 8, 15), 46)
    assert (q4.year_ago.start, q4.year_ago.end) == (date(2024, 10, 1), date(2024, 11, 15))
    assert q4.token == "2025-Q4@2025-11-15" and parse_period(q4.token) == q4
    assert q4.whole == parse_period("2025-Q4")
    assert q4.contains(date(2025, 11, 15)) and not q4.contains(date(2025, 11, 16))


def test_a_cut_comparison_never_runs_past_its_own_period():
    # 31 days of March against February: February whole, never into March
    march = parse_period("2025-03@2025-03-31")
    assert not march.partial
    cut = parse_period("2025-03").cut(date(2025, 3, 30))
    assert (cut.previous.start, cut.previous.end, cut.previous.partial) == (date(2025, 2, 1), date(2025, 2, 28), False)


def test_a_cut_year_to_date_compares_the_same_days_a_year_earlier():
    cut = parse_period("ytd@2026-11-22@2026-10-31")
    assert (cut.start, cut.end, cut.full_end, cut.to_date) == (date(2026, 1, 1), date(2026, 10, 31), date(2026, 11, 22), "year")
    assert (cut.previous.start, cut.previous.end) == (date(2025, 1, 1), date(2025, 10, 31))
    assert parse_period(cut.token) == cut


def test_cutting_at_or_after_the_end_changes_nothing():
    q = parse_period("2025-Q4")
    assert q.cut(date(2025, 12, 31)) == q and q.cut(date(2026, 5, 1)) == q
    assert q.cut(date(2025, 11, 1)).cut(date(2026, 1, 1)) == q


@pytest.mark.parametrize("text, part", [
    ("2025-Q4@2025-09-30", "before it starts"),
    ("2025-Q4@2025-11-15@2025-11-20", "one @date"),
    ("ytd@2026-11-22@2026-10-31@2026-10-01", "too many"),
    ("2025-Q4@15.11.2025", "YYYY-MM-DD"),
    ("2025-Q4@2025-02-30", "day is out of range"),
    ("2025-Q5@2025-11-15", "unknown period"),
])
def test_bad_as_of_days_raise_one_line(text, part):
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    assert part in str(info.value) and "\n" not in str(info.value)
