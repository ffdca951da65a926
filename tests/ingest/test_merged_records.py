"""Tests for custreport.ingest.merged_records: the merges the quality report shows."""

from __future__ import annotations

import pandas as pd

from custreport.ingest.merged_records import MERGED_CUSTOMER_COLUMNS, customers_merged_from_rows, records_merged_into

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
