"""Reading every file of an ingest and preparing its sheets: hashed on a thread beside, and
for large sources with a second process reading the files but the largest."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import nullcontext
from multiprocessing import get_context
from pathlib import Path

from custreport import schema
from custreport.config import RegionTable, SourceSpec
from custreport.errors import UserError
from custreport.files import file_sha256
from custreport.ingest.arrow_pool import use_jemalloc
from custreport.ingest.inputs import input_record
from custreport.ingest.prepare import Prepared, prepare_sheet
from custreport.ingest.read import read_source_file

# From this many bytes of sources on, the largest file is read and prepared in this process
# while a second one reads and prepares the others: a run of a gigabyte of orders beside
# the customer, deal and interaction files takes about the time of the largest alone.
PARALLEL_FROM_BYTES = 200_000_000


def read_and_prepare(path: Path, spec: SourceSpec, regions: RegionTable) -> tuple[int, list[Prepared]]:
    """Read one source file and prepare each of its sheets; also return the rows read
    (rows above the header and unreadable lines included)."""
    use_jemalloc()   # in a helper process too
    rows, prepared = 0, []
    sheets = read_source_file(path, spec)
    while sheets:
        # Each raw sheet is let go once prepared: on a large export it is a third of the peak memory.
        sheet = sheets.pop(0)
        rows += sheet.rows_above_header + len(sheet.rows) + len(sheet.unreadable)
        prepared.append(prepare_sheet(sheet, spec, regions))
        del sheet
    return rows, prepared


def _read_and_prepare_into(file: Path, path: Path, spec: SourceSpec, regions: RegionTable) -> Path:
    """read_and_prepare, the result pickled into ``file``: the helper's results wait on disk,
    not in the memory of the process preparing the largest file."""
    with file.open("wb") as handle:
        pickle.dump(read_and_prepare(path, spec, regions), handle, protocol=pickle.HIGHEST_PROTOCOL)
    return file


def _taken_from(file: Path):
    with file.open("rb") as handle:
        result = pickle.load(handle)
    file.unlink()
    return result


def _read_and_prepare_all(files: list[tuple[SourceSpec, Path]], regions: RegionTable,
                          on_file: Callable[[str, Path], None] | None, helper_process: bool) -> tuple[list, list[str]]:
    """read_and_prepare of every file, in order, and the sha256 of each.

    Hashing runs on a thread beside (it releases the GIL). When the sources are large, the
    files but the largest go to a second process. A mistake is reported for the first file
    in order that has one, as when the files are read one after another.
    """
    sizes = [path.stat().st_size for _, path in files]
    parallel = helper_process and len(files) > 1 and sum(sizes) >= PARALLEL_FROM_BYTES and (os.cpu_count() or 1) > 1
    # A fresh helper per file: a process gives little of the memory it freed back.
    with ThreadPoolExecutor(max_workers=1) as hasher, \
            (ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), max_tasks_per_child=1)
             if parallel else nullcontext()) as helper, \
            (tempfile.TemporaryDirectory(prefix="custreport-ingest-") if parallel else nullcontext()) as folder:
        digests = [hasher.submit(file_sha256, path) for _, path in files]
        try:
            results = _in_order(files, regions, on_file, (helper, Path(folder)) if parallel else None, sizes)
        except BaseException:   # the files after a mistake are not hashed (nor read: see _in_order)
            hasher.shutdown(wait=False, cancel_futures=True)
            raise
        return results, [digest.result() for digest in digests]


def _in_order(files: list[tuple[SourceSpec, Path]], regions: RegionTable, on_file: Callable[[str, Path], None] | None,
              helper: tuple[ProcessPoolExecutor, Path] | None, sizes: list[int]) -> list:
    """read_and_prepare of every file in order; with a ``helper`` (a process pool and a folder
    for its results), of all but the largest (by ``sizes``) there."""
    parallel = helper is not None
    # The helper's largest first: it is done while this process is still early in its own.
    by_size = sorted(range(len(files)), key=lambda index: -sizes[index])
    largest, others = (by_size[0], by_size[1:]) if parallel else (-1, [])
    elsewhere = {index: helper[0].submit(_read_and_prepare_into, helper[1] / f"{index}.pickle", files[index][1],
                                         files[index][0], regions) for index in others}
    try:
        results: list = [None] * len(files)
        if parallel:
            spec, path = files[largest]
            if on_file:
                on_file(spec.name, path)
            try:
                results[largest] = read_and_prepare(path, spec, regions)
            except UserError as mistake:   # raised below unless a file before it has one
                results[largest] = mistake
        for index, (spec, path) in enumerate(files):
            if index in elsewhere:
                if on_file:
                    on_file(spec.name, path)
                results[index] = _taken_from(elsewhere.pop(index).result())
            elif isinstance(results[index], UserError):
                raise results[index]
            elif results[index] is None:
                if on_file:
                    on_file(spec.name, path)
                results[index] = read_and_prepare(path, spec, regions)
    except BaseException:
        for future in elsewhere.values():   # those not started yet
            future.cancel()
        raise
    return results


def read_and_prepare_files(files: list[tuple[SourceSpec, Path]], base: Path, regions: RegionTable,
                           on_file: Callable[[str, Path], None] | None, helper_process: bool):
    """Each file read and prepared: the prepared parts by table, rows and files read by source,
    and the inputs (source, file, bytes, sha256) the manifest records."""
    prepared: dict[str, list[Prepared]] = {table: [] for table in schema.TABLES}
    rows_read: Counter = Counter()
    files_read: Counter = Counter()
    results, digests = _read_and_prepare_all(files, regions, on_file, helper_process)
    inputs = [input_record(spec.name, path, base, digest) for (spec, path), digest in zip(files, digests)]
    for (spec, _), (rows, parts) in zip(files, results):
        files_read[spec.name] += 1
        rows_read[spec.name] += rows
        prepared[spec.table] += parts
    return prepared, rows_read, files_read, inputs
