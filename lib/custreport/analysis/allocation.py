"""Allocation of unowned customers to sales reps: by region, industry, priority and workload.

Rules, applied in this order so that every choice can be explained to the rep who gets it:

- candidates: customers without an owner and (``include_orphaned``) customers whose owner
  names no current rep, by rep_id or name (case, width and spaces folded);
- priority = weighted mean of a value score (percentile rank of ``potential_value`` among
  the candidates), an intent score (``intent_scores``) and a recency score (a completed
  order on ``as_of`` scores 1, falling linearly to 0 at ``recency_days``); candidates are
  served by priority, highest first, ties by customer_id;
- eligible reps: same region, with room left (``capacity`` minus customers owned > 0; reps
  without a capacity take ``default_capacity``, None meaning no limit); when some of them
  list the customer's industry, only those;
- chosen rep: lowest load ratio (owned / capacity; 0 for reps without a limit), then fewest
  customers, then rep_id. Each assignment counts towards the next choice.

>>> customers = pd.DataFrame({"customer_id": ["C1", "C2"], "name": ["甲", "乙"], "region": ["east", "east"],
...     "industry": ["Retail", "Energy"], "owner_rep": [None, "Li Na"], "potential_value": [100.0, 50.0],
...     "intent": ["High", None]})
>>> reps = pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["Wang Min", "Li Na"], "region": ["east", "east"],
...     "industries": ["Retail, Finance", "Energy"], "capacity": [10.0, 10.0]})
>>> orders = pd.DataFrame({"customer_id": pd.Series([], dtype="string"), "order_date": pd.to_datetime([]),
...     "amount": pd.Series([], dtype="float64"), "status": pd.Series([], dtype="string")})
>>> result = allocate(customers, reps, orders, pd.Timestamp("2024-12-31"), locale="en", region_names={"east": "East"})
>>> result[["customer_id", "rep_id", "status"]].values.tolist()
[['C1', 'R1', 'assigned']]
>>> print(result["reason"].iloc[0])
East customer; Wang Min covers Retail; 1 of 10 customers after this, the only eligible rep covering Retail
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from custreport.analysis.industries import INDUSTRY_SEPARATORS
from custreport.analysis.segments import completed
from custreport.config import fold_text
from custreport.i18n import check_locale
from custreport.keyed_frames import ids_in

UNKNOWN_REGION = "unknown"
ASSIGNED, UNASSIGNED = "assigned", "unassigned"

DEFAULT_INTENT_SCORES = {
    "高": 1.0, "中": 0.5, "低": 0.0,
    "high": 1.0, "medium": 0.5, "low": 0.0,
    "hot": 1.0, "warm": 0.5, "cold": 0.0,
    "a": 1.0, "b": 0.5, "c": 0.0,
}

ALLOCATION_COLUMNS = ["customer_id", "name", "region", "industry", "potential_value", "intent", "last_order",
                      "priority", "previous_owner", "rep_id", "rep_name", "status", "reason"]
WORKLOAD_COLUMNS = ["rep_id", "name", "region", "capacity", "owned_before", "assigned", "owned_after",
                    "utilisation"]

# After NFKC the full-width separators are their ASCII forms; 、 has no such form.


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class AllocationRules:
    """How candidates are ranked and matched to reps (see the module docstring)."""

    value_weight: float = 0.5
    intent_weight: float = 0.3
    recency_weight: float = 0.2
    intent_scores: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_INTENT_SCORES))
    recency_days: int = 365
    industry_match: bool = True
    default_capacity: float | None = None
    include_orphaned: bool = True

    def __post_init__(self):
        weights = ("value_weight", "intent_weight", "recency_weight")
        for name in weights:
            value = getattr(self, name)
            if not _is_number(value) or value < 0:
                raise ValueError(f"{name}: must be a number >= 0, got {value!r}")
        if not any(getattr(self, name) > 0 for name in weights):
            raise ValueError("value_weight, intent_weight, recency_weight: at least one must be above 0")
        if not isinstance(self.recency_days, int) or isinstance(self.recency_days, bool) or self.recency_days <= 0:
            raise ValueError(f"recency_days: must be a whole number of days > 0, got {self.recency_days!r}")
        for name in ("industry_match", "include_orphaned"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name}: must be True or False, got {getattr(self, name)!r}")
        if self.default_capacity is not None and (not _is_number(self.default_capacity) or self.default_capacity < 0):
            raise ValueError(f"default_capacity: must be None or a number >= 0, got {self.default_capacity!r}")
        if not isinstance(self.intent_scores, Mapping):
            raise ValueError(f"intent_scores: must map intent labels to scores, got {self.intent_scores!r}")
        folded: dict[str, float] = {}
        for label, score in self.intent_scores.items():
            if not isinstance(label, str) or not fold_text(label):
                raise ValueError(f"intent_scores: labels must be non-blank text, got {label!r}")
            if not _is_number(score) or not 0 <= score <= 1:
                raise ValueError(f"intent_scores: score of {label!r} must be between 0 and 1, got {score!r}")
            key = fold_text(label)
            if folded.get(key, score) != score:
                raise ValueError(f"intent_scores: {label!r} folds to {key!r}, which already has another score")
            folded[key] = float(score)
        # Labels are folded once here so lookups match however the source typed them.
        object.__setattr__(self, "intent_scores", MappingProxyType(folded))


def _fold(values: pd.Series) -> pd.Series:
    """Folded text per row; NA for missing or blank values (each distinct value folded once)."""
    text = values.astype("string")
    folded = {value: fold_text(value) or pd.NA for value in text.dropna().unique()}
    return text.map(folded).astype("string")


def _owners(customers: pd.DataFrame, reps: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The rep_id owning each customer and whether its owner_rep names any current rep.

    A rep_id match wins over a name; a name two reps share counts only when one of them
    works in the customer's region, otherwise the customer is owned but by nobody known.
    """
    rep_keys = _fold(reps["rep_id"])
    repeated = rep_keys[rep_keys.notna() & rep_keys.duplicated(keep=False)]
    if len(repeated):
        raise ValueError(f"reps: rep_id {reps.loc[repeated.index[0], 'rep_id']!r} appears more than once")
    by_id = {key: rep_id for key, rep_id in zip(rep_keys, reps["rep_id"]) if not pd.isna(key)}
    by_name: dict[str, list[tuple[str, object]]] = {}
    for key, rep_id, region in zip(_fold(reps["name"]), reps["rep_id"], reps["region"]):
        if not pd.isna(key):
            by_name.setdefault(key, []).append((rep_id, region))

    def resolve(key, region) -> tuple[object, bool]:
        if pd.isna(key):
            return pd.NA, False
        namesakes = by_name.get(key, [])
        if key in by_id:
            return by_id[key], True
        if len(namesakes) == 1:
            return namesakes[0][0], True
        local = [rep_id for rep_id, rep_region in namesakes if isinstance(region, str) and rep_region == region]
        return (local[0] if len(local) == 1 else pd.NA), bool(namesakes)

    # Owners repeat across thousands of customers: resolve each (owner, region) pair once,
    # found by their integer codes rather than by hashing the text pairs.
    owner_codes, owners = pd.factorize(customers["owner_rep"].astype("string"))
    region_codes, regions = pd.factorize(customers["region"].astype("string"))
    width = len(regions) + 1                   # codes shifted by one: -1 (missing) becomes 0
    distinct, of_pair = np.unique((owner_codes.astype("int64") + 1) * width + region_codes + 1, return_inverse=True)
    folded = _fold(pd.Series(owners, dtype="string"))
    resolved = [resolve(folded.iloc[owner] if owner >= 0 else pd.NA, regions[region] if region >= 0 else None)
                for owner, region in zip(distinct // width - 1, distinct % width - 1)]
    owner = pd.array([r[0] for r in resolved], dtype="string")
    named = np.array([r[1] for r in resolved], dtype=bool)
    index = customers.index
    return (pd.Series(owner.take(of_pair), index=index, dtype="string"),
            pd.Series(named[of_pair], index=index, dtype="bool"))


def owners_of(customers: pd.DataFrame, reps: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The rep_id owning each customer (NA when its ``owner_rep`` is blank or names no one rep) and
    whether ``owner_rep`` names any current rep, by rep_id or name (case, width and spaces folded).

    >>> owner, named = owners_of(pd.DataFrame({"owner_rep": ["wang min", "李四", None], "region": ["east"] * 3}),
    ...     pd.DataFrame({"rep_id": ["R1"], "name": ["Wang Min"], "region": ["east"]}))
    >>> owner.tolist(), named.tolist()
    (['R1', <NA>, <NA>], [True, False, False])
    """
    return _owners(customers, reps)


def customers_to_allocate(customers: pd.DataFrame, reps: pd.DataFrame,
                          rules: AllocationRules = AllocationRules()) -> pd.DataFrame:
    """Customers needing a rep: no owner, or (``include_orphaned``) an owner who is no current rep.

    Adds ``previous_owner``: the owner as typed for orphaned customers, NA for unowned ones.
    """
    owner = customers["owner_rep"].astype("string").str.strip()
    unowned = owner.isna() | owner.eq("")
    _, named = _owners(customers, reps)
    orphaned = ~unowned & ~named
    chosen = unowned | orphaned if rules.include_orphaned else unowned
    out = customers[chosen].copy()
    out["previous_owner"] = owner[chosen].mask(unowned[chosen])
    return out


def priority_scores(candidates: pd.DataFrame, orders: pd.DataFrame | None, as_of: pd.Timestamp,
                    rules: AllocationRules = AllocationRules()) -> pd.DataFrame:
    """``candidates`` with last_order, value_score, intent_score, recency_score and priority (0..1).

    last_order is each candidate's last completed order on or before ``as_of`` in ``orders``;
    with ``orders`` None, candidates must carry it already (classify_customers gives it).
    """
    as_of = pd.Timestamp(as_of)
    if orders is None:
        out = candidates
    else:
        bought = completed(orders)
        bought = bought[ids_in(bought["customer_id"], candidates["customer_id"]) & (bought["order_date"] <= as_of)]
        last = bought.groupby("customer_id")["order_date"].max().rename("last_order")
        out = candidates.drop(columns=["last_order"], errors="ignore").join(last, on="customer_id")
    # Average rank over the customers with a value, so the most valuable scores 1 and ties share.
    value = out["potential_value"].astype("float64").rank(method="average", pct=True).fillna(0.0)
    scores = rules.intent_scores
    intent = pd.Series([scores.get(fold_text(v), 0.0) if isinstance(v, str) else 0.0 for v in out["intent"]],
                       index=out.index, dtype="float64")
    days = (as_of.normalize() - out["last_order"].dt.normalize()).dt.days
    recency = (1 - days / rules.recency_days).clip(0.0, 1.0).astype("float64").fillna(0.0)
    total = rules.value_weight + rules.intent_weight + rules.recency_weight
    priority = (rules.value_weight * value + rules.intent_weight * intent + rules.recency_weight * recency) / total
    return out.assign(value_score=value, intent_score=intent, recency_score=recency, priority=priority)


@dataclass
class _Rep:
    rep_id: str
    name: str
    region: object
    capacity: float | None
    load: int
    industries: frozenset[str]

    def has_room(self) -> bool:
        return self.capacity is None or self.capacity - self.load > 0

    def ratio(self) -> float:
        return self.load / self.capacity if self.capacity else 0.0


def _industry_keys(text) -> frozenset[str]:
    """Folded industries a rep lists; each phrase whole and word by word ("Real Estate" gives three)."""
    if not isinstance(text, str):
        return frozenset()
    keys = set()
    for phrase in INDUSTRY_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        keys.add(fold_text(phrase))
        keys.update(fold_text(word) for word in phrase.split())
    keys.discard("")
    return frozenset(keys)


def _capacities(reps: pd.DataFrame, rules: AllocationRules) -> pd.Series:
    capacity = reps["capacity"].astype("float64")
    return capacity if rules.default_capacity is None else capacity.fillna(float(rules.default_capacity))


def _team(customers: pd.DataFrame, reps: pd.DataFrame, rules: AllocationRules) -> dict[object, list[_Rep]]:
    """Reps by region, in rep_id order, each with the number of customers it owns now."""
    owner_ids, _ = _owners(customers, reps)
    loads = owner_ids.value_counts()
    team: dict[object, list[_Rep]] = {}
    for rep_id, name, region, capacity, industries in zip(reps["rep_id"], reps["name"], reps["region"],
                                                          _capacities(reps, rules), reps["industries"]):
        if pd.isna(region):
            continue
        team.setdefault(region, []).append(_Rep(
            rep_id=rep_id, name=name if isinstance(name, str) and name.strip() else rep_id, region=region,
            capacity=None if pd.isna(capacity) else float(capacity), load=int(loads.get(rep_id, 0)),
            industries=_industry_keys(industries)))
    for staff in team.values():
        staff.sort(key=lambda rep: rep.rep_id)
    return team


def _figure(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0")


REASONS = {
    "zh": {
        "unknown_region": "区域未知，无法按区域分配销售",
        "no_rep": "{region}区域没有销售",
        "one_full": "{region}区域唯一的销售{rep}已满额（{load}/{capacity}）",
        "all_full": "{region}区域 {n} 位销售均已满额",
        "covers": "{region}区域客户，{rep}擅长{industry}；分配后负责 {load}，{rank}",
        "nobody_covers": "{region}区域客户，没有擅长{industry}的可分配销售；{rep}分配后负责 {load}，{rank}",
        "plain": "{region}区域客户；{rep}分配后负责 {load}，{rank}",
        "load": "{load}/{capacity} 个客户", "load_unlimited": "{load} 个客户（不设上限）",
        "only": "是唯一可分配的销售", "only_covering": "是唯一擅长该行业的可分配销售",
        "lowest": "是 {n} 位可分配销售中负荷最低的",
        "lowest_covering": "是 {n} 位擅长该行业的可分配销售中负荷最低的",
        "tied": "（{n} 位并列，按编号在先）",
    },
    "en": {
        "unknown_region": "Region unknown; no rep can be chosen by region",
        "no_rep": "No rep in {region}",
        "one_full": "The only rep in {region}, {rep}, is at capacity ({load} of {capacity})",
        "all_full": "All {n} reps in {region} are at capacity",
        "covers": "{region} customer; {rep} covers {industry}; {load} after this, {rank}",
        "nobody_covers": "{region} customer; no eligible rep covers {industry}; {rep} has {load} after this, {rank}",
        "plain": "{region} customer; {rep} has {load} after this, {rank}",
        "load": "{load} of {capacity} customers", "load_unlimited": "{load} customer{s} (no limit)",
        "only": "the only eligible rep", "only_covering": "the only eligible rep covering {industry}",
        "lowest": "the lowest load of {n} eligible reps",
        "lowest_covering": "the lowest load of the {n} eligible reps covering {industry}",
        "tied": " (a tie of {n}, first by rep ID)",
    },
}


def _choose(industry, staff: list[_Rep], rules: AllocationRules, text: dict[str, str],
            region: str) -> tuple[_Rep | None, str]:
    """The rep for one customer (its load already counted) and the reason, or None and why not."""
    if not staff:
        return None, text["no_rep"].format(region=region)
    eligible = [rep for rep in staff if rep.has_room()]
    if not eligible:
        if len(staff) == 1:
            rep = staff[0]
            return None, text["one_full"].format(region=region, rep=rep.name, load=rep.load,
                                                 capacity=_figure(rep.capacity))
        return None, text["all_full"].format(region=region, n=len(staff))
    key = fold_text(industry) if isinstance(industry, str) else ""
    covering = [rep for rep in eligible if key in rep.industries] if rules.industry_match and key else []
    pool = covering or eligible
    rep = min(pool, key=lambda r: (r.ratio(), r.load, r.rep_id))
    tied = sum((r.ratio(), r.load) == (rep.ratio(), rep.load) for r in pool) - 1
    rep.load += 1

    shown = industry.strip() if key else ""
    narrowed = bool(covering) and len(covering) < len(eligible)
    if len(pool) == 1:
        rank = text["only_covering" if narrowed else "only"].format(industry=shown)
    else:
        rank = text["lowest_covering" if narrowed else "lowest"].format(n=len(pool), industry=shown)
        if tied:
            rank += text["tied"].format(n=tied + 1)
    load = (text["load_unlimited"].format(load=rep.load, s="" if rep.load == 1 else "s") if rep.capacity is None
            else text["load"].format(load=rep.load, capacity=_figure(rep.capacity)))
    kind = "covers" if covering else "nobody_covers" if rules.industry_match and key else "plain"
    return rep, text[kind].format(region=region, rep=rep.name, industry=shown, load=load, rank=rank)


def allocate(customers: pd.DataFrame, reps: pd.DataFrame, orders: pd.DataFrame | None, as_of: pd.Timestamp,
             rules: AllocationRules = AllocationRules(), locale: str = "zh",
             region_names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per customer needing a rep, in allocation order: the chosen rep (or none),
    status assigned/unassigned and a one-line reason in ``locale``.

    ``orders`` give the recency score; None when ``customers`` are classified (their
    last_order is then the one used, see priority_scores).

    ``region_names`` maps region codes to the names shown in reasons (default: the code).
    """
    check_locale(locale)
    text = REASONS[locale]
    names = region_names or {}
    scored = priority_scores(customers_to_allocate(customers, reps, rules), orders, as_of, rules)
    scored = scored.sort_values(["priority", "customer_id"], ascending=[False, True], kind="stable")
    team = _team(customers, reps, rules)

    rep_ids, rep_names, statuses, reasons = [], [], [], []
    for region, industry in zip(scored["region"], scored["industry"]):
        if pd.isna(region) or str(region).strip() in ("", UNKNOWN_REGION):
            rep, reason = None, text["unknown_region"]
        else:
            rep, reason = _choose(industry, team.get(region, []), rules, text, names.get(region, region))
        rep_ids.append(rep.rep_id if rep else pd.NA)
        rep_names.append(rep.name if rep else pd.NA)
        statuses.append(ASSIGNED if rep else UNASSIGNED)
        reasons.append(reason)

    index = scored.index
    out = pd.DataFrame({
        "customer_id": scored["customer_id"].astype("string"),
        "name": scored["name"].astype("string"),
        "region": scored["region"].astype("string"),
        "industry": scored["industry"].astype("string"),
        "potential_value": scored["potential_value"].astype("float64"),
        "intent": scored["intent"].astype("string"),
        "last_order": scored["last_order"],
        "priority": scored["priority"].astype("float64"),
        "previous_owner": scored["previous_owner"].astype("string"),
        "rep_id": pd.Series(rep_ids, index=index, dtype="string"),
        "rep_name": pd.Series(rep_names, index=index, dtype="string"),
        "status": pd.Series(statuses, index=index, dtype="string"),
        "reason": pd.Series(reasons, index=index, dtype="string"),
    }, index=index)
    return out.reset_index(drop=True)[ALLOCATION_COLUMNS]


def workload(customers: pd.DataFrame, reps: pd.DataFrame, allocation: pd.DataFrame,
             rules: AllocationRules = AllocationRules()) -> pd.DataFrame:
    """Per rep: customers owned before, assigned by ``allocation``, owned after, and utilisation
    (owned after / capacity, NA without one; ``rules.default_capacity`` fills missing capacities)."""
    owner_ids, _ = _owners(customers, reps)
    before = owner_ids.value_counts()
    assigned = allocation.loc[allocation["status"] == ASSIGNED, "rep_id"].value_counts()
    out = pd.DataFrame({
        "rep_id": reps["rep_id"].astype("string"),
        "name": reps["name"].astype("string"),
        "region": reps["region"].astype("string"),
        "capacity": _capacities(reps, rules),
    })
    out["owned_before"] = out["rep_id"].map(before).fillna(0).astype("int64")
    out["assigned"] = out["rep_id"].map(assigned).fillna(0).astype("int64")
    out["owned_after"] = out["owned_before"] + out["assigned"]
    # A zero capacity has no meaningful utilisation either.
    out["utilisation"] = out["owned_after"] / out["capacity"].where(out["capacity"] > 0)
    out = out.sort_values(["region", "rep_id"], na_position="last", kind="stable")
    return out.reset_index(drop=True)[WORKLOAD_COLUMNS]
