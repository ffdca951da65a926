"""The run's index page (``outputs/<period>/index.html``): every region rendered for the period
so far, each with its headline figures (read back from its metrics.json), its summary report
first, its other reports and workbook grouped, and whether it failed, said in words.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from custreport import i18n
from custreport.files import write_atomically

if TYPE_CHECKING:
    from custreport.runner import RunRequest, RunSummary

# The figures a region shows on the index: revenue (with its change), customers, new
# customers, win rate; a business without order lines shows what its summary leads with.
INDEX_CARDS = ("revenue", "customers_total", "customers_new", "win_rate")
MAIN_REPORT = "summary"
# Reports in reading order (others after them, by name).
REPORT_ORDER = ("summary", "segments", "funnel", "value", "allocation", "quality")
_LANGUAGES = {"zh": "中文", "en": "English"}


def index_cards(figures: dict) -> tuple[str, ...]:
    """The cards of a region's metrics.json the index shows: INDEX_CARDS for a business with
    order lines, else the first four its summary leads with (reporting.metrics.headline_cards).

    >>> index_cards({"revenue_basis": "orders", "has_order_lines": True, "has_deals": True})
    ('revenue', 'customers_total', 'customers_new', 'win_rate')
    >>> index_cards({"revenue_basis": "won_deals", "has_order_lines": False})
    ('won_value', 'pipeline_value', 'win_rate', 'deals_won')
    """
    from custreport.reporting.metrics import ORDER_CARDS, headline_cards

    cards = headline_cards(figures)
    return INDEX_CARDS if cards[:len(ORDER_CARDS)] == ORDER_CARDS else cards[:len(INDEX_CARDS)]


def region_figures(figures: dict | None, locale: str) -> list[dict]:
    """The index's figures of one region: label, value as the cards show it, its change on the
    previous period (text; a rate's in points), ``direction`` (``up``/``down``/``flat``, for its
    arrow), ``tone`` (good/bad/neutral/flat by the figure's direction, for its colour) and its
    target line; none without figures."""
    from custreport.reporting.front_page import card_model
    from custreport.reporting.metrics import kpi_table

    if not figures:
        return []
    shown = []
    for row in kpi_table(figures, locale, index_cards(figures)).to_dict("records"):
        change = row["vs_previous"]
        known = change is not None and change == change
        direction = "flat" if not known or change == 0 else ("up" if change > 0 else "down")
        card = card_model(row, locale)
        name, text, tone = card["changes"][0]
        shown.append({"label": row["label"], "value": row["display"], "direction": direction, "tone": tone,
                      "change": f"{name} {text}" if known else "",
                      "target": card["target"]["text"] if card["target"] else ""})
    return shown


def _report_links(region: str, files: list[str], prefix: str, locale: str) -> tuple[list[dict], dict | None]:
    """Per report of ``files`` under ``prefix`` (a language's folder, or none): its name and its
    HTML and PDF links, in reading order; and the workbook's link."""
    reports: dict[str, list[dict]] = {}
    workbook = None
    for name in files:
        if "/" in name[len(prefix):] or not name.startswith(prefix):
            continue
        stem, _, kind = name[len(prefix):].rpartition(".")
        if kind in ("html", "pdf"):
            reports.setdefault(stem, []).append({"href": f"{region}/{name}", "text": kind.upper() if kind == "pdf"
                                                 else i18n.label("web_page", locale), "kind": kind})
        elif kind == "xlsx":
            workbook = {"href": f"{region}/{name}", "text": i18n.label("excel_workbook", locale)}
    order = sorted(reports, key=lambda stem: (REPORT_ORDER.index(stem) if stem in REPORT_ORDER else len(REPORT_ORDER),
                                              stem))
    return ([{"key": stem, "name": i18n.report_name(stem, locale),
              "links": sorted(reports[stem], key=lambda link: link["kind"] != "html")} for stem in order], workbook)


def region_entry(region: str, name: str, files: list[str], figures: dict | None, problem: str | None,
                 locale: str) -> dict:
    """Everything the index says of one region (see render.html.index_page)."""
    reports, workbook = _report_links(region, files, "", locale)
    main = next((report for report in reports if report["key"] == MAIN_REPORT), None)
    # a language's folder (en/), not another folder of the region's (fix_lists/)
    languages = sorted({name.split("/", 1)[0] for name in files if name.split("/", 1)[0] in i18n.LOCALES
                        and "/" in name})
    others = []
    for language in languages:
        translated, translated_workbook = _report_links(region, files, f"{language}/", locale)
        links = [{"href": link["href"], "text": f"{report['name']} {link['text']}"}
                 for report in translated for link in report["links"]]
        others.append({"name": _LANGUAGES.get(language, language),
                       "links": links + ([translated_workbook] if translated_workbook else [])})
    shown = {link["href"] for report in reports for link in report["links"]} | {
        link["href"] for other in others for link in other["links"]} | ({workbook["href"]} if workbook else set())
    more = [{"href": f"{region}/{file}", "text": file} for file in sorted(files, key=lambda f: ("/" in f, f))
            if f"{region}/{file}" not in shown]
    return {"code": region, "name": name, "ok": not problem, "problem": problem,
            "headline": ((figures or {}).get("headline") or {}).get(locale, ""),
            "figures": region_figures(figures, locale), "main": main,
            "reports": [report for report in reports if report is not main], "workbook": workbook,
            "languages": others, "more": more}


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_index(request: RunRequest, summary: RunSummary) -> None:
    """index.html of the period: every region rendered for it so far (not only this run's),
    in the regions table's order, each with its headline figures, links and status."""
    from custreport.reporting.metrics import METRICS_FILE
    from custreport.reporting.provenance import period_text, snapshot_text
    from custreport.reporting.request import data_coverage
    from custreport.render.html import index_page
    from custreport.run_outputs import JOB_FILE
    from custreport.store import open_snapshot, snapshot_regions

    locale = request.locale
    snapshot = open_snapshot(request.store, request.snapshot)
    table = snapshot_regions(snapshot)
    records = {path.parent.name: record for path in summary.folder.glob(f"*/{JOB_FILE}")
               if (record := _read_json(path)) is not None}
    this_run = {job.region: job for job in summary.jobs}
    order = {code: i for i, code in enumerate([*table.codes, table.unknown.code, "all"])}
    regions = []
    for region in sorted(set(records) | set(this_run), key=lambda code: (order.get(code, len(order)), code)):
        job, record = this_run.get(region), records.get(region, {})
        files = record.get("files") or (job.files if job else [])
        # this run's failure, else the reports the region's last run could not render
        problem = job.error if job is not None and not job.ok else ", ".join(record.get("failed") or [])
        figures = _read_json(summary.folder / region / METRICS_FILE) if METRICS_FILE in files else None
        said = i18n.note("note.index_problem", locale, problem=problem) if problem else None
        regions.append(region_entry(region, table.display_name(region, locale), files, figures, said, locale))
    failed = [entry["name"] for entry in regions if not entry["ok"]]
    overview = (i18n.note("note.index_failed", locale, failed=len(failed), n=len(regions), names="、".join(failed)
                          if locale == "zh" else ", ".join(failed)) if failed
                else i18n.note("note.index_all_rendered", locale, n=len(regions)))
    coverage = data_coverage(snapshot.manifest)
    meta = [(i18n.label("period", locale), period_text(request.period, locale)),
            (i18n.label("data_through", locale), str(coverage[1]) if coverage else "—"),
            (i18n.label("snapshot", locale), snapshot_text(snapshot, locale)),
            (i18n.label("generated_at", locale), dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))]
    title = f"{i18n.label('index_title', locale)} · {request.period.label}"
    page = index_page(title, meta, overview, bool(failed), regions, _words(locale), "zh-CN" if locale == "zh" else "en")
    write_atomically(summary.folder / "index.html", page)


def _words(locale: str) -> dict[str, str]:
    """The index page's own words in ``locale``."""
    keys = ("status_ok", "status_failed", "no_figures", "other_reports", "more_files", "regions_nav")
    return {key: i18n.label(f"index_{key}", locale) for key in keys}
