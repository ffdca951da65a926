"""Tests for custreport.analysis.quality: the ingest figures the quality report shows."""

from __future__ import annotations

import pandas as pd

from custreport.analysis.quality import (MERGED_CUSTOMER_COLUMNS, completeness_table, customers_merged_from_rows,
                                         pairwise_scores, records_merged_into)

LINEAGE = pd.DataFrame({
    "source": ["crm", "crm", "sheet", "sheet", "sheet", "orders", "orders", "crm"],
    "status": ["loaded", "merged", "merged", "loaded", "quarantined", "loaded", "merged", "non_data"],
    "record_id": ["C1", "C1", "C1", "C2", None, "O1", "O1", None],
}, dtype="string")


def test_records_merged_into_counts_distinct_records_per_source():
    assert records_merged_into(LINEAGE).to_dict() == {"crm": 1, "orders": 1, "sheet": 1}
    assert records_merged_into(pd.DataFrame()).empty


def test_customers_merged_from_rows_lists_customers_of_two_or_more_customer_rows():
    frame = customers_merged_from_rows(LINEAGE, pd.Series(["crm", "sheet"]))
    # C1: crm loaded + crm merged + sheet merged; C2 has one row; order lines are not customer rows.
    assert frame.values.tolist() == [["C1", 3, "crm, sheet"]]
    assert list(frame.columns) == MERGED_CUSTOMER_COLUMNS
    assert frame.dtypes.astype(str).tolist() == ["string", "int64", "string"]
    none = customers_merged_from_rows(LINEAGE, pd.Series([], dtype="string"))
    assert none.empty and list(none.columns) == MERGED_CUSTOMER_COLUMNS


def test_inputs_are_not_modified():
    before = LINEAGE.copy()
    customers_merged_from_rows(LINEAGE, pd.Series(["crm"]))
    records_merged_into(LINEAGE)
    pd.testing.assert_frame_equal(LINEAGE, before)


def test_pairwise_scores_by_hand():
    # predicted {1,2} {3} vs truth {1,2,3}: one predicted pair, correct; three true pairs.
    scores = pairwise_scores(pd.Series([1, 1, 2]), pd.Series(["a", "a", "a"]))
    assert scores == {"precision": 1.0, "recall": 0.3333, "f1": 0.5, "true_pairs": 3, "predicted_pairs": 1,
                      "correct_pairs": 1}


def test_completeness_table_pivots_share_by_column_and_source():
    completeness = pd.DataFrame({"source": ["a", "b"], "column": ["phone", "phone"], "share": [0.5, 1.0]})
    assert completeness_table(completeness).loc["phone"].to_dict() == {"a": 0.5, "b": 1.0}
    assert completeness_table(pd.DataFrame()).empty
