"""Tests for custreport.ingest.regional: the region of each raw row, its quarantine and fixes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from custreport.config import load_regions, load_sources
from custreport.ingest.pipeline import ingest

from conftest import REGIONS_YAML

SOURCES = """\
defaults: {max_quarantined: 1.0}
sources:
  - {name: crm, path: data/c.csv, table: customers}
  - {name: orders, path: data/o.csv, table: orders}
  - {name: reps, path: data/r.csv, table: reps}
  - {name: deals, path: data/d.csv, table: deals}
"""

FILES = {
    "c.csv": ("客户名称,省份,建档日期\n"
              "杭州 华信科技 有限公司,浙江,2023-05-01\n"      # row 2: east, its name respaced
              "北京中关村软件,北京,2022-01-01\n"             # row 3: north
              ",上海,2022-02-02\n"                         # row 4: no name, quarantined; 上海 is east
              ",,2022-03-03\n"                             # row 5: no name, no place: no region
              "杭州华信科技有限公司,浙江,\n"),              # row 6: merged into row 2's customer
    "o.csv": ("订单号,客户名称,下单日期,金额\n"
              "O1,杭州华信科技有限公司,2024-03-05,100\n"    # row 2: east
              "O2,北京中关村软件,2024-03-06,50\n"           # row 3: north
              "O3,北京中关村软件,someday,20\n"              # row 4: quarantined, its customer is north's
              "O4,火星贸易,2024-03-07,20\n"                 # row 5: unknown customer: no region
              "O1,杭州华信科技有限公司,2024-03-05,100\n"),  # row 6: merged
    "r.csv": "姓名,区域\n王五,西南\n",
    "d.csv": ("商机编号,客户名称,阶段,创建日期,负责人\n"
              "D1,,,2024-01-01,王五\n"),                    # no stage: quarantined, its rep's region
}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("regional")
    (root / "params").mkdir()
    shutil.copy(REGIONS_YAML, root / "params" / "regions.yaml")
    (root / "params" / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "data").mkdir()
    for name, body in FILES.items():
        (root / "data" / name).write_text(body, encoding="utf-8")
    config, base = load_sources(root / "params" / "sources.yaml")
    return ingest(config, base, load_regions(root / "params" / "regions.yaml"))


def _by_row(frame: pd.DataFrame, source: str) -> dict[int, object]:
    rows = frame[frame["source"] == source]
    return {int(row): (None if pd.isna(region) else region) for row, region in zip(rows["source_row"], rows["region"])}


def test_quarantined_rows_take_the_region_their_cells_rep_or_customer_tell(result):
    quarantine = result.quarantine
    assert _by_row(quarantine, "crm") == {4: "east", 5: None}
    assert _by_row(quarantine, "orders") == {4: "north", 5: None}
    assert _by_row(quarantine, "deals") == {2: "southwest"}


def test_every_raw_row_has_the_region_of_the_record_it_became(result):
    lineage = result.lineage
    assert _by_row(lineage, "crm") == {2: "east", 3: "north", 4: "east", 5: None, 6: "east"}
    assert _by_row(lineage, "orders") == {2: "east", 3: "north", 4: "north", 5: None, 6: "east"}


def test_accounting_per_source_and_region(result):
    frame = result.region_accounting
    rows = frame[frame["source"].isin(["crm", "orders"])].astype(object).where(frame.notna(), None)
    assert rows.drop(columns="table").values.tolist() == [
        ["crm", "east", 1, 1, 1, 1], ["crm", "north", 1, 0, 0, 0], ["crm", None, 0, 0, 1, 0],
        ["orders", "east", 1, 1, 0, 1], ["orders", "north", 1, 0, 1, 0], ["orders", None, 0, 0, 1, 0]]


def test_fixes_are_counted_per_region_and_sum_to_the_sources_counts(result):
    fixes = result.fixes.astype(object).where(result.fixes.notna(), None)
    dates = fixes[(fixes["source"] == "crm") & (fixes["fix"] == "dates parsed")]
    # Rows 2, 3, 4, 5 have a date; row 5 (no name, no place) has no region.
    assert dict(zip(dates["region"], dates["count"])) == {"east": 2, "north": 1, None: 1}
    spacing = fixes[fixes["fix"] == "name spacing tidied"]
    assert spacing[["source", "region", "count"]].values.tolist() == [["crm", "east", 1]]
    orders = fixes[(fixes["source"] == "orders") & (fixes["fix"] == "dates parsed")]
    # O1 twice is east's; O2 north's; O4's customer is unknown (O3's date did not parse)
    assert dict(zip(orders["region"], orders["count"])) == {"east": 2, "north": 1, None: 1}


def test_the_customer_shows_its_name_without_stray_spaces(result):
    assert sorted(result.tables["customers"]["name"]) == ["北京中关村软件", "杭州华信科技有限公司"]

