"""Attaching rows of orders, deals, interactions and leads to the golden customer they name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from custreport.ingest.distinct import on_distinct
from custreport.ingest.headers import CUSTOMER_NAME
from custreport.ingest.match import core_names, deletion_keys
from custreport.ingest.sheet_rows import LINEAGE_COLUMNS, QUARANTINE_COLUMNS, rows_where
from custreport.keyed_frames import ids_in, looked_up


class CustomerIndex:
    """Finds the golden customer a row names: by source customer id, by customer id, or by name.

    Names resolve by exact name key, then by core name (the name without its place)
    when only one customer has it, then by the closest name one typo away when one
    customer is clearly closest (similarity >= ``FUZZY_AT``);
    an ambiguous name resolves to nothing rather than to a guess.
    """

    FUZZY_AT = 0.85

    def __init__(self, customer_rows: pd.DataFrame, member_ids: pd.Series, places: frozenset[str],
                 features: pd.DataFrame | None = None):
        self.places = places
        columns = {"key": customer_rows.get("name_key"), "sid": customer_rows.get("source_customer_id"),
                   "id": member_ids}
        frame = pd.DataFrame(columns) if len(customer_rows) else pd.DataFrame(columns=list(columns), dtype="string")
        self.by_source_id = _unambiguous(frame, "sid")
        # A name (or source id) that two different customers carry names neither of them.
        self.names = _unambiguous(frame, "key").rename_axis("key").reset_index()
        self.by_key = self.names.set_index("key")["id"]
        self.ids = pd.Series(member_ids.dropna().unique(), dtype="string")
        if features is not None:   # the dedupe's match features already hold each name's core
            cores = looked_up(features, self.names["key"], "core", key="name_key")
        else:
            cores, _ = core_names(self.names["key"], places)
        self.by_core = _unambiguous(pd.DataFrame({"core": cores.to_numpy(), "id": self.names["id"].to_numpy()}), "core")
        self._variants: pa.Table | None = None  # built on first fuzzy lookup
        self._choices: list[str] | None = None  # the known names for scanning, made on first scan

    # What the index holds, as a frame a snapshot stores (side table ``attach_index``), so an
    # incremental ingest attaches new rows without matching every customer row again.
    LOOKUPS = ("source_id", "name", "core", "id")

    def lookup_frame(self) -> pd.DataFrame:
        """The index's lookups as rows of ``kind`` (LOOKUPS), ``value`` and ``customer_id``."""
        parts = [(kind, pd.Series(series.index, dtype="string"), series.astype("string"))
                 for kind, series in (("source_id", self.by_source_id), ("core", self.by_core))]
        parts.insert(1, ("name", self.names["key"].astype("string"), self.names["id"].astype("string")))
        parts.append(("id", self.ids, self.ids))
        return pd.DataFrame({
            "kind": pd.Series([kind for kind, values, _ in parts for _ in range(len(values))], dtype="string"),
            "value": pd.concat([values.reset_index(drop=True) for _, values, _ in parts], ignore_index=True),
            "customer_id": pd.concat([ids.reset_index(drop=True) for _, _, ids in parts], ignore_index=True),
        })

    @classmethod
    def from_lookups(cls, frame: pd.DataFrame | pa.Table, places: frozenset[str]) -> CustomerIndex:
        """The index lookup_frame stored (a frame or its Arrow table): it resolves every row as the
        index it was made from.

        >>> index = CustomerIndex(pd.DataFrame({"name_key": ["acme"], "source_customer_id": ["A1"]}),
        ...                       pd.Series(["C1"], dtype="string"), frozenset())
        >>> again = CustomerIndex.from_lookups(index.lookup_frame(), frozenset())
        >>> again.resolve_names(pd.Series(["acme", "acme x"], dtype="string")).tolist()
        ['C1', <NA>]
        """
        table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        index = cls.__new__(cls)
        index.places = places

        def of(kind: str) -> pd.Series:
            # Filtered in Arrow: a million names are not compared as Python strings.
            rows = table.filter(pc.equal(table["kind"], kind))
            values = rows["value"].to_pandas(types_mapper=pd.ArrowDtype).astype("string")
            return pd.Series(rows["customer_id"].to_pandas(types_mapper=pd.ArrowDtype).astype("string").to_numpy(),
                             index=pd.Index(values), dtype="string")

        index.by_source_id, index.by_core = of("source_id"), of("core")
        names = of("name")
        index.names = pd.DataFrame({"key": pd.Series(names.index, dtype="string"), "id": names.to_numpy()})
        index.by_key = index.names.set_index("key")["id"]
        index.ids = pd.Series(of("id").to_numpy(), dtype="string")
        index._variants, index._choices = None, None
        return index

    def resolve_ids(self, named_ids: pd.Series) -> pd.Series:
        """Customer id per id a row gives: a source's own customer id, else a golden id itself."""
        return on_distinct(self._resolve_distinct_ids)(named_ids)

    def _resolve_distinct_ids(self, ids: pd.Series) -> pd.Series:
        # Mapping through an empty lookup yields a float dtype that string ids cannot fill.
        by_source_id = _mapped(ids, self.by_source_id)
        return by_source_id.fillna(ids.where(ids_in(ids, self.ids))).astype("string")

    def resolve_names(self, keys: pd.Series) -> pd.Series:
        """Customer id per name key (missing when unknown or ambiguous); each distinct name once."""
        return on_distinct(self._resolve_distinct_names)(keys)

    def _resolve_distinct_names(self, distinct: pd.Series) -> pd.Series:
        found = pd.Series(_mapped(distinct, self.by_key).to_numpy(), index=distinct.to_numpy())
        missing = distinct[found.isna().to_numpy()]
        if len(missing):
            cores, _ = core_names(missing, self.places)
            by_core = pd.Series(_mapped(cores, self.by_core).to_numpy(), index=missing.to_numpy())
            unresolved = missing[by_core.isna().to_numpy()]
            if len(unresolved):
                by_core = by_core.fillna(self._closest(unresolved.reset_index(drop=True)))
            found = found.fillna(by_core)
        return pd.Series(found.to_numpy(), dtype="string")

    def _closest(self, keys: pd.Series) -> pd.Series:
        """The one customer whose name is clearly closest, for names no exact rule resolved.

        Candidates share a one-character-deleted variant with the name (so are one typo
        apart), which keeps the comparison small however many customers there are.
        """
        pairs = self._sharing_pairs(keys) if len(keys) > self.SCAN_UP_TO or self._variants is not None \
            else self._sharing_pairs_by_scan(keys)
        candidates = pd.DataFrame({"wanted": keys.to_numpy()[pairs["wanted"].to_numpy()],
                                   "known": self.names["key"].to_numpy()[pairs["row"].to_numpy()],
                                   "id": self.names["id"].to_numpy()[pairs["row"].to_numpy()]})
        if candidates.empty:
            return pd.Series(dtype="string")
        candidates["score"] = process.cpdist(candidates["wanted"].tolist(), candidates["known"].tolist(),
                                             scorer=fuzz.ratio) / 100.0
        best = candidates[candidates["score"] == candidates.groupby("wanted")["score"].transform("max")]
        best = best[best["score"] >= self.FUZZY_AT]
        clear = best.groupby("wanted")["id"].nunique() == 1
        chosen = best[best["wanted"].isin(clear[clear].index)].drop_duplicates("wanted")
        return pd.Series(chosen["id"].to_numpy(), index=chosen["wanted"].to_numpy(), dtype="string")

    # Up to this many names, the known names are scanned rather than all their variants made:
    # a day's new rows name a few dozen unknown names, not enough to pay for fifteen million
    # variants (measured at a million names: 11 ms a name scanned, 10 s for the variants).
    SCAN_UP_TO = 400

    def _sharing_pairs(self, keys: pd.Series) -> pd.DataFrame:
        """(wanted, row) pairs, sorted: ``keys[wanted]`` and the known name of ``row`` share a
        deletion variant (one typo apart)."""
        if self._variants is None:
            # The known names' variants are made once (a million names have fifteen million);
            # each lookup joins the wanted names' variants to them in Arrow, whose hash
            # join builds on the small side and streams the large one.
            variants = deletion_keys(self.names["key"], unique=False)
            self._variants = pa.table({"key": pa.array(variants["key"], type=pa.large_string()),
                                       "row": pa.array(variants["row"].to_numpy())})
        wanted = deletion_keys(keys)
        wanted = pa.table({"key": pa.array(wanted["key"], type=pa.large_string()),
                           "wanted": pa.array(wanted["row"].to_numpy())})
        joined = self._variants.join(wanted, keys="key", join_type="inner").select(["wanted", "row"])
        return joined.to_pandas().drop_duplicates().sort_values(["wanted", "row"], ignore_index=True)

    def _sharing_pairs_by_scan(self, keys: pd.Series) -> pd.DataFrame:
        """_sharing_pairs found by scanning the known names: two names sharing a deletion
        variant are at most two edits apart, so the names within two edits (rapidfuzz, bit-
        parallel) hold every pair, and the variants of those few decide, as _sharing_pairs does."""
        known = self.names["key"]
        if self._choices is None:   # as Python strings once: rapidfuzz reads them, a million take a second
            self._choices = known.tolist()
        choices = self._choices
        wanted, rows = [], []
        for start in range(0, len(keys), 64):   # 64 names x a million distances: 64 MB at a time
            distances = process.cdist(keys.iloc[start:start + 64].tolist(), choices, scorer=Levenshtein.distance,
                                      score_cutoff=2, dtype=np.uint8, workers=-1)
            near_wanted, near_rows = np.nonzero(distances <= 2)
            wanted.append(near_wanted + start)
            rows.append(near_rows)
        near = np.unique(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)
        if not len(near):
            return pd.DataFrame({"wanted": pd.Series(dtype="int64"), "row": pd.Series(dtype="int64")})
        mine = deletion_keys(keys).rename(columns={"row": "wanted"})
        theirs = deletion_keys(known.iloc[near].reset_index(drop=True))
        theirs["row"] = near[theirs["row"].to_numpy()]
        shared = mine.merge(theirs, on="key")[["wanted", "row"]].drop_duplicates()
        return shared.sort_values(["wanted", "row"], ignore_index=True)

    def attach(self, rows: pd.DataFrame, table: str, required: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``rows`` with the customer id each names (name columns dropped), and the quarantine of
        rows naming a customer found nowhere (when a customer is ``required``)."""
        kept, unknown, quarantine = self.attach_unfiltered(rows, table, required)
        return (rows_where(kept, ~unknown.to_numpy(dtype=bool)) if unknown.any() else kept), quarantine

    def attach_unfiltered(self, rows: pd.DataFrame, table: str,
                          required: bool) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
        """As attach, with every row kept and the mask of those to set aside returned."""
        if rows.empty:
            return rows, pd.Series(False, index=rows.index, dtype=bool), pd.DataFrame(columns=QUARANTINE_COLUMNS)
        named_id = rows["customer_id"]
        resolved = self.resolve_ids(named_id).fillna(self.resolve_names(rows["customer_key"]))
        named = named_id.notna() | rows[CUSTOMER_NAME].notna()
        unknown = named & resolved.isna()
        # The name columns go before any row is filtered (no copy under copy-on-write), so ten
        # million order lines are copied once, without their two longest columns.
        kept = rows.drop(columns=[CUSTOMER_NAME, "customer_key"]).assign(customer_id=resolved)
        if not required:
            return kept, pd.Series(False, index=rows.index, dtype=bool), pd.DataFrame(columns=QUARANTINE_COLUMNS)
        shown = named_id[unknown].fillna(rows.loc[unknown, CUSTOMER_NAME])
        quarantine = rows.loc[unknown, LINEAGE_COLUMNS].assign(
            table=table, column=np.where(named_id[unknown].notna(), "customer_id", CUSTOMER_NAME),
            reason="names a customer found in no customer source (or several equally)", value=shown,
            region=pd.NA)   # the customer it names is the only thing that could tell its region
        return kept, unknown.astype(bool), quarantine[QUARANTINE_COLUMNS]


def _mapped(values: pd.Series, lookup: pd.Series) -> pd.Series:
    """``values.map(lookup).astype("string")`` for a lookup of unique texts to texts, hashed by
    Arrow (pandas hashes a million names as Python objects, once per table attached)."""
    if not len(lookup):
        return pd.Series(pd.NA, index=values.index, dtype="string")
    keys = pa.array(pd.Series(lookup.index, dtype="string").array)
    targets = pa.array(lookup.astype("string").array)
    targets = targets.combine_chunks() if isinstance(targets, pa.ChunkedArray) else targets
    positions = pc.index_in(pa.array(values.astype("string").array), value_set=keys)
    return pd.Series(pd.arrays.ArrowStringArray(pc.take(targets, positions)), index=values.index, dtype="string")


def _unambiguous(frame: pd.DataFrame, column: str) -> pd.Series:
    """``column`` -> customer id, for values that point at exactly one customer."""
    pairs = frame.dropna(subset=[column])[[column, "id"]].drop_duplicates()
    single = pairs[~pairs[column].duplicated(keep=False)]
    return single.set_index(column)["id"]


# --------------------------------------------------------------------------- other tables
