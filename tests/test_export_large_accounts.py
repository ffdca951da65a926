"""Customers on very many rows: an orders-only export naming 4,000 customer ids on 400,000
lines, through `custreport ingest` and `custreport run`.

Each customer id repeats on about a hundred lines (an invoice-line export like the Online
Retail one, synthetic, generated here with numpy). Every id must be one customer and no line
may be set aside: matching joins rows by their source customer id exactly, however many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from export_project import export_project, ingest, run_metrics

pytestmark = pytest.mark.slow

CUSTOMERS = 4_000
LINES = 400_000

ORDERS_ONLY = """
defaults:
  currency: GBP
sources:
  - name: invoice_lines
    path: data/raw/invoice_lines.csv
    table: orders
    date_order: month-first
"""


def invoice_lines() -> pd.DataFrame:
    """400,000 lines of 4,000 customers (every id at least once), 2023, shaped like Online Retail."""
    rng = np.random.default_rng(19)
    customer = np.concatenate([np.arange(CUSTOMERS), rng.integers(0, CUSTOMERS, LINES - CUSTOMERS)])
    day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, LINES), unit="D")
    return pd.DataFrame({
        "InvoiceNo": np.arange(500_000, 500_000 + LINES),
        "Quantity": rng.integers(1, 10, LINES),
        "InvoiceDate": day.strftime("%m/%d/%Y"),
        "UnitPrice": rng.integers(100, 2_000, LINES) / 100,
        "CustomerID": 12_000 + customer,
    })


@pytest.fixture(scope="module")
def large_accounts(tmp_path_factory) -> dict:
    root = export_project(tmp_path_factory.mktemp("large_accounts"), ORDERS_ONLY,
                          {"data/raw/invoice_lines.csv": invoice_lines()})
    output = ingest(root).stdout
    return {"ingest": output, "metrics": run_metrics(root, "2023")["all"]}


def test_every_customer_id_is_one_customer_and_no_line_is_quarantined(large_accounts):
    figures = large_accounts["metrics"]
    assert figures["customers"]["total"] == CUSTOMERS
    assert figures["quality"]["quarantined"] == 0
    assert figures["orders"] == LINES


def test_no_matching_limit_was_hit(large_accounts):
    assert "warning:" not in large_accounts["ingest"]
