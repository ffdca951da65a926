"""The files the demo writes: their names, CSV writing in each source's dialect, and an xlsx made byte-stable."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


CRM_FILE = "crm_accounts.csv"
WORKBOOK_FILE = "客户管理表.xlsx"
ORDERS_FILE = "orders.csv"
DEALS_FILE = "deals.csv"
REPS_FILE = "reps.csv"
SERVICE_FILE = "服务记录.csv"
TRUTH_CUSTOMER_ROWS = "_truth/customer_rows.csv"
TRUTH_ORDER_ROWS = "_truth/order_rows.csv"
TRUTH_DEAL_ROWS = "_truth/deal_rows.csv"
TRUTH_SERVICE_ROWS = "_truth/service_rows.csv"
TRUTH_ENTITIES = "_truth/entities.csv"
TRUTH_README = "_truth/README.md"

#: Every data file :func:`generate` writes, relative to ``out_dir``.
FILE_NAMES = (
    CRM_FILE,
    WORKBOOK_FILE,
    ORDERS_FILE,
    DEALS_FILE,
    REPS_FILE,
    SERVICE_FILE,
    TRUTH_CUSTOMER_ROWS,
    TRUTH_ORDER_ROWS,
    TRUTH_DEAL_ROWS,
    TRUTH_SERVICE_ROWS,
    TRUTH_ENTITIES,
)


def _int_text(values: np.ndarray) -> np.ndarray:
    """Integers as an object array of decimal strings."""
    return np.array(list(map(str, values.tolist())), dtype=object)


def _csv_text(columns: Sequence[Sequence[str] | np.ndarray], *, quote_all: bool, newline: str) -> str:
    """Render equally long string columns as CSV lines (RFC 4180 quoting)."""
    fields = []
    for column in columns:
        values = column.tolist() if isinstance(column, np.ndarray) else list(column)
        # One scan of the whole column spares a per-value check in the common case.
        joined = "\x00".join(values)
        has_quote = '"' in joined
        if quote_all:
            if has_quote:
                values = ['"' + v.replace('"', '""') + '"' for v in values]
            else:
                values = ['"' + v + '"' for v in values]
        elif _NEEDS_QUOTES.search(joined):
            values = ['"' + v.replace('"', '""') + '"' if _NEEDS_QUOTES.search(v) else v for v in values]
        fields.append(values)
    if not fields or not fields[0]:
        return ""
    return newline.join(map(",".join, zip(*fields))) + newline


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


@dataclass(frozen=True)
class _CsvStyle:
    encoding: str = "utf-8"
    bom: bool = False
    quote_all: bool = False
    newline: str = "\n"


_PLAIN = _CsvStyle()


class _CsvWriter:
    """Append-only CSV file written in column blocks."""

    def __init__(self, path: Path, header: Sequence[str], style: _CsvStyle = _PLAIN, title: str = ""):
        self.style = style
        self.rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("wb")
        if style.bom:
            self._file.write("\ufeff".encode(style.encoding))
        if title:
            self._write([[title]])
        self._write([[h] for h in header])

    def _write(self, columns: Sequence[Sequence[str] | np.ndarray]) -> None:
        text = _csv_text(columns, quote_all=self.style.quote_all, newline=self.style.newline)
        self._file.write(text.encode(self.style.encoding))

    def append(self, columns: Sequence[Sequence[str] | np.ndarray]) -> None:
        self._write(columns)
        self.rows += len(columns[0])

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> _CsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_csv(path: Path, header: Sequence[str], columns: Sequence, style: _CsvStyle = _PLAIN,
               title: str = "") -> int:
    with _CsvWriter(path, header, style, title) as writer:
        writer.append(columns)
        return writer.rows


_FIXED_TIMESTAMP = dt.datetime(2025, 12, 31, 18, 0, 0)


def _freeze_zip_metadata(path: Path) -> None:
    """Rewrite an xlsx with fixed timestamps so identical content gives identical bytes."""
    stamp = _FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            if info.filename == "docProps/core.xml":
                xml = src.read(info).decode("utf-8")
                xml = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rf"\g<1>{stamp}", xml)
                dst.writestr(fixed, xml.encode("utf-8"))
                continue
            with src.open(info) as fin, dst.open(fixed, "w", force_zip64=True) as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)
    tmp.replace(path)
