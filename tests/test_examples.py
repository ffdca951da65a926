"""The example sources files of params/examples/ ingest their data as their comments say.

Each example is ingested once, in place (its paths point into tests/data/), into a store
under a temporary folder. The expected figures are the ones stated at the top of each
config; where they can be, they are also recomputed from the raw files here.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from custreport.ingest.accounting import STATUSES
from custreport.ingest.pipeline import ingest_to_store

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLES = PROJECT / "params" / "examples"
DATA = PROJECT / "tests" / "data"


@dataclass
class Run:
    result: object
    snapshot: object
    before: dict[str, str]   # sha256 of every raw file before ingest
    after: dict[str, str]    # ... and after

    def table(self, name: str) -> pd.DataFrame:
        return self.result.tables[name]


def _digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir()) if path.is_file()}


def _ingest(tmp_path_factory, config: str, data: str) -> Run:
    before = _digests(DATA / data)
    result, snapshot = ingest_to_store(EXAMPLES / config, tmp_path_factory.mktemp(data) / "store")
    return Run(result, snapshot, before, _digests(DATA / data))


def _raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _check_accounting(run: Run, expected: dict[str, tuple[int, int, int, int, int]]) -> None:
    """Per source: (rows read, loaded, merged, non-data, quarantined), and the identity."""
    accounting = run.result.accounting.set_index("source")
    assert sorted(accounting.index) == sorted(expected)
    for source, row in accounting.iterrows():
        assert row["rows_read"] == sum(int(row[status]) for status in STATUSES), source
        got = (int(row["rows_read"]), *(int(row[status]) for status in STATUSES))
        assert got == expected[source], source
    assert len(run.result.quarantine) == sum(q for *_, q in expected.values())


def _check_inputs_untouched(run: Run, files: list[str]) -> None:
    assert run.after == run.before
    hashed = {Path(entry["file"]).name: entry["sha256"] for entry in run.snapshot.manifest["inputs"]}
    assert sorted(hashed) == sorted(files)
    for name in files:
        assert hashed[name] == run.before[name], name


def _customer_of(run: Run, deal_ids: list[str]) -> list:
    deals = run.table("deals").set_index("deal_id")
    return [deals.at[deal_id, "customer_id"] for deal_id in deal_ids]


# --------------------------------------------------------------------------- Maven CRM


@pytest.fixture(scope="module")
def maven(tmp_path_factory) -> Run:
    return _ingest(tmp_path_factory, "maven_crm.yaml", "maven_crm")


@pytest.fixture(scope="module")
def maven_pipeline() -> list[dict[str, str]]:
    return _raw_rows(DATA / "maven_crm" / "sales_pipeline.csv")


def test_maven_accounting(maven):
    _check_accounting(maven, {
        "accounts": (85, 85, 0, 0, 0),
        "sales_teams": (35, 35, 0, 0, 0),
        "sales_pipeline": (8800, 8800, 0, 0, 0),
    })
    assert len(maven.table("customers")) == 85
    assert len(maven.table("reps")) == 35
    assert len(maven.table("deals")) == 8800


def test_maven_raw_files_are_untouched(maven):
    # products.csv and data_dictionary.csv are in the folder but not ingested.
    _check_inputs_untouched(maven, ["accounts.csv", "sales_pipeline.csv", "sales_teams.csv"])
    assert set(maven.before) == {"README.md", "accounts.csv", "data_dictionary.csv", "products.csv",
                                 "sales_pipeline.csv", "sales_teams.csv"}


def test_maven_blank_account_deals_are_kept_without_customer(maven, maven_pipeline):
    blank = {row["opportunity_id"] for row in maven_pipeline if not row["account"].strip()}
    assert len(blank) == 1425
    deals = maven.table("deals")
    without = deals[deals["customer_id"].isna()]
    assert set(without["deal_id"]) == blank
    assert set(without["outcome"]) == {"open"}


def test_maven_every_named_account_is_attached(maven, maven_pipeline):
    named = {row["opportunity_id"]: row["account"] for row in maven_pipeline if row["account"].strip()}
    assert len(named) == 8800 - 1425
    customers = maven.table("customers").set_index("customer_id")["name"]
    deals = maven.table("deals").set_index("deal_id")
    attached = deals.loc[list(named), "customer_id"]
    assert attached.notna().all()
    assert attached.map(customers).tolist() == list(named.values())
    accounts = {row["account"] for row in _raw_rows(DATA / "maven_crm" / "accounts.csv")}
    assert set(customers) == accounts
    assert set(named.values()) == accounts


def test_maven_deals_by_region(maven, maven_pipeline):
    office = {row["sales_agent"]: row["regional_office"]
              for row in _raw_rows(DATA / "maven_crm" / "sales_teams.csv")}
    expected = Counter(office[row["sales_agent"]].lower() for row in maven_pipeline)
    assert expected == {"central": 3512, "east": 2291, "west": 2997}
    by_region = maven.table("deals")["region"].value_counts().to_dict()
    assert by_region == dict(expected)
    assert sum(by_region.values()) == 8800
    reps = maven.table("reps")["region"].value_counts().to_dict()
    assert reps == {"central": 11, "east": 12, "west": 12}


def test_maven_outcomes_and_dates(maven):
    deals = maven.table("deals")
    assert deals["outcome"].value_counts().to_dict() == {"won": 4238, "lost": 2473, "open": 2089}
    assert deals["stage"].value_counts().to_dict() == {"Won": 4238, "Lost": 2473, "Engaging": 1589,
                                                        "Prospecting": 500}
    # Prospecting deals have no engage date, open deals no close date.
    assert deals.loc[deals["created_at"].isna(), "stage"].unique().tolist() == ["Prospecting"]
    assert deals["closed_at"].isna().sum() == 2089
    first = deals.set_index("deal_id").loc["1C1I7A6R"]
    assert (first["created_at"], first["closed_at"], first["amount"]) == (
        pd.Timestamp("2016-10-20"), pd.Timestamp("2017-03-01"), 1054.0)


# --------------------------------------------------------------------------- Salesforce

SF_TIANRUI_DEALS = ["0065g00000Lm7Q3AAJ", "0065g00000Lm7QEAAZ", "0065g00000Lm7QMAAZ"]


@pytest.fixture(scope="module")
def salesforce(tmp_path_factory) -> Run:
    return _ingest(tmp_path_factory, "salesforce.yaml", "salesforce")


def test_salesforce_accounting(salesforce):
    _check_accounting(salesforce, {
        "sf_accounts": (20, 19, 1, 0, 0),
        "sf_opportunities": (30, 30, 0, 0, 0),
    })
    assert len(salesforce.table("customers")) == 19
    assert len(salesforce.table("deals")) == 30


def test_salesforce_raw_files_are_untouched(salesforce):
    _check_inputs_untouched(salesforce, ["accounts.csv", "opportunities.csv"])


def test_salesforce_account_typed_twice_is_one_customer(salesforce):
    customers = salesforce.table("customers")
    tianrui = customers[customers["name"].str.lower().str.contains("tianrui")]
    assert len(tianrui) == 1
    customer_id = tianrui["customer_id"].iloc[0]
    assert tianrui["phone"].iloc[0] == "+8651268253301"
    # The opportunities of both spellings attach to it.
    assert _customer_of(salesforce, SF_TIANRUI_DEALS) == [customer_id] * 3
    # The second spelling (data row 20, file row 21) is the merged row.
    lineage = salesforce.result.lineage
    merged = lineage[(lineage["source"] == "sf_accounts") & (lineage["status"] == "merged")]
    assert merged["source_row"].tolist() == [21]
    assert merged["record_id"].tolist() == [customer_id]


def test_salesforce_regions_and_dates(salesforce):
    customers = salesforce.table("customers")
    assert customers["region"].value_counts().to_dict() == {
        "east": 8, "south": 3, "north": 2, "central": 2, "southwest": 2, "northwest": 1, "northeast": 1}
    by_name = customers.set_index("name")
    # No Billing State/Province: the city decides.
    assert by_name.at["Shenzhen Lanhai Electronics Co., Ltd.", "region"] == "south"
    # Month-first: 5/3/2022 is 3 May 2022.
    assert by_name.at["Shanghai Jinqiao Trading Co., Ltd.", "created_at"] == pd.Timestamp("2022-05-03")
    assert pd.isna(by_name.at["Qingdao Haiyang Seafood Co., Ltd.", "industry"])


def test_salesforce_outcomes(salesforce):
    deals = salesforce.table("deals")
    assert deals["outcome"].value_counts().to_dict() == {"open": 16, "won": 9, "lost": 5}
    expected = deals["stage"].map({"Closed Won": "won", "Closed Lost": "lost"}).fillna("open")
    assert deals["outcome"].tolist() == expected.tolist()


def test_salesforce_deal_of_an_account_not_exported(salesforce):
    deals = salesforce.table("deals")
    without = deals[deals["customer_id"].isna()]
    assert without["deal_id"].tolist() == ["0065g00000Lm7QUAAZ"]
    assert without["region"].tolist() == ["unknown"]


# --------------------------------------------------------------------------- Zoho CRM

ZOHO_HITECH_DEALS = ["zcrm_4876543000000530001", "zcrm_4876543000000530085", "zcrm_4876543000000530091"]


@pytest.fixture(scope="module")
def zoho(tmp_path_factory) -> Run:
    return _ingest(tmp_path_factory, "zoho.yaml", "zoho")


def test_zoho_accounting(zoho):
    _check_accounting(zoho, {
        "zoho_accounts": (20, 19, 1, 0, 0),
        "zoho_deals": (30, 30, 0, 0, 0),
    })
    assert len(zoho.table("customers")) == 19
    assert len(zoho.table("deals")) == 30


def test_zoho_raw_files_are_untouched(zoho):
    _check_inputs_untouched(zoho, ["Accounts.csv", "Deals.csv"])


def test_zoho_account_typed_twice_is_one_customer(zoho):
    customers = zoho.table("customers")
    hitech = customers[customers["name"].str.lower().str.replace(" ", "").str.contains("hitech")]
    assert len(hitech) == 1
    customer_id = hitech["customer_id"].iloc[0]
    assert hitech["phone"].iloc[0] == "+8657487351234"
    assert hitech["region"].iloc[0] == "east"
    assert _customer_of(zoho, ZOHO_HITECH_DEALS) == [customer_id] * 3
    lineage = zoho.result.lineage
    merged = lineage[(lineage["source"] == "zoho_accounts") & (lineage["status"] == "merged")]
    assert merged["source_row"].tolist() == [21]
    assert merged["record_id"].tolist() == [customer_id]


def test_zoho_regions_and_dates(zoho):
    customers = zoho.table("customers")
    assert customers["region"].value_counts().to_dict() == {
        "east": 5, "central": 3, "south": 3, "north": 2, "southwest": 2, "northwest": 2, "northeast": 2}
    by_name = customers.set_index("name")
    # Day-first: 12/01/2023 14:05 is 12 January 2023.
    assert by_name.at["上海浦江新材料股份有限公司", "created_at"] == pd.Timestamp("2023-01-12 14:05")
    assert pd.isna(by_name.at["哈尔滨冰城食品有限公司", "industry"])
    deal = zoho.table("deals").set_index("deal_id").loc["zcrm_4876543000000530001"]
    assert (deal["created_at"], deal["closed_at"]) == (pd.Timestamp("2023-01-16 10:12"), pd.Timestamp("2023-06-28"))


def test_zoho_won_and_lost(zoho):
    deals = zoho.table("deals")
    stage_outcome = deals.groupby("stage")["outcome"].unique().map(sorted).to_dict()
    assert stage_outcome["Closed Won"] == ["won"]
    assert stage_outcome["Closed Lost"] == ["lost"]
    assert (deals["outcome"] == "won").sum() == 8
    open_stages = {"Qualification", "Needs Analysis", "Value Proposition", "Identify Decision Makers",
                   "Proposal/Price Quote", "Negotiation/Review"}
    assert deals.loc[deals["stage"].isin(open_stages), "outcome"].unique().tolist() == ["open"]
    assert deals["stage"].isin(open_stages).sum() == 16


def test_zoho_lost_to_competition_is_lost(zoho):
    # Zoho's standard pipeline has a second lost stage, "Closed-Lost to Competition".
    deals = zoho.table("deals")
    competition = deals[deals["stage"] == "Closed-Lost to Competition"]
    assert len(competition) == 2
    assert competition["outcome"].tolist() == ["lost", "lost"]
    assert deals["outcome"].value_counts().to_dict() == {"open": 16, "won": 8, "lost": 6}


def test_zoho_deal_without_account(zoho):
    deals = zoho.table("deals")
    without = deals[deals["customer_id"].isna()]
    assert without["deal_id"].tolist() == ["zcrm_4876543000000530175"]
    assert without["region"].tolist() == ["unknown"]


def test_cdnow_orders_only_headerless_whitespace(tmp_path):
    result, _ = ingest_to_store(PROJECT / "params" / "examples" / "cdnow.yaml", tmp_path / "store")
    row = result.accounting.iloc[0]
    assert (row.rows_read, row.loaded, row.merged, row.non_data, row.quarantined) == (6919, 6919, 0, 0, 0)
    assert len(result.tables["customers"]) == 2357  # one per customer id the orders name
    orders = result.tables["orders"]
    assert orders["order_date"].min() == pd.Timestamp("1997-01-01")
    assert orders["order_date"].max() == pd.Timestamp("1998-06-30")
    # Every order keeps its customer: the sample's customer ids become the customers' source ids.
    assert orders["customer_id"].notna().all()
    assert orders["amount"].sum() == pytest.approx(pd.read_csv(
        PROJECT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None)[4].sum())
