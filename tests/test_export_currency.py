"""Amounts in the currency of their source, through `custreport ingest` and `custreport run`:

- a US order export (currency: USD; cells like $1,200.00): metrics.json says USD, the report
  and workbook show $ in English, never ¥;
- a US and a euro export in one store: without params/fx.yaml revenue is given per currency
  and never added (the Chinese summary shows US$ and € with 万 and says how to convert); with
  it, every amount is in the reporting currency at the rate of its month; an amount typed in
  another currency than its source's (US$ in the euro file) is quarantined with the remedy.

A rate missing from params/fx.yaml stops the report with the line to add: see
tests/analysis/test_currency.py (one more run here would cost a kernel start).

The exports are written by the tests (synthetic, shaped like a shop's order list).
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from export_project import export_project, ingest, run_metrics

pytestmark = pytest.mark.slow

# Q1 2024: 1,200 + 800 + 10,500 + 500 = 13,000 USD over 4 orders (AOV 3,250).
US_ORDERS = """Order ID,Customer,Order Date,Amount
US-1,Acme Corp,01/15/2024,"$1,200.00"
US-2,Acme Corp,02/20/2024,$800.00
US-3,Globex,03/05/2024,"$10,500.00"
US-4,Initech,03/28/2024,US$500
"""

# Q1 2024: 2,000 + 1,000 + 3,000 = 6,000 EUR over 3 orders; the US$ line is quarantined.
EU_ORDERS = """Order ID,Customer,Order Date,Amount
EU-1,Siemens AG,10/01/2024,€2000
EU-2,Siemens AG,14/02/2024,1000
EU-3,Bosch GmbH,20/03/2024,€3000
EU-4,Bosch GmbH,21/03/2024,US$50
"""

US_SOURCE = """
  - name: us_orders
    path: data/raw/us_orders.csv
    table: orders
    date_order: month-first
    currency: USD
"""

EU_SOURCE = """
  - name: eu_orders
    path: data/raw/eu_orders.csv
    table: orders
    date_order: day-first
    currency: eur                # any case: read as EUR
    max_quarantined: 50%
"""

# USD per 1 EUR, by month.
FX = """reporting_currency: USD
rates:
  EUR:
    2024-01: 1.10
    2024-02: 1.08
    2024-03: 1.09
"""


@pytest.fixture(scope="module")
def usd(tmp_path_factory) -> dict:
    root = export_project(tmp_path_factory.mktemp("usd"), "sources:" + US_SOURCE,
                          {"data/raw/us_orders.csv": US_ORDERS})
    ingest(root)
    english = run_metrics(root, "2024-Q1", regions="all,unknown", locale="en", formats="html,xlsx")["all"]
    html_en = (root / "outputs" / "2024-Q1" / "all" / "summary.html").read_text(encoding="utf-8")
    workbook = load_workbook(next((root / "outputs" / "2024-Q1" / "all").glob("*.xlsx")))
    return {"en": english, "html_en": html_en, "workbook": workbook}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> dict:
    root = export_project(tmp_path_factory.mktemp("mixed"), "sources:" + US_SOURCE + EU_SOURCE,
                          {"data/raw/us_orders.csv": US_ORDERS, "data/raw/eu_orders.csv": EU_ORDERS})
    ingested = ingest(root)
    apart = run_metrics(root, "2024-Q1", regions="all,unknown", locale="zh", formats="html")["all"]
    html_apart = (root / "outputs" / "2024-Q1" / "all" / "summary.html").read_text(encoding="utf-8")
    (root / "params" / "fx.yaml").write_text(FX, encoding="utf-8")
    converted = run_metrics(root, "2024-Q1", regions="all,unknown", locale="en", formats="xlsx")["all"]
    return {"root": root, "ingest": ingested, "apart": apart, "html_apart": html_apart, "converted": converted}


def test_a_usd_export_is_reported_in_dollars(usd):
    figures = usd["en"]
    assert (figures["currency"], figures["currencies"], figures["fx"]) == ("USD", ["USD"], None)
    assert (figures["revenue"], figures["orders"], figures["aov"]) == (13000.0, 4, 3250.0)


def test_english_shows_dollars_with_k(usd):
    assert "$13.0K" in usd["html_en"] and "$3,250" in usd["html_en"]      # 13,000 / 10^3
    assert "¥" not in usd["html_en"]


def test_the_workbook_formats_amounts_in_dollars(usd):
    sheet = usd["workbook"]["Customers"]
    header = [cell.value for cell in sheet[1]]
    revenue = header.index(next(name for name in header if name.startswith("Revenue"))) + 1
    cell = sheet.cell(row=2, column=revenue)
    assert cell.value == 10500.0 and cell.number_format == '"$"#,##0.00'   # Globex, the largest
    formats = {c.number_format for ws in usd["workbook"].worksheets for row in ws.iter_rows() for c in row}
    assert not any("¥" in f for f in formats)


def test_an_amount_in_another_currency_than_its_source_is_quarantined(mixed):
    out = " ".join(mixed["ingest"].stdout.split())   # the console wraps long lines
    assert "amount in USD but source 'eu_orders' is in EUR: set currency: USD" in out
    assert mixed["apart"]["quality"]["quarantined"] == 1


def test_ingest_says_the_store_holds_several_currencies(mixed):
    assert "amounts in 2 currencies: EUR, USD" in mixed["ingest"].stdout


def test_without_rates_each_currency_is_reported_apart_and_never_added(mixed):
    figures = mixed["apart"]
    assert (figures["currency"], figures["currencies"]) == (None, ["EUR", "USD"])
    assert figures["revenue"] is None and figures["aov"] is None
    assert figures["revenue_by_currency"] == {"EUR": 6000.0, "USD": 13000.0}
    assert figures["aov_by_currency"] == {"EUR": 2000.0, "USD": 3250.0}
    assert figures["orders"] == 7                                # counts do add up
    page = mixed["html_apart"]   # in Chinese: US$ with 万
    assert "€6,000 · US$1.30万" in page and "€2,000 · US$3,250" in page     # 13,000 / 10^4; the AOVs
    assert "金额涉及多种货币（EUR, USD）" in page and "params/fx.yaml" in page
    assert "¥" not in page


def test_with_rates_every_amount_is_in_the_reporting_currency(mixed):
    figures = mixed["converted"]
    assert (figures["currency"], figures["fx"]) == ("USD", {"reporting_currency": "USD", "converted": ["EUR"]})
    # 13,000 USD + 2,000 x 1.10 + 1,000 x 1.08 + 3,000 x 1.09 = 13,000 + 2,200 + 1,080 + 3,270
    assert figures["revenue"] == pytest.approx(19550.0) and "revenue_by_currency" not in figures
    assert figures["aov"] == pytest.approx(19550.0 / 7, abs=0.01)
