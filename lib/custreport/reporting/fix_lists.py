"""A period's fix lists (analysis/fixlists.py): found once over the whole company (a rep's customers
may be filed under another region, the unknown one above all), kept per period in the store so that
the next period can say what was fixed, and written as one workbook per list into a region's folder:
``fix_lists/<rep file>.xlsx`` for each rep of the region (even one with nothing to fix) and
``fix_lists/unassigned.xlsx`` for its customers without a known owner. The whole company's folder
holds the company's unassigned list only: its reps' lists are their regions' (written twice, the
largest company's lists would double the time of its longest job).

The run finds the period's problems before its regions render and keeps them
(``keep_period_problems``); each region's kernel then reads them (``period_problems``) and writes
its lists (``write_fix_lists``). A notebook run on its own, or a run whose store may not be written,
finds them again. Contacts are always masked: the lists go to reps by mail.

>>> region_fix_list_files(pd.DataFrame({"rep_id": ["S2", "S1", "S9"], "region": ["east", "east", "south"]}),
...                       "east", "unknown")
['fix_lists/S1.xlsx', 'fix_lists/S2.xlsx', 'fix_lists/unassigned.xlsx']
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custreport import code_digest, i18n, store
from custreport.analysis.fixlists import (
    FOLDER,
    KINDS,
    UNASSIGNED_FILE,
    FixListRules,
    list_file_names,
    owner_problems,
    owner_summary,
    problem_reasons,
    reps_listed_in,
)
from custreport.analysis_settings import AnalysisSettings
from custreport.config import RegionTable
from custreport.customer_records import customer_sources
from custreport.errors import UserError
from custreport.periods import Period


def fix_list_rules(settings: AnalysisSettings, unknown_region: str) -> FixListRules:
    """The rules of params/analysis.yaml ``fix_lists`` (and ``allocation.default_capacity``)."""
    chosen = settings.fix_lists
    return FixListRules(no_contact_months=chosen.no_contact_months, name_similarity=float(chosen.name_similarity),
                        default_capacity=settings.allocation.default_capacity,
                        leave_out=frozenset(chosen.leave_out), unknown_region=unknown_region)


def region_fix_list_files(reps: pd.DataFrame, region: str, unknown_region: str) -> list[str]:
    """The fix lists in ``region``'s folder, as paths in it: each of its reps' (reps_listed_in), then
    the unassigned list."""
    names = list_file_names(reps["rep_id"])
    return [f"{FOLDER}/{names[rep_id]}" for rep_id in reps_listed_in(reps, region, unknown_region)] + \
        [f"{FOLDER}/{UNASSIGNED_FILE}"]


def snapshot_fix_list_files(snapshot: store.Snapshot, region: str) -> list[str]:
    """region_fix_list_files of a snapshot's reps table (what a run writes for ``region``)."""
    reps = store.read_table(snapshot, "reps", columns=["rep_id", "region"])
    return region_fix_list_files(reps, region, store.snapshot_regions(snapshot).unknown.code)


def _content(snapshot: store.Snapshot) -> str:
    # as runner.snapshot_content: the same data re-ingested keeps its lists
    return snapshot.manifest.get("input_fingerprint") or f"snapshot:{snapshot.id}"


def _meta(snapshot: store.Snapshot, period: Period, rules: FixListRules) -> dict:
    """What a kept list was made from: equal, the list is this period's as it would be found now."""
    return {"period": period.token, "content": _content(snapshot), "code": code_digest(),
            "rules": {key: sorted(value) if isinstance(value, frozenset) else value
                      for key, value in dataclasses.asdict(rules).items()}}


def find_problems(snapshot: store.Snapshot, period: Period, settings: AnalysisSettings,
                  locale: str = "zh") -> pd.DataFrame:
    """Every problem of every list of the snapshot at the end of ``period`` (owner_problems over the
    whole company: customers, reps, the last order line and interaction of each customer, and the
    lineage of the customer rows)."""
    unknown = store.snapshot_regions(snapshot).unknown.code
    end = period.end_exclusive_ts
    customers = store.read_table(snapshot, "customers")
    reps = store.read_table(snapshot, "reps")
    return owner_problems(customers, reps, _activity(snapshot, end), _customer_lineage(snapshot),
                          end - pd.Timedelta(milliseconds=1), fix_list_rules(settings, unknown), locale)


def _activity(snapshot: store.Snapshot, end: pd.Timestamp) -> pd.DataFrame:
    """Each customer's last order line and last interaction before ``end`` (summed by Arrow: ten
    million order lines are never turned into pandas rows)."""
    frames = []
    for table, column in (("orders", "order_date"), ("interactions", "date")):
        rows = store.read_arrow(snapshot, table, columns=["customer_id", column], date_column=column, until=end)
        rows = rows.filter(pc.is_valid(rows[column]))
        last = rows.group_by("customer_id", use_threads=False).aggregate([(column, "max")])
        frames.append(pd.DataFrame({"customer_id": last["customer_id"].to_pandas().astype("string"),
                                    "date": pd.to_datetime(last[f"{column}_max"].to_pandas())}))
    return pd.concat(frames, ignore_index=True)


def _customer_lineage(snapshot: store.Snapshot) -> pd.DataFrame | None:
    """The lineage of the raw rows that became customers (None for a snapshot without lineage)."""
    if not store.has_side_table(snapshot, "lineage"):
        return None
    lineage = store.read_side_table(snapshot, "lineage", arrow=True)
    if "status" not in lineage.column_names or "record_id" not in lineage.column_names:
        return None
    keep = pc.is_in(lineage["status"].cast(pa.string()), value_set=pa.array(["loaded", "merged"]))
    accounting = store.read_side_table(snapshot, "accounting")
    if "table" in accounting and "source" in lineage.column_names:
        sources = customer_sources(accounting)
        keep = pc.and_kleene(keep, pc.is_in(lineage["source"].cast(pa.string()),
                                            value_set=pa.array(sources, type=pa.string())))
    columns = [c for c in ("source", "source_file", "source_sheet", "source_row", "source_key", "status",
                           "record_id") if c in lineage.column_names]
    return lineage.filter(pc.fill_null(keep, False)).select(columns).to_pandas()


def period_problems(store_path: Path, snapshot: store.Snapshot, period: Period, settings: AnalysisSettings,
                    locale: str = "zh", keep: bool = False) -> pd.DataFrame:
    """The period's problems: those kept in the store when made from the same data, period, rules
    and code, else found now (and kept when ``keep``). Reasons in ``locale``."""
    rules = fix_list_rules(settings, store.snapshot_regions(snapshot).unknown.code)
    meta = _meta(snapshot, period, rules)
    kept = store.read_fix_list(store_path, period.label)
    if kept is not None and kept[1] == meta:
        problems = kept[0]
        return problems.assign(reason=problem_reasons(problems, locale)) if len(problems) else problems
    problems = find_problems(snapshot, period, settings, locale)
    if keep and not (kept is not None and _compared_with(store_path, period)):
        store.write_fix_list(store_path, period.label, problems, meta)
    return problems


def _compared_with(store_path: Path, period: Period) -> bool:
    """Whether a later period's kept lists were compared with this period's: this period's list is
    then settled (re-running 2025-Q3 on today's data must not make 2025-Q4's "fixed" count wrong)."""
    from custreport.periods import parse_period

    for path in (Path(store_path) / store.FIX_LISTS).glob("*.parquet"):
        kept = store.read_fix_list(store_path, path.stem)
        try:
            later = parse_period(str(kept[1].get("period", ""))) if kept else None
        except (UserError, ValueError):
            continue
        if later is not None and later.previous.label == period.label:
            return True
    return False


def previous_problems(store_path: Path, period: Period, locale: str = "zh") -> pd.DataFrame | None:
    """The lists kept for the period before ``period`` (by its label: 2025-Q3 for 2025-Q4, cut or
    not), reasons in ``locale``; None when that period's lists were never made."""
    kept = store.read_fix_list(store_path, period.previous.label)
    if kept is None:
        return None
    problems = kept[0]
    return problems.assign(reason=problem_reasons(problems, locale)) if len(problems) else problems


def keep_period_problems(store_path: Path, snapshot_id: str, period: Period, settings: AnalysisSettings,
                         locale: str) -> str:
    """Find the period's problems once for a run and keep them in the store; a line saying why not
    when the store may not be written (each region then finds them itself), else ""."""
    snapshot = store.open_snapshot(store_path, snapshot_id)
    try:
        period_problems(store_path, snapshot, period, settings, locale, keep=True)
    except OSError as exc:
        return (f"fix lists: {store.fix_list_path(store_path, period.label)} not written "
                f"({exc.strerror or exc}): next period's lists cannot say what was fixed since this one")
    return ""


# --------------------------------------------------------------------------- the workbooks


def lists_in_region(problems: pd.DataFrame | None, region: str) -> pd.DataFrame | None:
    """The problems on ``region``'s lists (its reps', and its customers' without an owner); every list
    for ``all``."""
    if problems is None or region == "all":
        return problems
    return problems[problems["region"].astype("string").eq(region).fillna(False).to_numpy(dtype=bool)]


def _of_list(problems: pd.DataFrame | None, rep_id: str | None, region: str) -> pd.DataFrame | None:
    """The problems on one list: a rep's (any region), or the unassigned list of ``region``."""
    if problems is None:
        return None
    owner = problems["owner_rep"].astype("string")
    if rep_id is not None:
        return problems[owner.eq(rep_id).fillna(False).to_numpy(dtype=bool)]
    return lists_in_region(problems[owner.isna().to_numpy(dtype=bool)], region)


def _kind_names(kinds: pd.Series, locale: str) -> pd.Series:
    return kinds.astype("string").map(lambda kind: i18n.label(f"fix_{kind}", locale), na_action="ignore")


def problems_sheet_frame(problems: pd.DataFrame, previous: pd.DataFrame | None, locale: str) -> pd.DataFrame:
    """A list's problems as its workbook shows them: the problem, the customer, the value and what
    is wrong, where it is at the source; whether it was on the last list too (when there is one);
    the kind's code last (stable, to filter by in any language)."""
    label = lambda key: i18n.label(key, locale)
    frame = pd.DataFrame({
        label("fix_problem"): _kind_names(problems["kind"], locale).to_numpy(),
        label("customer_id"): problems["customer_id"].to_numpy(), label("name"): problems["name"].to_numpy(),
        label("fix_value"): problems["value"].to_numpy(), label("fix_reason"): problems["reason"].to_numpy(),
        label("source"): problems["source"].to_numpy(), label("file"): problems["source_file"].to_numpy(),
        label("sheet"): problems["source_sheet"].to_numpy(), label("row"): problems["source_row"].to_numpy(),
    })
    if "source_key" in problems and problems["source_key"].notna().any():
        frame[label("source_key")] = problems["source_key"].to_numpy()
    if previous is not None:
        seen = problems["problem_key"].isin(set(previous["problem_key"]))
        frame[label("fix_on_last_list")] = seen.map({True: label("fix_seen_before"),
                                                     False: label("fix_first_seen")}).to_numpy()
    frame[label("fix_code")] = problems["kind"].to_numpy()
    return frame


def summary_sheet_frame(problems: pd.DataFrame, previous: pd.DataFrame | None, locale: str) -> pd.DataFrame:
    """Per kind of problem on a list: open now, and with a last list its count, fixed since and new."""
    label = lambda key: i18n.label(key, locale)
    summary = owner_summary(problems, previous)
    by_kind = summary.groupby("kind", sort=False)[["open", "previous", "fixed", "new"]].sum(min_count=1)
    by_kind = by_kind.reindex([kind for kind in KINDS if kind in by_kind.index])
    columns = {"open": "fix_open", **({"previous": "fix_previous", "fixed": "fix_fixed", "new": "fix_new"}
                                      if previous is not None else {})}
    frame = by_kind[list(columns)].astype("Int64").rename(columns={k: label(v) for k, v in columns.items()})
    frame.index = [i18n.label(f"fix_{kind}", locale) for kind in frame.index]
    frame.index.name = label("fix_problem")
    if len(frame):
        frame.loc[label("total")] = frame.sum()
    return frame


def done_sheet_frame(problems: pd.DataFrame, previous: pd.DataFrame, locale: str) -> pd.DataFrame:
    """The problems of the last list that are gone from this one (fixed), one row each."""
    label = lambda key: i18n.label(key, locale)
    gone = previous[~previous["problem_key"].isin(set(problems["problem_key"]))].drop_duplicates("problem_key")
    return pd.DataFrame({label("fix_problem"): _kind_names(gone["kind"], locale).to_numpy(),
                         label("customer_id"): gone["customer_id"].to_numpy(), label("name"): gone["name"].to_numpy(),
                         label("fix_value"): gone["value"].to_numpy(), label("fix_reason"): gone["reason"].to_numpy(),
                         label("fix_code"): gone["kind"].to_numpy()})


def list_sheets(who: str, problems: pd.DataFrame, previous: pd.DataFrame | None, period: Period,
                facts: list[tuple[str, str]], locale: str) -> list:
    """The workbook of one list: a cover (title, what it covers, the count and the comparison with
    the last list), the problems, their summary by kind, and with a last list what was fixed since."""
    from custreport.render.excel import Cover, Sheet

    label = lambda key: i18n.label(key, locale)
    note = lambda key, **values: i18n.note(key, locale, **values)
    open_count = problems["problem_key"].nunique()
    if previous is None:
        compared = note("fix.not_compared", previous=period.previous.label)
    else:
        summary = owner_summary(problems, previous)
        fixed, earlier, new = (int(summary[column].sum()) for column in ("fixed", "previous", "new"))
        compared = note("fix.compared", previous=period.previous.label, fixed=fixed, still=earlier - fixed, new=new)
    table = problems_sheet_frame(problems, previous, locale)
    sheets = [Sheet(label("fix_sheet"), table, description=note("sheet.fix_list"),
                    note="" if len(table) else note("fix.none")),
              Sheet(label("fix_summary_sheet"), summary_sheet_frame(problems, previous, locale), index=True,
                    total_rows=1 if open_count or previous is not None else 0, description=note("sheet.fix_summary"))]
    if previous is not None:
        sheets.append(Sheet(label("fix_done_sheet"), done_sheet_frame(problems, previous, locale),
                            description=note("sheet.fix_done")))
    title = i18n.report_title("fix_list", who, period.label, locale)
    cover_facts = [*facts, (label("fix_problems"), note("fix.cover_open", n=open_count, rows=len(problems))),
                   (label("fix_previous"), compared)]
    return [Cover(label("cover_sheet"), title, cover_facts, (label("sheet"), label("sheet_contents")), sheets), *sheets]


def write_fix_lists(snapshot: store.Snapshot, period: Period, settings: AnalysisSettings, regions: RegionTable,
                    region: str, locale: str, folder: Path, generated_at: dt.datetime | None = None) -> list[str]:
    """Write ``region``'s fix lists into ``folder`` (snapshot_fix_list_files names them); return
    their paths in it. Every workbook holds contacts masked."""
    from custreport.render.excel import write_workbook
    from custreport.reporting.provenance import period_text
    from custreport.reporting.request import data_coverage

    store_path = snapshot.path.parents[1]
    problems = period_problems(store_path, snapshot, period, settings, locale)
    previous = previous_problems(store_path, period, locale)
    reps = store.read_table(snapshot, "reps", columns=["rep_id", "name", "region"])
    unknown = regions.unknown.code
    names = list_file_names(reps["rep_id"])
    coverage = data_coverage(snapshot.manifest)
    when = (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    label = lambda key: i18n.label(key, locale)
    common = [(label("period"), period_text(period, locale)),
              (label("data_through"), str(coverage[1]) if coverage else label("no_data")),
              (label("snapshot"), snapshot.id), (label("generated_at"), when)]
    place = Path(folder) / FOLDER
    place.mkdir(parents=True, exist_ok=True)
    written = []
    rep_names = dict(zip(reps["rep_id"].astype(str), reps["name"].astype("string").fillna(reps["rep_id"])))
    rep_regions = dict(zip(reps["rep_id"].astype(str), reps["region"].astype("string").fillna(unknown)))
    for rep_id in reps_listed_in(reps, region, unknown):
        who = i18n.note("fix.rep_title", locale, rep=rep_names[rep_id], rep_id=rep_id)
        facts = [(label("rep"), who), (label("region"), regions.display_name(rep_regions[rep_id], locale)), *common]
        sheets = list_sheets(who, _of_list(problems, rep_id, region), _of_list(previous, rep_id, region), period,
                             facts, locale)
        write_workbook(place / names[rep_id], sheets, contacts_masked=True)
        written.append(f"{FOLDER}/{names[rep_id]}")
    who = f"{label('fix_unassigned_list')} · {regions.display_name(region, locale)}"
    facts = [(label("region"), regions.display_name(region, locale)), *common]
    write_workbook(place / UNASSIGNED_FILE, list_sheets(who, _of_list(problems, None, region),
                                                        _of_list(previous, None, region), period, facts, locale),
                   contacts_masked=True)
    return [*written, f"{FOLDER}/{UNASSIGNED_FILE}"]


# --------------------------------------------------------------------------- the quality report's figures


def region_summary(problems: pd.DataFrame, previous: pd.DataFrame | None, region: str) -> pd.DataFrame:
    """owner_summary of the lists kept in ``region``'s folder (every list for ``all``)."""
    return owner_summary(lists_in_region(problems, region), lists_in_region(previous, region))
