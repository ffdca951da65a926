"""Tests for custreport.schema: conform and validate."""

from __future__ import annotations

import pandas as pd
import pandera.errors
import pytest

from custreport import schema


def test_every_table_has_lineage_and_required_columns():
    for table, columns in schema.COLUMNS.items():
        assert {"source", "source_sheet", "source_row"} <= set(columns), table
        assert set(schema.REQUIRED[table]) <= set(columns), table


def test_empty_frame_has_canonical_columns_and_types():
    frame = schema.empty_frame("orders")
    assert len(frame) == 0
    assert list(frame.columns) == list(schema.COLUMNS["orders"])
    assert {col: str(dtype) for col, dtype in frame.dtypes.items()} == {
        col: str(pd.Series(dtype=dtype).dtype) for col, dtype in schema.COLUMNS["orders"].items()}


def test_conform_adds_missing_columns_keeps_extras_drops_others():
    frame = pd.DataFrame({"region": ["east", "south"], "customer_id": ["C1", "C2"], "name": ["甲", "乙"],
                          "x_备注": ["vip", None], "junk": [1, 2], "potential_value": [1.5, None]},
                         index=[10, 20])
    out = schema.conform(frame, "customers")
    canonical = list(schema.COLUMNS["customers"])
    # Canonical columns in canonical order, then the x_ extra; "junk" is dropped.
    assert list(out.columns) == [*canonical, "x_备注"]
    assert list(out.index) == [0, 1]
    assert out["customer_id"].tolist() == ["C1", "C2"]
    assert out["created_at"].dtype == "datetime64[ms]"
    assert out["created_at"].isna().all()
    assert out["potential_value"].dtype == "float64"
    assert out["potential_value"].iloc[0] == 1.5
    assert str(out["source_row"].dtype) == "Int64"
    assert out["source_row"].isna().all()
    assert str(out["phone"].dtype) == "string"
    assert str(out["x_备注"].dtype) == "string"
    assert out["x_备注"].tolist() == ["vip", pd.NA]


def test_conform_casts_present_columns():
    frame = pd.DataFrame({"order_id": ["O1"], "customer_id": ["C1"], "amount": [5],
                          "order_date": pd.to_datetime(["2024-03-05 10:00"]), "source_row": [7]})
    out = schema.conform(frame, "orders")
    assert out["amount"].dtype == "float64" and out["amount"].iloc[0] == 5.0
    assert out["order_date"].dtype == "datetime64[ms]"
    assert out["order_date"].iloc[0] == pd.Timestamp("2024-03-05 10:00")
    assert str(out["source_row"].dtype) == "Int64" and out["source_row"].iloc[0] == 7


def test_conform_empty_frame():
    out = schema.conform(pd.DataFrame(), "deals")
    assert len(out) == 0
    assert list(out.columns) == list(schema.COLUMNS["deals"])


def _orders(**overrides) -> pd.DataFrame:
    values = {"order_id": ["O1", "O2"], "customer_id": ["C1", "C2"],
              "order_date": pd.to_datetime(["2024-01-01", "2024-02-01"]),
              "amount": [10.0, 20.0], "status": ["completed", "returned"]}
    values.update(overrides)
    return schema.conform(pd.DataFrame(values), "orders")


def test_validate_passes_conformed_frames():
    orders = _orders()
    assert schema.validate(orders, "orders") is not None
    customers = schema.conform(pd.DataFrame({"customer_id": ["C1", "C2"], "name": ["甲", "乙"],
                                             "region": ["east", "unknown"],
                                             "customer_type": ["active", None]}), "customers")
    schema.validate(customers, "customers")
    for table in schema.TABLES:
        schema.validate(schema.empty_frame(table), table)


def test_validate_fails_on_bad_status():
    with pytest.raises(pandera.errors.SchemaErrors) as info:
        schema.validate(_orders(status=["completed", "shipped"]), "orders")
    cases = info.value.failure_cases
    assert set(cases["column"]) == {"status"}
    assert cases["failure_case"].tolist() == ["shipped"]


def test_validate_fails_on_missing_required_value():
    with pytest.raises(pandera.errors.SchemaErrors) as info:
        schema.validate(_orders(amount=[10.0, None]), "orders")
    assert set(info.value.failure_cases["column"]) == {"amount"}


def test_validate_fails_on_duplicate_customer_id():
    customers = schema.conform(pd.DataFrame({"customer_id": ["C1", "C1"], "name": ["甲", "乙"],
                                             "region": ["east", "east"]}), "customers")
    with pytest.raises(pandera.errors.SchemaErrors) as info:
        schema.validate(customers, "customers")
    assert set(info.value.failure_cases["column"]) == {"customer_id"}


def test_validate_fails_on_bad_deal_outcome():
    deals = schema.conform(pd.DataFrame({"deal_id": ["D1"], "stage": ["谈判"],
                                         "created_at": pd.to_datetime(["2024-01-01"]),
                                         "outcome": ["maybe"]}), "deals")
    with pytest.raises(pandera.errors.SchemaErrors):
        schema.validate(deals, "deals")


def test_store_currencies():
    tables = {"orders": pd.DataFrame({"amount": [100.0, 100.0], "currency": pd.array(["USD", "EUR"], dtype="string")}),
              "deals": pd.DataFrame({"amount": [None, 5.0], "currency": ["GBP", "BRL"]}),
              "customers": pd.DataFrame({"amount": [1.0], "currency": ["JPY"]})}   # not a money table
    assert schema.store_currencies(tables) == ["BRL", "EUR", "USD"]    # the GBP deal has no amount
