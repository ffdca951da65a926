"""One run at a time per period: `custreport run` and `custreport send` hold the period's lock;
one writer at a time per store: `custreport ingest` and `store rollback` hold the store's.

Two overlapping runs for the same period would render into the same folders and send the
same messages; the second one waits for the lock (``wait`` seconds) or stops with one line
saying who holds it. The lock is an OS file lock, released by the system when its holder
dies, so a killed run never blocks the next one.

>>> import tempfile
>>> with period_lock(Path(tempfile.mkdtemp()), "run"):
...     pass
"""

from __future__ import annotations

import datetime as dt
import json
import os
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from custreport.errors import UserError

LOCK_FILE = ".custreport.lock"
HOLDER_FILE = ".custreport.lock.json"   # who holds the lock, for the message of whoever waits


@contextmanager
def period_lock(folder: Path, command: str, wait: float = 0.0):
    """Hold ``folder``'s lock while the block runs; wait up to ``wait`` seconds for it."""
    with _folder_lock(folder, command, wait, "working on this period"):
        yield


@contextmanager
def store_lock(folder: Path, command: str, wait: float = 0.0):
    """Hold the store ``folder``'s lock while the block writes it: two ingests at once would
    each number customers from the same registry and the later would hide the earlier."""
    with _folder_lock(folder, command, wait, "writing this store"):
        yield


@contextmanager
def _folder_lock(folder: Path, command: str, wait: float, doing: str):
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / LOCK_FILE)
    try:
        lock.acquire(timeout=max(wait, 0.0))
    except Timeout:
        raise UserError(f"{folder}: another custreport command is {doing} ({_holder(folder)}); "
                        "wait for it, or pass --wait SECONDS") from None
    try:
        holder = {"command": command, "pid": os.getpid(),
                  "since": dt.datetime.now().isoformat(timespec="seconds")}
        (folder / HOLDER_FILE).write_text(json.dumps(holder), encoding="utf-8")
        yield
    finally:
        lock.release()


def _holder(folder: Path) -> str:
    try:
        holder = json.loads((folder / HOLDER_FILE).read_text(encoding="utf-8"))
        return f"custreport {holder['command']}, pid {holder['pid']}, since {holder['since']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"
