"""Ingest time and peak memory at a given scale of generated demo data.

    .venv/bin/python benchmarks/bench_ingest.py --customers 1000000

Demo data is generated once per size into benchmarks/_work/scale/<size>/ and reused.
The ingest runs as the real `custreport ingest` command in a child process, so its
peak resident memory (ru_maxrss) is measured alone. Targets at 1,000,000 customers
(about 10 orders each): under 180 s and under 8 GB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_project

PROJECT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("custreport"))


def prepare(customers: int, seed: int) -> tuple[Path, float | None]:
    """A scratch project with generated raw data (reused when already there)."""
    work = scratch_project(f"scale/{customers}", fresh=False)
    if (work / "data" / "raw" / "_truth" / "entities.csv").is_file():
        return work, None
    started = time.perf_counter()
    subprocess.run([CLI, "demo-data", "--customers", str(customers), "--seed", str(seed), "--out", "data/raw"],
                   cwd=work, check=True, capture_output=True)
    return work, time.perf_counter() - started


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (GB) of one child command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024 / 1024
    return seconds, peak


def raw_size(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*") if p.is_file()) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work, generated = prepare(args.customers, args.seed)
    shutil.rmtree(work / "data" / "clean", ignore_errors=True)
    seconds, peak = measure([CLI, "ingest"], work)
    store_size = sum(p.stat().st_size for p in (work / "data" / "clean").rglob("*") if p.is_file()) / 1e9
    print(f"ingest at {args.customers:,} customers (raw files {raw_size(work / 'data' / 'raw'):.2f} GB"
          + (f", generated in {generated:.0f} s" if generated else "") + ")")
    print(f"  time {seconds:.1f} s   peak memory {peak:.2f} GB   store {store_size:.2f} GB")


if __name__ == "__main__":
    main()
