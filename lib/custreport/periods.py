"""Reporting periods: parse period strings and step to comparison periods.

A report covers one :class:`Period` (a year, half, quarter, month, ISO week or
an explicit date range) and usually compares it with the period before it and
with the same period a year earlier.  :func:`parse_period` turns what a user
types on the command line or in a params file into a :class:`Period`:

>>> p = parse_period("2024-Q3")
>>> p.start, p.end
(datetime.date(2024, 7, 1), datetime.date(2024, 9, 30))
>>> p.previous.label, p.year_ago.label
('2024-Q2', '2023-Q3')

Relative forms resolve against ``today`` to a concrete period:

>>> parse_period("last-quarter", today=date(2026, 11, 22)).label
'2026-Q3'
>>> parse_period("qtd", today=date(2026, 11, 22)).previous.label
'2026-07-01..2026-08-22'

A period's :attr:`Period.token` reads back as the same period, whatever day it is read on
(``ytd@2026-11-22``), and a period the data covers only partly is cut at the data's last day
(``2025-Q4@2025-11-15``): it keeps its label, and its comparisons cover as many days.

>>> p = parse_period("2025-Q4@2025-11-15")
>>> p.label, p.end, p.partial, p.previous.token
('2025-Q4', datetime.date(2025, 11, 15), True, '2025-Q3@2025-08-15')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

__all__ = ["Period", "PeriodError", "parse_period"]

MIN_YEAR = 1900
MAX_YEAR = 2999

KINDS = ("year", "half", "quarter", "month", "week", "range")

# How many months one step of each to-date basis covers.
_TO_DATE_MONTHS = {"month": 1, "quarter": 3, "year": 12}

ACCEPTED_FORMS = (
    "2024, 2024-H1, 2024-Q3, 2024-09, 2024-W36, 2024-07-01..2024-09-30, "
    "last-month, last-quarter, last-year, mtd, qtd or ytd, each optionally @YYYY-MM-DD (as of that day)"
)


class PeriodError(ValueError):
    """A period string that cannot be understood.

    The message is one line naming the input and the accepted forms, so it can
    be shown to the user as is.
    """


@dataclass(frozen=True)
class Period:
    """A closed span of calendar days with a canonical label.

    ``to_date`` is set only for the month/quarter/year-to-date slices made by
    ``mtd``, ``qtd`` and ``ytd`` (``"month"``, ``"quarter"`` or ``"year"``).
    Such a slice is a ``"range"`` but steps back by its calendar unit rather
    than by its length, so it takes part in equality: two periods that compare
    equal always have the same ``previous`` and ``year_ago``.

    ``full_end`` is set only for a period cut short (see :meth:`cut`): ``end`` is
    then the last day covered and ``full_end`` the day the period would end.

    >>> p = parse_period("2024-09")
    >>> p.days, p.contains(date(2024, 9, 30)), p.contains(date(2024, 10, 1))
    (30, True, False)
    """

    start: date
    end: date
    label: str
    kind: str
    to_date: str | None = None
    full_end: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.start > self.end:
            raise ValueError(f"period {self.label!r} starts after it ends")
        if self.full_end is not None and self.full_end <= self.end:
            raise ValueError(f"period {self.label!r}: a cut period ends before its full end")
        if self.to_date is not None and (
            self.kind != "range" or self.to_date not in _TO_DATE_MONTHS
        ):
            raise ValueError(f"period {self.label!r}: bad to_date {self.to_date!r}")

    @property
    def partial(self) -> bool:
        """Whether the period was cut short of its full end (see :meth:`cut`)."""
        return self.full_end is not None

    @property
    def token(self) -> str:
        """The period as text that :func:`parse_period` reads back as this very period, on any day.

        >>> [parse_period(t, today=date(2026, 11, 22)).token for t in ("2025-Q4", "ytd", "last-month")]
        ['2025-Q4', 'ytd@2026-11-22', '2026-10']
        >>> parse_period("ytd", today=date(2026, 11, 22)).cut(date(2026, 10, 31)).token
        'ytd@2026-11-22@2026-10-31'
        """
        nominal = self.full_end or self.end
        base = f"{_TO_DATE_TOKENS[self.to_date]}@{nominal.isoformat()}" if self.to_date else self.label
        return f"{base}@{self.end.isoformat()}" if self.partial else base

    def cut(self, through: date) -> Period:
        """The period up to and including ``through`` (a day in it): same label and kind, marked
        partial; its ``previous`` and ``year_ago`` are cut to as many days. A ``through`` on or
        after the end gives the period unchanged.

        >>> q = parse_period("2025-Q4").cut(date(2025, 11, 15))
        >>> q.start, q.end, q.full_end, q.days, q.year_ago.token
        (datetime.date(2025, 10, 1), datetime.date(2025, 11, 15), datetime.date(2025, 12, 31), 46, '2024-Q4@2024-11-15')
        """
        if isinstance(through, datetime):
            through = through.date()
        if through < self.start:
            raise ValueError(f"period {self.label!r} cannot be cut at {through}, before it starts")
        full_end = self.full_end or self.end
        if through >= full_end:
            return self.whole
        return Period(self.start, through, self.label, self.kind, self.to_date, full_end)

    @property
    def whole(self) -> Period:
        """The period as it would be uncut."""
        if self.full_end is None:
            return self
        return Period(self.start, self.full_end, self.label, self.kind, self.to_date)

    def _as_long_as_this(self, other: Period) -> Period:
        """``other`` (a comparison period) cut to as many days as this cut period covers."""
        if not self.partial:
            return other
        return other.cut(min(other.end, other.start + timedelta(days=self.days - 1)))

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included.

        >>> parse_period("2024-02").days
        29
        """
        return (self.end - self.start).days + 1

    @property
    def start_ts(self) -> pd.Timestamp:
        """Midnight at the start of the first day.

        Use with :attr:`end_exclusive_ts` as ``start_ts <= x < end_exclusive_ts``
        so that times during the last day are included.
        """
        return pd.Timestamp(self.start)

    @property
    def end_exclusive_ts(self) -> pd.Timestamp:
        """Midnight at the start of the day after the last day.

        >>> parse_period("2024-09").end_exclusive_ts
        Timestamp('2024-10-01 00:00:00')
        """
        return pd.Timestamp(self.end + timedelta(days=1))

    def contains(self, d: date) -> bool:
        """Whether the day ``d`` (a date, datetime or Timestamp) is in the period.

        >>> parse_period("2024-W36").contains(date(2024, 9, 8))
        True
        """
        # datetime is a subclass of date but refuses to compare with one.
        if isinstance(d, datetime):
            d = d.date()
        return self.start <= d <= self.end

    @property
    def previous(self) -> Period:
        """The period of the same kind immediately before this one.

        A plain range gives the range of the same length ending the day before
        it starts; a to-date slice gives the same slice of the previous unit.

        >>> parse_period("2024-Q1").previous.label
        '2023-Q4'
        >>> parse_period("2021-W01").previous.label
        '2020-W53'
        >>> parse_period("2024-07-01..2024-07-10").previous.label
        '2024-06-21..2024-06-30'
        """
        if self.partial:
            return self._as_long_as_this(self.whole.previous)
        s = self.start
        if self.kind == "year":
            return _year(s.year - 1)
        if self.kind == "half":
            return _half(s.year - 1, 2) if s.month == 1 else _half(s.year, 1)
        if self.kind == "quarter":
            q = _quarter_of(s)
            return _quarter(s.year - 1, 4) if q == 1 else _quarter(s.year, q - 1)
        if self.kind == "month":
            return _month(*_add_months(s.year, s.month, -1))
        if self.kind == "week":
            iso = (s - timedelta(days=7)).isocalendar()
            return _week(iso.year, iso.week)
        if self.to_date is not None:
            months = _TO_DATE_MONTHS[self.to_date]
            return _range(
                _shift_months(self.start, -months),
                _shift_months(self.end, -months),
                self.to_date,
            )
        return _range(s - timedelta(days=self.days), s - timedelta(days=1))

    @property
    def year_ago(self) -> Period:
        """The same period one year earlier.

        A week maps to the same ISO week number of the previous ISO year (W53
        becomes W52 when that year has no week 53); a range moves back one
        calendar year, with 29 February becoming 28 February.

        >>> parse_period("2021-W36").year_ago.label
        '2020-W36'
        >>> parse_period("2020-W53").year_ago.label
        '2019-W52'
        >>> parse_period("2024-02-29..2024-03-31").year_ago.label
        '2023-02-28..2023-03-31'
        """
        if self.partial:
            return self._as_long_as_this(self.whole.year_ago)
        s = self.start
        if self.kind == "year":
            return _year(s.year - 1)
        if self.kind == "half":
            return _half(s.year - 1, 1 if s.month == 1 else 2)
        if self.kind == "quarter":
            return _quarter(s.year - 1, _quarter_of(s))
        if self.kind == "month":
            return _month(s.year - 1, s.month)
        if self.kind == "week":
            iso = s.isocalendar()
            return _week(iso.year - 1, min(iso.week, _iso_weeks(iso.year - 1)))
        return _range(
            _shift_months(self.start, -12), _shift_months(self.end, -12), self.to_date
        )

    def months(self) -> list[Period]:
        """The whole calendar months that overlap the period, in order.

        Months are not clipped to the period, so a week spanning a month end
        gives both full months.

        >>> [m.label for m in parse_period("2024-W05").months()]
        ['2024-01', '2024-02']
        """
        result = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            result.append(_month(y, m))
            y, m = _add_months(y, m, 1)
        return result


def parse_period(text: str, today: date | None = None) -> Period:
    """Parse a period string into a :class:`Period`.

    Accepted forms (case-insensitive, surrounding whitespace ignored):
    ``2024``, ``2024-H1``, ``2024-Q3`` (or ``2024Q3``), ``2024-09`` (or
    ``2024-9``), ``2024-W36`` (ISO week, or ``2024W36``),
    ``2024-07-01..2024-09-30`` (both ends included), and, relative to
    ``today`` (default: the current date), ``last-month``, ``last-quarter``,
    ``last-year`` (the previous full calendar unit) and ``mtd``, ``qtd``,
    ``ytd`` (from the start of the current unit up to and including today).

    ``@YYYY-MM-DD`` after a form reads it as of that day: a relative form resolves
    on that day (``ytd@2026-11-22``) and a fixed one is cut there, its data ending
    that day (``2025-Q4@2025-11-15``); a relative form may take a second @day, its cut.

    >>> parse_period("2024-Q3").start
    datetime.date(2024, 7, 1)
    >>> parse_period(" 2024w36 ").label
    '2024-W36'
    >>> parse_period("ytd", today=date(2026, 11, 22)).label
    '2026-01-01..2026-11-22'
    >>> try:
    ...     parse_period("2024-Q5")
    ... except PeriodError as exc:
    ...     print(exc)
    unknown period '2024-Q5': use 2024, 2024-H1, 2024-Q3, 2024-09, 2024-W36, 2024-07-01..2024-09-30, last-month, last-quarter, last-year, mtd, qtd or ytd, each optionally @YYYY-MM-DD (as of that day)
    """
    if not isinstance(text, str):
        raise PeriodError(f"unknown period {text!r}: use {ACCEPTED_FORMS}")
    s = text.strip()
    base, *days = (part.strip() for part in s.split("@"))
    try:
        as_of = [_as_of_day(day) for day in days]
        relative = any(pattern.fullmatch(base) for pattern in _RELATIVE)
        if len(as_of) > (2 if relative else 1):
            raise _Invalid("too many @dates" if relative else "a fixed period takes one @date, the day its data ends")
        if relative and as_of:
            today = as_of.pop(0)
        period = _parse_base(base, today)
        if period is None:
            raise PeriodError(f"unknown period {s!r}: use {ACCEPTED_FORMS}")
        return period.cut(as_of[0]) if as_of else period
    except (_Invalid, ValueError) as exc:
        if isinstance(exc, PeriodError):
            raise
        # Repr of the stripped text keeps the message on one line even
        # when the input contained newlines.
        raise PeriodError(f"invalid period {s!r} ({exc}): use {ACCEPTED_FORMS}") from None


def _parse_base(text: str, today: date | None) -> Period | None:
    for pattern, build in _PARSERS:
        m = pattern.fullmatch(text)
        if m is not None:
            return build(m, today)
    return None


def _as_of_day(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII):
        raise _Invalid(f"@{text!r}: write the day as YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _Invalid(f"@{text!r}: {exc}") from None


class _Invalid(Exception):
    """A string of a recognised shape whose numbers are out of range."""


def _year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), f"{y}", "year")


def _half(y: int, h: int) -> Period:
    start = date(y, 1 if h == 1 else 7, 1)
    end = date(y, 6, 30) if h == 1 else date(y, 12, 31)
    return Period(start, end, f"{y}-H{h}", "half")


def _quarter(y: int, q: int) -> Period:
    first = 3 * q - 2
    last = first + 2
    end = date(y, last, calendar.monthrange(y, last)[1])
    return Period(date(y, first, 1), end, f"{y}-Q{q}", "quarter")


def _month(y: int, m: int) -> Period:
    end = date(y, m, calendar.monthrange(y, m)[1])
    return Period(date(y, m, 1), end, f"{y}-{m:02d}", "month")


def _week(y: int, w: int) -> Period:
    start = date.fromisocalendar(y, w, 1)
    return Period(start, start + timedelta(days=6), f"{y}-W{w:02d}", "week")


def _range(start: date, end: date, to_date: str | None = None) -> Period:
    label = f"{start.isoformat()}..{end.isoformat()}"
    return Period(start, end, label, "range", to_date)


def _quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def _iso_weeks(y: int) -> int:
    # 28 December always falls in the last ISO week of its year.
    return date(y, 12, 28).isocalendar().week


def _add_months(y: int, m: int, n: int) -> tuple[int, int]:
    y2, m0 = divmod(y * 12 + (m - 1) + n, 12)
    return y2, m0 + 1


def _shift_months(d: date, n: int) -> date:
    """Move ``d`` by ``n`` calendar months, clamping to the month's last day."""
    y, m = _add_months(d.year, d.month, n)
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _check_year(y: int) -> int:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise _Invalid(f"year must be {MIN_YEAR}..{MAX_YEAR}")
    return y


def _parse_year(m: re.Match, today: date | None) -> Period:
    return _year(_check_year(int(m["y"])))


def _parse_half(m: re.Match, today: date | None) -> Period:
    return _half(_check_year(int(m["y"])), int(m["h"]))


def _parse_quarter(m: re.Match, today: date | None) -> Period:
    return _quarter(_check_year(int(m["y"])), int(m["q"]))


def _parse_month(m: re.Match, today: date | None) -> Period:
    month = int(m["m"])
    if not 1 <= month <= 12:
        raise _Invalid("month must be 1..12")
    return _month(_check_year(int(m["y"])), month)


def _parse_week(m: re.Match, today: date | None) -> Period:
    y, w = _check_year(int(m["y"])), int(m["w"])
    if not 1 <= w <= _iso_weeks(y):
        raise _Invalid(f"{y} has ISO weeks 1..{_iso_weeks(y)}")
    return _week(y, w)


def _parse_range(m: re.Match, today: date | None) -> Period:
    try:
        start = date(_check_year(int(m["y1"])), int(m["m1"]), int(m["d1"]))
        end = date(_check_year(int(m["y2"])), int(m["m2"]), int(m["d2"]))
    except ValueError as exc:
        raise _Invalid(str(exc)) from None
    if start > end:
        raise _Invalid("start is after end")
    return _range(start, end)


def _today(today: date | None) -> date:
    t = date.today() if today is None else today
    # A datetime would leak its time into the range end and break comparisons.
    return t.date() if isinstance(t, datetime) else t


def _parse_last(m: re.Match, today: date | None) -> Period:
    t = _today(today)
    unit = m["unit"].lower()
    if unit == "month":
        return _month(*_add_months(t.year, t.month, -1))
    if unit == "quarter":
        return _quarter(t.year, _quarter_of(t)).previous
    return _year(t.year - 1)


_TO_DATE_UNITS = {"m": "month", "q": "quarter", "y": "year"}
_TO_DATE_TOKENS = {unit: f"{letter}td" for letter, unit in _TO_DATE_UNITS.items()}


def _parse_to_date(m: re.Match, today: date | None) -> Period:
    t = _today(today)
    unit = _TO_DATE_UNITS[m["u"].lower()]
    if unit == "month":
        start = date(t.year, t.month, 1)
    elif unit == "quarter":
        start = date(t.year, 3 * _quarter_of(t) - 2, 1)
    else:
        start = date(t.year, 1, 1)
    return _range(start, t, unit)


_Y = r"(?P<y>\d{4})"

# re.ASCII: \d would otherwise accept other scripts' digits, which int() reads.
_PARSERS = [
    (re.compile(pattern, re.IGNORECASE | re.ASCII), build)
    for pattern, build in [
        (_Y, _parse_year),
        (_Y + r"-?H(?P<h>[12])", _parse_half),
        (_Y + r"-?Q(?P<q>[1-4])", _parse_quarter),
        (_Y + r"-(?P<m>\d{1,2})", _parse_month),
        (_Y + r"-?W(?P<w>\d{1,2})", _parse_week),
        (
            r"(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})\s*\.\.\s*"
            r"(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})",
            _parse_range,
        ),
        (r"last[-_ ](?P<unit>month|quarter|year)", _parse_last),
        (r"(?P<u>[mqy])td", _parse_to_date),
    ]
]

# The forms that resolve against today: their first @date is the day they are read on.
_RELATIVE = [pattern for pattern, build in _PARSERS if build in (_parse_last, _parse_to_date)]
