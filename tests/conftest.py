"""Shared fixtures: the real regions table, small helpers for building inputs, the demo job's run,
a throwaway PostgreSQL server."""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from custreport.config import RegionTable, SourceSpec, load_regions

from demo_project import cli, make_demo_project
from postgres_server import throwaway_postgres

PROJECT = Path(__file__).resolve().parents[1]
REGIONS_YAML = PROJECT / "params" / "regions.yaml"

# Modules whose tests start report kernels or run whole projects through the command line:
# `make test-fast` (-m "not slow") leaves them out; `make test` runs everything.
SLOW_MODULES = {"test_golden_runs", "test_end_to_end", "test_report_notebooks", "test_notebooks", "test_kernel",
                "test_locks", "test_schedule", "test_output_safety", "test_runner", "test_bad_input"}


def pytest_collection_modifyitems(items):
    for item in items:
        if getattr(getattr(item, "module", None), "__name__", "") in SLOW_MODULES or "demo_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        hostile = item.get_closest_marker("hostile")
        if hostile is not None:   # carried to the report (and across xdist workers) for the battery's count
            item.user_properties.append(("hostile", (hostile.kwargs["expect"], hostile.kwargs["risk"])))


# --------------------------------------------------------------------------- the hostile-input battery

BATTERY_EXPECT = ("ok", "clear error")
BATTERY_RISKS = ("wrong", "crash", "hang", "leak")


def pytest_runtest_logreport(report):
    properties = dict(report.user_properties)
    if "hostile" not in properties or (report.when != "call" and not (report.when == "setup" and report.failed)):
        return
    expect, risk = properties["hostile"]
    assert expect in BATTERY_EXPECT and risk in BATTERY_RISKS, (expect, risk)
    _BATTERY.append((expect, risk, report.outcome))


_BATTERY: list[tuple[str, str, str]] = []


def pytest_terminal_summary(terminalreporter):
    """One line: the battery's cases, how many were handled right and how many refused clearly,
    and, by what they risked, those that were not (each then a failed test above)."""
    if not _BATTERY:
        return
    passed = [(expect, risk) for expect, risk, outcome in _BATTERY if outcome == "passed"]
    failed = [risk for _, risk, outcome in _BATTERY if outcome == "failed"]
    skipped = sum(outcome == "skipped" for *_, outcome in _BATTERY)
    counts = ", ".join(f"{failed.count(risk)} {name}" for risk, name in
                       zip(BATTERY_RISKS, ("wrong", "crashes", "hangs", "leaks")))
    terminalreporter.write_line(
        f"hostile battery: {len(_BATTERY)} cases, {sum(e == 'ok' for e, _ in passed)} ok, "
        f"{sum(e == 'clear error' for e, _ in passed)} clear errors; {counts}"
        + (f"; {skipped} skipped" if skipped else ""))


@pytest.fixture(scope="session")
def regions() -> RegionTable:
    """The regions of the project's own params/regions.yaml."""
    return load_regions(REGIONS_YAML)


@pytest.fixture
def make_spec():
    """Build a SourceSpec with the defaults load_sources would fill in."""

    def build(table: str = "customers", **overrides) -> SourceSpec:
        values = {"name": "src", "path": "unused", "table": table, "date_order": "year-first",
                  "phone_region": "CN", "currency": "CNY"}
        values.update(overrides)
        return SourceSpec(**values)

    return build


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, request) -> Path:
    """A small demo project after the demo job's commands: demo-data, ingest, then `custreport
    run --period latest --regions all` with its defaults (every report, html, pdf and xlsx).
    Read-only for the tests that share it; returns the project folder.

    Built once per test session: with the suite spread over workers (pytest-xdist) the first
    worker to need it builds it in their common folder while the others wait for it.
    """
    base = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):   # an xdist worker: its folder's parent is shared
        base = base.parent
    root, done = base / "demo_run", base / "demo_run.done"
    with open(base / "demo_run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)   # a build that failed half way
            root.mkdir()
            ingest = make_demo_project(root)
            assert "rows read = loaded + merged + non-data + quarantined" in " ".join(ingest.stdout.split())
            run = cli(root, "run", "--period", "latest", "--regions", "all", "--workers", "2")
            assert "regions rendered" in run.stdout
            done.touch()
    return root


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory) -> Iterator[str]:
    """The SQLAlchemy URL of an empty database on a throwaway PostgreSQL server
    (tests/postgres_server.py), started once per session (per xdist worker: ~1 s) and shared
    by its tests, so each test uses tables of its own names. Without PostgreSQL installed it
    fails rather than skips, so that the database tests are never left out unnoticed."""
    with throwaway_postgres(tmp_path_factory.mktemp("postgres")) as url:
        yield url
