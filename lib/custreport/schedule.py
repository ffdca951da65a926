"""Crontab lines for params/schedule.yaml: `custreport update` (ingest what changed, render,
send), each job under its own lock.

Periods are relative (last-month, last-quarter, ...), so a line never changes from one
month to the next. Each line runs in the project folder under ``flock -n``: if the previous
run of the same job is still going, the new one is skipped rather than stacked; and the
run and send hold the period's own lock as well (locks.py). Output goes to
outputs/schedule.log (and each update's own log to outputs/logs/).

>>> from custreport.config import Schedule, ScheduledJob
>>> job = ScheduledJob(name="monthly", period="last-month", at="0 6 2 * *")
>>> print(crontab_lines(Schedule(jobs=[job]), Path("/srv/reports"), Path("/srv/reports/.venv/bin/custreport"))[1])
0 6 2 * * cd /srv/reports && mkdir -p outputs && flock -n outputs/.schedule-monthly.lock /srv/reports/.venv/bin/custreport update --period last-month --regions all --reports all --formats html,pdf,xlsx --locale zh --wait 3600 >> outputs/schedule.log 2>&1
"""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path

from custreport.config import Schedule, ScheduledJob

RUN_WAIT = 3600    # seconds a scheduled run waits for a hand-started run of the same period


def crontab_lines(schedule: Schedule, project: Path, executable: Path) -> list[str]:
    """A comment and a crontab line per job."""
    lines = []
    for job in schedule.jobs:
        lines.append(f"# custreport {job.name}: {job.period}, {'render and send' if job.send else 'render'}")
        lines.append(f"{job.at} {job_command(job, project, executable)}")
    return lines


def job_command(job: ScheduledJob, project: Path, executable: Path) -> str:
    """The shell command of one job: `custreport update` (ingest what changed, render, send) in
    the project folder, under the job's lock."""
    cli = shlex.quote(str(executable))
    command = (f"{cli} update --period {job.period} --regions {job.regions} --reports {job.reports} "
               f"--formats {job.formats} --locale {job.locale} --wait {RUN_WAIT}"
               + ("" if job.send else " --no-send"))
    return (f"cd {shlex.quote(str(project))} && mkdir -p outputs && "
            f"flock -n outputs/.schedule-{job.name}.lock {command} "
            ">> outputs/schedule.log 2>&1")


def next_runs(schedule: Schedule, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """When each job runs next after ``now`` (the machine's local time)."""
    from cronsim import CronSim

    return [(job.name, next(CronSim(job.at, now))) for job in schedule.jobs]
