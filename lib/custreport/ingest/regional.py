"""The region of the raw rows ingest read, where it can be told, for the regional quality reports.

A loaded or merged row belongs to the region of the record it became (an order line, deal or
interaction to that of its customer, as the store files them). A quarantined row belongs to
the region its own place cells resolve to, else its owner rep's, else that of the customer it
names; a row with none of these (an unreadable line, an order naming an unknown customer, a
customer row with no place) has no region: only the whole-company report shows it.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custreport.config import RegionTable
from custreport.ingest.attach import CustomerIndex
from custreport.ingest.fixes import counted_by_region
from custreport.ingest.prepare import Prepared

FIX_COLUMNS = ["source", "region", "fix", "count"]


def region_by(table: pd.DataFrame, key: str) -> pd.Series:
    """``table``'s region per ``key`` (the first row of each), empty for an empty table."""
    return table.drop_duplicates(key).set_index(key)["region"] if len(table) else pd.Series(dtype="string")


def customer_regions(customers: pd.DataFrame, customer_ids: pd.Series) -> pd.Series:
    """The region of the customer each row names (missing for none), on ``customer_ids``' index."""
    if customers.empty or customer_ids.empty:
        return pd.Series(pd.NA, index=customer_ids.index, dtype="string")
    # Looked up and gathered in Arrow: ten million order lines' regions are never Python strings.
    keys = _arrow_text(customers["customer_id"])
    region = _arrow_text(customers["region"])
    positions = pc.index_in(_arrow_text(customer_ids), value_set=keys)   # null where no customer has the id
    return pd.Series(pd.arrays.ArrowStringArray(pc.take(region, positions)), index=customer_ids.index, dtype="string")


def _arrow_text(values: pd.Series) -> pa.Array:
    """A text Series as one Arrow array (large strings, as pandas keeps them)."""
    array = pa.array(values.astype("string").array)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array.cast(pa.large_string())


def place_quarantined_rows(prepared: dict[str, list[Prepared]], attach: CustomerIndex, customers: pd.DataFrame,
                           reps: pd.DataFrame, regions: RegionTable) -> None:
    """Fill the ``region`` of every sheet's quarantined rows from what their cells tell (see
    the module docstring); a part's quarantine is replaced, not changed in place."""
    rep_region = region_by(reps, "name")
    rep_region = rep_region.mask(rep_region == regions.unknown.code)
    for parts in prepared.values():
        for part in parts:
            if len(part.quarantine):
                part.quarantine = part.quarantine.assign(
                    region=_told_regions(part.quarantine_places, len(part.quarantine), attach, customers, rep_region))


def _told_regions(places: pd.DataFrame, rows: int, attach: CustomerIndex, customers: pd.DataFrame,
                  rep_region: pd.Series) -> pd.Series:
    region = pd.Series(pd.NA, index=pd.RangeIndex(rows), dtype="string")
    if places.empty:
        return region
    places = places.reset_index(drop=True).reindex(region.index)
    if "region" in places:
        region = region.fillna(places["region"].astype("string"))
    if "owner_rep" in places and len(rep_region):
        region = region.fillna(places["owner_rep"].map(rep_region).astype("string"))
    named = [places[c].astype("string") for c in ("customer_id", "customer_key") if c in places]
    if named:
        ids = attach.resolve_ids(named[0]) if "customer_id" in places else pd.Series(pd.NA, index=region.index,
                                                                                     dtype="string")
        if "customer_key" in places:
            ids = ids.fillna(attach.resolve_names(places["customer_key"].astype("string")))
        region = region.fillna(customer_regions(customers, ids.astype("string")))
    return region


class FixTally:
    """The fixes of every sheet counted per source, region and kind, as each table's rows get
    their region; kinds whose rows were not all placed count the rest without a region."""

    def __init__(self, prepared: dict[str, list[Prepared]]):
        self.prepared = prepared
        self.counts: Counter = Counter()

    def add_rows(self, table: str, regions: pd.Series) -> None:
        """The fixes of ``table``'s usable rows, ``regions`` one per row in the order ingest
        joined the sheets' rows (empty sheets left out)."""
        start = 0
        for part in self.prepared[table]:
            size = len(part.data_fix_bits)
            if size:
                self.counts += counted_by_region(part.source, part.fix_kinds, part.data_fix_bits,
                                                 regions.iloc[start:start + size].reset_index(drop=True))
            start += size

    def frame(self) -> pd.DataFrame:
        """Fixes per source, region (missing: not told) and kind, with the quarantined rows'
        fixes added by their region; per source and kind the counts sum to the sheets' own."""
        counts = Counter(self.counts)
        totals: Counter = Counter()
        for parts in self.prepared.values():
            for part in parts:
                if len(part.quarantine_fix_bits) == len(part.quarantine):
                    counts += counted_by_region(part.source, part.fix_kinds, part.quarantine_fix_bits,
                                                part.quarantine["region"].reset_index(drop=True))
                totals.update({(part.source, kind): count for kind, count in part.fixes.items() if count})
        placed: Counter = Counter()
        for (source, _, kind), count in counts.items():
            placed[(source, kind)] += count
        for (source, kind), total in totals.items():
            if total > placed[(source, kind)]:
                counts[(source, None, kind)] += total - placed[(source, kind)]
        order = {key: position for position, key in enumerate(totals)}   # sheets' order, as before
        records = sorted(((source, region, kind, count) for (source, region, kind), count in counts.items() if count),
                         key=lambda r: (order.get((r[0], r[2]), len(order)), r[1] is None, r[1] or ""))
        frame = pd.DataFrame(records, columns=FIX_COLUMNS)
        return frame.astype({"source": "string", "region": "string", "fix": "string", "count": "int64"})
