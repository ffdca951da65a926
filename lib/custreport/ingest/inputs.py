"""What an ingest is made from, as one hash: a store snapshot records it, and `custreport
update` ingests again only when the inputs' hash changed."""

from __future__ import annotations

import glob
import hashlib
import json
import os
from pathlib import Path

from custreport.errors import UserError
from custreport.files import file_sha256


def source_files(pattern: str, base: Path, source: str = "") -> list[Path]:
    """Files matching a source's path or glob, relative to the project folder, sorted.

    A glob searches the project folder, or a folder named outside it (``/srv/exports/*.csv``,
    ``../exports/**/*.xlsx``); one that would search a folder holding the project, or the whole
    disk (``/**/*.csv``, ``../../**``), is refused before it walks anything.

    >>> source_files("/**/*.csv", Path("/srv/reports"), "crm")
    Traceback (most recent call last):
    custreport.errors.UserError: source 'crm': path '/**/*.csv' would search all of / (a folder holding the project); start the glob in the project folder (data/raw/**/*.csv) or in the folder the files are in
    """
    # The project folder is taken literally (it may contain [ ] or *); the pattern is the user's.
    full = pattern if Path(pattern).is_absolute() else str(Path(glob.escape(str(base))) / pattern)
    if glob.has_magic(pattern):
        start = _literal_start(pattern, base).resolve()
        if Path(base).resolve().is_relative_to(start):
            raise UserError(f"source {source!r}: path {pattern!r} would search all of {start} (a folder holding the "
                            "project); start the glob in the project folder (data/raw/**/*.csv) or in the folder "
                            "the files are in")
    return [Path(p) for p in sorted(glob.glob(full, recursive=True)) if Path(p).is_file()]


def _literal_start(pattern: str, base: Path) -> Path:
    """Where a path or glob is named to be: its parts before the first wildcard, made absolute
    (``..`` applied, links not followed)."""
    literal = []
    for part in Path(pattern).parts:   # the project folder's own name may hold [ ] or *: taken as it is
        if glob.has_magic(part):
            break
        literal.append(part)
    return Path(os.path.abspath(Path(base) / Path(*literal))) if literal else Path(os.path.abspath(base))


def links_out_of_project(files: list[Path], pattern: str, base: Path) -> list[tuple[Path, Path]]:
    """(file, where it leads) for each of ``files`` named inside the project folder that is a
    link, or lies in a linked folder, leading outside it. Files named outside on purpose
    (``/srv/exports/a.csv``) are not links out."""
    if not _literal_start(pattern, base).is_relative_to(os.path.abspath(base)):
        return []
    project = Path(base).resolve()
    return [(path, path.resolve()) for path in files if not path.resolve().is_relative_to(project)]


def input_fingerprint(inputs: list[dict], config_path: Path, base: Path) -> str:
    """What a snapshot is made from, as one hash: each source's files by content (``inputs``:
    source, file, sha256), the sources file, the params/*.yaml data and reports depend on, and
    the code. Ingesting the same inputs again gives the same data, so reports need not be
    rendered again."""
    from custreport import code_digest
    from custreport.config import content_params

    settings = sorted({Path(config_path).resolve(), *(p.resolve() for p in content_params(base / "params"))})
    described = {
        "files": sorted((i["source"], i["file"], i["sha256"]) for i in inputs),
        "settings": [(str(path.relative_to(base)) if path.is_relative_to(base) else str(path), file_sha256(path))
                     for path in settings if path.is_file()],
        "code": code_digest(),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def input_record(source: str, path: Path, base: Path, sha256: str) -> dict:
    """How a snapshot's manifest records a file it was made from."""
    info = path.stat()
    return {"source": source, "file": str(path.relative_to(base) if path.is_relative_to(base) else path),
            "bytes": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": sha256}


def known_digest(path: Path, name: str, recorded: dict[str, dict]) -> str:
    """The sha256 of ``path`` (named ``name`` in a manifest's inputs): the recorded one when its size
    and modification time are as recorded then (a file rewritten keeps neither: a gigabyte of
    unchanged exports is not read again to learn it is unchanged), else hashed now."""
    entry = recorded.get(name)
    if entry and "mtime_ns" in entry:
        info = path.stat()
        if (info.st_size, info.st_mtime_ns) == (entry["bytes"], entry["mtime_ns"]):
            return entry["sha256"]
    return file_sha256(path)


def pending_input_fingerprint(config_path: Path | None = None, recorded: list[dict] | None = None,
                              extracts: dict | None = None) -> str:
    """input_fingerprint of what an ingest would read now (no file parsed; each hashed unless
    ``recorded``, a snapshot's inputs, knows it unchanged: see known_digest). A database
    source counts by its extract (``extracts``, read_sql.refresh_extracts: read by the caller,
    which passes the same to the ingest)."""
    from custreport.config import load_sources, project_root

    path = Path(config_path) if config_path else project_root() / "params" / "sources.yaml"
    config, base = load_sources(path)
    known = {entry["file"]: entry for entry in recorded or []}
    inputs = []
    for spec in config.sources:
        found_files = [extracts[spec.name].path] if spec.type == "sql" else source_files(spec.path, base, spec.name)
        for found in found_files:
            name = str(found.relative_to(base) if found.is_relative_to(base) else found)
            inputs.append({"source": spec.name, "sha256": known_digest(found, name, known), "file": name})
    return input_fingerprint(inputs, path, base)
