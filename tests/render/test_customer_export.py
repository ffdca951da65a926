"""`custreport export customers`: the golden records and the row-to-id mapping as real CSV and
XLSX files opened again, and as tables in SQLite and a real PostgreSQL server read back."""

from __future__ import annotations

import os
import subprocess

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

import sql_fixture
from custreport.errors import UserError
from custreport.ingest.pipeline import ingest_to_store
from custreport.render.customer_export import export_customers
from demo_project import CLI


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = sql_fixture.file_project(tmp_path_factory.mktemp("export"))
    return root, ingest_to_store(root / "params" / "sources.yaml")[1]


def _check(golden: pd.DataFrame, rows: pd.DataFrame) -> None:
    golden = golden.set_index("name")
    # the twin typed as 华信科技(杭州) merged into one customer of two source rows
    huaxin = golden.loc["杭州华信科技有限公司"]
    assert int(huaxin["source_rows"]) == 2 and huaxin["phone"] == "+8613812345678"
    assert len(golden) == 6 and golden["customer_id"].is_unique
    by_row = rows.set_index("source_row")
    assert by_row.loc[3, "status"] == "merged" and by_row.loc[3, "customer_id"] == huaxin["customer_id"]
    assert by_row.loc[6, "status"] == "quarantined" and "name" in by_row.loc[6, "reason"]
    assert pd.isna(by_row.loc[6, "customer_id"]) or by_row.loc[6, "customer_id"] in ("", None)
    assert len(rows) == 8 and set(rows["source"]) == {"crm_customers"}


def test_csv_export_reads_back_with_ids_and_unquoted_phones(project, tmp_path):
    _, snapshot = project
    done = export_customers(snapshot, "csv", tmp_path)
    assert (done.customers, done.source_rows) == (6, 8)
    golden = pd.read_csv(tmp_path / "customers.csv", dtype=str, encoding="utf-8-sig")
    rows = pd.read_csv(tmp_path / "customer_source_rows.csv", dtype={"source_row": int}, encoding="utf-8-sig")
    _check(golden.astype({"source_rows": int}), rows)
    assert (tmp_path / "customers.csv").read_bytes().startswith("\ufeff".encode())


def test_xlsx_export_has_both_sheets_as_text_never_formulas(project, tmp_path):
    _, snapshot = project
    export_customers(snapshot, "xlsx", tmp_path)
    workbook = load_workbook(tmp_path / "customers.xlsx", read_only=True)
    assert workbook.sheetnames == ["customers", "source rows"]
    frames = []
    for name in workbook.sheetnames:
        values = list(workbook[name].values)
        frames.append(pd.DataFrame(values[1:], columns=values[0]))
    _check(*frames)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_database_export_replaces_both_tables(backend, project, tmp_path, monkeypatch, request):
    _, snapshot = project
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'crm.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("EXPORT_URL", url)
    for _ in range(2):   # a second export replaces the tables, never appends
        done = export_customers(snapshot, "database", url_env="EXPORT_URL", db_table="golden_customers")
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        golden = pd.read_sql_table("golden_customers", connection)
        rows = pd.read_sql_table("golden_customers_source_rows", connection)
    engine.dispose()
    _check(golden, rows)
    assert done.written[0].endswith("table golden_customers")


def test_export_mistakes_are_one_line(project, tmp_path, monkeypatch):
    _, snapshot = project
    with pytest.raises(UserError, match="unknown export format 'json'"):
        export_customers(snapshot, "json", tmp_path)
    with pytest.raises(UserError, match="--format database needs --url-env NAME"):
        export_customers(snapshot, "database")
    monkeypatch.setenv("EXPORT_URL", "postgresql://writer:secret@127.0.0.1:1/crm")
    with pytest.raises(UserError, match=r"export to postgresql\+psycopg://writer:\*\*\*@127.0.0.1:1/crm: .*"
                                        r"nothing was committed") as raised:
        export_customers(snapshot, "database", url_env="EXPORT_URL")
    assert "secret" not in str(raised.value)


@pytest.mark.slow
def test_the_command_line_exports_and_says_what_it_wrote(project):
    root, _ = project
    result = subprocess.run([CLI, "export", "customers", "--format", "csv"], cwd=root, capture_output=True, text=True,
                            timeout=300, env=os.environ)
    assert result.returncode == 0, result.stderr
    assert "exported 6 customers and 8 source rows of snapshot" in result.stdout
    assert (root / "outputs" / "export" / "customer_source_rows.csv").is_file()
