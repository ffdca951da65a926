"""A small generated project on disk, built through the real command line (demo-data, ingest)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("custreport"))


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `custreport *args` in ``cwd``; a failure shows the command's own output."""
    result = subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"custreport {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def copy_params(root: Path, **options) -> None:
    """This project's params/ into ``root``: the shipped files only. The targets `make demo` writes
    (params/targets.yaml, untracked) name the shipped regions: a test project starts without them,
    as a clean checkout does."""
    shutil.copytree(PROJECT / "params", root / "params", ignore=shutil.ignore_patterns("targets.yaml"), **options)


def make_demo_project(root: Path, customers: int = 250, seed: int = 11) -> subprocess.CompletedProcess:
    """params/ and notebooks/ of this project plus an ingested demo store under ``root``;
    returns the ingest's result."""
    copy_params(root)
    shutil.copytree(PROJECT / "notebooks", root / "notebooks")
    cli(root, "demo-data", "--customers", str(customers), "--seed", str(seed), "--out", "data/raw")
    return cli(root, "ingest")
