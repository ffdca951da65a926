"""Sections of the funnel report: stages, deals, sales cycle, win rates, leads."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
from IPython.display import HTML

from custreport import charts, i18n
from custreport.analysis.leads import lead_funnel
from custreport.analysis.funnel import deal_breakdown, deals_in_play, stage_counts
from custreport.analysis.frames import each_distinct
from custreport.render.tables import Table
from custreport.reporting.context import ReportContext
from custreport.figures import change
from custreport.reporting.metrics import deal_totals_in, metrics
from custreport.reporting.sections.common import KpiCards, days_text, formatters_for, localised, percent_format, text_in


def funnel_frame(ctx: ReportContext) -> pd.DataFrame:
    """The period's funnel rows."""
    table = ctx.funnel.stages.assign(bottleneck=ctx.funnel.stages["bottleneck"].map(lambda b: "●" if b else ""))
    return localised(ctx, table)


def funnel_chart(ctx: ReportContext) -> charts.Chart:
    """Deals reaching each stage, with the step conversion into it and the bottleneck marked."""
    stages = ctx.funnel.stages
    notes = []
    for row in stages.itertuples(index=False):
        note = "" if pd.isna(row.step_conversion) else f"({i18n.format_percent(row.step_conversion, ctx.locale)})"
        notes.append(f"{note} · {ctx.label('bottleneck')}" if row.bottleneck else note)
    title = f"{ctx.label('funnel_stages')} · {ctx.region_name}"
    bottleneck = stages.index[stages["bottleneck"]]
    return charts.funnel_chart(stages, "stage", "reached", title, notes, colour=charts.REGION_COLOURS.get(ctx.region),
                               highlight=int(bottleneck[0]) if len(bottleneck) else None)


def funnel_stages(ctx: ReportContext) -> Table:
    """The funnel rows: reached, step and cumulative conversion, drop-off, in stage now, bottleneck."""
    frame = funnel_frame(ctx)
    return Table(frame, formats=formatters_for(ctx, frame, {
        "reached": ctx.count, "drop_off": ctx.count, "current": ctx.count, "step_conversion": percent_format(ctx),
        "cumulative_conversion": percent_format(ctx)}))


def funnel_summary(ctx: ReportContext) -> HTML:
    """The funnel in words: where deals stall most, how many were won and lost, what was left out."""
    funnel = ctx.funnel
    stages = funnel.stages
    parts = []
    entered = int(stages["reached"].iloc[0]) if len(stages) else 0
    if funnel.bottleneck is None:
        parts.append(text_in(ctx, 'note.funnel_summary_1'))
    else:
        at = int(np.flatnonzero(stages["bottleneck"].to_numpy(dtype=bool))[0])   # never the first row
        row = stages.iloc[at]
        parts.append(text_in(
            ctx, 'note.funnel_summary_2', stage=row["stage"], before=stages.iloc[at - 1]["stage"],
            step=i18n.format_percent(row["step_conversion"], ctx.locale), drop=ctx.count(row["drop_off"])))
        parts.append(text_in(
            ctx, 'note.funnel_summary_3', entered=ctx.count(entered), won=ctx.count(stages["reached"].iloc[-1]),
            rate=i18n.format_percent(stages["cumulative_conversion"].iloc[-1], ctx.locale),
            lost=ctx.count(funnel.lost)))
    if funnel.unmapped:
        parts.append(text_in(ctx, 'note.funnel_summary_4',
                           n=ctx.count(funnel.unmapped), name=funnel.stage_list))
    return HTML("".join(f'<p class="note">{html.escape(part)}</p>' for part in parts))


_DEAL_CARDS = (("deals_won", "won", "count"), ("deals_lost", "lost", "count"), ("win_rate", "win_rate", "percent"),
               ("won_value", "won_value", "money"), ("pipeline_value", "pipeline_value", "money"),
               ("median_cycle_days", "median_cycle_days", "days"))


def deal_kpis(ctx: ReportContext) -> KpiCards:
    """Deals won and lost, win rate, won value, open pipeline and median sales cycle, with their changes."""
    if ctx.mixed_currencies:   # metrics' deal figures: the values per currency, never a sum
        figures = metrics(ctx)
        now, previous, year_ago = (f["deals"] for f in (figures, figures["previous"], figures["year_ago"]))
    else:
        now, previous, year_ago = (deal_totals_in(ctx, p) for p in (ctx.period, ctx.period.previous,
                                                                    ctx.period.year_ago))
    formatters = {"count": ctx.count, "money": ctx.money, "percent": percent_format(ctx),
                  "days": lambda v: days_text(ctx, v)}

    def display(field: str, kind: str) -> str:
        apart = now.get(f"{field}_by_currency")
        return i18n.format_money_by_currency(apart, ctx.locale) if apart else formatters[kind](now[field])

    rows = [{"metric": key, "label": ctx.label(key), "value": now[field], "display": display(field, kind),
             "vs_previous": change(now[field], previous[field], rate=kind == "percent"),
             "vs_year_ago": change(now[field], year_ago[field], rate=kind == "percent"),
             "kind": kind, "direction": ctx.settings.direction(key)}
            for key, field, kind in _DEAL_CARDS]
    return KpiCards(pd.DataFrame(rows), ctx.locale)


def sales_cycle_frame(ctx: ReportContext) -> pd.DataFrame:
    """Days from creation to close of the deals won and lost in the period (quartiles, longest)."""
    deals = ctx.deals
    closed = deals[deals["closed_at"].ge(ctx.period.start_ts) & deals["closed_at"].lt(ctx.period.end_exclusive_ts)]
    rows = []
    for outcome in ("won", "lost"):
        these = closed[closed["outcome"] == outcome]
        days = (these["closed_at"] - these["created_at"]).dt.days.dropna().astype("float64")
        quartiles = days.quantile([0.25, 0.5, 0.75]) if len(days) else pd.Series([pd.NA] * 3, index=[0.25, 0.5, 0.75])
        rows.append({"outcome": ctx.label(f"outcome_{outcome}"), "deals": len(these), "cycle_p25": quartiles[0.25],
                     "cycle_median": quartiles[0.5], "cycle_p75": quartiles[0.75],
                     "cycle_max": days.max() if len(days) else pd.NA})
    frame = pd.DataFrame(rows).astype({"deals": "int64", "cycle_p25": "Float64", "cycle_median": "Float64",
                                       "cycle_p75": "Float64", "cycle_max": "Float64"})
    return frame.rename(columns={c: ctx.label(c) for c in frame.columns})


def sales_cycle(ctx: ReportContext) -> Table:
    """The sales cycle of the deals closed in the period, won and lost."""
    frame = sales_cycle_frame(ctx)
    days = {key: (lambda v: f"{float(v):,.1f}".removesuffix(".0"))
            for key in ("cycle_p25", "cycle_median", "cycle_p75", "cycle_max")}
    return Table(frame, formats=formatters_for(ctx, frame, {"deals": ctx.count, **days}))


def win_rates_frame(ctx: ReportContext, by: str = "owner_rep") -> pd.DataFrame:
    """Won, lost and open deals, win rate, values and cycle per value of a deal column, with totals."""
    table = deal_breakdown(ctx.deals, by, ctx.period.start_ts, ctx.period.end_exclusive_ts,
                           total_label=ctx.label("total"), missing=ctx.label("unknown"))
    # The summary's note says how many open deals lack an amount; a column of it would crowd the table.
    table = table.drop(columns="open_without_amount").rename(
        columns={"won": "deals_won", "lost": "deals_lost", "open": "deals_open"})
    if by == "region":
        kept = {ctx.label("total"), ctx.label("unknown")}
        table = table.assign(region=each_distinct(
            table["region"], lambda c: c if c in kept else ctx.regions.display_name(c, ctx.locale)))
    return localised(ctx, table)


def lead_months(ctx: ReportContext) -> list[str]:
    """The months of the period, up to the month of the last lead's first contact when the
    leads end before the period does (later months would show as no leads)."""
    end = pd.Period(ctx.period.end, freq="M")
    last = (ctx.snapshot.manifest.get("data_range", {}).get("leads") or [None, None])[1]
    if last is not None:
        end = max(min(end, pd.Period(pd.Timestamp(last), freq="M")), pd.Period(ctx.period.start, freq="M"))
    return [str(month) for month in pd.period_range(pd.Period(ctx.period.start, freq="M"), end, freq="M")]


def lead_funnel_frame(ctx: ReportContext, by: str = "lead_source") -> pd.DataFrame:
    """Leads first contacted in the period per lead source (or owner_rep, region, month), what
    they became by the period end, the conversions, and a total row; labelled."""
    table = lead_funnel(ctx.leads, ctx.lead_deals, ctx.period.start_ts, ctx.period.end_exclusive_ts, by=by,
                        total_label=ctx.label("total"), missing=ctx.label("unknown"),
                        order=lead_months(ctx) if by == "month" else None)
    if ctx.mixed_currencies:   # a won value would add currencies
        table = table.drop(columns="won_value")
    if by == "region":
        kept = {ctx.label("total"), ctx.label("unknown")}
        table = table.assign(region=each_distinct(
            table["region"], lambda c: c if c in kept else ctx.regions.display_name(c, ctx.locale)))
    return localised(ctx, table)


def lead_funnel_table(ctx: ReportContext, by: str = "lead_source") -> Table | HTML:
    """The lead funnel table (see ``lead_funnel_frame``); nothing when the snapshot holds no leads."""
    if not ctx.has_leads:
        return HTML("")
    frame = lead_funnel_frame(ctx, by)
    rate = percent_format(ctx)
    return Table(frame, formats=formatters_for(ctx, frame, {
        "leads": ctx.count, "converted": ctx.count, "won": ctx.count, "disqualified": ctx.count,
        "won_value": ctx.money, "lead_to_deal": rate, "deal_to_won": rate, "lead_to_won": rate}), total_row=True)


def lead_funnel_chart(ctx: ReportContext) -> charts.Chart | HTML:
    """Leads, those that became deals and those won, per month of first contact; nothing
    without leads."""
    if not ctx.has_leads:
        return HTML("")
    frame = lead_funnel(ctx.leads, ctx.lead_deals, ctx.period.start_ts, ctx.period.end_exclusive_ts, by="month",
                        order=lead_months(ctx))[:-1]
    return charts.grouped_bar_chart(frame, "month", {key: ctx.label(key) for key in ("leads", "converted", "won")},
                                    title=f"{ctx.label('lead_funnel_by_month')} · {ctx.region_name}",
                                    value_format=ctx.count)


def win_rates(ctx: ReportContext, by: str = "owner_rep") -> Table:
    """Win rate and deal values per owner (or lead source, product ...), with a total row."""
    frame = win_rates_frame(ctx, by)
    return Table(frame, formats=formatters_for(ctx, frame, {
        "deals_won": ctx.count, "deals_lost": ctx.count, "deals_open": ctx.count, "win_rate": percent_format(ctx),
        "won_value": ctx.money, "pipeline_value": ctx.money, "median_cycle_days": lambda v: days_text(ctx, v)}),
                 total_row=True)


def deals_by_stage_frame(ctx: ReportContext) -> pd.DataFrame:
    """Deals in play in the period by their exported stage (the list's stages first), with a total row."""
    in_play = deals_in_play(ctx.deals, ctx.period.start_ts, ctx.period.end_exclusive_ts)
    table = stage_counts(in_play, ctx.stage_list)[["stage", "deals", "amount"]]
    table = table.assign(stage=table["stage"].map(lambda stage: ctx.stage_list.display(stage, ctx.locale)))
    total = pd.DataFrame({"stage": [ctx.label("total")], "deals": [int(table["deals"].sum())],
                          "amount": [float(table["amount"].sum())]})
    return localised(ctx, pd.concat([table, total], ignore_index=True))


def deals_by_stage(ctx: ReportContext) -> Table:
    """Deals in play by current stage, with their amounts."""
    frame = deals_by_stage_frame(ctx)
    return Table(frame, formats=formatters_for(ctx, frame, {"deals": ctx.count, "amount": ctx.money}), total_row=True)
