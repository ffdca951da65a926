"""Scratch projects for benchmarks: the project's params (and notebooks) in a work folder."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def scratch_project(name: str, notebooks: bool = False, fresh: bool = True) -> Path:
    """benchmarks/_work/<name> with a copy of params/ (and notebooks/); emptied first when ``fresh``."""
    work = PROJECT / "benchmarks" / "_work" / name
    if fresh:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    folders = ["params", "notebooks"] if notebooks else ["params"]
    for folder in folders:
        shutil.copytree(PROJECT / folder, work / folder, dirs_exist_ok=True)
    return work
