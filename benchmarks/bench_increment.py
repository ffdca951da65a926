"""What a day's new data costs: a new file of orders, and a changed customer sheet, into a store.

    .venv/bin/python benchmarks/bench_increment.py [--customers 1000000]

On the generated data of `make bench` (benchmarks/_work/scale/<size>/data/raw, made there when
missing), a scratch project reads its orders from data/raw/orders/*.csv: the orders file less
its last lines (about a day's orders: one line in a thousand) as one file, those lines as a
second. Timed, each as the real `custreport ingest` in a child process:

1. the store made from the first file alone (a full ingest, not reported);
2. the day's file added: the incremental ingest (target at 1,000,000 customers: <= 10 s);
3. one customer's row changed in the CRM export: a full ingest again (customers are matched
   as a whole).

(A full ingest of the same inputs makes the same store as 2: tests/ingest/test_increment.py.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from bench_ingest import prepare, run_with_peak
from scratch import scratch_project

DAY_SHARE = 1000   # the last 1/DAY_SHARE of the order lines: about a day of three years' orders


def increment_project(customers: int, seed: int) -> Path:
    """A scratch project of the generated data whose orders come as two files (base and day)."""
    scale, _ = prepare(customers, seed)
    work = scratch_project(f"increment/{customers}")
    raw = work / "data" / "raw"
    raw.mkdir(parents=True)
    for path in (scale / "data" / "raw").iterdir():
        if path.is_file() and path.name != "orders.csv":
            os.link(path, raw / path.name)   # shared, never written: the changed sheet is a new file
    lines = (scale / "data" / "raw" / "orders.csv").read_bytes().split(b"\n")
    header, body = lines[0], [line for line in lines[1:] if line]
    cut = len(body) - max(1, len(body) // DAY_SHARE)
    (raw / "orders").mkdir()
    (raw / "orders" / "2023-2025.csv").write_bytes(b"\n".join([header, *body[:cut]]) + b"\n")
    (raw / "orders" / "day.csv").write_bytes(b"\n".join([header, *body[cut:]]) + b"\n")
    day = raw / "orders" / "day.csv"
    day.rename(work / "day.csv")
    sources = work / "params" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("path: data/raw/orders.csv",
                                                                   "path: data/raw/orders/*.csv"), encoding="utf-8")
    return work


def measure_increments(customers: int, seed: int) -> dict:
    """Seconds and peak memory of the incremental ingest, the full one and a changed customer sheet."""
    work = increment_project(customers, seed)
    figures = {}
    figures["base_ingest"], _ = run_with_peak(["ingest"], work)
    (work / "day.csv").rename(work / "data" / "raw" / "orders" / "day.csv")
    figures["increment"], figures["increment_peak_gb"] = run_with_peak(["ingest"], work)
    crm = work / "data" / "raw" / "crm_accounts.csv"
    text = crm.read_bytes()
    first_line_end = text.index(b"\n", text.index(b"\n") + 1)   # the first customer's row: its last cell edited
    changed = text[:first_line_end].rstrip(b"\r") + b" " + text[first_line_end:]
    crm.unlink()
    crm.write_bytes(changed)
    figures["changed_customers"], _ = run_with_peak(["ingest"], work)
    shutil.rmtree(work / "data" / "clean", ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    figures = measure_increments(args.customers, args.seed)
    print(f"{args.customers:,} customers ({time.perf_counter() - started:.0f} s in all)")
    print(f"  a day's orders added: {figures['increment']:.1f} s (peak {figures['increment_peak_gb']:.2f} GB)")
    print(f"  a changed customer sheet (a full ingest): {figures['changed_customers']:.1f} s")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
