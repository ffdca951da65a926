"""Tests for custreport.keyed_frames: aligned and ids_in."""

from __future__ import annotations

import pandas as pd

from custreport.keyed_frames import aligned, ids_in


def test_aligned_in_order_and_with_gaps():
    frame = pd.DataFrame({"customer_id": pd.array(["A", "B", "C"], dtype="string"), "x": [1.0, 2.0, 3.0]})
    same = aligned(frame, pd.Series(["A", "B", "C"], index=[10, 11, 12]))
    assert same["x"].tolist() == [1.0, 2.0, 3.0] and list(same.index) == [10, 11, 12]
    other = aligned(frame, pd.Series(["C", "Z", "A"]))
    assert other["customer_id"].tolist() == ["C", "Z", "A"]
    assert other["x"].tolist()[0] == 3.0 and pd.isna(other["x"].tolist()[1]) and other["x"].tolist()[2] == 1.0


def test_ids_in():
    values = pd.Series(["A", None, "B", "C"], dtype="string")
    assert ids_in(values, pd.Series(["B", "A"])).tolist() == [True, False, True, False]
    assert ids_in(values.head(0), pd.Series(["A"])).tolist() == []
    assert ids_in(values, pd.Series([], dtype="string")).tolist() == [False] * 4
