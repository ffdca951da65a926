"""Incremental ingest: new order files added to the current snapshot give the store a full ingest
of the same inputs gives, and share every file they do not change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from custreport import store
from custreport.store_integrity import verify_snapshot
from demo_project import cli, copy_params

pytestmark = pytest.mark.slow


def _split_orders(root: Path, share: float) -> tuple[bytes, bytes]:
    """The demo's orders file as two files of the same header: the first ``share`` of its lines
    and the rest (a month's new orders arriving as a file of their own)."""
    raw = (root / "data" / "raw" / "orders.csv").read_bytes()
    header, *lines = raw.split(b"\n")
    cut = int(len(lines) * share)
    return (b"\n".join([header, *lines[:cut]]) + b"\n", b"\n".join([header, *lines[cut:]]))


def _project(root: Path, raw: Path) -> None:
    copy_params(root)
    sources = (root / "params" / "sources.yaml").read_text(encoding="utf-8")
    (root / "params" / "sources.yaml").write_text(
        sources.replace("path: data/raw/orders.csv", "path: data/raw/orders/*.csv"), encoding="utf-8")
    shutil.copytree(raw, root / "data" / "raw", ignore=shutil.ignore_patterns("orders.csv"))
    (root / "data" / "raw" / "orders").mkdir()


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """(incremental project, full project, the snapshot before the increment)."""
    demo = tmp_path_factory.mktemp("demo")
    copy_params(demo)
    cli(demo, "demo-data", "--customers", "250", "--seed", "5", "--out", "data/raw")
    earlier, later = _split_orders(demo, 0.8)
    incremental, full = tmp_path_factory.mktemp("incremental"), tmp_path_factory.mktemp("full")
    for root in (incremental, full):
        _project(root, demo / "data" / "raw")
        (root / "data" / "raw" / "orders" / "2023-2025.csv").write_bytes(earlier)
    cli(incremental, "ingest")
    before = store.current_snapshot(incremental / "data" / "clean")
    for root in (incremental, full):
        (root / "data" / "raw" / "orders" / "2025-12.csv").write_bytes(later)
    added = cli(incremental, "ingest")
    assert "added to snapshot" in added.stdout and "2025-12.csv" in added.stdout, added.stdout
    cli(full, "ingest")
    return incremental, full, before


def _snapshots(stores):
    incremental, full, _ = stores
    return store.current_snapshot(incremental / "data" / "clean"), store.current_snapshot(full / "data" / "clean")


@pytest.mark.parametrize("table", store.TABLES)
def test_every_table_is_what_a_full_ingest_stores(stores, table):
    added, whole = _snapshots(stores)
    keys = ["customer_key", "order_key"] if table == "orders" else []
    columns = [*store.read_table(whole, table).columns, *keys]
    pd.testing.assert_frame_equal(store.read_table(added, table, columns=columns),
                                  store.read_table(whole, table, columns=columns))


def test_every_region_reads_the_same_rows(stores):
    added, whole = _snapshots(stores)
    for region in {entry[0] for entry in whole.manifest["parts"]["orders"]}:
        pd.testing.assert_frame_equal(store.read_table(added, "orders", regions=[region]),
                                      store.read_table(whole, "orders", regions=[region]))


@pytest.mark.parametrize("name", [n for n in store.SIDE_TABLES])
def test_side_tables_hold_the_same_rows(stores, name):
    added, whole = _snapshots(stores)
    left, right = store.read_side_table(added, name), store.read_side_table(whole, name)
    assert list(left.columns) == list(right.columns)
    by = list(right.columns)
    ordered = lambda frame: frame.astype("string").sort_values(by, ignore_index=True)
    pd.testing.assert_frame_equal(ordered(left), ordered(right))


def test_manifest_figures_agree(stores):
    added, whole = _snapshots(stores)
    for key in ("rows", "data_range", "currencies", "accounting", "input_fingerprint"):
        assert added.manifest[key] == whole.manifest[key], key
    unstamped = lambda inputs: [{k: v for k, v in entry.items() if k != "mtime_ns"} for entry in inputs]
    assert unstamped(added.manifest["inputs"]) == unstamped(whole.manifest["inputs"])   # the files are copies
    assert added.manifest["increment"]["added"] == ["data/raw/orders/2025-12.csv"]


def test_unchanged_files_are_shared_not_rewritten(stores):
    _, _, before = stores
    added, _ = _snapshots(stores)
    shared = [name for name in before.manifest["files"] if name in added.manifest["files"]
              and (added.path / name).stat().st_ino == (before.path / name).stat().st_ino]
    for table in ("customers", "deals", "interactions", "leads", "reps"):
        for _, file in before.manifest["parts"][table]:
            assert file in shared, file
    assert "lineage.parquet" in shared and "attach_index.parquet" in shared
    assert "accounting.parquet" not in shared   # small side tables are written again with the new counts
    written = [file for _, file in added.manifest["parts"]["orders"] if file not in before.manifest["files"]]
    assert written, "the new order lines went into a file of their own"
    assert verify_snapshot(added) == []   # every file, linked or new, hashes as the manifest records


def test_a_changed_file_makes_a_full_ingest(tmp_path, stores):
    incremental, _, _ = stores
    root = tmp_path / "changed"
    shutil.copytree(incremental, root, symlinks=True)
    month = root / "data" / "raw" / "orders" / "2025-12.csv"
    month.write_bytes(month.read_bytes() + b"\n")
    result = cli(root, "ingest")
    assert "full ingest: source 'orders': data/raw/orders/2025-12.csv changed or was removed" in result.stdout


def test_full_flag_reads_everything(tmp_path, stores):
    incremental, _, _ = stores
    root = tmp_path / "again"
    shutil.copytree(incremental, root, symlinks=True)
    (root / "data" / "raw" / "orders" / "2026-01.csv").write_bytes(
        (root / "data" / "raw" / "orders" / "2025-12.csv").read_bytes().split(b"\n")[0] + b"\n")
    assert "full ingest: asked for (--full)" in cli(root, "ingest", "--full").stdout
    assert os.listdir(root / "data" / "clean" / "snapshots")
