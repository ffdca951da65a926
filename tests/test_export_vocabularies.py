"""Vocabularies, missing-value tokens and customer-list headers, through `custreport ingest`
and `custreport run`:

- territory "NA" is North America and a company called "None" keeps its name and its orders;
- order statuses outside the built-in lists (In Process, On Hold, Resolved) are mapped through
  `vocabulary:` in params/sources.yaml; an unmapped one (Disputed) is quarantined with its count
  and the key to add;
- a 客户管理表's 合作日期, 联系人 and 年度采购额 are read as created_at, contact and
  annual_purchases, never left as x_ columns;
- amounts in parentheses are negative, written (120.00) or (-30): credit lines, never orders;
- the Chinese quality report gives the quarantine reason in Chinese, with the key to add.

Fixtures: tests/data/exports/territory_vocabularies (synthetic, see its README).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from custreport.store import current_snapshot, read_table
from export_project import cli, export_project, ingest, run_metrics

pytestmark = pytest.mark.slow

EXPORT = Path(__file__).parent / "data" / "exports" / "territory_vocabularies"

SOURCES = """
regions: data/raw/regions.yaml
vocabulary:
  order_status: {Resolved: completed}
sources:
  - name: territory_accounts
    path: data/raw/territory_customers.csv
    table: customers
  - name: customer_list
    path: data/raw/客户管理表.csv
    table: customers
  - name: orders
    path: data/raw/orders.csv
    table: orders
    max_quarantined: 100%            # the Disputed rows are quarantined on purpose
    vocabulary:
      order_status: {In Process: completed, On Hold: completed}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    root = export_project(tmp_path_factory.mktemp("vocabularies"), SOURCES)
    raw = root / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for path in EXPORT.iterdir():
        if path.suffix in (".csv", ".yaml"):
            shutil.copy(path, raw / path.name)
    ingested = ingest(root)
    metrics = run_metrics(root, "2024-Q1", regions="all,na,emea,apac", locale="en")
    customers = read_table(current_snapshot(root / "data" / "clean"), "customers")
    cli(root, "run", "--period", "2024-Q1", "--regions", "all", "--reports", "quality", "--formats", "html",
        "--locale", "zh")
    quality = (root / "outputs" / "2024-Q1" / "all" / "quality.html").read_text(encoding="utf-8")
    return {"ingest": " ".join(ingested.stdout.split()), "metrics": metrics, "customers": customers,
            "quality": quality}


def test_na_territory_and_none_company_keep_their_orders(project):
    metrics = project["metrics"]
    # 2,000 over 5 orders, net of Acme's two credits (120.00) and (-30)
    assert (metrics["all"]["revenue"], metrics["all"]["orders"]) == (1850.0, 5)
    assert (metrics["na"]["revenue"], metrics["na"]["orders"]) == (450.0, 3)
    assert (metrics["emea"]["revenue"], metrics["apac"]["revenue"]) == (400.0, 1000.0)


def test_amounts_in_parentheses_are_credits(project):
    assert project["metrics"]["all"]["returns"] == {"orders": 2, "amount": -150.0}


def test_the_chinese_quality_report_says_the_reason_and_the_key_in_chinese(project):
    assert ('无法识别的订单状态 &quot;Disputed&quot;(2 行):请在 params/sources.yaml 的 vocabulary.order_status 下添加'
            in project["quality"]) or \
        ('无法识别的订单状态 "Disputed"(2 行):请在 params/sources.yaml 的 vocabulary.order_status 下添加'
         in project["quality"])
    assert "unrecognised order status" not in project["quality"]


def test_an_unmapped_status_is_quarantined_with_the_key_to_add(project):
    assert project["metrics"]["all"]["quality"]["quarantined"] == 2
    assert ('unrecognised order status "Disputed" (2 rows): add it to vocabulary.order_status in '
            "params/sources.yaml") in project["ingest"]


def test_customer_list_headers_are_read(project):
    customers = project["customers"].set_index("name")
    assert "None" in customers.index
    assert customers.loc["华信科技有限公司", "contact"] == "李明"
    assert customers.loc["华信科技有限公司", "created_at"] == pd.Timestamp("2018-06-01")
    assert customers.loc["杭州甲方贸易有限公司", "created_at"] == pd.Timestamp("2017-03-09")
    assert customers.loc["华信科技有限公司", "annual_purchases"] == 120000.0    # 12 x 10^4 (万元)
    assert customers.loc["Globex", "contact"] == "Hans Muster"
    assert customers.loc["Globex", "created_at"] == pd.Timestamp("2021-03-01")
    assert not [c for c in customers.columns if c.startswith("x_")]
