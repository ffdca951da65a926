"""Time the demo job (demo-data, ingest, run) on a scratch copy of the project and print the figures.

    .venv/bin/python benchmarks/bench_demo.py [--customers 3000] [--workers 2]

Each step runs the real `custreport` command in a scratch project under
benchmarks/_work/, so the figures are what `make demo` costs after set-up.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_project

CLI = str(Path(sys.executable).with_name("custreport"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    work = scratch_project("demo", notebooks=True)

    steps = [
        ("demo-data", ["demo-data", "--customers", str(args.customers), "--out", "data/raw"]),
        ("ingest", ["ingest"]),
        ("run (all regions)", ["run", "--period", "latest", "--regions", "all", "--workers", str(args.workers)]),
    ]
    timings = []
    for label, command in steps:
        started = time.perf_counter()
        result = subprocess.run([CLI, *command], cwd=work, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"{label} failed:\n{result.stdout}\n{result.stderr}")
        timings.append((label, seconds))

    total = sum(seconds for _, seconds in timings)
    print(f"demo job, {args.customers:,} customers, {args.workers} workers, {os.cpu_count()} cores")
    for label, seconds in timings:
        print(f"  {label:<20} {seconds:6.1f} s")
    print(f"  {'total':<20} {total:6.1f} s   (target: under 60 s)")


if __name__ == "__main__":
    main()
