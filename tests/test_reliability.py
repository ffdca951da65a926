"""The hostile-input battery at the command line: a damaged store, a full or read-only disk, a
glob that would walk the disk, links out of the project, two ingests at once, an ingest during a
run, a report whose error quotes a customer. Each case ends right, or in one line with its
remedy and no traceback; the battery's count is printed at the end of the test session.

Disk full and read-only folders are real: a small tmpfs is mounted (root only; the CI machines
run as root).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from custreport import run_outputs, runner, store
from custreport.store_integrity import verify_snapshot
from export_project import cli, export_project
from test_runner import summary_plus
from tiny_project import make_project

pytestmark = pytest.mark.slow

CUSTOMERS = "客户名称,电话,地区\n" + "".join(f"客户{n}有限公司,1380013800{n},华东\n" for n in range(8))


def hostile(expect: str, risk: str):
    return pytest.mark.hostile(expect=expect, risk=risk)


def one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    """The single error line of a command that stopped (exit 2), with each fragment in it."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def ingested(tmp_path) -> Path:
    """A project with one customers source, ingested once."""
    root = export_project(tmp_path / "project", "sources:\n  - {name: crm, path: data/raw/crm.csv, table: customers}\n",
                          {"data/raw/crm.csv": CUSTOMERS})
    cli(root, "ingest")
    return root


@pytest.fixture
def tiny(tmp_path, monkeypatch) -> Path:
    make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    return tmp_path


def current(root: Path) -> store.Snapshot:
    return store.current_snapshot(root / "data" / "clean")


# --------------------------------------------------------------------------- a damaged store


@hostile("clear error", "wrong")
def test_an_arrow_copy_rewritten_in_place_stops_the_run_before_any_report(tiny):
    snapshot = current(tiny)
    copy = next(snapshot.path.glob("orders/*.arrow"))
    content = bytearray(copy.read_bytes())
    content[len(content) // 2] ^= 0x01   # one amount's bit: same size, revenue wrong
    with copy.open("r+b") as handle:
        handle.write(bytes(content))
    result = cli(tiny, "run", "--period", "2025-Q4", "--regions", "east", "--formats", "html", expect=None)
    one_line_error(result, f"{copy.relative_to(tiny)}".split("/")[-1], "changed since it was written",
                   "custreport store verify", "delete this copy")
    assert not (tiny / "outputs" / "2025-Q4" / "east").exists()
    verify = cli(tiny, "store", "verify", expect=1)
    assert "1 damaged" in verify.stdout and copy.name in verify.stdout
    copy.unlink()   # the remedy named: the copy is read from its parquet file
    cli(tiny, "run", "--period", "2025-Q4", "--regions", "east", "--reports", "summary", "--formats", "html")
    figures = json.loads((tiny / "outputs" / "2025-Q4" / "east" / "metrics.json").read_text(encoding="utf-8"))
    assert figures["revenue"] == 450.0   # A 100 + 300, B 50: the hand-computed figure, not a damaged one


@hostile("clear error", "wrong")
def test_a_deleted_side_table_stops_the_run_instead_of_zero_quality_figures(tiny):
    (current(tiny).path / "accounting.parquet").unlink()
    result = cli(tiny, "run", "--period", "2025-Q4", "--regions", "east", "--formats", "html", expect=None)
    one_line_error(result, "accounting.parquet: missing from snapshot", "custreport store rollback")
    assert "accounting.parquet: missing" in cli(tiny, "store", "verify", expect=1).stdout


@hostile("clear error", "crash")
@pytest.mark.parametrize("content", [b"\x00\xff\xfe garbage \x80", b"../../../etc\n", b"20240101T000000000000Z/..\n"])
def test_current_holding_garbage_or_a_path_out_of_the_store_is_one_line(tiny, content):
    (tiny / "data" / "clean" / "CURRENT").write_bytes(content)
    for command in (["run", "--period", "2025-Q4"], ["store", "verify"]):
        one_line_error(cli(tiny, *command, expect=None), "CURRENT: does not name a snapshot",
                       "custreport store rollback")
    cli(tiny, "store", "rollback")
    cli(tiny, "store", "verify")


@hostile("clear error", "crash")
def test_a_truncated_current_manifest_is_one_line(tiny):
    manifest = current(tiny).path / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8")[:200], encoding="utf-8")
    one_line_error(cli(tiny, "run", "--period", "2025-Q4", expect=None), "manifest.json: damaged, not a manifest")


@hostile("ok", "crash")
def test_a_damaged_old_manifest_never_stops_later_ingests_from_pruning(ingested):
    (ingested / "params" / "sources.yaml").write_text(
        "keep_snapshots: 2\nsources:\n  - {name: crm, path: data/raw/crm.csv, table: customers}\n", encoding="utf-8")
    first = current(ingested)
    (first.path / "manifest.json").write_text('{"snapshot": "cut sh', encoding="utf-8")
    second = cli(ingested, "ingest")
    assert f"snapshot {first.id} is damaged" in second.stdout
    cli(ingested, "ingest")
    cli(ingested, "ingest")
    kept = sorted(p.name for p in (ingested / "data" / "clean" / "snapshots").iterdir())
    assert len(kept) == 2 and first.id not in kept
    cli(ingested, "store", "verify", "--all")


# --------------------------------------------------------------------------- the disk refuses


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs; mounted read-only by ``remount_read_only``."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small disk needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def remount_read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


@hostile("clear error", "crash")
def test_a_disk_full_during_ingest_is_one_line_and_the_last_snapshot_stays(ingested, small_disk):
    store_folder = small_disk / "clean"
    cli(ingested, "ingest", "--store", str(store_folder))
    before = store.current_snapshot(store_folder).id
    with (small_disk / "filler").open("wb", buffering=0) as handle:   # fill the rest of the disk
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    result = cli(ingested, "ingest", "--store", str(store_folder), expect=None)
    one_line_error(result, "no space left on the device", "free space")
    assert store.current_snapshot(store_folder).id == before
    assert verify_snapshot(store.current_snapshot(store_folder)) == []
    assert not [p for p in (store_folder / "snapshots").iterdir() if p.name.startswith(".")]


@hostile("clear error", "crash")
def test_a_read_only_store_folder_is_one_line(ingested, small_disk):
    remount_read_only(small_disk)
    one_line_error(cli(ingested, "ingest", "--store", str(small_disk / "clean"), expect=None),
                   "read-only file system", "writable")


@hostile("clear error", "crash")
def test_a_read_only_outputs_folder_is_one_line(tiny, small_disk):
    remount_read_only(small_disk)
    one_line_error(cli(tiny, "run", "--period", "2025-Q4", "--out", str(small_disk / "outputs"), expect=None),
                   "read-only file system", "--out")


# --------------------------------------------------------------------------- paths


@hostile("clear error", "hang")
@pytest.mark.parametrize("pattern", ["/**/*.csv", "../../**/*.csv", "../*/data/raw/*.csv"])
def test_a_glob_that_would_search_a_folder_holding_the_project_is_refused_at_once(ingested, pattern):
    (ingested / "params" / "sources.yaml").write_text(
        f"sources:\n  - {{name: crm, path: '{pattern}', table: customers}}\n", encoding="utf-8")
    started = time.monotonic()
    one_line_error(cli(ingested, "ingest", expect=None), f"path {pattern!r} would search all of",
                   "start the glob in the project folder")
    assert time.monotonic() - started < 60


@hostile("ok", "leak")
def test_a_link_out_of_the_project_is_read_and_reported(ingested, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(CUSTOMERS, encoding="utf-8")
    (ingested / "data" / "raw" / "linked.csv").symlink_to(outside)
    (ingested / "params" / "sources.yaml").write_text(
        "sources:\n  - {name: crm, path: 'data/raw/*.csv', table: customers}\n", encoding="utf-8")
    result = cli(ingested, "ingest")
    assert f"data/raw/linked.csv leads outside the project folder, to {outside}" in result.stdout
    assert "remove the link" in result.stdout


# --------------------------------------------------------------------------- one writer, one snapshot


@hostile("clear error", "wrong")
def test_two_ingests_at_once_the_second_waits_or_stops_in_one_line(ingested):
    from custreport.locks import store_lock

    with store_lock(ingested / "data" / "clean", "ingest"):
        result = cli(ingested, "ingest", expect=None)
    one_line_error(result, "another custreport command is writing this store", "--wait")


@hostile("ok", "wrong")
def test_an_ingest_that_prunes_during_a_run_leaves_the_run_its_snapshot(tiny):
    folder = tiny / "data" / "clean"
    request = runner.RunRequest.build(period="2025-Q4", regions="east,south,all", reports="summary",
                                      formats="html", workers=1, recipient_locales=False)
    first = current(tiny)
    done: list = []
    worker = threading.Thread(target=lambda: done.append(runner.run_matrix(request)))
    worker.start()
    deadline = time.monotonic() + 120
    while not list((tiny / "outputs" / "2025-Q4").glob(".staging-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    tables = {name: store.read_table(first, name) for name in ("customers", "orders", "deals")}
    tables["orders"] = tables["orders"].assign(amount=tables["orders"]["amount"] * 10)
    for _ in range(2):   # keep one: the run's snapshot is pinned, not pruned
        store.write_snapshot(folder, tables, {}, {"data_range": first.manifest["data_range"]}, keep=1)
    worker.join(timeout=300)
    summary = done[0]
    assert summary.ok, summary.lines()
    revenue = {job.region: json.loads((summary.folder / job.region / "metrics.json").read_text())["revenue"]
               for job in summary.jobs}
    assert revenue == {"east": 450.0, "south": 200.0, "all": 650.0}   # all from the run's snapshot
    assert json.loads((summary.folder / "run.json").read_text())["snapshot"] == first.id
    store.write_snapshot(folder, tables, {}, {}, keep=1)   # the run over, its pin goes
    assert not first.path.exists()


# --------------------------------------------------------------------------- leaks


@hostile("ok", "leak")
def test_a_failing_report_quoting_a_customer_leaks_no_contact_anywhere(tiny):
    # built at run time, as a value read from the data would be: the notebook's source holds none
    summary_plus(tiny, "quoting", "phone = ''.join(['1', '3', '8', '1', '2', '3', '4', '5', '6', '7', '8'])\n"
                                  "raise ValueError(f'cannot reach {phone} or ' + 'bo' + 'ss(at)jia.com')")
    result = cli(tiny, "run", "--period", "2025-Q4", "--regions", "east", "--reports", "quoting,summary",
                 "--formats", "html", expect=1)
    folder = tiny / "outputs" / "2025-Q4"
    texts = {"console": result.stdout + result.stderr, "index": (folder / "index.html").read_text(encoding="utf-8"),
             "run.json": (folder / "run.json").read_text(encoding="utf-8"),
             "job.json": (folder / "east" / run_outputs.JOB_FILE).read_text(encoding="utf-8"),
             "_failed": (folder / "_failed" / "east" / "quoting.ipynb").read_text(encoding="utf-8")}
    for name, text in texts.items():
        assert "13812345678" not in text and "boss(at)jia.com" not in text and "boss" not in text, name
        assert "138****5678" in text, name


@hostile("clear error", "hang")
def test_a_run_stopped_by_sigterm_says_so_in_one_line_and_the_next_run_completes(tiny):
    import signal
    import sys

    summary_plus(tiny, "hang", "import time\nwhile True:\n    time.sleep(1)")
    command = [str(Path(sys.executable).with_name("custreport")), "run", "--period", "2025-Q4", "--regions", "east",
               "--reports", "summary,hang", "--formats", "html", "--workers", "1"]
    running = subprocess.Popen(command, cwd=tiny, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    folder = tiny / "outputs" / "2025-Q4"
    deadline = time.monotonic() + 120
    while not list(folder.glob(".staging-*/summary.html")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)   # into the hanging report
    running.send_signal(signal.SIGTERM)
    stdout, stderr = running.communicate(timeout=60)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert running.returncode == 130 and len(lines) == 1 and "Traceback" not in stdout + stderr, stdout + stderr
    assert "stopped before the end" in lines[0] and "the next run" in lines[0]
    assert not (folder / "east").exists()   # the region was not finished: nothing half of it published
    cli(tiny, "run", "--period", "2025-Q4", "--regions", "east", "--reports", "summary", "--formats", "html")
    assert (folder / "east" / "summary.html").is_file() and not list(folder.glob(".staging-*"))


@hostile("ok", "crash")
def test_reports_render_from_a_store_this_user_may_only_read(tiny, small_disk):
    shutil.copytree(tiny / "data" / "clean", small_disk / "clean")
    remount_read_only(small_disk)
    cli(tiny, "run", "--period", "2025-Q4", "--regions", "east", "--reports", "summary", "--formats", "html",
        "--store", str(small_disk / "clean"))
    assert (tiny / "outputs" / "2025-Q4" / "east" / "summary.html").is_file()
