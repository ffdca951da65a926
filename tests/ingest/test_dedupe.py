"""Tests for custreport.ingest.dedupe: stable ids, golden records, first occurrence."""

from __future__ import annotations

import base64
import hashlib

import numpy as np
import pandas as pd

from custreport.ingest.dedupe import assign_ids, first_occurrence, golden_records, stable_ids


def expected_id(key: str, prefix: str) -> str:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return prefix + base64.b32encode(digest).decode("ascii")[:12]


def test_stable_ids_deterministic_prefix_and_length():
    keys = pd.Series(["华信科技", "中关村软件", "华信科技"], index=[5, 6, 7], dtype="string")
    ids = stable_ids(keys, "C")
    assert list(ids.index) == [5, 6, 7]
    assert str(ids.dtype) == "string"
    assert ids.iloc[0] == ids.iloc[2] != ids.iloc[1]
    assert ids.iloc[0] == expected_id("华信科技", "C")
    assert ids.str.len().tolist() == [13, 13, 13]
    assert ids.str.fullmatch(r"C[A-Z2-7]{12}").all()
    # The id of a key does not depend on which other keys are present, or their order.
    assert stable_ids(pd.Series(["中关村软件", "新客户", "华信科技"]), "C").tolist()[::2] == [
        ids.iloc[1], ids.iloc[0]]


def test_stable_ids_prefix():
    assert stable_ids(pd.Series(["k"]), "O").iloc[0] == expected_id("k", "O")
    assert stable_ids(pd.Series(["k"]), "DEAL-").str.len().iloc[0] == 5 + 12


def test_golden_records_survivorship():
    rows = pd.DataFrame({
        "name": ["华信科技有限公司", "华信科技", "中关村软件", "华 信科技"],
        "name_key": ["华信科技", "华信科技", "中关村软件", "华信科技"],
        "phone": [None, "+8613800138000", "+861012345678", "+8613900139000"],
        "email": [None, None, None, "hx@huaxin.com"],
        "created_at": pd.to_datetime(["2023-05-01", None, "2022-01-01", "2021-06-01"]),
        "source": ["crm", "book", "crm", "book"],
    })
    golden, member_ids, registry = golden_records(rows, np.array([0, 0, 1, 0]), registry=None)
    # One record per cluster, in first-seen order.
    assert golden["name_key"].tolist() == ["华信科技", "中关村软件"]
    huaxin = golden.iloc[0]
    # Name from the most complete row: row 3 has name, phone, email, created_at (4 filled) vs 2, 2.
    assert huaxin["name"] == "华 信科技"
    # Other fields: most recent non-empty. By created_at: row 0 (2023), row 3 (2021), row 1 (none, last).
    assert huaxin["phone"] == "+8613900139000"  # row 0 has none, row 3 is next
    assert huaxin["email"] == "hx@huaxin.com"
    # Lineage points at the first row in source order.
    assert huaxin["source"] == "crm"
    # created_at is the earliest: min(2023-05-01, NaT, 2021-06-01) = 2021-06-01.
    assert huaxin["created_at"] == pd.Timestamp("2021-06-01")
    assert golden.iloc[1]["created_at"] == pd.Timestamp("2022-01-01")
    assert member_ids.tolist() == [huaxin["customer_id"], huaxin["customer_id"], golden.iloc[1]["customer_id"],
                                   huaxin["customer_id"]]
    # A new cluster's id hashes its smallest name key, so the same inputs give the same ids.
    assert golden["customer_id"].tolist() == [expected_id("华信科技", "C"), expected_id("中关村软件", "C")]
    assert dict(zip(registry["name_key"], registry["customer_id"])) == {
        "华信科技": expected_id("华信科技", "C"), "中关村软件": expected_id("中关村软件", "C")}


def test_golden_records_without_created_at():
    rows = pd.DataFrame({"name": ["甲", "甲公司"], "name_key": ["甲", "甲"]})
    golden, member_ids, _ = golden_records(rows, np.array([0, 0]), registry=None)
    assert golden[["name"]].values.tolist() == [["甲"]]
    assert member_ids.nunique() == 1


def test_ids_survive_a_new_name_that_joins_and_sorts_first():
    # Before: cluster {华信科技}. Now a new source adds 上海华信科技 (smaller key) to the same customer:
    # without the registry the smallest key would change the id; with it, the old id stays.
    registry = pd.DataFrame({"name_key": ["华信科技"], "customer_id": ["C_OLD"]})
    ids = assign_ids(pd.Series(["华信科技", "上海华信科技"]), np.array([0, 0]), registry)
    assert ids.tolist() == ["C_OLD", "C_OLD"]
    assert "上海华信科技" < "华信科技"


def test_a_split_customer_keeps_its_id_on_the_larger_part():
    registry = pd.DataFrame({"name_key": ["a", "b", "c"], "customer_id": ["C1", "C1", "C1"]})
    ids = assign_ids(pd.Series(["a", "b", "c"]), np.array([0, 0, 1]), registry)
    assert ids.tolist()[:2] == ["C1", "C1"] and ids.iloc[2] not in ("C1", None)


def test_merged_customers_keep_the_id_most_names_carry():
    registry = pd.DataFrame({"name_key": ["a", "b", "c"], "customer_id": ["C1", "C2", "C2"]})
    assert assign_ids(pd.Series(["a", "b", "c"]), np.array([0, 0, 0]), registry).tolist() == ["C2"] * 3


def test_registry_remembers_names_no_longer_seen():
    registry = pd.DataFrame({"name_key": ["gone"], "customer_id": ["C9"]})
    _, _, updated = golden_records(pd.DataFrame({"name": ["甲"], "name_key": ["甲"]}), np.array([0]), registry)
    assert set(updated["name_key"]) == {"甲", "gone"}


def test_first_occurrence():
    ids = pd.Series(["C1", "C2", "C1", "C3", "C2"], dtype="string")
    assert first_occurrence(ids).tolist() == [True, True, False, True, False]
