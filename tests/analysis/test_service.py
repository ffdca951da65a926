"""Tests for custreport.analysis.service: complaint rate, satisfaction, open complaints."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from custreport import schema
from custreport.analysis.service import open_complaints, satisfaction_by, service_signals

T = pd.Timestamp
Q3 = (T("2024-07-01"), T("2024-10-01"))
AS_OF = T("2024-09-30 23:59:59.999")


def interactions(*rows) -> pd.DataFrame:
    """Rows of (customer_id, date, kind, satisfaction, status, note), typed as the store types them."""
    columns = ["customer_id", "date", "kind", "satisfaction", "status", "note"]
    frame = pd.DataFrame([dict(zip(columns, row)) for row in rows], columns=columns)
    return schema.conform(frame, "interactions")[columns]


CUSTOMERS = pd.DataFrame({
    "customer_id": ["A", "B", "C"], "name": ["甲公司", "乙公司", "丙公司"],
    "region": ["east", "east", None], "owner_rep": ["王五", None, "赵六"],
})

LOG = interactions(
    ("A", "2024-06-30", "complaint", 1, "open", "发货延迟"),        # before Q3: open at the end, not in Q3
    ("A", "2024-07-01", "complaint", 2, "resolved", "账单有误"),    # first day of Q3: counts
    ("A", "2024-08-15", "inquiry", 4, None, "询价"),
    ("B", "2024-09-30 18:00", "complaint", None, None, "系统卡顿"),  # last day of Q3, no status: unknown
    ("B", "2024-09-01", "call", 5, None, None),
    ("C", "2024-07-20", "complaint", None, "open", None),           # open, no note
    ("C", "2024-10-01", "complaint", 1, "open", "10月投诉"),        # first day after Q3: nowhere
)


# --- service_signals ---------------------------------------------------------------


def test_service_signals():
    assert service_signals(LOG, *Q3) == {
        "interactions": 5,                     # rows 2-6: 07-01 .. 09-30 18:00
        "complaints": 3,                       # A 07-01, B 09-30, C 07-20
        "complaint_rate": 0.6,                 # 3 / 5
        "rated": 3,                            # scores 2, 4, 5
        "avg_satisfaction": 3.67,              # (2 + 4 + 5) / 3 = 3.666..
        "complaint_customers": 3,              # A, B, C
        "customers_with_open_complaints": 2,   # A (06-30, open), C (07-20, open); C's 10-01 is after the end
        "complaints_status_unknown": 1,        # B's 09-30 complaint
    }


def test_service_signals_period_boundaries():
    # Start inclusive: the 07-01 complaint is in Q3. End exclusive: the 10-01 one is in Q4 only.
    q4 = service_signals(LOG, T("2024-10-01"), T("2025-01-01"))
    assert (q4["interactions"], q4["complaints"], q4["avg_satisfaction"]) == (1, 1, 1.0)
    # Open at the end of Q4: A (06-30) and C (07-20, 10-01) = 2 customers.
    assert q4["customers_with_open_complaints"] == 2
    june = service_signals(LOG, T("2024-06-01"), T("2024-07-01"))
    assert (june["interactions"], june["complaints"], june["customers_with_open_complaints"]) == (1, 1, 1)


def test_service_signals_empty():
    assert service_signals(interactions(), *Q3) == {
        "interactions": 0, "complaints": 0, "complaint_rate": None, "rated": 0, "avg_satisfaction": None,
        "complaint_customers": 0, "customers_with_open_complaints": 0, "complaints_status_unknown": 0,
    }


def test_service_signals_single_customer_without_scores():
    log = interactions(("A", "2024-07-02", "visit", None, None, None),
                       ("A", "2024-07-03", "complaint", None, "open", None))
    signals = service_signals(log, *Q3)
    assert (signals["interactions"], signals["complaints"], signals["complaint_rate"]) == (2, 1, 0.5)
    assert (signals["rated"], signals["avg_satisfaction"]) == (0, None)
    assert (signals["complaint_customers"], signals["customers_with_open_complaints"]) == (1, 1)


def test_complaints_without_status_are_unknown_not_open():
    log = interactions(("A", "2024-07-02", "complaint", None, None, None),
                       ("B", "2024-07-03", "complaint", None, None, None))
    signals = service_signals(log, *Q3)
    assert (signals["customers_with_open_complaints"], signals["complaints_status_unknown"]) == (0, 2)
    # A snapshot written before statuses were read has no status column at all: the same answer.
    assert service_signals(log.drop(columns=["status"]), *Q3) == signals
    assert open_complaints(log.drop(columns=["status"]), AS_OF).empty


def test_scores_outside_one_to_five_are_no_score():
    log = interactions(("A", "2024-07-02", "call", 0, None, None), ("A", "2024-07-03", "call", 4, None, None))
    signals = service_signals(log, *Q3)
    assert (signals["rated"], signals["avg_satisfaction"]) == (1, 4.0)


def test_service_signals_limited_to_the_customers_given():
    signals = service_signals(LOG, *Q3, customers=CUSTOMERS[CUSTOMERS["customer_id"] == "A"])
    # A in Q3: the 07-01 complaint and the 08-15 inquiry; open: its 06-30 complaint.
    assert (signals["interactions"], signals["complaints"], signals["customers_with_open_complaints"]) == (2, 1, 1)


# --- open_complaints -----------------------------------------------------------------


def test_open_complaints():
    table = open_complaints(LOG, AS_OF, customers=CUSTOMERS)
    assert list(table.columns) == ["customer_id", "name", "open_complaints", "oldest_open", "days_open", "last_note"]
    assert table["customer_id"].tolist() == ["A", "C"]        # 92 days before 72
    assert table["name"].tolist() == ["甲公司", "丙公司"]
    assert table["open_complaints"].tolist() == [1, 1]        # C's 10-01 complaint is after as_of
    assert table["oldest_open"].tolist() == [T("2024-06-30"), T("2024-07-20")]
    assert table["days_open"].tolist() == [92, 72]            # 06-30 -> 09-30: 1 + 31 + 31 + 29; 07-20 -> 09-30: 11 + 31 + 30
    assert table["last_note"].tolist() == ["发货延迟", pd.NA]


def test_open_complaints_counts_and_latest_note_per_customer():
    log = interactions(("A", "2024-09-01", "complaint", None, "open", "第一次"),
                       ("A", "2024-09-10", "complaint", None, "open", "第二次"),
                       ("A", "2024-09-20", "complaint", None, "open", None),      # latest, but no note
                       ("A", "2024-09-25", "complaint", None, "resolved", "已解决的"),
                       ("B", "2024-09-01", "complaint", None, "open", "乙"))       # as old as A's: id decides
    table = open_complaints(log, AS_OF)
    assert "name" not in table
    assert table[["customer_id", "open_complaints", "days_open", "last_note"]].values.tolist() == [
        ["A", 3, 29, "第二次"], ["B", 1, 29, "乙"]]               # 09-01 -> 09-30 = 29 days


def test_open_complaints_as_of_is_inclusive():
    log = interactions(("A", "2024-09-30 10:00", "complaint", None, "open", None))
    assert open_complaints(log, AS_OF)["days_open"].tolist() == [0]
    assert open_complaints(log, T("2024-09-29")).empty


def test_open_complaints_empty():
    table = open_complaints(interactions(), AS_OF, customers=CUSTOMERS)
    assert table.empty
    assert list(table.columns) == ["customer_id", "name", "open_complaints", "oldest_open", "days_open", "last_note"]


# --- satisfaction_by -------------------------------------------------------------------


def test_satisfaction_by_customer_region():
    table = satisfaction_by(LOG, "region", *Q3, customers=CUSTOMERS)
    assert table["region"].tolist() == ["east", "—"]           # A and B are east; C has no region
    east, missing = table.to_dict("records")
    # east: A 07-01 complaint (2), A inquiry (4), B complaint (-), B call (5).
    assert east == {"region": "east", "interactions": 4, "complaints": 2, "complaint_rate": 0.5, "rated": 3,
                    "avg_satisfaction": 3.67}                  # (2 + 4 + 5) / 3
    assert (missing["interactions"], missing["complaints"], missing["complaint_rate"]) == (1, 1, 1.0)
    assert math.isnan(missing["avg_satisfaction"]) and missing["rated"] == 0


def test_satisfaction_by_owner_rep_and_by_kind():
    by_rep = satisfaction_by(LOG, "owner_rep", *Q3, customers=CUSTOMERS)
    # 王五 (A): 2 rows; — (B): 2 rows; 赵六 (C): 1 row. Ties: by key.
    assert by_rep[["owner_rep", "interactions"]].values.tolist() == [["—", 2], ["王五", 2], ["赵六", 1]]
    by_kind = satisfaction_by(LOG, "kind", *Q3)
    assert by_kind.set_index("kind")["interactions"].to_dict() == {"complaint": 3, "call": 1, "inquiry": 1}
    assert by_kind.set_index("kind").loc["complaint", "avg_satisfaction"] == 2.0   # only A's 2 is scored


def test_satisfaction_by_empty_and_unknown_column():
    table = satisfaction_by(interactions(), "region", *Q3, customers=CUSTOMERS)
    assert table.empty
    assert list(table.columns) == ["region", "interactions", "complaints", "complaint_rate", "rated",
                                   "avg_satisfaction"]
    with pytest.raises(ValueError, match="industry"):
        satisfaction_by(LOG, "industry", *Q3, customers=CUSTOMERS)


# --- purity ------------------------------------------------------------------------------


def test_inputs_are_not_mutated():
    log, customers = LOG.copy(deep=True), CUSTOMERS.copy(deep=True)
    service_signals(LOG, *Q3, customers=CUSTOMERS)
    open_complaints(LOG, AS_OF, customers=CUSTOMERS)
    satisfaction_by(LOG, "region", *Q3, customers=CUSTOMERS)
    satisfaction_by(LOG.drop(columns=["status", "satisfaction"]), "kind", *Q3)
    pd.testing.assert_frame_equal(LOG, log)
    pd.testing.assert_frame_equal(CUSTOMERS, customers)
