"""Sections of the quality report: ingest accounting, fixes, duplicates, quarantine, warnings, and
the fix lists of each rep (what is to fix, and what was fixed since the last period's lists)."""
from __future__ import annotations


import pandas as pd
from IPython.display import HTML

from custreport import i18n, store
from custreport.analysis.fixlists import FOLDER, KINDS, UNASSIGNED_FILE
from custreport.analysis.frames import sort_rows
from custreport.keyed_frames import ids_in, looked_up
from custreport.ingest.merged_records import customers_merged_from_rows, records_merged_into
from custreport.privacy import mask_contacts_in_texts
from custreport.render.tables import Table
from custreport.reporting.context import ReportContext
from custreport.reporting.fix_lists import (lists_in_region, period_problems, previous_problems, region_summary,
                                            summary_sheet_frame)
from custreport.reporting.sections.common import formatters_for, localised, note_html, text_in


_ACCOUNTING_KEYS = ("rows_read", "loaded", "merged", "non_data", "quarantined")
_REGION_KEYS = ("loaded", "merged", "quarantined")


def _exact(value) -> str:
    """A count in full (1,234, not 1.23万): row counts are checked against the ingest output."""
    return f"{int(value):,}"


def _regional(ctx: ReportContext) -> bool:
    return ctx.region != "all"


def of_region(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a side table that belong to the report's region (all rows for ``all``).

    A row whose region could not be told (missing) belongs to the whole-company report only;
    a table written before ingest recorded regions (no ``region`` column) has none for a region.
    """
    if not _regional(ctx):
        return frame
    if "region" not in frame:
        return frame.iloc[0:0]
    return frame[(frame["region"].astype("string") == ctx.region).fillna(False).to_numpy(dtype=bool)]


def unplaced(frame: pd.DataFrame, count: str | None = None) -> int:
    """Rows (or the sum of ``count``) of a side table whose region could not be told."""
    if "region" not in frame or frame.empty:
        return 0
    rows = frame[frame["region"].isna().to_numpy(dtype=bool)]
    return int(rows[count].sum()) if count else len(rows)


def _recorded(ctx: ReportContext, name: str) -> bool:
    """Whether the snapshot's side table ``name`` records regions (ingest wrote them since)."""
    if name == "region_accounting":
        return store.has_side_table(ctx.snapshot, name)
    return "region" in ctx.side_table(name)


def _not_recorded(ctx: ReportContext, what: str) -> str:
    return text_in(ctx, "note.quality_not_regional_snapshot", what=ctx.label(what))


def _elsewhere(ctx: ReportContext, key: str, n: int) -> str | None:
    """For a regional report, the line saying ``n`` rows of the company are shown in ``all`` only."""
    return text_in(ctx, key, n=_exact(n)) if _regional(ctx) and n else None


def accounting_frame(ctx: ReportContext) -> pd.DataFrame:
    """Per source: rows read = loaded + merged + non-data + quarantined, whether it balances, and a total row.

    For a region: its rows loaded, merged and quarantined per source (``region_accounting``),
    with a total row; rows read and non-data rows belong to a file, not to a region.
    """
    if _regional(ctx):
        return _region_accounting_frame(ctx)
    accounting = ctx.side_table("accounting")
    columns = ["source", "table", "files", *_ACCOUNTING_KEYS]
    frame = pd.DataFrame({c: accounting[c] if c in accounting else pd.Series(0, index=accounting.index)
                          for c in columns}).reset_index(drop=True)
    frame = frame.astype({"source": "string", "table": "string",
                          **{c: "int64" for c in ("files", *_ACCOUNTING_KEYS)}})
    frame.loc[len(frame)] = [ctx.label("total"), pd.NA, *(int(frame[c].sum()) for c in columns[2:])]
    parts = frame["loaded"] + frame["merged"] + frame["non_data"] + frame["quarantined"]
    frame["balanced"] = (frame["rows_read"] == parts).map({True: ctx.label("balanced_yes"),
                                                           False: ctx.label("balanced_no")}).astype("string")
    return localised(ctx, frame)


def _region_accounting_frame(ctx: ReportContext) -> pd.DataFrame:
    accounting = of_region(ctx, ctx.side_table("region_accounting"))
    columns = ["source", "table", *_REGION_KEYS]
    frame = pd.DataFrame({c: accounting[c] if c in accounting else pd.Series(dtype="int64") for c in columns})
    frame = frame.astype({"source": "string", "table": "string", **{c: "int64" for c in _REGION_KEYS}})
    frame = frame.reset_index(drop=True)
    if len(frame):
        frame.loc[len(frame)] = [ctx.label("total"), pd.NA, *(int(frame[c].sum()) for c in _REGION_KEYS)]
    return localised(ctx, frame)


def ingest_accounting(ctx: ReportContext) -> Table | HTML:
    """The ingest accounting of the snapshot the report reads, one row per source; for a region,
    its own rows per source, with a line on what only the whole-company report shows."""
    frame = accounting_frame(ctx)
    formats = formatters_for(ctx, frame, {c: _exact for c in ("files", *_ACCOUNTING_KEYS)})
    if not _regional(ctx):
        return Table(frame, formats=formats, total_row=True)
    if not _recorded(ctx, "region_accounting"):
        return note_html(_not_recorded(ctx, "accounting"))
    unknown = unplaced(ctx.side_table("region_accounting"), "quarantined")
    caption = " ".join(filter(None, [text_in(ctx, "note.accounting_per_file"),
                                     _elsewhere(ctx, "note.rows_without_region", unknown)]))
    if frame.empty:
        return note_html(" ".join([text_in(ctx, "note.no_rows_of_region"), caption]))
    return Table(frame, formats=formats, total_row=True, caption=caption)


def fixes_frame(ctx: ReportContext) -> pd.DataFrame:
    """Standardisation fixes per source (as ingest names them), sources in accounting order, most
    frequent first; for a region, those made on its rows."""
    fixes = of_region(ctx, ctx.side_table("fixes"))
    if not fixes.empty:   # one row per source, fix and region: the company's counts are their sums
        fixes = fixes.groupby(["source", "fix"], as_index=False, sort=False)["count"].sum()
    if fixes.empty:
        return localised(ctx, pd.DataFrame({"source": pd.Series(dtype="string"), "fix": pd.Series(dtype="string"),
                                             "count": pd.Series(dtype="int64")}))
    order = {name: i for i, name in enumerate(ctx.side_table("accounting").get("source", []))}
    frame = fixes.assign(_order=fixes["source"].map(order).fillna(len(order)))
    frame = frame.sort_values(["_order", "count", "fix"], ascending=[True, False, True], kind="stable")
    frame = frame[["source", "fix", "count"]].astype({"source": "string", "fix": "string", "count": "int64"})
    return localised(ctx, _ingest_words(ctx, frame).reset_index(drop=True))


def ingest_fixes(ctx: ReportContext) -> Table | HTML:
    """What ingest standardised (dates parsed, phones normalised ...) and left empty, per source;
    for a region, on its rows, with a line on the fixes of rows no region can be told for."""
    if _regional(ctx) and not ctx.side_table("fixes").empty and not _recorded(ctx, "fixes"):
        return note_html(_not_recorded(ctx, "fixes"))
    frame = fixes_frame(ctx)
    caption = _elsewhere(ctx, "note.fixes_without_region", unplaced(ctx.side_table("fixes"), "count"))
    if frame.empty:
        return note_html(" ".join(filter(None, [ctx.label("no_data"), caption])))
    return Table(frame, formats={ctx.label("count"): _exact}, caption=caption)


def duplicates_frame(ctx: ReportContext) -> pd.DataFrame:
    """Per source with duplicates: rows merged into another record, and the records they were
    merged into; for a region, its rows (``region_accounting``)."""
    accounting = of_region(ctx, ctx.side_table("region_accounting" if _regional(ctx) else "accounting"))
    columns = ["source", "table", "merged_rows", "into_records"]
    if accounting.empty or "merged" not in accounting:
        return pd.DataFrame(columns=[ctx.label(c) for c in columns])
    merged = accounting.loc[accounting["merged"] > 0, ["source", "table", "merged"]].rename(
        columns={"merged": "merged_rows"})
    if "into_records" in accounting:
        merged = merged.assign(into_records=accounting.loc[merged.index, "into_records"].astype("Int64"))
    else:   # written before ingest summed it: counted from the lineage, when the snapshot has one
        lineage = ctx.side_table("lineage")
        into = records_merged_into(lineage)
        merged = merged.assign(into_records=merged["source"].astype("string").map(into).astype("Int64")
                               if len(into) else pd.array([pd.NA] * len(merged), dtype="Int64"))
    frame = merged.astype({"source": "string", "table": "string", "merged_rows": "int64"}).reset_index(drop=True)
    if len(frame):
        frame.loc[len(frame)] = [ctx.label("total"), pd.NA, int(frame["merged_rows"].sum()),
                                 frame["into_records"].sum() if frame["into_records"].notna().all() else pd.NA]
    return frame.rename(columns={c: ctx.label(c) for c in columns})


def duplicates_merged(ctx: ReportContext) -> Table | HTML:
    """Duplicate rows merged at ingest, per source."""
    if _regional(ctx) and not _recorded(ctx, "region_accounting"):
        return note_html(_not_recorded(ctx, "duplicates"))
    frame = duplicates_frame(ctx)
    if frame.empty:
        return note_html(text_in(ctx, 'note.duplicates_merged'))
    return Table(frame, formats={ctx.label("merged_rows"): _exact, ctx.label("into_records"): _exact},
                 total_row=True)


def merged_customers_frame(ctx: ReportContext, limit: int = 10) -> pd.DataFrame:
    """The region's customers built from the most raw rows (two or more): id, name, rows, sources."""
    columns = ["customer_id", "name", "source_rows", "sources"]
    if store.has_side_table(ctx.snapshot, "merged_customers"):
        merged = ctx.side_table("merged_customers")
    else:   # written before ingest summed it: counted from the lineage, when the snapshot has one
        accounting = ctx.side_table("accounting")
        if accounting.empty or "table" not in accounting:
            return pd.DataFrame(columns=[ctx.label(c) for c in columns])
        customer_sources = accounting.loc[accounting["table"] == "customers", "source"].astype("string")
        merged = customers_merged_from_rows(ctx.side_table("lineage"), customer_sources)
    frame = merged[ids_in(merged["customer_id"], ctx.customers["customer_id"])]   # only this report's customers
    frame = sort_rows(frame, ["source_rows", "customer_id"], ascending=[False, True]).head(limit)
    frame = frame.assign(name=looked_up(ctx.customers, frame["customer_id"], "name"))
    return localised(ctx, frame[columns].astype({"source_rows": "int64"}).reset_index(drop=True))


def merged_customers(ctx: ReportContext, limit: int = 10) -> Table | HTML:
    """The report's customers merged from the most raw rows, to check the deduplication by eye."""
    frame = merged_customers_frame(ctx, limit)
    if frame.empty:
        return note_html(text_in(ctx, 'note.merged_customers'))
    return Table(frame, formats={ctx.label("source_rows"): _exact})


def quarantine_reasons_frame(ctx: ReportContext) -> pd.DataFrame:
    """Quarantined rows per source, table, column and reason, most first, with a total row; for
    a region, its rows only."""
    quarantine = of_region(ctx, ctx.side_table("quarantine"))
    keys = ["source", "table", "column", "reason"]
    if quarantine.empty:
        return pd.DataFrame(columns=[ctx.label(c) for c in ["source", "table", "column", "quarantine_reason", "rows"]])
    keyed = quarantine[keys].astype("string").fillna("—")
    counts = keyed.groupby(keys).size().rename("rows").reset_index()
    counts = counts.sort_values(["rows", *keys], ascending=[False, True, True, True, True], kind="stable")
    counts = counts.astype({"rows": "int64"}).reset_index(drop=True)
    counts = _ingest_words(ctx, counts)
    counts.loc[len(counts)] = [ctx.label("total"), pd.NA, pd.NA, pd.NA, int(counts["rows"].sum())]
    return localised(ctx, counts.rename(columns={"reason": "quarantine_reason"}))


def _ingest_words(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """Reasons, fix names, tables and columns as ingest wrote them (English), in the report's language."""
    def shown(column, translate):
        return frame[column].astype("string").map(lambda text: translate(text, ctx.locale) if pd.notna(text) else text,
                                                  na_action="ignore").astype("string")

    changes = {column: shown(column, i18n.ingest_text) for column in ("reason", "fix") if column in frame}
    changes |= {column: shown(column, i18n.ingest_column) for column in ("table", "column") if column in frame}
    return frame.assign(**changes)


def quarantine_reasons(ctx: ReportContext) -> Table | HTML:
    """Rows set aside at ingest, by reason; for a region its own, with the count of the
    company's rows no region can be told for (listed in the whole-company report)."""
    quarantine = ctx.side_table("quarantine")
    if _regional(ctx) and not quarantine.empty and not _recorded(ctx, "quarantine"):
        return note_html(_not_recorded(ctx, "quarantine"))
    frame = quarantine_reasons_frame(ctx)
    caption = _elsewhere(ctx, "note.rows_without_region", unplaced(quarantine))
    if frame.empty:
        return note_html(" ".join(filter(None, [text_in(ctx, 'note.quarantine_reasons'), caption])))
    return Table(frame, formats={ctx.label("rows"): _exact}, total_row=True, caption=caption)


def ingest_warnings_frame(ctx: ReportContext) -> pd.DataFrame:
    """The limits ingest hit and said out loud (side table ``warnings``): source, rows, warning, remedy."""
    warnings = of_region(ctx, ctx.side_table("warnings"))
    columns = ["source", "rows", "warning", "remedy"]
    if warnings.empty:
        return pd.DataFrame(columns=[ctx.label(c) for c in columns])
    frame = pd.DataFrame({"source": warnings["source"].astype("string").replace("", pd.NA).fillna("—"),
                          "rows": warnings["count"].astype("int64"), "warning": warnings["message"].astype("string"),
                          "remedy": warnings["remedy"].astype("string")})
    return frame.rename(columns={c: ctx.label(c) for c in columns})


def ingest_warnings(ctx: ReportContext) -> Table | HTML:
    """Limits ingest hit (rows a figure may miss), each with its remedy; for a region, those
    about it, with the count of the company-wide ones (listed in the whole-company report)."""
    warnings = ctx.side_table("warnings")
    # a snapshot written before warnings had a region holds company-wide ones only
    company = (unplaced(warnings) if "region" in warnings else len(warnings)) if _regional(ctx) else 0
    caption = _elsewhere(ctx, "note.warnings_company_wide", company)
    frame = ingest_warnings_frame(ctx)
    if frame.empty:
        none = text_in(ctx, 'note.ingest_warnings_region' if _regional(ctx) else 'note.ingest_warnings')
        return note_html(" ".join(filter(None, [none, caption])))
    return Table(frame, formats={ctx.label("rows"): _exact}, caption=caption)


def quarantine_sample_frame(ctx: ReportContext, per_reason: int = 3, mask_contacts: bool = True) -> pd.DataFrame:
    """The first quarantined rows of each source and reason: where they are, why, and the value
    as read; for a region, its rows only (a regional report shows no text of other regions' rows).

    Phones and emails in the value are masked unless ``mask_contacts`` is False: a value as
    read is whatever was typed, contacts included.
    """
    quarantine = of_region(ctx, ctx.side_table("quarantine"))
    columns = ["source", "source_file", "source_sheet", "source_row", "column", "reason", "value"]
    names = {"source_file": "file", "source_sheet": "sheet", "source_row": "row", "reason": "quarantine_reason",
             "value": "raw_value"}
    if quarantine.empty:
        return pd.DataFrame(columns=[ctx.label(names.get(c, c)) for c in columns])
    frame = quarantine.reindex(columns=columns)
    frame = sort_rows(frame.assign(_source=frame["source"].astype("string"), _reason=frame["reason"].astype("string"),
                                   _row=frame["source_row"].astype("Int64")),
                      ["_source", "_reason", "_row"], ascending=[True, True, True])
    frame = frame.groupby(["_source", "_reason"], dropna=False, sort=False).head(per_reason)[columns]
    if mask_contacts and "value" in frame:
        frame = frame.assign(value=mask_contacts_in_texts(frame["value"]))
    return localised(ctx, _ingest_words(ctx, frame).rename(columns=names).reset_index(drop=True))


def quarantine_sample(ctx: ReportContext, per_reason: int = 3) -> Table | HTML:
    """A few quarantined rows per source and reason, to find them in the raw files."""
    frame = quarantine_sample_frame(ctx, per_reason)
    if frame.empty:
        return HTML("")
    return Table(frame, formats={ctx.label("row"): lambda v: f"{int(v)}"})


# --------------------------------------------------------------------------- fix lists


def _fix_lists(ctx: ReportContext) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """This period's problems and the last period's kept lists (None when there are none), read once."""
    if "_fix_lists" not in ctx.__dict__:
        store_path = ctx.snapshot.path.parents[1]
        ctx.__dict__["_fix_lists"] = (period_problems(store_path, ctx.snapshot, ctx.period, ctx.settings, ctx.locale),
                                      previous_problems(store_path, ctx.period, ctx.locale))
    return ctx.__dict__["_fix_lists"]


def _fix_list_caption(ctx: ReportContext, summary: pd.DataFrame, compared: bool) -> str:
    previous = ctx.period.previous.label
    if not compared:
        said = text_in(ctx, "fix.not_compared", previous=previous)
    else:
        fixed, earlier = int(summary["fixed"].sum()), int(summary["previous"].sum())
        said = text_in(ctx, "fix.compared", previous=previous, fixed=_exact(fixed), still=_exact(earlier - fixed),
                       new=_exact(int(summary["new"].sum())))
    files = "fix.files_all" if ctx.region == "all" else "fix.files"
    return " ".join([said, text_in(ctx, files, folder=FOLDER, unassigned=UNASSIGNED_FILE)])


def fix_kinds_frame(ctx: ReportContext) -> pd.DataFrame:
    """The problems on the fix lists kept in the region's folder, by kind: open now, and against
    the last period's lists (when there are any) those lists' count, fixed since and new; a total row."""
    current, previous = _fix_lists(ctx)
    return summary_sheet_frame(lists_in_region(current, ctx.region), lists_in_region(previous, ctx.region),
                               ctx.locale)


def fix_list_kinds(ctx: ReportContext) -> Table | HTML:
    """Open problems of the region's fix lists by kind, with what became of the last period's: how
    many were fixed and how many are new; or a sentence saying there is no earlier list to compare."""
    current, previous = _fix_lists(ctx)
    summary = region_summary(current, previous, ctx.region)
    caption = _fix_list_caption(ctx, summary, previous is not None)
    frame = fix_kinds_frame(ctx)
    if frame.empty:
        return note_html(" ".join([text_in(ctx, "fix.none"), caption]))
    return Table(frame, formats={column: _exact for column in frame.columns}, caption=caption, index=True,
                 total_row=True)


def fix_owners_frame(ctx: ReportContext) -> pd.DataFrame:
    """One row per fix list kept in the region's folder (each rep's, then the unassigned customers'):
    open problems, with the last period's lists those lists' count, fixed since, still open and new,
    then the open problems by kind; a total row."""
    current, previous = _fix_lists(ctx)
    summary = region_summary(current, previous, ctx.region)
    compared = previous is not None
    names = {rep_id: name for rep_id, name in zip(ctx.reps["rep_id"].astype(str), ctx.reps["name"].astype("string"))
             if not pd.isna(name)}
    owner = summary["owner_rep"].astype("string")
    summary = summary.assign(list=[
        text_in(ctx, "fix.rep_title", rep=names.get(rep) or rep, rep_id=rep) if not pd.isna(rep) else
        f"{ctx.label('fix_unassigned_list')} · {ctx.regions.display_name(region, ctx.locale)}"
        for rep, region in zip(owner, summary["region"])], _rep=owner.isna(), _id=owner.fillna(summary["region"]))
    counts = ["open", *(["previous", "fixed", "new"] if compared else [])]
    per_list = summary.groupby(["_rep", "_id", "list"], sort=True)[counts].sum()
    if compared:
        per_list.insert(3, "still_open", per_list["previous"] - per_list["fixed"])
    kinds = summary.pivot_table(index=["_rep", "_id", "list"], columns="kind", values="open", aggfunc="sum",
                                fill_value=0)
    kinds = kinds[[kind for kind in KINDS if kind in kinds.columns and kinds[kind].sum() > 0]]
    frame = per_list.join(kinds).reset_index(level=["_rep", "_id"], drop=True).astype("int64")
    labels = {"open": "fix_open", "previous": "fix_previous", "fixed": "fix_fixed", "still_open": "fix_still_open",
              "new": "fix_new", **{kind: f"fix_{kind}" for kind in KINDS}}
    frame = frame.rename(columns={column: ctx.label(labels[column]) for column in frame.columns})
    frame.index.name = ctx.label("fix_list_of")
    if len(frame):
        frame.loc[ctx.label("total")] = frame.sum()
    return frame


def fix_list_owners(ctx: ReportContext, limit: int = 40) -> Table | HTML:
    """Per fix list of the region (each rep's and the unassigned customers'): problems open now by
    kind, and whether the last period's were fixed (fixed, still open, new); of more than ``limit``
    lists (the whole company's), those with the most open problems, the total still of all."""
    frame = fix_owners_frame(ctx)
    if frame.empty:
        return HTML("")
    caption = None
    lists = len(frame) - 1
    if lists > limit:
        top = frame.iloc[:-1].sort_values(frame.columns[0], ascending=False, kind="stable").head(limit)
        frame = pd.concat([top, frame.iloc[-1:]])
        caption = text_in(ctx, "fix.owners_top", limit=limit, n=_exact(lists))
    return Table(frame, formats={column: _exact for column in frame.columns}, index=True, total_row=True,
                 caption=caption)
