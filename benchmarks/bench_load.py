"""Loading one region-quarter, process after process, beside what first touching fresh memory costs.

    .venv/bin/python benchmarks/bench_load.py [--customers 1000000] [--region east] [--runs 4]

Uses the store `make bench` left under benchmarks/_work/scale/<customers>/. Every figure is
a fresh interpreter, as a report's kernel is. On a virtual machine whose host takes back the
memory its guest freed, the first process after a pause pays again for every page it
touches: the figures show what touching 1 GB costs idle and busy, and the load after a
pause and process after process. Decoding the region from parquet allocated about a
gigabyte at 1,000,000 customers; the memory-mapped Arrow copies of the current snapshot
(store.py) are read in place.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench_suite import BIN

PROJECT = Path(__file__).resolve().parents[1]

_TOUCH = ("import time, numpy as np; started = time.perf_counter(); np.ones(125_000_000); "
          "print(time.perf_counter() - started)")
_LOAD = ("import json, sys, time, resource; from custreport import report; started = time.perf_counter(); "
         "ctx = report.load(sys.argv[1], sys.argv[2], reuse=False); seconds = time.perf_counter() - started; "
         "print(json.dumps({'seconds': seconds, 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
         "'customers': len(ctx.customers), 'order_lines': len(ctx.orders)}))")


def python(code: str, *arguments: str, cwd: Path) -> str:
    env = {"CUSTREPORT_HOME": str(cwd), "PATH": str(BIN)}
    return subprocess.run([str(BIN / "python"), "-c", code, *arguments], cwd=cwd, env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--region", default="east")
    parser.add_argument("--period", default="latest")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--pause", type=float, default=30.0, help="seconds idle before the first run")
    args = parser.parse_args()
    work = PROJECT / "benchmarks" / "_work" / "scale" / str(args.customers)
    if not (work / "data" / "clean" / "CURRENT").is_file():
        sys.exit(f"{work}: no store; run `make bench` (or bench_ingest.py --customers {args.customers}) first")
    time.sleep(args.pause)
    print(f"after {args.pause:.0f} s idle: touching 1 GB of new memory {float(python(_TOUCH, cwd=work)):.2f} s")
    time.sleep(args.pause)
    for run in range(1, args.runs + 1):
        load = json.loads(python(_LOAD, args.region, args.period, cwd=work))
        when = f"after {args.pause:.0f} s idle" if run == 1 else "right after the previous process"
        print(f"{when}: loading {args.region} {args.period} ({load['customers']:,} customers, "
              f"{load['order_lines']:,} order lines) {load['seconds']:.2f} s, peak {load['peak_mb']:.0f} MB")
    print(f"right after: touching 1 GB of new memory {float(python(_TOUCH, cwd=work)):.2f} s")

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
