"""Whether two stores' current snapshots hold the same data: every table and side table, frame-equal.

    .venv/bin/python benchmarks/compare_stores.py STORE_A STORE_B

For checking that a faster ingest gives the same result: ingest the same raw data with the
old code and the new into two stores, then compare them. The manifests differ (times,
ingest profile) and are not compared, except for their accounting and data range.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from custreport import store

# Recorded for information, different on every run or with every change of the code.
_VOLATILE_MANIFEST = {"snapshot", "code_version", "input_fingerprint", "settings_fingerprint", "created_at", "ingest_profile", "id", "snapshot_id", "seconds", "files", "checksums"}


def differences(first: Path, second: Path) -> list[str]:
    """What differs between the current snapshots of stores ``first`` and ``second`` (empty: the same)."""
    a, b = store.current_snapshot(first), store.current_snapshot(second)
    found = []
    for table in store.TABLES:
        found += _frame_difference(table, store.read_table(a, table), store.read_table(b, table))
    for name in store.SIDE_TABLES:
        if store.has_side_table(a, name) != store.has_side_table(b, name):
            found.append(f"{name}: in one store only")
        elif store.has_side_table(a, name):
            found += _frame_difference(name, store.read_side_table(a, name), store.read_side_table(b, name))
    for key in sorted(set(a.manifest) | set(b.manifest)):
        if key not in _VOLATILE_MANIFEST and a.manifest.get(key) != b.manifest.get(key):
            found.append(f"manifest {key}: {str(a.manifest.get(key))[:200]} != {str(b.manifest.get(key))[:200]}")
    return found


def _frame_difference(name: str, left: pd.DataFrame, right: pd.DataFrame) -> list[str]:
    try:
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    except AssertionError as difference:
        return [f"{name} ({len(left):,} and {len(right):,} rows): {str(difference)[:600]}"]
    print(f"  {name}: {len(left):,} rows equal", flush=True)
    return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args()
    found = differences(args.first, args.second)
    for line in found:
        print(line)
    print("same" if not found else f"{len(found)} differences")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
