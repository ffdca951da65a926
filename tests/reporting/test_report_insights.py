"""A report's insights, headline and table by region on the tiny project, computed by hand.

2025-Q4 against 2025-Q3 (tests/tiny_project.py): A 120 -> 400 (its 80 was returned), C 40 -> 200,
B's first purchase 50 in Q4. Revenue 160 -> 650: growth 280 + 160, new 50.
"""
from __future__ import annotations

import pytest

from custreport import report
from tiny_project import make_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    store_folder = make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    (tmp_path / "params" / "targets.yaml").write_text(
        "targets:\n  - {region: east, period: 2025-Q4, revenue: 500, win_rate: 50%}\n"
        "  - {region: south, period: 2025-Q4, revenue: 250}\n", encoding="utf-8")
    return store_folder


def _figures(region: str = "all", locale: str = "zh") -> dict:
    return report.metrics(report.load(region=region, period="2025-Q4", locale=locale, reuse=False))


def test_the_bridge_adds_up_to_the_revenue_change(project):
    figures = _figures()
    bridge = next(r for r in figures["insights"] if r["kind"] == "bridge")["figures"]
    assert (bridge["previous"], bridge["current"]) == (160.0, 650.0) == (figures["previous"]["revenue"],
                                                                         figures["revenue"])
    assert (bridge["growth"], bridge["new"], bridge["decline"], bridge["lost"], bridge["other"]) == \
        (440.0, 50.0, 0.0, 0.0, 0.0)
    assert bridge["customers"]["new"] == 1 and bridge["customers"]["growth"] == 2


def test_the_headline_in_both_languages(project):
    headline = _figures()["headline"]
    assert headline["zh"] == "全公司 2025-Q4 销售额 ¥650，环比 +306.2%，主要来自老客户增购（+¥440）"
    assert headline["en"] == ("Company-wide 2025-Q4: revenue ¥650, +306.2% on the previous period, driven mostly by "
                              "existing customers buying more (+¥440)")


def test_regions_drive_the_company_change_and_the_ranking_is_stable(project):
    figures = _figures()
    driver = next(r for r in figures["insights"] if r["kind"] == "driver" and r["key"] == "region")
    assert [(g["group"], g["change"]) for g in driver["figures"]["groups"]] == [("east", 330.0), ("south", 160.0)]
    assert "华东（+¥330）" in driver["text"]["zh"] and "East China (+¥330)" in driver["text"]["en"]
    assert [r["rank"] for r in figures["insights"]] == list(range(1, len(figures["insights"]) + 1))
    again = _figures()
    assert [(r["kind"], r["key"]) for r in again["insights"]] == [(r["kind"], r["key"]) for r in figures["insights"]]


def test_targets_and_the_table_by_region(project):
    figures = _figures()
    rows = {row["region"]: row for row in figures["by_region"]}
    assert rows["east"]["revenue"] == 450.0 and rows["east"]["previous"] == 120.0 and rows["east"]["change"] == 2.75
    assert rows["east"]["win_rate"] == 1.0 and rows["south"]["win_rate"] == 0.0
    assert rows["east"]["attainment"] == 0.9 and rows["south"]["attainment"] == 0.8
    # the company has no revenue target of its own: its regions' add up (east 500 + south 250)
    assert figures["targets"]["revenue"]["goal"] == 750.0 and figures["targets"]["revenue"]["met"] is False
    east = _figures("east")
    assert east["by_region"] == []
    assert east["targets"]["win_rate"] == {"target": 0.5, "period": "2025-Q4", "prorated": 1.0, "goal": 0.5,
                                           "actual": 1.0, "attainment": 2.0, "met": True}
    attainment = next(r for r in east["insights"] if r["kind"] == "attainment" and r["key"] == "revenue")
    assert attainment["text"]["zh"] == "销售额完成目标的 90%（¥450，目标 ¥500），尚差 ¥50。"


def test_rate_changes_are_in_points_in_metrics(project):
    figures = _figures("east")
    # east's win rate: 1.0 in Q4 (D1 won), nothing decided in Q3: no change to show
    assert figures["deltas"]["vs_previous"]["deals.win_rate"] is None
    assert figures["directions"]["win_rate"] == "up" and figures["directions"]["deals_lost"] == "down"
