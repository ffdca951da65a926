"""Tests for custreport.store: snapshots, the CURRENT pointer, pruning and pruned reads."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from custreport import schema, store, store_write
from custreport.errors import UserError
from custreport.store_integrity import MAPPED_SUFFIX, StoreDamaged


def tables() -> dict[str, pd.DataFrame]:
    frames = {table: schema.empty_frame(table) for table in schema.TABLES}
    frames["orders"] = schema.conform(pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4"],
        "customer_id": ["A", "B", "C", "A"],
        "order_date": pd.to_datetime(["2024-06-01", "2024-01-01", "2024-12-31", "2025-01-01"]),
        "amount": [1.0, 2.0, 3.0, 4.0],
        "status": ["completed"] * 4,
        "region": ["east", "south", "east", "east"],
    }), "orders")
    frames["customers"] = schema.conform(pd.DataFrame({
        "customer_id": ["A", "B", "C"], "name": ["甲", "乙", "丙"], "region": ["south", "east", "unknown"],
    }), "customers")
    return frames


def write(folder, keep=5, note="x"):
    return store.write_snapshot(folder, tables(), {"accounting": pd.DataFrame({"source": ["crm"], "rows_read": [3]})},
                                {"note": note}, keep=keep)


def test_write_then_read(tmp_path):
    folder = tmp_path / "clean"
    snapshot = write(folder, note="first")
    current = store.current_snapshot(folder)
    assert current.id == snapshot.id
    assert current.path == folder / "snapshots" / snapshot.id
    assert (folder / "CURRENT").read_text(encoding="utf-8").strip() == snapshot.id
    manifest = json.loads((snapshot.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["note"] == "first"
    assert manifest["rows"] == {"customers": 3, "orders": 4, "deals": 0, "interactions": 0, "leads": 0, "reps": 0}
    assert current.created_at == manifest["created_at"]
    assert [s.id for s in store.list_snapshots(folder)] == [snapshot.id]

    customers = store.read_table(current, "customers")
    # Sorted by region, then id: east (B), south (A), unknown (C).
    assert customers["customer_id"].tolist() == ["B", "A", "C"]
    assert list(customers.columns) == list(schema.COLUMNS["customers"])
    assert str(customers["customer_id"].dtype) == "string"
    assert str(customers["source_row"].dtype) == "Int64"
    assert customers["created_at"].dtype == "datetime64[ms]"
    assert store.read_side_table(current, "accounting").to_dict("list") == {"source": ["crm"], "rows_read": [3]}
    assert store.read_side_table(current, "lineage").empty


def test_read_table_prunes_by_region_and_date(tmp_path):
    snapshot = write(tmp_path / "clean")
    east = store.read_table(snapshot, "orders", regions=["east"])
    assert sorted(east["order_id"]) == ["O1", "O3", "O4"]
    # The bound is exclusive: O3 on 2024-12-31 is read only with a bound after that day.
    before = store.read_table(snapshot, "orders", regions=["east"], date_column="order_date",
                              until=pd.Timestamp("2024-12-31"))
    assert before["order_id"].tolist() == ["O1"]
    year = store.read_table(snapshot, "orders", date_column="order_date", until=pd.Timestamp("2025-01-01"))
    assert year["order_id"].tolist() == ["O1", "O3", "O2"]  # sorted by region (east < south), then date
    assert store.read_table(snapshot, "orders", columns=["order_id"]).columns.tolist() == ["order_id"]


def test_read_table_missing_file(tmp_path):
    snapshot = store.write_snapshot(tmp_path / "clean", {"customers": tables()["customers"]}, {}, {})
    # A table the snapshot was written without reads as empty, with its columns and types.
    assert list(store.read_table(snapshot, "deals").columns) == list(schema.COLUMNS["deals"])
    with pytest.raises(UserError, match="'bogus' is missing"):
        store.read_table(snapshot, "bogus")
    with pytest.raises(ValueError):
        store.read_side_table(snapshot, "customers")


def test_a_snapshot_missing_one_of_its_files_is_a_one_line_error(tmp_path):
    snapshot = write(tmp_path / "clean")
    region_file = next(file for region, file in snapshot.manifest["parts"]["orders"] if region == "south")
    (snapshot.path / region_file).unlink()
    assert len(store.read_table(snapshot, "orders", regions=["east"])) == 3   # other regions still read
    missing = r"orders/\d+-\d{4}-\d\d\.parquet: missing from snapshot \w+; .custreport store verify. .*store rollback"
    with pytest.raises(UserError, match=missing):
        store.read_table(snapshot, "orders")


def test_each_region_is_one_file_and_orders_carry_integer_keys(tmp_path):
    snapshot = write(tmp_path / "clean")
    # Orders: one file per region and month, in region and date order.
    assert snapshot.manifest["parts"]["orders"] == [["east", "orders/000-2024-06.parquet"],
                                                    ["east", "orders/001-2024-12.parquet"],
                                                    ["east", "orders/002-2025-01.parquet"],
                                                    ["south", "orders/003-2024-01.parquet"]]
    assert [region for region, _ in snapshot.manifest["parts"]["customers"]] == ["east", "south", "unknown"]
    east = pd.read_parquet(snapshot.path / snapshot.manifest["parts"]["orders"][0][1])
    assert east["region"].unique().tolist() == ["east"] and east["order_id"].tolist() == ["O1"]
    # Keys are read only when asked for; equal ids share a key across all regions.
    assert "customer_key" not in store.read_table(snapshot, "orders").columns
    keyed = store.read_table(snapshot, "orders", columns=["order_id", "customer_id", "customer_key", "order_key"])
    assert keyed["order_id"].tolist() == ["O1", "O3", "O4", "O2"]
    # Numbered in the order rows came to the store (A B C; O1 O2 O3 O4), read by region and date.
    assert keyed["customer_key"].tolist() == [0, 2, 0, 1]
    assert keyed["order_key"].tolist() == [0, 2, 3, 1]
    south = store.read_table(snapshot, "orders", regions=["south"], columns=["customer_key", "order_key"])
    assert south.to_dict("list") == {"customer_key": [1], "order_key": [1]}


def test_a_region_without_rows_reads_as_an_empty_frame_that_joins(tmp_path):
    snapshot = write(tmp_path / "clean")
    none = store.read_table(snapshot, "orders", regions=["unknown"])   # customers there, no orders
    assert none.empty and list(none.columns) == list(schema.COLUMNS["orders"])
    # pandas cannot join on text when neither side holds an (empty) chunk: a region without
    # customers has its segment movement joined this way
    nobody = store.read_table(snapshot, "customers", regions=["north"])
    assert nobody.join(nobody.set_index("customer_id")["name"].rename("other"), on="customer_id").empty
    customers = store.read_table(snapshot, "customers", regions=["unknown"])
    assert customers.merge(none, on="customer_id", how="left")["customer_id"].tolist() == ["C"]


def test_interactions_are_filed_under_their_customers_region(tmp_path):
    frames = tables()
    frames["interactions"] = schema.conform(pd.DataFrame({
        "customer_id": ["A", "B", "Z", "A"], "kind": ["call"] * 4,
        "date": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01", "2024-01-01"]),
    }), "interactions")
    snapshot = store.write_snapshot(tmp_path, frames, {}, {})
    south = store.read_table(snapshot, "interactions", regions=["south"])
    assert south[["customer_id", "date"]].astype(str).values.tolist() == [["A", "2024-01-01"], ["A", "2024-03-01"]]
    assert store.read_table(snapshot, "interactions", regions=["east"])["customer_id"].tolist() == ["B"]
    # An interaction of no known customer is in no region, and still in the whole table.
    assert store.read_table(snapshot, "interactions")["customer_id"].tolist() == ["B", "A", "A", "Z"]


def test_keys_are_numbered_on_read_for_a_snapshot_written_as_one_file_per_table(tmp_path):
    snapshot = write(tmp_path / "clean")
    orders = store.read_table(snapshot, "orders")
    (snapshot.path / "orders").rename(snapshot.path / "old")
    orders.to_parquet(snapshot.path / "orders.parquet")
    manifest = {**snapshot.manifest, "parts": {}}
    old = store.Snapshot(snapshot.id, snapshot.path, manifest)
    east = store.read_table(old, "orders", regions=["east"], columns=["order_id", "customer_key", "order_key"])
    assert east.to_dict("list") == {"order_id": ["O1", "O3", "O4"], "customer_key": [0, 1, 0], "order_key": [0, 1, 2]}
    assert store.read_table(old, "orders", regions=[]).empty


def test_rollback_to_previous_and_named(tmp_path):
    folder = tmp_path / "clean"
    first, second, third = write(folder), write(folder), write(folder)
    assert first.id < second.id < third.id
    assert [s.id for s in store.list_snapshots(folder)] == [third.id, second.id, first.id]

    assert store.rollback(folder).id == second.id
    assert store.current_snapshot(folder).id == second.id
    assert store.rollback(folder).id == first.id
    with pytest.raises(UserError, match="no older snapshot"):
        store.rollback(folder)

    assert store.rollback(folder, third.id).id == third.id
    assert store.current_snapshot(folder).id == third.id
    with pytest.raises(UserError, match="no snapshot 'nope'"):
        store.rollback(folder, "nope")


def test_keep_prunes_older_snapshots(tmp_path):
    folder = tmp_path / "clean"
    ids = [write(folder, keep=2).id for _ in range(4)]
    assert [s.id for s in store.list_snapshots(folder)] == [ids[3], ids[2]]
    assert sorted(p.name for p in (folder / "snapshots").iterdir()) == [ids[2], ids[3]]


def test_prune_never_removes_current(tmp_path):
    folder = tmp_path / "clean"
    first, second, third = write(folder), write(folder), write(folder)
    store.rollback(folder, first.id)
    # Keeping one keeps the newest, and the current one even though it is the oldest.
    store._prune(folder, keep=1)
    assert [s.id for s in store.list_snapshots(folder)] == [third.id, first.id]
    assert store.current_snapshot(folder).id == first.id


def test_leftover_staging_folder_is_cleaned(tmp_path):
    folder = tmp_path / "clean"
    leftover = folder / "snapshots" / ".20240101T000000000000Z-abc"
    leftover.mkdir(parents=True)
    (leftover / "customers.parquet").write_bytes(b"half written")
    import os

    os.utime(leftover, (0, 0))  # left by an ingest killed long ago
    assert store.list_snapshots(folder) == []
    snapshot = write(folder)
    assert not leftover.exists()
    assert [p.name for p in (folder / "snapshots").iterdir()] == [snapshot.id]
    assert not list(folder.glob(".CURRENT*"))


def test_no_current_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no data yet"):
        store.current_snapshot(tmp_path / "clean")
    assert store.list_snapshots(tmp_path / "clean") == []


def test_current_pointing_at_missing_snapshot(tmp_path):
    folder = tmp_path / "clean"
    folder.mkdir()
    (folder / "CURRENT").write_text("20240101T000000000000Z\n", encoding="utf-8")
    with pytest.raises(UserError, match="is missing; run `custreport store rollback`"):
        store.current_snapshot(folder)


def test_an_empty_region_list_reads_no_rows(tmp_path):
    import pandas as pd

    from custreport import schema, store

    customers = schema.conform(pd.DataFrame({"customer_id": ["A"], "name": ["甲"], "region": ["east"]}), "customers")
    snapshot = store.write_snapshot(tmp_path, {"customers": customers}, {}, {})
    frame = store.read_table(snapshot, "customers", regions=[])
    assert frame.empty and list(frame.columns) == list(customers.columns)


def test_rows_without_the_date_survive_the_date_bound(tmp_path):
    import pandas as pd

    from custreport import schema, store

    deals = schema.conform(pd.DataFrame({"deal_id": ["D1", "D2", "D3"], "stage": ["赢单"] * 3, "region": ["east"] * 3,
                                         "created_at": pd.to_datetime(["2024-01-01", None, "2030-01-01"])}), "deals")
    snapshot = store.write_snapshot(tmp_path, {"deals": deals}, {}, {})
    frame = store.read_table(snapshot, "deals", date_column="created_at", until=pd.Timestamp("2025-01-01"))
    assert sorted(frame["deal_id"]) == ["D1", "D2"]  # undated D2 kept, future D3 pruned


def test_only_old_staging_folders_are_cleaned(tmp_path):
    import os

    import pandas as pd

    from custreport import schema, store

    customers = schema.conform(pd.DataFrame({"customer_id": ["A"], "name": ["甲"], "region": ["east"]}), "customers")
    (tmp_path / "snapshots").mkdir(parents=True)
    running = tmp_path / "snapshots" / ".20990101T000000Z-running"
    killed = tmp_path / "snapshots" / ".20000101T000000Z-killed"
    running.mkdir()
    killed.mkdir()
    os.utime(killed, (0, 0))  # 1970: surely nobody's
    store.write_snapshot(tmp_path, {"customers": customers}, {}, {})
    assert running.exists() and not killed.exists()


_SLOW_WRITE = """
import sys
import numpy as np, pandas as pd
from custreport import schema, store
rows = 3_000_000
orders = schema.conform(pd.DataFrame({
    "order_id": np.char.add("O", np.arange(rows).astype(str)), "customer_id": "A",
    "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(rows) % 700, unit="D"),
    "amount": np.arange(rows, dtype=float), "status": "completed", "region": "east"}), "orders")
frames = {table: schema.empty_frame(table) for table in schema.TABLES}
store.write_snapshot(sys.argv[1], {**frames, "orders": orders}, {}, {"note": "killed"})
"""


def test_a_snapshot_write_killed_half_way_leaves_the_current_snapshot_in_place(tmp_path):
    folder = tmp_path / "clean"
    before = write(folder, note="before")
    writer = subprocess.Popen([sys.executable, "-c", _SLOW_WRITE, str(folder)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and writer.poll() is None:
        if any(p.stat().st_size for p in (folder / "snapshots").glob(".*/*/*.parquet")):
            break
        time.sleep(0.01)
    assert writer.poll() is None, "the write finished before it could be killed"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)

    assert list((folder / "snapshots").glob(".*")), "the kill was meant to land mid-write"
    assert store.current_snapshot(folder).id == before.id
    assert [s.id for s in store.list_snapshots(folder)] == [before.id]
    assert len(store.read_table(store.current_snapshot(folder), "orders")) == 4
    after = write(folder, note="after")
    assert store.current_snapshot(folder).id == after.id


# --------------------------------------------------------------------------- memory-mapped copies


def mapped_copies(snapshot) -> list[str]:
    return [str(path.relative_to(snapshot.path)) for path in store_write.mapped_copies_of(snapshot)]


def dated_tables() -> dict[str, pd.DataFrame]:
    """Orders, deals and interactions with undated rows and rows after 2025, in two regions."""
    frames = tables()
    frames["orders"] = schema.conform(pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4", "O5", "O6"],
        "customer_id": ["A", "B", "C", "A", "B", "A"],
        "order_date": pd.to_datetime(["2024-06-01", "2024-01-01", "2024-12-31", None, "2025-03-01", "2026-01-01"]),
        "amount": [1.0, 2.0, None, 4.0, 5.0, 6.0],
        "status": ["completed"] * 6,
        "region": ["east", "south", "east", "east", "south", "east"],
    }), "orders")
    frames["deals"] = schema.conform(pd.DataFrame({
        "deal_id": ["D1", "D2", "D3"], "stage": ["赢单"] * 3, "region": ["east", "east", "south"],
        "created_at": pd.to_datetime(["2024-01-01", None, "2030-01-01"])}), "deals")
    frames["interactions"] = schema.conform(pd.DataFrame({
        "customer_id": ["A", "B", "A", "B"], "kind": ["call", "complaint", "call", "visit"],
        "date": pd.to_datetime(["2025-06-01", "2024-01-01", None, "2024-02-01"])}), "interactions")
    return frames


READS = [  # table, options: every kind of read a report makes
    ("customers", {}), ("customers", {"regions": ["south"]}), ("customers", {"regions": []}),
    ("customers", {"regions": ["north"]}),
    ("orders", {}), ("orders", {"regions": ["east"]}),
    ("orders", {"regions": ["east"], "date_column": "order_date", "until": pd.Timestamp("2025-01-01")}),
    ("orders", {"date_column": "order_date", "until": pd.Timestamp("2024-01-01")}),
    ("orders", {"columns": ["order_id", "order_date", "customer_key", "order_key"], "regions": ["south"]}),
    ("deals", {"date_column": "created_at", "until": pd.Timestamp("2025-01-01")}),
    ("interactions", {"regions": ["south"], "date_column": "date", "until": pd.Timestamp("2025-01-01")}),
    ("interactions", {"date_column": "date", "until": pd.Timestamp("2030-01-01")}),
]


def test_mapped_copies_read_exactly_as_the_parquet_files(tmp_path):
    snapshot = store.write_snapshot(tmp_path, dated_tables(), {}, {})
    assert mapped_copies(snapshot) == ["customers/000.arrow", "customers/001.arrow", "customers/002.arrow",
                                       "deals/000.arrow", "deals/001.arrow", "interactions/000.arrow",
                                       "interactions/001.arrow", "leads/000.arrow",
                                       # orders by region and month, a region's undated rows after its months
                                       "orders/000-2024-06.arrow", "orders/001-2024-12.arrow",
                                       "orders/002-2026-01.arrow", "orders/003-undated.arrow",
                                       "orders/004-2024-01.arrow", "orders/005-2025-03.arrow"]  # not reps
    from_copies = [store.read_table(snapshot, table, **options) for table, options in READS]
    # A snapshot from before the sort order was recorded: the date bound filters instead of slicing.
    unsorted = store.Snapshot(snapshot.id, snapshot.path, {**snapshot.manifest, "sorted_by": {}})
    filtered = [store.read_table(unsorted, table, **options) for table, options in READS]
    for copy in store_write.mapped_copies_of(snapshot):
        copy.unlink()
    from_parquet = [store.read_table(snapshot, table, **options) for table, options in READS]
    for (table, options), mapped, parquet, other in zip(READS, from_copies, from_parquet, filtered):
        pd.testing.assert_frame_equal(mapped, parquet, obj=f"{table} {options}")
        pd.testing.assert_frame_equal(other, parquet, obj=f"{table} {options}")
    # Hand-checked: east before 2025 is O1, O3 by date, then the undated O4.
    assert from_copies[6]["order_id"].tolist() == ["O1", "O3", "O4"]
    assert from_copies[10]["customer_id"].tolist() == ["A"]   # south's interactions before 2025: the undated one


def test_only_the_current_snapshot_keeps_its_mapped_copies(tmp_path):
    first = store.write_snapshot(tmp_path, dated_tables(), {}, {})
    copies = mapped_copies(first)
    second = store.write_snapshot(tmp_path, dated_tables(), {}, {})
    assert mapped_copies(first) == [] and mapped_copies(second) == copies
    store.rollback(tmp_path)
    assert mapped_copies(first) == copies and mapped_copies(second) == []
    # Written without copies, a store stays without them through a rollback.
    third = store.write_snapshot(tmp_path, dated_tables(), {}, {}, mapped_copies=False)
    assert mapped_copies(third) == [] and mapped_copies(first) == []
    store.rollback(tmp_path, first.id)
    assert mapped_copies(first) == []
    assert store.read_table(first, "orders", regions=["east"])["order_id"].tolist() == ["O1", "O3", "O6", "O4"]


def test_a_missing_copy_is_read_from_the_parquet_and_a_copy_cut_short_stops_naming_it(tmp_path):
    snapshot = store.write_snapshot(tmp_path, dated_tables(), {}, {})
    expected = store.read_table(snapshot, "orders")
    copies = sorted(snapshot.path.glob(f"orders/*{MAPPED_SUFFIX}"))
    copies[1].unlink()
    pd.testing.assert_frame_equal(store.read_table(snapshot, "orders"), expected)
    # Replaced, not cut in place: ``expected`` still maps the file it was read from.
    (tmp_path / "short").write_bytes(copies[0].read_bytes()[:100])
    (tmp_path / "short").replace(copies[0])
    with pytest.raises(StoreDamaged, match=r"000(-[\d-]+)?\.arrow: 100 bytes where [\d,]+ were written .*delete this copy"):
        store.read_table(snapshot, "orders")
    copies[0].unlink()   # the remedy it names
    pd.testing.assert_frame_equal(store.read_table(snapshot, "orders"), expected)


@pytest.mark.hostile(expect="clear error", risk="crash")
@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\xff", b"../../etc\n", b"..\n", b"\n", b"snap/../x\n"])
def test_current_holding_garbage_or_a_path_is_one_line_naming_the_remedy(tmp_path, content):
    folder = tmp_path / "clean"
    write(folder)
    (folder / "CURRENT").write_bytes(content)
    with pytest.raises(StoreDamaged, match=r"CURRENT: does not name a snapshot .*store rollback"):
        store.current_snapshot(folder)
    assert store.rollback(folder).id == store.list_snapshots(folder)[0].id   # the remedy works


@pytest.mark.hostile(expect="clear error", risk="crash")
def test_current_naming_a_link_out_of_the_store_is_refused(tmp_path):
    folder = tmp_path / "clean"
    sound = write(folder)
    outside = tmp_path / "elsewhere"
    import shutil

    shutil.copytree(sound.path, outside)
    (folder / "snapshots" / "20990101T000000000000Z").symlink_to(outside)
    (folder / "CURRENT").write_text("20990101T000000000000Z\n")
    with pytest.raises(StoreDamaged, match="does not name a snapshot"):
        store.current_snapshot(folder)


@pytest.mark.hostile(expect="clear error", risk="crash")
@pytest.mark.parametrize("damage", [lambda text: text[: len(text) // 2], lambda text: "\x00\x01 not json",
                                    lambda text: "[1, 2]"])
def test_a_damaged_manifest_is_one_line_and_an_old_one_never_stops_pruning(tmp_path, damage):
    folder = tmp_path / "clean"
    first = write(folder, keep=2)
    (first.path / "manifest.json").write_text(damage((first.path / "manifest.json").read_text()))
    store._point_current(folder, first.id)
    with pytest.raises(StoreDamaged, match=r"manifest\.json: damaged, not a manifest.*store rollback"):
        store.current_snapshot(folder)
    second = write(folder, keep=2)
    assert any(first.id in note and "damaged" in note for note in second.notes)
    third = write(folder, keep=2)   # the damaged one is now beyond the two kept: pruned like the rest
    assert sorted(p.name for p in (folder / "snapshots").iterdir()) == [second.id, third.id]
    assert store.current_snapshot(folder).id == third.id
    assert not third.notes


def test_a_pinned_snapshot_outlives_pruning_until_its_run_ends(tmp_path):
    folder = tmp_path / "clean"
    first = write(folder, keep=1)
    with store.pinned(folder, first.id):
        write(folder, keep=1)
        write(folder, keep=1)
        assert first.path.is_dir()
        assert len(store.read_table(first, "orders")) == 4
    third = write(folder, keep=1)
    assert [p.name for p in (folder / "snapshots").iterdir()] == [third.id]


def test_pinning_a_pruned_snapshot_is_one_line(tmp_path):
    folder = tmp_path / "clean"
    first = write(folder, keep=1)
    write(folder, keep=1)
    with pytest.raises(UserError, match="may have been pruned"):
        with store.pinned(folder, first.id):
            pass


def test_a_periods_fix_lists_are_kept_beside_the_snapshots_with_what_they_were_made_from(tmp_path):
    problems = pd.DataFrame({"owner_rep": pd.array(["R1", None], dtype="string"),
                             "problem_key": pd.array(["phone_missing|C1", "unassigned|C2"], dtype="string"),
                             "source_row": pd.array([3, None], dtype="Int64")})
    assert store.read_fix_list(tmp_path, "2025-Q4") is None
    path = store.write_fix_list(tmp_path, "2025-Q4", problems, {"period": "2025-Q4", "content": "abc"})
    assert path == tmp_path / "fix_lists" / "2025-Q4.parquet"
    frame, meta = store.read_fix_list(tmp_path, "2025-Q4")
    pd.testing.assert_frame_equal(frame, problems)
    assert meta == {"content": "abc", "period": "2025-Q4"}
    # the same lists give the same bytes: what depends on them is not rendered again for nothing
    first = path.read_bytes()
    store.write_fix_list(tmp_path, "2025-Q4", problems, {"period": "2025-Q4", "content": "abc"})
    assert path.read_bytes() == first and [p.name for p in path.parent.iterdir()] == ["2025-Q4.parquet"]
    assert store.fix_list_path(tmp_path, "2025-07-01..2025-09-30").name == "2025-07-01..2025-09-30.parquet"
    for label in ("../2025-Q4", ".hidden", "2025/Q4", ""):
        with pytest.raises(ValueError, match="not a period label"):
            store.fix_list_path(tmp_path, label)
    path.write_bytes(b"not parquet")
    with pytest.raises(UserError, match=r"2025-Q4\.parquet: unreadable .*; delete it: the next `custreport run` of "
                                        "2025-Q4 keeps its fix lists again"):
        store.read_fix_list(tmp_path, "2025-Q4")
