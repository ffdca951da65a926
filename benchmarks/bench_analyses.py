"""Time every analysis of one region and quarter on a generated store, and the value-model fit.

    .venv/bin/python benchmarks/bench_analyses.py --customers 1000000 --region east --period 2025-Q4

The store is built once per size (demo data + `custreport ingest`, as bench_ingest.py
does) under benchmarks/_work/scale/<size>/ and reused. Loading the region slice is timed
apart; the analyses are timed one by one on the loaded context, then all together as
metrics.json and the workbook frames need them. Targets: all analyses for one region and
quarter of a 1,000,000-customer store under 5 s after loading; BG/NBD + Gamma-Gamma on
100,000 customers under 5 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench_ingest import CLI, prepare

PROJECT = Path(__file__).resolve().parents[1]


def timed(label: str, action, results: dict):
    started = time.perf_counter()
    value = action()
    results[label] = time.perf_counter() - started
    print(f"  {label:<34} {results[label]:7.2f} s")
    return value


def build_store(customers: int, seed: int) -> Path:
    work, generated = prepare(customers, seed)
    if generated is not None:
        print(f"demo data generated in {generated:.0f} s")
    if not (work / "data" / "clean" / "CURRENT").is_file():
        started = time.perf_counter()
        subprocess.run([CLI, "ingest"], cwd=work, check=True, capture_output=True)
        print(f"store ingested in {time.perf_counter() - started:.0f} s")
    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--region", default="east")
    parser.add_argument("--period", default="2025-Q4")
    parser.add_argument("--fit-customers", type=int, default=100_000)
    args = parser.parse_args()
    work = build_store(args.customers, args.seed)
    os.environ["CUSTREPORT_HOME"] = str(work)

    from custreport import report
    from custreport.analysis.sales import revenue_by_month
    from custreport.analysis.segments import completed
    from custreport.analysis.value import fit_bgnbd, fit_gamma_gamma, rfm_summary

    results: dict[str, float] = {}
    print(f"{args.customers:,} customers, region {args.region}, period {args.period}")
    ctx = timed("load region slice", lambda: report.load(args.region, args.period, locale="zh"), results)
    print(f"  ({len(ctx.customers):,} customers, {len(ctx.orders):,} order lines, {len(ctx.deals):,} deals)")
    analyses = {
        "customer ledger (one pass)": lambda: ctx.ledger,
        "classification + movement": lambda: ctx.movement,
        "value models + per-customer values": lambda: ctx.customer_value,
        "RFM scores + segments": lambda: ctx.rfm,
        "ABC tiers": lambda: ctx.abc,
        "funnel": lambda: ctx.funnel,
        "allocation": lambda: ctx.allocation,
        "pivots (6 dimensions)": lambda: [ctx.pivot(by) for by in ("region", "province", "industry",
                                                                   "customer_type", "channel", "owner_rep")],
        "monthly trend + top customers": lambda: (
            revenue_by_month(ctx.orders, report.trend_months(ctx)),
            report.top_customers(ctx)),
        "metrics.json (3 periods, deltas)": lambda: report.metrics(ctx),
        "workbook frames": lambda: report.workbook_sheets(ctx),
    }
    started = time.perf_counter()
    for label, action in analyses.items():
        timed(label, action, results)
    total = time.perf_counter() - started
    print(f"  {'all analyses after loading':<34} {total:7.2f} s   (target < 5 s)")

    # The fit alone, on a random subset of customers of the whole store.
    everything = report.load("all", args.period)
    sold = completed(everything.orders)
    ids = sold["customer_id"].drop_duplicates()
    chosen = ids.sample(n=min(args.fit_customers, len(ids)), random_state=np.random.default_rng(1).integers(1 << 31))
    subset = sold[sold["customer_id"].isin(set(chosen))]
    summary = timed(f"rfm summary ({len(chosen):,} customers)", lambda: rfm_summary(subset, everything.as_of), results)
    model = timed("BG/NBD fit", lambda: fit_bgnbd(summary), results)
    spend = timed("Gamma-Gamma fit", lambda: fit_gamma_gamma(summary), results)
    fit = results["BG/NBD fit"] + results["Gamma-Gamma fit"]
    print(f"  {'BG/NBD + Gamma-Gamma':<34} {fit:7.2f} s   (target < 5 s)  {model.as_dict()} {spend.as_dict()}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
