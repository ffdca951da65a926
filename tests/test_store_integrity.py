"""Tests for custreport.store_integrity: files changed or missing since written stop a read in one
line, and verify_snapshot lists them."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport import store
from custreport.store_integrity import StoreDamaged, verify_snapshot
from test_store import dated_tables, write


def rewrite_in_place(path, change):
    """The file's bytes changed by ``change`` (same length), written into the same file."""
    content = bytearray(path.read_bytes())
    change(content)
    with path.open("r+b") as handle:
        handle.write(bytes(content))


def double_a_byte(content: bytearray) -> None:
    content[len(content) // 2] ^= 0xFF


@pytest.mark.hostile(expect="clear error", risk="wrong")
@pytest.mark.parametrize("file", ["orders/000-2024-06.arrow", "orders/000-2024-06.parquet", "accounting.parquet",
                                  "regions.yaml"])
def test_a_file_changed_in_place_with_its_size_kept_stops_the_read(tmp_path, file):
    snapshot = store.write_snapshot(tmp_path, dated_tables(), {"accounting": pd.DataFrame({"rows_read": [3]})}, {},
                                    files={store.REGIONS_FILE: b"regions: []\n"})
    store.read_table(snapshot, "orders")   # verified once, by its stamp
    rewrite_in_place(snapshot.path / file, double_a_byte)
    with pytest.raises(StoreDamaged, match=rf"{file}: changed since it was written .*store verify"):
        store.read_table(snapshot, "orders")
        store.read_side_table(snapshot, "accounting")
        store.snapshot_regions(snapshot)
    assert any(file in problem for problem in verify_snapshot(snapshot))


@pytest.mark.hostile(expect="clear error", risk="wrong")
def test_a_side_table_deleted_stops_rather_than_reading_as_empty(tmp_path):
    snapshot = write(tmp_path / "clean")
    (snapshot.path / "accounting.parquet").unlink()
    with pytest.raises(StoreDamaged, match=r"accounting\.parquet: missing from snapshot"):
        store.read_side_table(snapshot, "accounting")
    assert store.has_side_table(snapshot, "accounting")
    assert verify_snapshot(snapshot) == [f"{snapshot.path / 'accounting.parquet'}: missing from snapshot {snapshot.id}"]


def test_a_sound_snapshot_verifies_clean_and_a_touched_unchanged_file_still_reads(tmp_path):
    snapshot = write(tmp_path / "clean")
    assert verify_snapshot(snapshot) == []
    import os

    os.utime(snapshot.path / "accounting.parquet")   # touched, same bytes: hashed, found sound
    assert len(store.read_side_table(snapshot, "accounting")) == 1
