"""ingest.match: blocking, scoring and clustering of customer rows, checked case by case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custreport.ingest.match import (TYPO_KEY_MAX_LENGTH, MatchRules, block_pairs, blocking_keys, cluster_labels,
                                     core_names, deletion_keys, match_clusters, match_features, score_pairs)
from custreport.ingest.pipeline import match_warnings

PLACES = frozenset({"杭州", "宁波", "成都", "浙江", "上海"})


def rows(**columns) -> pd.DataFrame:
    count = len(next(iter(columns.values())))
    base: dict = {"name_key": [None] * count, "phone": [None] * count, "email": [None] * count,
            "address": [None] * count, "province": [None] * count}
    base.update(columns)
    return pd.DataFrame(base)


def labels(frame: pd.DataFrame, **rules) -> list[int]:
    return cluster_labels(match_features(frame, PLACES), MatchRules(**rules)).tolist()


def test_core_names_strip_places_at_either_end_and_twice():
    cores, places = core_names(pd.Series(["杭州华信科技", "华信科技杭州", "浙江杭州华信科技", "杭州", "华信"]), PLACES)
    assert cores.tolist() == ["华信科技", "华信科技", "华信科技", "杭州", "华信"]  # too short to strip
    assert places.fillna("").tolist() == ["杭州", "杭州", "浙江", "", ""]


def test_same_name_key_is_one_customer():
    # name +6 reaches the threshold 5 on its own
    assert labels(rows(name_key=["华信科技", "华信科技", "金鼎贸易"])) == [0, 0, 1]


def test_same_name_with_another_phone_is_still_one_customer():
    # name +6, phones differ -1 -> 5: companies have several numbers
    assert labels(rows(name_key=["华信科技", "华信科技"], phone=["+8613800138000", "+8657188889999"])) == [0, 0]


def test_same_name_in_two_provinces_is_two_customers():
    # name +6, province differs -3 -> 3 < 5
    assert labels(rows(name_key=["华信科技", "华信科技"], province=["浙江", "四川"])) == [0, 1]


def test_city_prefix_dropped_needs_one_more_agreement():
    # core name +4 only -> no match; with the same province +1 -> 5 -> match
    assert labels(rows(name_key=["杭州华信科技", "华信科技"])) == [0, 1]
    assert labels(rows(name_key=["杭州华信科技", "华信科技"], province=["浙江", "浙江"])) == [0, 0]


def test_names_naming_two_different_cities_are_two_customers():
    # core +4, same province +1, other place in name -4 -> 1
    assert labels(rows(name_key=["杭州华信科技", "宁波华信科技"], province=["浙江", "浙江"])) == [0, 1]


def test_one_character_typo_with_the_same_phone_is_one_customer():
    # 华信科技贸易 vs 华兴科技贸易: similarity 5/6 = 0.83 -> loose +0.5; phone +4 -> 4.5 < 5: no;
    # with the same email as well +4 -> 8.5: yes
    frame = rows(name_key=["华信科技贸易", "华兴科技贸易"], phone=["+8613800138000"] * 2)
    assert labels(frame) == [0, 1]
    frame = rows(name_key=["华信科技贸易", "华兴科技贸易"], phone=["+8613800138000"] * 2, email=["a@b.cn"] * 2)
    assert labels(frame) == [0, 0]


def test_different_names_sharing_a_phone_stay_apart():
    # name similarity 0 -> -3; phone +4 -> 1 (a shared switchboard is not a merge)
    assert labels(rows(name_key=["华信科技", "金鼎贸易"], phone=["+8602112345678"] * 2)) == [0, 1]


def test_declared_evidence_counts_both_ways():
    base = dict(name_key=["johnsmith", "jonsmith"])
    # names 8/9 = 0.89 -> near +2; same dob +4 -> 6: match
    assert labels(rows(**base, ev_dob=["19800101", "19800101"])) == [0, 0]
    # different dob (ratio 0.75 < 0.8) -2 -> 0: apart
    assert labels(rows(**base, ev_dob=["19800101", "19751231"])) == [0, 1]


def test_clusters_are_transitive_and_numbered_in_input_order():
    frame = rows(name_key=["乙公司", "甲科技", "甲科技", "丙贸易"], phone=[None, "+8613800138000", None, "+8613800138000"])
    # rows 1-2 share a name (+6); rows 1-3 share only the phone with unrelated names -> apart
    assert labels(frame) == [0, 1, 1, 2]


def test_oversized_blocks_are_compared_by_sorted_neighbourhood():
    keyed = blocking_keys(match_features(rows(name_key=["甲"] * 5), PLACES))["name_key"]
    assert len(block_pairs(keyed, max_block=5)) == 10  # 5 choose 2
    # over the limit: each row with its next 2 once sorted -> 4 + 3 pairs, never none
    assert len(block_pairs(keyed, max_block=4, window=2)) == 7


def test_a_thousand_rows_of_one_name_are_one_customer_without_pairwise_scoring():
    labels_, report = match_clusters(match_features(rows(name_key=["淘宝店铺"] * 1000), PLACES), MatchRules())
    assert set(labels_.tolist()) == {0}
    assert report.windowed_rows == {}   # joined exactly: nothing over any limit


def test_one_source_id_on_many_rows_is_one_customer_whatever_the_names():
    frame = rows(name_key=["华信科技", "华信科技有限", "金鼎"] * 100, source=["crm"] * 300,
                 source_customer_id=["C1"] * 300)
    assert set(labels(frame)) == {0}
    # the same id in another source is not evidence
    frame = rows(name_key=["华信", "金鼎"], source=["crm", "erp"], source_customer_id=["C1", "C1"])
    assert labels(frame) == [0, 1]


def test_a_name_joined_exactly_joins_its_own_rows_only():
    # 甲 rows disagree (provinces: 6 - 3 = 3, apart); 乙 rows agree on everything: joined exactly
    frame = rows(name_key=["甲公司", "甲公司", "乙公司", "乙公司"], province=["浙江", "四川", None, None])
    assert labels(frame) == [0, 1, 2, 2]


def test_two_firms_of_one_name_in_two_provinces_stay_apart_at_any_size():
    frame = rows(name_key=["华信科技"] * 1000, phone=["+8657188880000", "+8602888880000"] * 500,
                 province=["浙江", "四川"] * 500)
    # each firm joined by name and phone; between them name +6, phone -1, province -3 -> 2 < 5
    assert labels(frame) == [0, 1] * 500


def test_a_block_over_the_limit_is_reported_and_still_joined():
    # 300 rows of one name, each with its own phone: nothing exact, the block is over max_block
    frame = rows(name_key=["华信科技"] * 300, phone=[f"+86138{i:08d}" for i in range(300)])
    labels_, report = match_clusters(match_features(frame, PLACES), MatchRules())
    assert set(labels_.tolist()) == {0}   # neighbours chain: name +6, phone -1 -> 5
    assert report.windowed_blocks == {"name_key": 1} and report.windowed_rows == {"name_key": 300}
    warnings = match_warnings(report, MatchRules())
    assert warnings["code"].tolist() == ["dedupe_window"] and warnings["count"].tolist() == [300]
    assert "max_block: 300" in warnings["remedy"].iloc[0]
    _, report = match_clusters(match_features(frame, PLACES), MatchRules(max_block=300))
    assert report.windowed_rows == {}


def test_one_typo_variants_pair_names_one_character_apart():
    variants = deletion_keys(pd.Series(["华信电子科技", "华兴电子科技", "金鼎贸易有限"]))
    pairs = block_pairs(variants, max_block=20)
    # 华信电子科技 and 华兴电子科技 share 华电子科技 (second character removed)
    assert pairs.values.tolist() == [[0, 1]]
    assert deletion_keys(pd.Series(["华信科技"]), min_length=5).empty  # too short to guess at


def test_keys_longer_than_the_limit_give_no_one_typo_variants():
    # n variants of n characters: a pasted paragraph would make hundreds of millions.
    long_name = "华" * (TYPO_KEY_MAX_LENGTH + 1)
    variants = deletion_keys(pd.Series([long_name, "华信电子科技"]))
    assert variants.loc[variants["row"] == 0, "key"].tolist() == [long_name]
    assert (variants["row"] == 1).sum() == 7


def test_scores_are_per_pair():
    features = match_features(rows(name_key=["华信科技", "华信科技", "金鼎贸易"]), PLACES)
    pairs = pd.DataFrame({"row_a": [0, 0], "row_b": [1, 2]})
    score = score_pairs(features, pairs, MatchRules())
    assert score[0] == pytest.approx(6.0) and score[1] < 0


def test_no_rows_gives_no_labels():
    assert cluster_labels(match_features(rows(name_key=[]), PLACES), MatchRules()).size == 0
    assert isinstance(cluster_labels(match_features(rows(name_key=["a"]), PLACES), MatchRules()), np.ndarray)


def test_people_sharing_a_surname_weigh_on_their_other_evidence():
    base = dict(name_key=["marysmith", "janesmith"], name=["mary smith", "jane smith"], ev_dob=["19800101"] * 2)
    # names differ (0.67) but share "smith": 0 instead of -3; same dob +4 -> 4 < 5: apart
    assert labels(rows(**base)) == [0, 1]
    # and the same address +2 -> 6: one person whose given name was mistyped or replaced
    assert labels(rows(**base, address=["12 Hill St"] * 2)) == [0, 0]
