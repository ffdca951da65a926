"""params/targets.yaml: entries, their checks (one line each), and which target a report meets."""
from __future__ import annotations

import datetime as dt

import pytest

from custreport.config import load_regions
from custreport.errors import UserError
from custreport.periods import parse_period
from custreport.reporting.insights import following_period, target_period
from custreport.targets import load_targets


def _write(tmp_path, text: str):
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_targets_by_region_name_period_and_rep(tmp_path):
    path = _write(tmp_path, """
targets:
  - {region: 华东, period: 2025-Q4, revenue: 30000000, win_rate: 25%, customers_new: 100}
  - {region: south, period: 2025-Q4, revenue: 20000000}
  - {region: east, period: 2025-Q4, rep: 张伟, revenue: 5000000}
""")
    table = load_targets(load_regions(), path)
    assert table.for_region("east", "2025-Q4", ["east", "south"]) == {
        "revenue": 30000000.0, "win_rate": 0.25, "customers_new": 100.0}
    # the company has no target of its own: its regions' counts and amounts add up, rates do not
    assert table.for_region("all", "2025-Q4", ["east", "south"]) == {"revenue": 50000000.0}
    assert table.for_region("all", "2025-Q4", ["east", "south", "north"]) == {}
    assert table.for_reps("east", "2025-Q4") == {"张伟": {"revenue": 5000000.0}}
    assert table.for_region("east", "2026-Q1", ["east"]) == {}


def test_a_project_without_targets_has_none(tmp_path):
    assert load_targets(load_regions(), tmp_path / "missing.yaml").targets == []


@pytest.mark.parametrize("entry, says", [
    ("{region: 火星, period: 2025-Q4, revenue: 1}", "region '火星' is not in params/regions.yaml"),
    ("{region: east, period: 2025-Q4, revenu: 1}", "'revenu' is not a figure a target can be set for"),
    ("{region: east, period: 2025-Q4, revenue: lots}", "revenue: 'lots' is not a number"),
    ("{region: east, period: 2025-Q4, revenue: -5}", "must be a number of zero or more"),
    ("{region: east, period: 2025-Q4, win_rate: 25}", "is a rate: write 25% or 0.25"),
    ("{region: east, period: Q4, revenue: 1}", "period 'Q4'"),
    ("{region: east, period: ytd, revenue: 1}", "name it whole"),
    ("{region: east, period: 2025-Q4}", "names no figure"),
])
def test_a_wrong_entry_is_one_line_naming_the_file_and_entry(tmp_path, entry, says):
    path = _write(tmp_path, f"targets:\n  - {entry}\n")
    with pytest.raises(UserError) as caught:
        load_targets(load_regions(), path)
    message = str(caught.value)
    assert str(path) in message and says in message and "\n" not in message


def test_a_target_given_twice_is_refused(tmp_path):
    path = _write(tmp_path, "targets:\n  - {region: east, period: 2025-Q4, revenue: 1}\n"
                            "  - {region: 华东, period: 2025-Q4, revenue: 2}\n")
    with pytest.raises(UserError, match="entry 2: revenue for east 2025-Q4 is given twice"):
        load_targets(load_regions(), path)


def test_the_target_period_of_a_report_period_and_the_share_it_covers():
    assert target_period(parse_period("2025-Q4")) == ("2025-Q4", 1.0)
    assert target_period(parse_period("2025-Q4").cut(dt.date(2025, 11, 15))) == ("2025-Q4", round(46 / 92, 4))
    assert target_period(parse_period("ytd", today=dt.date(2025, 3, 31))) == ("2025", round(90 / 365, 4))
    assert target_period(parse_period("2025-07-01..2025-07-10")) == (None, 1.0)
    assert following_period(parse_period("2025-Q4")) == "2026-Q1"
    assert following_period(parse_period("2025-12")) == "2026-01"
    assert following_period(parse_period("2025")) == "2026"
