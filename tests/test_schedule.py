"""schedule: crontab lines that update (ingest, render, send) a relative period, never two at once."""

from __future__ import annotations

import datetime as dt
import fcntl
import subprocess
import sys
from pathlib import Path

import pytest

from custreport.errors import UserError
from custreport.schedule import Schedule, ScheduledJob, crontab_lines, job_command, load_schedule, next_runs

from tiny_project import PROJECT, make_project

CLI = Path(sys.executable).with_name("custreport")


def test_the_shipped_schedule_gives_one_commented_line_per_job():
    plan = load_schedule(PROJECT / "params" / "schedule.yaml")
    lines = crontab_lines(plan, Path("/srv/my reports"), Path("/srv/my reports/.venv/bin/custreport"))
    assert len(lines) == 2 * len(plan.jobs) and all(line.startswith("# custreport ") for line in lines[::2])
    monthly = lines[1]
    assert monthly.startswith("0 6 2 * * cd '/srv/my reports' && mkdir -p outputs && flock -n ")
    assert "custreport' update --period last-month" in monthly and " run " not in monthly
    assert monthly.endswith(">> outputs/schedule.log 2>&1")


def test_next_runs_follow_the_cron_expressions():
    plan = Schedule(jobs=[ScheduledJob(name="monthly", period="last-month", at="0 6 2 * *"),
                          ScheduledJob(name="quarterly", period="last-quarter", at="30 6 3 1,4,7,10 *")])
    assert next_runs(plan, dt.datetime(2026, 11, 22, 12, 0)) == [
        ("monthly", dt.datetime(2026, 12, 2, 6, 0)), ("quarterly", dt.datetime(2027, 1, 3, 6, 30))]


@pytest.mark.parametrize("job, message", [
    ("{name: m, period: last-month, at: '61 6 * * *'}", r"jobs\.0\.at: .*not a cron expression"),
    ("{name: m, period: 2025-Q4, at: '0 6 2 * *'}", r"jobs\.0\.period"),
    ("{name: 'm; rm -rf /', period: last-month, at: '0 6 2 * *'}", r"jobs\.0\.name"),
    ("{name: m, period: last-month, at: '0 6 2 * *', regions: 'east; reboot'}", r"jobs\.0\.regions"),
])
def test_a_bad_schedule_is_one_line_naming_file_and_key(tmp_path, job, message):
    path = tmp_path / "schedule.yaml"
    path.write_text(f"jobs:\n  - {job}\n", encoding="utf-8")
    with pytest.raises(UserError, match=rf"schedule\.yaml: {message}"):
        load_schedule(path)


def test_a_job_line_updates_and_writes_the_messages_and_skips_while_the_last_one_runs(tmp_path):
    make_project(tmp_path)
    (tmp_path / "params" / "recipients.yaml").write_text(
        "recipients:\n  - {name: 华东区经理, email: east@example.com, region: east, reports: [summary]}\n",
        encoding="utf-8")
    # the job ingests the raw files (params/sources.yaml reads the demo files), then renders and sends
    subprocess.run([str(CLI), "demo-data", "--customers", "400", "--out", str(tmp_path / "data" / "raw")],
                   check=True, capture_output=True, timeout=120)
    # a fixed period stands in for last-quarter: the demo data ends in 2025
    job = ScheduledJob(name="quarterly", period="last-quarter", at="0 6 * * *", regions="east", reports="summary",
                       formats="pdf")
    command = job_command(job, tmp_path, CLI).replace("--period last-quarter", "--period 2025-Q4")
    lock = tmp_path / "outputs" / ".schedule-quarterly.lock"
    lock.parent.mkdir(parents=True)
    with lock.open("w") as held:                 # the previous run of this job is still going
        fcntl.flock(held, fcntl.LOCK_EX)
        skipped = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=120)
    assert skipped.returncode != 0 and not (tmp_path / "outputs" / "2025-Q4").exists()
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}   # cron's bare environment: no mail server
    refused = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=120, env=bare)
    log = (tmp_path / "outputs" / "schedule.log").read_text(encoding="utf-8")
    assert refused.returncode == 2 and "error: no mail server configured" in log
    assert not (tmp_path / "outputs" / "2025-Q4").exists()
    done = subprocess.run(["sh", "-c", command.replace("--wait 3600", "--wait 3600 --dry-run")], capture_output=True,
                          text=True, timeout=600, env=bare)
    log = (tmp_path / "outputs" / "schedule.log").read_text(encoding="utf-8")
    assert done.returncode == 0, log
    assert (tmp_path / "outputs" / "2025-Q4" / "east" / "summary.pdf").is_file()
    assert (tmp_path / "outputs" / "2025-Q4" / "outbox" / "east-east_example.com.eml").is_file()
    assert "1 written" in log and "raw files, params or code changed: ingesting" in log
    assert "customers 400" in log


def test_schedule_command_prints_the_lines(tmp_path):
    make_project(tmp_path)
    (tmp_path / "params" / "schedule.yaml").write_text(
        (PROJECT / "params" / "schedule.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run([str(CLI), "schedule"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "# custreport monthly: last-month, render and send"
    assert f"cd {tmp_path}" in lines[1] and f"{CLI} update --period last-month" in lines[1]
    assert "next monthly:" in result.stderr
