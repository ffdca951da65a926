"""A lead export linked to the CRM's deals, through `custreport ingest` and `custreport run`.

tests/data/exports/crm_leads/leads.csv (Salesforce-shaped, 1,000 leads: 300 converted into
Maven CRM opportunities) beside the Maven accounts, sales teams and pipeline. The lead funnel
in metrics.json is checked against the same figures computed here from the raw files:
leads first contacted in 2017, those whose deal was engaged by the year end, those whose deal
was won by then and the won value, in total, by lead source and summed over the regions.
"""

from __future__ import annotations

import pandas as pd
import pytest

from export_project import EXPORTS, MAVEN, MAVEN_SOURCES, export_project, ingest, run_metrics

pytestmark = pytest.mark.slow

LEADS = EXPORTS / "crm_leads" / "leads.csv"

SOURCES = MAVEN_SOURCES + f"""  - name: leads
    path: {LEADS}
    table: leads
    date_order: month-first
    vocabulary:
      lead_status: {{Recycled: open}}
"""


@pytest.fixture(scope="module")
def crm(tmp_path_factory) -> dict:
    root = export_project(tmp_path_factory.mktemp("leads"), SOURCES)
    printed = ingest(root).stdout
    return {"root": root, "printed": printed,
            "metrics": run_metrics(root, "2017", reports="summary,funnel", formats="xlsx,html", locale="en")}


def expected_funnel() -> pd.DataFrame:
    """Per lead of 2017: converted (its deal engaged by the year end), won (closed won by then), value."""
    leads = pd.read_csv(LEADS, dtype=str)
    deals = pd.read_csv(MAVEN / "sales_pipeline.csv", dtype=str)
    leads["created"] = pd.to_datetime(leads["Created Date"], format="%m/%d/%Y")
    of_2017 = leads[leads["created"].dt.year == 2017].merge(
        deals, left_on="Converted Opportunity ID", right_on="opportunity_id", how="left")
    end = pd.Timestamp("2018-01-01")
    engaged = pd.to_datetime(of_2017["engage_date"])
    closed = pd.to_datetime(of_2017["close_date"])
    converted = of_2017["opportunity_id"].notna() & (engaged.lt(end) | engaged.isna())
    won = converted & (of_2017["deal_stage"] == "Won") & closed.lt(end)
    value = of_2017["close_value"].astype(float).where(won, 0.0)
    return pd.DataFrame({"source": of_2017["Lead Source"], "converted": converted, "won": won, "value": value})


def test_every_lead_row_is_loaded(crm):
    assert "leads" in crm["printed"]
    figures = crm["metrics"]["all"]
    assert figures["has_leads"] is True
    assert figures["quality"]["quarantined"] == 0


def test_the_lead_funnel_of_the_year_matches_the_raw_files(crm):
    expected = expected_funnel()
    leads = crm["metrics"]["all"]["leads"]
    assert (leads["leads"], leads["converted"], leads["won"]) == (
        len(expected), int(expected["converted"].sum()), int(expected["won"].sum()))
    assert leads["won_value"] == pytest.approx(expected["value"].sum())
    assert leads["lead_to_won"] == round(expected["won"].sum() / len(expected), 4)
    # Closed - Not Converted is disqualified; Recycled (params' vocabulary) is open
    raw = pd.read_csv(LEADS, dtype=str)
    raw = raw[pd.to_datetime(raw["Created Date"], format="%m/%d/%Y").dt.year == 2017]
    assert leads["disqualified"] == int((raw["Lead Status"] == "Closed - Not Converted").sum())


def test_the_funnel_by_source_adds_up_and_matches(crm):
    expected = expected_funnel().groupby("source").agg(leads=("won", "size"), converted=("converted", "sum"),
                                                        won=("won", "sum"))
    rows = {row["lead_source"]: row for row in crm["metrics"]["all"]["leads"]["by_source"]}
    assert set(rows) == set(expected.index)
    for source, row in expected.iterrows():
        assert (rows[source]["leads"], rows[source]["converted"], rows[source]["won"]) == tuple(row), source


def test_regions_add_up_to_the_company(crm):
    company = crm["metrics"]["all"]["leads"]
    regional = [m["leads"] for code, m in crm["metrics"].items() if code != "all"]
    assert len(regional) >= 3
    for key in ("leads", "converted", "won", "disqualified"):
        assert sum(r[key] for r in regional) == company[key], key


def test_the_funnel_report_shows_the_lead_funnel(crm):
    page = (crm["root"] / "outputs" / "2017" / "all" / "funnel.html").read_text(encoding="utf-8")
    assert "Lead conversion by source" in page and "Leads by month of first contact" in page
    assert "Partner Referral" in page and "2017-12" in page
