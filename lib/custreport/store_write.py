"""Writing a snapshot's tables: one parquet file per region, sorted within it, each with its
uncompressed Arrow copy for the current snapshot (see custreport.store for the layout).
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from custreport import schema
from custreport.files import TEMPORARY_SUFFIX
from custreport.store_integrity import MAPPED_SUFFIX, checksums, copy_files, verify_file, write_copies_record

if TYPE_CHECKING:
    from custreport.store import Snapshot


# Nulls sort last: the rows before a date are a prefix of a file, the undated ones its tail.
SORT_KEYS = {"customers": ["customer_id"], "orders": ["order_date"], "deals": ["created_at"],
             "interactions": ["date", "customer_id"], "leads": ["created_at"], "reps": ["rep_id"]}
ROW_GROUP_SIZE = 128_000
# Integer keys stored beside the order ids they number (read only when asked for by name).
STORED_KEYS = {"orders": {"customer_key": "customer_id", "order_key": "order_id"}}
_PART = "__part__"   # the region a row is filed under while a table is written
# Tables filed as one file per region and month of this date (a new day's rows rewrite only
# their month's files); undated rows in a file of their own after the months.
MONTHLY = {"orders": "order_date"}
_MONTHS = 10_000_000   # month codes (year * 12 + month - 1) stay below it; the undated code is the last
_UNDATED = _MONTHS - 1
# The tables a report reads by region with memory-mapped copies (MAPPED_SUFFIX).
MAPPED_TABLES = ("customers", "orders", "deals", "interactions", "leads")


def month_codes(dates: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Year * 12 + month - 1 of each date; the undated code for a missing one.

    >>> month_codes(pa.array([dt.datetime(2025, 12, 31), None])).to_pylist()
    [24311, 9999999]
    """
    code = pc.add(pc.multiply(pc.year(dates), 12), pc.subtract(pc.month(dates), 1)).fill_null(_UNDATED)
    return code.combine_chunks() if isinstance(code, pa.ChunkedArray) else code


def month_label(code: int) -> str:
    """A month code as a file names it: ``2025-12``, or ``undated``."""
    return "undated" if code == _UNDATED else f"{code // 12:04d}-{code % 12 + 1:02d}"


def month_of_file(file: str) -> int | None:
    """The month code of a file written for one region and month (None for any other file)."""
    label = Path(file).stem.partition("-")[2]
    if label == "undated":
        return _UNDATED
    year, _, month = label.partition("-")
    return int(year) * 12 + int(month) - 1 if year.isdigit() and month.isdigit() else None


def write_mapped_copies(snapshot: Snapshot) -> None:
    """Write the Arrow copies of the snapshot's region files that lack one (see custreport.store for the layout)."""
    for table in MAPPED_TABLES:
        for _, file in snapshot.manifest.get("parts", {}).get(table, []):
            copy = (snapshot.path / file).with_suffix(MAPPED_SUFFIX)
            if not copy.is_file():
                verify_file(snapshot, snapshot.path / file)   # a copy of a damaged file would pass as sound
                _write_mapped(pq.read_table(snapshot.path / file), copy)
    write_copies_record(snapshot.path, checksums(snapshot.path, copy_files(snapshot.path)))


def mapped_copies_of(snapshot: Snapshot) -> list[Path]:
    """The Arrow copies a snapshot holds now (the current one's, unless they are turned off)."""
    return sorted(snapshot.path.glob(f"*/*{MAPPED_SUFFIX}"))


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame.reset_index(drop=True),
                                                                             preserve_index=False)
    pq.write_table(table, path, row_group_size=ROW_GROUP_SIZE, compression="zstd")


def _write_mapped(table: pa.Table, path: Path) -> None:
    """An uncompressed Arrow IPC file of ``table``, renamed into place once complete."""
    _write_in_pieces(lambda start, count: table.slice(start, count), table.num_rows, table.schema, None, path)


def _mapped_schema(schema_: pa.Schema) -> pa.Schema:
    # Large strings, the type pandas holds text in: converting on load would copy every offset.
    return pa.schema([field.with_type(pa.large_string()) if pa.types.is_string(field.type) else field
                      for field in schema_], metadata=schema_.metadata)


_PIECE_ROWS = 8 * ROW_GROUP_SIZE   # a take per piece: fewer, larger pieces take faster


def _write_in_pieces(piece, rows: int, schema_: pa.Schema, parquet: Path | None, mapped: Path | None) -> None:
    """Write ``rows`` rows, made ``_PIECE_ROWS`` at a time by ``piece(start, count)``, to a
    parquet file and/or an Arrow copy (renamed into place once complete). A piece at a time,
    not a region at a time: each of the two writing threads holds a million rows at most, not
    a third of ten million order lines."""
    temporary = mapped.with_name(f".{mapped.name}.{os.getpid()}{TEMPORARY_SUFFIX}") if mapped else None
    mapped_schema = _mapped_schema(schema_)
    with (pq.ParquetWriter(parquet, schema_, compression="zstd") if parquet else nullcontext()) as to_parquet, \
            (pa.OSFile(str(temporary), "wb") if mapped else nullcontext()) as sink, \
            (pa.ipc.new_file(sink, mapped_schema) if mapped else nullcontext()) as to_mapped:
        for start in range(0, max(rows, 1), _PIECE_ROWS):
            rows_now = piece(start, min(_PIECE_ROWS, rows - start))
            if to_parquet is not None:
                to_parquet.write_table(rows_now, row_group_size=ROW_GROUP_SIZE)
            if to_mapped is not None:
                to_mapped.write_table(rows_now.cast(mapped_schema))
    if mapped:
        os.replace(temporary, mapped)


def write_by_region(name: str, frame: pd.DataFrame, folder: Path,
                     customers: pd.DataFrame | None, mapped: bool = False) -> list[list]:
    """Write one table as one file per region under ``folder/name/``, each sorted by the
    table's keys; return ``[region, file]`` pairs (region None: rows filed under none).

    Interactions are filed under their customer's region (looked up in ``customers``).
    ``mapped``: each file gets its Arrow copy too.
    """
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    if "region" in table.column_names:
        part = table["region"]
    elif name == "interactions" and customers is not None and len(customers):
        known = pa.array(customers["customer_id"], type=pa.large_string())
        found = pc.index_in(table["customer_id"].cast(pa.large_string()), value_set=known)
        part = pa.array(customers["region"], type=pa.large_string()).take(found)
    else:
        part = pa.nulls(len(table), pa.large_string())
    # Sorted by index, each region's rows taken as its file is written: a sorted copy of the
    # whole table (gigabytes for ten million order lines) is never held. Regions sort as the
    # rank of their name (a few distinct values), not as ten million strings.
    encoded = pc.dictionary_encode(part.combine_chunks() if isinstance(part, pa.ChunkedArray) else part)
    names = encoded.dictionary.to_pylist()
    rank_of = np.argsort(np.argsort(np.array(names, dtype=object), kind="stable"), kind="stable")
    rank = pa.array(rank_of, type=pa.int64()).take(encoded.indices)   # a missing region: null, last
    if name in MONTHLY:   # one file per region and month: months follow each other as the dates do
        rank = pc.add(pc.multiply(rank, _MONTHS), month_codes(table[MONTHLY[name]]))
    order = pc.sort_indices(table.append_column(_PART, rank),
                            sort_keys=[(_PART, "ascending"), *[(key, "ascending") for key in SORT_KEYS[name]]])
    # Numbered unsorted and the codes taken in order: a sorted copy of ten million ids is never made.
    keys = {key: schema.id_codes(table[column]).take(order) for key, column in STORED_KEYS.get(name, {}).items()}
    (folder / name).mkdir()
    runs = pc.run_end_encode(rank.take(order)) if len(table) else None
    by_rank = dict(zip(rank_of.tolist(), names))
    bounds = [(None, 0, 0)] if runs is None else \
        zip(runs.values.to_pylist(), [0, *runs.run_ends.to_pylist()[:-1]], runs.run_ends.to_pylist())
    parts = []
    for index, (code, start, end) in enumerate(bounds):
        if name in MONTHLY and code is not None:
            code, month = divmod(code, _MONTHS)
            file = f"{name}/{index:03d}-{month_label(month)}.parquet"
        else:
            file = f"{name}/{index:03d}.parquet"
        parts.append([by_rank.get(code), file, start, end])

    def rows(start: int, count: int) -> pa.Table:
        taken = table.take(order.slice(start, count))
        for key, codes in keys.items():
            taken = taken.append_column(key, codes.slice(start, count))
        return taken

    stored_schema = rows(0, 0).schema

    def write(entry: list, batch: pa.Table | None, batch_start: int) -> None:
        _, file, start, end = entry
        piece = (lambda offset, count: rows(start + offset, count)) if batch is None else \
            (lambda offset, count: batch.slice(start - batch_start + offset, count))
        _write_in_pieces(piece, end - start, stored_schema,
                         folder / file, (folder / file).with_suffix(MAPPED_SUFFIX) if mapped else None)

    # Parquet encodes and compresses without holding the GIL: two files are written side by side.
    with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 2)) as pool:
        for batch_parts in _batches(parts):
            first, last = batch_parts[0][2], batch_parts[-1][3]
            # Small files (a region's month) are sliced from one take of their batch: a take
            # from a table of many chunks costs a pass over every chunk, whatever it takes.
            batch = rows(first, last - first) if last - first <= _PIECE_ROWS else None
            list(pool.map(lambda entry: write(entry, batch, first), batch_parts))
    return [[region, file] for region, file, _, _ in parts]


def _batches(parts: list[list]) -> list[list[list]]:
    """Consecutive ``[region, file, start, end]`` parts grouped up to ``_PIECE_ROWS`` rows a
    group; a larger part is a group of its own.

    >>> [[p[1] for p in group] for group in _batches([[None, "a", 0, 10], [None, "b", 10, 20]])]
    [['a', 'b']]
    """
    groups: list[list[list]] = []
    for part in parts:
        if groups and part[3] - groups[-1][0][2] <= _PIECE_ROWS:
            groups[-1].append(part)
        else:
            groups.append([part])
    return groups


def write_rows_file(rows: pa.Table, folder: Path, file: str, mapped: bool) -> None:
    """Write ``rows`` (already in the order they are stored) as one region file ``file`` under
    ``folder``, with its Arrow copy when ``mapped``: the part an incremental ingest adds."""
    (folder / file).parent.mkdir(parents=True, exist_ok=True)
    _write_in_pieces(lambda start, count: rows.slice(start, count), rows.num_rows, rows.schema, folder / file,
                     (folder / file).with_suffix(MAPPED_SUFFIX) if mapped else None)
