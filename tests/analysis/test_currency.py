"""Tests for custreport.analysis.currency: amounts converted with params/fx.yaml, or kept apart."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport.analysis.currency import split_by_currency, to_reporting_currency
from custreport.errors import UserError
from custreport.fx import FxTable

FX = FxTable(reporting_currency="USD", rates={"EUR": {"2024-01": 1.10, "2024-02": 1.08, "2024-02-29": 1.05}})


def _orders(currencies, dates, amounts=None):
    return pd.DataFrame({"order_date": pd.to_datetime(dates), "amount": amounts or [100.0] * len(dates),
                         "unit_price": [10.0] * len(dates), "currency": pd.array(currencies, dtype="string")})


def test_each_row_at_the_rate_of_its_date():
    orders = _orders(["EUR", "EUR", "EUR", "USD"], ["2024-01-31", "2024-02-01", "2024-02-29", "2024-02-29"])
    converted = to_reporting_currency(orders, FX, ["order_date"], "orders")
    assert converted["amount"].tolist() == pytest.approx([110.0, 108.0, 105.0, 100.0])   # 100 x 1.10, 1.08, 1.05
    assert converted["unit_price"].tolist() == pytest.approx([11.0, 10.8, 10.5, 10.0])
    assert converted["currency"].tolist() == ["USD"] * 4
    assert orders["amount"].tolist() == [100.0] * 4          # the input is not changed


def test_a_deal_takes_its_close_date_else_its_creation_else_the_latest_rate():
    deals = pd.DataFrame({"closed_at": pd.to_datetime(["2024-01-10", None, None]),
                          "created_at": pd.to_datetime(["2024-02-10", "2024-02-10", None]),
                          "amount": [100.0, 100.0, 100.0], "currency": ["EUR", "EUR", "EUR"]})
    converted = to_reporting_currency(deals, FX, ["closed_at", "created_at"], "deals")
    assert converted["amount"].tolist() == pytest.approx([110.0, 108.0, 105.0])


def test_a_missing_rate_stops_with_the_line_to_add():
    orders = _orders(["EUR", "EUR", "GBP"], ["2024-01-31", "2024-03-05", "2024-01-02"])
    with pytest.raises(UserError, match=r"no EUR rate for 2024-03 \(orders: 1 row\): add under rates: EUR: a line "
                                        r"such as '2024-03: <USD per 1 EUR>'"):
        to_reporting_currency(orders[:2], FX, ["order_date"], "orders")
    with pytest.raises(UserError, match="no GBP rate for 2024-01"):
        to_reporting_currency(orders, FxTable(reporting_currency="USD", rates={"EUR": {"2024-01": 1.1,
                                                                                      "2024-03": 1.1}}),
                              ["order_date"], "orders")


def test_split_by_currency():
    parts = split_by_currency(_orders(["USD", "EUR"], ["2024-01-01", "2024-01-02"]), ["EUR", "USD", "GBP"])
    assert [len(part) for part in parts.values()] == [1, 1, 0]
