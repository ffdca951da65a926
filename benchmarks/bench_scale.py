"""`make bench`: how the cost of a run grows with data and with reports, and where the limit is.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000,100000,1000000] [--naive-regions 2]

At each size (demo data, about ten order lines per customer, generated once per generator
version and reused): ingest time and peak memory, store size, loading one region and
quarter, every analysis of it, the BG/NBD fit on the whole company, the batch (every region
x every report, html + pdf + xlsx, as `make demo` runs it), what one more report costs on a
warm run, and the naive loop users write today (papermill CLI, `jupyter nbconvert`, then
WeasyPrint, per report) against `custreport run` on the same subset. Prints one table, with
the exponent of a power-law fit of each row against the number of customers, and writes it
with the machine's cores and memory to benchmarks/results.md.

Also, per size: the ingest's stages (from the snapshot's manifest) and, by bench_increment.py,
a day's orders added to the store and a changed customer sheet.

Targets at 1,000,000 customers: ingest <= 60 s and <= 4 GB; a day's orders added <= 10 s;
every region x 6 reports <= 120 s with 2 workers; one more report on a warm run <= 0.3 s;
all analyses of the largest region <= 2 s; one region-quarter loaded in <= 0.3 s; custreport
run >= 15x faster than the naive loop.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench_increment import measure_increments
from bench_ingest import CLI, prepare, run_with_peak
from bench_suite import BIN, naive_loop, run

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "benchmarks" / "results.md"
REPORTS = ["summary", "segments", "funnel", "value", "allocation", "quality"]

# Run in a fresh interpreter, so the region is read from disk as a report's kernel reads it.
_SLICE_TIMINGS = """
import json, sys, time
from custreport import report
from custreport.analysis.segments import completed
from custreport.analysis.value import fit_bgnbd, rfm_summary
region, period = sys.argv[1], sys.argv[2]
started = time.perf_counter()
ctx = report.load(region, period, reuse=False)
loaded = time.perf_counter()
report.metrics(ctx)
report.workbook_sheets(ctx)
analysed = time.perf_counter()
company = report.load("all", period, reuse=False)
summary = rfm_summary(completed(company.orders), company.as_of)
fit_started = time.perf_counter()
fit_bgnbd(summary)
print(json.dumps({"load": loaded - started, "analyses": analysed - loaded,
                  "fit": time.perf_counter() - fit_started, "fit_customers": len(summary),
                  "region_customers": len(ctx.customers), "region_order_lines": len(ctx.orders)}))
"""


def measure_size(customers: int, seed: int, naive_regions: int, workers: int) -> dict:
    """Every figure of the table for one size."""
    work, generated = prepare(customers, seed, notebooks=True)
    env = {**os.environ, "CUSTREPORT_HOME": str(work)}
    figures: dict = {"customers": customers, "generated": generated,
                     "raw_gb": sum(p.stat().st_size for p in (work / "data" / "raw").glob("*") if p.is_file()) / 1e9}
    say(f"{customers:,} customers: raw data {figures['raw_gb']:.2f} GB"
        + (f" (generated in {generated:.0f} s)" if generated else " (reused)"))

    shutil.rmtree(work / "data" / "clean", ignore_errors=True)
    figures["ingest"], figures["ingest_peak_gb"] = run_with_peak(["ingest"], work)
    figures["store_mb"] = sum(p.stat().st_size for p in (work / "data" / "clean").rglob("*") if p.is_file()) / 1e6
    say(f"  ingest {figures['ingest']:.1f} s, peak {figures['ingest_peak_gb']:.2f} GB, "
        f"store {figures['store_mb']:.0f} MB")
    for stage in ingest_profile(work):
        say(f"    {stage['stage']:<28} {stage['seconds']:6.1f} s   peak so far {stage['peak_gb']:.2f} GB")
        figures[f"stage_{stage['stage']}"] = stage["seconds"]
    figures.update(measure_increments(customers, seed))
    say(f"  a day's orders added to the store {figures['increment']:.1f} s (peak {figures['increment_peak_gb']:.2f} "
        f"GB); a changed customer sheet (full ingest) {figures['changed_customers']:.1f} s")

    regions = named_regions(work, env)
    period = latest_period(work, env)
    timings = json.loads(subprocess.run([str(BIN / "python"), "-c", _SLICE_TIMINGS, regions[0], period], cwd=work,
                                        env=env, capture_output=True, text=True, check=True).stdout)
    figures.update({f"slice_{key}": value for key, value in timings.items()})
    say(f"  {regions[0]} {period}: load {timings['load']:.2f} s, analyses {timings['analyses']:.2f} s; "
        f"BG/NBD fit on {timings['fit_customers']:,} customers {timings['fit']:.2f} s")

    figures["batch"] = run([CLI, "run", "--period", period, "--regions", "all", "--formats", "html,pdf,xlsx",
                            "--workers", str(workers), "--force"], work, env)
    jobs = latest_manifest(work)["jobs"]
    figures["batch_regions"] = len(jobs)
    figures["batch_reports"] = sum(len(job["reports"]) for job in jobs)
    warm = [r["seconds"] for job in jobs if job["region"] != "all" for r in job["reports"][1:]]
    figures["one_more_report"] = statistics.median(warm)
    figures["company_region"] = next(job["seconds"] for job in jobs if job["region"] == "all")
    figures["company_workbook"] = next((r["seconds"] for job in jobs if job["region"] == "all"
                                        for r in job["reports"] if r["name"] == "metrics+workbook"), None)
    say(f"  batch {figures['batch_regions']} regions x {len(REPORTS)} reports: {figures['batch']:.1f} s "
        f"(whole company {figures['company_region']:.1f} s); one more report {figures['one_more_report']:.2f} s")

    subset = regions[:naive_regions]
    figures["subset"] = f"{len(subset)} regions x {len(REPORTS)} reports"
    figures["ours_subset"] = run([CLI, "run", "--period", period, "--regions", ",".join(subset), "--formats",
                                  "html,pdf", "--workers", str(workers), "--force"], work, env)
    figures["naive_subset"] = naive_loop(work, subset, REPORTS, period)
    figures["speed_up"] = figures["naive_subset"] / figures["ours_subset"]
    say(f"  {figures['subset']}: custreport run {figures['ours_subset']:.1f} s, naive loop "
        f"{figures['naive_subset']:.1f} s = {figures['speed_up']:.1f}x")
    return figures


def ingest_profile(work: Path) -> list[dict]:
    """The stages of the ingest that made the current snapshot, as its manifest records them."""
    current = (work / "data" / "clean" / "CURRENT").read_text(encoding="utf-8").strip()
    manifest = json.loads((work / "data" / "clean" / "snapshots" / current / "manifest.json").read_text("utf-8"))
    return manifest.get("ingest_profile", [])


def named_regions(work: Path, env: dict) -> list[str]:
    """The store's regions that have customers, largest first (not unknown, not the company)."""
    code = ("from custreport import store; from custreport.config import default_store; "
            "c = store.read_table(store.current_snapshot(default_store()), 'customers'); "
            "print(','.join(c.loc[~c['region'].isin(['unknown']), 'region'].value_counts().index))")
    return subprocess.run([str(BIN / "python"), "-c", code], cwd=work, env=env, capture_output=True, text=True,
                          check=True).stdout.strip().split(",")


def latest_period(work: Path, env: dict) -> str:
    code = "from custreport.runner import RunRequest; print(RunRequest.build(period='latest').period.label)"
    return subprocess.run([str(BIN / "python"), "-c", code], cwd=work, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def latest_manifest(work: Path) -> dict:
    manifests = sorted((work / "outputs").glob("*/run.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(manifests[-1].read_text(encoding="utf-8"))


def exponent(sizes: list[int], values: list[float]) -> float | None:
    """Slope of log(value) on log(size): 1 is linear growth, 0 none."""
    points = [(math.log(s), math.log(v)) for s, v in zip(sizes, values) if v and v > 0]
    if len(points) < 2:
        return None
    x, y = np.array(points).T
    return float(np.polyfit(x, y, 1)[0])


ROWS = [  # label, key, format, fit an exponent
    ("raw data (GB)", "raw_gb", "{:.2f}", True),
    ("ingest (s)", "ingest", "{:.1f}", True),
    ("ingest peak memory (GB)", "ingest_peak_gb", "{:.2f}", True),
    ("store size (MB)", "store_mb", "{:.0f}", True),
    ("ingest: a day's orders added to the store (s)", "increment", "{:.1f}", True),
    ("ingest: a changed customer sheet (s)", "changed_customers", "{:.1f}", True),
    ("largest region: customers", "slice_region_customers", "{:,}", True),
    ("load one region-quarter (s)", "slice_load", "{:.2f}", True),
    ("all analyses of it (s)", "slice_analyses", "{:.2f}", True),
    ("BG/NBD fit, whole company (s)", "slice_fit", "{:.2f}", True),
    ("BG/NBD fit: customers", "slice_fit_customers", "{:,}", True),
    ("batch: every region x 6 reports, html+pdf+xlsx (s)", "batch", "{:.1f}", True),
    ("of which the whole-company region (s)", "company_region", "{:.1f}", True),
    ("of which its metrics, workbook and customer list (s)", "company_workbook", "{:.1f}", True),
    ("one more report on a warm run, median (s)", "one_more_report", "{:.2f}", True),
    ("custreport run, subset (s)", "ours_subset", "{:.1f}", True),
    ("naive papermill + nbconvert + PDF loop, subset (s)", "naive_subset", "{:.1f}", True),
    ("speed-up on the subset (x)", "speed_up", "{:.1f}", False),
]

# What a row should be at 1,000,000 customers: key -> (comparison, bound).
TARGETS = {"ingest": ("<=", 60), "ingest_peak_gb": ("<=", 4), "increment": ("<=", 10),
           "changed_customers": ("<=", 10), "slice_load": ("<=", 0.3), "slice_analyses": ("<=", 2),
           "batch": ("<=", 120), "one_more_report": ("<=", 0.3), "speed_up": (">=", 15)}
TARGET_SIZE = 1_000_000


def target_cell(key: str, results: list[dict]) -> str:
    """'<= 60: met' / '<= 60: missed' for a row with a target, judged at 1M customers when measured."""
    if key not in TARGETS:
        return ""
    sign, bound = TARGETS[key]
    measured = next((r.get(key) for r in results if r["customers"] == TARGET_SIZE), None)
    if measured is None:
        return f"{sign} {bound}"
    met = measured <= bound if sign == "<=" else measured >= bound
    return f"{sign} {bound}: {'met' if met else '**missed**'}"


def table(results: list[dict]) -> str:
    sizes = [r["customers"] for r in results]
    lines = ["| | " + " | ".join(f"{s:,} customers" for s in sizes) + " | growth exponent | target at 1M |",
             "|---|" + "---:|" * len(sizes) + "---:|---|"]
    stages = list(dict.fromkeys(key for r in results for key in r if key.startswith("stage_")))
    rows = [*ROWS[:3], *[(f"ingest stage: {key[6:]} (s)", key, "{:.1f}", True) for key in stages], *ROWS[3:]]
    for label, key, fmt, fit in rows:
        values = [r.get(key) for r in results]
        cells = [fmt.format(v) if v is not None else "–" for v in values]
        slope = exponent(sizes, values) if fit else None
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {'' if slope is None else f'{slope:.2f}'} "
                     f"| {target_cell(key, results)} |")
    subset = results[-1].get("subset", "")
    lines.append(f"\nSubset: the {subset} of the largest regions, html + pdf. Batch and subset with "
                 f"--workers {results[-1]['workers']}.")
    return "\n".join(lines)


def code_version() -> str:
    """The commit measured, with a note when the working tree differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PROJECT, capture_output=True, text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def machine(code: str) -> str:
    memory = next((int(line.split()[1]) / 1024**2 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), float("nan"))
    return (f"{os.cpu_count()} cores, {memory:.0f} GiB memory, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; commit {code}, {dt.date.today().isoformat()}")


def say(text: str) -> None:
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--naive-regions", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    started = time.perf_counter()
    code = code_version()   # taken now: the code measured is the code at the start
    # Timed as every run but the first after a code change is: that one compiles the modules
    # it imports (about a second, once).
    subprocess.run([str(BIN / "python"), "-m", "compileall", "-q", str(PROJECT / "lib")], check=True)
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        results.append({**measure_size(size, args.seed, args.naive_regions, args.workers), "workers": args.workers})
    text = (f"# custreport at scale\n\n{machine(code)}\n\n`make bench` "
            f"(`benchmarks/bench_scale.py --sizes {args.sizes}`), {time.perf_counter() - started:.0f} s in all.\n\n"
            f"{table(results)}\n")
    say("\n" + text)
    args.out.write_text(text, encoding="utf-8")
    say(f"written to {args.out}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
