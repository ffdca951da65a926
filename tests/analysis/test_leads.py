"""analysis.leads: the lead funnel, checked by hand on a few leads of 2024-Q3."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport.analysis.leads import lead_funnel, lead_outcomes, lead_totals

Q3 = (pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"))


def leads(*rows) -> pd.DataFrame:
    """(lead_id, source, created, status, converted_at, deal_id) rows."""
    frame = pd.DataFrame(rows, columns=["lead_id", "lead_source", "created_at", "status", "converted_at", "deal_id"])
    return frame.astype({"lead_id": "string", "lead_source": "string", "status": "string", "deal_id": "string",
                         "created_at": "datetime64[ms]", "converted_at": "datetime64[ms]"})


def deals(*rows) -> pd.DataFrame:
    """(deal_id, outcome, amount, created, closed) rows."""
    frame = pd.DataFrame(rows, columns=["deal_id", "outcome", "amount", "created_at", "closed_at"])
    return frame.astype({"deal_id": "string", "outcome": "string", "amount": "float64",
                         "created_at": "datetime64[ms]", "closed_at": "datetime64[ms]"})


DEALS = deals(
    ("D1", "won", 900.0, "2024-07-20", "2024-09-01"),    # won in Q3
    ("D2", "won", 500.0, "2024-08-10", "2024-10-05"),    # won after Q3: open at its end
    ("D3", "open", 300.0, "2024-10-02", None),           # created after Q3
    ("D4", "lost", 200.0, None, "2024-09-15"),           # undated: there all along
)

LEADS = leads(
    ("L1", "官网", "2024-07-02", "converted", None, "D1"),       # deal won: converted, won 900
    ("L2", "官网", "2024-07-09", "open", None, "D2"),            # deal by the end, won later: converted only
    ("L3", "展会", "2024-08-01", "converted", None, "D3"),       # its deal came after Q3: not yet converted
    ("L4", "展会", "2024-08-03", None, None, "D4"),              # undated lost deal: converted, not won
    ("L5", "展会", "2024-09-30", "converted", "2024-09-30", "D9"),  # a deal not in the data: converted
    ("L6", "展会", "2024-09-02", "converted", "2024-10-03", None),  # converted after Q3: not yet
    ("L7", None, "2024-07-15", "disqualified", None, None),     # no source, disqualified
    ("L8", "官网", "2024-06-30", "converted", None, "D1"),       # first contact before Q3: not a Q3 lead
)


def test_outcomes_as_of_the_period_end():
    outcomes = lead_outcomes(LEADS, DEALS, Q3[1]).set_index("lead_id")
    assert outcomes["converted"].tolist() == [True, True, False, True, True, False, False, True]
    assert outcomes["won"].tolist() == [True, False, False, False, False, False, False, True]
    assert outcomes["disqualified"].tolist() == [False, False, False, False, False, False, True, False]
    assert outcomes.loc["L1", "won_value"] == 900.0 and outcomes.loc["L2", "won_value"] == 0.0


def test_funnel_by_source_most_leads_first_unknown_last_and_a_total():
    table = lead_funnel(LEADS, DEALS, *Q3, missing="—")
    assert table["lead_source"].tolist() == ["展会", "官网", "—", "Total"]
    rows = table.set_index("lead_source")
    # 展会: L3 L4 L5 L6 -> converted L4 L5, none won; 官网: L1 L2 -> both converted, L1 won
    assert rows.loc["展会", ["leads", "converted", "won", "disqualified"]].tolist() == [4, 2, 0, 0]
    assert rows.loc["官网", ["leads", "converted", "won", "won_value"]].tolist() == [2, 2, 1, 900.0]
    assert rows.loc["Total", ["leads", "converted", "won", "disqualified", "won_value"]].tolist() == [7, 4, 1, 1, 900.0]
    assert rows.loc["Total", "lead_to_deal"] == pytest.approx(0.5714)   # 4 / 7
    assert rows.loc["Total", "deal_to_won"] == 0.25                     # 1 / 4
    assert rows.loc["Total", "lead_to_won"] == pytest.approx(0.1429)    # 1 / 7
    assert pd.isna(rows.loc["—", "deal_to_won"])                        # nothing converted: no rate


def test_funnel_by_month_keeps_every_month_of_the_period():
    table = lead_funnel(LEADS, DEALS, *Q3, by="month", order=["2024-07", "2024-08", "2024-09"])
    assert table["month"].tolist() == ["2024-07", "2024-08", "2024-09", "Total"]
    # July L1 L2 L7; August L3 L4; September L5 L6
    assert table["leads"].tolist() == [3, 2, 2, 7]
    assert table["converted"].tolist() == [2, 1, 1, 4]
    empty = lead_funnel(LEADS.iloc[:0], DEALS, *Q3, by="month", order=["2024-07"])
    assert empty["leads"].tolist() == [0, 0] and pd.isna(empty["lead_to_deal"]).all()


def test_totals_for_metrics():
    assert lead_totals(LEADS, DEALS, *Q3) == {
        "leads": 7, "converted": 4, "won": 1, "disqualified": 1, "won_value": 900.0,
        "lead_to_deal": 0.5714, "deal_to_won": 0.25, "lead_to_won": 0.1429}
    assert lead_totals(LEADS.iloc[:0], DEALS, *Q3)["leads"] == 0


def test_inputs_are_not_changed():
    before = LEADS.copy()
    lead_funnel(LEADS, DEALS, *Q3)
    pd.testing.assert_frame_equal(LEADS, before)
