"""Which raw rows ingest merged into one record: per source, the records its duplicate rows
went into, and the customers built from two or more rows (the quality report lists them).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def records_merged_into(lineage: pd.DataFrame) -> pd.Series:
    """Per source, the distinct records its merged (duplicate) rows were merged into.

    >>> lineage = pd.DataFrame({"source": ["crm", "crm", "crm", "erp"],
    ...     "status": ["loaded", "merged", "merged", "merged"], "record_id": ["C1", "C1", "C1", "O9"]})
    >>> records_merged_into(lineage).to_dict()
    {'crm': 1, 'erp': 1}
    """
    if not {"status", "record_id", "source"} <= set(lineage.columns):
        return pd.Series(dtype="int64")
    rows = lineage[lineage["status"] == "merged"]
    return rows.groupby(rows["source"].astype("string"))["record_id"].nunique().astype("int64")


MERGED_CUSTOMER_COLUMNS = ["customer_id", "source_rows", "sources"]


def customers_merged_from_rows(lineage: pd.DataFrame, customer_sources: pd.Series) -> pd.DataFrame:
    """Customers built from two or more raw rows of ``customer_sources``: their id, how many rows,
    and the sources (sorted, comma-separated); by customer id.

    >>> lineage = pd.DataFrame({"source": ["crm", "xlsx", "crm", "crm"],
    ...     "status": ["loaded", "merged", "loaded", "quarantined"], "record_id": ["C1", "C1", "C2", None]})
    >>> customers_merged_from_rows(lineage, pd.Series(["crm", "xlsx"])).values.tolist()
    [['C1', 2, 'crm, xlsx']]
    """
    sources = set(customer_sources.dropna().astype(str))
    if not sources or not {"status", "record_id", "source"} <= set(lineage.columns):
        return pd.DataFrame({"customer_id": pd.Series(dtype="string"), "source_rows": pd.Series(dtype="int64"),
                             "sources": pd.Series(dtype="string")})
    rows = lineage.loc[lineage["status"].isin(["loaded", "merged"]) & lineage["source"].isin(sources),
                       ["record_id", "source"]].astype("string").dropna()
    counts = rows.groupby("record_id").size()
    counts = counts[counts >= 2]
    distinct = rows[rows["record_id"].isin(counts.index)].drop_duplicates().sort_values(["record_id", "source"])
    # Joined in Arrow: a Python join per customer takes seconds for a million customers.
    lists = pa.Table.from_pandas(distinct, preserve_index=False).group_by("record_id", use_threads=False) \
        .aggregate([("source", "list")])
    joined = pc.binary_join(lists["source_list"], pa.scalar(", ", pa.large_string()))
    named = pd.Series(joined.to_pandas(types_mapper=pd.ArrowDtype).array, index=lists["record_id"].to_pandas(),
                      dtype="string")
    frame = pd.DataFrame({"source_rows": counts, "sources": named}).rename_axis("customer_id").reset_index()
    return frame.astype({"customer_id": "string", "source_rows": "int64", "sources": "string"})[MERGED_CUSTOMER_COLUMNS]
