"""Sections of the segments report: pivots by place, RFM and ABC."""
from __future__ import annotations

import textwrap

import pandas as pd
from IPython.display import HTML

from custreport import charts
from custreport.analysis.rfm import abc_summary, segment_summary
from custreport.render.tables import Table
from custreport.reporting.context import ReportContext
from custreport.reporting.sections.common import formatters_for, localised, note_html, percent_format, text_in


def rfm_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers and revenue per RFM segment, in rule order."""
    table = segment_summary(ctx.rfm, ctx.segment_names).reset_index()
    return localised(ctx, table, values=("segment",))


def abc_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers and the period's revenue per ABC tier."""
    return localised(ctx, abc_summary(ctx.period_revenue, ctx.abc).reset_index().rename(columns={"tier": "tier"}))


def pivot_frame(ctx: ReportContext, by: str) -> pd.DataFrame:
    """``ctx.pivot(by)`` labelled: region codes and customer types by name, columns in the report's language."""
    table = ctx.pivot(by)
    kept = {ctx.label("total"), ctx.label("unknown")}
    names = {"region": lambda c: ctx.regions.display_name(c, ctx.locale), "customer_type": ctx.label}
    if by in names:
        table = table.rename(index=lambda key: key if key in kept else names[by](key))
    table = table.rename(columns={c: ctx.label(c) for c in table.columns})
    table.index.name = ctx.label(by)
    return table


def pivot(ctx: ReportContext, by: str) -> Table:
    """The period's customers, buyers, revenue, orders, AOV and share by one dimension, with totals."""
    frame = pivot_frame(ctx, by)
    formats = formatters_for(ctx, frame, {
        "customers": ctx.count, "buyers": ctx.count, "orders": ctx.count, "revenue": ctx.money, "aov": ctx.money,
        "share": percent_format(ctx)})
    return Table(frame, formats=formats, index=True, total_row=True)


def place_pivot(ctx: ReportContext) -> Table:
    """The sales pivot by region for the whole company, by province for a region."""
    return pivot(ctx, place_column(ctx))


def place_column(ctx: ReportContext) -> str:
    return "region" if ctx.region == "all" else "province"


def place_revenue_chart(ctx: ReportContext) -> charts.Chart | HTML:
    """The period's revenue by region (each in its region colour) for the company, by province
    (in the region's colour) for a region."""
    table = pivot_frame(ctx, place_column(ctx)).drop(index=ctx.label("total"), errors="ignore")
    revenue = table[ctx.label("revenue")].to_numpy(dtype="float64")
    if not (revenue > 0).any():
        return note_html(text_in(ctx, 'note.place_revenue_chart'))
    names = [str(name) for name in table.index]
    if ctx.region == "all":
        codes = {ctx.regions.display_name(code, ctx.locale): code for code in [*ctx.regions.codes,
                                                                               ctx.regions.unknown.code]}
        colours = {name: charts.REGION_COLOURS.get(codes.get(name, "")) for name in names}
    else:
        colours = {name: charts.REGION_COLOURS.get(ctx.region) for name in names}
    frame = pd.DataFrame({"place": names, "revenue": revenue})
    return charts.bar_chart(frame, "place", "revenue", f"{ctx.label('by_place')} · {ctx.region_name}",
                            colours={name: colour for name, colour in colours.items() if colour},
                            value_format=ctx.money_axis)


def rfm_grid_frame(ctx: ReportContext) -> pd.DataFrame:
    """Scored customers by F score (rows, 5 first) x R score (columns 1-5)."""
    scores = ctx.rfm
    grid = pd.crosstab(scores["f"], scores["r"]) if len(scores) else pd.DataFrame()
    grid = grid.reindex(index=range(5, 0, -1), columns=range(1, 6), fill_value=0).astype("int64")
    grid.index.name, grid.columns.name = "f", "r"
    return grid


def rfm_map(ctx: ReportContext) -> charts.Chart:
    """The RFM segment map: customers per R x F cell, each cell naming its most common segment."""
    scores = ctx.rfm
    grid = rfm_grid_frame(ctx)
    notes = pd.DataFrame(pd.NA, index=grid.index, columns=grid.columns, dtype="object")
    if len(scores):
        # most customers first, then the segment rules' order: the same cell always names the same segment
        order = {name: i for i, name in enumerate(ctx.segment_names)}
        counts = scores.groupby(["f", "r", "segment"]).size().reset_index(name="n")
        counts = counts.assign(rule=counts["segment"].map(order).fillna(len(order)))
        counts = counts.sort_values(["f", "r", "n", "rule"], ascending=[True, True, False, True])
        for row in counts.drop_duplicates(["f", "r"]).itertuples(index=False):
            notes.loc[row.f, row.r] = textwrap.fill(ctx.label(str(row.segment)), 12)
    title = f"{ctx.label('rfm_map')} · {ctx.region_name}"
    return charts.heatmap(grid, title, ctx.label("r_score"), ctx.label("f_score"), notes)


def rfm_segments(ctx: ReportContext) -> Table:
    """Customers and revenue to date per RFM segment, in rule order."""
    frame = rfm_frame(ctx)
    return Table(frame, formats=formatters_for(ctx, frame, {
        "customers": ctx.count, "monetary": ctx.money, "customer_share": percent_format(ctx),
        "revenue_share": percent_format(ctx)}))


def abc_table(ctx: ReportContext) -> Table:
    """Customers and the period's revenue per ABC tier."""
    frame = abc_frame(ctx)
    return Table(frame, formats=formatters_for(ctx, frame, {
        "customers": ctx.count, "revenue": ctx.money, "revenue_share": percent_format(ctx)}))
