"""Tests for custreport.analysis.segments: classification at a date, new customers, counts."""

from __future__ import annotations

import pandas as pd

from custreport.analysis.segments import classify_customers, completed, customer_counts, in_revenue, is_completed, \
    is_credit, new_in_period, recurring_charges

T = pd.Timestamp
AS_OF = T("2024-12-31")
# 2024 is a leap year: 2024-12-31 minus 365 days is 2024-01-01, so the active
# window is 2024-01-02 .. 2024-12-31 (365 days, as_of included).


def customers(*rows) -> pd.DataFrame:
    ids, created = zip(*rows)
    return pd.DataFrame({"customer_id": list(ids), "created_at": pd.to_datetime(list(created))})


def orders(*rows) -> pd.DataFrame:
    ids, dates, statuses = zip(*rows)
    return pd.DataFrame({"customer_id": list(ids), "order_date": pd.to_datetime(list(dates)),
                         "status": list(statuses), "amount": [10.0] * len(ids)})


def types(classified: pd.DataFrame) -> dict[str, str]:
    return dict(zip(classified["customer_id"], classified["customer_type"]))


def test_completed_excludes_returns_and_cancellations():
    frame = orders(("A", "2024-01-01", "completed"), ("A", "2024-01-02", "returned"),
                   ("A", "2024-01-03", "cancelled"))
    assert completed(frame)["order_date"].tolist() == [T("2024-01-01")]


def test_classification_at_the_365_day_boundary():
    frame = customers(("inside", "2020-01-01"), ("edge", "2020-01-01"), ("today", "2020-01-01"),
                      ("never", "2020-01-01"))
    bought = orders(("inside", "2024-01-02", "completed"),   # first day of the window: active
                    ("edge", "2024-01-01", "completed"),     # one day before it: churned
                    ("today", "2024-12-31", "completed"))    # as_of itself is inside
    assert types(classify_customers(frame, bought, AS_OF)) == {
        "inside": "active", "edge": "churned", "today": "active", "never": "prospect"}


def test_only_completed_orders_on_or_before_as_of_count():
    frame = customers(("returned", "2020-01-01"), ("later", "2020-01-01"), ("old_and_cancelled", "2020-01-01"))
    bought = orders(("returned", "2024-06-01", "returned"),           # not a purchase: prospect
                    ("later", "2025-01-01", "completed"),            # after as_of: prospect at as_of
                    ("old_and_cancelled", "2022-01-01", "completed"),
                    ("old_and_cancelled", "2024-06-01", "cancelled"))  # recent one cancelled: churned
    classified = classify_customers(frame, bought, AS_OF)
    assert types(classified) == {"returned": "prospect", "later": "prospect", "old_and_cancelled": "churned"}
    row = classified.set_index("customer_id").loc["old_and_cancelled"]
    assert (row["first_order"], row["last_order"]) == (T("2022-01-01"), T("2022-01-01"))
    assert pd.isna(classified.set_index("customer_id").loc["later", "last_order"])


def test_customers_created_after_as_of_do_not_exist_yet():
    frame = customers(("old", "2024-12-31"), ("new", "2025-01-01"), ("undated", None))
    bought = orders(("undated", "2024-03-01", "completed"))
    classified = classify_customers(frame, bought, AS_OF)
    # Created on as_of counts; created the day after does not; no date but an order before as_of does.
    assert sorted(classified["customer_id"]) == ["old", "undated"]
    assert types(classified)["undated"] == "active"


def test_custom_window_and_inputs_untouched():
    frame = customers(("A", "2020-01-01"))
    frame["customer_type"] = ["stale value"]
    bought = orders(("A", "2024-10-01", "completed"))
    before = frame.copy()
    # 2024-12-31 minus 30 days = 2024-12-01; an order on 2024-10-01 is outside: churned.
    assert types(classify_customers(frame, bought, AS_OF, active_days=30)) == {"A": "churned"}
    pd.testing.assert_frame_equal(frame, before)


def test_new_customers_are_those_whose_first_purchase_is_in_the_period():
    frame = customers(("created_in", "2024-10-05"), ("created_before", "2024-09-30"),
                      ("created_before_first_order_in", "2024-03-01"),
                      ("undated_first_order_in", None), ("undated_first_order_before", None),
                      ("prospect_in", "2024-12-31"))
    bought = orders(("created_in", "2024-11-01", "completed"),
                    ("created_before", "2023-06-30", "completed"),
                    ("created_before_first_order_in", "2024-10-10", "completed"),
                    ("undated_first_order_in", "2024-10-01", "completed"),
                    ("undated_first_order_before", "2024-09-30", "completed"))
    classified = classify_customers(frame, bought, AS_OF)
    start, end = T("2024-10-01"), T("2025-01-01")
    new = dict(zip(classified["customer_id"], new_in_period(classified, start, end)))
    # the creation date plays no part: a record created in the period that has not bought is a prospect
    assert new == {"created_in": True, "created_before": False, "created_before_first_order_in": True,
                   "undated_first_order_in": True, "undated_first_order_before": False, "prospect_in": False}
    # active: created_in, created_before_first_order_in, undated_first_order_in, undated_first_order_before
    # (2024-09-30 > 2024-01-01) = 4; churned: created_before (2023-06-30) = 1; prospect: prospect_in = 1.
    assert customer_counts(classified, start, end) == {
        "total": 6, "new": 3, "active": 4, "churned": 1, "prospect": 1}


def test_movement_counts_the_same_new_customers_as_the_counts():
    from custreport.analysis.segments import customer_movement, movement_counts

    # F first buys in the period but the source says churned: still new (a first purchase), not active
    frame = customers(("E", "2024-03-01"), ("F", "2024-03-01"), ("G", "2024-11-01")).assign(
        status=pd.array([None, "churned", None], dtype="string"))
    bought = orders(("E", "2024-10-10", "completed"), ("F", "2024-11-11", "completed"))
    start, end = T("2024-10-01"), T("2025-01-01")
    moved = customer_movement(frame, bought, start, end)
    assert dict(zip(moved["customer_id"], moved["movement"].fillna("-"))) == {"E": "new", "F": "new", "G": "-"}
    counts = customer_counts(classify_customers(frame, bought, AS_OF), start, end)
    assert movement_counts(moved)["new"] == counts["new"] == 2


def test_counts_with_no_customers():
    classified = classify_customers(customers(("A", "2025-06-01")), orders(("A", "2025-06-02", "completed")), AS_OF)
    assert customer_counts(classified, T("2024-10-01"), T("2025-01-01")) == {
        "total": 0, "new": 0, "active": 0, "churned": 0, "prospect": 0}


def test_customer_without_creation_date_exists_from_its_first_order():
    # X has no creation date and first buys on 2025-03-01: it does not exist at 2025-01-31,
    # and exists (active) at 2025-06-30. Y has neither date nor orders: it always exists, as a prospect.
    customers = pd.DataFrame({"customer_id": ["X", "Y"], "created_at": pd.to_datetime([None, None])})
    orders = pd.DataFrame({"customer_id": ["X"], "order_date": pd.to_datetime(["2025-03-01"]),
                           "status": ["completed"], "amount": [1.0]})
    before = classify_customers(customers, orders, pd.Timestamp("2025-01-31"))
    after = classify_customers(customers, orders, pd.Timestamp("2025-06-30"))
    assert before["customer_id"].tolist() == ["Y"]
    assert after.set_index("customer_id")["customer_type"].to_dict() == {"X": "active", "Y": "prospect"}


def test_customer_movement_by_hand():
    from custreport.analysis.segments import customer_movement, movement_counts

    frame = customers(("kept", "2020-01-01"), ("gone", "2020-01-01"), ("back", "2020-01-01"),
                      ("first", "2020-01-01"), ("born", "2024-11-15"), ("idle", "2020-01-01"),
                      ("sleeper", "2020-01-01"))
    bought = orders(
        ("kept", "2024-03-01", "completed"), ("kept", "2024-11-01", "completed"),  # active at both ends
        ("gone", "2023-10-15", "completed"),     # active on 2024-09-30 (within 365 days), churned by 12-31
        ("back", "2022-01-01", "completed"), ("back", "2024-12-01", "completed"),   # churned -> active
        ("first", "2024-10-10", "completed"),    # prospect -> active: new
        ("born", "2024-11-20", "completed"),     # did not exist before the period: new
        ("sleeper", "2021-05-05", "completed"),  # churned at both ends: no movement
    )
    moved = customer_movement(frame, bought, T("2024-10-01"), T("2025-01-01"))
    assert dict(zip(moved["customer_id"], moved["movement"].fillna("-"))) == {
        "kept": "retained", "gone": "lost", "back": "reactivated", "first": "new", "born": "new",
        "idle": "-", "sleeper": "-"}
    counts = movement_counts(moved)
    assert counts == {"new": 2, "retained": 1, "reactivated": 1, "lost": 1}
    # active at the end = new + retained + reactivated; active before = retained + lost
    assert (moved["type_after"] == "active").sum() == 4
    assert (moved["type_before"] == "active").sum() == 2


def test_customer_movement_of_nobody():
    from custreport.analysis.segments import customer_movement, movement_counts

    moved = customer_movement(customers(("A", "2020-01-01")).head(0), orders(("A", "2024-01-01", "completed")),
                              T("2024-10-01"), T("2025-01-01"))
    assert moved.empty and movement_counts(moved) == {"new": 0, "retained": 0, "reactivated": 0, "lost": 0}


def test_a_status_from_the_source_wins_over_the_derived_type():
    # A bought this year (derived active) but the source says churned; B never bought (derived
    # prospect) but the source says active; C has no stated status: derived from its orders.
    frame = customers(("A", "2023-01-01"), ("B", "2023-01-01"), ("C", "2023-01-01")).assign(
        status=pd.array(["churned", "active", None], dtype="string"))
    classified = classify_customers(frame, orders(("A", "2024-06-01", "completed"), ("C", "2022-01-01", "completed")),
                                    AS_OF)
    assert types(classified) == {"A": "churned", "B": "active", "C": "churned"}
    assert customer_counts(classified, T("2024-01-01"), T("2025-01-01"))["active"] == 1


def test_a_stated_status_does_not_make_a_customer_exist_before_its_creation():
    frame = customers(("A", "2025-03-01")).assign(status=pd.array(["churned"], dtype="string"))
    assert classify_customers(frame, orders(("A", "2025-04-01", "completed")), AS_OF).empty


def test_credit_lines_net_revenue_but_are_not_orders():
    lines = pd.DataFrame({"status": ["completed", "cancelled", "returned", "returned"],
                          "amount": [20.0, -5.0, -3.0, 8.0]})
    assert is_credit(lines).tolist() == [False, True, True, False]
    assert in_revenue(lines).tolist() == [True, True, True, False]
    assert is_completed(lines).tolist() == [True, False, False, False]


def test_a_customer_whose_only_lines_are_credits_is_a_prospect():
    lines = pd.DataFrame({"customer_id": ["A"], "order_date": pd.to_datetime(["2024-06-01"]),
                          "status": ["cancelled"], "amount": [-5.0]})
    assert types(classify_customers(customers(("A", "2024-01-01")), lines, AS_OF)) == {"A": "prospect"}


def test_recurring_charges_by_type():
    classified = pd.DataFrame({"customer_type": ["active", "churned", "churned", "prospect"],
                               "monthly_charge": [29.85, 53.85, 70.70, None],
                               "total_charges": [29.85, 108.15, None, None]})
    assert recurring_charges(classified) == {"customers_with_charge": 3, "monthly_active": 29.85,
                                             "monthly_lost": 124.55, "total_charges_lost": 108.15}
    assert recurring_charges(classified.drop(columns=["monthly_charge", "total_charges"]))["monthly_lost"] is None
