"""`custreport run` against the loop users write today, on the same notebooks and store.

    .venv/bin/python benchmarks/bench_suite.py [--customers 3000] [--regions 8] [--reports summary,segments,funnel]
                                               [--workers 2] [--skip-loop]

The naive loop, per region and report: the `papermill` CLI, then `jupyter nbconvert --to
html --no-input`, then HTML -> PDF with WeasyPrint in a fresh process. `custreport run`
renders the same matrix (html + pdf) with --force, so nothing is skipped. Both run in one
scratch project (benchmarks/_work/suite) on a demo store built once. Also prints what one
more report costs on a warm run: the per-report durations run.json records, for the
reports after a region's first one (the first pays for loading and analysing the region).
Targets: custreport run >= 5x faster than the loop; one more report on a warm run < 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_project

BIN = Path(sys.executable).parent
CLI = str(BIN / "custreport")
PDF_SCRIPT = "import sys; from weasyprint import HTML; HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])"


def run(command: list[str], cwd: Path, env: dict | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def build_store(work: Path, customers: int) -> None:
    if (work / "data" / "clean" / "CURRENT").is_file():
        return
    run([CLI, "demo-data", "--customers", str(customers), "--out", "data/raw"], work)
    run([CLI, "ingest"], work)


def store_regions(work: Path, count: int) -> list[str]:
    """The first ``count`` region codes of the store (named regions first, then unknown, then all)."""
    code = ("from custreport.runner import RunRequest; "
            "print(','.join(RunRequest.build(period='latest').regions))")
    found = subprocess.run([str(BIN / "python"), "-c", code], cwd=work, capture_output=True, text=True, check=True,
                           env={**os.environ, "CUSTREPORT_HOME": str(work)})
    return found.stdout.strip().split(",")[:count]


def naive_loop(work: Path, regions: list[str], reports: list[str], period: str) -> float:
    out = work / "naive"
    out.mkdir(exist_ok=True)
    env = {**os.environ, "CUSTREPORT_HOME": str(work)}
    started = time.perf_counter()
    for region in regions:
        for report in reports:
            executed = out / f"{report}-{region}.ipynb"
            run([str(BIN / "papermill"), f"notebooks/{report}.ipynb", str(executed), "-p", "region", region,
                 "-p", "period", period, "--no-progress-bar"], work, env)
            run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], work, env)
            run([str(BIN / "python"), "-c", PDF_SCRIPT, str(executed.with_suffix(".html")),
                 str(executed.with_suffix(".pdf"))], work, env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--regions", type=int, default=8)
    parser.add_argument("--reports", default="summary,segments,funnel")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-loop", action="store_true",
                        help="time custreport run only (for the warm per-report figures on more reports)")
    args = parser.parse_args()

    work = scratch_project("suite", notebooks=True, fresh=False)
    build_store(work, args.customers)
    regions = store_regions(work, args.regions)
    reports = args.reports.split(",")
    period = "latest"
    env = {**os.environ, "CUSTREPORT_HOME": str(work)}
    print(f"{len(regions)} regions x {len(reports)} reports ({', '.join(reports)}), html + pdf, "
          f"{args.customers:,} demo customers, {os.cpu_count()} cores")

    ours = run([CLI, "run", "--period", period, "--regions", ",".join(regions), "--reports", ",".join(reports),
                "--formats", "html,pdf", "--workers", str(args.workers), "--force"], work, env)
    print(f"  custreport run --workers {args.workers}   {ours:7.1f} s")
    if not args.skip_loop:
        naive = naive_loop(work, regions, reports, period)
        print(f"  papermill + nbconvert + pdf loop  {naive:7.1f} s")
        print(f"  speed-up                          {naive / ours:7.1f} x   (target >= 5 x)")

    manifests = sorted((work / "outputs").glob("*/run.json"), key=lambda p: p.stat().st_mtime)
    jobs = json.loads(manifests[-1].read_text(encoding="utf-8"))["jobs"]
    first = [job["reports"][0]["seconds"] for job in jobs]
    more = [r["seconds"] for job in jobs for r in job["reports"][1:] if r["name"] in reports]
    print(f"  first report of a region (loads)  median {statistics.median(first):5.2f} s, max {max(first):5.2f} s")
    if more:
        print(f"  one more report, warm             median {statistics.median(more):5.2f} s, max {max(more):5.2f} s"
              f"   (target < 1.5 s)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
