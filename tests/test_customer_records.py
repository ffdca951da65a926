"""customer_records: the golden records and the source rows behind each, on tiny frames."""

from __future__ import annotations

import pandas as pd

from custreport.customer_records import customer_sources, golden_records, source_rows

LINEAGE = pd.DataFrame({
    "source": ["crm", "crm", "book", "book", "book", "orders"],
    "source_file": ["a.csv", "a.csv", "b.xlsx", "b.xlsx", "b.xlsx", "o.csv"],
    "source_sheet": [None, None, "华东", "华东", "华东", None],
    "source_row": [2, 3, 1, 4, 5, 2],
    "source_key": [None] * 6,
    "status": ["loaded", "quarantined", "non_data", "merged", "loaded", "loaded"],
    "record_id": ["C1", None, None, "C1", "C2", "O1"],
})
QUARANTINE = pd.DataFrame({"source": ["crm", "crm"], "source_file": ["a.csv", "a.csv"], "source_sheet": [None, None],
                           "source_row": [3, 3], "source_key": [None, None],
                           "reason": ["missing customer name", "invalid date"]})
CUSTOMERS = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "name": ["甲公司", "乙公司", "丙公司"],
                          "phone": ["+8613812345678", None, None], "name_key": ["甲", "乙", "丙"],
                          "source": ["crm", "book", "orders"], "source_row": [2, 5, 2]})


def test_each_customer_counts_the_rows_and_sources_it_was_made_from():
    golden = golden_records(CUSTOMERS, LINEAGE, ["crm", "book"])
    assert golden.columns.tolist() == ["customer_id", "name", "phone", "source_rows", "sources"]
    assert golden["source_rows"].tolist() == [2, 1, 0]     # C3 was named by orders only
    assert golden["sources"].tolist()[:2] == ["book, crm", "book"] and pd.isna(golden["sources"][2])
    assert golden.loc[0, "phone"] == "+8613812345678"      # unmasked: it goes back to the CRM


def test_every_customer_row_says_what_it_became_and_orders_are_left_out():
    rows = source_rows(LINEAGE, QUARANTINE, ["crm", "book"])
    assert rows[["source", "source_row", "status", "customer_id"]].astype(object).where(rows.notna(), None) \
        .values.tolist() == [["book", 1, "non_data", None], ["book", 4, "merged", "C1"], ["book", 5, "loaded", "C2"],
                             ["crm", 2, "loaded", "C1"], ["crm", 3, "quarantined", None]]
    assert rows["reason"].tolist()[4] == "missing customer name"     # the first reason of the row
    assert rows["reason"].isna().sum() == 4


def test_customer_sources_come_from_the_accounting():
    accounting = pd.DataFrame({"source": ["crm", "orders", "book"], "table": ["customers", "orders", "customers"]})
    assert customer_sources(accounting) == ["crm", "book"]
    assert customer_sources(pd.DataFrame()) == []
