"""What every page, workbook and mail says of its data: period, data through, snapshot."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from custreport import store
from custreport.periods import Period, parse_period
from custreport.reporting.request import data_coverage


def snapshot_text(snapshot: store.Snapshot, locale: str) -> str:
    """A snapshot as readers see it: its id and when it was made (UTC).

    >>> snapshot_text(store.Snapshot("20261204T010203000000Z", Path("."), {"created_at": "2026-12-04T01:02:03+00:00"}), "en")
    '20261204T010203000000Z (made 2026-12-04 01:02 UTC)'
    """
    made = snapshot.created_at
    when = pd.Timestamp(made).strftime("%Y-%m-%d %H:%M UTC") if made else ""
    if not when:
        return snapshot.id
    return f"{snapshot.id}（生成于 {when}）" if locale == "zh" else f"{snapshot.id} (made {when})"


def partial_warning(period: Period, locale: str) -> str:
    """What a reader of a partial period must know, in one sentence.

    >>> from custreport.periods import parse_period
    >>> partial_warning(parse_period("2025-Q4@2025-11-15"), "en")
    'Partial period: these figures cover 2025-10-01 – 2025-11-15 only, not all of 2025-Q4 (to 2025-12-31), and are compared with as many days of earlier periods.'
    """
    if locale == "zh":
        return (f"不完整期间：数字仅覆盖 {period.start} – {period.end}，而非 {period.label} 全期（至 {period.full_end}），"
                f"并与此前期间相同天数比较。")
    return (f"Partial period: these figures cover {period.start} – {period.end} only, not all of {period.label} "
            f"(to {period.full_end}), and are compared with as many days of earlier periods.")


def data_statement(figures: dict, locale: str) -> list[str]:
    """What a mail says of the data behind its figures (metrics.json): its last day and the
    snapshot's time, then, for a partial period, what it covers.

    >>> data_statement({"period": {"token": "2025-Q4@2025-11-15"}, "data_coverage": {"last": "2025-11-15"},
    ...                 "snapshot": "S1", "snapshot_created_at": "2026-12-04T01:02:03+00:00"}, "en")[0]
    'Data through 2025-11-15 · snapshot S1 (made 2026-12-04 01:02 UTC)'
    """
    snapshot = store.Snapshot(figures.get("snapshot") or "—", Path("."),
                              {"created_at": figures.get("snapshot_created_at") or ""})
    last = (figures.get("data_coverage") or {}).get("last") or "—"
    lines = [f"数据截至 {last} · 快照 {snapshot_text(snapshot, locale)}" if locale == "zh"
             else f"Data through {last} · snapshot {snapshot_text(snapshot, locale)}"]
    token = (figures.get("period") or {}).get("token")
    period = parse_period(token) if token else None
    if period is not None and period.partial:
        lines.append(partial_warning(period, locale))
    return lines


def provenance_line(period: Period, snapshot: store.Snapshot, locale: str) -> str:
    """The footer of every page: period (partial or not), the data's last day and the snapshot.

    >>> from custreport.periods import parse_period
    >>> snap = store.Snapshot("S1", Path("."), {"created_at": "2026-12-04T01:02:03+00:00",
    ...                                          "data_range": {"orders": ["2025-01-02", "2025-11-15T10:00:00"]}})
    >>> provenance_line(parse_period("2025-Q4@2025-11-15"), snap, "en")
    'custreport · 2025-Q4 (2025-10-01 – 2025-11-15, partial: the period runs to 2025-12-31) · data through 2025-11-15 · snapshot S1 (made 2026-12-04 01:02 UTC)'
    """
    coverage = data_coverage(snapshot.manifest)
    through = str(coverage[1]) if coverage else "—"
    if locale == "zh":
        return f"custreport · {period_text(period, locale)} · 数据截至 {through} · 快照 {snapshot_text(snapshot, locale)}"
    return f"custreport · {period_text(period, locale)} · data through {through} · snapshot {snapshot_text(snapshot, locale)}"


def comparison_text(period: Period, locale: str) -> str:
    """A comparison period in a sentence: its label, with its days when it is cut short.

    >>> from custreport.periods import parse_period
    >>> comparison_text(parse_period("2025-Q3"), "en"), comparison_text(parse_period("2025-Q3@2025-08-15"), "en")
    ('2025-Q3', '2025-Q3, 2025-07-01 – 2025-08-15')
    """
    if not period.partial:
        return period.label
    return f"{period.label}，{period.start} – {period.end}" if locale == "zh" else \
        f"{period.label}, {period.start} – {period.end}"


def period_text(period: Period, locale: str) -> str:
    """The period as a reader sees it: label and days, and when cut, that it is partial.

    >>> from custreport.periods import parse_period
    >>> period_text(parse_period("2025-Q4@2025-11-15"), "en")
    '2025-Q4 (2025-10-01 – 2025-11-15, partial: the period runs to 2025-12-31)'
    >>> period_text(parse_period("2025-Q4@2025-11-15"), "zh")
    '2025-Q4（2025-10-01 – 2025-11-15，不完整期间：全期至 2025-12-31）'
    """
    days = f"{period.start} – {period.end}"
    if not period.partial:
        return f"{period.label}（{days}）" if locale == "zh" else f"{period.label} ({days})"
    if locale == "zh":
        return f"{period.label}（{days}，不完整期间：全期至 {period.full_end}）"
    return f"{period.label} ({days}, partial: the period runs to {period.full_end})"
