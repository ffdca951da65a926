"""Customer value: BG/NBD (how many more purchases, is the customer still alive) and
Gamma-Gamma (how much per purchase), fitted by maximum likelihood, and 12-month CLV.

References: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An
Alternative to the Pareto/NBD Model", Marketing Science 24(2); Fader, Hardie & Lee
(2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4);
and Fader & Hardie's note "Computing P(alive) Using the BG/NBD Model". On the CDNOW
sample the published estimates are r = 0.243, α = 4.414, a = 0.793, b = 2.426 and
p = 6.25, q = 3.74, γ = 15.44; tests/analysis/test_value.py checks against them.

Time is measured in ``time_unit`` days (7: weeks, as in the papers). Purchases on the
same day count once; ``frequency`` is the number of repeat purchase days.

>>> orders = pd.DataFrame({"customer_id": ["A", "A", "A", "B"], "amount": [10.0, 20.0, 30.0, 5.0],
...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-02-12", "2024-01-08"])})
>>> rfm_summary(orders, pd.Timestamp("2024-03-31")).round(2).values.tolist()
[['A', 2, 6.0, 12.86, 25.0], ['B', 0, 0.0, 11.86, 0.0]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

from custreport.analysis.frames import customer_ledger, sort_rows


def rfm_summary(orders: pd.DataFrame, end: pd.Timestamp, time_unit: float = 7.0) -> pd.DataFrame:
    """Per customer: repeat purchase days (frequency), time of the last one after the first
    (recency), time from the first purchase to ``end`` (T), mean amount of the repeat days.

    ``orders`` needs customer_id, order_date and amount, and should hold revenue-bearing
    orders only (completed); orders after ``end`` are ignored.
    """
    return summary_from_ledger(customer_ledger(orders, end), end, time_unit)


def summary_from_ledger(ledger: pd.DataFrame, end: pd.Timestamp, time_unit: float = 7.0) -> pd.DataFrame:
    """rfm_summary from a customer ledger at ``end`` (customers who bought by then)."""
    bought = ledger[ledger["purchase_days"] > 0]
    first_day = bought["first_order"].dt.normalize()
    repeats = bought["purchase_days"] - 1
    spent_later = bought["revenue_to_date"] - bought["first_day_revenue"]
    return pd.DataFrame({
        "customer_id": bought["customer_id"].to_numpy(),
        "frequency": repeats.to_numpy(dtype="int64"),
        "recency": ((bought["last_order"].dt.normalize() - first_day).dt.days / time_unit).to_numpy(dtype="float64"),
        "T": ((pd.Timestamp(end).normalize() - first_day).dt.days / time_unit).to_numpy(dtype="float64"),
        "monetary_value": (spent_later / repeats.where(repeats > 0)).fillna(0.0).to_numpy(dtype="float64"),
    }).astype({"customer_id": "string"})


# --------------------------------------------------------------------------- BG/NBD


@dataclass(frozen=True)
class BgNbd:
    """Fitted BG/NBD parameters (purchase rate ~ Gamma(r, α); dropout ~ Beta(a, b))."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float

    def as_dict(self) -> dict:
        return {"r": round(self.r, 4), "alpha": round(self.alpha, 4), "a": round(self.a, 4), "b": round(self.b, 4),
                "log_likelihood": round(self.log_likelihood, 2)}


class _Histories:
    """Distinct customer histories with their counts, and the distinct frequencies among them.

    The likelihoods are sums over customers; identical histories are summed once with a
    weight, and every term that depends on the frequency alone (the gamma and beta
    functions) is evaluated once per distinct frequency and gathered back.
    """

    def __init__(self, summary: pd.DataFrame, columns: list[str]):
        counts = summary.groupby(columns).size().reset_index(name="weight")
        self.columns = {c: counts[c].to_numpy(dtype=float) for c in columns}
        self.weights = counts["weight"].to_numpy(dtype=float)
        self.frequencies, self.of_frequency = np.unique(self.columns["frequency"], return_inverse=True)
        # weights summed per distinct frequency: a sum of a per-frequency term over customers
        self.frequency_weights = np.bincount(self.of_frequency, weights=self.weights)
        # recency and T are whole days in time units: a few thousand values among all the
        # histories, so their logarithms are taken per distinct value
        self._distinct = {c: np.unique(self.columns[c], return_inverse=True) for c in ("recency", "T") if c in columns}
        if "monetary_value" in columns:
            self.log_monetary = np.log(self.columns["monetary_value"])

    def log_plus(self, column: str, shift: float) -> np.ndarray:
        """log(shift + column) per history, evaluated once per distinct value of the column."""
        values, inverse = self._distinct[column]
        return np.log(shift + values)[inverse]

    def __len__(self) -> int:
        return len(self.weights)

    @property
    def total(self) -> float:
        return float(self.weights.sum())


def _bgnbd_log_likelihood(params: np.ndarray, data: _Histories) -> tuple[float, np.ndarray]:
    """The BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6) and its gradient in (r, α, a, b)."""
    r, alpha, a, b = params
    x, t_x, T, w = data.columns["frequency"], data.columns["recency"], data.columns["T"], data.weights
    xs, wx = data.frequencies, data.frequency_weights
    repeat = x > 0
    log_T, log_tx = data.log_plus("T", alpha), data.log_plus("recency", alpha)
    a3 = -(r + x) * log_T
    with np.errstate(divide="ignore"):
        log_b_x1 = np.log(np.where(xs > 0, b + xs - 1, 1.0))[data.of_frequency]
        a4 = np.where(repeat, np.log(a) - log_b_x1 - (r + x) * log_tx, -np.inf)
    # log(e^a3 + e^a4), stable; np.logaddexp computes the same several times slower
    top = np.maximum(a3, a4) + np.log1p(np.exp(-np.abs(a3 - a4)))
    share4 = np.exp(a4 - top)           # weight of the "dropped out after the last purchase" branch
    share3 = 1.0 - share4
    per_frequency = gammaln(r + xs) - gammaln(r) + betaln(a, b + xs) - betaln(a, b)
    value = float(wx @ per_frequency + data.total * r * np.log(alpha) + w @ top)
    ab = digamma(a + b)
    abx = digamma(a + b + xs)
    grad_r = wx @ (digamma(r + xs) - digamma(r)) + data.total * np.log(alpha) - w @ (share3 * log_T + share4 * log_tx)
    grad_alpha = data.total * r / alpha - w @ ((r + x) * (share3 / (alpha + T) + share4 / (alpha + t_x)))
    grad_a = wx @ (ab - abx) + (w @ share4) / a
    inverse_b_x1 = np.where(repeat, 1.0 / np.exp(log_b_x1), 0.0)
    grad_b = wx @ (digamma(b + xs) - abx - digamma(b) + ab) - w @ (share4 * inverse_b_x1)
    return value, np.array([grad_r, grad_alpha, grad_a, grad_b])


def _maximise(log_likelihood, data: _Histories, start: np.ndarray, penalizer: float = 0.0):
    """Maximise ``log_likelihood(params, data) -> (value, gradient)`` over log-parameters.

    L-BFGS-B with the analytic gradient converges in a few dozen evaluations on these
    smooth surfaces (Nelder-Mead alone stalls short of the optimum on CDNOW); the simplex
    only takes over when the quasi-Newton run reports failure, e.g. on a flat ridge.
    The objective is the negative mean log-likelihood, plus an optional L2 penalty.
    """
    def negative(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        value, gradient = log_likelihood(params, data)
        # d/d(log θ) = θ · d/dθ
        return (-value / data.total + penalizer * np.sum(params ** 2),
                -gradient * params / data.total + 2 * penalizer * params ** 2)

    def value_only(log_params: np.ndarray) -> float:
        return negative(log_params)[0]

    # A trial step may overflow a parameter to inf or 0: the objective is then inf or nan,
    # which the line search rejects, so the warnings say nothing to the user.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = minimize(negative, start, jac=True, method="L-BFGS-B")
        if not result.success or not np.all(np.isfinite(result.x)):
            result = minimize(value_only, result.x if np.all(np.isfinite(result.x)) else start, method="Nelder-Mead",
                              options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20000, "maxfev": 20000})
            result = minimize(negative, result.x, jac=True, method="L-BFGS-B")
    return np.exp(result.x)


def fit_bgnbd(summary: pd.DataFrame, penalizer: float = 0.0) -> BgNbd:
    """Maximum-likelihood BG/NBD on a frequency/recency/T summary (parameters fitted on the log scale)."""
    data = _Histories(summary, ["frequency", "recency", "T"])
    if len(data) == 0 or data.total < 2:
        raise ValueError("BG/NBD needs at least two customers to fit")
    start = np.log([1.0, max(float(np.mean(data.columns["T"])), 1e-3), 1.0, 1.0])
    params = _maximise(_bgnbd_log_likelihood, data, start, penalizer)
    r, alpha, a, b = (float(v) for v in params)
    return BgNbd(r, alpha, a, b, _bgnbd_log_likelihood(params, data)[0])


def probability_alive(model: BgNbd, summary: pd.DataFrame) -> pd.Series:
    """P(still a customer) at the end of the observed period; 1 for customers with no repeat purchase."""
    x, t_x, T = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    return pd.Series(1.0 / _alive_odds(model, x, t_x, T), index=summary.index, name="p_alive")


def expected_purchases(model: BgNbd, summary: pd.DataFrame, t: float) -> pd.Series:
    """Expected purchases in the next ``t`` time units, given each customer's history."""
    x, t_x, T = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    xs, Ts, of_pair = _distinct_pairs(x, T)
    unconditional = _purchases_if_alive(model, xs, Ts, t)[of_pair]
    return pd.Series(unconditional / _alive_odds(model, x, t_x, T), index=summary.index, name="expected_purchases")


def _distinct_pairs(x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (x, T) pairs as two arrays, and each row's pair: ``xs[inverse] == x``."""
    x_values, x_codes = np.unique(x, return_inverse=True)
    T_values, T_codes = np.unique(T, return_inverse=True)
    pairs, inverse = np.unique(x_codes * len(T_values) + T_codes, return_inverse=True)
    return x_values[pairs // len(T_values)], T_values[pairs % len(T_values)], inverse.ravel()


def _purchases_if_alive(model: BgNbd, x: np.ndarray, T: np.ndarray, t: float) -> np.ndarray:
    """The part of E[Y(t) | x, t_x, T] (Fader, Hardie & Lee 2005, eq. 10) that does not
    depend on t_x: the hypergeometric term, the costly one, depends on (x, T) alone."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    hyper = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    return (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyper)


def _alive_odds(model: BgNbd, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """1 / P(alive): 1 + a/(b+x-1) · ((α+T)/(α+t_x))^(r+x) for repeat buyers, else 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = model.a / (model.b + x - 1) * ((model.alpha + T) / (model.alpha + t_x)) ** (model.r + x)
    return 1 + np.where(x > 0, ratio, 0.0)


# --------------------------------------------------------------------------- Gamma-Gamma


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma spend parameters (per-transaction spend ~ Gamma(p, ν), ν ~ Gamma(q, γ))."""

    p: float
    q: float
    gamma: float
    log_likelihood: float

    def as_dict(self) -> dict:
        return {"p": round(self.p, 4), "q": round(self.q, 4), "gamma": round(self.gamma, 4),
                "log_likelihood": round(self.log_likelihood, 2)}


def _gamma_gamma_log_likelihood(params: np.ndarray, data: _Histories) -> tuple[float, np.ndarray]:
    """The Gamma-Gamma log-likelihood of mean repeat spends (Fader, Hardie & Lee 2005b) and its
    gradient in (p, q, γ)."""
    p, q, gamma = params
    x, m, w = data.columns["frequency"], data.columns["monetary_value"], data.weights
    xs, wx = data.frequencies, data.frequency_weights
    log_m, log_spent = data.log_monetary, np.log(gamma + m * x)
    px = p * x
    per_frequency = gammaln(p * xs + q) - gammaln(p * xs) + p * xs * np.log(xs)
    value = float(wx @ per_frequency + data.total * (q * np.log(gamma) - gammaln(q))
                  + w @ ((px - 1) * log_m - (px + q) * log_spent))
    pxq, pxs = digamma(p * xs + q), digamma(p * xs)
    grad_p = wx @ (xs * (pxq - pxs + np.log(xs))) + w @ (x * (log_m - log_spent))
    grad_q = wx @ pxq + data.total * (np.log(gamma) - digamma(q)) - w @ log_spent
    grad_gamma = data.total * q / gamma - w @ ((px + q) / (gamma + m * x))
    return value, np.array([grad_p, grad_q, grad_gamma])


def fit_gamma_gamma(summary: pd.DataFrame) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma on customers with repeat purchases (frequency > 0)."""
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 2:
        raise ValueError("Gamma-Gamma needs at least two customers with repeat purchases")
    data = _Histories(repeat, ["frequency", "monetary_value"])
    # Start where the implied mean spend p·γ/(q-1) equals the observed one: spends in the
    # tens of thousands are otherwise dozens of line-search steps away from γ = 1.
    mean_spend = float(data.weights @ data.columns["monetary_value"] / data.total)
    params = _maximise(_gamma_gamma_log_likelihood, data, np.log([1.0, 2.0, mean_spend]))
    p, q, gamma = (float(v) for v in params)
    return GammaGamma(p, q, gamma, _gamma_gamma_log_likelihood(params, data)[0])


def expected_spend(model: GammaGamma, summary: pd.DataFrame) -> pd.Series:
    """Expected amount per future purchase: the population mean for customers with no repeat
    purchase, shrunk towards the customer's own mean as their repeat purchases grow."""
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float)
    population = model.p * model.gamma / (model.q - 1)
    own = (model.gamma + m * x) * model.p / (model.p * x + model.q - 1)
    return pd.Series(np.where(x > 0, own, population), index=summary.index, name="expected_spend")


def discounted_purchases(bgnbd: BgNbd, summary: pd.DataFrame, months: int = 12, monthly_discount: float = 0.01,
                         time_unit: float = 7.0) -> pd.Series:
    """Expected purchases over the next ``months``, each month's discounted by
    (1 + monthly_discount)^i: the CLV of one unit of spend per purchase."""
    x, t_x, T = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    xs, Ts, of_pair = _distinct_pairs(x, T)
    # Every month's expectation shares the customer's 1/P(alive) factor: discount the
    # per-(x, T) terms month by month, divide once.
    value = np.zeros(len(xs))
    previous = np.zeros(len(xs))
    for month in range(1, months + 1):
        horizon = month * (365.25 / 12) / time_unit
        cumulative = _purchases_if_alive(bgnbd, xs, Ts, horizon)
        value += (cumulative - previous) / (1 + monthly_discount) ** month
        previous = cumulative
    return pd.Series(value[of_pair] / _alive_odds(bgnbd, x, t_x, T), index=summary.index,
                     name="discounted_purchases")


def customer_lifetime_value(bgnbd: BgNbd, spend: GammaGamma, summary: pd.DataFrame, months: int = 12,
                            monthly_discount: float = 0.01, time_unit: float = 7.0) -> pd.Series:
    """Discounted value of each customer's expected purchases over the next ``months``.

    Month i contributes (E[purchases by month i] - E[by month i-1]) x expected spend,
    discounted by (1 + monthly_discount)^i; a month is 365.25/12 days.
    """
    units = discounted_purchases(bgnbd, summary, months, monthly_discount, time_unit)
    return (units * expected_spend(spend, summary)).rename(f"clv_{months}m")


# --------------------------------------------------------------------------- per-customer value


@dataclass(frozen=True)
class ValueModels:
    """Both fitted models (None when the data cannot support one, with the reason in ``note``).

    ``issues`` names the same reasons as codes, for reports to say in their own language:
    ``no_purchases``, ``bgnbd_too_few``, ``gamma_gamma_too_few``, ``gamma_gamma_q_at_most_1``,
    ``gamma_gamma_ridge``.
    """

    bgnbd: BgNbd | None
    gamma_gamma: GammaGamma | None
    customers: int
    note: str | None = None
    issues: tuple[str, ...] = ()

    def as_dict(self, time_unit: str = "weeks") -> dict:
        return {"time_unit": time_unit, "customers": self.customers,
                "bgnbd": self.bgnbd.as_dict() if self.bgnbd else None,
                "gamma_gamma": self.gamma_gamma.as_dict() if self.gamma_gamma else None,
                "note": self.note}


RIDGE_Q = 1000.0


def fit_value_models(summary: pd.DataFrame) -> ValueModels:
    """Fit BG/NBD and Gamma-Gamma on an rfm_summary, keeping whichever the data supports."""
    bgnbd = spend = None
    notes, issues = [], []
    try:
        bgnbd = fit_bgnbd(summary)
    except ValueError as exc:
        notes.append(str(exc))
        issues.append("bgnbd_too_few")
    try:
        spend = fit_gamma_gamma(summary)
    except ValueError as exc:
        notes.append(str(exc))
        issues.append("gamma_gamma_too_few")
    if spend is not None and spend.q <= 1:
        # mean spend p·γ/(q-1) is undefined for q <= 1: the fit cannot price future purchases
        notes.append(f"Gamma-Gamma q = {spend.q:.3f} <= 1: expected spend undefined")
        issues.append("gamma_gamma_q_at_most_1")
        spend = None
    elif spend is not None and spend.q > RIDGE_Q:
        # customers' spend rates barely differ (coefficient of variation 1/sqrt(q) < 3 %): the
        # likelihood is flat along q, γ -> ∞ and only γ/(q-1) is determined
        notes.append(f"Gamma-Gamma q = {spend.q:.0f}: spend barely varies between customers, "
                     "only the mean spend γ/(q-1) is determined")
        issues.append("gamma_gamma_ridge")
    return ValueModels(bgnbd, spend, int(len(summary)), "; ".join(notes) or None, tuple(issues))


def customer_values(orders: pd.DataFrame, as_of: pd.Timestamp, models: ValueModels | None = None,
                    horizon: float = 13.0, months: int = 12, monthly_discount: float = 0.01,
                    time_unit: float = 7.0) -> tuple[pd.DataFrame, ValueModels]:
    """Per buying customer: historical value and the model's view of the future.

    ``orders`` should be completed orders; those after ``as_of`` are ignored. Columns:
    customer_id, revenue_to_date, orders_to_date, first_order, last_order, frequency,
    recency, T, monetary_value, p_alive, expected_purchases (next ``horizon`` time units),
    expected_spend and clv (``months`` ahead, discounted monthly). Model columns are NA
    when a model could not be fitted. Fits the models unless ``models`` are given.
    """
    as_of = pd.Timestamp(as_of)
    return values_from_ledger(customer_ledger(orders, as_of), as_of, models, horizon, months, monthly_discount,
                              time_unit)


def values_from_ledger(ledger: pd.DataFrame, as_of: pd.Timestamp, models: ValueModels | None = None,
                       horizon: float = 13.0, months: int = 12, monthly_discount: float = 0.01,
                       time_unit: float = 7.0) -> tuple[pd.DataFrame, ValueModels]:
    """customer_values from a customer ledger at ``as_of``."""
    columns = ["customer_id", "revenue_to_date", "orders_to_date", "first_order", "last_order", "frequency",
               "recency", "T", "monetary_value", "p_alive", "expected_purchases", "expected_spend", "clv"]
    bought = ledger[ledger["purchase_days"] > 0]
    if bought.empty:   # nobody to value: a typed empty table
        empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
        empty = empty.astype({"customer_id": "string", "orders_to_date": "int64", "frequency": "int64",
                              "first_order": "datetime64[ms]", "last_order": "datetime64[ms]"})
        return empty, models or ValueModels(None, None, 0, "no purchases", ("no_purchases",))
    summary = summary_from_ledger(bought, as_of, time_unit)
    history = bought[["revenue_to_date", "orders_to_date", "first_order", "last_order"]].reset_index(drop=True)
    models = models or fit_value_models(summary)
    out = pd.concat([summary, history], axis=1)   # both in ledger order
    missing = pd.Series(np.nan, index=out.index)
    out["expected_spend"] = expected_spend(models.gamma_gamma, out) if models.gamma_gamma else missing
    if models.bgnbd:
        units = discounted_purchases(models.bgnbd, out, months, monthly_discount, time_unit)
        out = out.assign(p_alive=probability_alive(models.bgnbd, out),
                         expected_purchases=expected_purchases(models.bgnbd, out, horizon),
                         clv=units * out["expected_spend"])
    else:
        out = out.assign(p_alive=missing, expected_purchases=missing, clv=missing)
    return out[columns], models


def high_value(values: pd.DataFrame, limit: int = 20) -> pd.DataFrame:
    """The customers worth most ahead: highest CLV (revenue to date where no CLV), ties by id."""
    key = values["clv"].fillna(values["revenue_to_date"]) if "clv" in values else values["revenue_to_date"]
    ranked = sort_rows(values.assign(_key=key), ["_key", "customer_id"], ascending=[False, True])
    return ranked.drop(columns="_key").head(limit).reset_index(drop=True)


# --------------------------------------------------------------------------- at risk and lost


@dataclass(frozen=True)
class RiskRules:
    """When a valuable customer is at risk or lost (docs/metrics.md, "At-risk and lost customers").

    Valuable: among the customers making the top ``revenue_share`` of revenue to date. Lost:
    P(alive) under ``p_alive_min`` (the model says the customer has probably gone). At risk:
    P(alive) at least ``p_alive_min`` and either under ``p_alive_below`` or overdue, i.e. silent
    for more than ``gap_factor`` times the customer's own mean gap between purchase days.
    """

    p_alive_below: float = 0.8
    p_alive_min: float = 0.3
    gap_factor: float = 1.5
    revenue_share: float = 0.8


def retention_risk(values: pd.DataFrame, as_of: pd.Timestamp, rules: RiskRules = RiskRules()) -> pd.DataFrame:
    """The valuable customers of ``values`` (customer_values' columns) with why they are or are not
    at risk, in the rows' order. Added columns:

    - days_since_last: calendar days from the last purchase day to ``as_of``'s day;
    - usual_gap_days: mean days between purchase days, (last - first) / frequency; NA for one day;
    - gap_ratio: days_since_last / usual_gap_days; overdue: gap_ratio > ``rules.gap_factor``;
    - low_p_alive: P(alive) under ``rules.p_alive_below``;
    - value_at_stake: the 12-month value the customer would bring if still buying (CLV / P(alive))
      times the probability they have gone (1 - P(alive)); without CLV (no spend model), revenue
      to date x (1 - P(alive));
    - status: ``lost`` (P(alive) under ``rules.p_alive_min``), ``at_risk`` (low_p_alive or overdue),
      else ``kept``.

    Empty when no BG/NBD model was fitted (P(alive) is NA).
    """
    from custreport.analysis.rfm import share_before

    scored = values[values["p_alive"].notna()]
    before = share_before(scored.set_index("customer_id")["revenue_to_date"])
    valuable = scored[before.to_numpy() < rules.revenue_share]   # share_before keeps the rows' order
    day = pd.Timestamp(as_of).normalize()
    last, first = valuable["last_order"].dt.normalize(), valuable["first_order"].dt.normalize()
    since = (day - last).dt.days.astype("int64")
    repeats = valuable["frequency"].where(valuable["frequency"] > 0)
    gap = ((last - first).dt.days / repeats).astype("float64")
    ratio = since / gap
    p_alive = valuable["p_alive"]
    # CLV = P(alive) x the 12-month value of a customer still buying, so the value the model
    # counts as gone is CLV x (1 - P(alive)) / P(alive); NA where P(alive) is 0.
    stake = valuable["clv"] * (1 - p_alive) / p_alive.where(p_alive > 0)
    if valuable["clv"].isna().all():   # no spend model: what the customer brought so far
        stake = valuable["revenue_to_date"] * (1 - p_alive)
    low = p_alive < rules.p_alive_below
    overdue = (ratio > rules.gap_factor).fillna(False).astype(bool)
    status = pd.Series("kept", index=valuable.index, dtype="string")
    status = status.mask(low | overdue, "at_risk").mask(p_alive < rules.p_alive_min, "lost")
    return valuable.assign(days_since_last=since, usual_gap_days=gap, gap_ratio=ratio, low_p_alive=low.astype(bool),
                           overdue=overdue, value_at_stake=stake.astype("float64"), status=status)


def at_risk(values: pd.DataFrame, as_of: pd.Timestamp, rules: RiskRules = RiskRules(),
            limit: int | None = None) -> pd.DataFrame:
    """The valuable customers slipping away (retention_risk status ``at_risk``), the most value at
    stake first (ties by id), at most ``limit``. Empty when no BG/NBD model was fitted."""
    risk = retention_risk(values, as_of, rules)
    risky = sort_rows(risk[risk["status"] == "at_risk"], ["value_at_stake", "customer_id"], ascending=[False, True])
    return risky.head(limit if limit is not None else len(risky)).reset_index(drop=True)


def lost(values: pd.DataFrame, as_of: pd.Timestamp, rules: RiskRules = RiskRules(),
         limit: int | None = None) -> pd.DataFrame:
    """The valuable customers probably gone (retention_risk status ``lost``), the most revenue to
    date first (ties by id), at most ``limit``: candidates to win back, not to keep."""
    risk = retention_risk(values, as_of, rules)
    gone = sort_rows(risk[risk["status"] == "lost"], ["revenue_to_date", "customer_id"], ascending=[False, True])
    return gone.head(limit if limit is not None else len(gone)).reset_index(drop=True)
