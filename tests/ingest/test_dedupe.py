"""Tests for custreport.ingest.dedupe: stable ids, golden records, first occurrence."""

from __future__ import annotations

import base64
import hashlib

import pandas as pd

from custreport.ingest.dedupe import first_occurrence, golden_records, stable_ids


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
    golden, member_ids = golden_records(rows)
    # One record per key, in first-seen order.
    assert golden["name_key"].tolist() == ["华信科技", "中关村软件"]
    huaxin = golden.iloc[0]
    # First non-empty value per column: name from row 0, phone from row 1, email from row 3.
    assert huaxin["name"] == "华信科技有限公司"
    assert huaxin["phone"] == "+8613800138000"
    assert huaxin["email"] == "hx@huaxin.com"
    assert huaxin["source"] == "crm"
    # created_at is the earliest: min(2023-05-01, NaT, 2021-06-01) = 2021-06-01.
    assert huaxin["created_at"] == pd.Timestamp("2021-06-01")
    assert golden.iloc[1]["created_at"] == pd.Timestamp("2022-01-01")
    # Each row knows the customer it became.
    assert member_ids.tolist() == [huaxin["customer_id"], huaxin["customer_id"], golden.iloc[1]["customer_id"],
                                   huaxin["customer_id"]]
    assert golden["customer_id"].tolist() == [expected_id("华信科技", "C"), expected_id("中关村软件", "C")]


def test_golden_records_without_created_at():
    rows = pd.DataFrame({"name": ["甲", "甲公司"], "name_key": ["甲", "甲"]})
    golden, member_ids = golden_records(rows)
    assert golden[["name"]].values.tolist() == [["甲"]]
    assert member_ids.nunique() == 1


def test_golden_records_other_key():
    rows = pd.DataFrame({"name": ["a", "b"], "tax_no": ["91330100", "91330100"]})
    golden, _ = golden_records(rows, key="tax_no")
    assert len(golden) == 1 and golden["name"].iloc[0] == "a"


def test_first_occurrence():
    ids = pd.Series(["C1", "C2", "C1", "C3", "C2"], dtype="string")
    assert first_occurrence(ids).tolist() == [True, True, False, True, False]
