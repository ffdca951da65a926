"""Sections of the allocation report: who gets which customer, and why; rep workload."""
from __future__ import annotations


import pandas as pd
from IPython.display import HTML

from custreport import charts
from custreport.analysis.allocation import AllocationRules, workload
from custreport.analysis.frames import sort_rows
from custreport.render.tables import Table
from custreport.reporting.context import ReportContext
from custreport.reporting.sections.common import formatters_for, localised, note_html, percent_format, region_display, text_in


def _workload(ctx: ReportContext) -> pd.DataFrame:
    """analysis.allocation.workload for the reps of the report's region (region codes)."""
    rules = AllocationRules(default_capacity=ctx.settings.allocation.default_capacity)
    table = workload(ctx.classified, ctx.reps, ctx.allocation, rules)
    return table if ctx.region == "all" else table[table["region"] == ctx.region]


def workload_frame(ctx: ReportContext) -> pd.DataFrame:
    """Reps of the region with their customers before and after the allocation."""
    table = _workload(ctx)
    table = table.assign(region=table["region"].map(lambda c: c if pd.isna(c) else ctx.regions.display_name(c, ctx.locale)))
    return localised(ctx, table.rename(columns={"name": "rep"}))


def allocation_overview_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers needing a rep, assigned and unassigned, per region (a total row when several)."""
    allocation = ctx.allocation
    region = allocation["region"].astype("string").fillna("unknown")
    counts = pd.crosstab(region, allocation["status"].astype("string")).reindex(columns=["assigned", "unassigned"],
                                                                                  fill_value=0)
    frame = pd.DataFrame({"region": counts.index.astype("string"), "candidates": counts.sum(axis=1).to_numpy(),
                          "assigned_count": counts["assigned"].to_numpy(),
                          "unassigned_count": counts["unassigned"].to_numpy()})
    frame = frame.sort_values(["candidates", "region"], ascending=[False, True], kind="stable")
    frame = frame.assign(region=region_display(ctx, frame["region"]))
    if len(frame) != 1:
        frame.loc[len(frame) + 1] = [ctx.label("total"), *(int(frame[c].sum()) for c in frame.columns[1:])]
    frame = frame.astype({c: "int64" for c in frame.columns[1:]}).reset_index(drop=True)
    return frame.rename(columns={c: ctx.label(c) for c in frame.columns})


def allocation_overview(ctx: ReportContext) -> Table:
    """How many customers needed a rep and how many got one."""
    frame = allocation_overview_frame(ctx)
    return Table(frame, formats={c: ctx.count for c in frame.columns[1:]}, total_row=len(frame) > 1)


# what fits an A4 page; the workbook's allocation sheet has every column
_ALLOCATION_LIST = ("customer_id", "name", "region", "industry", "priority", "rep_name", "reason")


_UNASSIGNED_LIST = ("customer_id", "name", "region", "industry", "priority", "previous_owner", "reason")


def _allocation_list(ctx: ReportContext, status: str, columns: tuple[str, ...], limit: int | None) -> Table | None:
    rows = ctx.allocation[ctx.allocation["status"] == status]
    if rows.empty:
        return None
    keep = [c for c in columns if c != "region" or ctx.region == "all"]
    shown = rows if limit is None else rows.head(limit)
    frame = shown[keep].assign(**({"region": region_display(ctx, shown["region"])} if "region" in keep else {}))
    frame = localised(ctx, frame).reset_index(drop=True)
    caption = None
    if limit is not None and len(rows) > limit:
        caption = text_in(ctx, 'note.allocation_list',
                        limit=limit, n=len(rows), sheet=ctx.label("allocation_sheet"))
    return Table(frame, formats=formatters_for(ctx, frame, {"priority": "{:.2f}".format}), caption=caption)


def allocation_table(ctx: ReportContext, limit: int | None = 50) -> Table | HTML:
    """The customers given a rep, highest priority first, each with the reason for the choice."""
    table = _allocation_list(ctx, "assigned", _ALLOCATION_LIST, limit)
    return table if table is not None else note_html(text_in(ctx, 'note.allocation_table'))


def unassigned_reasons_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers left without a rep, counted per reason (most common first)."""
    rows = ctx.allocation[ctx.allocation["status"] == "unassigned"]
    counts = rows.groupby(rows["reason"].astype("string")).size().rename("customers").reset_index()
    counts = counts.sort_values(["customers", "reason"], ascending=[False, True], kind="stable")
    return localised(ctx, counts.astype({"customers": "int64"}).reset_index(drop=True))


def unassigned_reasons(ctx: ReportContext) -> Table | HTML:
    """Why customers were left without a rep: one row per reason."""
    if ctx.allocation.empty:
        return note_html(text_in(ctx, 'note.unassigned_reasons_1'))
    frame = unassigned_reasons_frame(ctx)
    if frame.empty:
        return note_html(text_in(ctx, 'note.unassigned_reasons_2'))
    return Table(frame, formats={ctx.label("customers"): ctx.count})


def unassigned_customers(ctx: ReportContext, limit: int | None = 50) -> Table | HTML:
    """The customers left without a rep, highest priority first, with the reason."""
    table = _allocation_list(ctx, "unassigned", _UNASSIGNED_LIST, limit)
    return table if table is not None else HTML("")


def rep_workload(ctx: ReportContext) -> Table | HTML:
    """Reps of the region: capacity, customers before and after the allocation, utilisation."""
    frame = workload_frame(ctx)
    if frame.empty:
        return note_html(text_in(ctx, 'note.rep_workload'))
    return Table(frame, formats=formatters_for(ctx, frame, {
        "capacity": lambda v: f"{float(v):,.0f}", "owned_before": ctx.count, "assigned": ctx.count,
        "owned_after": ctx.count, "utilisation": percent_format(ctx)}))


def workload_chart(ctx: ReportContext) -> charts.Chart | HTML:
    """Customers per rep after the allocation (the part assigned now lighter) against each rep's
    capacity, one bar per rep, most loaded on top; reps over their capacity in red, counted in
    the legend and the caption."""
    table = _workload(ctx)
    if table.empty:
        return HTML("")
    table = sort_rows(table.assign(_load=table["utilisation"].astype("Float64")),
                      ["_load", "owned_after", "name"], ascending=[False, False, True])
    label = table["name"].astype("string").fillna(table["rep_id"].astype("string"))
    if ctx.region == "all":   # reps of every region: each says its own
        label = label + " · " + region_display(ctx, table["region"].fillna("unknown")).astype("string")
    over = int((table["owned_after"] > table["capacity"]).fillna(False).sum())
    unlimited = int(table["capacity"].isna().sum())
    caption = " ".join(filter(None, [
        text_in(ctx, "note.workload_over", n=over, total=len(table)) if over
        else text_in(ctx, "note.workload_none_over"),
        text_in(ctx, "note.workload_no_capacity", n=unlimited) if unlimited else None]))
    names = {"before": ctx.label("owned_before"), "added": ctx.label("assigned_now"),
             "capacity": ctx.label("capacity"), "over": text_in(ctx, "note.workload_over_legend", n=over)}
    return charts.capacity_bars(table.assign(label=label), "label", "owned_before", "assigned", "capacity",
                                f"{ctx.label('workload')} · {ctx.region_name}", names, caption)
