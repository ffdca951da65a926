"""Insights and the headline in words: catalog sentences (``insight.*``, ``headline*``) filled in
with the figures formatted for the reader.

``words`` carries what a sentence needs besides the figures: ``region`` and ``period`` as
readers name them, the ``currency`` of the amounts, and ``group_name(dimension, value)``
naming a group (a region code, an industry) in the reader's language.

>>> words = {"region": "华东", "period": "2025-Q4", "currency": "CNY", "group_name": lambda d, v: v}
>>> record = {"kind": "driver", "key": "industry", "figures": {"dimension": "industry",
...           "groups": [{"group": "制造业", "change": 6120000.0}, {"group": "零售", "change": 1200000.0}]}}
>>> insight_sentence(record, "zh", words)
'按行业看，增长主要来自制造业（+¥612.0万）、零售（+¥120.0万）。'
>>> insight_sentence(record, "en", words)
'By industry, growth came mostly from 制造业 (+¥6.1M), 零售 (+¥1.2M).'
"""

from __future__ import annotations

from custreport import i18n

PART_ORDER = ("new", "reactivated", "growth", "decline", "lost", "other")


def money(value, locale: str, currency: str) -> str:
    """An amount as a sentence shows it: 万/亿 with a thousands separator in Chinese, K/M/B in English.

    >>> money(33_529_000, "zh", "CNY"), money(6_120_000, "zh", "CNY"), money(674_300, "zh", "CNY")
    ('¥3,353万', '¥612.0万', '¥67.43万')
    >>> money(33_529_000, "en", "CNY")
    '¥33.5M'
    """
    if value is None:
        return "—"
    if locale != "zh" or abs(value) < 1_000_000 or abs(value) >= 1e8:
        return i18n.format_money(value, locale, currency)
    sign = "-" if value < 0 else ""
    tens_of_thousands = abs(value) / 1e4
    shown = f"{tens_of_thousands:,.0f}" if tens_of_thousands >= 1000 else f"{tens_of_thousands:,.1f}"
    symbol = i18n.currency_symbol(currency, locale)
    return f"{sign}{symbol}{' ' if symbol[-1:].isalpha() else ''}{shown}万"


def signed_money(value, locale: str, currency: str) -> str:
    """An amount of change with its sign: +¥612.0万, −¥120.0万 (a true minus sign)."""
    if value is None:
        return "—"
    text = money(abs(value), locale, currency)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def percent(value, locale: str, decimals: int = 1) -> str:
    return i18n.format_percent(value, locale, decimals)


def _note(key: str, locale: str, **values) -> str:
    return i18n.note(key, locale, **values)


def _groups(groups: list[dict], dimension: str, locale: str, words: dict) -> str:
    joiner = "、" if locale == "zh" else ", "
    return joiner.join(_note("insight.group", locale, name=words["group_name"](dimension, g["group"]),
                             amount=signed_money(g["change"], locale, words["currency"])) for g in groups)


def insight_title(kind: str, locale: str) -> str:
    """The short title an insight is shown under (its kind in words)."""
    return _note(f"insight.title.{kind}", locale)


def insight_sentence(record: dict, locale: str, words: dict) -> str:
    """One insight (``Insight.as_dict()``) as a sentence in ``locale``."""
    kind, f, cur = record["kind"], record["figures"], words["currency"]
    m = lambda v: money(v, locale, cur)            # noqa: E731
    s = lambda v: signed_money(v, locale, cur)     # noqa: E731
    p = lambda v: percent(v, locale)               # noqa: E731
    if kind == "bridge":
        if not f["change"]:
            return _note("insight.bridge.flat", locale, current=m(f["current"]))
        moved = sorted((part for part in PART_ORDER if f.get(part)), key=lambda part: -abs(f[part]))[:3]
        parts = ("，" if locale == "zh" else ", ").join(
            _note("insight.part", locale, name=_note(f"bridge.{part}", locale), amount=s(f[part])) for part in moved)
        return _note("insight.bridge", locale, direction=_note("insight.up" if f["change"] > 0 else "insight.down", locale),
                     change=m(abs(f["change"])), parts=parts)
    if kind == "volume_price":
        return _note("insight.volume_price", locale, orders_change=i18n.format_delta(f["orders_relative"], locale),
                     volume=s(f["volume"]), aov_change=i18n.format_delta(f["aov_relative"], locale), price=s(f["price"]))
    if kind in ("driver", "detractor"):
        return _note(f"insight.{kind}", locale, dimension=_note(f"dimension.{f['dimension']}", locale),
                     groups=_groups(f["groups"], f["dimension"], locale, words))
    if kind == "concentration":
        name = f.get("top_name") or f["top_customer"]
        return _note("insight.concentration", locale, name=name, share=p(f["top_share"]),
                     share_before=p(f["top_share_before"]), n=f["top_n"], top_share=p(f["top_n_share"]),
                     top_share_before=p(f["top_n_share_before"]))
    if kind == "unusual":
        return _note(f"insight.unusual.{f['direction']}", locale, metric=i18n.label(f["metric"], locale),
                     current=m(f["current"]), periods=f["periods"], expected=m(f["expected"]),
                     distance=m(abs(f["current"] - f["expected"])))
    if kind == "outlier":
        top = f["orders"][0]
        return _note("insight.outlier", locale, count=f["count"], amount=m(top["amount"]),
                     name=top.get("name") or top.get("customer") or top["order_id"], multiple=f"{top['multiple']:g}")
    if kind == "coverage":
        expected = ("" if f.get("expected") is None else
                    _note("insight.coverage.expected", locale, win_rate=p(f["win_rate"]), expected=m(f["expected"])))
        return _note(f"insight.coverage.{f['basis']}", locale, pipeline=m(f["pipeline"]), reference=m(f["reference"]),
                     coverage=f"{f['coverage']:.1f}", healthy=f"{f['healthy']:g}", expected=expected)
    if kind == "attainment":
        show = _figure_format(f["kind"], locale, cur)
        return _note(f"insight.attainment.{'met' if f['met'] else 'missed'}", locale,
                     metric=i18n.label(f["metric"], locale), attainment=percent(f["attainment"], locale, 0),
                     actual=show(f["actual"]), goal=show(f["goal"]),
                     gap=i18n.format_points(abs(f["gap"]), locale).lstrip("+") if f["kind"] == "percent"
                     else show(abs(f["gap"])),
                     prorated=_note("insight.prorated", locale) if f["prorated"] < 1 and f["kind"] != "percent" else "")
    raise ValueError(f"unknown insight kind {kind!r}")


def _figure_format(kind: str, locale: str, currency: str):
    if kind == "money":
        return lambda v: money(v, locale, currency)
    if kind == "percent":
        return lambda v: percent(v, locale)
    return lambda v: i18n.format_count(v, locale)


def headline_sentence(figures: dict, bridge: dict | None, driver: dict | None, locale: str, words: dict) -> str:
    """The front page's first sentence: region, period, revenue (or won value), its change on
    the previous period, and the ``driver`` (analysis.insights.headline_driver) that moved it most.

    >>> words = {"region": "华东", "period": "2025-Q4", "currency": "CNY", "group_name": lambda d, v: v}
    >>> figures = {"revenue": 33_529_000.0, "revenue_basis": "orders", "deltas": {"vs_previous": {"revenue": 0.429}}}
    >>> headline_sentence(figures, {"change": 1e7}, {"part": "new", "group": "制造业", "amount": 6_120_000.0}, "zh", words)
    '华东 2025-Q4 销售额 ¥3,353万，环比 +42.9%，主要来自制造业新客户（+¥612.0万）'
    """
    metric = i18n.label("won_value" if figures.get("revenue_basis") == "won_deals" else "revenue", locale)
    metric = metric if locale == "zh" else metric[:1].lower() + metric[1:]
    current = figures.get("revenue")
    change = (figures.get("deltas") or {}).get("vs_previous", {}).get("revenue")
    apart = figures.get("revenue_by_currency")   # several currencies, no rates: each shown, never added
    base = dict(region=words["region"], period=words["period"], metric=metric,
                current=i18n.format_money_by_currency(apart, locale) if current is None and apart
                else money(current, locale, words["currency"]))
    if change is None:
        return _note("headline.no_previous", locale, **base)
    cause = ""
    if driver is not None and driver.get("amount"):
        part = _note(f"bridge.{driver['part']}", locale)
        named = (_note("headline.driver", locale, group=words["group_name"]("industry", driver["group"]), part=part)
                 if driver.get("group") else part)
        cause = _note(f"headline.cause.{'up' if driver['amount'] > 0 else 'down'}", locale, driver=named,
                      amount=signed_money(driver["amount"], locale, words["currency"]))
    return _note("headline", locale, change=i18n.format_delta(change, locale), cause=cause, **base)
