"""A report request read once: the period a text names, cut to the data's range."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from custreport import store
from custreport.errors import UserError
from custreport.periods import Period, PeriodError, parse_period


def data_through(manifest: dict, revenue_basis: str) -> pd.Timestamp | None:
    """The last date of a snapshot's revenue data, from its manifest's ``data_range``.

    >>> ranges = {"orders": ["2011-01-04T00:00:00", "2011-12-09T12:50:00"], "deals": ["2010-05-01", "2011-06-30"],
    ...           "deals_closed": ["2010-06-01", "2011-09-30"]}
    >>> data_through({"data_range": ranges}, "orders"), data_through({"data_range": ranges}, "won_deals")
    (Timestamp('2011-12-09 00:00:00'), Timestamp('2011-09-30 00:00:00'))
    """
    ranges = manifest.get("data_range", {})
    tables = ("orders",) if revenue_basis == "orders" else ("deals", "deals_closed")
    ends = [pd.Timestamp(ranges[table][1]).normalize() for table in tables if ranges.get(table)]
    return max(ends) if ends else None


def resolve_period(text: str | None, snapshot: store.Snapshot, today: dt.date | None = None) -> Period:
    """A period parameter; empty or ``latest`` means the latest complete quarter in the data.

    The latest quarter is taken from the last order (else deal) date of the snapshot, so
    a notebook's default shows real data right after ingest, whatever today's date is.
    Any other period must overlap the data, and one the data ends in is cut at its last day
    (see cover_period).
    """
    text = (text or "").strip()
    if text and text.lower() != "latest":
        try:
            return cover_period(parse_period(text, today=today), snapshot)
        except PeriodError as exc:
            raise UserError(str(exc)) from None
    ranges = snapshot.manifest.get("data_range", {})
    last = (ranges.get("orders") or ranges.get("deals") or [None, None])[1]
    if last is None:
        return parse_period("last-quarter", today=today)
    last_day = pd.Timestamp(last).date()
    quarter = parse_period(f"{last_day.year}-Q{(last_day.month - 1) // 3 + 1}")
    return quarter if quarter.end <= last_day else quarter.previous


# The tables whose dates say how far the data reaches (data_range keys of the manifest).
ACTIVITY_RANGES = ("orders", "deals", "deals_closed", "interactions", "leads")


def data_coverage(manifest: dict) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the snapshot's dated activity (orders, deals created or closed,
    interactions, leads), from its manifest; None when it holds none.

    >>> data_coverage({"data_range": {"orders": ["2011-01-04T00:00:00", "2011-12-09T12:50:00"],
    ...                               "deals_closed": ["2010-06-01", "2012-01-31"]}})
    (datetime.date(2010, 6, 1), datetime.date(2012, 1, 31))
    """
    ranges = manifest.get("data_range", {})
    spans = [ranges[table] for table in ACTIVITY_RANGES if ranges.get(table)]
    if not spans:
        return None
    return (min(pd.Timestamp(first).date() for first, _ in spans),
            max(pd.Timestamp(last).date() for _, last in spans))


def cover_period(period: Period, snapshot: store.Snapshot) -> Period:
    """``period`` as far as the snapshot's data reaches: refused (UserError, one line giving the
    data's range) when it starts after the data ends or ends before it begins, so no report of
    an empty period goes out looking like a collapse; cut at the data's last day, and so marked
    partial with comparisons as long, when the data ends inside it."""
    span = data_coverage(snapshot.manifest)
    asked = f"{period.label} ({period.start} – {period.whole.end})"
    if span is None:
        raise UserError(f"period {asked}: snapshot {snapshot.id} holds no dated orders, deals, interactions or "
                        "leads, so there is nothing to report; check params/sources.yaml and run `custreport ingest`")
    first, last = span
    if period.start > last or period.end < first:
        where = "starts after the data ends" if period.start > last else "ends before the data begins"
        raise UserError(f"period {asked} {where}: the data runs {first} – {last} (snapshot {snapshot.id}); "
                        f"choose a period within it, or --period latest for the latest full quarter")
    return period.cut(last) if period.end > last else period


def coverage_dict(snapshot: store.Snapshot) -> dict | None:
    coverage = data_coverage(snapshot.manifest)
    return {"first": coverage[0].isoformat(), "last": coverage[1].isoformat()} if coverage else None
