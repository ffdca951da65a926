"""Tests for custreport.ingest.attach: the customer index, stored and restored, and its two
ways of finding names one typo apart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custreport.ingest.attach import CustomerIndex


def _index(names: list[str], source_ids: list[str | None] | None = None) -> CustomerIndex:
    rows = pd.DataFrame({"name_key": pd.Series(names, dtype="string"),
                         "source_customer_id": pd.Series(source_ids or [None] * len(names), dtype="string")})
    return CustomerIndex(rows, pd.Series([f"C{i}" for i in range(len(names))], dtype="string"), frozenset())


def test_scanning_finds_exactly_the_pairs_the_variants_find():
    rng = np.random.default_rng(1)
    chars = list("华信科技有限公司北京上海广州深圳贸易集团实业电子网络")
    names = list(dict.fromkeys("".join(rng.choice(chars, size=rng.integers(3, 10))) for _ in range(3000)))
    wanted = pd.Series([n[:-1] + "x" for n in names[:300]] + [n + "司" for n in names[300:400]]
                       + [n[1:] for n in names[400:450]] + ["无关的名字甲乙丙丁"], dtype="string")
    scanned = _index(names)._sharing_pairs_by_scan(wanted)
    joined = _index(names)._sharing_pairs(wanted)
    assert len(joined) > 300
    pd.testing.assert_frame_equal(scanned.astype("int64"), joined.astype("int64"))


def test_a_typo_resolves_the_same_whichever_way_the_pairs_are_found():
    names = ["华信科技", "华信科贸", "东方电子网络科技"]
    typos = pd.Series(["华信科技x", "东方电子网洛科技", "完全不同"], dtype="string")
    variants = _index(names)
    variants.SCAN_UP_TO = 0   # every lookup makes the known names' variants
    for index in (_index(names), variants):
        assert index.resolve_names(typos).fillna("none").tolist() == ["C0", "C2", "none"]


def test_the_stored_index_resolves_as_the_index_it_was_made_from():
    index = _index(["acme", "acme", "globex corp"], ["A1", "A2", None])
    index.ids = pd.Series(["C0", "C1", "C2"], dtype="string")
    again = CustomerIndex.from_lookups(index.lookup_frame(), frozenset())
    names = pd.Series(["acme", "globex corp", "globex corq", "unknown name"], dtype="string")
    resolved = again.resolve_names(names).fillna("none").tolist()
    assert resolved == index.resolve_names(names).fillna("none").tolist() == ["none", "C2", "C2", "none"]
    ids = pd.Series(["A1", "A2", "C2", "X9"], dtype="string")
    resolved = again.resolve_ids(ids).fillna("none").tolist()
    assert resolved == index.resolve_ids(ids).fillna("none").tolist() == ["C0", "C1", "C2", "none"]
