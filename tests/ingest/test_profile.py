"""Tests for custreport.ingest.profile: the stages an ingest reports."""

from __future__ import annotations

import time

import pytest

from custreport.ingest.profile import StageClock, peak_gb


def test_each_lap_closes_the_stage_since_the_last():
    clock = StageClock()
    time.sleep(0.02)
    clock.lap("read and prepare")
    clock.lap("match customers")
    first, second = clock.stages
    assert first["stage"] == "read and prepare" and first["seconds"] >= 0.02
    assert second["seconds"] < first["seconds"]
    assert 0 < first["peak_gb"] <= second["peak_gb"] <= peak_gb() + 0.001   # peaks only grow
    line = clock.line()
    assert line.startswith("ingest ") and "read and prepare" in line and line.endswith("GB)")


@pytest.mark.slow
def test_a_full_ingest_records_its_stages_in_the_manifest(tmp_path):
    from custreport import store
    from demo_project import make_demo_project

    make_demo_project(tmp_path, customers=60)
    stages = store.current_snapshot(tmp_path / "data" / "clean").manifest["ingest_profile"]
    assert [s["stage"] for s in stages] == ["read and prepare", "match customers", "attach orders",
                                            "deals, leads, interactions", "check and account"]
