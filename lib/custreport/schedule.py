"""Crontab lines for params/schedule.yaml: `custreport update` (ingest what changed, render,
send), each job under its own lock.

Periods are relative (last-month, last-quarter, ...), so a line never changes from one
month to the next. Each line runs in the project folder under ``flock -n``: if the previous
run of the same job is still going, the new one is skipped rather than stacked; and the
run and send hold the period's own lock as well (locks.py). Output goes to
outputs/schedule.log (and each update's own log to outputs/logs/).

>>> job = ScheduledJob(name="monthly", period="last-month", at="0 6 2 * *")
>>> print(crontab_lines(Schedule(jobs=[job]), Path("/srv/reports"), Path("/srv/reports/.venv/bin/custreport"))[1])
0 6 2 * * cd /srv/reports && mkdir -p outputs && flock -n outputs/.schedule-monthly.lock /srv/reports/.venv/bin/custreport update --period last-month --regions all --reports all --formats html,pdf,xlsx --locale zh --wait 3600 >> outputs/schedule.log 2>&1
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from custreport.config import StrictModel, project_root, read_yaml, validated
from custreport.errors import UserError


# --------------------------------------------------------------------------- params/schedule.yaml


class ScheduledJob(StrictModel):
    """One line of params/schedule.yaml: when to render (and send) which relative period."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    period: Literal["last-month", "last-quarter", "last-year", "mtd", "qtd", "ytd"]
    at: str = Field(description="a five-field cron expression, in the machine's time zone")
    regions: str = "all"
    reports: str = "all"
    formats: str = "html,pdf,xlsx"
    locale: Literal["zh", "en"] = "zh"
    send: bool = True

    @field_validator("at")
    @classmethod
    def _cron(cls, value: str) -> str:
        from cronsim import CronSim, CronSimError

        try:
            CronSim(value, dt.datetime(2000, 1, 1))
        except CronSimError as exc:
            raise ValueError(f"{value!r} is not a cron expression ({exc})") from None
        return " ".join(value.split())

    @field_validator("regions", "reports", "formats")
    @classmethod
    def _plain_list(cls, value: str) -> str:
        # these go into a shell command line: names and commas only
        if not re.fullmatch(r"[\w,\- ]+", value):
            raise ValueError(f"{value!r}: use names separated by commas")
        return value.replace(" ", "")


class Schedule(StrictModel):
    """params/schedule.yaml."""

    jobs: list[ScheduledJob] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self):
        names = [job.name for job in self.jobs]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"job name {name!r} is used twice")
        return self


def load_schedule(path: Path | None = None) -> Schedule:
    """Load params/schedule.yaml; a missing file is a one-line UserError."""
    path = Path(path) if path else project_root() / "params" / "schedule.yaml"
    if not path.is_file():
        raise UserError(f"{path}: file not found (list when to render and send there)")
    return validated(Schedule, read_yaml(path), path)


# --------------------------------------------------------------------------- crontab lines

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
