"""The throwaway PostgreSQL server of the database tests (tests/postgres_server.py): a real server
that stores and returns rows, Chinese text unchanged, and leaves nothing running or on disk."""

from __future__ import annotations

import socket
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from postgres_server import find_postgres_bin, throwaway_postgres


@pytest.fixture(scope="module")
def engine(postgres_url):
    engine = sa.create_engine(postgres_url)
    yield engine
    engine.dispose()


def test_the_server_programs_are_found():
    bin_folder = find_postgres_bin()
    assert bin_folder is not None
    assert all((bin_folder / name).exists() for name in ("initdb", "pg_ctl", "postgres"))


def test_rows_go_in_and_come_back(engine):
    customers = sa.Table("server_test_customers", sa.MetaData(),
                         sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.Text),
                         sa.Column("balance", sa.Numeric(12, 2)))
    customers.create(engine)
    with engine.begin() as db:
        db.execute(customers.insert(), [{"id": 1, "name": "Acme", "balance": "12.50"},
                                        {"id": 2, "name": "Globex", "balance": "-3.00"}])
    with engine.connect() as db:
        rows = db.execute(sa.select(customers).order_by(customers.c.id)).all()
    assert [tuple(row) for row in rows] == [(1, "Acme", Decimal("12.50")), (2, "Globex", Decimal("-3.00"))]


def test_chinese_text_round_trips(engine):
    names = ["张伟", "北京市朝阳区建国路88号", "客户（华东）— 𠮷野家"]   # 𠮷: outside the BMP
    with engine.begin() as db:
        db.execute(sa.text("CREATE TABLE server_test_names (name text)"))
        db.execute(sa.text("INSERT INTO server_test_names VALUES (:name)"), [{"name": name} for name in names])
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT name FROM server_test_names ORDER BY name")).scalars().all() == sorted(
            names, key=lambda name: name.encode())   # locale C: byte order
        assert db.execute(sa.text("SELECT length(name) FROM server_test_names WHERE name LIKE '张%'")).scalar() == 2


def test_nothing_is_left_after_the_server_stops(tmp_path):
    with throwaway_postgres(tmp_path) as url:
        engine = sa.create_engine(url)
        with engine.connect() as db:
            server_folder = Path(db.execute(sa.text("SHOW data_directory")).scalar()).parent
        engine.dispose()
        port = sa.make_url(url).port
        assert server_folder.is_dir()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    assert not server_folder.exists()
