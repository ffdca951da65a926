"""Incremental ingest: new order files added to the current snapshot without reading again what
it was made from.

When the only change since the current snapshot is new files of order sources (a day's or a
month's orders, named so they sort after the files read before), the new snapshot is the old
one plus those rows: the new files are read and prepared, their rows attached to the customers
through the index the snapshot keeps (side table ``attach_index``), deduplicated against the
stored order lines with the same order ids, and written as one more file per region they touch.
Every other file is shared with the old snapshot (a hard link, never rewritten). The result is
the store a full ingest of the same inputs makes: the same rows in the same order, the same
integer keys, accounting, fixes, lineage and quarantine (tests/ingest/test_increment.py).

Anything else (a changed or removed file, a new customer, deal or interaction file, other
params or code) makes a full ingest, and ``custreport ingest`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from custreport import schema, store
from custreport.config import RegionTable, SourcesConfig, SourceSpec
from custreport.ingest.accounting import ACCOUNTING_COLUMNS, column_completeness, region_accounting, \
    source_accounting
from custreport.ingest.attach import CustomerIndex
from custreport.ingest.inputs import input_fingerprint, input_record, known_digest
from custreport.ingest.pipeline import ORDER_IDENTITY, _concat, _fill_ids, _quarantine_and_lineage, \
    _rows_of, _statuses
from custreport.ingest.profile import StageClock
from custreport.ingest.read_all import read_and_prepare_files
from custreport.ingest.regional import FixTally, customer_regions, place_quarantined_rows
from custreport.ingest.result import IngestResult, ingest_warnings
from custreport.ingest.sheet_rows import LINEAGE_COLUMNS, NON_DATA_COLUMNS, QUARANTINE_COLUMNS
from custreport.store_write import MAPPED_SUFFIX, STORED_KEYS, month_codes, month_label, month_of_file, \
    write_parquet, write_rows_file

# Side tables that grow with the rows read: an increment adds a file, the old ones are shared.
GROWING_SIDE_TABLES = ("lineage", "quarantine")


@dataclass
class Increment:
    """The files an incremental ingest adds to ``base`` (in reading order), or why it cannot."""

    base: store.Snapshot | None
    new_files: list[tuple[SourceSpec, Path]]
    digests: dict[str, str]      # sha256 of every file to read, by its name in the manifest
    reason: str = ""             # why a full ingest is needed (empty when an increment can be made)


def input_name(path: Path, base: Path) -> str:
    """A file's name as the manifest's inputs record it."""
    return str(path.relative_to(base) if path.is_relative_to(base) else path)


def plan_increment(config: SourcesConfig, base: Path, config_file: Path, store_folder: Path,
                   files: list[tuple[SourceSpec, Path]]) -> Increment:
    """Whether the ingest of ``files`` can add to the current snapshot of ``store_folder``."""
    try:
        snapshot = store.current_snapshot(store_folder)
    except Exception:   # no store yet, or one that cannot be read: a full ingest says what is wrong
        return Increment(None, [], {}, "no snapshot to add to")
    manifest = snapshot.manifest
    if manifest.get("settings_fingerprint") != input_fingerprint([], config_file, base):
        return Increment(None, [], {}, "params or code changed since the current snapshot")
    if not store.has_side_table(snapshot, "attach_index") or not store.filed_by_region(snapshot, "orders") \
            or any(month_of_file(file) is None for _, file in manifest["parts"]["orders"]):
        return Increment(None, [], {}, "the current snapshot was written by an older version")
    if not any(spec.table == "customers" for spec in config.sources):
        return Increment(None, [], {}, "customers are made from the orders (no customer source)")
    recorded = {entry["file"]: entry for entry in manifest.get("inputs", [])}
    digests = {input_name(path, base): known_digest(path, input_name(path, base), recorded) for _, path in files}
    before: dict[str, list[tuple[str, str]]] = {}
    for entry in manifest.get("inputs", []):
        before.setdefault(entry["source"], []).append((entry["file"], entry["sha256"]))
    new_files = []
    for spec in config.sources:
        now = [(input_name(path, base), digests[input_name(path, base)]) for s, path in files if s is spec]
        old = before.pop(spec.name, [])
        if now[:len(old)] != old:
            changed = next((name for (name, digest), was in zip(now, old) if (name, digest) != was),
                           old[len(now)][0] if len(old) > len(now) else "")
            return Increment(None, [], {}, f"source {spec.name!r}: {changed} changed or was removed")
        added = [(s, path) for s, path in files if s is spec][len(old):]
        if added and spec.table != "orders":
            return Increment(None, [], {}, f"source {spec.name!r} ({spec.table}) has new files; only order "
                                           "files are added to a snapshot")
        new_files += added
    if before:
        return Increment(None, [], {}, f"source {sorted(before)[0]!r} is no longer configured")
    if not new_files:
        return Increment(None, [], {}, "no new files")
    return Increment(snapshot, new_files, digests)


def ingest_increment(config: SourcesConfig, base: Path, config_file: Path, regions: RegionTable,
                     plan: Increment, files: list[tuple[SourceSpec, Path]], link_warnings: list[dict],
                     on_file: Callable[[str, Path], None] | None = None,
                     clock: StageClock | None = None) -> tuple[IngestResult, dict]:
    """The rows of ``plan.new_files`` made ready to add to ``plan.base``: the ingest result (its
    ``tables`` hold the new rows only; accounting, fixes, quarantine and warnings are the whole
    snapshot's) and what write_increment needs (see add_to_store)."""
    snapshot = plan.base
    clock = clock or StageClock()
    prepared, rows_read, files_read, _ = read_and_prepare_files(plan.new_files, base, regions, on_file, False)
    clock.lap("read and prepare")
    index = CustomerIndex.from_lookups(store.read_side_table(snapshot, "attach_index", arrow=True),
                                      regions.place_names())
    customers = store.read_table(snapshot, "customers", columns=["customer_id", "region"])
    reps = store.read_table(snapshot, "reps")
    fixes = FixTally(prepared)
    completeness = column_completeness(prepared)
    place_quarantined_rows(prepared, index, customers, reps, regions)

    rows, unknown, orders_quarantine = index.attach_unfiltered(_rows_of(prepared, "orders"), "orders", required=True)
    if len(rows):
        rows = rows.assign(region=customer_regions(customers, rows["customer_id"]))
        fixes.add_rows("orders", rows["region"])
    rows = _fill_ids(rows, "order_id", "O")
    orders, lineage_part = _new_order_lines(snapshot, rows, ~unknown)
    clock.lap("attach and deduplicate orders")
    non_data = _concat([p.non_data for parts in prepared.values() for p in parts], NON_DATA_COLUMNS)
    lineage_parts = [non_data.assign(status="non_data", record_id=pd.NA, region=pd.NA), lineage_part]
    empty = pd.DataFrame(columns=QUARANTINE_COLUMNS)
    quarantine, lineage = _quarantine_and_lineage([p.quarantine for parts in prepared.values() for p in parts],
                                                  orders_quarantine, empty, empty, lineage_parts)

    added = source_accounting(config, rows_read, files_read, lineage)
    accounting = _summed(store.read_side_table(snapshot, "accounting"), added, ["source"], ACCOUNTING_COLUMNS)
    by_region = _summed(store.read_side_table(snapshot, "region_accounting"), region_accounting(config, lineage),
                        ["source", "region"], None)
    accounting, by_region = _merged_into(snapshot, lineage, accounting, by_region)
    all_quarantine = pd.concat([store.read_side_table(snapshot, "quarantine"), quarantine], ignore_index=True)
    kept_warnings = store.read_side_table(snapshot, "warnings")
    kept_warnings = kept_warnings[kept_warnings["code"] != "link_out_of_project"]
    warnings = pd.concat([ingest_warnings(link_warnings), kept_warnings], ignore_index=True)[kept_warnings.columns] \
        if link_warnings else kept_warnings.reset_index(drop=True)
    side = {
        "accounting": accounting, "region_accounting": by_region, "warnings": warnings,
        "fixes": _summed(store.read_side_table(snapshot, "fixes"), fixes.frame(), ["source", "region", "fix"], None),
        "completeness": _completeness(store.read_side_table(snapshot, "completeness"), completeness),
    }
    inputs = [input_record(spec.name, path, base, plan.digests[input_name(path, base)]) for spec, path in files]
    rows_stored = {**snapshot.manifest["rows"], "orders": snapshot.manifest["rows"]["orders"] + len(orders)}
    result = IngestResult({"orders": orders}, lineage, all_quarantine, accounting, side["fixes"], inputs,
                          completeness=side["completeness"], warnings=warnings, region_accounting=by_region,
                          row_counts=rows_stored,
                          added=", ".join(input_name(path, base) for _, path in plan.new_files))
    clock.lap("accounting")
    result.profile = clock
    manifest = {key: value for key, value in snapshot.manifest.items() if key not in ("files", "snapshot",
                                                                                        "created_at")}
    manifest.update(inputs=inputs, input_fingerprint=input_fingerprint(inputs, config_file, base), rows=rows_stored,
                    accounting=accounting.to_dict(orient="records"),
                    data_range=_data_range(manifest.get("data_range", {}), orders),
                    currencies=sorted(set(manifest.get("currencies", [])) | set(schema.store_currencies(
                        {"orders": orders}))),
                    ingest_profile=clock.stages, increment={"base": snapshot.id, "added": [input_name(path, base) for _, path in plan.new_files]})
    return result, {"side": side, "lineage": lineage, "quarantine": quarantine, "manifest": manifest}


def add_to_store(store_folder: Path, plan: Increment, result: IngestResult, written: dict, keep: int,
                 mapped: bool) -> store.Snapshot:
    """Write the increment as a new current snapshot: the new order lines as one more file per
    region (or a region's file written again, merged, when they date before its last line),
    the growing side tables as one more file each, the small ones again; the rest linked."""
    snapshot = plan.base
    manifest = written["manifest"]
    parts, new_part_files, replaced = _order_parts(snapshot, result.tables["orders"], mapped)
    side_parts = {}
    for name in GROWING_SIDE_TABLES:
        before = snapshot.manifest.get("side_parts", {}).get(name, [f"{name}.parquet"])
        side_parts[name] = [*before, f"{name}-{len(before)}.parquet"]
    manifest["parts"] = {**manifest["parts"], "orders": parts}
    manifest["side_parts"] = {**manifest.get("side_parts", {}), **side_parts}
    rewritten = {f"{name}.parquet" for name in written["side"]}
    linked = [name for name in snapshot.manifest["files"]
              if name not in rewritten and name not in replaced]

    def write_new(folder: Path) -> None:
        for file, rows in new_part_files.items():
            write_rows_file(rows, folder, file, mapped)
        for name, frame in written["side"].items():
            write_parquet(frame, folder / f"{name}.parquet")
        write_parquet(written["lineage"], folder / side_parts["lineage"][-1])
        write_parquet(written["quarantine"].reset_index(drop=True), folder / side_parts["quarantine"][-1])

    return store.write_increment(store_folder, snapshot, linked, write_new, manifest, keep)


# --------------------------------------------------------------------------- order lines


def _new_order_lines(snapshot: store.Snapshot, rows: pd.DataFrame, usable: pd.Series) -> tuple[pd.DataFrame,
                                                                                                pd.DataFrame]:
    """The new rows to store (conformed, with their integer keys) and the lineage of every new
    row: a row repeating a stored order line, or an earlier new one, is merged into it, as a
    full ingest reading the old files first would find."""
    if rows.empty:
        return schema.empty_frame("orders"), pd.DataFrame(columns=[*LINEAGE_COLUMNS, "status", "record_id", "region"])
    conformed = schema.conform(rows, "orders")
    identity = [column for column in ORDER_IDENTITY if column in conformed]
    ids = conformed["order_id"].where(usable)
    stored = store.read_arrow(snapshot, "orders", columns=[*identity, "order_key"])
    named = stored.filter(pc.is_in(stored["order_id"], value_set=pa.array(ids.dropna().unique(),
                                                                          type=stored["order_id"].type)))
    old = store.arrow_to_frame(named, "orders")
    both = pd.concat([old[identity], conformed[identity]], ignore_index=True)
    first = ~both.duplicated(keep="first").to_numpy()[len(old):]
    status = np.where(usable.to_numpy(), np.where(first, 0, 1), 2)
    lineage = rows[LINEAGE_COLUMNS].assign(status=_statuses(status), record_id=ids, region=rows["region"])
    kept = conformed[first & usable.to_numpy()].reset_index(drop=True)
    schema.validate(kept, "orders")
    keys = {"order_key": _continued_keys(kept["order_id"], old["order_id"], old["order_key"],
                                         stored["order_key"])}
    by_customer = store.read_arrow(snapshot, "orders", columns=["customer_id", "customer_key"])
    known = by_customer.filter(pc.is_in(by_customer["customer_id"], value_set=pa.array(
        kept["customer_id"].dropna().unique(), type=by_customer["customer_id"].type)))
    keys["customer_key"] = _continued_keys(kept["customer_id"], known["customer_id"].to_pandas(),
                                           known["customer_key"].to_pandas(), by_customer["customer_key"])
    return kept.assign(**{key: keys[key] for key in STORED_KEYS["orders"]}), lineage


def _continued_keys(ids: pd.Series, old_ids: pd.Series, old_keys: pd.Series, all_old_keys) -> np.ndarray:
    """Integer keys of ``ids`` numbered as schema.id_codes numbers the whole table: an id already
    stored keeps its key, a new one gets the next, in order of first appearance; -1 for none."""
    known = pd.Series(np.asarray(old_keys, dtype="int64"), index=pd.Index(np.asarray(old_ids, dtype=object)))
    known = known[~known.index.duplicated()]
    encoded = pc.dictionary_encode(pa.array(ids.to_numpy(dtype=object), type=pa.large_string()))
    distinct = pd.Index(encoded.dictionary.to_pylist())
    found = known.reindex(distinct).to_numpy(dtype="float64", copy=True)
    highest = pc.max(all_old_keys).as_py()
    fresh = np.isnan(found)
    found[fresh] = (-1 if highest is None else highest) + 1 + np.arange(fresh.sum())
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return np.where(codes >= 0, found.astype("int64")[np.maximum(codes, 0)], -1).astype("int32")


def _order_parts(snapshot: store.Snapshot, orders: pd.DataFrame, mapped: bool) -> tuple[list[list], dict, set]:
    """The orders' parts list of the new snapshot, the new files (name -> rows) and the old
    files they replace. Orders are filed by region and month (store_write.MONTHLY): a month
    the new rows fall in is written again with them (merged in date order, the stored rows
    first among equal dates, as a full ingest sorts them), a month new to its region gets a file."""
    parts = [list(entry) for entry in snapshot.manifest["parts"]["orders"]]
    if orders.empty:
        return parts, {}, set()
    old_schema = pq.read_schema(snapshot.path / parts[0][1])
    table = pa.Table.from_pandas(orders, preserve_index=False)
    if sorted(table.column_names) != sorted(old_schema.names):
        raise IncrementRefused("the new files' columns differ from the stored orders' (extra x_ columns)")
    table = table.select(old_schema.names).cast(old_schema)
    months = month_codes(table["order_date"])
    next_number = max(int(Path(file).stem.split("-")[0]) for _, file in parts) + 1
    new_files, replaced = {}, set()
    pairs = pa.table({"region": table["region"], "month": months}).group_by(["region", "month"]).aggregate([])
    for region, month in zip(pairs["region"].to_pylist(), pairs["month"].to_pylist()):
        rows = table.filter(pc.and_(pc.equal(table["region"], region), pc.equal(months, month)))
        own = next((entry for entry in parts if entry[0] == region and month_of_file(entry[1]) == month), None)
        if own is not None:
            rows = pa.concat_tables([pq.read_table(snapshot.path / own[1]).cast(old_schema), rows])
            replaced |= {own[1], Path(own[1]).with_suffix(MAPPED_SUFFIX).as_posix()}
            parts.remove(own)
        rows = rows.take(pc.sort_indices(rows, sort_keys=[("order_date", "ascending")]))   # stable
        file = f"orders/{next_number:03d}-{month_label(month)}.parquet"
        next_number += 1
        new_files[file] = rows
        parts.append([region, file])
    names = sorted({str(entry[0]) for entry in parts if entry[0] is not None})
    rank = {name: position for position, name in enumerate(names)}
    parts.sort(key=lambda entry: (len(names) if entry[0] is None else rank[entry[0]], month_of_file(entry[1]) or 0))
    return parts, new_files, replaced


class IncrementRefused(Exception):
    """An increment found, once under way, that only a full ingest can make this snapshot."""


# --------------------------------------------------------------------------- side tables


def _summed(before: pd.DataFrame, added: pd.DataFrame, keys: list[str], columns: list[str] | None) -> pd.DataFrame:
    """``before`` with ``added``'s counts added per ``keys`` (rows new to it after), in its order."""
    counts = [c for c in added.columns if c not in keys and pd.api.types.is_integer_dtype(added[c])]
    key = lambda frame: list(zip(*(frame[k].astype(object).where(frame[k].notna(), None) for k in keys)))
    position = {k: i for i, k in enumerate(key(before))}
    frame = before.copy()
    extra = []
    for row, k in zip(added.itertuples(index=False), key(added)):
        if k in position:
            for column in counts:
                frame.iloc[position[k], frame.columns.get_loc(column)] += getattr(row, column)
        elif any(getattr(row, column) for column in counts):
            extra.append(row._asdict())
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra).astype(before.dtypes.to_dict())], ignore_index=True)
    return frame[columns] if columns else frame


def _merged_into(snapshot: store.Snapshot, lineage: pd.DataFrame, accounting: pd.DataFrame,
                 by_region: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``into_records`` of the sources and regions the new rows merged into: the distinct records
    of their merged rows, old and new together (a record may be merged into twice)."""
    merged_now = lineage[lineage["status"] == "merged"]
    if merged_now.empty:
        return accounting, by_region
    sources = merged_now["source"].dropna().unique().tolist()
    stored = [snapshot.path / file for file in snapshot.manifest.get("side_parts", {}).get("lineage",
                                                                                           ["lineage.parquet"])]
    earlier = ds.dataset(stored, format="parquet").to_table(
        columns=["source", "region", "record_id"],
        filter=(ds.field("status") == "merged") & ds.field("source").isin(sources)).to_pandas()
    merged = pd.concat([earlier, merged_now[["source", "region", "record_id"]]], ignore_index=True).astype("string")
    per_source = merged.groupby("source")["record_id"].nunique()
    per_region = merged.groupby(["source", "region"], dropna=False)["record_id"].nunique()
    accounting = accounting.assign(into_records=[int(per_source.get(s, n)) if s in sources else n
                                                 for s, n in zip(accounting["source"], accounting["into_records"])])
    by_region = by_region.assign(into_records=[
        int(per_region.get((s, r), n)) if s in sources and pd.notna(r) else n
        for s, r, n in zip(by_region["source"], by_region["region"], by_region["into_records"])])
    return accounting, by_region


def _completeness(before: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    frame = _summed(before.drop(columns="share"), added.drop(columns="share"), ["source", "table", "column"], None)
    return frame.assign(share=(frame["filled"] / frame["rows"]).round(4))


def _data_range(before: dict, orders: pd.DataFrame) -> dict:
    dates = orders["order_date"].dropna() if len(orders) else None
    if dates is None or dates.empty:
        return before
    first, last = dates.min().isoformat(), dates.max().isoformat()
    if "orders" in before:
        first, last = min(first, before["orders"][0]), max(last, before["orders"][1])
    return {**before, "orders": [first, last]}

