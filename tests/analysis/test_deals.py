"""Tests for custreport.analysis.deals.deal_totals."""

from __future__ import annotations

import pandas as pd

from custreport.analysis.deals import deal_totals

T = pd.Timestamp
Q3 = (T("2024-07-01"), T("2024-10-01"))


def deals(*rows) -> pd.DataFrame:
    outcome, amount, created, closed = zip(*rows)
    return pd.DataFrame({"outcome": list(outcome), "amount": list(amount),
                         "created_at": pd.to_datetime(list(created)), "closed_at": pd.to_datetime(list(closed))})


def test_deal_totals():
    frame = deals(
        ("won", 100.0, "2024-06-01", "2024-07-11"),   # won in Q3, cycle 40 days
        ("won", 300.0, "2024-07-01", "2024-09-30"),   # won in Q3, cycle 91 days
        ("lost", 50.0, "2024-07-01", "2024-08-01"),   # lost in Q3
        ("open", 70.0, "2024-08-01", None),           # open
        ("won", 500.0, "2024-08-15", "2024-10-05"),   # closed after the period end: open at the end
        ("won", 40.0, "2024-01-01", "2024-03-01"),    # won before Q3: not counted anywhere
        ("open", 90.0, "2024-10-01", None),           # created after the period end: not open yet
        ("lost", 20.0, "2024-05-01", "2024-06-30"),   # lost before Q3
    )
    assert deal_totals(frame, *Q3) == {
        "won": 2,
        "lost": 1,
        "open": 2,                      # the 70 open deal and the 500 deal still open on 30 Sep
        "win_rate": 0.6667,             # 2 / (2 + 1)
        "won_value": 400.0,             # 100 + 300
        "pipeline_value": 570.0,        # 70 + 500
        "open_without_amount": 0,
        "median_cycle_days": 65.5,      # median of 40 and 91
    }


def test_deal_totals_nothing_closed():
    frame = deals(("open", 70.0, "2024-08-01", None), ("open", None, "2024-07-01", None))
    assert deal_totals(frame, *Q3) == {"won": 0, "lost": 0, "open": 2, "win_rate": None, "won_value": 0.0,
                                       "pipeline_value": 70.0, "open_without_amount": 1,
                                       "median_cycle_days": None}


def test_deal_totals_pipeline_unknown_when_no_open_deal_has_an_amount():
    frame = deals(("open", None, "2024-08-01", None), ("open", None, "2024-07-01", None),
                  ("won", 30.0, "2024-07-01", "2024-07-05"))
    totals = deal_totals(frame, *Q3)
    assert (totals["open"], totals["pipeline_value"], totals["open_without_amount"]) == (2, None, 2)


def test_deal_totals_only_losses():
    frame = deals(("lost", 10.0, "2024-07-01", "2024-07-02"))
    totals = deal_totals(frame, *Q3)
    assert (totals["won"], totals["lost"], totals["win_rate"], totals["median_cycle_days"]) == (0, 1, 0.0, None)


def test_deal_totals_empty():
    frame = deals(("open", 1.0, "2024-01-01", None)).iloc[0:0]
    assert deal_totals(frame, *Q3) == {"won": 0, "lost": 0, "open": 0, "win_rate": None, "won_value": 0.0,
                                       "pipeline_value": 0.0, "open_without_amount": 0,
                                       "median_cycle_days": None}
