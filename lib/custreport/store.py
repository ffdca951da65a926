"""The clean store: immutable snapshots of parquet tables and an atomic pointer to the current one.

Layout::

    data/clean/
      CURRENT                     the id of the current snapshot (replaced atomically)
      snapshots/<id>/             one folder per ingest, never changed once written
        customers.parquet ...     the canonical tables, sorted by region for row-group pruning
        lineage.parquet quarantine.parquet accounting.parquet fixes.parquet
        manifest.json             inputs with hashes, row counts, times, code version

A snapshot is written under a temporary name and renamed into place, then
CURRENT is replaced with ``os.replace``: a reader sees the old snapshot or the
new one, never a half-written one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from custreport import __version__, schema
from custreport.config import RegionTable, UserError, load_regions

TABLES = schema.TABLES
SIDE_TABLES = ("lineage", "quarantine", "accounting", "fixes", "customer_keys", "completeness")
_SORT_KEYS = {"customers": ["region", "customer_id"], "orders": ["region", "order_date"],
              "deals": ["region", "created_at"], "interactions": ["customer_id", "date"],
              "reps": ["region", "rep_id"]}
ROW_GROUP_SIZE = 128_000


@dataclass(frozen=True)
class Snapshot:
    id: str
    path: Path
    manifest: dict

    @property
    def created_at(self) -> str:
        return self.manifest.get("created_at", "")


def write_snapshot(store: Path, tables: dict[str, pd.DataFrame], side_tables: dict[str, pd.DataFrame],
                   manifest: dict, keep: int = 5, files: dict[str, bytes] | None = None) -> Snapshot:
    """Write a new snapshot, make it current, and prune all but the newest ``keep``.

    ``files`` are stored beside the tables as they are (e.g. the regions table the codes
    in the snapshot refer to).
    """
    store = Path(store)
    snapshots = store / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    snapshot_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    staging = Path(tempfile.mkdtemp(prefix=f".{snapshot_id}-", dir=snapshots))
    try:
        counts = {}
        for name, frame in tables.items():
            frame = frame.sort_values(_SORT_KEYS[name], kind="stable") if len(frame) else frame
            _write_parquet(frame, staging / f"{name}.parquet")
            counts[name] = len(frame)
        for name, frame in side_tables.items():
            _write_parquet(frame, staging / f"{name}.parquet")
        for name, content in (files or {}).items():
            (staging / name).write_bytes(content)
        full_manifest = {"snapshot": snapshot_id, "created_at": now.isoformat(timespec="seconds"),
                         "code_version": __version__, "rows": counts, **manifest}
        (staging / "manifest.json").write_text(json.dumps(full_manifest, ensure_ascii=False, indent=2, default=str),
                                               encoding="utf-8")
        final = snapshots / snapshot_id
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_current(store, snapshot_id)
    _prune(store, keep)
    return Snapshot(snapshot_id, final, full_manifest)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    pq.write_table(table, path, row_group_size=ROW_GROUP_SIZE, compression="zstd")


def _point_current(store: Path, snapshot_id: str) -> None:
    write_atomically(store / "CURRENT", snapshot_id + "\n")


TEMPORARY_SUFFIX = ".tmp"


def write_atomically(target: Path, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8) to ``target`` through a temporary file renamed into place:
    a reader sees the old file or the new one, never half of one."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}{TEMPORARY_SUFFIX}")
    temporary.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    os.replace(temporary, target)
    return target


def _prune(store: Path, keep: int) -> None:
    current = current_snapshot(store).id
    for snapshot in list_snapshots(store)[keep:]:
        if snapshot.id != current:
            shutil.rmtree(snapshot.path, ignore_errors=True)
    for leftover in (store / "snapshots").glob(".*"):
        # Staging folders of a killed ingest; a recent one may belong to an ingest still running.
        if is_stale(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in store.glob(f".CURRENT.*{TEMPORARY_SUFFIX}"):
        if is_stale(leftover):
            leftover.unlink(missing_ok=True)


STALE_AFTER_SECONDS = 6 * 3600


def is_stale(path: Path, now: float | None = None) -> bool:
    """A leftover working folder old enough that no running job can still own it."""
    import time

    try:
        return (now or time.time()) - path.stat().st_mtime > STALE_AFTER_SECONDS
    except FileNotFoundError:
        return False


def list_snapshots(store: Path) -> list[Snapshot]:
    """Complete snapshots, newest first."""
    folder = Path(store) / "snapshots"
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        manifest_path = path / "manifest.json"
        if path.name.startswith(".") or not manifest_path.is_file():
            continue
        found.append(Snapshot(path.name, path, json.loads(manifest_path.read_text(encoding="utf-8"))))
    return sorted(found, key=lambda s: s.id, reverse=True)


REGIONS_FILE = "regions.yaml"


def snapshot_regions(snapshot: Snapshot) -> RegionTable:
    """The regions table the snapshot was built with (its region codes mean what it says),
    else the project's params/regions.yaml for snapshots that carry none."""
    own = snapshot.path / REGIONS_FILE
    return load_regions(own if own.is_file() else None)


def current_snapshot(store: Path) -> Snapshot:
    """The snapshot CURRENT points at; a clear error when there is none yet."""
    store = Path(store)
    pointer = store / "CURRENT"
    if not pointer.is_file():
        raise UserError(f"{store}: no data yet; run `custreport ingest` first")
    snapshot_id = pointer.read_text(encoding="utf-8").strip()
    path = store / "snapshots" / snapshot_id
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise UserError(f"{store}: current snapshot {snapshot_id!r} is missing; run `custreport store rollback`")
    return Snapshot(snapshot_id, path, json.loads(manifest_path.read_text(encoding="utf-8")))


def rollback(store: Path, snapshot_id: str | None = None) -> Snapshot:
    """Make an older snapshot current: the one given, or the one before the current."""
    snapshots = list_snapshots(store)
    if snapshot_id is None:
        try:
            current = current_snapshot(store).id
        except UserError:
            current = None
        older = [s for s in snapshots if current is None or s.id < current]
        if not older:
            raise UserError(f"{store}: no older snapshot to roll back to")
        target = older[0]
    else:
        matches = [s for s in snapshots if s.id == snapshot_id]
        if not matches:
            raise UserError(f"{store}: no snapshot {snapshot_id!r}; `custreport store list` shows them")
        target = matches[0]
    _point_current(Path(store), target.id)
    return target


def read_table(snapshot: Snapshot, table: str, regions: list[str] | None = None,
               columns: list[str] | None = None, date_column: str | None = None,
               until: pd.Timestamp | None = None) -> pd.DataFrame:
    """Read one table, pruning rows by region and an upper date bound, and columns by name.

    >>> read_table(current_snapshot(store), "orders", regions=["east"], until=pd.Timestamp("2025-01-01"))  # doctest: +SKIP
    """
    path = snapshot.path / f"{table}.parquet"
    if not path.is_file():
        if table in schema.COLUMNS:
            return schema.empty_frame(table)
        raise UserError(f"{snapshot.path}: table {table!r} is missing from the snapshot")
    dataset = ds.dataset(path, format="parquet")
    if regions is not None and not regions:
        return read_table(snapshot, table, columns=columns).iloc[0:0]
    condition = None
    if regions is not None and "region" in dataset.schema.names:
        condition = ds.field("region").isin(regions)
    if until is not None and date_column:
        # Rows without the date are kept: a deal exported without a creation date still counts.
        bound = (ds.field(date_column) < pa.scalar(until.to_pydatetime(), type=dataset.schema.field(date_column).type)) \
            | ds.field(date_column).is_null()
        condition = bound if condition is None else condition & bound
    result = dataset.to_table(columns=columns, filter=condition)
    frame = result.to_pandas()
    if table in schema.COLUMNS:
        for column, dtype in schema.COLUMNS[table].items():
            if column in frame and str(frame[column].dtype) != dtype:
                frame[column] = frame[column].astype(dtype)
    return frame


def read_side_table(snapshot: Snapshot, name: str) -> pd.DataFrame:
    """Lineage, quarantine, accounting or fixes of a snapshot (empty frame when absent)."""
    if name not in SIDE_TABLES:
        raise ValueError(f"unknown side table {name!r}")
    path = snapshot.path / f"{name}.parquet"
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame()
