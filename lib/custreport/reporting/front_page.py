"""The front page: the headline, three to five ranked insights with their small charts, the KPI
cards and, for the whole company, a table by region. Built from metrics.json's figures alone,
so the summary report, the mail body and the run's index say the same thing.

>>> model = front_page_model({"headline": {"en": "East 2025-Q4: revenue up"}, "insights": [], "deltas":
...     {"vs_previous": {}, "vs_year_ago": {}}, "revenue": 10.0, "currency": "CNY"}, "en", cards=("revenue",))
>>> model["headline"], [card["label"] for card in model["cards"]]
('East 2025-Q4: revenue up', ['Revenue'])
"""
from __future__ import annotations

import base64
import html
import json
import re

from custreport import i18n
from custreport.analysis.insights import Insight, front_page
from custreport.figures import tone
from custreport.i18n.insights import insight_title, money
from custreport.reporting.metrics import figures_currency, headline_cards, kpi_table
from custreport.reporting.notes import summary_note

# How many insights the front page shows at most (the best of each kind, bridge first).
FRONT_PAGE_LIMIT = 4
# The front page's small charts beside metrics.json, for the mail: one file of a fixed name (so a
# run knows what it wrote), each chart as base64 PNG with its alt text, by the insight's rank.
FRONT_CHARTS = "front_charts.json"


def front_charts_json(charts: dict[int, tuple[bytes, str]]) -> str:
    """FRONT_CHARTS' text from {rank: (PNG bytes, alt text)}."""
    return json.dumps({str(rank): {"png": base64.b64encode(png).decode("ascii"), "alt": alt}
                       for rank, (png, alt) in sorted(charts.items())}, ensure_ascii=False)


def read_front_charts(text: str) -> dict[int, tuple[bytes, str]]:
    """front_charts_json read back: {rank: (PNG bytes, alt text)}.

    >>> read_front_charts(front_charts_json({3: (b"\\x89PNG", "收入")}))
    {3: (b'\\x89PNG', '收入')}
    """
    return {int(rank): (base64.b64decode(entry["png"]), entry["alt"]) for rank, entry in json.loads(text).items()}


def chosen_insights(figures: dict, limit: int = FRONT_PAGE_LIMIT) -> list[dict]:
    """The insight records of metrics.json the front page shows, in order."""
    records = {(r["kind"], r["key"]): r for r in figures.get("insights") or []}
    picked = front_page([Insight(r["kind"], r["key"], r["score"], {}) for r in records.values()], limit)
    return [records[(i.kind, i.key)] for i in picked]


def front_page_model(figures: dict, locale: str, cards: tuple[str, ...] | None = None,
                     region_names: dict[str, str] | None = None) -> dict:
    """What the front page shows, in ``locale``: headline, insights (title, text, rank, kind),
    cards (label, value, changes as (name, text, tone), target line), the note under them, and
    the region table's rows (formatted) when ``figures`` is the whole company's."""
    currency = figures_currency(figures)
    insights = [{"rank": r["rank"], "kind": r["kind"], "key": r["key"], "title": insight_title(r["kind"], locale),
                 "text": r["text"][locale], "record": r} for r in chosen_insights(figures)]
    rows = kpi_table(figures, locale, cards or headline_cards(figures)).to_dict("records")
    shown = [card_model(row, locale) for row in rows]
    return {"headline": (figures.get("headline") or {}).get(locale, ""), "insights": insights, "cards": shown,
            "note": summary_note(figures, locale),
            "regions": region_rows(figures, locale, currency, region_names or {})}


def card_model(row: dict, locale: str) -> dict:
    """One KPI card from a kpi_table row: label, value, changes as (name, text, tone) (a rate's
    in points, toned by the figure's direction) and the target line when it has a target."""
    kind, direction = row.get("kind") or "count", row.get("direction") or "up"
    changes = [(i18n.label(key, locale), i18n.format_change(row.get(key), kind, locale), tone(row.get(key), direction))
               for key in ("vs_previous", "vs_year_ago")]
    target = None
    if isinstance(row.get("target_display"), str):   # a frame reads a missing one back as NaN
        target = {"text": f"{i18n.label('target', locale)} {row['target_display']} · "
                          f"{i18n.label('attained', locale)} {i18n.format_percent(row['attainment'], locale, 0)}",
                  "met": bool(row.get("met"))}
    return {"metric": row["metric"], "label": row["label"], "value": row["display"], "changes": changes,
            "target": target}


def region_rows(figures: dict, locale: str, currency: str, region_names: dict[str, str]) -> list[dict]:
    """The whole company's table by region, each cell as text with its tone."""
    rows = []
    direction = (figures.get("directions") or {})
    for row in figures.get("by_region") or []:
        rows.append({
            "region": region_names.get(row["region"], row["region"]),
            "revenue": money(row["revenue"], locale, currency),
            "change": i18n.format_delta(row["change"], locale),
            "change_tone": tone(row["change"], direction.get("revenue", "up")),
            "attainment": i18n.format_percent(row["attainment"], locale, 0),
            "attainment_tone": "flat" if row["attainment"] is None else "good" if row["attainment"] >= 1 else "bad",
            "win_rate": i18n.format_percent(row["win_rate"], locale),
            "win_rate_change": i18n.format_points(row["win_rate_change"], locale),
            "win_rate_tone": tone(row["win_rate_change"], direction.get("win_rate", "up"))})
    return rows


REGION_COLUMNS = ("region", "revenue", "revenue_change_pct", "attainment", "win_rate")


def region_table_html(model: dict, locale: str) -> str:
    """The region table as report HTML (figures right-aligned, changes coloured by direction)."""
    if not model["regions"]:
        return ""
    head = "".join(f'<th{"" if key == "region" else " class=num"}>{html.escape(i18n.label(key, locale))}</th>'
                   for key in REGION_COLUMNS)
    body = "".join(
        f'<tr><td>{html.escape(r["region"])}</td><td class="num">{html.escape(r["revenue"])}</td>'
        f'<td class="num delta {r["change_tone"]}">{html.escape(r["change"])}</td>'
        f'<td class="num delta {r["attainment_tone"]}">{html.escape(r["attainment"])}</td>'
        f'<td class="num">{html.escape(r["win_rate"])} <span class="delta {r["win_rate_tone"]}">'
        f'{html.escape(r["win_rate_change"])}</span></td></tr>' for r in model["regions"])
    return (f'<h3>{html.escape(i18n.label("by_region", locale))}</h3>'
            f'<div class="table-scroll"><table class="data region-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


# An amount, a change or a share as a sentence writes it: never broken across lines.
_FIGURE = re.compile(r"[+−-]?(?:(?:US\$|HK\$|[¥$€£₩]|[A-Z]{3} )[\d,]+(?:\.\d+)?(?:万|亿|K|M|B)?"
                     r"|\d[\d,]*(?:\.\d+)?(?:%|个百分点| pp|×|倍))")


def whole_figures(text: str) -> str:
    """``text`` escaped for HTML, each amount, change and share in it kept on one line.

    >>> whole_figures("老客户减购 −¥1,718万，<b>")
    '老客户减购 <span class="fig">−¥1,718万</span>，&lt;b&gt;'
    """
    escaped = html.escape(text)
    return _FIGURE.sub(lambda m: f'<span class="fig">{m.group(0)}</span>', escaped)


def front_page_html(model: dict, locale: str, chart_sources: dict[int, tuple[str, str]]) -> str:
    """The front page as report HTML; ``chart_sources``: an insight's rank -> (image src, alt text)."""
    items = []
    for insight in model["insights"]:
        src = chart_sources.get(insight["rank"])
        image = (f'<img src="{html.escape(src[0])}" alt="{html.escape(src[1])}">' if src else "")
        items.append(f'<div class="insight insight-{insight["kind"]}"><div class="insight-title">'
                     f'{html.escape(insight["title"])}</div><p>{whole_figures(insight["text"])}</p>{image}</div>')
    cards = "".join(card_html(card) for card in model["cards"])
    note = f'<p class="note">{html.escape(model["note"])}</p>' if model["note"] else ""
    # the whole company's table by region comes before its cards: it is what the company page adds
    return (f'<section class="front-page"><p class="headline">{whole_figures(model["headline"])}</p>'
            f'<div class="insights">{"".join(items)}</div>{region_table_html(model, locale)}'
            f'<div class="kpi-grid compact">{cards}</div>{note}</section>')


def card_html(card: dict) -> str:
    """One card (card_model) as report HTML."""
    changes = "".join(f'<span class="delta {tone_}">{html.escape(name)} {html.escape(text)}</span>'
                      for name, text, tone_ in card["changes"])
    target = (f'<div class="kpi-target {"met" if card["target"]["met"] else "missed"}">'
              f'{html.escape(card["target"]["text"])}</div>' if card["target"] else "")
    return (f'<div class="kpi"><div class="kpi-label">{html.escape(card["label"])}</div>'
            f'<div class="kpi-value">{html.escape(card["value"])}</div><div class="kpi-deltas">{changes}</div>'
            f"{target}</div>")

