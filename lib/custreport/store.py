"""The clean store: immutable snapshots of parquet tables and an atomic pointer to the current one.

Layout::

    data/clean/
      CURRENT                     the id of the current snapshot (replaced atomically)
      snapshots/<id>/             one folder per ingest, never changed once written
        customers/000.parquet ... each canonical table as one file per region (interactions by
                                  their customer's region), sorted within it by date or id;
        orders/000-2025-12.parquet  orders one file per region and month (a day's new order lines
                                  rewrite only their months' files: see ingest.increment)
        customers/000.arrow ...   the current snapshot only: an uncompressed Arrow copy of each
                                  region file a report reads, memory-mapped at load
        lineage.parquet quarantine.parquet accounting.parquet fixes.parquet attach_index.parquet
                                  (an incremental snapshot adds lineage-1.parquet ... to the
                                  files it shares with the one before: manifest side_parts)
        manifest.json             inputs with hashes, row counts, which file holds which region,
                                  times, code version, and size and sha256 of every file
        copies.json               size and sha256 of the Arrow copies (rewritten with them)
      pins/<id>                   held (shared OS lock) by each run reading snapshot <id>
      fix_lists/<period>.parquet  each period's fix lists, kept for the next one's (reporting/fix_lists.py)
      .custreport.lock            held by the one ingest or rollback writing the store

A report reads one region and period: it opens only that region's files and skips the
rows after the period (orders, deals and interactions are sorted by date). Orders carry
integer ``customer_key`` and ``order_key`` columns (equal ids, equal keys; -1 where
missing), numbered once when written, so no load hashes millions of string ids again.

The parquet files are the record. The Arrow copies are there for speed: a memory-mapped
file is read without decoding into newly allocated memory, which is most of a load's cost
(at a million customers a region loads several times faster). Only the current
snapshot keeps them: they are removed from a snapshot once another is made current, and
written again for one rolled back to. A region whose copy is missing is read from parquet.

A snapshot is written under a temporary name and renamed into place, then
CURRENT is replaced with ``os.replace``: a reader sees the old snapshot or the
new one, never a half-written one.

Every read checks what it opens against the manifest (verify_file): size and modification
time as written, else the sha256 again. A file changed or missing since stops with
StoreDamaged, one line naming it and the remedy; ``custreport store verify`` hashes a whole
snapshot. Pruning skips the snapshots runs have pinned and removes damaged old ones too.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from custreport import __version__, schema
from custreport.config import RegionTable, load_regions
from custreport.errors import UserError, first_line
from custreport.files import TEMPORARY_SUFFIX, private_folder, write_atomically
from custreport.store_integrity import COPIES_RECORD, MANIFEST, MAPPED_SUFFIX, STORE_REMEDY, StoreDamaged, \
    checksums, copy_files, read_manifest, recorded_checksums, recorded_files, verify_file, write_copies_record
from custreport.store_write import MAPPED_TABLES, SORT_KEYS, STORED_KEYS, mapped_copies_of, write_by_region, \
    write_mapped_copies, write_parquet

TABLES = schema.TABLES
SIDE_TABLES = ("lineage", "quarantine", "accounting", "fixes", "customer_keys", "completeness", "merged_customers",
               "warnings", "region_accounting", "attach_index")


@dataclass(frozen=True)
class Snapshot:
    id: str
    path: Path
    manifest: dict
    # What writing it found about the store that its owner should hear (damaged old snapshots).
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def created_at(self) -> str:
        return self.manifest.get("created_at", "")


def write_snapshot(store: Path, tables: dict[str, pd.DataFrame], side_tables: dict[str, pd.DataFrame],
                   manifest: dict, keep: int = 5, files: dict[str, bytes] | None = None,
                   mapped_copies: bool = True) -> Snapshot:
    """Write a new snapshot, make it current, and prune all but the newest ``keep``.

    ``files`` are stored beside the tables as they are (e.g. the regions table the codes
    in the snapshot refer to). ``mapped_copies``: write the Arrow copies reports load fast
    (about six times the size of the parquet files on disk).
    """
    def fill(staging: Path, snapshot_id: str, created_at: str) -> dict:
        counts = {name: len(frame) for name, frame in tables.items()}
        customer_regions = tables.get("customers")
        parts = {name: write_by_region(name, frame, staging, customer_regions,
                                        mapped=mapped_copies and name in MAPPED_TABLES)
                 for name, frame in tables.items()}
        # Side tables after the tables, not beside them: their working sets would add up.
        for name, frame in side_tables.items():
            write_parquet(frame, staging / f"{name}.parquet")
        for name, content in (files or {}).items():
            (staging / name).write_bytes(content)
        write_copies_record(staging, checksums(staging, copy_files(staging)))
        return {"snapshot": snapshot_id, "created_at": created_at, "code_version": __version__, "rows": counts,
                "parts": parts, "sorted_by": {name: SORT_KEYS[name] for name in tables}, **manifest,
                "files": checksums(staging, recorded_files(staging))}

    return _publish(Path(store), keep, fill)


def _publish(store: Path, keep: int, fill: Callable[[Path, str, str], dict]) -> Snapshot:
    """Make a snapshot: ``fill(folder, id, created_at)`` writes its files into a private staging
    folder and returns its manifest; the folder is renamed into place, made current, and all
    but the newest ``keep`` snapshots pruned. Nothing is left behind when ``fill`` fails."""
    snapshots = store / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    snapshot_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    staging = private_folder(snapshots, f".{snapshot_id}-")
    try:
        manifest = fill(staging, snapshot_id, now.isoformat(timespec="seconds"))
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str),
                                               encoding="utf-8")
        final = snapshots / snapshot_id
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_current(store, snapshot_id)
    notes = _prune(store, keep)
    return Snapshot(snapshot_id, final, manifest, tuple(notes))


def write_increment(store: Path, base: Snapshot, linked: list[str], write_new: Callable[[Path], None],
                    manifest: dict, keep: int = 5) -> Snapshot:
    """Write a new snapshot sharing ``base``'s files named in ``linked`` (hard links, with their
    Arrow copies: never rewritten), plus the files ``write_new(folder)`` writes; make it current
    and prune as write_snapshot does. ``manifest`` is the new snapshot's (its ``parts`` and
    ``side_parts`` name linked and new files alike). Each linked file is verified first: a
    damaged file is never carried into a new snapshot.
    """
    def fill(staging: Path, snapshot_id: str, created_at: str) -> dict:
        base_records = recorded_checksums(base)
        for name in linked:
            verify_file(base, base.path / name, base_records)
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            os.link(base.path / name, staging / name)
            copy = (base.path / name).with_suffix(MAPPED_SUFFIX)
            if copy.is_file():
                os.link(copy, (staging / name).with_suffix(MAPPED_SUFFIX))
        write_new(staging)
        linked_set = set(linked)
        written = [name for name in recorded_files(staging) if name not in linked_set]
        records = {**{name: base.manifest["files"][name] for name in linked}, **checksums(staging, written)}
        # The linked copies are the base's: their records are carried over, not hashed again.
        base_copies = _copies_record(base)
        copies = copy_files(staging)
        copy_records = {name: base_copies[name] for name in copies
                        if Path(name).with_suffix(".parquet").as_posix() in linked_set and name in base_copies}
        copy_records.update(checksums(staging, [name for name in copies if name not in copy_records]))
        write_copies_record(staging, copy_records)
        return {**manifest, "snapshot": snapshot_id, "created_at": created_at, "code_version": __version__,
                "files": records}

    return _publish(Path(store), keep, fill)


def _copies_record(snapshot: Snapshot) -> dict:
    try:
        return json.loads((snapshot.path / COPIES_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _drop_mapped_copies_of_others(store: Path) -> None:
    """Remove the Arrow copies of every snapshot but the current one. A report still reading
    one keeps its mapping (the file goes when it is let go); one about to reads the parquet."""
    current = current_snapshot(store).id
    for snapshot in list_snapshots(store):
        if snapshot.id != current:
            for copy in mapped_copies_of(snapshot):
                try:
                    copy.unlink(missing_ok=True)
                except OSError:   # a system that cannot remove a mapped file: the next ingest tries again
                    pass


def _point_current(store: Path, snapshot_id: str) -> None:
    write_atomically(store / "CURRENT", snapshot_id + "\n")


def _prune(store: Path, keep: int) -> list[str]:
    """Remove the snapshots older than the newest ``keep`` sound ones, except the current one and
    any a running report pins; return a note for each damaged snapshot found (they are removed
    too once older, so one damaged manifest never stops pruning)."""
    current = current_snapshot(store).id
    sound = list_snapshots(store)
    newest = [s.id for s in sound[:keep]]
    boundary = min(newest) if newest else ""
    notes = [f"snapshot {snapshot_id} is damaged ({problem}); " +
             ("removed with the older snapshots" if snapshot_id < boundary else
              "`custreport store verify` checks the store; remove its folder if it is not wanted")
             for snapshot_id, problem in damaged_snapshots(store)]
    sound_ids = {s.id for s in sound}
    for folder in _snapshot_folders(store):
        if folder.name not in newest and folder.name != current and (folder.name in sound_ids
                                                                       or folder.name < boundary):
            _remove_unless_pinned(store, folder)
    _drop_mapped_copies_of_others(store)
    for leftover in (store / "snapshots").glob(".*"):
        # Staging folders of a killed ingest; a recent one may belong to an ingest still running.
        if is_stale(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in store.glob(f".CURRENT.*{TEMPORARY_SUFFIX}"):
        if is_stale(leftover):
            leftover.unlink(missing_ok=True)
    return notes


def _snapshot_folders(store: Path) -> list[Path]:
    folder = Path(store) / "snapshots"
    if not folder.is_dir():
        return []
    return sorted((path for path in folder.iterdir() if path.is_dir() and not path.name.startswith(".")),
                  key=lambda path: path.name, reverse=True)


PINS = "pins"


@contextmanager
def pinned(store: Path, snapshot_id: str):
    """Keep snapshot ``snapshot_id`` from being pruned while the block runs (a run reads every
    report from it). A shared OS lock on ``pins/<id>``: any number of runs pin one snapshot,
    pruning takes the lock exclusively, and a killed run's pin goes with its process.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> with pinned(folder, "20250101T000000000000Z"):
    ...     pass  # doctest: +SKIP
    """
    folder = Path(store) / PINS
    path = folder / snapshot_id
    while True:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle = path.open("a")
        except OSError:   # a store this user may only read (shared read-only): it cannot prune it either
            open_snapshot(store, snapshot_id)
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_SH)   # waits while pruning removes this very snapshot
        try:
            same = os.fstat(handle.fileno()).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()   # removed with its snapshot while we waited
    try:
        open_snapshot(store, snapshot_id)   # still there: pruned before the pin, it is gone
        yield
    finally:
        handle.close()


def _remove_unless_pinned(store: Path, snapshot: Path) -> None:
    pin = Path(store) / PINS / snapshot.name
    pin.parent.mkdir(parents=True, exist_ok=True)
    with pin.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:   # a run reads it: removed by a later ingest
            return
        shutil.rmtree(snapshot, ignore_errors=True)
        pin.unlink(missing_ok=True)   # still locked: a run waiting on it sees it gone


STALE_AFTER_SECONDS = 6 * 3600


def is_stale(path: Path, now: float | None = None) -> bool:
    """A leftover working folder old enough that no running job can still own it."""
    import time

    try:
        return (now or time.time()) - path.stat().st_mtime > STALE_AFTER_SECONDS
    except FileNotFoundError:
        return False


def list_snapshots(store: Path) -> list[Snapshot]:
    """Complete snapshots with a readable manifest, newest first (see damaged_snapshots)."""
    found = []
    for path in _snapshot_folders(store):
        try:
            found.append(Snapshot(path.name, path, read_manifest(path / MANIFEST)))
        except UserError:
            continue
    return found


def damaged_snapshots(store: Path) -> list[tuple[str, str]]:
    """(id, problem) of every snapshot folder whose manifest is missing or unreadable."""
    damaged = []
    for path in _snapshot_folders(store):
        try:
            read_manifest(path / MANIFEST)
        except UserError as exc:
            damaged.append((path.name, str(exc).partition(": ")[2].partition(";")[0]))
    return damaged


REGIONS_FILE = "regions.yaml"


def snapshot_regions(snapshot: Snapshot) -> RegionTable:
    """The regions table the snapshot was built with (its region codes mean what it says),
    else the project's params/regions.yaml for snapshots that carry none."""
    own = snapshot.path / REGIONS_FILE
    if own.is_file():
        verify_file(snapshot, own)
    return load_regions(own if own.is_file() else None)


def current_snapshot(store: Path) -> Snapshot:
    """The snapshot CURRENT points at; a clear error when there is none yet, or when CURRENT
    or the manifest it leads to is damaged."""
    store = Path(store)
    pointer = store / "CURRENT"
    try:
        content = pointer.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{store}: no data yet; run `custreport ingest` first") from None
    except OSError as exc:
        raise UserError(f"{pointer}: cannot be read ({exc.strerror})") from None
    try:
        snapshot_id = content.decode("utf-8").strip()
    except UnicodeDecodeError:
        snapshot_id = ""
    if not _names_a_snapshot(store, snapshot_id):
        shown = content[:40].decode("utf-8", errors="replace").strip()
        raise StoreDamaged(f"{pointer}: does not name a snapshot in {store / 'snapshots'} ({shown!r}); "
                           "`custreport store rollback` points it at the newest snapshot kept")
    path = store / "snapshots" / snapshot_id
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise UserError(f"{store}: current snapshot {snapshot_id!r} is missing; run `custreport store rollback`")
    return Snapshot(snapshot_id, path, read_manifest(manifest_path))


_SNAPSHOT_NAME = re.compile(r"[0-9A-Za-z_-]+")


def _names_a_snapshot(store: Path, snapshot_id: str) -> bool:
    """A plain folder name whose folder, links resolved, lies in the store's snapshots/."""
    if not _SNAPSHOT_NAME.fullmatch(snapshot_id):
        return False
    folder = Path(store) / "snapshots"
    return (folder / snapshot_id).resolve().parent == folder.resolve()


def open_snapshot(store: Path, snapshot_id: str | None = None) -> Snapshot:
    """The snapshot ``snapshot_id`` of the store, or the current one when it is None or empty.

    A run reads every report from the snapshot it started with, even if an ingest makes
    another one current meanwhile.
    """
    if not snapshot_id:
        return current_snapshot(store)
    path = Path(store) / "snapshots" / snapshot_id
    manifest_path = path / MANIFEST
    if not _names_a_snapshot(store, snapshot_id) or not manifest_path.is_file():
        raise UserError(f"{store}: no snapshot {snapshot_id!r} (it may have been pruned); "
                        "`custreport store list` shows the snapshots kept")
    return Snapshot(snapshot_id, path, read_manifest(manifest_path))


def rollback(store: Path, snapshot_id: str | None = None) -> Snapshot:
    """Make an older snapshot current: the one given, or the one before the current.

    It gets the Arrow copies the current one had, which the current one loses.
    """
    snapshots = list_snapshots(store)
    try:
        left = current_snapshot(store)
    except UserError:
        left = None
    if snapshot_id is None:
        current = left.id if left else None
        older = [s for s in snapshots if current is None or s.id < current]
        if not older:
            raise UserError(f"{store}: no older snapshot to roll back to")
        target = older[0]
    else:
        matches = [s for s in snapshots if s.id == snapshot_id]
        if not matches:
            raise UserError(f"{store}: no snapshot {snapshot_id!r}; `custreport store list` shows them")
        target = matches[0]
    if left is not None and mapped_copies_of(left):
        write_mapped_copies(target)
    _point_current(Path(store), target.id)
    _drop_mapped_copies_of_others(Path(store))
    return target


def read_table(snapshot: Snapshot, table: str, regions: list[str] | None = None,
               columns: list[str] | None = None, date_column: str | None = None,
               until: pd.Timestamp | None = None) -> pd.DataFrame:
    """Read one table, pruning rows by region and an upper date bound, and columns by name.

    Stored keys (orders' ``customer_key`` and ``order_key``) come only when named in
    ``columns``; a snapshot written without them has them numbered from the ids on read.

    >>> read_table(current_snapshot(store), "orders", regions=["east"], until=pd.Timestamp("2025-01-01"))  # doctest: +SKIP
    """
    return arrow_to_frame(read_arrow(snapshot, table, regions, columns, date_column, until), table)


def read_arrow(snapshot: Snapshot, table: str, regions: list[str] | None = None,
               columns: list[str] | None = None, date_column: str | None = None,
               until: pd.Timestamp | None = None) -> pa.Table:
    """read_table's rows as an Arrow table, not converted to pandas (from the memory-mapped copies
    when the snapshot has them: ten million ids are looked at without being copied)."""
    parts = snapshot.manifest.get("parts", {}).get(table)
    if parts is not None:   # one file per region: open only the wanted regions' files
        files = [snapshot.path / file for region, file in parts if regions is None or region in regions]
        records = recorded_checksums(snapshot)
        for file in files:
            if not file.is_file():
                raise StoreDamaged(f"{file}: missing from snapshot {snapshot.id}; {STORE_REMEDY}")
            verify_file(snapshot, file, records)
        mapped = _read_mapped(files, table, snapshot, columns, date_column, until) if files else None
        if mapped is not None:
            return mapped
        dataset = ds.dataset(files or [snapshot.path / parts[0][1]], format="parquet")
        condition = None if files else ds.scalar(False)
    else:                   # a snapshot written as one file per table
        path = snapshot.path / f"{table}.parquet"
        if not path.is_file():
            if table in schema.COLUMNS and path.name not in snapshot.manifest.get("files", {}):
                return pa.Table.from_pandas(schema.empty_frame(table), preserve_index=False)
            raise StoreDamaged(f"{path}: table {table!r} is missing from snapshot {snapshot.id}; {STORE_REMEDY}")
        verify_file(snapshot, path)
        dataset = ds.dataset(path, format="parquet")
        condition = ds.scalar(False) if regions is not None and not regions else None
        if regions and "region" in dataset.schema.names:
            condition = ds.field("region").isin(regions)
    stored_keys = STORED_KEYS.get(table, {})
    if columns is None:
        columns = [name for name in dataset.schema.names if name not in stored_keys]
    missing_keys = [key for key in columns if key in stored_keys and key not in dataset.schema.names]
    read_columns = [name for name in columns if name not in missing_keys]
    read_columns += [stored_keys[key] for key in missing_keys if stored_keys[key] not in read_columns]
    if until is not None and date_column:
        # Rows without the date are kept: a deal exported without a creation date still counts.
        bound = (ds.field(date_column) < pa.scalar(until.to_pydatetime(), type=dataset.schema.field(date_column).type)) \
            | ds.field(date_column).is_null()
        condition = bound if condition is None else condition & bound
    result = dataset.to_table(columns=read_columns, filter=condition)
    if result.num_rows == 0:   # one empty chunk per column, not none: pandas cannot join columns without chunks
        result = result.schema.empty_table()
    for key in missing_keys:
        result = result.append_column(key, schema.id_codes(result[stored_keys[key]]))
    return result.select(columns)


def arrow_to_frame(result: pa.Table, table: str) -> pd.DataFrame:
    # One block per column: consolidating columns of a type into one block would copy them all.
    frame = result.to_pandas(split_blocks=True)
    if table in schema.COLUMNS:
        for column, dtype in schema.COLUMNS[table].items():
            if column in frame and str(frame[column].dtype) != dtype:
                frame[column] = frame[column].astype(dtype)
    return frame


def _read_mapped(files: list[Path], table: str, snapshot: Snapshot, columns: list[str] | None,
                 date_column: str | None, until: pd.Timestamp | None) -> pa.Table | None:
    """The rows of ``files`` before ``until`` (or undated) from their memory-mapped Arrow copies,
    with ``columns`` (all but the stored keys when None); None when a file has no copy."""
    pieces = []
    records = recorded_checksums(snapshot)
    for file in files:
        copy = file.with_suffix(MAPPED_SUFFIX)
        if not copy.is_file():   # copies are kept for the current snapshot only: the parquet is the record
            return None
        verify_file(snapshot, copy, records)
        try:
            piece = pa.ipc.open_file(pa.memory_map(str(copy))).read_all()
        except FileNotFoundError:   # removed since: another snapshot became current
            return None
        except (OSError, pa.ArrowInvalid) as exc:   # unrecorded (an older snapshot) and damaged
            raise StoreDamaged(f"{copy}: unreadable ({first_line(exc)}); delete this copy (it is read from its "
                               "parquet file when missing)") from None
        if until is not None and date_column:
            piece = _rows_before(piece, date_column, until,
                                 snapshot.manifest.get("sorted_by", {}).get(table, [None])[0] == date_column)
        pieces.append(piece)
    result = pa.concat_tables(pieces)
    if columns is None:
        columns = [name for name in result.column_names if name not in STORED_KEYS.get(table, {})]
    if not set(columns) <= set(result.column_names):   # a key or column this copy lacks: read the parquet
        return None
    return result.select(columns) if result.num_rows else result.select(columns).schema.empty_table()


def _rows_before(piece: pa.Table, date_column: str, until: pd.Timestamp, sorted_by_date: bool) -> pa.Table:
    """The rows dated before ``until`` or undated. In a file sorted by that date they are a
    prefix and the null tail: sliced, not copied."""
    dates = piece[date_column]
    bound = pa.scalar(until.to_pydatetime(), type=dates.type)
    if not sorted_by_date:
        return piece.filter(pc.or_kleene(pc.less(dates, bound), pc.is_null(dates)))
    before = pc.sum(pc.less(dates, bound)).as_py() or 0
    undated = dates.null_count
    return pa.concat_tables([piece.slice(0, before), piece.slice(piece.num_rows - undated, undated)])


def filed_by_region(snapshot: Snapshot, table: str) -> bool:
    """Whether the snapshot keeps ``table`` as one file per region (a read by region returns
    only that region's rows, interactions included), as snapshots are written now."""
    return table in snapshot.manifest.get("parts", {})


def read_side_table(snapshot: Snapshot, name: str, arrow: bool = False) -> pd.DataFrame | pa.Table:
    """One of SIDE_TABLES of a snapshot (lineage, quarantine, accounting ...; empty frame when
    absent), as an Arrow table when ``arrow``."""
    if name not in SIDE_TABLES:
        raise ValueError(f"unknown side table {name!r}")
    path = snapshot.path / f"{name}.parquet"
    if not path.is_file() and path.name not in snapshot.manifest.get("files", {}):
        return pd.DataFrame()   # a snapshot written before this side table existed
    # An incremental snapshot keeps a large side table as its base's file plus one per increment.
    paths = [snapshot.path / file for file in snapshot.manifest.get("side_parts", {}).get(name, [path.name])]
    pieces = []
    for piece in paths:
        verify_file(snapshot, piece)
        try:
            pieces.append(pq.read_table(piece) if arrow else pd.read_parquet(piece))
        except (OSError, pa.ArrowInvalid) as exc:   # only where no checksum was recorded
            raise StoreDamaged(f"{piece}: unreadable ({first_line(exc)}); {STORE_REMEDY}") from None
    if len(pieces) == 1:
        return pieces[0]
    return pa.concat_tables(pieces) if arrow else pd.concat(pieces, ignore_index=True)


FIX_LISTS, _FIX_LIST_META = "fix_lists", b"custreport"
_PERIOD_LABEL = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")


def fix_list_path(store: Path, label: str) -> Path:
    """Where the fix lists of the period labelled ``label`` are kept, beside the snapshots: each
    period's lists outlive the snapshots they were made from, so the next can tell what was fixed.

    >>> fix_list_path(Path("data/clean"), "2025-Q4").as_posix()
    'data/clean/fix_lists/2025-Q4.parquet'
    """
    if not _PERIOD_LABEL.fullmatch(label):
        raise ValueError(f"not a period label: {label!r}")
    return Path(store) / FIX_LISTS / f"{label}.parquet"


def write_fix_list(store: Path, label: str, problems: pd.DataFrame, meta: dict) -> Path:
    """Keep a period's fix lists with ``meta`` (what they were made from), atomically; same input, same bytes."""
    table = pa.Table.from_pandas(problems, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           _FIX_LIST_META: json.dumps(meta, sort_keys=True).encode("utf-8")})
    buffer, path = pa.BufferOutputStream(), fix_list_path(store, label)
    pq.write_table(table, buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in [p for p in path.parent.glob(f".*{TEMPORARY_SUFFIX}") if is_stale(p)]:   # of a killed write
        leftover.unlink(missing_ok=True)
    return write_atomically(path, buffer.getvalue().to_pybytes())


def read_fix_list(store: Path, label: str) -> tuple[pd.DataFrame, dict] | None:
    """The fix lists kept for the period labelled ``label`` and their meta; None when none were kept."""
    path = fix_list_path(store, label)
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {}).get(_FIX_LIST_META, b"{}"))
    except (OSError, ValueError, pa.ArrowInvalid) as exc:
        raise StoreDamaged(f"{path}: unreadable ({first_line(exc)}); delete it: the next `custreport run` of "
                           f"{label} keeps its fix lists again") from None
    return table.to_pandas(), meta


def has_side_table(snapshot: Snapshot, name: str) -> bool:
    """Whether the snapshot was written with this side table (older versions wrote fewer)."""
    return (snapshot.path / f"{name}.parquet").is_file() or f"{name}.parquet" in snapshot.manifest.get("files", {})
