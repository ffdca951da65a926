"""`custreport export customers`: the golden customer records with their stable ids, and every
raw customer row with the id it became, as CSV, an XLSX workbook, or tables in a database.

Values are written as stored, contacts unmasked: the export goes back into the company's own
CRM. (The CSV therefore quotes nothing for Excel: a phone is ``+8613812345678``, not
``'+86...``. Open it in Excel through Data > From Text, or export XLSX, whose text cells are
never run as formulas.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from custreport import store
from custreport.customer_records import customer_sources, golden_records, source_rows
from custreport.errors import UserError, first_line

FORMATS = ("csv", "xlsx", "database")
CUSTOMERS_FILE = "customers"
SOURCE_ROWS_FILE = "customer_source_rows"


@dataclass
class CustomerExport:
    """What an export wrote: where, and how many customers and source rows."""

    written: list[str]
    customers: int
    source_rows: int


def export_frames(snapshot: store.Snapshot) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(golden records, source rows) of a snapshot (customer_records)."""
    sources = customer_sources(store.read_side_table(snapshot, "accounting"))
    lineage = store.read_side_table(snapshot, "lineage")
    customers = store.read_table(snapshot, "customers")
    return (golden_records(customers, lineage, sources),
            source_rows(lineage, store.read_side_table(snapshot, "quarantine"), sources))


def export_customers(snapshot: store.Snapshot, fmt: str, out: Path | None = None, url_env: str | None = None,
                     db_table: str = "custreport_customers") -> CustomerExport:
    """Write the export of ``snapshot``: files in the folder ``out`` (csv, xlsx), or the tables
    ``db_table`` and ``<db_table>_source_rows`` in the database whose URL is in environment
    variable ``url_env`` (database; replaced in one transaction where the database allows)."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}: use {', '.join(FORMATS)}")
    if fmt == "database" and not url_env:
        raise UserError("--format database needs --url-env NAME: the environment variable holding the database's "
                        "connection URL (never the URL itself on the command line)")
    golden, rows = export_frames(snapshot)
    if fmt == "database":
        written = _to_database(golden, rows, url_env, db_table)
    else:
        if out is None:
            raise UserError("--out FOLDER is needed for csv and xlsx exports")
        try:
            Path(out).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"{out}: cannot write the export there: {first_line(exc)}") from None
        written = _to_csv(golden, rows, Path(out)) if fmt == "csv" else _to_xlsx(golden, rows, Path(out), snapshot)
    return CustomerExport(written, len(golden), len(rows))


def _to_csv(golden: pd.DataFrame, rows: pd.DataFrame, out: Path) -> list[str]:
    from custreport.render.csv_download import write_csv

    return [str(write_csv(out / f"{name}.csv", frame, guard_formulas=False))
            for name, frame in ((CUSTOMERS_FILE, golden), (SOURCE_ROWS_FILE, rows))]


def _to_xlsx(golden: pd.DataFrame, rows: pd.DataFrame, out: Path, snapshot: store.Snapshot) -> list[str]:
    from custreport.render.excel import EXCEL_MAX_ROWS, Sheet, write_workbook

    for title, frame in (("customers", golden), ("source rows", rows)):
        if len(frame) >= EXCEL_MAX_ROWS:
            raise UserError(f"{len(frame):,} {title} do not fit an Excel sheet ({EXCEL_MAX_ROWS - 1:,} rows at most): "
                            "export --format csv or --format database")
    target = out / f"{CUSTOMERS_FILE}.xlsx"
    write_workbook(target, [
        Sheet("customers", golden, {"created_at": "yyyy-mm-dd"},
              description=f"golden customer records of snapshot {snapshot.id}"),
        Sheet("source rows", rows, description="every raw customer row and the customer id it became"),
    ], contacts_masked=False)
    return [str(target)]


def _to_database(golden: pd.DataFrame, rows: pd.DataFrame, url_env: str, db_table: str) -> list[str]:
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    from custreport.ingest.read_sql import database_url, shown_url

    url = database_url(url_env, "export")
    tables = [(db_table, golden), (f"{db_table}_source_rows", rows)]
    try:
        engine = sa.create_engine(url, poolclass=NullPool)
        with engine.begin() as connection:
            for name, frame in tables:
                frame.to_sql(name, connection, if_exists="replace", index=False, chunksize=10_000)
        engine.dispose()
    except (sa.exc.SQLAlchemyError, ImportError) as exc:
        detail = first_line(getattr(exc, "orig", None) or exc)
        committed = ("the tables replaced before it stay replaced (MySQL commits each table)"
                     if url.get_backend_name() in ("mysql", "mariadb") else "nothing was committed")
        raise UserError(f"export to {shown_url(url)}: {detail}; {committed}") from None
    return [f"{shown_url(url)} table {name}" for name, _ in tables]
