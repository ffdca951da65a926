"""New customers have one definition (analysis.segments.new_in_period: first completed purchase in
the period): the summary's card and the segments report's movement table show the same number."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport import report, schema, store
from tiny_project import customers, deals, make_project, orders


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The tiny project plus three east customers the two old definitions counted differently:
    E created 2025-03-01 first buys 2025-11-05 (new by its first purchase, not by its creation);
    F created 2025-11-10 and G created 2025-12-01 never buy (new by creation only: prospects)."""
    folder = make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    extra = schema.conform(pd.DataFrame({
        "customer_id": ["E", "F", "G"], "name": ["戊公司", "己公司", "庚公司"], "region": ["east"] * 3,
        "province": ["浙江"] * 3, "created_at": pd.to_datetime(["2025-03-01", "2025-11-10", "2025-12-01"]),
        "source": "test", "source_row": [6, 7, 8]}), "customers")
    bought = schema.conform(pd.DataFrame({
        "order_id": ["O9"], "customer_id": ["E"], "order_date": pd.to_datetime(["2025-11-05"]), "amount": [60.0],
        "status": ["completed"], "region": ["east"], "source": "test", "source_row": [10]}), "orders")
    store.write_snapshot(folder, {"customers": pd.concat([customers(), extra], ignore_index=True),
                                  "orders": pd.concat([orders(), bought], ignore_index=True), "deals": deals(),
                                  "interactions": schema.empty_frame("interactions"),
                                  "reps": schema.empty_frame("reps")},
                         {}, {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}})
    return folder


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_summary_and_the_segments_report_count_the_same_new_customers(project, locale):
    ctx = report.load(region="east", period="2025-Q4", locale=locale)
    card = report.kpis(ctx).table.set_index("metric").loc["customers_new", "value"]
    movement = report.customer_movement_frame(ctx)
    shown = dict(zip(movement.iloc[:, 0], movement.iloc[:, 1]))
    # B (created and first bought in Q4) and E (created in March, first bought in Q4); not F, G
    assert card == shown[report.kpis(ctx).table.set_index("metric").loc["customers_new", "label"]] == 2
    figures = report.metrics(ctx)
    assert figures["customers"]["new"] == figures["movement"]["new"] == 2
    # the movement still adds up: active at the end (A, B, E) = new + retained + reactivated
    assert figures["customers"]["active"] == 3 == 2 + figures["movement"]["retained"] + figures["movement"][
        "reactivated"]
