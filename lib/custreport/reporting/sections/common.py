"""What every report section shares: the header, headings, KPI cards, small formatters."""
from __future__ import annotations

import datetime as dt
import html

import pandas as pd
from IPython.display import HTML, Markdown

from custreport import i18n
from custreport.analysis.frames import each_distinct
from custreport.reporting.context import ReportContext
from custreport.reporting.front_page import card_html, card_model
from custreport.reporting.metrics import kpi_table, metrics
from custreport.reporting.notes import summary_note
from custreport.reporting.provenance import partial_warning, period_text, snapshot_text
from custreport.reporting.request import data_coverage


def header(ctx: ReportContext, report: str = "summary") -> HTML:
    """Title block: report, region, period (marked when partial), how far the data reaches, the
    snapshot and when it was made, and when the report was generated."""
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    coverage = data_coverage(ctx.snapshot.manifest)
    rows = [("region", ctx.region_name), ("period", period_text(ctx.period, ctx.locale)),
            ("data_through", str(coverage[1]) if coverage else ctx.label("no_data")),
            ("snapshot", snapshot_text(ctx.snapshot, ctx.locale)), ("generated_at", generated)]
    meta = "".join(f"<div><dt>{html.escape(ctx.label(k))}</dt><dd>{html.escape(str(v))}</dd></div>" for k, v in rows)
    title = report_title(ctx, report)
    banner = (f'<p class="partial-period">{html.escape(partial_warning(ctx.period, ctx.locale))}</p>'
              if ctx.period.partial else "")
    return HTML(f'<header class="report-title"><h1>{html.escape(title)}</h1><dl>{meta}</dl>{banner}</header>')


def section(ctx: ReportContext, key: str, when: bool = True) -> Markdown:
    """A section heading in the report's language; none when ``when`` is false (a section for
    data the snapshot does not hold, such as ``when=ctx.has_leads``)."""
    return Markdown(f"## {ctx.label(key)}" if when else "")


class KpiCards:
    """KPI cards with their changes and targets; ``table`` holds the same numbers as a frame
    (kpi_table's columns; ``kind`` and ``direction`` say how a change is shown and coloured)."""

    def __init__(self, table: pd.DataFrame, locale: str, note: str = ""):
        self.table = table
        self.locale = locale
        self.note = note    # a line under the cards (what revenue means, when not orders)

    def _repr_html_(self) -> str:
        cards = "".join(card_html(card_model(row, self.locale)) for row in self.table.to_dict("records"))
        note = f'<p class="note">{html.escape(self.note)}</p>' if self.note else ""
        return f'<div class="kpi-grid">{cards}</div>{note}'


def kpis(ctx: ReportContext, figures: dict | None = None) -> KpiCards:
    """The headline KPI cards with change against the previous period and a year ago, and a
    line saying what revenue is when it is not completed orders (see revenue_note)."""
    figures = figures or metrics(ctx)
    return KpiCards(kpi_table(figures, ctx.locale), ctx.locale, summary_note(figures, ctx.locale))


def report_title(ctx: ReportContext, report: str) -> str:
    return i18n.report_title(report, ctx.region_name, ctx.period.label, ctx.locale)


def localised(ctx: ReportContext, frame: pd.DataFrame, values: tuple[str, ...] = ()) -> pd.DataFrame:
    """Column names (and the text of ``values`` columns) in the report's language."""
    frame = frame.assign(**{c: frame[c].map(lambda v: v if pd.isna(v) else ctx.label(str(v))) for c in values})
    return frame.rename(columns={c: ctx.label(str(c)) for c in frame.columns})


def percent_format(ctx: ReportContext):
    return lambda value: i18n.format_percent(value, ctx.locale)


def days_text(ctx: ReportContext, value) -> str:
    if value is None or pd.isna(value):
        return "—"
    shown = f"{float(value):,.1f}".removesuffix(".0")
    return f"{shown} {ctx.label('days')}" if ctx.locale == "en" else f"{shown}{ctx.label('days')}"


def number_text(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):,.2f}"


def note_html(text: str) -> HTML:
    """A one-paragraph note; the text is escaped (it may carry stage or source names)."""
    return HTML(f'<p class="note">{html.escape(text)}</p>')


def text_in(ctx: ReportContext, key: str, **values) -> str:
    """The note ``key`` of the i18n catalogs in the report's language, its fields filled in."""
    return i18n.note(key, ctx.locale, **values)


def region_display(ctx: ReportContext, codes: pd.Series) -> pd.Series:
    return each_distinct(codes, lambda c: ctx.regions.display_name(c, ctx.locale))


def formatters_for(ctx: ReportContext, frame: pd.DataFrame, formats: dict[str, object]) -> dict:
    """Formatters keyed by the labelled column names ``localised`` gives ``frame``."""
    return {ctx.label(key): fmt for key, fmt in formats.items() if ctx.label(key) in frame.columns}
