"""Read raw CSV and Excel files into grids of text with user-visible row numbers.

Nothing is interpreted here beyond finding the header: every cell becomes text
(Excel dates as ISO text, whole numbers without ``.0``) so that one set of
standardisers serves CSV and Excel alike. Row numbers are the ones a user sees
when opening the file (Excel row, or CSV record with the header as record 1),
because error messages and quarantine entries must point there.
"""

from __future__ import annotations

from pathlib import Path

from custreport.config import SourceSpec
from custreport.errors import UserError
from custreport.ingest.file_kind import file_kind
from custreport.ingest.headers import ALIASES, check_column_map
from custreport.ingest.raw_sheet import RawSheet
from custreport.ingest.read_csv import read_csv
from custreport.ingest.read_sql import read_extract
from custreport.ingest.read_workbook import read_workbook


def read_source_file(path: Path, spec: SourceSpec) -> list[RawSheet]:
    """Read one file of a source: every chosen sheet of a workbook, or the CSV itself."""
    bad_target = check_column_map(spec.column_map, spec.table)
    if bad_target:
        raise UserError(f"source {spec.name!r}: column_map {bad_target!r} names no {spec.table} column; use one of "
                        f"{', '.join(ALIASES[spec.table])} or x_<name> for an extra")
    if spec.type == "sql":
        return [read_extract(path, spec)]
    if not path.is_file():
        raise UserError(f"{path}: file not found (source {spec.name!r})")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: the file is empty (source {spec.name!r})")
    if file_kind(path) == "workbook":
        return read_workbook(path, spec)
    return [read_csv(path, spec)]
