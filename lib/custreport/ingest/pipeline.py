"""Ingest: every configured source into the canonical tables, with full accounting.

For every source the identity ``rows read = loaded + merged + non-data + quarantined``
holds exactly, and the lineage table says what each raw row became.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from custreport import schema
from custreport.config import RegionTable, SourcesConfig, SourceSpec
from custreport.errors import UserError
from custreport.ingest.accounting import QuarantineLimitExceeded, column_completeness, quarantine_breaches, \
    region_accounting, source_accounting
from custreport.ingest.arrow_pool import use_jemalloc
from custreport.ingest.attach import CustomerIndex
from custreport.ingest.dedupe import REGISTRY_COLUMNS, first_by_identity, first_occurrence, golden_records
from custreport.ingest.headers import CUSTOMER_NAME
from custreport.ingest.inputs import input_fingerprint, links_out_of_project, source_files
from custreport.ingest.match import MatchReport, MatchRules, match_clusters, match_features
from custreport.ingest.merged_records import customers_merged_from_rows
from custreport.ingest.prepare import Prepared
from custreport.ingest.profile import StageClock
from custreport.ingest.read_all import read_and_prepare_files
from custreport.ingest.read_sql import Extract, refresh_extracts
from custreport.ingest.result import IngestResult, ingest_warnings, match_warnings
from custreport.ingest.regional import FixTally, customer_regions, place_quarantined_rows, region_by
from custreport.ingest.sheet_rows import LINEAGE_COLUMNS, NON_DATA_COLUMNS, QUARANTINE_COLUMNS, rows_where
from custreport.ingest.standardize import name_keys
from custreport.schema import store_currencies


def ingest(config: SourcesConfig, base: Path, regions: RegionTable,
           on_file: Callable[[str, Path], None] | None = None,
           registry: pd.DataFrame | None = None, helper_process: bool = False,
           extracts: dict[str, Extract] | None = None) -> IngestResult:
    """Read, standardise, deduplicate and attach every source of ``config``.

    ``registry`` maps names seen by earlier ingests to their customer ids (the
    current snapshot's ``customer_keys``), so ids survive new and changed sources.
    ``helper_process``: large sources may be prepared in a second process (see
    PARALLEL_FROM_BYTES). Python starts it by importing the calling script again, so a
    script passing True keeps its work under ``if __name__ == "__main__":`` (the
    ``custreport ingest`` command does). ``extracts``: the database sources as read
    (read_sql.refresh_extracts; read now into a temporary folder when not given).
    """
    use_jemalloc()
    clock = StageClock()
    if extracts is None:
        extracts = refresh_extracts(config.sources, None)
    files, link_warnings = _files_to_read(config, base, extracts)
    prepared, rows_read, files_read, inputs = read_and_prepare_files(files, base, regions, on_file, helper_process)
    clock.lap("read and prepare")

    non_data = _concat([p.non_data for parts in prepared.values() for p in parts], NON_DATA_COLUMNS)
    lineage_parts = [non_data.assign(status="non_data", record_id=pd.NA, region=pd.NA)]
    fixes = FixTally(prepared)
    completeness = column_completeness(prepared)

    customers_rows = _rows_of(prepared, "customers")
    orders_rows = _rows_of(prepared, "orders")
    if customers_rows.empty and not orders_rows.empty:
        customers_rows = _customers_from_orders(orders_rows, regions)
    places = regions.place_names()
    features = match_features(customers_rows, places) if len(customers_rows) else None
    rules = _match_rules(config)
    customers, member_ids, customer_keys, match_report = _dedupe_customers(customers_rows, features, regions,
                                                                           rules, registry)
    clock.lap("match customers")
    warnings = match_warnings(match_report, rules)
    if link_warnings:
        warnings = pd.concat([ingest_warnings(link_warnings), warnings], ignore_index=True)
    if len(customers_rows) and "source_file" in customers_rows and customers_rows["source_file"].notna().any():
        # A customer row belongs to the region of the record it became.
        became = customer_regions(customers, member_ids)
        fixes.add_rows("customers", became)
        lineage_parts.append(_lineage_of(customers_rows, member_ids).assign(region=became.to_numpy()))

    attach = CustomerIndex(customers_rows, member_ids, places, features)
    attach_index = attach.lookup_frame()
    # Each large frame is let go once its last use is past: at ten million order lines every
    # gigabyte held to the end of ingest adds to its peak.
    del features, customers_rows
    reps_rows = _rows_of(prepared, "reps")
    fixes.add_rows("reps", reps_rows["region"] if len(reps_rows) else pd.Series(dtype="string"))
    reps, reps_lineage = _dedupe_by_id(reps_rows, "rep_id")
    lineage_parts.append(reps_lineage)
    place_quarantined_rows(prepared, attach, customers, reps, regions)

    # The largest table: its name columns go once resolved, and rows are filtered once, for
    # unknown customers and duplicates together (each filter copies ten million lines).
    orders_rows, unknown, orders_quarantine = attach.attach_unfiltered(orders_rows, "orders", required=True)
    if len(orders_rows):
        # Denormalised so the store can prune orders by region without a join (looked up by
        # Arrow: ten million ids factorized and broadcast back took seconds and a gigabyte).
        orders_rows = orders_rows.assign(region=customer_regions(customers, orders_rows["customer_id"]))
        fixes.add_rows("orders", orders_rows["region"])
    orders, orders_lineage = _dedupe_by_id(_fill_ids(orders_rows, "order_id", "O"), "order_id", ORDER_IDENTITY,
                                           usable=~unknown)
    del orders_rows, unknown
    lineage_parts.append(orders_lineage)
    clock.lap("attach orders")

    deals_rows = _rows_of(prepared, "deals")
    deals, deals_quarantine = attach.attach(deals_rows, "deals", required=False)
    deals = _deal_regions(deals, reps, customers, regions)
    fixes.add_rows("deals", deals["region"] if len(deals) else pd.Series(dtype="string"))
    deals, deals_lineage = _dedupe_by_id(_fill_ids(deals, "deal_id", "D"), "deal_id")
    lineage_parts.append(deals_lineage)

    # A lead names a customer only when it became one: a prospect's company is no customer yet.
    leads, _ = attach.attach(_rows_of(prepared, "leads"), "leads", required=False)
    leads = _lead_regions(_link_leads(_fill_ids(leads, "lead_id", "L"), deals), reps, customers, deals, regions)
    fixes.add_rows("leads", leads["region"] if len(leads) else pd.Series(dtype="string"))
    leads, leads_lineage = _dedupe_by_id(leads, "lead_id")
    lineage_parts.append(leads_lineage)

    interactions, unknown, interactions_quarantine = attach.attach_unfiltered(
        _rows_of(prepared, "interactions"), "interactions", required=True)
    del attach   # with the variants of every known name
    interactions_region = customer_regions(customers, interactions["customer_id"]) if len(interactions) else \
        pd.Series(dtype="string")
    fixes.add_rows("interactions", interactions_region)
    if unknown.any():
        interactions, interactions_region = rows_where(interactions, ~unknown.to_numpy(dtype=bool)), \
            interactions_region[~unknown]
    lineage_parts.append(_loaded_lineage(interactions).assign(region=interactions_region.to_numpy()))
    quarantine_parts = [p.quarantine for parts in prepared.values() for p in parts]
    clock.lap("deals, leads, interactions")

    quarantine, lineage = _quarantine_and_lineage(quarantine_parts, orders_quarantine, deals_quarantine,
                                                  interactions_quarantine, lineage_parts)
    # The orders' lineage part still holds the order lines' lineage columns from before filtering.
    del lineage_parts, orders_lineage, deals_lineage, reps_lineage, leads_lineage

    tables = _valid_tables({"customers": customers, "orders": orders, "deals": deals, "interactions": interactions,
                            "leads": leads, "reps": reps})
    accounting = source_accounting(config, rows_read, files_read, lineage)
    by_region = region_accounting(config, lineage)
    # Summed here from the lineage once, so no report reads the lineage of every raw row.
    customer_sources = pd.Series([spec.name for spec in config.sources if spec.table == "customers"], dtype="string")
    merged_customers = customers_merged_from_rows(lineage, customer_sources)
    result = IngestResult(tables, lineage, quarantine, accounting, fixes.frame(), inputs, customer_keys, completeness,
                          merged_customers, warnings, by_region, attach_index)
    clock.lap("check and account")
    result.profile = clock
    return result


def _files_to_read(config: SourcesConfig, base: Path,
                   extracts: dict[str, Extract]) -> tuple[list[tuple[SourceSpec, Path]], list[dict]]:
    """Every (source, file) to read (a database source's file is its extract), and an ingest
    warning for each file that is a link leading out of the project folder."""
    files, link_warnings = [], []
    for spec in config.sources:
        if spec.type == "sql":
            files.append((spec, extracts[spec.name].path))
            continue
        found = source_files(spec.path, base, spec.name)
        if not found:
            raise UserError(f"source {spec.name!r}: no file matches {spec.path!r} (looked in {base})")
        files += [(spec, path) for path in found]
        link_warnings += [{"code": "link_out_of_project", "source": spec.name, "count": 1,
                           "message": f"{path.relative_to(base)} leads outside the project folder, to {target}; "
                                      "it was read",
                           "remedy": f"if that is meant, name {target} as the source's path; if not, remove the link"}
                          for path, target in links_out_of_project(found, spec.path, base)]
    return files, link_warnings


def _quarantine_and_lineage(read_quarantine: list[pd.DataFrame], orders_quarantine: pd.DataFrame,
                            deals_quarantine: pd.DataFrame, interactions_quarantine: pd.DataFrame,
                            lineage_parts: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every row set aside (at reading and at attaching), and the lineage of every raw row:
    ``lineage_parts`` plus the quarantined rows (order lines set aside at attach are in the
    orders' own lineage already)."""
    quarantine = _concat([*read_quarantine, orders_quarantine, deals_quarantine, interactions_quarantine],
                         QUARANTINE_COLUMNS)
    quarantined = _concat([*read_quarantine, deals_quarantine, interactions_quarantine],
                          QUARANTINE_COLUMNS).assign(status="quarantined", record_id=pd.NA)
    lineage_columns = [*LINEAGE_COLUMNS, "status", "record_id", "region"]
    lineage = _concat([part[lineage_columns] for part in [*lineage_parts, quarantined] if len(part)], lineage_columns)
    return quarantine, lineage


def _valid_tables(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each table conformed to its canonical columns and types, and validated."""
    tables = {table: schema.conform(frame, table) for table, frame in frames.items()}
    for table, frame in tables.items():
        schema.validate(frame, table)
    return tables


# --------------------------------------------------------------------------- customers


def _match_rules(config: SourcesConfig) -> MatchRules:
    unknown = sorted(set(config.dedupe) - set(MatchRules.__dataclass_fields__))
    if unknown:
        raise UserError(f"sources file: dedupe: unknown setting {unknown[0]!r}; "
                        f"known are {', '.join(MatchRules.__dataclass_fields__)}")
    return MatchRules(**config.dedupe)


def _dedupe_customers(rows: pd.DataFrame, features: pd.DataFrame | None, regions: RegionTable, rules: MatchRules,
                      registry: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, MatchReport]:
    if rows.empty:
        return (schema.empty_frame("customers"), pd.Series(dtype="string"), pd.DataFrame(columns=REGISTRY_COLUMNS),
                MatchReport({}, {}))
    labels, report = match_clusters(features, rules)
    golden, member_ids, customer_keys = golden_records(rows, labels, registry)
    # A golden record takes its first known region, not the unknown placeholder.
    known = rows["region"].mask(rows["region"] == regions.unknown.code)
    region = known.groupby(member_ids.to_numpy(), sort=False).first()
    golden["region"] = golden["customer_id"].map(region).fillna(regions.unknown.code).astype("string")
    return golden, member_ids, customer_keys, report


def _customers_from_orders(orders: pd.DataFrame, regions: RegionTable) -> pd.DataFrame:
    """For an orders-only dataset: one customer per distinct customer key the orders name."""
    name = orders[CUSTOMER_NAME].fillna(orders["customer_id"])
    derived = pd.DataFrame({
        "name": name,
        "name_key": orders["customer_key"].fillna(name_keys(orders["customer_id"])),
        "source_customer_id": orders["customer_id"],
        "region": regions.unknown.code,
        "created_at": orders["order_date"],
        "source": orders["source"],
        "source_sheet": orders["source_sheet"],
        "source_row": orders["source_row"],
    })
    # These rows are not raw customer rows, so they carry no lineage of their own. One row per
    # source customer id and name it goes by: the id joins its names exactly in matching, and
    # two ids sharing a name stay two customers unless matching finds them one.
    return (derived.dropna(subset=["name_key"]).drop_duplicates(["source", "source_customer_id", "name_key"])
            .assign(source_file=pd.NA, source_key=pd.NA))


def _fill_ids(rows: pd.DataFrame, column: str, prefix: str) -> pd.DataFrame:
    """Rows without an id get one from their lineage, so they stay traceable and distinct."""
    missing = rows[column].isna() if len(rows) else None
    if missing is None or not missing.any():
        return rows
    # Made for the rows missing one only: for ten million order lines the text is gigabytes.
    part = rows[missing]
    # A database row is named by its key: its position moves when rows are added before it.
    where = (part["source_file"].fillna("") + "-" + part["source_sheet"].fillna("") + "-"
             + part["source_row"].astype("string"))
    if "source_key" in part:
        where = part["source_key"].fillna(where)
    made = prefix + "-" + part["source"] + "-" + where
    return rows.assign(**{column: rows[column].fillna(made)})


# An order row repeated with the same content is a duplicate export; rows sharing an order
# id but differing in product, amount or quantity are lines of one order and all count.
ORDER_IDENTITY = ["order_id", "customer_id", "order_date", "amount", "quantity", "unit_price", "product", "status"]


def _dedupe_by_id(rows: pd.DataFrame, column: str, identity: list[str] | None = None,
                  usable: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the first row per id (or per ``identity`` columns); later ones are merged duplicates.

    Rows not ``usable`` (default: all are) are set aside: their lineage says quarantined. With
    an identity, each must differ from every usable row in it, or a usable row could count as
    its duplicate: order lines of unknown customers have no customer id, every usable line has.
    """
    if rows.empty:
        return rows, pd.DataFrame(columns=[*LINEAGE_COLUMNS, "status", "record_id", "region"])
    if identity:
        first = first_by_identity(rows, [c for c in identity if c in rows])
    else:
        first = first_occurrence(rows[column] if usable is None else rows[column].where(usable))
    kept = first if usable is None else first & usable
    status = np.where(first.to_numpy(), 0, 1)
    if usable is not None:
        status = np.where(usable.to_numpy(), status, 2)
    # Lineage of every row without filtering them (a filter copies ten million lines).
    lineage = rows[LINEAGE_COLUMNS].assign(status=_statuses(status),
                                           record_id=rows[column] if usable is None else rows[column].where(usable),
                                           region=rows["region"] if "region" in rows else pd.NA)
    return rows_where(rows, kept.to_numpy(dtype=bool)).reset_index(drop=True), lineage


def _statuses(codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Lineage statuses from codes 0 loaded, 1 merged, 2 quarantined, built in Arrow (numpy
    would first make fixed-width text, half a gigabyte for ten million rows)."""
    names = pa.array(["loaded", "merged", "quarantined"], type=pa.large_string())
    return pd.array(names.take(pa.array(codes.astype("int8"))), dtype=pd.StringDtype("pyarrow"))


def _lineage_of(rows: pd.DataFrame, member_ids: pd.Series) -> pd.DataFrame:
    first = first_occurrence(member_ids)
    return rows[LINEAGE_COLUMNS].assign(status=_statuses(np.where(first.to_numpy(), 0, 1)), record_id=member_ids)


def _loaded_lineage(rows: pd.DataFrame) -> pd.DataFrame:
    """Lineage of rows kept as they are (interactions have no record id of their own)."""
    if rows.empty:
        return pd.DataFrame(columns=[*LINEAGE_COLUMNS, "status", "record_id"])
    return rows[LINEAGE_COLUMNS].assign(status="loaded", record_id=pd.NA)


def _deal_regions(deals: pd.DataFrame, reps: pd.DataFrame, customers: pd.DataFrame,
                  regions: RegionTable) -> pd.DataFrame:
    """Region of a deal: its own, else its owner rep's, else its customer's, else unknown."""
    return _linked_regions(deals, reps, [("customer_id", region_by(customers, "customer_id"))], regions)


def _lead_regions(leads: pd.DataFrame, reps: pd.DataFrame, customers: pd.DataFrame, deals: pd.DataFrame,
                  regions: RegionTable) -> pd.DataFrame:
    """Region of a lead: its own, else its owner rep's, else its deal's, else its customer's, else unknown."""
    return _linked_regions(leads, reps, [("deal_id", region_by(deals, "deal_id")),
                                         ("customer_id", region_by(customers, "customer_id"))], regions)


def _linked_regions(rows: pd.DataFrame, reps: pd.DataFrame, links: list[tuple[str, pd.Series]],
                    regions: RegionTable) -> pd.DataFrame:
    """``rows`` with their region filled from the owner rep's, then from each of ``links``
    (a column and the region of each of its values) in turn, else unknown."""
    if rows.empty:
        return rows
    rep_region = region_by(reps, "name")
    rep_region = rep_region.mask(rep_region == regions.unknown.code)
    # Lookups through empty tables come back untyped; typed, they fill like any other text.
    region = rows["region"].fillna(rows["owner_rep"].map(rep_region).astype("string"))
    for column, region_of in links:
        region = region.fillna(rows[column].map(region_of).astype("string"))
    return rows.assign(region=region.fillna(regions.unknown.code).astype("string"))


def _link_leads(leads: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Each lead's deal: the one it names (kept even when the deals are not in the data: it was
    converted), else one that names it (a won one first, then the earliest); and its customer:
    its own, else its deal's."""
    if leads.empty:
        return leads
    named = leads["deal_id"]
    naming = deals.dropna(subset=["lead_id"]) if len(deals) else deals
    if len(naming):
        naming = naming.assign(_won=naming["outcome"].ne("won")).sort_values(["_won", "created_at"], kind="stable")
        named = named.fillna(leads["lead_id"].map(naming.drop_duplicates("lead_id").set_index("lead_id")["deal_id"])
                             .astype("string"))
    deal_customer = deals.drop_duplicates("deal_id").set_index("deal_id")["customer_id"] if len(deals) else \
        pd.Series(dtype="string")
    customer = leads["customer_id"].fillna(named.map(deal_customer).astype("string"))
    return leads.assign(deal_id=named.astype("string"), customer_id=customer.astype("string"))


# --------------------------------------------------------------------------- frames


def _rows_of(prepared: dict[str, list[Prepared]], table: str) -> pd.DataFrame:
    """The usable rows of every sheet of ``table`` in one frame; the sheets' own frames are let
    go, so a large table is held once, not twice."""
    rows = _concat([part.data for part in prepared[table]])
    for part in prepared[table]:
        part.data = pd.DataFrame()
    return rows


def _concat(parts: list[pd.DataFrame], columns: list[str] | None = None) -> pd.DataFrame:
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return pd.DataFrame(columns=columns or [])
    frame = pd.concat(parts, ignore_index=True)
    return frame[columns] if columns else frame


def ingest_to_store(config_path: Path | None = None, store_path: Path | None = None,
                    on_file: Callable[[str, Path], None] | None = None, helper_process: bool = False,
                    dry_run: bool = False, wait: float = 0.0, full: bool = False,
                    extracts: dict[str, Extract] | None = None):
    """Run ingest for params/sources.yaml and write a new current snapshot; returns (result, snapshot).

    ``helper_process``: see ingest. ``dry_run``: read and account for everything but write
    nothing (the snapshot returned is None). Raises QuarantineLimitExceeded, writing nothing,
    when a source quarantined more than its ``max_quarantined`` share. Holds the store's lock
    (waiting up to ``wait`` seconds for another ingest) unless it is a dry run. When the only
    change is new order files, they are added to the current snapshot (ingest.increment) unless
    ``full``; the result's ``added`` or ``full_because`` says which was done. Database sources
    are read first into the store's extracts (a dry run: a temporary folder), unless
    ``extracts`` holds them read already; ``full`` reads them in full too.
    """
    from custreport.config import default_store, load_sources
    from custreport.locks import store_lock

    config, base = load_sources(config_path)
    store_folder = Path(store_path or default_store(base))
    with nullcontext() if dry_run else store_lock(store_folder, "ingest", wait):
        if extracts is None:
            extracts = refresh_extracts(config.sources, None if dry_run else store_folder, full)
        result, snapshot = _ingest_to_store(config, base, config_path, store_folder, on_file, helper_process, dry_run,
                                            full, extracts)
        result.database_reads = [extract.describe(name) for name, extract in extracts.items()]
        return result, snapshot


def _ingest_to_store(config, base: Path, config_path: Path | None, store_folder: Path,
                     on_file: Callable[[str, Path], None] | None, helper_process: bool, dry_run: bool, full: bool,
                     extracts: dict[str, Extract]):
    from custreport import store
    from custreport.config import load_regions, project_root

    if config.regions:
        regions_path = base / config.regions
    elif (base / "params" / "regions.yaml").is_file():
        regions_path = base / "params" / "regions.yaml"
    else:
        regions_path = project_root() / "params" / "regions.yaml"
    regions = load_regions(regions_path)
    config_file = Path(config_path) if config_path else project_root() / "params" / "sources.yaml"
    added = None if full else _added_to_current(config, base, config_file, store_folder, regions, on_file, dry_run,
                                                extracts)
    if added is not None and added[0].added:
        return added
    try:
        registry = store.read_side_table(store.current_snapshot(store_folder), "customer_keys")
    except UserError:  # first ingest into this store
        registry = None
    result = ingest(config, base, regions, on_file=on_file, registry=registry, helper_process=helper_process,
                    extracts=extracts)
    result.full_because = "asked for (--full)" if full else added[0].full_because if added else ""
    breaches = quarantine_breaches(config, result.accounting, result.quarantine)
    if breaches:
        raise QuarantineLimitExceeded(breaches, result)
    if dry_run:
        return result, None
    side = {"lineage": result.lineage, "quarantine": result.quarantine, "accounting": result.accounting,
            "fixes": result.fixes, "customer_keys": result.customer_keys, "completeness": result.completeness,
            "merged_customers": result.merged_customers, "warnings": result.warnings,
            "region_accounting": result.region_accounting, "attach_index": result.attach_index}
    manifest = {"inputs": result.inputs, "input_fingerprint": input_fingerprint(result.inputs, config_file, base),
                "settings_fingerprint": input_fingerprint([], config_file, base),
                "ingest_profile": result.profile.stages,
                "data_range": _data_range(result.tables), "sources_config": str(config_path or "params/sources.yaml"),
                "currencies": store_currencies(result.tables),
                "accounting": result.accounting.to_dict(orient="records")}
    # The snapshot keeps its regions table: reports on it must read region codes the same way.
    snapshot = store.write_snapshot(store_folder, result.tables, side, manifest, keep=config.keep_snapshots,
                                    mapped_copies=config.mapped_copies,
                                    files={store.REGIONS_FILE: regions_path.read_bytes()})
    result.profile.lap("write snapshot")
    return result, snapshot


def _added_to_current(config, base: Path, config_file: Path, store_folder: Path, regions: RegionTable,
                      on_file: Callable[[str, Path], None] | None, dry_run: bool, extracts: dict[str, Extract]):
    """(result, snapshot) of new order files added to the current snapshot (ingest.increment),
    or (a result saying why not, None) when only a full ingest can be made."""
    from custreport.ingest.increment import IncrementRefused, add_to_store, ingest_increment, plan_increment

    use_jemalloc()
    clock = StageClock()
    files, link_warnings = _files_to_read(config, base, extracts)
    plan = plan_increment(config, base, config_file, store_folder, files)
    clock.lap("compare inputs")
    if plan.base is None:
        return IngestResult({}, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                            full_because=plan.reason), None
    try:
        result, written = ingest_increment(config, base, config_file, regions, plan, files, link_warnings, on_file,
                                           clock)
        breaches = quarantine_breaches(config, result.accounting, result.quarantine)
        if breaches:
            raise QuarantineLimitExceeded(breaches, result)
        if dry_run:
            return result, None
        snapshot = add_to_store(store_folder, plan, result, written, config.keep_snapshots, config.mapped_copies)
        clock.lap("write snapshot")
        return result, snapshot
    except IncrementRefused as refused:
        return IngestResult({}, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                            full_because=str(refused)), None


def _data_range(tables: dict[str, pd.DataFrame]) -> dict:
    """First and last dates per table, so reports can default to the latest complete period."""
    columns = {"orders": "order_date", "deals": "created_at", "customers": "created_at", "interactions": "date",
               "leads": "created_at"}
    out = {}
    for table, column in columns.items():
        values = tables[table][column].dropna() if len(tables[table]) else None
        if values is not None and len(values):
            out[table] = [values.min().isoformat(), values.max().isoformat()]
    closed = tables["deals"]["closed_at"].dropna() if len(tables["deals"]) else None
    if closed is not None and len(closed):   # won-deal revenue runs to the last close
        out["deals_closed"] = [closed.min().isoformat(), closed.max().isoformat()]
    return out
