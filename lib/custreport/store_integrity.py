"""Store integrity: what a snapshot recorded of its files (size, modification time, sha256),
and the checks that stop on a file missing or changed since (StoreDamaged, one line with the remedy).

The manifest records the tables, side tables and kept files; ``copies.json`` the Arrow copies,
rewritten whenever they are. A load checks size and modification time and hashes only a file
touched since it was written (verify_file); ``custreport store verify`` hashes them all
(verify_snapshot).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from custreport.errors import UserError, first_line
from custreport.files import file_sha256, write_atomically

if TYPE_CHECKING:
    from custreport.store import Snapshot


MANIFEST = "manifest.json"
COPIES_RECORD = "copies.json"   # the Arrow copies' checksums: rewritten whenever the copies are
MAPPED_SUFFIX = ".arrow"   # the memory-mapped Arrow copy beside a region's parquet file
STORE_REMEDY = ("`custreport store verify` lists every damaged file; `custreport store rollback` returns to the "
                "snapshot before, `custreport ingest` writes a new one")


class StoreDamaged(UserError):
    """A store file is missing, changed since it was written, or unreadable."""


def recorded_files(folder: Path) -> list[str]:
    """A snapshot's files its manifest records: tables, side tables, kept files (not the copies)."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and path.suffix != MAPPED_SUFFIX and path.name not in (MANIFEST, COPIES_RECORD))


def copy_files(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.glob(f"*/*{MAPPED_SUFFIX}"))


def checksums(folder: Path, names: list[str]) -> dict[str, dict]:
    """Size, modification time and sha256 of each file: the time lets a load skip hashing a file
    untouched since it was written; size and hash say whether a touched one still holds it."""
    records = {}
    for name in names:
        info = (folder / name).stat()
        records[name] = {"bytes": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": file_sha256(folder / name)}
    return records


def write_copies_record(folder: Path, records: dict[str, dict]) -> None:
    write_atomically(folder / COPIES_RECORD, json.dumps(records, indent=1))


def read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreDamaged(f"{path}: missing; {STORE_REMEDY}") from None
    except OSError as exc:
        raise StoreDamaged(f"{path}: cannot be read ({exc.strerror}); {STORE_REMEDY}") from None
    except ValueError as exc:   # cut short, or not text at all
        raise StoreDamaged(f"{path}: damaged, not a manifest ({first_line(exc)}); {STORE_REMEDY}") from None
    if not isinstance(manifest, dict):
        raise StoreDamaged(f"{path}: damaged, not a manifest; {STORE_REMEDY}")
    return manifest


def recorded_checksums(snapshot: Snapshot) -> dict[str, dict]:
    """What the snapshot recorded of its files (nothing for snapshots written before checksums)."""
    records = dict(snapshot.manifest.get("files", {}))
    try:
        records.update(json.loads((snapshot.path / COPIES_RECORD).read_text(encoding="utf-8")))
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        raise StoreDamaged(f"{snapshot.path / COPIES_RECORD}: damaged; {STORE_REMEDY}") from None
    return records


_VERIFIED: dict[str, tuple[int, int]] = {}   # path -> (size, mtime) hashed sound by this process


def verify_file(snapshot: Snapshot, path: Path, records: dict[str, dict] | None = None) -> None:
    """Stop with StoreDamaged unless ``path`` holds what its snapshot wrote there: same size, and
    the same sha256 when it was touched since (untouched files are not hashed, so a load stays fast)."""
    name = path.relative_to(snapshot.path).as_posix()
    record = (records if records is not None else recorded_checksums(snapshot)).get(name)
    if record is None:
        return
    try:
        info = path.stat()
    except FileNotFoundError:
        raise StoreDamaged(f"{path}: missing from snapshot {snapshot.id}; {STORE_REMEDY}") from None
    stamp = (info.st_size, info.st_mtime_ns)
    if _VERIFIED.get(str(path)) == stamp:
        return
    copy = "; or delete this copy (it is read from its parquet file when missing)" if path.suffix == MAPPED_SUFFIX else ""
    if info.st_size != record["bytes"]:
        raise StoreDamaged(f"{path}: {info.st_size:,} bytes where {record['bytes']:,} were written (snapshot "
                           f"{snapshot.id}); {STORE_REMEDY}{copy}")
    if info.st_mtime_ns != record.get("mtime_ns") and file_sha256(path) != record["sha256"]:
        raise StoreDamaged(f"{path}: changed since it was written (its sha256 differs; snapshot {snapshot.id}); "
                           f"{STORE_REMEDY}{copy}")
    _VERIFIED[str(path)] = stamp


def check_files(snapshot: Snapshot) -> None:
    """verify_file for every file the snapshot recorded (copies only where present): a stat per
    file, a hash only of those touched since written. A run checks this before rendering anything."""
    records = recorded_checksums(snapshot)
    for name in records:
        path = snapshot.path / name
        try:
            verify_file(snapshot, path, records)
        except StoreDamaged:
            if path.suffix != MAPPED_SUFFIX or path.exists():   # copies come and go with CURRENT
                raise


def verify_snapshot(snapshot: Snapshot) -> list[str]:
    """Every problem of a snapshot, one line each: files missing or changed (each one hashed,
    however recently verified), copies damaged. Empty when it is sound."""
    problems = []
    records = recorded_checksums(snapshot)
    if not snapshot.manifest.get("files"):
        problems.append(f"{snapshot.path / MANIFEST}: written before checksums were recorded; only its files' "
                        "presence is checked (a new ingest records them)")
    for name, record in sorted(records.items()):
        path = snapshot.path / name
        if path.suffix == MAPPED_SUFFIX and not path.exists():
            continue   # copies are optional: reports read the parquet file
        _VERIFIED.pop(str(path), None)
        try:
            verify_file(snapshot, path, {name: {**record, "mtime_ns": None}})
        except StoreDamaged as exc:
            problems.append(str(exc).split("; `custreport")[0])
    for _, file in (part for parts in snapshot.manifest.get("parts", {}).values() for part in parts):
        if not (snapshot.path / file).is_file() and file not in records:
            problems.append(f"{snapshot.path / file}: missing from snapshot {snapshot.id}")
    return problems
