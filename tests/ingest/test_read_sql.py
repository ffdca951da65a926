"""Database sources: the same data as files and as tables gives the same store, on SQLite,
DuckDB and a real PostgreSQL server; watermark reads fetch only changed rows; every failure
is one line and writes nothing."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sql_fixture
from custreport import store
from custreport.config import load_sources
from custreport.errors import UserError
from custreport.ingest.pipeline import ingest_to_store
from custreport.ingest.read_sql import KEY_COLUMN, refresh_extract
from demo_project import CLI

LOCATION = ["source_file", "source_sheet", "source_row", "source_key",
            # SQLite keeps a timestamp as the text SQLAlchemy wrote ("... 09:01:00.000000"); the
            # extra column holds what the database holds
            "x_updated_at"]


@pytest.fixture(scope="module")
def file_store(tmp_path_factory) -> store.Snapshot:
    root = sql_fixture.file_project(tmp_path_factory.mktemp("files"))
    return ingest_to_store(root / "params" / "sources.yaml")[1]


def _sqlite(folder: Path) -> str:
    url = f"sqlite:///{folder / 'crm.db'}"
    sql_fixture.write_tables(url)
    return url


def _duckdb(folder: Path) -> str:
    url = f"duckdb:///{folder / 'crm.duckdb'}"
    sql_fixture.write_tables(url)
    return url


def _database_store(root: Path, url: str, monkeypatch, full: bool = False):
    monkeypatch.setenv("CRM_URL", url)
    sql_fixture.database_project(root)
    return ingest_to_store(root / "params" / "sources.yaml", full=full)


def _source(root: Path, name: str):
    """The source ``name`` of the project's params/sources.yaml."""
    config, _ = load_sources(root / "params" / "sources.yaml")
    return next(spec for spec in config.sources if spec.name == name)


def assert_same_store(files: store.Snapshot, tables: store.Snapshot) -> None:
    """Ids, values, accounting and lineage equal; only where a row is found differs (a file row
    against a table's key)."""
    for table in ("customers", "orders", "reps"):
        left, right = store.read_table(files, table), store.read_table(tables, table)
        kept = [c for c in left.columns if c not in LOCATION]
        pd.testing.assert_frame_equal(left[kept].reset_index(drop=True), right[kept].reset_index(drop=True))
    for side in ("accounting", "merged_customers", "customer_keys"):
        pd.testing.assert_frame_equal(store.read_side_table(files, side), store.read_side_table(tables, side))
    left, right = store.read_side_table(files, "lineage"), store.read_side_table(tables, "lineage")
    kept = [c for c in left.columns if c not in LOCATION]
    pd.testing.assert_frame_equal(left[kept], right[kept])
    quarantined = [c for c in store.read_side_table(files, "quarantine").columns if c not in LOCATION]
    pd.testing.assert_frame_equal(store.read_side_table(files, "quarantine")[quarantined],
                                  store.read_side_table(tables, "quarantine")[quarantined])


@pytest.mark.parametrize("database", [_sqlite, _duckdb], ids=["sqlite", "duckdb"])
def test_tables_give_the_store_their_files_give(database, file_store, tmp_path, monkeypatch):
    result, snapshot = _database_store(tmp_path / "project", database(tmp_path), monkeypatch)
    assert_same_store(file_store, snapshot)
    accounting = result.accounting.set_index("source")
    # 8 customer rows: one merged into its twin, one without a name; 16 orders: 2 name no customer
    assert accounting.loc["crm_customers", ["rows_read", "loaded", "merged", "quarantined"]].tolist() == [8, 6, 1, 1]
    assert accounting.loc["crm_orders", ["rows_read", "loaded", "quarantined"]].tolist() == [16, 14, 2]


def test_lineage_names_each_database_row_by_its_key(tmp_path, monkeypatch):
    _, snapshot = _database_store(tmp_path / "project", _sqlite(tmp_path), monkeypatch)
    lineage = store.read_side_table(snapshot, "lineage").set_index("source_key")
    assert lineage.loc["id=102", ["source", "source_file", "status"]].tolist() == ["crm_customers", "customers",
                                                                                   "merged"]
    assert lineage.loc["id=102", "record_id"] == lineage.loc["id=101", "record_id"]
    quarantine = store.read_side_table(snapshot, "quarantine")
    nameless = quarantine[quarantine["source"] == "crm_customers"]
    assert nameless["source_key"].tolist() == ["id=105"] and nameless["reason"].str.contains("name").all()
    orders = quarantine[quarantine["source"] == "crm_orders"]
    assert sorted(orders["source_key"]) == ["order_no=SO0008", "order_no=SO0016"]


def test_a_query_is_read_as_a_table_is(tmp_path, monkeypatch):
    url = _sqlite(tmp_path)
    monkeypatch.setenv("CRM_URL", url)
    root = sql_fixture.database_project(
        tmp_path / "project",
        customers_source="- name: crm_customers\n  type: sql\n  url_env: CRM_URL\n  table: customers\n  key: id\n"
                         "  query: SELECT * FROM customers WHERE 省份 <> '辽宁'\n")
    result, snapshot = ingest_to_store(root / "params" / "sources.yaml")
    assert result.accounting.set_index("source").loc["crm_customers", "rows_read"] == 7
    assert "沈阳北方重工有限公司" not in store.read_table(snapshot, "customers")["name"].tolist()
    assert set(store.read_side_table(snapshot, "lineage").query("source == 'crm_customers'")["source_file"]) == \
        {"query"}


def test_a_watermark_read_fetches_only_changed_rows_and_gives_the_full_reads_store(tmp_path, monkeypatch):
    url = _sqlite(tmp_path)
    root = tmp_path / "project"
    first, _ = _database_store(root, url, monkeypatch)
    assert "8 rows read" in " ".join(first.database_reads)
    later = sql_fixture.T0 + dt.timedelta(days=1)
    sql_fixture.execute(url, "UPDATE customers SET 联系电话 = '13500009999', updated_at = :t WHERE id = 104",
                        "DELETE FROM customers WHERE id = 108",
                        "INSERT INTO customers (id, 客户名称, 联系电话, 省份, 行业, 创建日期, updated_at) "
                        "VALUES (109, '南京紫金医药有限公司', '025-8765 4321', '江苏', '医药', '2025-05-05', :t)",
                        parameters={"t": later})
    increment, snapshot = ingest_to_store(root / "params" / "sources.yaml")
    assert any("2 rows changed since the last read fetched, 8 rows in all" in line for line in increment.database_reads), \
        increment.database_reads
    names = store.read_table(snapshot, "customers")["name"].tolist()
    assert "南京紫金医药有限公司" in names and "沈阳北方重工有限公司" not in names
    phone = store.read_table(snapshot, "customers").set_index("name").loc["北京北辰物流集团", "phone"]
    assert phone == "+8613500009999"

    # --full into the same store (its registry of names seen has the same history)
    full, full_snapshot = ingest_to_store(root / "params" / "sources.yaml", full=True)
    assert "8 rows read" in " ".join(full.database_reads)
    assert_same_store(full_snapshot, snapshot)


def test_rows_without_a_watermark_are_read_every_time(tmp_path, monkeypatch):
    url = _sqlite(tmp_path)
    root = tmp_path / "project"
    _database_store(root, url, monkeypatch)
    sql_fixture.execute(url, "UPDATE customers SET updated_at = NULL WHERE id IN (101, 103)")
    ingest_to_store(root / "params" / "sources.yaml")
    # a change to a row without a watermark is still seen
    sql_fixture.execute(url, "UPDATE customers SET 行业 = '医药' WHERE id = 103")
    result, snapshot = ingest_to_store(root / "params" / "sources.yaml")
    assert any("3 rows changed since the last read fetched" in line for line in result.database_reads)
    assert store.read_table(snapshot, "customers").set_index("name").loc["广州南方贸易有限公司", "industry"] == "医药"


def test_an_unchanged_table_keeps_its_extract_file(tmp_path, monkeypatch):
    url = _sqlite(tmp_path)
    monkeypatch.setenv("CRM_URL", url)
    root = sql_fixture.database_project(tmp_path / "project")
    spec = _source(root, "crm_customers")
    first = refresh_extract(spec, tmp_path / "extracts")
    written = first.path.stat().st_mtime_ns
    again = refresh_extract(spec, tmp_path / "extracts")
    # the row at the last watermark is read again (rows written in its second may follow it)
    assert (again.fetched, again.rows, again.incremental) == (1, 8, True)
    assert again.path.stat().st_mtime_ns == written
    assert url.encode() not in first.path.read_bytes()   # the recipe is kept hashed: a URL may hold a password


def test_typed_cells_read_as_their_export_writes_them(tmp_path, monkeypatch):
    url = f"duckdb:///{tmp_path / 'typed.duckdb'}"
    with duckdb.connect(str(tmp_path / "typed.duckdb")) as connection:
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, d DATE, ts TIMESTAMP, n DECIMAL(12,2), "
                           "f DOUBLE, b BOOLEAN, s VARCHAR)")
        connection.execute("INSERT INTO t VALUES (1, '2024-03-05', '2024-03-05 10:30:00', 1200.50, 3.0, true, NULL)")
    monkeypatch.setenv("CRM_URL", url)
    root = sql_fixture.database_project(tmp_path / "project")
    spec = _source(root, "crm_orders").model_copy(update={"db_table": "t", "key": ["id"]})
    extract = refresh_extract(spec, tmp_path / "extracts")
    import pyarrow.parquet as pq

    row = pq.read_table(extract.path).to_pylist()[0]
    assert row == {"id": "1", "d": "2024-03-05", "ts": "2024-03-05 10:30:00", "n": "1200.5", "f": "3", "b": "TRUE",
                   "s": "", KEY_COLUMN: "id=1"}
    assert Decimal("1200.50") == Decimal(row["n"])


# --- failures: one line each, nothing written ------------------------------------------------

def _cli_ingest(root: Path, env: dict) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([CLI, "ingest"], cwd=root, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def _assert_one_line_nothing_written(result: subprocess.CompletedProcess, root: Path, *expected: str) -> None:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for text in expected:
        assert text in lines[0], lines[0]
    clean = root / "data" / "clean"
    assert not (clean / "CURRENT").exists() and not (clean / "snapshots").exists()
    assert not list(clean.glob("extracts/*.parquet"))


@pytest.mark.slow
@pytest.mark.parametrize("url, expected", [
    (None, ["environment variable CRM_URL is not set", "CRM_URL=postgresql://db.example.com/crm"]),
    ("not a url", ["CRM_URL is not a database URL", "expected kind://user:password@host/database"]),
    ("oracle+nodriver://u:secret@h/db", ["cannot use", "custreport reads postgresql"]),
    ("postgresql://reader:secret@127.0.0.1:1/crm", ["connection failed", "nothing was written"]),
], ids=["unset", "not-a-url", "unknown-driver", "refused"])
@pytest.mark.hostile(expect="clear error", risk="leak")
def test_a_bad_url_is_one_line_and_writes_nothing(url, expected, tmp_path):
    root = sql_fixture.database_project(tmp_path / "project")
    env = {} if url is None else {"CRM_URL": url}
    result = _cli_ingest(root, env)
    _assert_one_line_nothing_written(result, root, *expected)
    assert "secret" not in result.stderr


@pytest.mark.slow
@pytest.mark.hostile(expect="clear error", risk="crash")
def test_a_missing_table_or_database_file_is_one_line_and_creates_nothing(tmp_path):
    url = _sqlite(tmp_path)
    root = sql_fixture.database_project(
        tmp_path / "project",
        orders_source="- {name: crm_orders, type: sql, url_env: CRM_URL, db_table: sales.orders, key: order_no, "
                      "table: orders}\n")
    result = _cli_ingest(root, {"CRM_URL": url})
    _assert_one_line_nothing_written(result, root, "source 'crm_orders'", "table 'sales.orders' not found")

    missing = tmp_path / "no-such.db"
    result = _cli_ingest(root, {"CRM_URL": f"sqlite:///{missing}"})
    _assert_one_line_nothing_written(result, root, "database file", "not found")
    assert not missing.exists()


@pytest.mark.hostile(expect="clear error", risk="wrong")
def test_a_key_that_is_not_unique_or_not_a_column_is_one_line(tmp_path, monkeypatch):
    url = _sqlite(tmp_path)
    monkeypatch.setenv("CRM_URL", url)
    root = sql_fixture.database_project(tmp_path / "project")
    spec = _source(root, "crm_customers")
    with pytest.raises(UserError, match=r"key 省份 does not identify a row: 2 values appear on more than one row"):
        refresh_extract(spec.model_copy(update={"key": ["省份"], "watermark": None}), tmp_path / "extracts")
    with pytest.raises(UserError, match=r"key 邮箱 is empty on 4 rows; name a column that every row has"):
        refresh_extract(spec.model_copy(update={"key": ["邮箱"], "watermark": None}), tmp_path / "extracts")
    with pytest.raises(UserError, match=r"no such column: customer_no \(check the columns `key:` and `watermark:` name"):
        refresh_extract(spec.model_copy(update={"key": ["customer_no"]}), tmp_path / "extracts")
    assert not (tmp_path / "extracts").exists()


@pytest.mark.parametrize("entry, message", [
    ({"type": "sql", "table": "customers", "db_table": "a", "key": "id"}, "url_env: CRM_DATABASE_URL"),
    ({"type": "sql", "table": "customers", "url_env": "U", "key": "id"}, "either `db_table:` or `query:`"),
    ({"type": "sql", "table": "customers", "url_env": "U", "db_table": "a", "query": "select 1", "key": "id"},
     "either `db_table:` or `query:`"),
    ({"type": "sql", "table": "customers", "url_env": "U", "db_table": "a"}, "with `key:`"),
    ({"type": "sql", "table": "customers", "url_env": "U", "db_table": "a", "key": "id", "path": "x.csv"},
     "path: settings of a file source"),
    ({"table": "customers", "path": "a.csv", "watermark": "updated_at"}, "add `type: sql`"),
    ({"type": "sql", "table": "customers", "url_env": "postgres://x", "db_table": "a", "key": "id"}, "url_env"),
])
def test_a_database_source_says_what_it_lacks(entry, message, tmp_path):
    import yaml

    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "sources.yaml").write_text(yaml.safe_dump({"sources": [{"name": "crm", **entry}]}),
                                                      encoding="utf-8")
    with pytest.raises(UserError, match=message.replace("`", "`").replace("(", r"\(").replace(")", r"\)")):
        load_sources(tmp_path / "params" / "sources.yaml")


# --- a real PostgreSQL server --------------------------------------------------------------

def _postgres(server_url: str, name: str) -> str:
    """A fresh database on the test server holding the fixture's tables; its URL."""
    import sqlalchemy as sa

    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    sql_fixture.write_tables(url)
    return url


def test_a_url_is_shown_without_any_password():
    import sqlalchemy as sa
    from custreport.ingest.read_sql import shown_url

    for url in ("postgresql://reader:s3cret@db/crm", "postgresql://reader@db/crm?password=s3cret",
                "mysql+pymysql://reader@db/crm?passwd=s3cret", "postgresql://reader:p@s3cret@db/crm"):
        assert "s3cret" not in shown_url(sa.engine.make_url(url)), url


def test_postgres_tables_give_the_store_their_files_give(file_store, postgres_url, tmp_path, monkeypatch):
    url = _postgres(postgres_url, "same_store")
    # postgresql:// without a driver: custreport fills in psycopg, the driver it installs
    result, snapshot = _database_store(tmp_path / "project", url.replace("postgresql+psycopg://", "postgresql://"),
                                       monkeypatch)
    assert_same_store(file_store, snapshot)
    assert result.accounting.set_index("source").loc["crm_customers", "merged"] == 1


def test_postgres_watermark_read_gives_the_full_reads_store(postgres_url, tmp_path, monkeypatch):
    url = _postgres(postgres_url, "watermark")
    root = tmp_path / "project"
    _database_store(root, url, monkeypatch)
    sql_fixture.execute(url, "UPDATE customers SET 行业 = '医药', updated_at = :t WHERE id = 103",
                        parameters={"t": sql_fixture.T0 + dt.timedelta(days=2)})
    increment, snapshot = ingest_to_store(root / "params" / "sources.yaml")
    # the changed row, and the row at the last watermark again
    assert any("2 rows changed since the last read fetched" in line for line in increment.database_reads)
    assert store.read_table(snapshot, "customers").set_index("name").loc["广州南方贸易有限公司", "industry"] == "医药"
    _, full_snapshot = ingest_to_store(root / "params" / "sources.yaml", full=True)
    assert_same_store(full_snapshot, snapshot)


@pytest.mark.hostile(expect="clear error", risk="crash")
def test_a_connection_lost_mid_read_is_one_line_and_writes_nothing(postgres_url, tmp_path, monkeypatch):
    from custreport.ingest import read_sql

    url = _postgres(postgres_url, "dropped")
    monkeypatch.setenv("CRM_URL", url)
    # The server ends the session itself when the reader reaches SO0010: rows before it have
    # been fetched (two per round trip), so the connection goes away in the middle of the read.
    root = sql_fixture.database_project(
        tmp_path / "project",
        orders_source="- name: crm_orders\n  type: sql\n  url_env: CRM_URL\n  table: orders\n  key: order_no\n"
                      "  query: SELECT *, CASE WHEN order_no = 'SO0010' THEN pg_terminate_backend(pg_backend_pid()) "
                      "END AS gone FROM orders\n")
    monkeypatch.setattr(read_sql, "FETCH_ROWS", 2)
    config, _ = load_sources(root / "params" / "sources.yaml")
    with pytest.raises(UserError) as raised:
        read_sql.refresh_extracts(config.sources, tmp_path / "store")
    message = str(raised.value)
    assert "\n" not in message and message.startswith("source 'crm_orders' (postgresql+psycopg://custreport@")
    assert "the connection failed or was lost" in message and message.endswith("nothing was written")
    assert not (tmp_path / "store").exists()   # not even the customers read before it


@pytest.mark.parametrize("values", [
    ["甲", "", None], [1, -2, None, 10**12], [10**30, 1], [Decimal("1200.50"), Decimal("100.00"), Decimal("1E+3"), None],
    [Decimal("NaN"), Decimal(2)], [True, False, None], [dt.date(2024, 3, 5), None],
    [dt.datetime(2024, 3, 5), dt.datetime(2024, 3, 5, 10, 30), dt.datetime(2024, 3, 5, 0, 0, 0, 123456), None],
    [dt.datetime(2024, 3, 5, 8, tzinfo=dt.UTC)], [1.0, 0.5, float("nan"), None], [1, "a", 2.5, None],
    [b"\xe4\xb8\xad", None], [dt.time(9, 30)], [None, None],
], ids=["text", "ints", "huge-int", "decimals", "nan-decimal", "booleans", "dates", "timestamps", "aware", "floats",
        "mixed", "bytes", "time", "empty"])
def test_columns_read_as_cell_text_writes_each_cell(values):
    from custreport.ingest.raw_sheet import cell_text
    from custreport.ingest.read_sql import column_text

    assert column_text(values).to_pylist() == [cell_text(value) for value in values]


def test_an_empty_table_gives_an_empty_extract(tmp_path, monkeypatch):
    url = _sqlite(tmp_path)
    sql_fixture.execute(url, "DELETE FROM customers")
    monkeypatch.setenv("CRM_URL", url)
    root = sql_fixture.database_project(tmp_path / "project")
    spec = _source(root, "crm_customers")
    extract = refresh_extract(spec, tmp_path / "extracts")
    assert (extract.rows, extract.fetched) == (0, 0)
    again = refresh_extract(spec, tmp_path / "extracts")
    assert again.rows == 0
