"""The canonical tables: their columns, types and the one validation point.

Every table keeps lineage (``source``, ``source_sheet``, ``source_row``) so any
number in a report can be traced back to the input rows it came from. Columns
a source has but the schema does not know are kept with an ``x_`` prefix.

>>> conform(pd.DataFrame({"customer_id": ["C1"], "name": ["甲"], "region": ["east"]}), "customers").dtypes["created_at"]
dtype('<M8[ms]')
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT = "string"
DATE = "datetime64[ms]"
NUMBER = "float64"
COUNT = "Int64"

LINEAGE = {"source": TEXT, "source_sheet": TEXT, "source_row": COUNT}

COLUMNS: dict[str, dict[str, str]] = {
    "customers": {
        "customer_id": TEXT, "name": TEXT, "region": TEXT,
        "province": TEXT, "city": TEXT, "country": TEXT, "industry": TEXT,
        "customer_type": TEXT, "owner_rep": TEXT, "phone": TEXT, "phone_type": TEXT, "phone_invalid": TEXT,
        "email": TEXT, "email_invalid": TEXT, "contact": TEXT, "address": TEXT, "channel": TEXT, "created_at": DATE,
        "credit_rating": TEXT, "potential_value": NUMBER, "annual_purchases": NUMBER, "intent": TEXT,
        "status": TEXT, "tenure_months": NUMBER, "monthly_charge": NUMBER, "total_charges": NUMBER,
        "name_key": TEXT, "source_customer_id": TEXT,
        **LINEAGE,
    },
    "orders": {
        "order_id": TEXT, "customer_id": TEXT, "order_date": DATE, "amount": NUMBER,
        "quantity": NUMBER, "unit_price": NUMBER, "product": TEXT, "channel": TEXT, "status": TEXT,
        "region": TEXT, "currency": TEXT,
        **LINEAGE,
    },
    "deals": {
        "deal_id": TEXT, "stage": TEXT, "created_at": DATE,
        "customer_id": TEXT, "closed_at": DATE, "amount": NUMBER, "owner_rep": TEXT,
        "lead_source": TEXT, "product": TEXT, "outcome": TEXT, "stage_changed_at": DATE, "region": TEXT,
        "currency": TEXT, "lead_id": TEXT,
        **LINEAGE,
    },
    "interactions": {
        "customer_id": TEXT, "date": DATE, "kind": TEXT,
        "satisfaction": NUMBER, "status": TEXT, "note": TEXT,
        **LINEAGE,
    },
    "leads": {
        "lead_id": TEXT, "created_at": DATE, "lead_source": TEXT, "status": TEXT, "converted_at": DATE,
        "deal_id": TEXT, "customer_id": TEXT, "owner_rep": TEXT, "region": TEXT,
        **LINEAGE,
    },
    "reps": {
        "rep_id": TEXT, "name": TEXT, "region": TEXT,
        "manager": TEXT, "industries": TEXT, "capacity": NUMBER,
        **LINEAGE,
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "name", "region"),
    "orders": ("order_id", "customer_id", "order_date", "amount"),
    "deals": ("deal_id", "stage"),  # CRMs export early-stage deals without any date
    "interactions": ("customer_id", "date", "kind"),
    "leads": ("lead_id", "created_at"),
    "reps": ("rep_id", "name", "region"),
}

ORDER_STATUSES = ("completed", "returned", "cancelled")
DEAL_OUTCOMES = ("open", "won", "lost")
CUSTOMER_TYPES = ("prospect", "active", "churned")
INTERACTION_STATUSES = ("open", "resolved")
LEAD_STATUSES = ("open", "converted", "disqualified")
TABLES = tuple(COLUMNS)

# The store's money columns and the currency column saying what they are in.
MONEY_COLUMNS = {"orders": ("amount", "unit_price"), "deals": ("amount",)}


def store_currencies(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The currencies the amounts of ``tables`` (orders, deals) are in, sorted; rows without an
    amount do not count.

    >>> store_currencies({"orders": pd.DataFrame({"amount": [1.0, None], "currency": ["USD", "EUR"]})})
    ['USD']
    """
    found: set[str] = set()
    for table, frame in tables.items():
        if table in MONEY_COLUMNS and "currency" in frame and len(frame):
            priced = frame["amount"].notna()
            found.update(str(code) for code in frame.loc[priced, "currency"].dropna().unique())
    return sorted(found)


def id_codes(ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Integer codes of an id column: equal ids get equal codes, numbered 0, 1, ... in order of
    first appearance; -1 where the id is missing. Grouping by them skips hashing the strings.

    >>> id_codes(pa.array(["b", "a", None, "b"])).to_pylist()
    [0, 1, -1, 0]
    """
    if isinstance(ids, pa.ChunkedArray):   # one dictionary for all rows, not one per chunk
        ids = ids.combine_chunks()
    return pc.dictionary_encode(ids).indices.fill_null(-1).cast(pa.int32())


def empty_frame(table: str) -> pd.DataFrame:
    """A zero-row frame with the table's canonical columns and types."""
    return pd.DataFrame({col: pd.Series(dtype=dtype) for col, dtype in COLUMNS[table].items()})


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return ``frame`` with every canonical column present, typed, in canonical order.

    Extra (``x_``) columns follow the canonical ones; anything else is dropped.
    """
    spec = COLUMNS[table]
    columns = {}
    for col, dtype in spec.items():
        if col in frame:
            columns[col] = frame[col].astype(dtype)
        else:
            columns[col] = pd.Series(pd.array([None] * len(frame), dtype=dtype), index=frame.index)
    extras = [col for col in frame.columns if col.startswith("x_") and col not in spec]
    # No second copy of ten million rows: copy-on-write keeps the input safe all the same.
    out = pd.DataFrame(columns, index=frame.index, copy=False)
    for col in extras:
        out[col] = frame[col].astype(TEXT)
    return out.reset_index(drop=True)


@lru_cache(maxsize=None)
def pandera_schema(table: str):
    """The pandera schema of a table (built on first use: pandera is slow to import)."""
    import pandera.pandas as pa

    checks = {
        "orders": {"status": pa.Check.isin(ORDER_STATUSES)},
        "deals": {"outcome": pa.Check.isin(DEAL_OUTCOMES)},
        "customers": {"customer_type": pa.Check.isin(CUSTOMER_TYPES), "status": pa.Check.isin(CUSTOMER_TYPES)},
        "interactions": {"status": pa.Check.isin(INTERACTION_STATUSES)},
        "leads": {"status": pa.Check.isin(LEAD_STATUSES)},
    }.get(table, {})
    columns = {
        col: pa.Column(
            dtype,
            nullable=col not in REQUIRED[table],
            checks=checks.get(col),
            unique=(table, col) in (("customers", "customer_id"), ("leads", "lead_id")),
        )
        for col, dtype in COLUMNS[table].items()
    }
    return pa.DataFrameSchema(columns, strict=False, ordered=False)


def validate(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Check a canonical table against its schema (all errors collected, then raised).

    Raises ``pandera.errors.SchemaErrors``: a failure here is a defect of custreport,
    not of the user's data, because ingest quarantines bad rows before this point.
    """
    return pandera_schema(table).validate(frame, lazy=True)
