"""Read a delimited text file (CSV, TSV, whitespace) into a RawSheet: its encoding detected,
its header found, malformed rows set aside with their row numbers, and a quote left open
(which would swallow the rows after it) stopped.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import warnings
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd

from custreport.config import SourceSpec
from custreport.errors import UserError
from custreport.ingest.raw_sheet import HEADER_SEARCH_ROWS, RawSheet, header_row_index, made_unique

_SNIFF_BYTES = 1 << 20


def detect_encoding(path: Path) -> str:
    """Encoding of a text file: BOMs first, then strict UTF-8, then charset detection.

    GBK and GB2312 are reported as GB18030, their superset, so that rare
    characters typed in a GBK file still decode.
    """
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window is still UTF-8.
        if len(head) == _SNIFF_BYTES and exc.start >= len(head) - 3:
            return "utf-8"
    # Cut the sample at a line end: a multi-byte character split at the edge would make
    # every CJK codec look wrong.
    sample = head[:200_000]
    if len(head) > len(sample):
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        raise UserError(f"{path}: cannot tell the text encoding; set `encoding:` for this source "
                        "in params/sources.yaml (e.g. gb18030 or utf-8)")
    encoding = best.encoding.replace("_", "").lower()
    if encoding in ("gbk", "gb2312", "gb18030", "hz", "cp936"):
        return "gb18030"
    return best.encoding


def read_csv(path: Path, spec: SourceSpec) -> RawSheet:
    encoding = detect_encoding(path) if spec.encoding == "auto" else spec.encoding
    whitespace = spec.delimiter in ("whitespace", r"\s+")
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            head_records = _first_records(handle, spec.delimiter, whitespace)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UserError(f"{path}: cannot decode as {encoding}: {exc}; set `encoding:` for source "
                        f"{spec.name!r} in params/sources.yaml") from None
    except csv.Error as exc:
        raise UserError(f"{path}: unreadable CSV near the top of the file ({exc})") from None
    header_index = header_row_index(head_records, spec, where=str(path))
    if spec.columns:
        headers = list(spec.columns)
        skip = 0 if header_index is None else header_index + 1
    else:
        headers = [str(cell).strip() for cell in head_records[header_index]]
        skip = header_index + 1
    unique_headers = made_unique(headers)

    if not whitespace and len(spec.delimiter) == 1:
        frame, bad_lines = _read_csv_arrow(path, encoding, skip, unique_headers, spec.delimiter)
        row_numbers = _row_numbers_skipping(skip + 1, len(frame), sorted(n for n, _ in bad_lines))
        if _line_breaks_in_cells(path, skip + len(frame) + len(bad_lines)):
            _check_no_swallowed_rows(path, frame, row_numbers, spec.delimiter)
        return RawSheet(path, None, headers, frame, row_numbers,
                        rows_above_header=header_index if header_index is not None else 0, unreadable=bad_lines)

    bad_lines: list[tuple[int, str]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                path,
                encoding=encoding,
                sep=r"\s+" if whitespace else spec.delimiter,
                header=None,
                names=unique_headers,
                skiprows=skip,
                dtype="string",
                keep_default_na=False,
                na_values=[],
                skip_blank_lines=False,
                on_bad_lines="warn",
                engine="c",
                encoding_errors="strict",
            )
        except UnicodeDecodeError as exc:
            raise UserError(f"{path}: cannot decode as {encoding} (byte {exc.start}); set `encoding:` "
                            f"for source {spec.name!r} in params/sources.yaml") from None
        except pd.errors.ParserError as exc:
            raise UserError(f"{path}: unreadable CSV: {str(exc).splitlines()[0]}") from None
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame({h: pd.Series(dtype="string") for h in unique_headers})
    for warning in caught:
        for line_no, reason in _bad_line_reports(str(warning.message)):
            bad_lines.append((line_no, reason))

    # pandas counts physical lines; with skipped bad lines the records after them shift.
    bad_set = sorted(n for n, _ in bad_lines)
    first_row = skip + 1
    row_numbers = _row_numbers_skipping(first_row, len(frame), bad_set)
    if not whitespace:
        _check_no_swallowed_rows(path, frame, row_numbers, spec.delimiter)
    return RawSheet(path, None, headers, frame.fillna(""), row_numbers,
                    rows_above_header=header_index if header_index is not None else 0,
                    unreadable=bad_lines)


def _line_breaks_in_cells(path: Path, records: int) -> bool:
    """Whether any record of a delimited file may span lines: the file has more line breaks
    than its ``records`` (header and lines above it included) can account for. Counting
    bytes is a fraction of a second for a gigabyte; searching every cell takes seconds."""
    with path.open("rb") as handle:
        breaks, last = 0, b""
        while chunk := handle.read(1 << 24):
            breaks, last = breaks + chunk.count(b"\n"), chunk[-1:]
    return breaks != (records if last == b"\n" else records - 1)


def _read_csv_arrow(path: Path, encoding: str, skip: int, names: list[str],
                    delimiter: str) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Read a delimited file with pyarrow: about twice as fast and half the memory of
    pandas' C parser for large exports. Malformed rows are set aside, not fatal; their
    line numbers are known only to a single-threaded read, so a file that has any is read
    again that way."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad_lines: list[tuple[int, str]] = []
    swallowing: list[int] = []
    row_like = _swallowed_row(delimiter, len(names))

    def set_aside(row) -> str:
        if row.text and row_like.search(row.text):
            swallowing.append(row.number)  # an unclosed quote ran over the rows after it
        bad_lines.append((row.number, f"expected {row.expected_columns} fields, saw {row.actual_columns}"))
        return "skip"

    arrow_encoding = "utf8" if encoding.replace("-", "").lower() in ("utf8", "utf8sig") else encoding
    try:
        table = _arrow_csv(path, arrow_encoding, skip, names, delimiter, set_aside, use_threads=True)
        if bad_lines:
            bad_lines.clear()
            swallowing.clear()
            table = _arrow_csv(path, arrow_encoding, skip, names, delimiter, set_aside, use_threads=False)
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: cannot decode as {encoding} (byte {exc.start}); set `encoding:` "
                        "for this source in params/sources.yaml") from None
    except pa.ArrowInvalid as exc:
        message = str(exc).splitlines()[0]
        if "Empty CSV file" in message:
            return pd.DataFrame({name: pd.Series(dtype="string") for name in names}), bad_lines
        raise UserError(f"{path}: unreadable as {encoding} CSV: {message}; set `encoding:` or `delimiter:` "
                        "for this source in params/sources.yaml") from None
    if swallowing:
        raise _unclosed_quote(path, swallowing[0])
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    return frame.set_axis(names, axis=1), bad_lines


def _arrow_csv(path: Path, encoding: str, skip: int, names: list[str], delimiter: str, on_invalid,
               use_threads: bool):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, skip_rows=skip, column_names=names,
                                       use_threads=use_threads, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid,
                                         ignore_empty_lines=False, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={name: pa.string() for name in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))


def _check_no_swallowed_rows(path: Path, frame: pd.DataFrame, row_numbers: np.ndarray, delimiter: str) -> None:
    """Stop on a cell that swallowed rows of its own: a quote opened and not closed where it
    should be makes every reader take the lines up to the next quote as one cell, and the
    rows in them would vanish into it (the row count would still add up).

    A swallowed line holds as many delimiters as a row has; a real multi-line cell (an
    address, a note) rarely does.
    """
    if len(delimiter) != 1 or len(frame.columns) < 2:
        return
    row_like = _swallowed_row(delimiter, len(frame.columns)).pattern
    for column in frame.columns:
        values = frame[column]
        multi_line = values.str.contains("\n", regex=False).fillna(False).to_numpy(dtype=bool)
        if not multi_line.any():
            continue
        swallowed = values[multi_line].str.contains(row_like, regex=True).fillna(False).to_numpy(dtype=bool)
        if swallowed.any():
            row = int(row_numbers[np.flatnonzero(multi_line)[np.argmax(swallowed)]])
            raise _unclosed_quote(path, row, f" column {column!r}")


def _swallowed_row(delimiter: str, columns: int) -> re.Pattern:
    """A line break followed by a line with a row's worth of delimiters."""
    return re.compile(rf"\n(?:[^\n]*{re.escape(delimiter)}){{{max(columns - 1, 1)}}}")


def _unclosed_quote(path: Path, row: int, column: str = "") -> UserError:
    return UserError(f"{path} row {row}{column}: a quote (\") in this row is not closed where the cell ends, so "
                     "the rows after it read as part of it; close or remove the quote")


def _row_numbers_skipping(first_row: int, count: int, skipped: list[int]) -> np.ndarray:
    numbers = np.arange(first_row, first_row + count + len(skipped), dtype=np.int64)
    if skipped:
        numbers = numbers[~np.isin(numbers, np.asarray(skipped))]
    return numbers[:count]


_BAD_LINE = re.compile(r"Skipping line (\d+): (.*)")


def _bad_line_reports(message: str) -> list[tuple[int, str]]:
    return [(int(m.group(1)), m.group(2).strip()) for m in _BAD_LINE.finditer(message)]


@contextlib.contextmanager
def _any_field_size():
    """Let the csv module read cells of any length (its default stops at 128 KB): overlong
    cells are quarantined row by row later, not a reason to reject the file."""
    limit = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _first_records(handle: io.TextIOBase, delimiter: str, whitespace: bool) -> list[list[str]]:
    records: list[list[str]] = []
    if whitespace:
        for line in handle:
            records.append(line.split())
            if len(records) >= HEADER_SEARCH_ROWS:
                break
        return records
    with _any_field_size():
        for record in csv.reader(handle, delimiter=delimiter):
            records.append(record)
            if len(records) >= HEADER_SEARCH_ROWS:
                break
    return records
