"""Ingest's accounting: every row read is loaded, merged, non-data or quarantined, per source;
the fixes made and how complete each column is; and the quarantine limit that stops an ingest.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa

from custreport import schema
from custreport.config import SourcesConfig
from custreport.errors import UserError
from custreport.ingest.merged_records import records_merged_into
from custreport.ingest.prepare import Prepared

STATUSES = ("loaded", "merged", "non_data", "quarantined")
# Per source: rows read = loaded + merged + non_data + quarantined; into_records: the distinct
# records its merged rows were merged into.
ACCOUNTING_COLUMNS = ["source", "table", "files", "rows_read", *STATUSES, "into_records"]


def source_accounting(config: SourcesConfig, rows_read: Counter, files_read: Counter,
                lineage: pd.DataFrame) -> pd.DataFrame:
    counts = _row_counts(lineage, ["source", "status"]).unstack(fill_value=0) if len(lineage) else pd.DataFrame()
    into = records_merged_into(lineage)
    records = []
    for spec in config.sources:
        row = {"source": spec.name, "table": spec.table, "files": files_read[spec.name],
               "rows_read": rows_read[spec.name]}
        for status in STATUSES:
            row[status] = int(counts.at[spec.name, status]) if spec.name in counts.index and status in counts else 0
        accounted = sum(row[s] for s in STATUSES)
        if accounted != row["rows_read"]:
            raise RuntimeError(f"accounting mismatch for source {spec.name!r}: read {row['rows_read']} rows "
                               f"but accounted for {accounted}")
        row["into_records"] = int(into.get(spec.name, 0))
        records.append(row)
    return pd.DataFrame(records, columns=ACCOUNTING_COLUMNS)


# Per source and region (missing: rows whose region cannot be told): the rows of the region
# loaded, merged and quarantined, and the records its merged rows went into. Rows read and
# non-data rows (titles, blanks, totals) belong to a file, not to a region.
REGION_ACCOUNTING_COLUMNS = ["source", "table", "region", "loaded", "merged", "quarantined", "into_records"]


def region_accounting(config: SourcesConfig, lineage: pd.DataFrame) -> pd.DataFrame:
    """The accounting of each source's rows per region, from the lineage's ``region`` column.

    >>> from custreport.config import SourcesConfig
    >>> config = SourcesConfig(sources=[{"name": "crm", "path": "c.csv", "table": "customers"}])
    >>> lineage = pd.DataFrame({"source": ["crm"] * 4, "region": ["east", "east", "south", None],
    ...     "status": ["loaded", "merged", "loaded", "quarantined"], "record_id": ["C1", "C1", "C2", None]})
    >>> region_accounting(config, lineage).drop(columns=["source", "table"]).values.tolist()
    [['east', 1, 1, 0, 1], ['south', 1, 0, 0, 0], [<NA>, 0, 0, 1, 0]]
    """
    # Counted over every row, non-data ones then left out of the counts: filtering the lineage
    # of ten million order lines first would copy it.
    data_rows = (lineage["status"] != "non_data").to_numpy(dtype=bool) if len(lineage) else np.zeros(0, dtype=bool)
    if not data_rows.any() or "region" not in lineage:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in STATUSES or c == "into_records" else "string")
                             for c in REGION_ACCOUNTING_COLUMNS})
    counts = _row_counts(lineage[["source", "region", "status"]].assign(region=lineage["region"].astype("string")),
                         ["source", "region", "status"])
    counts = counts[counts.index.get_level_values("status") != "non_data"]
    counts = counts.unstack(fill_value=0).reindex(columns=["loaded", "merged", "quarantined"], fill_value=0)
    merged = lineage[(lineage["status"] == "merged").to_numpy(dtype=bool)]
    into = merged.groupby([merged["source"].astype("string"), merged["region"].astype("string")],
                          dropna=False)["record_id"].nunique()
    tables = {spec.name: spec.table for spec in config.sources}
    order = {spec.name: position for position, spec in enumerate(config.sources)}
    frame = counts.reset_index().assign(into_records=lambda f: [int(into.get((s, r), 0)) for s, r in
                                                                zip(f["source"], f["region"])])
    frame = frame.assign(table=frame["source"].map(tables), _order=frame["source"].map(order),
                         _unplaced=frame["region"].isna())
    frame = frame.sort_values(["_order", "_unplaced", "region"], kind="stable")
    return frame[REGION_ACCOUNTING_COLUMNS].astype(
        {"source": "string", "table": "string", "region": "string",
         **{c: "int64" for c in ("loaded", "merged", "quarantined", "into_records")}}).reset_index(drop=True)


def _row_counts(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    """Rows per combination of ``by`` (few distinct values), counted by Arrow in batches: a pandas
    group-by first numbers every row, gigabytes for the lineage of ten million order lines."""
    table = pa.Table.from_pandas(frame[by], preserve_index=False)
    counts = table.group_by(by).aggregate([([], "count_all")]).to_pandas()
    return counts.set_index(by)["count_all"]


def fixes_made(prepared: dict[str, list[Prepared]]) -> pd.DataFrame:
    records = []
    for parts in prepared.values():
        for part in parts:
            records += [{"source": part.source, "fix": fix, "count": count} for fix, count in part.fixes.items() if count]
    if not records:
        return pd.DataFrame(columns=["source", "fix", "count"])
    return pd.DataFrame(records).groupby(["source", "fix"], as_index=False, sort=False)["count"].sum()


def column_completeness(prepared: dict[str, list[Prepared]]) -> pd.DataFrame:
    """Share of usable rows with a value, per source and canonical column (the quality report's table)."""
    records = []
    for table, parts in prepared.items():
        by_source: dict[str, list[pd.DataFrame]] = {}
        for part in parts:
            if len(part.data):
                by_source.setdefault(part.source, []).append(part.data)
        for source, frames in by_source.items():
            data = pd.concat(frames, ignore_index=True)
            for column in schema.COLUMNS[table]:
                if column in data and column not in schema.LINEAGE:
                    records.append({"source": source, "table": table, "column": column, "rows": len(data),
                                    "filled": int(data[column].notna().sum())})
    frame = pd.DataFrame(records, columns=["source", "table", "column", "rows", "filled"])
    return frame.assign(share=(frame["filled"] / frame["rows"]).round(4))


class QuarantineLimitExceeded(UserError):
    """Some source quarantined more of its rows than its ``max_quarantined`` allows: no snapshot
    was written. ``result`` is the ingest that was not stored (for its accounting)."""

    def __init__(self, lines: list[str], result: IngestResult):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.result = result


def quarantine_breaches(config: SourcesConfig, accounting: pd.DataFrame, quarantine: pd.DataFrame,
                        top: int = 3) -> list[str]:
    """One line per source whose quarantined share of its data rows passes its ``max_quarantined``,
    naming the share, the ``top`` reasons with their counts and the remedy.

    >>> from custreport.config import SourcesConfig
    >>> config = SourcesConfig(sources=[{"name": "orders", "path": "o.csv", "table": "orders"}])
    >>> accounting = pd.DataFrame({"source": ["orders"], "rows_read": [100], "non_data": [0], "quarantined": [5]})
    >>> quarantine = pd.DataFrame({"source": ["orders"] * 5, "reason": ["missing order date"] * 5})
    >>> quarantine_breaches(config, accounting, quarantine)[0][:62]
    "source 'orders': 5.0% of 100 data rows quarantined (limit 1%):"
    """
    limits = {spec.name: spec.max_quarantined for spec in config.sources}
    lines = []
    for row in accounting.itertuples(index=False):
        data_rows = int(row.rows_read) - int(row.non_data)
        limit = limits.get(row.source)
        if limit is None or data_rows <= 0 or row.quarantined / data_rows <= limit:
            continue
        reasons = quarantine.loc[quarantine["source"] == row.source, "reason"].value_counts().head(top)
        listed = "; ".join(f"{reason} {count:,}" for reason, count in reasons.items())
        lines.append(f"source {row.source!r}: {row.quarantined / data_rows:.1%} of {data_rows:,} data rows "
                     f"quarantined (limit {limit * 100:g}%): {listed}. Fix those rows, map the values in "
                     f"params/sources.yaml, or raise max_quarantined for source {row.source!r} "
                     f"(e.g. max_quarantined: {_looser_limit(row.quarantined / data_rows)})")
    return lines


def _looser_limit(share: float) -> str:
    """A round percentage just above ``share``, for the remedy: 0.032 -> '4%'."""
    return f"{min(100, int(np.floor(share * 100)) + 1)}%"
