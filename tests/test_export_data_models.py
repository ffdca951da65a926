"""The data models real exports have, through `custreport ingest` and `custreport run`:

- a CRM's deals with no order lines (Maven CRM, tests/data/maven_crm) beside a subscription
  list with a churn column (Telco-churn-shaped, tests/data/exports/telco_churn): revenue is the
  value of deals won (``revenue: auto``), the summary leads with won value and pipeline, and the
  churn flag sets each subscriber's type, with the monthly charges lost to churn;
- invoice lines with cancellation invoices (Online-Retail-shaped, tests/data/exports/online_retail):
  "C" invoices and negative quantities are credits, never orders, and revenue is net of them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from export_project import EXPORTS, MAVEN, MAVEN_SOURCES, export_project, ingest, run_metrics

pytestmark = pytest.mark.slow

TELCO = EXPORTS / "telco_churn" / "customers.csv"
RETAIL = EXPORTS / "online_retail" / "invoices.csv"

CRM_AND_SUBSCRIPTIONS = MAVEN_SOURCES + f"""  - name: subscriptions
    path: {TELCO}
    table: customers
    # the list has no name column: its customer ids name the subscribers
    combine: {{name: [customerID]}}
"""

INVOICES = f"""
defaults:
  currency: GBP
sources:
  - name: online_retail
    path: {RETAIL}
    table: orders
    date_order: month-first      # 12/1/2010 8:26
    cancellation_prefix: C       # C536379 cancels part of an earlier invoice
"""


@pytest.fixture(scope="module")
def crm(tmp_path_factory) -> dict:
    root = export_project(tmp_path_factory.mktemp("crm"), CRM_AND_SUBSCRIPTIONS)
    ingest(root)
    return {"root": root, "metrics": run_metrics(root, "2017")}


@pytest.fixture(scope="module")
def retail(tmp_path_factory) -> dict:
    root = export_project(tmp_path_factory.mktemp("retail"), INVOICES)
    ingest(root)
    return {"root": root, "metrics": run_metrics(root, "2011")["all"]}


def test_without_order_lines_revenue_is_the_value_of_deals_won(crm):
    figures = crm["metrics"]["all"]
    assert (figures["revenue_basis"], figures["has_order_lines"]) == ("won_deals", False)
    # Maven CRM, deals closed won in 2017 (tests/test_golden_runs.py: 10,005,534 over all offices)
    assert figures["revenue"] == figures["deals"]["won_value"] == 10_005_534
    assert (figures["orders"], figures["aov"]) == (0, None)
    assert crm["metrics"]["east"]["revenue"] == 3_090_594


def test_without_order_lines_a_won_deal_is_a_purchase(crm):
    figures = crm["metrics"]["all"]
    # every Maven account won a deal in 2017: active, and new (no creation date, first won in 2017)
    won = pd.read_csv(MAVEN / "sales_pipeline.csv").query("deal_stage == 'Won'")
    assert won["account"].nunique() == 85
    # per-customer revenue (ABC tiers) adds up to the won value
    assert sum(tier["revenue"] for tier in figures["segments"]["abc"].values()) == figures["revenue"]
    assert figures["value"]["customers"] == 85


def test_the_deals_only_summary_leads_with_won_value_and_shows_no_order_revenue(crm):
    sheet = load_workbook(crm["root"] / "outputs" / "2017" / "all" / "all.xlsx", read_only=True)["关键指标"]
    labels = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert labels[:4] == ["赢单金额", "在谈金额", "赢单率", "赢单数"]
    assert not {"销售额", "订单数", "客单价"} & set(labels)


def test_the_churn_column_sets_each_subscribers_type(crm):
    subscribers = pd.read_csv(TELCO, dtype=str, keep_default_na=False)
    churned = subscribers["Churn"] == "Yes"
    assert (int(churned.sum()), int((~churned).sum())) == (21, 39)
    customers = crm["metrics"]["all"]["customers"]
    # 85 Maven accounts (no status: active by their won deals) + 60 subscribers as their churn column says
    assert customers == {"total": 145, "new": 85, "active": 85 + 39, "churned": 21, "prospect": 0}
    recurring = crm["metrics"]["all"]["recurring"]
    lost = subscribers.loc[churned, "MonthlyCharges"].astype(float).sum()
    assert recurring["customers_with_charge"] == 60 and recurring["monthly_lost"] == pytest.approx(lost)
    assert recurring["monthly_lost"] == 1290.36


def test_cancellation_invoices_are_never_orders_and_revenue_is_net_of_them(retail):
    lines = pd.read_csv(RETAIL, dtype={"InvoiceNo": str})
    cancellations = lines["InvoiceNo"].str.startswith("C")
    assert (cancellations == lines["Quantity"].lt(0)).all() and cancellations.sum() == 8
    figures = retail["metrics"]
    # 40 invoices; revenue = every line's quantity x price, the cancellations' negative
    assert figures["orders"] == lines.loc[~cancellations, "InvoiceNo"].nunique() == 40
    assert figures["revenue"] == round((lines["Quantity"] * lines["UnitPrice"]).sum(), 2) == 1625.99
    assert figures["aov"] == round(1625.99 / 40, 2)
    assert figures["returns"] == {"orders": 8, "amount": -283.29}


def test_a_customer_whose_only_invoice_is_a_cancellation_never_bought(retail):
    figures = retail["metrics"]
    # customer 12347 cancelled a sale made before the export began: a prospect, not in the models,
    # and not a new customer (new = first completed purchase in the period)
    assert figures["customers"] == {"total": 9, "new": 8, "active": 8, "churned": 0, "prospect": 1}
    assert figures["value"]["customers"] == 8
    assert figures["quality"]["quarantined"] == 0


def test_the_report_says_where_the_invoices_end(retail):
    # the last invoice line is dated 11/28/2011: the 2011 trend stops at November and says so
    assert retail["metrics"]["data_through"] == "2011-11-28"
