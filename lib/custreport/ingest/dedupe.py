"""Golden customer records and customer ids that stay put.

Survivorship, per cluster of rows that are one customer:
- the display name comes from the most complete row (most filled fields; ties go to
  source priority, i.e. the order of params/sources.yaml, then file, sheet and row);
- every other field takes the most recent non-empty value (rows ordered by creation
  date, newest first; rows without one last; ties by source priority);
- ``created_at`` is the earliest seen.

Ids: a registry maps every normalised name ever seen to the id it was given. A
cluster keeps the id most of its known names carry, so adding a source file never
renumbers existing customers; a cluster with no known name gets a hash of its
smallest name key, so the same inputs always give the same ids.

>>> rows = pd.DataFrame({"name": ["华信科技有限公司", "华信科技"], "name_key": ["华信科技", "华信科技"],
...     "phone": [None, "+8613800138000"], "created_at": pd.to_datetime(["2024-01-01", "2023-05-01"])})
>>> golden, ids, registry = golden_records(rows, np.array([0, 0]), registry=None)
>>> golden[["name", "phone", "created_at"]].astype(str).values.tolist()
[['华信科技', '+8613800138000', '2023-05-01']]
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa

from custreport.keyed_frames import ids_in, looked_up

REGISTRY_COLUMNS = ["name_key", "customer_id"]
# Fields that make a row "complete" for choosing the display name.
_COMPLETENESS = ["name", "province", "city", "industry", "owner_rep", "phone", "email", "address", "created_at"]


_BASE32 = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", dtype="S1")   # RFC 4648, as base64.b32encode


def stable_ids(keys: pd.Series, prefix: str) -> pd.Series:
    """Deterministic id per key: ``prefix`` + 12 base32 characters of a BLAKE2 hash (60 bits).

    >>> stable_ids(pd.Series(["华信科技"]), "C").str.len().tolist()
    [13]
    """
    codes, uniques = pd.factorize(keys.astype("string"))
    texts = pa.array(pd.Series(uniques, dtype="string").array).to_pylist()   # Python strings at once, not one by one
    digests = np.frombuffer(b"".join(hashlib.blake2b(str(k).encode("utf-8"), digest_size=8).digest() for k in texts),
                            dtype=">u8")
    # Base32 of each digest, its first 12 characters (the top 60 bits, 5 at a time), computed on
    # all digests at once (base64.b32encode is a Python loop: seconds for a million).
    shifts = np.arange(59, -1, -5, dtype=np.uint64)
    symbols = ((digests[:, None] >> shifts[None, :]) & np.uint64(31)).astype(np.uint8)
    encoded = _BASE32[symbols].reshape(-1).view("S12").astype("U12") if len(digests) else np.array([], dtype="U12")
    ids = pd.Series(encoded, dtype="string")
    return pd.Series((prefix + ids).array.take(codes), index=keys.index, dtype="string")


def assign_ids(name_keys: pd.Series, labels: np.ndarray, registry: pd.DataFrame | None) -> pd.Series:
    """The customer id of every row's cluster (aligned with ``name_keys``)."""
    frame = pd.DataFrame({"key": name_keys.astype("string").to_numpy(), "label": labels})
    if registry is None or registry.empty:
        frame["known"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    else:
        frame["known"] = looked_up(registry, frame["key"], "customer_id", key="name_key").astype("string")
    votes = (frame.dropna(subset=["known"]).groupby(["label", "known"]).size()
             .rename("votes").reset_index().sort_values(["votes", "known"], ascending=[False, True]))
    # Bigger claims first: when a customer was split, the larger part keeps the old id. A claim
    # sharing neither its cluster nor its id with another is granted outright; only the rest
    # (clusters with several old ids, ids claimed by several clusters) go one by one.
    alone = ~votes["label"].duplicated(keep=False) & ~votes["known"].duplicated(keep=False)
    chosen = pd.Series(votes.loc[alone, "known"].to_numpy(), index=votes.loc[alone, "label"].to_numpy(),
                       dtype="string")
    contested: dict[int, str] = {}
    taken: set[str] = set()
    for label, known_id in zip(votes.loc[~alone, "label"].tolist(), votes.loc[~alone, "known"].tolist()):
        if label not in contested and known_id not in taken:
            contested[label] = known_id
            taken.add(known_id)
    chosen = pd.concat([chosen, pd.Series(contested, dtype="string")])
    fresh = frame[~frame["label"].isin(chosen.index)]
    if len(fresh):
        made = stable_ids(fresh.groupby("label")["key"].min(), "C")
        # An id already given (a hash collision) is made again from the id and the cluster.
        clash = ids_in(made, chosen) | made.duplicated()
        if clash.any():
            again = [stable_ids(pd.Series([f"{new_id}/{label}"]), "C").iloc[0]
                     for label, new_id in made[clash].items()]
            made = made.mask(clash, pd.Series(again, index=made.index[clash], dtype="string"))
        chosen = pd.concat([chosen, made])
    return pd.Series(frame["label"].map(chosen).to_numpy(), index=name_keys.index, dtype="string")


def golden_records(rows: pd.DataFrame, labels: np.ndarray,
                   registry: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Collapse each cluster of rows into one record.

    Returns the golden records (first-seen order, with ``customer_id``), the id each
    row became (aligned with ``rows``), and the updated id registry.
    """
    member_ids = assign_ids(rows["name_key"], labels, registry)
    # Grouped by the integer cluster label: far cheaper than aligning on string ids.
    ranked = rows.assign(_label=labels, _position=np.arange(len(rows)))
    present = [c for c in _COMPLETENESS if c in ranked]
    ranked["_filled"] = ranked[present].notna().sum(axis=1)

    by_recency = ranked.sort_values(["created_at", "_position"], ascending=[False, True], na_position="last",
                                    kind="stable") if "created_at" in ranked else ranked
    golden = by_recency.groupby("_label", sort=True).first()
    best = ranked.sort_values(["_filled", "_position"], ascending=[False, True], kind="stable")
    golden["name"] = best.groupby("_label", sort=True)["name"].first()
    if "created_at" in ranked:
        golden["created_at"] = ranked.groupby("_label", sort=True)["created_at"].min()
    # Lineage of the golden record: its first row in source order.
    # Each column's first value is its own: only the lineage columns are grouped again.
    lineage = [column for column in ("source", "source_sheet", "source_row", "source_file") if column in ranked]
    first_rows = ranked[["_label", *lineage]].groupby("_label", sort=True).first()
    for column in lineage:
        golden[column] = first_rows[column]
    id_of_label = pd.Series(member_ids.to_numpy(), index=labels).groupby(level=0).first()
    golden["customer_id"] = id_of_label.reindex(golden.index).astype("string")
    order = ranked.groupby("_label", sort=True)["_position"].min().sort_values()
    golden = golden.loc[order.index].drop(columns=["_position", "_filled"]).reset_index(drop=True)
    golden = golden[["customer_id", *[c for c in golden.columns if c != "customer_id"]]]
    return golden, pd.Series(member_ids.to_numpy(), index=rows.index, dtype="string"), \
        _updated_registry(rows["name_key"], member_ids, registry)


def _updated_registry(name_keys: pd.Series, member_ids: pd.Series, registry: pd.DataFrame | None) -> pd.DataFrame:
    """Names seen now with their ids, plus names seen before and absent now (a source may come back)."""
    now = pd.DataFrame({"name_key": name_keys.astype("string").to_numpy(),
                        "customer_id": member_ids.astype("string").to_numpy()}).dropna().drop_duplicates("name_key")
    if registry is None or registry.empty:
        return now.reset_index(drop=True)
    kept = registry[~ids_in(registry["name_key"], now["name_key"])]
    return pd.concat([now, kept[REGISTRY_COLUMNS]], ignore_index=True)


def first_occurrence(ids: pd.Series) -> pd.Series:
    """True for the first row of each id: the one that is loaded; later ones are merged into it."""
    return ~ids.duplicated(keep="first")


def first_by_identity(rows: pd.DataFrame, columns: list[str]) -> pd.Series:
    """True for the first row of each combination of ``columns`` (``~rows.duplicated(columns)``);
    the first column is an id, nearly unique: only rows sharing theirs with another row are
    compared on every column (comparing ten million order lines on eight columns takes seconds).

    >>> first_by_identity(pd.DataFrame({"id": ["a", "b", "a", "a"], "n": [1, 2, 1, 3]}), ["id", "n"]).tolist()
    [True, True, False, True]
    """
    shared = rows[columns[0]].duplicated(keep=False).to_numpy(dtype=bool)
    first = np.ones(len(rows), dtype=bool)
    if shared.any():
        first[shared] = ~rows[columns].iloc[np.flatnonzero(shared)].duplicated(keep="first").to_numpy(dtype=bool)
    return pd.Series(first, index=rows.index)
