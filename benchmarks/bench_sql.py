"""How fast custreport reads a database source, and what the Arrow-native readers would take.

    cd benchmarks && ../.venv/bin/python bench_sql.py [--rows 200000] [--repeat 3] [--compare]

Starts a throwaway PostgreSQL server (tests/postgres_server.py) and makes a SQLite and a
DuckDB file under benchmarks/_work/sql/, each holding the same customers table of --rows rows
(integer id primary key, Chinese company name, phone, e-mail, province, industry, created
DATE, amount NUMERIC(12,2), updated_at TIMESTAMP; some cells empty, as CRM tables are). Then
times custreport's read of it (read_sql.read_database, as `custreport ingest` does for a
`type: sql` source) on each database, and on PostgreSQL, for comparison, what the other ways
to get the same table into Arrow take:

- pandas.read_sql through SQLAlchemy and the same driver (psycopg), then pa.Table.from_pandas;
- connectorx.read_sql(url, query, return_type="arrow");
- ADBC (adbc_driver_postgresql.dbapi, cursor.fetch_arrow_table());
- ADBC, connectorx, and psycopg's COPY ... TO STDOUT (CSV, parsed by pyarrow; no new
  dependency), each followed by a vectorised conversion to custreport's extract (every cell
  as raw_sheet.cell_text gives it, plus the key column), checked equal to custreport's own
  extract: what a faster read_sql would take end to end (and the same for DuckDB's own
  Arrow export, duckdb being already installed).

And where custreport's read spends its time on PostgreSQL: fetching the rows (SQLAlchemy +
psycopg, server-side cursor), converting every cell with cell_text, building the Arrow table
(a copy of read_sql._fetch's steps, timed one by one).

Every figure is the median of --repeat runs, each in a fresh interpreter, so that its peak
resident memory (VmHWM) is its own; the time counts from the connection to the finished
Arrow table (imports excluded). Prints one table and writes it, with the machine, the number
of rows and the commit, to benchmarks/results_sql.md.

connectorx and ADBC are not custreport dependencies; their rows read "not installed" unless
they can be imported. To measure them, install them outside the project's virtualenv and pass
--compare (which adds --extra-path, /tmp/benchextra by default, to the end of sys.path, so the
virtualenv's own pyarrow, pandas and numpy are the ones used):

    ../.venv/bin/python -m pip install --no-deps --target /tmp/benchextra \\
        connectorx adbc-driver-postgresql adbc-driver-manager
    ../.venv/bin/python bench_sql.py --compare
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
RESULTS = HERE / "results_sql.md"
WORK = HERE / "_work" / "sql"
EXTRA_PATH = Path("/tmp/benchextra")
URL_ENV = "CUSTREPORT_BENCH_SQL_URL"
TABLE = "customers"
QUERY = f"SELECT * FROM {TABLE} ORDER BY id"
COLUMNS = ["id", "客户名称", "联系电话", "邮箱", "省份", "行业", "创建日期", "金额", "updated_at"]
DDL = (f'CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, "客户名称" TEXT, "联系电话" TEXT, "邮箱" TEXT, "省份" TEXT, '
       '"行业" TEXT, "创建日期" DATE, "金额" NUMERIC(12, 2), updated_at TIMESTAMP)')


# ---------------------------------------------------------------------------------------------
# The data

PROVINCES = {"浙江": ["杭州", "宁波", "温州"], "广东": ["广州", "深圳", "东莞"], "江苏": ["南京", "苏州", "无锡"],
             "北京": ["北京"], "上海": ["上海"], "四川": ["成都", "绵阳"], "山东": ["济南", "青岛"],
             "湖北": ["武汉", "宜昌"], "辽宁": ["沈阳", "大连"], "福建": ["福州", "厦门"]}
INDUSTRIES = {"科技": ["科技", "软件", "信息技术", "网络"], "制造": ["制造", "机械", "重工", "电子"],
              "零售": ["贸易", "商贸", "百货"], "物流": ["物流", "供应链", "运输"], "医疗": ["医疗器械", "生物科技"],
              "教育": ["教育科技", "培训"], "金融": ["投资", "融资租赁"]}
BRAND = "华信东海南方北辰天府金诚恒达鼎盛宏远瑞丰新世纪长城中联嘉禾永安博雅启明星辰汇通"
SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司", "集团"]
DOMAINS = ["163.com", "qq.com", "126.com", "sina.com", "company.cn", "outlook.com"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def customers(rows: int, seed: int = 7) -> dict[str, list]:
    """The customers table as column lists of Python values (None: an empty cell)."""
    rng = random.Random(seed)
    provinces = list(PROVINCES)
    industries = list(INDUSTRIES)
    start = dt.date(2015, 1, 1)
    t0 = dt.datetime(2024, 1, 1)
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    for i in range(rows):
        province = rng.choice(provinces)
        industry = rng.choice(industries)
        brand = "".join(rng.sample(BRAND, 2))
        name = f"{rng.choice(PROVINCES[province])}{brand}{rng.choice(INDUSTRIES[industry])}{rng.choice(SUFFIXES)}"
        if rng.random() < 0.05:
            name = f"{brand}{rng.choice(INDUSTRIES[industry])}({rng.choice(PROVINCES[province])}){rng.choice(SUFFIXES)}"
        mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        phone = rng.choice([mobile, mobile, f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", f"+86-{mobile}",
                            f"0{rng.randrange(10, 999)}-{rng.randrange(10**7, 10**8)}",
                            f"0{rng.randrange(10, 99)} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"])
        columns["id"].append(100_000 + i)
        columns["客户名称"].append(name if rng.random() > 0.01 else None)
        columns["联系电话"].append(phone if rng.random() > 0.05 else None)
        columns["邮箱"].append(None if rng.random() < 0.3 else
                             f"{''.join(rng.choices(LETTERS, k=rng.randrange(3, 10)))}{rng.randrange(100)}"
                             f"@{rng.choice(DOMAINS)}")
        columns["省份"].append(province)
        columns["行业"].append(industry if rng.random() > 0.03 else None)
        columns["创建日期"].append(start + dt.timedelta(days=rng.randrange(3650)))
        cents = int(rng.lognormvariate(11, 1.2))
        if rng.random() < 0.4:   # whole yuan: 100.00
            cents -= cents % 100
        columns["金额"].append(None if rng.random() < 0.02 else Decimal(min(cents, 10**12 - 1)).scaleb(-2))
        stamp = t0 + dt.timedelta(seconds=rng.randrange(2 * 365 * 86400), microseconds=rng.randrange(10**6))
        columns["updated_at"].append(stamp.replace(hour=0, minute=0, second=0, microsecond=0)
                                     if rng.random() < 0.05 else stamp)   # a batch import's midnight
    return columns


def arrow_table(columns: dict[str, list]):
    import pyarrow as pa

    types = {"id": pa.int32(), "创建日期": pa.date32(), "金额": pa.decimal128(12, 2), "updated_at": pa.timestamp("us")}
    return pa.table({name: pa.array(values, types.get(name, pa.string())) for name, values in columns.items()})


def fill_postgres(url: str, table) -> None:
    """COPY the table in as CSV (psycopg's copy; PostgreSQL reads an unquoted empty field as NULL)."""
    import psycopg
    import pyarrow.csv as pcsv
    import sqlalchemy as sa

    buffer = io.BytesIO()
    pcsv.write_csv(table, buffer, pcsv.WriteOptions(include_header=False))
    u = sa.engine.make_url(url)
    with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=True) as db:
        db.execute(f"DROP TABLE IF EXISTS {TABLE}")
        db.execute(DDL)
        with db.cursor() as cursor, cursor.copy(f"COPY {TABLE} FROM STDIN (FORMAT csv)") as copy:
            view = buffer.getbuffer()
            for start in range(0, len(view), 1 << 20):
                copy.write(view[start:start + (1 << 20)])
        db.execute(f"VACUUM ANALYZE {TABLE}")


def fill_sqlite(path: Path, columns: dict[str, list]) -> None:
    """executemany, values as SQLAlchemy stores them in SQLite (dates and times as ISO text)."""
    import sqlite3

    path.unlink(missing_ok=True)
    rows = zip(columns["id"], columns["客户名称"], columns["联系电话"], columns["邮箱"], columns["省份"], columns["行业"],
               [d.isoformat() for d in columns["创建日期"]],
               [None if a is None else str(a) for a in columns["金额"]],
               [t.isoformat(sep=" ", timespec="microseconds") for t in columns["updated_at"]])
    with sqlite3.connect(path) as db:
        db.execute(DDL)
        db.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.close()


def fill_duckdb(path: Path, table) -> None:
    """DuckDB's native insert from the Arrow table."""
    import duckdb

    path.unlink(missing_ok=True)
    db = duckdb.connect(str(path))
    db.register("source_rows", table)
    db.execute(DDL)
    db.execute(f"INSERT INTO {TABLE} SELECT * FROM source_rows")
    db.close()


# ---------------------------------------------------------------------------------------------
# The readers (each run in a child process: --child METHOD)

def read_custreport(url: str):
    from custreport import config
    from custreport.ingest import read_sql

    os.environ[URL_ENV] = url
    spec = config.SourceSpec(name="bench_customers", type="sql", url_env=URL_ENV, db_table=TABLE, key=["id"],
                             table="customers")
    table, _, _ = read_sql.read_database(spec)
    return table


def read_pandas(url: str):
    import pandas as pd
    import pyarrow as pa
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        frame = pd.read_sql(sa.text(QUERY), connection)
    engine.dispose()
    return pa.Table.from_pandas(frame, preserve_index=False)


def plain_url(url: str) -> str:
    """postgresql+psycopg://... -> postgresql://... (libpq's form, for connectorx and ADBC)."""
    return "postgresql://" + url.split("://", 1)[1]


def read_connectorx(url: str):
    import connectorx

    return connectorx.read_sql(plain_url(url), QUERY, return_type="arrow")


def read_adbc(url: str):
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect(plain_url(url)) as connection, connection.cursor() as cursor:
        cursor.execute(QUERY)
        return cursor.fetch_arrow_table()


def read_duckdb_arrow(url: str):
    """DuckDB's own Arrow export (duckdb is already what custreport reads DuckDB files with)."""
    import duckdb
    import sqlalchemy as sa

    with duckdb.connect(sa.engine.make_url(url).database, read_only=True) as db:
        return db.execute(QUERY).to_arrow_table()


def read_copy(url: str):
    """psycopg alone (already custreport's driver): the rows as PostgreSQL's CSV (COPY ... TO
    STDOUT), parsed by pyarrow as text; TIMESTAMP and BOOLEAN columns then typed, NUMERIC ones
    left as PostgreSQL's text of them (named in the field's metadata, as ADBC does)."""
    import psycopg
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import sqlalchemy as sa

    u = sa.engine.make_url(url)
    buffer = io.BytesIO()
    with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database) as db:
        db.execute("SET DateStyle TO ISO")
        with db.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({QUERY}) AS q LIMIT 0")
            kinds = {column.name: db.adapters.types.get(column.type_code) for column in cursor.description}
            with cursor.copy(f"COPY ({QUERY}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
    names = list(kinds)
    # An unquoted empty field is NULL, a quoted one an empty text.
    table = pcsv.read_csv(pa.BufferReader(buffer.getbuffer()), pcsv.ReadOptions(column_names=names),
                          convert_options=pcsv.ConvertOptions(column_types={name: pa.string() for name in names},
                                                              strings_can_be_null=True))
    fields, columns = [], []
    for name, column in zip(names, table.columns):
        kind = kinds[name].name if kinds[name] else ""
        metadata = {b"ADBC:postgresql:typname": b"numeric"} if kind == "numeric" else None
        if kind == "timestamp":
            column = column.cast(pa.timestamp("us"))
        elif kind == "bool":
            column = pa.compute.equal(column, "t")
        fields.append(pa.field(name, column.type, metadata=metadata))
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def as_extract(table, key: list[str]):
    """An Arrow table of typed columns as custreport's extract: every cell as raw_sheet.cell_text
    writes it (vectorised for the usual types, cell by cell for the rest), then the key column.
    A prototype of what read_sql could do with a driver that returns Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from custreport.ingest.raw_sheet import cell_text, made_unique
    from custreport.ingest.read_sql import KEY_COLUMN

    def decimal_text(out):   # 1234.50 -> 1234.5, 100.00 -> 100, NaN -> "" (as cell_text)
        out = pc.replace_substring_regex(pc.replace_substring_regex(out, r"(\.\d*?)0+$", r"\1"), r"\.$", "")
        return pc.if_else(pc.is_in(out, pa.array(["NaN", "Infinity", "-Infinity"])), "", out)

    def text(column, field):
        kind = column.type
        if isinstance(kind, pa.BaseExtensionType):   # ADBC's NUMERIC: its text, as PostgreSQL writes it
            column, kind = pa.chunked_array([chunk.storage for chunk in column.chunks], kind.storage_type), \
                kind.storage_type
        numeric = (field.metadata or {}).get(b"ADBC:postgresql:typname") == b"numeric"
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            out = column.cast(pa.string())
            out = decimal_text(out) if numeric else out
        elif pa.types.is_integer(kind) or pa.types.is_date32(kind):
            out = column.cast(pa.string())
        elif pa.types.is_boolean(kind):
            out = pc.if_else(column, "TRUE", "FALSE")
        elif pa.types.is_decimal(kind):
            out = column.cast(pa.string())
            out = decimal_text(out) if kind.scale > 0 else out
        elif pa.types.is_timestamp(kind) and kind.tz is None:   # isoformat(sep=" ")
            out = column.cast(pa.timestamp("us"), safe=False).cast(pa.string())
            # cell_text: no zero microseconds, and a midnight is a day
            out = pc.replace_substring_regex(out, r"\.000000$", "")
            out = pc.replace_substring_regex(out, r" 00:00:00$", "")
        else:
            return pa.array([cell_text(value) for value in column.to_pylist()], pa.string())
        return pc.fill_null(out, "")

    table = table.combine_chunks()
    headers = made_unique([str(name) for name in table.column_names])
    fields = {field.name: field for field in table.schema}
    arrays = {header: text(table.column(name), fields[name]) for header, name in zip(headers, table.column_names)}
    parts = []
    for i, name in enumerate(key):
        value = pc.binary_join_element_wise(f"{name}=", text(table.column(name), fields[name]), "")
        part = pc.if_else(pc.is_null(table.column(name)), f"{name}=NULL", value)
        parts += [", ", part] if i else [part]
    arrays[KEY_COLUMN] = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "")
    return pa.table(arrays)


def breakdown(url: str) -> dict:
    """read_sql._fetch's steps on their own, timed: fetch, text by column, Arrow table (keep in step with it)."""
    import pyarrow as pa
    import sqlalchemy as sa
    from custreport import config
    from custreport.ingest.read_sql import (
        FETCH_ROWS,
        KEY_COLUMN,
        _engine,
        _key_text,
        column_text,
    )

    spec = config.SourceSpec(name="bench_customers", type="sql", url_env=URL_ENV, db_table=TABLE, key=["id"],
                             table="customers")
    engine = _engine(spec, sa.engine.make_url(url))
    started = time.perf_counter()
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(sa.text(QUERY))
        names = list(result.keys())
        parts = list(result.partitions(FETCH_ROWS))
    fetched = time.perf_counter()
    chunks: list[list] = [[] for _ in names]
    keys = []
    for part in parts:
        values = list(zip(*part))
        texts = [column_text(column) for column in values]
        for chunk, text in zip(chunks, texts):
            chunk.append(text)
        keys.append(_key_text([("id", texts[0], values[0])]))
    converted = time.perf_counter()
    arrays = {name: pa.chunked_array(chunk, pa.string()) for name, chunk in zip(names, chunks)}
    arrays[KEY_COLUMN] = pa.chunked_array(keys, pa.string())
    rows = pa.table(arrays).num_rows
    built = time.perf_counter()
    engine.dispose()
    return {"fetch": fetched - started, "cell_text": converted - fetched, "arrow": built - converted, "rows": rows}


READERS = {"custreport": read_custreport, "pandas": read_pandas, "connectorx": read_connectorx, "adbc": read_adbc,
           "adbc+text": lambda url: as_extract(read_adbc(url), ["id"]),
           "connectorx+text": lambda url: as_extract(read_connectorx(url), ["id"]),
           "copy+text": lambda url: as_extract(read_copy(url), ["id"]),
           "duckdb-arrow+text": lambda url: as_extract(read_duckdb_arrow(url), ["id"])}
NEEDS = {"connectorx": "connectorx", "adbc": "adbc_driver_postgresql.dbapi", "adbc+text": "adbc_driver_postgresql.dbapi",
         "connectorx+text": "connectorx"}


def high_water_mark() -> int:
    """This process's peak resident memory in bytes (VmHWM; not ru_maxrss, which execve keeps
    from the process that started this one, here the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import psutil

    return psutil.Process().memory_info().rss


def reset_high_water_mark() -> bool:
    """Start VmHWM again from the current RSS (Linux >= 4.0), so the next peak is the read's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def child(method: str, url: str) -> None:
    """One measurement, printed as a JSON line: seconds, rows, peak RSS and its growth in the read."""
    import importlib
    import importlib.util

    import psutil
    import pyarrow
    import sqlalchemy
    from custreport.ingest import read_sql

    for module in ("psycopg", "pandas", "duckdb_engine" if url.startswith("duckdb") else "", NEEDS.get(method, "")):
        if module:
            importlib.import_module(module)
    before = high_water_mark()
    base = psutil.Process().memory_info().rss
    reset = reset_high_water_mark()
    if method == "breakdown":
        figures = breakdown(url)
    elif method == "check":
        ours = read_custreport(url).replace_schema_metadata(None)
        figures = {"rows": ours.num_rows}
        for method in (("duckdb-arrow+text",) if url.startswith("duckdb") else
                       ("copy+text", "adbc+text", "connectorx+text")):
            if method in NEEDS and importlib.util.find_spec(NEEDS[method].split(".")[0]) is None:
                continue
            fast = READERS[method](url)
            differing = [name for name in ours.column_names if name not in fast.column_names
                         or not ours.column(name).equals(fast.column(name))]
            figures[method] = differing if differing or ours.column_names != fast.column_names else "same"
    else:
        started = time.perf_counter()
        table = READERS[method](url)
        figures = {"seconds": time.perf_counter() - started, "rows": table.num_rows}
    during = high_water_mark()
    figures.update(peak_mb=max(before, during) / 1e6, growth_mb=(during - base) / 1e6, reset=reset)
    print(json.dumps(figures))


# ---------------------------------------------------------------------------------------------
# The parent: databases, runs, table

def measure(method: str, url: str, repeat: int, extra: Path | None) -> dict:
    """The median of ``repeat`` runs of one reader, each in a fresh interpreter."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", method, "--url", url]
    if extra:
        command += ["--extra-path", str(extra)]
    runs = []
    for _ in range(repeat):
        result = subprocess.run(command, capture_output=True, text=True, cwd=HERE)
        if result.returncode != 0:
            return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1][:160]}
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    keys = [key for key, value in runs[0].items() if isinstance(value, (int, float)) and not isinstance(value, bool)]
    return {**runs[0], **{key: statistics.median(run[key] for run in runs) for key in keys}}


def importable(module: str, extra: Path | None) -> bool:
    code = (f"import sys; sys.path.append({str(extra)!r}); " if extra else "") + f"import {module}"
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def row(label: str, database: str, figures: dict | None, baseline: float | None, note: str = "") -> str:
    if figures is None or "seconds" not in figures:
        why = note or (figures or {}).get("error", "not installed")
        return f"| {label} | {database} | – | – | – | – | – | {why} |"
    seconds = figures["seconds"]
    speed = f"{baseline / seconds:.1f}x" if baseline else ""
    return (f"| {label} | {database} | {figures['rows']:,} | {seconds:.2f} | {figures['rows'] / seconds:,.0f} | "
            f"{figures['peak_mb']:.0f} | {figures['growth_mb']:.0f} | {speed}{'; ' + note if note else ''} |")


def say(text: str) -> None:
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", action="store_true",
                        help="add --extra-path (connectorx, ADBC installed there) to sys.path")
    parser.add_argument("--extra-path", type=Path, default=EXTRA_PATH)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.extra_path and "--extra-path" in sys.argv:
            sys.path.append(str(args.extra_path))
        child(args.child, args.url)
        return

    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(PROJECT / "tests"))
    from bench_scale import code_version, machine
    from postgres_server import throwaway_postgres

    started = time.perf_counter()
    code = code_version()
    extra = args.extra_path if args.compare else None
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    clock = time.perf_counter()
    columns = customers(args.rows)
    table = arrow_table(columns)
    say(f"{args.rows:,} rows generated in {time.perf_counter() - clock:.1f} s")
    fills, results = {}, {}
    with throwaway_postgres(WORK) as postgres:
        urls = {"PostgreSQL": postgres, "SQLite": f"sqlite:///{WORK / 'customers.sqlite'}",
                "DuckDB": f"duckdb:///{WORK / 'customers.duckdb'}"}
        for database, fill in (("PostgreSQL", lambda: fill_postgres(postgres, table)),
                               ("SQLite", lambda: fill_sqlite(WORK / "customers.sqlite", columns)),
                               ("DuckDB", lambda: fill_duckdb(WORK / "customers.duckdb", table))):
            clock = time.perf_counter()
            fill()
            fills[database] = time.perf_counter() - clock
            say(f"{database}: filled in {fills[database]:.1f} s")
        del columns, table
        for database, url in urls.items():
            results[("custreport", database)] = measure("custreport", url, args.repeat, extra)
            say(f"custreport read_database, {database}: {results[('custreport', database)]}")
        results["breakdown"] = measure("breakdown", postgres, args.repeat, extra)
        say(f"custreport's steps, PostgreSQL: {results['breakdown']}")
        for method in ("pandas", "connectorx", "adbc", "copy+text", "connectorx+text", "adbc+text"):
            if method in NEEDS and not importable(NEEDS[method], extra):
                results[method] = None
            else:
                results[method] = measure(method, postgres, args.repeat, extra)
            say(f"{method}, PostgreSQL: {results[method]}")
        results["duckdb-arrow+text"] = measure("duckdb-arrow+text", urls["DuckDB"], args.repeat, extra)
        say(f"duckdb-arrow+text, DuckDB: {results['duckdb-arrow+text']}")
        results["check"] = {**measure("check", postgres, 1, extra), **measure("check", urls["DuckDB"], 1, extra)}
        say(f"extracts compared with custreport's: {results['check']}")

    ours = results[("custreport", "PostgreSQL")].get("seconds")
    steps, check = results["breakdown"], results["check"]
    missing = "not installed" + ("" if args.compare else " (see --compare)")

    def compared(method: str) -> str:
        if results[method] is None:
            return missing
        verdict = check.get(method, check.get("error", "not compared"))
        return ("same extract as custreport's" if verdict == "same" else
                f"**differs** from custreport's in {verdict}" if isinstance(verdict, list) else verdict)

    lines = [
        "| read | database | rows | seconds | rows/s | peak RSS (MB) | RSS growth in the read (MB) | "
        "vs custreport on that database |",
        "|---|---|---:|---:|---:|---:|---:|---|",
        *[row("custreport read_database (SQLAlchemy, text extract)", database,
              results[("custreport", database)], None) for database in urls],
        *([f"| of which: {label} | PostgreSQL | | {steps[key]:.2f} | | | | |" for label, key in (
            ("fetch rows (SQLAlchemy + psycopg, server-side cursor)", "fetch"),
            ("text by column (Arrow casts; cell_text for the rest), and the key", "cell_text"),
            ("Arrow table from the text chunks", "arrow"))]
          if "fetch" in steps else [f"| of which | PostgreSQL | | | | | | {steps.get('error', '')} |"]),
        row("pandas.read_sql (SQLAlchemy + psycopg) + Table.from_pandas, typed", "PostgreSQL", results["pandas"], ours),
        row("connectorx.read_sql(return_type='arrow'), typed", "PostgreSQL", results["connectorx"], ours,
            "" if results["connectorx"] is not None else missing),
        row("ADBC cursor.fetch_arrow_table(), typed", "PostgreSQL", results["adbc"], ours,
            "" if results["adbc"] is not None else missing),
        row("psycopg COPY TO STDOUT csv + pyarrow.csv, text extract", "PostgreSQL", results["copy+text"], ours,
            compared("copy+text")),
        row("connectorx + vectorised text extract", "PostgreSQL", results["connectorx+text"], ours,
            compared("connectorx+text")),
        row("ADBC + vectorised text extract", "PostgreSQL", results["adbc+text"], ours, compared("adbc+text")),
        row("DuckDB's to_arrow_table + vectorised text extract", "DuckDB", results["duckdb-arrow+text"],
            results[("custreport", "DuckDB")].get("seconds"), compared("duckdb-arrow+text")),
    ]
    text = (f"# Database sources: custreport's read against the Arrow readers\n\n{machine(code)}\n\n"
            f"`cd benchmarks && ../.venv/bin/python bench_sql.py --rows {args.rows}"
            f"{' --compare' if args.compare else ''}`, {time.perf_counter() - started:.0f} s in all.\n\n"
            f"A customers table of {args.rows:,} rows (9 columns: integer id, Chinese company name, phone, e-mail, "
            "province, industry, DATE, NUMERIC(12,2), TIMESTAMP), filled in "
            + ", ".join(f"{database} {seconds:.1f} s" for database, seconds in fills.items())
            + f". Median of {args.repeat} runs, each in a fresh interpreter; seconds from connecting to the finished "
            "Arrow table; peak RSS of that interpreter (imports included), and its growth during the read.\n\n"
            + "\n".join(lines) + "\n\n"
            "custreport's extract holds every cell as text (raw_sheet.cell_text) plus a key column; the typed rows "
            "are the same table as the database's types, not yet text. The text extracts are the prototype in "
            "bench_sql.as_extract (Arrow compute casts, cell_text's rules), compared column by column with "
            "custreport's own extract of the same table.\n")
    say("\n" + text)
    args.out.write_text(text, encoding="utf-8")
    say(f"written to {args.out}")


if __name__ == "__main__":
    main()
