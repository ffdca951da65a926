"""What an ingest made: the tables, the side tables a snapshot keeps beside them, and the
warnings it says out loud."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from custreport.ingest.match import MatchReport, MatchRules
from custreport.ingest.profile import StageClock


@dataclass
class IngestResult:
    tables: dict[str, pd.DataFrame]
    lineage: pd.DataFrame          # one row per raw row: where it came from, what it became
    quarantine: pd.DataFrame       # rows set aside, with column and reason
    accounting: pd.DataFrame       # per source: rows read and where they went
    fixes: pd.DataFrame            # per source: standardisation fixes by kind
    inputs: list[dict] = field(default_factory=list)  # files read, with size and sha256
    customer_keys: pd.DataFrame = field(default_factory=pd.DataFrame)  # name key -> customer id registry
    completeness: pd.DataFrame = field(default_factory=pd.DataFrame)   # per source and column: share filled
    merged_customers: pd.DataFrame = field(default_factory=pd.DataFrame)  # customers built from several raw rows
    warnings: pd.DataFrame = field(default_factory=lambda: ingest_warnings([]))  # limits hit, said out loud
    region_accounting: pd.DataFrame = field(default_factory=pd.DataFrame)  # per source and region: rows' fate
    attach_index: pd.DataFrame = field(default_factory=pd.DataFrame)  # CustomerIndex.lookup_frame, for increments
    row_counts: dict[str, int] = field(default_factory=dict)  # rows per table stored, when ``tables`` holds fewer
    added: str = ""                # an incremental ingest: what it added to the snapshot before (else empty)
    full_because: str = ""         # a full ingest: why the current snapshot could not be added to
    database_reads: list[str] = field(default_factory=list)   # per database source: what was fetched
    profile: StageClock = field(default_factory=StageClock)   # seconds and peak memory per stage

    def stored_rows(self) -> dict[str, int]:
        """Rows per table of the snapshot made (an incremental ingest holds only the new rows)."""
        return self.row_counts or {table: len(frame) for table, frame in self.tables.items()}


# region: the region a warning is about, missing for one about the whole company (all so far).
WARNING_COLUMNS = ["code", "source", "count", "message", "remedy", "region"]


def ingest_warnings(records: list[dict]) -> pd.DataFrame:
    """The ingest warnings frame: one row per limit hit or doubt a figure may carry, stored in the
    snapshot (side table ``warnings``), printed by ``custreport ingest`` and listed in the quality
    report. Each record: ``code`` (stable, e.g. ``dedupe_window``), ``source`` (a source name, or
    empty for all), ``count`` (rows affected), ``message`` (what happened) and ``remedy`` (the
    exact setting to change or data to add). Any step of ingest may add records.

    >>> ingest_warnings([{"code": "dedupe_window", "source": "", "count": 3, "message": "m",
    ...                   "remedy": "r"}])["count"].tolist()
    [3]
    """
    frame = pd.DataFrame(records, columns=WARNING_COLUMNS)
    return frame.astype({"code": "string", "source": "string", "count": "int64", "message": "string",
                         "remedy": "string", "region": "string"})


def match_warnings(report: MatchReport, rules: MatchRules) -> pd.DataFrame:
    """Ingest warnings for the blocks matching compared by sorted neighbourhood, not pair by pair."""
    records = []
    for rule, blocks in report.windowed_blocks.items():
        rows = report.windowed_rows[rule]
        limit = "max_typo_block" if rule == "core_one_typo" else "max_block"
        records.append({
            "code": "dedupe_window", "source": "", "count": rows,
            "message": (f"customer matching: {blocks:,} {'block' if blocks == 1 else 'blocks'} of rows sharing a "
                        f"{rule} key {'holds' if blocks == 1 else 'hold'} more than "
                        f"{getattr(rules, limit)} rows ({rows:,} rows); each row was compared with its "
                        f"{rules.window} nearest neighbours only, so a duplicate further away may be missed"),
            "remedy": ((f"params/sources.yaml: dedupe: {{{limit}: {rows}}} compares every pair (slower), or "
                        if limit == "max_block" else "params/sources.yaml: ")
                       + f"dedupe: {{window: {rules.window * 5}}} widens the neighbourhood (slower); a customer "
                         f"id column (customer_id) joins rows exactly whatever their number")})
    return ingest_warnings(records)
