"""Ingest time and peak memory at a given scale of generated demo data.

    .venv/bin/python benchmarks/bench_ingest.py --customers 1000000

Demo data is generated once per size into benchmarks/_work/scale/<size>/ and reused.
The ingest runs as the real `custreport ingest` command in a child process, so its
peak resident memory (ru_maxrss) is measured alone. Targets at 1,000,000 customers
(about 10 orders each): <= 60 s and <= 4 GB (make bench marks whether they are met).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_project

PROJECT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("custreport"))


def prepare(customers: int, seed: int, notebooks: bool = False) -> tuple[Path, float | None]:
    """A scratch project with generated raw data: reused while the generator and its arguments
    are the same, else generated again (returns the seconds it took, or None when reused)."""
    work = scratch_project(f"scale/{customers}", notebooks=notebooks, fresh=False)
    stamp = work / "data" / "raw" / ".generated"
    wanted = f"{generator_version()} customers={customers} seed={seed}"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return work, None
    shutil.rmtree(work / "data", ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([CLI, "demo-data", "--customers", str(customers), "--seed", str(seed), "--out", "data/raw"],
                   cwd=work, check=True, capture_output=True)
    stamp.write_text(wanted, encoding="utf-8")
    return work, time.perf_counter() - started


def generator_version() -> str:
    """A digest of the demo-data generator and the regions table it reads: data made by another
    version is made again."""
    import hashlib

    digest = hashlib.sha256()   # the package, and the regions table it places customers with
    for path in [*sorted((PROJECT / "lib" / "custreport" / "demo").glob("*.py")), PROJECT / "params" / "regions.yaml"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# The child reports its peak: its own (exact, from the kernel), or that of it and the helper
# process ingest starts on large sources together (sampled every 50 ms), whichever is larger.
# RUSAGE_CHILDREN would give the largest of every child so far, not the sum.
_WITH_PEAK = ("import atexit, resource, sys, threading, time, psutil\n"
              "me, tree = psutil.Process(), [0]\n"
              "def sample():\n"
              "    while True:\n"
              "        try:\n"
              "            tree[0] = max(tree[0], me.memory_info().rss + sum(c.memory_info().rss for c in me.children(True)))\n"
              "        except psutil.Error:\n"
              "            pass\n"
              "        time.sleep(0.05)\n"
              "threading.Thread(target=sample, daemon=True).start()\n"
              "atexit.register(lambda: sys.stderr.write("
              "f'\\npeak_rss_kb={max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, tree[0] // 1024)}\\n'))\n"
              "from custreport.cli import main\n"
              "sys.argv = ['custreport', *sys.argv[1:]]\n"
              "main()\n")


def run_with_peak(arguments: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (GB) of one `custreport` command in a child process."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _WITH_PEAK, *arguments], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"custreport {' '.join(arguments)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    peak_kb = int(result.stderr.rsplit("peak_rss_kb=", 1)[1].split()[0])
    return seconds, peak_kb * 1024 / 1e9


def raw_size(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*") if p.is_file()) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work, generated = prepare(args.customers, args.seed)
    shutil.rmtree(work / "data" / "clean", ignore_errors=True)
    seconds, peak = run_with_peak(["ingest"], work)
    store_size = sum(p.stat().st_size for p in (work / "data" / "clean").rglob("*") if p.is_file()) / 1e9
    print(f"ingest at {args.customers:,} customers (raw files {raw_size(work / 'data' / 'raw'):.2f} GB"
          + (f", generated in {generated:.0f} s" if generated else "") + ")")
    print(f"  time {seconds:.1f} s   peak memory {peak:.2f} GB   store {store_size:.2f} GB")


if __name__ == "__main__":
    main()
