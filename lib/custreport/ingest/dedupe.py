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

import base64
import hashlib

import numpy as np
import pandas as pd

REGISTRY_COLUMNS = ["name_key", "customer_id"]
# Fields that make a row "complete" for choosing the display name.
_COMPLETENESS = ["name", "province", "city", "industry", "owner_rep", "phone", "email", "address", "created_at"]


def stable_ids(keys: pd.Series, prefix: str) -> pd.Series:
    """Deterministic id per key: ``prefix`` + 12 base32 characters of a BLAKE2 hash (60 bits).

    >>> stable_ids(pd.Series(["华信科技"]), "C").str.len().tolist()
    [13]
    """
    codes, uniques = pd.factorize(keys.astype("string"))
    ids = [prefix + base64.b32encode(hashlib.blake2b(str(k).encode("utf-8"), digest_size=8).digest())
           .decode("ascii")[:12] for k in uniques]
    return pd.Series(pd.array(ids, dtype="string").take(codes), index=keys.index, dtype="string")


def assign_ids(name_keys: pd.Series, labels: np.ndarray, registry: pd.DataFrame | None) -> pd.Series:
    """The customer id of every row's cluster (aligned with ``name_keys``)."""
    frame = pd.DataFrame({"key": name_keys.astype("string").to_numpy(), "label": labels})
    known = {} if registry is None or registry.empty else dict(zip(registry["name_key"], registry["customer_id"]))
    frame["known"] = frame["key"].map(known).astype("string")
    votes = (frame.dropna(subset=["known"]).groupby(["label", "known"]).size()
             .rename("votes").reset_index().sort_values(["votes", "known"], ascending=[False, True]))
    chosen: dict[int, str] = {}
    taken: set[str] = set()
    # Bigger claims first: when a customer was split, the larger part keeps the old id.
    for label, known_id in zip(votes["label"], votes["known"]):
        if label not in chosen and known_id not in taken:
            chosen[label] = known_id
            taken.add(known_id)
    fresh = frame[~frame["label"].isin(chosen)]
    if len(fresh):
        smallest = fresh.groupby("label")["key"].min()
        made = stable_ids(smallest, "C")
        for label, new_id in made.items():
            chosen[label] = new_id if new_id not in taken else stable_ids(pd.Series([f"{new_id}/{label}"]), "C").iloc[0]
            taken.add(chosen[label])
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
    first_rows = ranked.groupby("_label", sort=True).first()
    for column in ("source", "source_sheet", "source_row", "source_file"):
        if column in first_rows:
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
    kept = registry[~registry["name_key"].isin(now["name_key"])]
    return pd.concat([now, kept[REGISTRY_COLUMNS]], ignore_index=True)


def first_occurrence(ids: pd.Series) -> pd.Series:
    """True for the first row of each id: the one that is loaded; later ones are merged into it."""
    return ~ids.duplicated(keep="first")
