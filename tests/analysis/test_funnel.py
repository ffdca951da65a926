"""Tests for custreport.analysis.funnel: deals in play, stage positions, the funnel and its breakdowns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from custreport.analysis.deals import deal_totals
from custreport.analysis.funnel import (Funnel, deal_breakdown, deals_in_play, funnel_by, funnel_table,
                                        open_deal_ages, stage_counts, stage_positions)
from custreport.stages import StageList, load_stages

T = pd.Timestamp
Q3 = (T("2024-07-01"), T("2024-10-01"))
STAGES = StageList(name="abc", open=["A", "B", "C"], won=["W"], lost=["L"], aliases={"signed": "W"})
LOST_AT_B = StageList(name="abc_b", open=["A", "B", "C"], won=["W"], lost=["L"], lost_reached="B")
MAVEN = Path(__file__).resolve().parents[1] / "data" / "maven_crm" / "sales_pipeline.csv"


def deals(*rows, **columns) -> pd.DataFrame:
    """Rows of (stage, outcome, created, closed[, amount]); extra columns as keyword lists."""
    rows = [row if len(row) == 5 else (*row, 10.0) for row in rows]
    stage, outcome, created, closed, amount = zip(*rows) if rows else ([],) * 5
    frame = pd.DataFrame({
        "deal_id": pd.array([f"D{i}" for i in range(len(rows))], dtype="string"),
        "stage": pd.array(list(stage), dtype="string"),
        "outcome": pd.array(list(outcome), dtype="string"),
        "created_at": pd.to_datetime(pd.Series(list(created), dtype="object")),
        "closed_at": pd.to_datetime(pd.Series(list(closed), dtype="object")),
        "amount": pd.Series(list(amount), dtype="float64"),
    })
    for name, values in columns.items():
        frame[name] = pd.Series(values, dtype="datetime64[ms]" if name.endswith("_at") else "string")
    return frame


def column(funnel: Funnel, name: str) -> list:
    return [None if pd.isna(v) else (round(v, 4) if isinstance(v, float) else v)
            for v in funnel.stages[name].tolist()]


# -- deals in play -----------------------------------------------------------


def test_deals_in_play():
    frame = deals(
        ("A", "open", "2024-06-01", None),           # in: created before, still open
        ("A", "open", "2024-10-01", None),           # out: created on the period end
        ("A", "open", None, None),                   # in: undated
        ("W", "won", "2024-01-01", "2024-06-30"),    # out: closed before the start
        ("W", "won", "2024-01-01", "2024-07-01"),    # in: closed on the first day
        ("L", "lost", "2024-08-01", "2024-12-01"),   # in: closed after the end
    )
    assert deals_in_play(frame, *Q3)["deal_id"].tolist() == ["D0", "D2", "D4", "D5"]


# -- stage positions -----------------------------------------------------------


def test_stage_positions_and_unmapped():
    frame = deals(("A", "open", "2024-07-01", None), ("C", "open", "2024-07-01", None),
                  ("W", "won", "2024-07-01", "2024-08-01"), ("L", "lost", "2024-07-01", "2024-08-01"),
                  ("Paused", "open", "2024-07-01", None),          # unknown and open: unmapped
                  ("Signed", "won", "2024-07-01", "2024-08-01"),   # alias of W
                  ("Gone", "lost", "2024-07-01", "2024-08-01"),    # unknown, placed by its outcome
                  ("Done", "won", "2024-07-01", "2024-08-01"))     # unknown, placed by its outcome
    before = frame.copy()
    placed = stage_positions(frame, STAGES)
    pd.testing.assert_frame_equal(frame, before)                   # input untouched
    assert placed["position"].tolist() == [0, 2, 3, -1, pd.NA, 3, -1, 3]
    assert placed["reached"].tolist() == [0, 2, 3, 0, pd.NA, 3, 0, 3]      # lost reached A, the first
    assert placed["unmapped"].tolist() == [False, False, False, False, True, False, False, False]
    assert stage_positions(frame, LOST_AT_B)["reached"].tolist()[3] == 1   # lost reached B


# -- funnel table ----------------------------------------------------------------


def test_funnel_table():
    frame = deals(
        ("A", "open", "2024-06-01", None),           # reached A, sits in A
        ("B", "open", "2024-07-10", None),           # reached B, sits in B
        ("C", "open", "2024-07-10", None),           # reached C, sits in C
        ("W", "won", "2024-05-01", "2024-08-01"),    # won in Q3
        ("W", "won", "2024-07-01", "2024-09-01"),    # won in Q3
        ("L", "lost", "2024-07-01", "2024-08-15"),   # lost in Q3: reached A
        ("W", "won", "2024-08-01", "2024-11-01"),    # won after the end: in C at the end
        ("L", "lost", "2024-08-01", "2024-12-01"),   # lost after the end: in A at the end
        ("Paused", "open", "2024-07-01", None),      # unknown stage: left out, counted
        ("W", "won", "2024-01-01", "2024-06-01"),    # closed before Q3: not in play
        ("A", "open", "2024-10-05", None),           # created after Q3: not in play
    )
    before = frame.copy()
    funnel = funnel_table(frame, STAGES, *Q3)
    pd.testing.assert_frame_equal(frame, before)
    assert funnel.stages.columns.tolist() == ["stage", "reached", "step_conversion", "cumulative_conversion",
                                              "drop_off", "current", "bottleneck"]
    assert column(funnel, "stage") == ["A", "B", "C", "W"]
    # reached >= A: the 8 placed deals in play; >= B: B, C, 2 won, won-later = 5;
    # >= C: C, 2 won, won-later = 4; W: the 2 won in Q3.
    assert column(funnel, "reached") == [8, 5, 4, 2]
    assert column(funnel, "step_conversion") == [None, 0.625, 0.8, 0.5]           # 5/8, 4/5, 2/4
    assert column(funnel, "cumulative_conversion") == [1.0, 0.625, 0.5, 0.25]     # 8/8, 5/8, 4/8, 2/8
    assert column(funnel, "drop_off") == [0, 3, 1, 2]
    assert column(funnel, "current") == [2, 1, 2, 2]     # A: open + lost later; C: open + won later
    assert column(funnel, "bottleneck") == [False, False, False, True]
    assert (funnel.bottleneck, funnel.lost, funnel.unmapped, funnel.stage_list) == ("W", 1, 1, "abc")
    assert funnel.records() == [
        {"stage": "A", "reached": 8, "step_conversion": None, "cumulative_conversion": 1.0},
        {"stage": "B", "reached": 5, "step_conversion": 0.625, "cumulative_conversion": 0.625},
        {"stage": "C", "reached": 4, "step_conversion": 0.8, "cumulative_conversion": 0.5},
        {"stage": "W", "reached": 2, "step_conversion": 0.5, "cumulative_conversion": 0.25},
    ]


def test_funnel_table_empty():
    funnel = funnel_table(deals(), STAGES, *Q3)
    assert column(funnel, "reached") == [0, 0, 0, 0]
    assert column(funnel, "step_conversion") == [None] * 4
    assert column(funnel, "cumulative_conversion") == [None] * 4
    assert column(funnel, "drop_off") == [0, 0, 0, 0] and column(funnel, "current") == [0, 0, 0, 0]
    assert (funnel.bottleneck, funnel.lost, funnel.unmapped) == (None, 0, 0)
    assert funnel.records()[0] == {"stage": "A", "reached": 0, "step_conversion": None,
                                   "cumulative_conversion": None}


def test_funnel_table_single_deal():
    funnel = funnel_table(deals(("B", "open", "2024-07-02", None)), STAGES, *Q3)
    assert column(funnel, "reached") == [1, 1, 0, 0]
    assert column(funnel, "step_conversion") == [None, 1.0, 0.0, None]    # W: nothing reached C
    assert column(funnel, "cumulative_conversion") == [1.0, 1.0, 0.0, 0.0]
    assert funnel.bottleneck == "C"


def test_funnel_table_all_open():
    frame = deals(*[(stage, "open", "2024-07-02", None) for stage in ["A", "B", "B", "C"]])
    funnel = funnel_table(frame, STAGES, *Q3)
    assert column(funnel, "reached") == [4, 3, 1, 0]
    assert column(funnel, "step_conversion") == [None, 0.75, 0.3333, 0.0]      # 3/4, 1/3, 0/1
    assert column(funnel, "current") == [1, 2, 1, 0]
    assert (funnel.bottleneck, funnel.lost) == ("W", 0)


def test_funnel_table_all_lost():
    frame = deals(*[("L", "lost", "2024-07-02", "2024-08-01")] * 3)
    funnel = funnel_table(frame, LOST_AT_B, *Q3)
    assert column(funnel, "reached") == [3, 3, 0, 0]                       # lost deals reached B
    assert column(funnel, "step_conversion") == [None, 1.0, 0.0, None]
    assert column(funnel, "current") == [0, 0, 0, 0]                       # lost deals sit nowhere
    assert (funnel.bottleneck, funnel.lost) == ("C", 3)


def test_funnel_table_deal_closed_after_the_end_with_lost_reached():
    frame = deals(("L", "lost", "2024-07-02", "2024-10-01"), ("W", "won", "2024-07-02", "2025-01-01"))
    funnel = funnel_table(frame, LOST_AT_B, *Q3)
    assert column(funnel, "reached") == [2, 2, 1, 0]      # lost-later reached B; won-later reached C
    assert column(funnel, "current") == [0, 1, 1, 0]
    assert funnel.lost == 0


def test_funnel_table_unknown_stages_only():
    frame = deals(("Paused", "open", "2024-07-02", None), ("Later", "open", None, None))
    funnel = funnel_table(frame, STAGES, *Q3)
    assert column(funnel, "reached") == [0, 0, 0, 0]
    assert (funnel.bottleneck, funnel.unmapped) == (None, 2)


def test_funnel_table_undated_deals_are_in_every_period():
    frame = deals(("A", "open", None, None), ("B", "open", None, None))
    for period in [Q3, (T("2020-01-01"), T("2020-02-01"))]:
        assert column(funnel_table(frame, STAGES, *period), "reached") == [2, 1, 0, 0]


def test_funnel_table_bottleneck_tie_goes_to_the_earliest():
    # reached A: 8; B: 2 in B + 1 in C + 1 won = 4; C: 1 + 1 = 2; W: 1 -> every step is 0.5.
    frame = deals(*[("A", "open", "2024-07-02", None)] * 4, *[("B", "open", "2024-07-02", None)] * 2,
                  ("C", "open", "2024-07-02", None), ("W", "won", "2024-07-02", "2024-08-01"),
                  ("L", "lost", "2024-07-02", "2024-08-01"))    # lost: reached A too, so A = 9
    funnel = funnel_table(frame.iloc[:-1], STAGES, *Q3)
    assert column(funnel, "step_conversion") == [None, 0.5, 0.5, 0.5]
    assert column(funnel, "bottleneck") == [False, True, False, False]
    assert funnel.bottleneck == "B"
    # With the lost deal, A = 9: steps 4/9, 2/4, 1/2 and A -> B becomes the lowest alone.
    assert funnel_table(frame, STAGES, *Q3).bottleneck == "B"


# -- stage counts ----------------------------------------------------------------


def test_stage_counts_in_list_order_then_unknown():
    frame = deals(("B", "open", None, None, 5.0), ("Zeta", "open", None, None, 1.0),
                  ("signed", "won", None, None, 7.0), ("W", "won", None, None, 3.0),
                  ("Alpha", "lost", None, None, 2.0), ("L", "lost", None, None, None))
    counts = stage_counts(frame, STAGES)
    assert counts.columns.tolist() == ["stage", "position", "deals", "amount"]
    assert counts.values.tolist() == [
        ["A", 0, 0, 0.0], ["B", 1, 1, 5.0], ["C", 2, 0, 0.0],
        ["W", 3, 2, 10.0],                                   # "signed" counts as W: 7 + 3
        ["L", -1, 1, 0.0],                                   # no amount: 0
        ["Alpha", pd.NA, 1, 2.0], ["Zeta", pd.NA, 1, 1.0],   # unknown names, as typed, sorted
    ]


# -- open deal ages ----------------------------------------------------------------


AGES = dict(rows=[
    ("A", "open", "2024-06-01", None),          # no stage change: 121 days since creation
    ("A", "open", "2024-01-01", None),          # changed 2024-09-20: 10 days in A
    ("B", "open", "2024-03-01", None),          # changed 2024-05-02: 151 days in B
    ("B", "open", "2024-09-29", None),          # 1 day since creation
    ("B", "open", None, None),                  # undated: counted, no age
    ("C", "open", "2024-09-01", None),          # changed after as_of: 29 days since creation
    ("W", "won", "2024-02-01", "2024-10-20"),   # won after as_of: in C then, 242 days since creation
    ("A", "open", "2024-10-03", None),          # created after as_of: not open yet
    ("W", "won", "2024-02-01", "2024-09-10"),   # won before as_of
], changed=[None, "2024-09-20", "2024-05-02", None, None, "2024-10-15", "2024-10-20", None, "2024-09-10"])


def test_open_deal_ages_with_stage_change_dates():
    frame = deals(*AGES["rows"], stage_changed_at=AGES["changed"])
    before = frame.copy()
    ages = open_deal_ages(frame, STAGES, T("2024-09-30"))
    pd.testing.assert_frame_equal(frame, before)
    assert ages.columns.tolist() == ["stage", "deals", "median_days", "max_days", "stale", "by_stage_change",
                                     "by_creation"]
    assert ages.values.tolist() == [
        ["A", 2, 65.5, 121.0, 1, 1, 1],       # 121 and 10
        ["B", 3, 76.0, 151.0, 1, 1, 1],       # 151 and 1; the undated deal has no age
        ["C", 2, 135.5, 242.0, 1, 0, 2],      # 29 and 242
    ]


def test_open_deal_ages_without_stage_change_column():
    frame = deals(*AGES["rows"])
    ages = open_deal_ages(frame, STAGES, T("2024-09-30"), stale_days=200)
    assert ages.values.tolist() == [
        ["A", 2, 197.0, 273.0, 1, 0, 2],      # 121 and 273 days since creation
        ["B", 3, 107.0, 213.0, 1, 0, 2],      # 213 and 1
        ["C", 2, 135.5, 242.0, 1, 0, 2],
    ]


def test_open_deal_ages_empty():
    ages = open_deal_ages(deals(), STAGES, T("2024-09-30"))
    assert ages["deals"].tolist() == [0, 0, 0] and ages["median_days"].isna().all()


# -- breakdowns ----------------------------------------------------------------


BY_REGION = dict(rows=[
    ("A", "open", "2024-07-02", None, 10.0),
    ("W", "won", "2024-06-01", "2024-08-01", 100.0),
    ("L", "lost", "2024-07-02", "2024-08-01", 20.0),
    ("B", "open", "2024-07-02", None, 30.0),
    ("W", "won", "2024-07-01", "2024-09-01", 200.0),
    ("C", "open", None, None, 40.0),
    ("W", "won", "2023-01-01", "2023-02-01", 999.0),   # closed long before: no group activity
], region=["east", "east", "east", "south", "south", None, "west"])


def test_funnel_by_region_adds_up_to_the_whole():
    frame = deals(*BY_REGION["rows"], region=BY_REGION["region"])
    long = funnel_by(frame, STAGES, "region", *Q3, missing="n/a")
    assert long.columns.tolist()[:2] == ["region", "stage"]
    assert long["region"].unique().tolist() == ["east", "south", "n/a"]     # west: nothing in play
    east = long[long["region"] == "east"]
    assert east["reached"].tolist() == [3, 1, 1, 1]       # open A, won, lost (reached A)
    assert east["bottleneck"].tolist() == [False, True, False, False]   # 1/3, then 1/1 and 1/1
    south = long[long["region"] == "south"]
    assert south["reached"].tolist() == [2, 2, 1, 1]
    whole = funnel_table(frame, STAGES, *Q3).stages
    assert long.groupby("stage", sort=False)["reached"].sum().tolist() == whole["reached"].tolist()


def test_funnel_by_nothing_in_play():
    long = funnel_by(deals(region=[]), STAGES, "region", *Q3, missing="n/a")
    assert long.empty and long.columns.tolist()[:2] == ["region", "stage"]


def test_deal_breakdown_total_equals_the_whole():
    frame = deals(*BY_REGION["rows"], region=BY_REGION["region"])
    table = deal_breakdown(frame, "region", *Q3, total_label="全部")
    assert table["region"].tolist() == ["east", "south", "—", "全部"]     # west: no activity in Q3
    total = table.iloc[-1]
    whole = deal_totals(frame, *Q3)
    assert {key: (None if pd.isna(total[key]) else total[key]) for key in whole} == whole
    groups = table.iloc[:-1]
    for key in ["won", "lost", "open", "won_value", "pipeline_value"]:
        assert groups[key].sum() == whole[key], key
    east = table.iloc[0]
    assert (east["won"], east["lost"], east["open"], east["win_rate"]) == (1, 1, 1, 0.5)


# -- golden: Maven CRM sample ------------------------------------------------------


@pytest.fixture(scope="module")
def maven() -> pd.DataFrame:
    raw = pd.read_csv(MAVEN)
    return pd.DataFrame({
        "deal_id": raw["opportunity_id"],
        "stage": raw["deal_stage"],
        "created_at": pd.to_datetime(raw["engage_date"]),
        "closed_at": pd.to_datetime(raw["close_date"]),
        "amount": raw["close_value"].astype("float64"),
        "owner_rep": raw["sales_agent"],
        "product": raw["product"],
        "outcome": raw["deal_stage"].map({"Won": "won", "Lost": "lost"}).fillna("open"),
    })


def test_maven_golden(maven):
    stages = load_stages().for_source("sales_pipeline", maven["stage"])
    assert stages.name == "maven"
    counts = stage_counts(maven, stages).set_index("stage")["deals"].to_dict()
    assert counts == {"Prospecting": 500, "Engaging": 1589, "Won": 4238, "Lost": 2473}
    funnel = funnel_table(maven, stages, T("2017-01-01"), T("2018-01-01"))
    # Every deal is in play in 2017 (engaged by 2017-12-27 or undated, closed from 2017-03-01).
    # Engaging: 1,589 engaging + 4,238 won + 2,473 lost (all engaged) = 8,300.
    assert column(funnel, "reached") == [8800, 8300, 4238]
    assert (funnel.lost, funnel.unmapped, funnel.bottleneck) == (2473, 0, "Won")
    assert [row["step_conversion"] for row in funnel.records()] == [None, 0.9432, 0.5106]  # 8300/8800, 4238/8300
    by_rep = deal_breakdown(maven, "owner_rep", T("2017-01-01"), T("2018-01-01"))
    assert by_rep.iloc[:-1]["won"].sum() == by_rep.iloc[-1]["won"] == 4238
