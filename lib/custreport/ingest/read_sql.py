"""Database sources (``type: sql``): a table or query read through SQLAlchemy into an extract.

An extract is the source's rows as text (every cell as a CSV export of it would read, see
raw_sheet.cell_text) with each row's key, kept as one parquet file per source under the
store's ``extracts/`` folder. Ingest reads the extract like a file, so header recognition,
standardisation, accounting and quarantine are those of files; lineage names the row's key
(``id=42``) instead of a file row.

A source with a ``watermark`` column (``updated_at``) is read in full once; after that only
the rows whose watermark is at or after the last one seen are fetched, with the list of keys
(so rows deleted at the source leave the extract too). ``custreport ingest --full`` reads
every row again.

The extract is written only after a read succeeded, under a temporary name renamed into
place: a bad URL, a missing table or a connection lost mid-read is one line, and nothing is
written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from custreport.config import SourceSpec
from custreport.errors import UserError, first_line
from custreport.files import TEMPORARY_SUFFIX
from custreport.ingest.raw_sheet import RawSheet, cell_text, made_unique

EXTRACTS_FOLDER = "extracts"
KEY_COLUMN = "__custreport_key"
_METADATA = b"custreport"
# Rows fetched per round trip: a server-side cursor keeps a large table out of memory until
# it is text.
FETCH_ROWS = 20_000
# The drivers custreport installs, for URLs that name only the database kind.
_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg",
                    "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}
_FILE_DATABASES = ("sqlite", "duckdb")


@dataclass
class Extract:
    """What reading a database source gave: its extract file, the rows it holds, how many were
    fetched this time and whether only changed rows were."""

    path: Path
    rows: int
    fetched: int
    incremental: bool

    def describe(self, name: str) -> str:
        rows = f"{self.fetched:,} row{'' if self.fetched == 1 else 's'}"
        how = f"{rows} changed since the last read fetched" if self.incremental else f"{rows} read"
        return f"source {name!r}: {how}, {self.rows:,} row{'' if self.rows == 1 else 's'} in all"


def extract_path(folder: Path, spec: SourceSpec) -> Path:
    """Where a database source's extract is kept (a name safe for any file system, unique per source)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", spec.name)[:60]
    return Path(folder) / f"{safe}-{hashlib.sha256(spec.name.encode()).hexdigest()[:8]}.parquet"


def connection_url(spec: SourceSpec):
    """The source's connection URL from the environment variable it names (see database_url)."""
    return database_url(spec.url_env or "", f"source {spec.name!r}")


def database_url(variable: str, who: str):
    """The connection URL in environment variable ``variable`` (the driver filled in for
    postgresql:// and mysql:// URLs); one line starting with ``who`` when it is unset or no URL.

    >>> os.environ["EXAMPLE_DATABASE_URL"] = "postgresql://reader:secret@db.example.com/crm"
    >>> shown_url(database_url("EXAMPLE_DATABASE_URL", "source 'crm'"))
    'postgresql+psycopg://reader:***@db.example.com/crm'
    """
    import sqlalchemy as sa

    value = os.environ.get(variable, "").strip()
    if not value:
        raise UserError(f"{who}: environment variable {variable} is not set; set it to the "
                        f"database's connection URL, e.g. {variable}=postgresql://db.example.com/crm "
                        "(the password in ~/.pgpass, or in the URL: never in params/)")
    try:
        url = sa.engine.make_url(value)
    except (sa.exc.ArgumentError, ValueError):   # ValueError: a port that is no number
        start = f"it starts with {value.split(':', 1)[0]!r}" if ":" in value else "it has no kind:// at its start"
        raise UserError(f"{who}: {variable} is not a database URL ({start}); "
                        "expected kind://user:password@host/database, e.g. postgresql://db.example.com/crm, "
                        "sqlite:///data/crm.db or duckdb:///data/crm.duckdb") from None
    driver = _DEFAULT_DRIVERS.get(url.drivername)
    return url.set(drivername=driver) if driver else url


def shown_url(url) -> str:
    """A URL as error lines and logs show it: kind, user, host and database, never a password
    (nor the query string, which may carry one: ?password=..., ?passwd=...).

    >>> import sqlalchemy as sa
    >>> shown_url(sa.engine.make_url("postgresql://reader:s3cret@db/crm?password=s3cret&sslmode=require"))
    'postgresql://reader:***@db/crm'
    """
    # A password holding an unescaped @ leaves part of it in the host: keep what follows the last @.
    host = url.host.rsplit("@", 1)[-1] if url.host else url.host
    return url.set(query={}, host=host).render_as_string(hide_password=True)


def read_database(spec: SourceSpec, previous: Path | None = None, full: bool = False) -> tuple[pa.Table, int, bool]:
    """The source's rows as an extract table (text columns, then the key), the rows fetched,
    and whether only changed rows were fetched (``previous``: the last extract, used when the
    source has a watermark and reads the same way as then, unless ``full``)."""
    import sqlalchemy as sa

    url = connection_url(spec)
    engine = _engine(spec, url)
    where = f"source {spec.name!r} ({shown_url(url)})"
    recipe = _recipe(spec)
    last = _metadata(previous) if previous is not None and previous.is_file() and not full else {}
    incremental = bool(spec.watermark) and last.get("recipe") == recipe and "watermark" in last
    try:
        with engine.connect() as connection:
            select, keys = _statements(spec, engine.dialect)
            if incremental and url.get_backend_name() in ("postgresql", "mysql", "mariadb"):
                # The changed rows and the list of keys from one snapshot of the database: a row
                # added between the two statements would otherwise look like one missed.
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            if incremental:
                since = _from_json(last["watermark"])
                # Rows without a watermark cannot say whether they changed: they are read every time.
                watermark = _quoted(engine.dialect, spec.watermark)
                changed, fetched, mark = _fetch(connection, f"{select} WHERE {watermark} >= :since OR {watermark} IS "
                                                            f"NULL ORDER BY {keys}", {"since": since}, spec)
                present = _fetch_keys(connection, f"SELECT {keys} FROM {_from(spec, engine.dialect)} "
                                                  f"ORDER BY {keys}", spec)
                table = _merged(pq.read_table(previous), changed, present, where)
                mark = _later(since, mark)
            else:
                table, fetched, mark = _fetch(connection, f"{select} ORDER BY {keys}", {}, spec)
    except UserError:
        raise
    except sa.exc.DBAPIError as exc:
        raise UserError(f"{where}: {_database_error(exc, spec)}; nothing was written") from None
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(f"{where}: {first_line(exc)}; nothing was written") from None
    finally:
        engine.dispose()
    _check_keys(table, spec, where)
    metadata = {"recipe": recipe}
    if spec.watermark and mark is not None:
        metadata["watermark"] = _to_json(mark)
    return table.replace_schema_metadata({_METADATA: json.dumps(metadata).encode()}), fetched, incremental


def refresh_extract(spec: SourceSpec, folder: Path, full: bool = False) -> Extract:
    """Read a database source and keep its rows as the extract in ``folder`` (rewritten only when
    they changed: an unchanged extract keeps its file, so its hash is known)."""
    target = extract_path(folder, spec)
    return _kept(target, *read_database(spec, target, full))


def _kept(target: Path, table: pa.Table, fetched: int, incremental: bool) -> Extract:
    if not (target.is_file() and _same_extract(target, table)):
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}{TEMPORARY_SUFFIX}")
        pq.write_table(table, temporary, compression="zstd")
        os.replace(temporary, target)
    return Extract(target, table.num_rows, fetched, incremental)


def refresh_extracts(specs: list[SourceSpec], folder: Path | None, full: bool = False) -> dict[str, Extract]:
    """refresh_extract of every database source of ``specs`` (``folder`` None: a temporary
    folder, removed at exit, for a dry run that writes nothing into the store)."""
    database = [spec for spec in specs if spec.type == "sql"]
    if not database:
        return {}
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="custreport-extracts-"))
        import atexit
        import shutil

        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    # Every source is read before any extract is written: a failure leaves all as they were.
    read = {}
    for spec in database:
        target = extract_path(Path(folder) / EXTRACTS_FOLDER, spec)
        read[spec.name] = (target, *read_database(spec, target, full))
    return {name: _kept(target, table, fetched, incremental) for name, (target, table, fetched, incremental) in
            read.items()}


def read_extract(path: Path, spec: SourceSpec) -> RawSheet:
    """A database source's extract as the sheet ingest prepares: its columns as headers, row
    numbers counting its rows in key order, and each row's key."""
    table = pq.read_table(path)
    names = [name for name in table.column_names if name != KEY_COLUMN]
    frame = pd.DataFrame({name: table.column(name).to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
                          for name in names})
    keys = table.column(KEY_COLUMN).to_numpy(zero_copy_only=False)
    shown = Path(spec.db_table or "query")
    return RawSheet(shown, None, names, frame, np.arange(1, len(frame) + 1, dtype=np.int64), rows_above_header=0,
                    row_keys=keys)


def _engine(spec: SourceSpec, url):
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    arguments: dict = {}
    backend = url.get_backend_name()
    if backend in _FILE_DATABASES:
        database = url.database or ""
        if not database or database == ":memory:" or not Path(database).is_file():
            raise UserError(f"source {spec.name!r}: database file {database or '(none)'!r} not found "
                            f"({spec.url_env}={shown_url(url)}); a relative path is taken from the folder "
                            f"custreport runs in ({Path.cwd()})")
        if backend == "duckdb":
            arguments["read_only"] = True   # never takes the writer's lock, never changes the file
    elif backend in ("postgresql", "mysql", "mariadb"):
        arguments["connect_timeout"] = 15
    if backend == "sqlite":
        # Read-only, so a mistaken path or a write in a query can never change the file.
        path = Path(url.database).resolve()
        return sa.create_engine("sqlite://", poolclass=NullPool, creator=lambda: _sqlite_read_only(path))
    try:
        return sa.create_engine(url, poolclass=NullPool, connect_args=arguments)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise UserError(f"source {spec.name!r}: cannot use {shown_url(url)}: {first_line(exc)}; custreport reads "
                        "postgresql, mysql, mariadb, sqlite and duckdb URLs") from None


def _sqlite_read_only(path: Path):
    import sqlite3
    from urllib.parse import quote

    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)


def _recipe(spec: SourceSpec) -> str:
    """What decides which rows an extract holds: a changed table, query or key is read in full."""
    # Hashed: the URL may hold a password, and the extract is a file on disk.
    url = os.environ.get(spec.url_env or "", "")
    try:   # the URL without its password: the hash is kept on disk, and must not let one guess it
        import sqlalchemy as sa

        url = shown_url(sa.engine.make_url(url))
    except (ValueError, sa.exc.ArgumentError):
        url = ""
    described = json.dumps([spec.url_env, url, spec.db_table, spec.query, spec.key, spec.watermark],
                           ensure_ascii=False)
    return hashlib.sha256(described.encode()).hexdigest()


def _quoted(dialect, name: str) -> str:
    return dialect.identifier_preparer.quote(name)


def _from(spec: SourceSpec, dialect) -> str:
    if spec.db_table:
        return ".".join(_quoted(dialect, part) for part in spec.db_table.split("."))
    return f"({spec.query.strip().rstrip(';')}) AS custreport_source"


def _statements(spec: SourceSpec, dialect) -> tuple[str, str]:
    return f"SELECT * FROM {_from(spec, dialect)}", ", ".join(_quoted(dialect, key) for key in spec.key)


def _fetch(connection, statement: str, parameters: dict, spec: SourceSpec) -> tuple[pa.Table, int, object]:
    """The rows of ``statement`` as an extract table, their count and the largest watermark."""
    import sqlalchemy as sa

    result = connection.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(
        sa.text(statement), parameters)
    names = list(result.keys())
    headers = made_unique([str(name) for name in names])
    missing = [column for column in [*spec.key, *([spec.watermark] if spec.watermark else [])] if column not in names]
    if missing:
        result.close()
        raise UserError(f"source {spec.name!r}: column {missing[0]!r} (named by "
                        f"{'key' if missing[0] in spec.key else 'watermark'}) is not among the columns read: "
                        f"{', '.join(headers)}")
    key_positions = [names.index(key) for key in spec.key]
    mark_position = names.index(spec.watermark) if spec.watermark else None
    # Each round trip's rows become Arrow text at once: a million rows never live as Python strings.
    chunks: list[list[pa.Array]] = [[] for _ in names]
    key_chunks: list[pa.Array] = []
    mark = None
    for part in result.partitions(FETCH_ROWS):
        values = list(zip(*part))
        texts = [column_text(column) for column in values]
        for chunk, text in zip(chunks, texts):
            chunk.append(text)
        empty = sum(value is None for p in key_positions for value in values[p])
        if empty:
            result.close()
            raise UserError(f"source {spec.name!r}: key {', '.join(spec.key)} is empty on {empty:,} rows; name a "
                            "column that every row has with `key:`")
        key_chunks.append(_key_text([(spec.key[i], texts[p], values[p]) for i, p in enumerate(key_positions)]))
        if mark_position is not None:
            marks = [value for value in values[mark_position] if value is not None]
            try:
                mark = _later(mark, max(marks)) if marks else mark
            except TypeError:   # SQLite lets a column mix numbers and text
                result.close()
                raise UserError(f"source {spec.name!r}: watermark column {spec.watermark!r} mixes kinds of values "
                                f"({', '.join(sorted({type(v).__name__ for v in marks}))}); name a column of times "
                                "or numbers only, or leave watermark: out") from None
    arrays = {header: pa.chunked_array(chunk, pa.string()) for header, chunk in zip(headers, chunks)}
    arrays[KEY_COLUMN] = pa.chunked_array(key_chunks, pa.string())
    table = pa.table(arrays)
    return table, table.num_rows, mark


def column_text(values) -> pa.Array:
    """A column of database values as text, each cell as raw_sheet.cell_text writes it: by Arrow
    for columns of one usual type (text, whole numbers, dates, decimals, booleans, timestamps
    without a zone), cell by cell for the rest (floats, mixed types as SQLite allows ...).

    >>> column_text([Decimal("1200.50"), None, Decimal("3.00")]).to_pylist()
    ['1200.5', '', '3']
    >>> column_text([dt.datetime(2024, 3, 5), dt.datetime(2024, 3, 5, 10, 30)]).to_pylist()
    ['2024-03-05', '2024-03-05 10:30:00']
    """
    import pyarrow.compute as pc

    try:
        typed = pa.array(values)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        typed = None
    kind = typed.type if typed is not None else None
    if kind is None:
        return pa.array([cell_text(value) for value in values], pa.string())
    if pa.types.is_null(kind):
        return pa.array([""] * len(typed), pa.string())
    if any(test(kind) for test in (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer,
                                   pa.types.is_date32)):
        out = typed.cast(pa.string())
    elif pa.types.is_boolean(kind):
        out = pc.if_else(typed, "TRUE", "FALSE")
    elif pa.types.is_decimal(kind):
        out = typed.cast(pa.string())
        if kind.scale > 0:   # 1200.50 -> 1200.5, 100.00 -> 100
            out = pc.replace_substring_regex(pc.replace_substring_regex(out, r"(\.\d*?)0+$", r"\1"), r"\.$", "")
    elif pa.types.is_timestamp(kind) and kind.tz is None:
        out = typed.cast(pa.timestamp("us")).cast(pa.string())
        out = pc.replace_substring_regex(out, r"\.000000$", "")   # isoformat leaves out zero microseconds
        out = pc.replace_substring_regex(out, r" 00:00:00$", "")   # and a midnight is a day
    else:
        return pa.array([cell_text(value) for value in values], pa.string())
    return pc.fill_null(out, "")


def _key_text(columns: list[tuple[str, pa.Array, tuple]]) -> pa.Array:
    """Each row's key as text (``id=42``; ``a=1, b=x`` for several columns; ``id=NULL`` when empty)."""
    import pyarrow.compute as pc

    parts = []
    for name, text, values in columns:
        empty = pa.array([value is None for value in values], pa.bool_())
        parts.append(pc.if_else(empty, f"{name}=NULL", pc.binary_join_element_wise(f"{name}=", text, "")))
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, ", ")


def _fetch_keys(connection, statement: str, spec: SourceSpec) -> pa.Array:
    import sqlalchemy as sa

    result = connection.execution_options(stream_results=True, yield_per=FETCH_ROWS * 5).execute(sa.text(statement))
    keys = []
    for part in result.partitions(FETCH_ROWS):
        values = list(zip(*part))   # written as the extract writes them (_fetch)
        keys.append(_key_text([(name, column_text(column), column) for name, column in zip(spec.key, values)]))
    return pa.chunked_array(keys, pa.string()).combine_chunks()


def _merged(previous: pa.Table, changed: pa.Table, present: pa.Array, where: str) -> pa.Table:
    """The last extract with its changed rows replaced and the rows gone from the source dropped,
    in the order of ``present`` (the source's keys, sorted by the database)."""
    import pyarrow.compute as pc

    previous = previous.replace_schema_metadata(None)
    if previous.column_names != changed.column_names:
        raise UserError(f"{where}: its columns changed since the last read ({', '.join(changed.column_names[:-1])}); "
                        "read it in full once: custreport ingest --full")
    kept = previous.filter(pc.invert(pc.is_in(previous[KEY_COLUMN], value_set=changed[KEY_COLUMN])))
    rows = pa.concat_tables([kept, changed])
    order = pc.index_in(present, value_set=rows[KEY_COLUMN])
    if order.null_count:
        # A key present now but in neither the last extract nor the changed rows: a row whose
        # watermark went backwards, or one added while the two statements ran.
        raise UserError(f"{where}: {order.null_count:,} rows have a watermark older than the last read (their "
                        "watermark column is not kept up to date, or rows arrived mid-read); read it in full: "
                        "custreport ingest --full")
    return rows.take(order)


def _check_keys(table: pa.Table, spec: SourceSpec, where: str) -> None:
    import pyarrow.compute as pc

    keys = table[KEY_COLUMN]
    counts = pc.value_counts(keys)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    if len(repeated):
        example = repeated[0]["values"].as_py()
        raise UserError(f"{where}: key {', '.join(spec.key)} does not identify a row: {len(repeated):,} values appear "
                        f"on more than one row (e.g. {example}); name the column(s) that are unique with `key:`")


def _same_extract(path: Path, table: pa.Table) -> bool:
    try:
        before = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return False
    return before.schema.metadata == table.schema.metadata and before.equals(table)


def _metadata(path: Path) -> dict:
    try:
        raw = (pq.read_schema(path).metadata or {}).get(_METADATA)
        return json.loads(raw) if raw else {}
    except (OSError, pa.ArrowException, ValueError):
        return {}


def _later(a, b):
    if a is None:
        return b
    if b is None:
        return a
    try:
        return max(a, b)
    except TypeError:   # e.g. a naive and an aware time: the newer read wins
        return b


def _to_json(value) -> list:
    if isinstance(value, dt.datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, dt.date):
        return ["date", value.isoformat()]
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    if isinstance(value, (int, float, str)):
        return [type(value).__name__, value]
    return ["str", str(value)]


def _from_json(tagged: list):
    kind, value = tagged
    return {"datetime": dt.datetime.fromisoformat, "date": dt.date.fromisoformat, "decimal": Decimal,
            "int": int, "float": float}.get(kind, str)(value)


def _database_error(exc, spec: SourceSpec) -> str:
    """A driver's error in one line, with what to do for the usual ones."""
    text = first_line(exc.orig if getattr(exc, "orig", None) is not None else exc)
    lowered = text.lower()
    if any(words in lowered for words in ("does not exist", "no such table", "doesn't exist", "not found")) and \
            ("relation" in lowered or "table" in lowered):
        thing = f"table {spec.db_table!r}" if spec.db_table else "a table the query reads"
        return f"{thing} not found: {text}"
    if exc.connection_invalidated or any(words in lowered for words in (
            "terminat", "server closed the connection", "connection lost", "lost connection", "broken pipe",
            "connection reset", "connection refused", "could not connect", "timeout", "timed out",
            "can't connect", "name or service not known", "could not translate host")):
        return f"the connection failed or was lost: {text}"
    if "column" in lowered:
        return f"{text} (check the columns `key:` and `watermark:` name, and the query's)"
    return text
