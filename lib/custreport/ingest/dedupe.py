"""Golden customer records and stable ids.

Rows with the same matching key (the normalised company name) are one customer.
Survivorship: for every column the first non-empty value in source priority
order (the order of params/sources.yaml, then file, sheet and row order) wins,
except ``created_at``, which is the earliest seen. The customer id is derived
from the key alone, so the same inputs give the same ids and a new source file
never renumbers existing customers.

>>> golden, member_ids = golden_records(pd.DataFrame({"name": ["华信科技有限公司", "华信科技"],
...     "name_key": ["华信科技", "华信科技"], "phone": [None, "+8613800138000"]}))
>>> golden[["name", "phone"]].values.tolist(), member_ids.nunique()
([['华信科技有限公司', '+8613800138000']], 1)
"""

from __future__ import annotations

import base64
import hashlib

import pandas as pd


def stable_ids(keys: pd.Series, prefix: str) -> pd.Series:
    """Deterministic id per key: ``prefix`` + 12 base32 characters of a BLAKE2 hash (60 bits).

    >>> stable_ids(pd.Series(["华信科技"]), "C").str.len().tolist()
    [13]
    """
    codes, uniques = pd.factorize(keys.astype("string"))
    ids = [prefix + base64.b32encode(hashlib.blake2b(str(k).encode("utf-8"), digest_size=8).digest())
           .decode("ascii")[:12] for k in uniques]
    return pd.Series(pd.array(ids, dtype="string").take(codes), index=keys.index, dtype="string")


def golden_records(rows: pd.DataFrame, key: str = "name_key") -> tuple[pd.DataFrame, pd.Series]:
    """Collapse rows sharing ``key`` into one record each.

    Returns the golden records (one per key, in first-seen order, with ``customer_id``)
    and, aligned with ``rows``, the customer id each row became.
    """
    member_ids = stable_ids(rows[key], "C")
    grouped = rows.assign(customer_id=member_ids).groupby("customer_id", sort=False, dropna=False)
    golden = grouped.first()
    if "created_at" in rows:
        golden["created_at"] = grouped["created_at"].min()
    return golden.reset_index(), member_ids


def first_occurrence(ids: pd.Series) -> pd.Series:
    """True for the first row of each id: the one that is loaded; later ones are merged into it."""
    return ~ids.duplicated(keep="first")
