"""cli: user mistakes end in one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tiny_project import make_project

CLI = str(Path(sys.executable).with_name("custreport"))


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path):
    make_project(tmp_path)
    return tmp_path


@pytest.mark.parametrize("args, message", [
    (["run", "--period", "2025-Q5"], "unknown period '2025-Q5'"),
    (["run", "--period", "2025-Q4", "--regions", "mars"], "unknown region 'mars'"),
    (["run", "--period", "2025-Q4", "--executor", "dask"], "--executor dask needs --scheduler tcp://HOST:8786"),
    (["run", "--period", "2025-Q4", "--executor", "spark"], "unknown executor 'spark'"),
    (["send", "--period", "2025-Q4", "--dry-run"], "no rendered reports for this period"),
    (["send", "--period", "2025-Q4"], "no mail server configured: set CUSTREPORT_SMTP_HOST"),
    (["run", "--period", "2027-Q1"], "starts after the data ends: the data runs 2024-11-11 – 2025-12-31"),
    (["ingest", "--config", "params/none.yaml"], "params/none.yaml: file not found"),
    (["store", "rollback", "nope"], "no snapshot 'nope'"),
])
def test_user_errors_are_one_line_with_exit_code_2(project, args, message):
    result = _run(project, *args)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_missing_store_says_to_ingest_first(tmp_path):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "regions.yaml").write_text(
        (Path(__file__).resolve().parents[1] / "params" / "regions.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = _run(tmp_path, "run", "--period", "2025-Q4")
    assert result.returncode == 2 and "run `custreport ingest` first" in result.stderr


def test_ingest_with_a_broken_source_file_names_the_file(project):
    (project / "data" / "raw").mkdir(parents=True)
    (project / "data" / "raw" / "bad.xlsx").write_bytes(b"PK\x03\x04 cut off in the middle of a download")
    (project / "params" / "sources.yaml").write_text(
        "sources:\n  - {name: bad, path: data/raw/bad.xlsx, table: customers}\n", encoding="utf-8")
    result = _run(project, "ingest")
    assert result.returncode == 2
    assert "bad.xlsx: not a readable Excel workbook" in result.stderr and "Traceback" not in result.stderr


def test_store_list_marks_the_current_snapshot(project):
    result = _run(project, "store", "list")
    assert result.returncode == 0 and "*" in result.stdout


def test_usage_errors_exit_2(project):
    result = _run(project, "run")
    assert result.returncode == 2 and "--period" in result.stderr


# Ten customers, one without a name: 10 % of the source is quarantined.
TEN_CUSTOMERS = ("客户名称,电话\n" + "".join(f"客户{n}有限公司,1380013800{n}\n" for n in range(9))
                 + ",13900139000\n")


def _customers_project(root: Path, limit: str = "") -> Path:
    from export_project import export_project

    sources = (f"sources:\n  - name: crm\n    path: data/raw/crm.csv\n    table: customers\n"
               + (f"    max_quarantined: {limit}\n" if limit else ""))
    return export_project(root, sources, {"data/raw/crm.csv": TEN_CUSTOMERS})


def test_ingest_dry_run_prints_the_accounting_and_writes_nothing(tmp_path):
    root = _customers_project(tmp_path, limit="20%")
    result = _run(root, "ingest", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "dry run" in result.stdout and "missing customer name" in result.stdout
    assert not (root / "data" / "clean").exists()


def test_a_source_over_its_quarantine_limit_stops_the_ingest_in_one_line(tmp_path):
    root = _customers_project(tmp_path)
    result = _run(root, "ingest")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "source 'crm': 10.0% of 10 data rows quarantined (limit 1%): missing customer name 1" in lines[0]
    assert "raise max_quarantined for source 'crm'" in lines[0] and "Traceback" not in result.stderr
    clean = root / "data" / "clean"   # the store's lock file only: no snapshot, no pointer
    assert not (clean / "CURRENT").exists() and not (clean / "snapshots").exists()


def test_a_raised_quarantine_limit_lets_the_ingest_through(tmp_path):
    root = _customers_project(tmp_path, limit="0.1")
    result = _run(root, "ingest")
    assert result.returncode == 0, result.stderr
    assert (root / "data" / "clean" / "CURRENT").exists()
