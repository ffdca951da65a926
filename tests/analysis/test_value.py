"""analysis.value: BG/NBD and Gamma-Gamma against the published CDNOW results, plus hand checks.

Published (Fader, Hardie & Lee 2005; Fader & Hardie's P(alive) note), CDNOW 1/10 sample,
calibration 1997-01-01 .. 1997-09-30 in weeks: r = 0.243, α = 4.414, a = 0.793, b = 2.426,
LL = -9582.4; for x = 2, t_x = 30.43, T = 38.86, E[X(39)] = 1.226. Gamma-Gamma on the same
calibration: p = 6.25, q = 3.74, γ = 15.44.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from custreport.analysis.value import (BgNbd, GammaGamma, customer_lifetime_value, expected_purchases,
                                       expected_spend, fit_bgnbd, fit_gamma_gamma, fit_value_models, probability_alive,
                                       rfm_summary)

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow" / "CDNOW_sample.txt"
PUBLISHED = BgNbd(0.243, 4.414, 0.793, 2.426, -9582.4)


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["customer", "index", "date", "cds", "amount"])
    orders = pd.DataFrame({"customer_id": raw["customer"].astype(str), "amount": raw["amount"],
                           "order_date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")})
    return rfm_summary(orders, pd.Timestamp("1997-09-30"))


def test_cdnow_summary_shape(cdnow_summary):
    assert len(cdnow_summary) == 2357                     # the whole cohort bought in 1997-Q1
    assert cdnow_summary["T"].max() == pytest.approx(38.857, abs=1e-3)  # 272 days / 7


def test_bgnbd_matches_the_published_estimates(cdnow_summary):
    model = fit_bgnbd(cdnow_summary)
    assert model.r == pytest.approx(PUBLISHED.r, abs=0.001)
    assert model.alpha == pytest.approx(PUBLISHED.alpha, abs=0.01)
    assert model.a == pytest.approx(PUBLISHED.a, abs=0.001)
    assert model.b == pytest.approx(PUBLISHED.b, abs=0.01)
    assert model.log_likelihood == pytest.approx(PUBLISHED.log_likelihood, abs=0.1)


def test_conditional_expectation_matches_the_published_example():
    customer = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86], "monetary_value": [0.0]})
    assert expected_purchases(PUBLISHED, customer, 39).iloc[0] == pytest.approx(1.226, abs=0.001)


def test_gamma_gamma_matches_the_published_estimates(cdnow_summary):
    model = fit_gamma_gamma(cdnow_summary)
    assert (model.p, model.q, model.gamma) == pytest.approx((6.25, 3.74, 15.44), abs=0.01)


def test_p_alive_is_one_without_repeat_purchases_and_falls_with_silence():
    # x = 0 -> 1 by definition. Same x = 2, last purchase at week 30 vs week 5 of 38:
    # the customer silent for 33 weeks is less likely alive.
    history = pd.DataFrame({"frequency": [0, 2, 2], "recency": [0.0, 30.0, 5.0], "T": [38.0, 38.0, 38.0]})
    alive = probability_alive(PUBLISHED, history).tolist()
    assert alive[0] == 1.0 and 1.0 > alive[1] > alive[2] > 0.0


def test_rfm_summary_merges_same_day_orders_and_ignores_later_ones():
    orders = pd.DataFrame({"customer_id": ["A", "A", "A", "A"], "amount": [10.0, 5.0, 20.0, 99.0],
                           "order_date": pd.to_datetime(format="ISO8601", arg=["2024-01-01 09:00", "2024-01-01 17:00",
                                                         "2024-01-08", "2024-06-01"])})
    summary = rfm_summary(orders, pd.Timestamp("2024-01-29"))
    # Days: 01-01 (10 + 5), 01-08 (20); 06-01 is after the end. One repeat day, a week after the first;
    # T = 28 days = 4 weeks; monetary value = mean of the repeat days = 20.
    assert summary.loc[0, ["frequency", "recency", "T", "monetary_value"]].tolist() == [1, 1.0, 4.0, 20.0]


def test_expected_spend_shrinks_towards_the_population_mean():
    model = GammaGamma(p=6.0, q=4.0, gamma=15.0, log_likelihood=0.0)
    population = 6.0 * 15.0 / (4.0 - 1)  # p γ / (q - 1) = 30
    customers = pd.DataFrame({"frequency": [0, 1, 50], "monetary_value": [0.0, 60.0, 60.0]})
    spend = expected_spend(model, customers).tolist()
    # one repeat purchase of 60: (15 + 60) * 6 / (6 + 4 - 1) = 50; fifty of them: close to 60
    assert spend[0] == pytest.approx(population)
    assert spend[1] == pytest.approx(50.0)
    assert 58 < spend[2] < 60


def test_clv_is_discounted_expected_purchases_times_spend(cdnow_summary):
    bgnbd, spend = fit_bgnbd(cdnow_summary), fit_gamma_gamma(cdnow_summary)
    undiscounted = customer_lifetime_value(bgnbd, spend, cdnow_summary, months=12, monthly_discount=0.0)
    purchases = expected_purchases(bgnbd, cdnow_summary, 12 * (365.25 / 12) / 7)
    assert np.allclose(undiscounted, purchases * expected_spend(spend, cdnow_summary))
    discounted = customer_lifetime_value(bgnbd, spend, cdnow_summary, months=12, monthly_discount=0.01)
    assert (discounted <= undiscounted + 1e-9).all() and discounted.sum() > 0.85 * undiscounted.sum()
    # month by month from the conditional expectation itself: E[Y(m)] - E[Y(m-1)], discounted
    month = 365.25 / 12 / 7
    by_month = [expected_purchases(bgnbd, cdnow_summary, m * month) for m in range(0, 13)]
    reference = sum((by_month[m] - by_month[m - 1]) / 1.01 ** m for m in range(1, 13))
    assert np.allclose(discounted, reference * expected_spend(spend, cdnow_summary), rtol=1e-12)


def test_fitting_needs_data():
    with pytest.raises(ValueError, match="at least two customers"):
        fit_bgnbd(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))
    with pytest.raises(ValueError, match="repeat purchases"):
        fit_gamma_gamma(pd.DataFrame({"frequency": [0, 0], "monetary_value": [0.0, 0.0]}))


def test_fit_is_fast_enough_to_run_from_the_published_start():
    # The quasi-Newton fit must land on the published optimum (not a nearby simplex stall).
    from custreport.analysis.value import fit_value_models

    models = fit_value_models(pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [1.0], "monetary_value": [0.0]}))
    assert models.bgnbd is None and models.gamma_gamma is None
    assert "at least two customers" in models.note and models.customers == 1
    assert models.issues == ("bgnbd_too_few", "gamma_gamma_too_few")


def test_homogeneous_spend_is_flagged_as_a_ridge():
    # every customer spends at the same rate (no heterogeneity for Gamma-Gamma's q to measure):
    # q runs off to a large value and the note says only the mean spend is determined
    rng = np.random.default_rng(3)
    repeats = rng.integers(1, 6, 3000)
    summary = pd.DataFrame({"frequency": repeats, "recency": repeats * 3.0, "T": 40.0,
                            "monetary_value": 100.0 * rng.gamma(50.0 * repeats, 1 / (50.0 * repeats))})
    models = fit_value_models(summary)
    assert models.gamma_gamma.q > 1000 and "only the mean spend" in models.note
    assert models.issues == ("gamma_gamma_ridge",)
    mean_spend = models.gamma_gamma.p * models.gamma_gamma.gamma / (models.gamma_gamma.q - 1)
    assert mean_spend == pytest.approx(100.0, rel=0.02)


def test_customer_values_on_cdnow(cdnow_summary):
    from custreport.analysis.value import RiskRules, at_risk, customer_values, high_value, lost

    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["customer", "index", "date", "cds", "amount"])
    orders = pd.DataFrame({"customer_id": raw["customer"].astype(str), "amount": raw["amount"],
                           "order_id": raw.index.astype(str),
                           "order_date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")})
    values, models = customer_values(orders, pd.Timestamp("1997-09-30"), horizon=39)
    assert models.bgnbd.as_dict() == pytest.approx({"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259,
                                                    "log_likelihood": -9582.43}, abs=2e-4)
    assert len(values) == 2357 and values["p_alive"].between(0, 1).all()
    # The sample's 39-week holdout (1997-10-01 .. 1998-06-30) holds 1,882 purchase days; the
    # sum of the conditional expectations is 1,653 (-12 %), the model's known aggregate under-call.
    assert values["expected_purchases"].sum() == pytest.approx(1653.4, abs=1.0)
    assert (values["revenue_to_date"] >= 0).all() and values["clv"].gt(0).all()
    top = high_value(values, limit=5)
    assert top["clv"].is_monotonic_decreasing and len(top) == 5
    rules = RiskRules(p_alive_below=0.5)
    risky = at_risk(values, pd.Timestamp("1997-09-30"), rules, limit=10)
    assert len(risky) == 10 and risky["value_at_stake"].is_monotonic_decreasing
    assert risky["p_alive"].ge(0.3).all() and (risky["p_alive"].lt(0.5) | risky["overdue"]).all()
    assert lost(values, pd.Timestamp("1997-09-30"), rules)["p_alive"].lt(0.3).all()


def test_customer_values_without_a_fit_keep_the_history():
    from custreport.analysis.value import at_risk, customer_values, high_value, lost

    orders = pd.DataFrame({"customer_id": ["A", "A"], "order_id": ["1", "2"], "amount": [10.0, 30.0],
                           "order_date": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    values, models = customer_values(orders, pd.Timestamp("2024-03-01"))
    assert models.bgnbd is None
    assert values[["customer_id", "revenue_to_date", "orders_to_date", "frequency"]].values.tolist() == [
        ["A", 40.0, 2, 1]]
    assert values["clv"].isna().all()
    assert high_value(values)["customer_id"].tolist() == ["A"]     # ranked by revenue to date
    assert at_risk(values, pd.Timestamp("2024-03-01")).empty and lost(values, pd.Timestamp("2024-03-01")).empty


def test_customer_values_of_nobody():
    from custreport.analysis.value import customer_values

    orders = pd.DataFrame({"customer_id": pd.Series([], dtype="string"), "order_id": pd.Series([], dtype="string"),
                           "amount": pd.Series([], dtype="float64"),
                           "order_date": pd.Series([], dtype="datetime64[ms]")})
    values, models = customer_values(orders, pd.Timestamp("2024-03-01"))
    assert values.empty and models.customers == 0 and models.as_dict()["bgnbd"] is None
    assert models.issues == ("no_purchases",)


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (1.5, 0.7, 2.0, 0.4), (0.05, 30.0, 0.2, 8.0)])
def test_bgnbd_gradient_matches_finite_differences(cdnow_summary, params):
    from scipy.optimize import approx_fprime

    from custreport.analysis.value import _bgnbd_log_likelihood, _Histories

    data = _Histories(cdnow_summary, ["frequency", "recency", "T"])
    point = np.array(params)
    _, analytic = _bgnbd_log_likelihood(point, data)
    numeric = approx_fprime(point, lambda v: _bgnbd_log_likelihood(v, data)[0], 1e-6)
    assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-2)


@pytest.mark.parametrize("params", [(6.25, 3.74, 15.44), (1.0, 1.5, 0.3), (20.0, 40.0, 200.0)])
def test_gamma_gamma_gradient_matches_finite_differences(cdnow_summary, params):
    from scipy.optimize import approx_fprime

    from custreport.analysis.value import _gamma_gamma_log_likelihood, _Histories

    repeat = cdnow_summary[cdnow_summary["frequency"] > 0]
    data = _Histories(repeat, ["frequency", "monetary_value"])
    point = np.array(params)
    _, analytic = _gamma_gamma_log_likelihood(point, data)
    numeric = approx_fprime(point, lambda v: _gamma_gamma_log_likelihood(v, data)[0], 1e-6)
    assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-2)


# --------------------------------------------------------------------------- at risk and lost

AS_OF = pd.Timestamp("2025-12-31 23:59:59.999")


def _values(*rows) -> pd.DataFrame:
    """customer_values rows: id, revenue to date, P(alive), CLV, purchase days (first .. last, how many)."""
    ids, revenue, p_alive, clv, first, last, days = zip(*rows)
    return pd.DataFrame({
        "customer_id": pd.array(ids, dtype="string"), "revenue_to_date": list(revenue),
        "first_order": pd.to_datetime(list(first)), "last_order": pd.to_datetime(list(last)),
        "frequency": [n - 1 for n in days], "p_alive": list(p_alive), "clv": list(clv)})


# Revenue 300 + 250 + 200 + 150 + 100 = 1000; share before each: 0, .30, .55, .75, .90, so the
# valuable customers (top 80 %) are A, D, B, C and not E.
RISK = _values(
    ("A", 300.0, 0.2, 5.0, "2024-01-01", "2024-06-01", 6),     # P(alive) under 0.3: lost
    ("D", 250.0, 0.95, 240.0, "2025-07-18", "2025-11-15", 3),  # gap 120 / 2 = 60 days, 46 since: kept
    ("B", 200.0, 0.6, 120.0, "2025-11-20", "2025-12-20", 2),   # P(alive) 0.6: at risk, 11 days since
    ("C", 150.0, 0.95, 190.0, "2025-01-01", "2025-05-01", 3),  # gap 60, 244 days since > 1.5 x 60: at risk
    ("E", 100.0, 0.5, 50.0, "2025-01-01", "2025-02-01", 2),    # P(alive) 0.5 but not valuable
)


def test_risk_sorts_valuable_customers_into_lost_at_risk_and_kept():
    from custreport.analysis.value import retention_risk

    risk = retention_risk(RISK, AS_OF).set_index("customer_id")
    assert risk["status"].to_dict() == {"A": "lost", "D": "kept", "B": "at_risk", "C": "at_risk"}
    assert risk.loc["C", ["days_since_last", "usual_gap_days"]].tolist() == [244, 60.0]
    assert risk.loc["C", "gap_ratio"] == pytest.approx(244 / 60)
    assert risk.loc["D", ["days_since_last", "usual_gap_days"]].tolist() == [46, 60.0]
    assert risk.loc["B", ["low_p_alive", "overdue"]].tolist() == [True, False]   # 11 days < 1.5 x 30
    assert risk.loc["C", ["low_p_alive", "overdue"]].tolist() == [False, True]


def test_at_risk_ranks_by_the_value_at_stake_and_never_lists_the_lost():
    from custreport.analysis.value import at_risk, lost

    before = RISK.copy()
    risky = at_risk(RISK, AS_OF)
    # B: CLV 120 at P(alive) 0.6 is worth 200 if still a customer, 0.4 of it gone: 80.
    # C: 190 / 0.95 = 200, x 0.05 = 10.
    assert risky["customer_id"].tolist() == ["B", "C"]
    assert risky["value_at_stake"].tolist() == pytest.approx([80.0, 10.0])
    assert at_risk(RISK, AS_OF, limit=1)["customer_id"].tolist() == ["B"]
    assert lost(RISK, AS_OF)["customer_id"].tolist() == ["A"]
    pd.testing.assert_frame_equal(RISK, before)


def test_without_clv_the_value_at_stake_is_revenue_to_date_times_the_chance_of_having_gone():
    from custreport.analysis.value import at_risk

    risky = at_risk(RISK.assign(clv=float("nan")), AS_OF)
    assert risky["value_at_stake"].tolist() == pytest.approx([200 * 0.4, 150 * 0.05])


def test_risk_bounds_are_inclusive_below_and_exclusive_above():
    from custreport.analysis.value import RiskRules, retention_risk

    # all valuable (share 1.0); nobody overdue: last purchase on the end day
    frame = _values(*[(name, 100.0, p, 10.0, "2025-12-01", "2025-12-31", 2)
                      for name, p in (("P", 0.3), ("Q", 0.2999), ("R", 0.8), ("S", 0.7999))])
    status = retention_risk(frame, AS_OF, RiskRules(revenue_share=1.0)).set_index("customer_id")["status"]
    assert status.to_dict() == {"P": "at_risk", "Q": "lost", "R": "kept", "S": "at_risk"}


def test_overdue_means_more_than_the_gap_factor_times_the_usual_gap():
    from custreport.analysis.value import RiskRules, retention_risk

    # three purchase days over 30 days: a usual gap of 15; X silent 30 days (2 gaps), Y 31
    frame = _values(("X", 100.0, 0.95, 10.0, "2025-11-01", "2025-12-01", 3),
                    ("Y", 100.0, 0.95, 10.0, "2025-10-31", "2025-11-30", 3))
    risk = retention_risk(frame, AS_OF, RiskRules(revenue_share=1.0))
    assert risk["days_since_last"].tolist() == [30, 31] and risk["usual_gap_days"].tolist() == [15.0, 15.0]
    # factor 1.5: both over 22.5 days; factor 2: X's 30 days is not more than 30, Y's 31 is
    assert risk["status"].tolist() == ["at_risk", "at_risk"]
    factor_two = retention_risk(frame, AS_OF, RiskRules(revenue_share=1.0, gap_factor=2.0))
    assert factor_two["status"].tolist() == ["kept", "at_risk"]


def test_a_customer_with_one_purchase_day_is_never_at_risk_or_lost():
    from custreport.analysis.value import retention_risk

    frame = _values(("O", 100.0, 1.0, 10.0, "2023-01-01", "2023-01-01", 1))
    risk = retention_risk(frame, AS_OF)
    assert risk["status"].tolist() == ["kept"] and risk["usual_gap_days"].isna().all()
