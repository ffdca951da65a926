"""Onboarding a new export as the README says: `custreport sources suggest` on the raw file,
then `custreport ingest --config` the YAML it wrote, with no hand edits.

The export (tests/data/exports/uk_orders) is a UK order-line file: a title line, day-first
dates, £ amounts, a territory column, one status outside the vocabulary.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from export_project import EXPORTS, cli, export_project, ingest

pytestmark = pytest.mark.slow

UK_REGIONS = """\
unknown: {code: unknown, zh: 未知区域, en: Unknown region}
regions:
  - {code: north, zh: 北部, en: North, aliases: [Scotland]}
  - {code: midlands, zh: 中部, en: Midlands}
  - {code: south, zh: 南部, en: South, aliases: [London, South West]}
"""
KEPT_SOURCES = "sources:\n  - {name: kept, path: data/raw/orders.csv, table: orders}\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = export_project(tmp_path_factory.mktemp("onboarding"), KEPT_SOURCES,
                          {"params/regions.yaml": UK_REGIONS})
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copy(EXPORTS / "uk_orders" / "orders.csv", root / "data" / "raw" / "orders.csv")
    suggested = cli(root, "sources", "suggest", "data/raw/orders.csv", "--out", "params/sources.suggested.yaml")
    return root, suggested


def test_suggest_prints_each_guess_with_its_reason(project):
    _, suggested = project
    out = suggested.stdout
    assert "orders.csv: orders table, 200 rows" in out
    assert "date order: day-first: 29/05/2024 has a first part > 12 in 124 of 200 dates" in out
    assert "currency: GBP (200 amounts like '£24.50' in 'Net Amount' carry GBP)" in out
    assert "region columns: Territory (100% resolved)" in out
    assert "On Hold 1 (unknown)" in out
    root, _ = project
    assert (root / "data" / "raw" / "orders.csv").read_bytes() == (EXPORTS / "uk_orders" / "orders.csv").read_bytes()


def test_the_written_yaml_holds_the_guesses(project):
    root, _ = project
    source = yaml.safe_load((root / "params" / "sources.suggested.yaml").read_text(encoding="utf-8"))["sources"][0]
    assert source == {"name": "orders", "path": "data/raw/orders.csv", "table": "orders",
                      "date_order": "day-first", "currency": "GBP"}


def test_the_written_yaml_ingests_with_the_right_counts(project):
    root, _ = project
    out = ingest(root, "--config", "params/sources.suggested.yaml").stdout
    # 201 rows read: the title line (non-data), 199 loaded and the "On Hold" line quarantined.
    assert "│ orders │ orders │ 201       │ 199    │ 0      │ 1        │ 1           │" in out
    assert "(customers 20, orders 199," in out


def test_suggest_never_overwrites_a_file_without_force(project):
    root, _ = project
    result = cli(root, "sources", "suggest", "data/raw/orders.csv", "--out", "params/sources.yaml", expect=2)
    assert "params/sources.yaml exists" in result.stderr and "--force" in result.stderr
    assert (root / "params" / "sources.yaml").read_text(encoding="utf-8") == KEPT_SOURCES
