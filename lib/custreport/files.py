"""File helpers shared by the store, runs and delivery: writes a reader never sees half done,
staging folders with the umask's permissions, and sha256 of a file read in chunks.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


TEMPORARY_SUFFIX = ".tmp"


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, as hex (files are read in chunks, never whole)."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def umask() -> int:
    """The process's umask (read without changing it where the system allows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)   # the portable way sets it to read it: put it straight back
    os.umask(current)
    return current


def private_folder(parent: Path, prefix: str) -> Path:
    """A new uniquely named folder in ``parent`` for staging, with the permissions any folder
    made under the umask gets (mkdtemp makes it 0700, which renaming would publish)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    folder.chmod(0o777 & ~umask())
    return folder


def write_atomically(target: Path, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8) to ``target`` through a temporary file renamed into place:
    a reader sees the old file or the new one, never half of one."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}{TEMPORARY_SUFFIX}")
    temporary.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    os.replace(temporary, target)
    return target
