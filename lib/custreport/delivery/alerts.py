"""Data alerts (a recipient's ``when:``): whether one holds for the period, and the sentence
that leads the subject and body of a message it made go."""

from __future__ import annotations

from pathlib import Path

from custreport import i18n
from custreport.delivery.rendered import region_figures, region_files
from custreport.recipients import Recipient


def alert_quiet(folder: Path, recipient: Recipient, region: str) -> str | None:
    """Why a recipient with a data alert gets no mail this period (it does not hold, or its
    figure has no value); None when the alert holds or there is none."""
    alert = recipient.alert
    if alert is None:
        return None
    holds, value = alert.holds(region_figures(region_files(folder, region, recipient.language), folder.name))
    if holds is None:
        return f"alert not checked: {alert.figure} has no value this period ({alert.text})"
    if not holds:
        return f"alert not triggered: {alert.figure} is {_alert_value(alert, value, 'en')} ({alert.text})"
    return None


def _alert_value(alert, value: float, locale: str) -> str:
    if alert.in_points:
        return i18n.format_points(value, locale)
    return i18n.format_percent(value, locale) if alert.is_percent else i18n.format_count(value, locale) \
        if float(value).is_integer() else f"{value:,.2f}"


def alert_sentence(alert, figures: dict, locale: str) -> str:
    """The alert that made a message go, in words: the figure, its value and the threshold.

    >>> from custreport.figures import parse_alert
    >>> alert_sentence(parse_alert("revenue_change < -10%"), {"deltas": {"vs_previous": {"revenue": -0.123}}}, "en")
    'Alert: Revenue vs previous -12.3% < -10%'
    >>> alert_sentence(parse_alert("revenue_change < -10%"), {"deltas": {"vs_previous": {"revenue": -0.123}}}, "zh")
    '提醒：销售额 环比 -12.3% < -10%'
    >>> alert_sentence(parse_alert("win_rate_change < -5%"), {"deltas": {"vs_previous": {"deals.win_rate": -0.061}}}, "en")
    'Alert: Win rate vs previous -6.1 pp < -5 pp'
    """
    _, value = alert.holds(figures)
    name = i18n.label(alert.base, locale)
    if alert.change:
        name = f"{name} {i18n.label(alert.change, locale)}"
    threshold = (i18n.format_points(alert.threshold, locale).replace(".0", "") if alert.in_points
                 else i18n.format_percent(alert.threshold, locale, decimals=1).replace(".0%", "%") if alert.percent
                 else f"{alert.threshold:g}")
    shown = _alert_value(alert, value, locale) if value is not None else "—"
    return f"{'提醒：' if locale == 'zh' else 'Alert: '}{name} {shown} {alert.op} {threshold}"
