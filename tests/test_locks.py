"""locks: one run (or send) per period at a time; the second waits or stops with one line."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from custreport.errors import UserError
from custreport.locks import HOLDER_FILE, period_lock

from tiny_project import make_project

CLI = str(Path(sys.executable).with_name("custreport"))


def test_a_second_holder_stops_with_who_holds_the_lock(tmp_path):
    with period_lock(tmp_path, "run"):
        with pytest.raises(UserError, match=r"another custreport command is working on this period "
                                            r"\(custreport run, pid \d+, since .*\); wait for it, or pass --wait"):
            with period_lock(tmp_path, "send"):
                pass
    with period_lock(tmp_path, "send"):     # free again once released
        pass


def test_a_second_holder_waits_for_the_first_when_asked(tmp_path):
    released = threading.Event()

    def hold():
        with period_lock(tmp_path, "run"):
            time.sleep(0.5)
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.1)
    with period_lock(tmp_path, "send", wait=10):
        assert released.is_set()
    holder.join()


def _run(project: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([CLI, "run", "--period", "2025-Q4", "--regions", "east,south", "--reports", "summary",
                             "--formats", "html,pdf", "--workers", "1", "--force", *extra],
                            cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_overlapping_runs_of_one_period_wait_or_stop_and_never_leave_half_written_outputs(tmp_path):
    make_project(tmp_path)
    folder = tmp_path / "outputs" / "2025-Q4"
    first = _run(tmp_path, "--wait", "60")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:   # until the first run holds the period's lock
        try:
            if json.loads((folder / HOLDER_FILE).read_text(encoding="utf-8"))["pid"] == first.pid:
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    refused = _run(tmp_path)
    out, err = refused.communicate(timeout=120)
    assert refused.returncode == 2, out + err
    assert err.count("\n") == 1 and f"custreport run, pid {first.pid}" in err and "Traceback" not in err
    waiting = _run(tmp_path, "--wait", "300")
    assert first.wait(timeout=300) == 0, first.communicate()
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, out + err
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert manifest["ok"] and not list(folder.glob(".staging-*")) and not list(folder.glob(".old-*"))
    for job in manifest["jobs"]:
        for output in job["outputs"]:
            assert (folder / output["path"]).stat().st_size == output["bytes"]
