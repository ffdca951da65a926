"""The golden customer records and the source rows each was made from, as `custreport export
customers` hands them back to a CRM: one row per customer with its stable id, and one row per
raw customer row saying which customer it became (or why it became none).
"""

from __future__ import annotations

import pandas as pd

# What a CRM re-imports: the customer's own columns, never the store's internal keys.
INTERNAL_COLUMNS = ("name_key", "source", "source_sheet", "source_row")
SOURCE_ROW_COLUMNS = ["source", "source_file", "source_sheet", "source_row", "source_key", "status", "customer_id",
                      "reason"]


def golden_records(customers: pd.DataFrame, lineage: pd.DataFrame, customer_sources: list[str]) -> pd.DataFrame:
    """One row per customer: its id and columns, how many source rows it was made from and
    which sources they came from.

    >>> customers = pd.DataFrame({"customer_id": ["C1", "C2"], "name": ["甲公司", "乙公司"], "name_key": ["甲", "乙"]})
    >>> lineage = pd.DataFrame({"source": ["crm", "book", "crm"], "status": ["loaded", "merged", "loaded"],
    ...                         "record_id": ["C1", "C1", "C2"]})
    >>> golden_records(customers, lineage, ["crm", "book"])[["customer_id", "source_rows", "sources"]]
      customer_id  source_rows    sources
    0          C1            2  book, crm
    1          C2            1        crm
    """
    kept = [c for c in customers.columns if c not in INTERNAL_COLUMNS]
    members = _customer_rows(lineage, customer_sources)
    members = members[members["status"].isin(["loaded", "merged"])]
    by_customer = members.groupby("record_id", sort=False).agg(
        source_rows=("source", "size"), sources=("source", lambda s: ", ".join(sorted(set(s)))))
    out = customers[kept].reset_index(drop=True)
    found = by_customer.reindex(out["customer_id"].astype(object))
    # Customers no customer row made (an orders-only dataset names them from the orders).
    return out.assign(source_rows=pd.array(found["source_rows"].fillna(0).astype("int64").to_numpy()),
                      sources=pd.array(found["sources"].to_numpy(), dtype="string"))


def source_rows(lineage: pd.DataFrame, quarantine: pd.DataFrame, customer_sources: list[str]) -> pd.DataFrame:
    """Every raw row of the customer sources: where it is (file, sheet, row; a database row's
    key), what became of it (loaded, merged, quarantined, non_data), the customer id it is now
    part of, and for a quarantined row the reason.

    >>> lineage = pd.DataFrame({"source": ["crm", "crm"], "source_file": ["a.csv", "a.csv"], "source_row": [2, 3],
    ...                         "status": ["loaded", "quarantined"], "record_id": ["C1", None]})
    >>> quarantine = pd.DataFrame({"source": ["crm"], "source_file": ["a.csv"], "source_row": [3],
    ...                            "reason": ["missing customer name"]})
    >>> source_rows(lineage, quarantine, ["crm"])[["source_row", "status", "customer_id", "reason"]]
       source_row       status customer_id                 reason
    0           2       loaded          C1                   <NA>
    1           3  quarantined        <NA>  missing customer name
    """
    rows = _customer_rows(lineage, customer_sources).reindex(
        columns=[*SOURCE_ROW_COLUMNS[:6], "record_id"]).reset_index(drop=True)
    rows = rows.assign(customer_id=rows["record_id"].where(rows["status"].isin(["loaded", "merged"])))
    place = ["source", "source_file", "source_sheet", "source_row", "source_key"]
    reasons = quarantine.reindex(columns=[*place, "reason"]) if len(quarantine) else \
        pd.DataFrame(columns=[*place, "reason"])
    # One reason per row: the first of the columns a row was set aside for.
    reasons = reasons.drop_duplicates(place)
    joined = rows.astype({c: "string" for c in place if c != "source_row"}).astype({"source_row": "Int64"}).merge(
        reasons.astype({c: "string" for c in place if c != "source_row"}).astype({"source_row": "Int64"}),
        on=place, how="left", validate="many_to_one")
    joined = joined.assign(reason=joined["reason"].where(joined["status"] == "quarantined"))
    # In the order a person finds them in: by source, file, sheet and row (or key).
    joined = joined.sort_values(place, kind="stable", na_position="first").reset_index(drop=True)
    return joined[SOURCE_ROW_COLUMNS].astype({"customer_id": "string", "reason": "string"})


def customer_sources(accounting: pd.DataFrame) -> list[str]:
    """The sources that feed the customers table (a snapshot's accounting knows them)."""
    if accounting.empty:
        return []
    return accounting.loc[accounting["table"] == "customers", "source"].astype(str).tolist()


def _customer_rows(lineage: pd.DataFrame, sources: list[str]) -> pd.DataFrame:
    return lineage[lineage["source"].isin(sources)]
