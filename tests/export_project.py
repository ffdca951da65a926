"""A project made from one real-shaped export, run through the real command line.

Each test of a kind of export writes its sources file and raw files, then checks the figures
`custreport ingest` prints and `custreport run` writes to metrics.json, as a new user would
see them after configuring the export from the README.

>>> # root = export_project(tmp_path, SOURCES_YAML, {"data/raw/orders.csv": csv_text})
>>> # ingest(root).stdout; metrics = run_metrics(root, "2024")["all"]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
from demo_project import copy_params

PROJECT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("custreport"))
EXPORTS = PROJECT / "tests" / "data" / "exports"
MAVEN = PROJECT / "tests" / "data" / "maven_crm"

# The Maven CRM accounts, sales teams and deals as a user configures them (a deals-only CRM in
# USD, regions from its regional offices); a test adds its own sources under it.
MAVEN_SOURCES = f"""
regions: params/examples/maven_regions.yaml
defaults:
  currency: USD
sources:
  - name: accounts
    path: {MAVEN}/accounts.csv
    table: customers
    column_map: {{account: name, sector: industry, office_location: country}}
  - name: sales_teams
    path: {MAVEN}/sales_teams.csv
    table: reps
    column_map: {{sales_agent: name, regional_office: region, manager: manager}}
  - name: sales_pipeline
    path: {MAVEN}/sales_pipeline.csv
    table: deals
    column_map: {{opportunity_id: deal_id, account: customer_name, deal_stage: stage, engage_date: created_at,
                  close_date: closed_at, close_value: amount, sales_agent: owner_rep, product: product}}
"""


def export_project(root: Path, sources: str, files: dict[str, str | bytes | pd.DataFrame] | None = None) -> Path:
    """The real params/ and notebooks/ under ``root``, ``sources`` as params/sources.yaml and
    each of ``files`` (path relative to ``root`` -> text, bytes or a frame written as CSV)."""
    copy_params(root, dirs_exist_ok=True)
    shutil.copytree(PROJECT / "notebooks", root / "notebooks", dirs_exist_ok=True)
    (root / "params" / "sources.yaml").write_text(sources, encoding="utf-8")
    for relative, content in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, pd.DataFrame):
            content.to_csv(path, index=False)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def cli(root: Path, *args: str, expect: int | None = 0) -> subprocess.CompletedProcess:
    """`custreport *args` in ``root``; with ``expect`` set, its exit code is checked (the
    command's own output is shown when it differs)."""
    result = subprocess.run([CLI, *args], cwd=root, capture_output=True, text=True, timeout=600,
                            env={**_environment(), "COLUMNS": "200"})
    if expect is not None:
        assert result.returncode == expect, (f"custreport {' '.join(args)} exited {result.returncode}, "
                                             f"expected {expect}:\n{result.stdout}\n{result.stderr}")
    return result


def ingest(root: Path, *args: str, expect: int | None = 0) -> subprocess.CompletedProcess:
    """`custreport ingest` in ``root`` (extra ``args`` such as --dry-run passed on)."""
    return cli(root, "ingest", *args, expect=expect)


def run_metrics(root: Path, period: str, regions: str = "all", reports: str = "summary",
                locale: str = "zh", formats: str = "xlsx") -> dict[str, dict]:
    """`custreport run` for ``period``; each rendered region's metrics.json, by region folder."""
    cli(root, "run", "--period", period, "--regions", regions, "--reports", reports, "--formats", formats,
        "--locale", locale, "--workers", "2")
    out = root / "outputs"
    folders = [path for path in out.glob("*/*/metrics.json")]
    return {path.parent.name: json.loads(path.read_text(encoding="utf-8")) for path in folders}


def _environment() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("CUSTREPORT_")}
