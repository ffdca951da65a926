"""Sections of the summary report: trend, customer types, top customers and movers."""
from __future__ import annotations


import pandas as pd
from IPython.display import HTML

import base64

from custreport import charts, i18n
from custreport.small_charts import insight_chart
from custreport.analysis.deals import won_value_by_month
from custreport.analysis.frames import each_distinct
from custreport.analysis.pivots import count_pivot
from custreport.analysis.sales import revenue_by_month, revenue_movers, top_from_ledger
from custreport.analysis.segments import movement_counts
from custreport.render.tables import Table
from custreport.reporting.context import ReportContext
from custreport.reporting.front_page import front_page_html, front_page_model
from custreport.reporting.insights import group_namer
from custreport.reporting.metrics import metrics
from custreport.reporting.provenance import comparison_text
from custreport.reporting.sections.common import formatters_for, localised, note_html, region_display, text_in
from custreport.reporting.sections.segments import place_column


class FrontPage:
    """The summary's front page (reporting.front_page): headline, insights with their small
    charts, KPI cards, and for the whole company the table by region; ``model`` holds its content."""

    def __init__(self, model: dict, locale: str, charts_by_rank: dict[int, charts.Chart]):
        self.model = model
        self.locale = locale
        self.charts = charts_by_rank

    def _repr_html_(self) -> str:
        sources = {rank: (f"data:image/png;base64,{base64.b64encode(chart.png).decode('ascii')}", chart.alt)
                   for rank, chart in self.charts.items()}
        return front_page_html(self.model, self.locale, sources)


def front_page(ctx: ReportContext, figures: dict | None = None) -> FrontPage:
    """The front page of the summary: what changed and why, then the key figures."""
    figures = figures or metrics(ctx)
    names = {code: ctx.regions.display_name(code, ctx.locale) for code in [*ctx.regions.codes, ctx.regions.unknown.code]}
    model = front_page_model(figures, ctx.locale, region_names=names)
    return FrontPage(model, ctx.locale, front_page_charts(ctx, model))


def front_page_charts(ctx: ReportContext, model: dict) -> dict[int, charts.Chart]:
    """The small chart of each front-page insight that has one, by the insight's rank."""
    name = group_namer(ctx, ctx.locale)
    drawn = {}
    for insight in model["insights"]:
        chart = insight_chart(insight["record"], ctx.locale, ctx.currency, name)
        if chart is not None:
            drawn[insight["rank"]] = chart
    return drawn


def trend_months(ctx: ReportContext, count: int = 12) -> list[pd.Period]:
    """The ``count`` months of the trend: they end with the period, or with the month of the data's
    last date when the data ends earlier (months after it would plot as zero sales)."""
    end = pd.Period(ctx.period.end, freq="M")
    if ctx.data_through is not None:
        end = min(end, pd.Period(ctx.data_through, freq="M"))
    return list(pd.period_range(end=end, periods=count, freq="M"))


def trend_title(ctx: ReportContext) -> str:
    """The trend chart's title; it names the data's last date when the data ends before the period."""
    title = f"{ctx.label('trend')} · {ctx.region_name}"
    through = ctx.data_through
    if through is None or through.date() >= ctx.period.end:
        return title
    day = through.strftime("%Y-%m-%d")
    return f"{title}（数据截至 {day}）" if ctx.locale == "zh" else f"{title} (data through {day})"


def revenue_trend(ctx: ReportContext, months: int = 12) -> charts.Chart:
    """Revenue per month for the ``months`` months ending with the period: completed orders,
    or the value of deals won by close month when revenue is won deals."""
    if ctx.revenue_basis == "won_deals":
        frame = won_value_by_month(ctx.deals, trend_months(ctx, months))
    else:
        frame = revenue_by_month(ctx.orders, trend_months(ctx, months))
    frame["month"] = frame["month"].astype(str)
    colour = charts.REGION_COLOURS.get(ctx.region)
    # low: it shares the summary's second page with the top customers and the top movers
    return charts.line_chart(frame, "month", "revenue", title=trend_title(ctx),
                             value_format=ctx.money_axis, colour=colour, height=2.1)


def customers_by_type_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers at the period end by place (region for the company, else province) x type."""
    by = place_column(ctx)
    frame = ctx.classified
    if by == "region":
        frame = frame.assign(region=each_distinct(frame["region"], lambda c: ctx.regions.display_name(c, ctx.locale)))
    table = count_pivot(frame, by, "customer_type", total_label=ctx.label("total"),
                        column_order=["active", "prospect", "churned"], missing_label=ctx.label("unknown"))
    table = table.rename(columns={c: ctx.label(c) for c in ("active", "prospect", "churned")})
    table.index.name = ctx.label(by)
    return table


def customers_by_type(ctx: ReportContext) -> Table:
    """The customers-by-type pivot with totals."""
    return Table(customers_by_type_frame(ctx), formats={}, index=True, total_row=True)


_TYPES = ("active", "prospect", "churned")


def customer_types_chart(ctx: ReportContext) -> charts.Chart | HTML:
    """Customers at the period end by place, stacked by type; each type has its own colour in every report."""
    table = customers_by_type_frame(ctx).drop(index=ctx.label("total"), errors="ignore")
    if table.empty:
        return note_html(ctx.label("no_data"))
    frame = table.reset_index()
    columns = {ctx.label(kind): charts.TYPE_COLOURS[kind] for kind in _TYPES if ctx.label(kind) in frame}
    return charts.grouped_bar_chart(frame, frame.columns[0], {c: c for c in columns}, stacked=True, colours=columns,
                                    title=f"{ctx.label('by_type')} · {ctx.region_name}")


def top_customers(ctx: ReportContext, limit: int = 10) -> Table:
    """The period's top customers by completed revenue."""
    frame = top_from_ledger(ctx.ledger, ctx.customers, limit)
    frame = frame.assign(region=frame["region"].map(lambda c: ctx.regions.display_name(c, ctx.locale)))
    frame = frame.rename(columns={c: ctx.label(c) for c in frame.columns})
    return Table(frame, formats={ctx.label("revenue"): ctx.money,
                                 ctx.label("share"): lambda v: i18n.format_percent(v, ctx.locale)})


def top_movers_frame(ctx: ReportContext, limit: int = 5) -> pd.DataFrame:
    """The customers whose revenue rose most and fell most against the previous period, labelled."""
    previous = ctx.period.previous
    moved = revenue_movers(ctx.purchases, ctx.customers, ctx.period.start_ts, ctx.period.end_exclusive_ts,
                           previous.start_ts, limit, previous.end_exclusive_ts)
    moved = moved.assign(direction=moved["direction"].map({"up": "↑", "down": "↓"}),
                         region=region_display(ctx, moved["region"]))
    columns = ["direction", "customer_id", "name", *(["region"] if ctx.region == "all" else []),
               "revenue", "previous", "change"]
    names = {"direction": "trend_direction", "previous": "previous_revenue", "change": "revenue_change"}
    return localised(ctx, moved[columns].rename(columns=names))


def top_movers(ctx: ReportContext, limit: int = 5) -> Table | HTML:
    """The top movers: up to ``limit`` customers whose revenue rose most against the previous
    period, then up to ``limit`` whose revenue fell most."""
    frame = top_movers_frame(ctx, limit)
    if frame.empty:
        return note_html(text_in(ctx, 'note.top_movers',
                           previous=comparison_text(ctx.period.previous, ctx.locale)))
    signed = lambda value: ("+" if value > 0 else "") + ctx.money(value)   # noqa: E731
    return Table(frame, formats=formatters_for(ctx, frame, {"revenue": ctx.money, "previous_revenue": ctx.money,
                                                       "revenue_change": signed}))


def customer_movement_frame(ctx: ReportContext) -> pd.DataFrame:
    """New customers (as the summary counts them), retained, reactivated and lost to churn over the period."""
    counts = movement_counts(ctx.movement)
    return pd.DataFrame({ctx.label("movement"): [ctx.label(f"movement_{key}") for key in counts],
                         ctx.label("customers"): pd.array(list(counts.values()), dtype="int64")})


def customer_movement(ctx: ReportContext) -> Table:
    """How customers moved between the day before the period and its end."""
    return Table(customer_movement_frame(ctx), formats={ctx.label("customers"): ctx.count})
