"""Fix lists: each sales rep's own customers' data problems, to be fixed where the data is kept
(the CRM, the Excel file), each with where to find it there.

The kinds (``KINDS``; their names are the i18n labels ``fix_<kind>``), one row per problem and
source row (a customer merged from several raw rows has a row for each, from the lineage):

- ``duplicate_merged``: rows of one source that ingest merged into one customer: keep one at the
  source. (A customer in two sources, a CRM and a regional workbook, is kept once in each
  system: nothing to fix there.)
- ``duplicate_suspected``: customers ingest kept apart, in one region or of one owner, that share
  a phone or an email, or whose name keys are at least ``name_similarity`` alike (rapidfuzz
  ratio; each name is compared with its ``NEIGHBOURS`` nearest in name order and in reversed
  name order). At most ``MOST_COUNTERPARTS`` are listed per customer, strongest first. A phone
  or email of more than ``SHARED_WIDELY`` customers is one problem per customer (a switchboard
  or a placeholder), not a pair each.
- ``phone_invalid``, ``email_invalid``: a value that is no phone number or address (as ingest
  kept it typed in those columns, or a stored value of the wrong form); ``*_missing``: none.
- ``region_missing`` (the unknown region; the province or city typed is the value) and
  ``industry_missing``.
- ``no_contact``: no order line and no interaction in the ``no_contact_months`` months up to the
  period end; customers created within them, or whose stated status is churned, are left out.
- ``unassigned``: no owner, or an owner naming no current rep (or several).
- ``over_capacity``: a rep owning more customers than their capacity (``default_capacity`` for
  reps without one, as allocation counts it): one row on their own list.

Each problem is on one list: that of the customer's owner (``owner_rep``, a rep_id; ``region``
the rep's region, whose folder holds the list), or for a customer without a known owner the
unassigned list of the customer's region (``owner_rep`` NA). Values are masked as mailed outputs mask contacts. ``problem_key``
names a problem the same way every period (kind, customer, and counterpart or value), so that
``owner_summary`` can tell what was fixed since the last list.

>>> customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "name": ["甲科技", "乙贸易", "丙公司"],
...     "region": ["east", "east", "unknown"], "industry": ["制造业", None, "零售"],
...     "owner_rep": ["R1", "Wang Fang", None], "phone": ["+8613812345678", "+8613812345678", None],
...     "email": ["a@jia.com", "b@yi.com", "c@bing.com"]})
>>> reps = pd.DataFrame({"rep_id": ["R1"], "name": ["Wang Fang"], "region": ["east"], "capacity": [1.0]})
>>> found = owner_problems(customers, reps, None, None, pd.Timestamp("2025-12-31"), locale="en")
>>> found[["owner_rep", "region", "kind", "customer_id", "value"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
[['R1', 'east', 'duplicate_suspected', 'C1', '+86138****5678'], ['R1', 'east', 'duplicate_suspected', 'C2', '+86138****5678'],
 ['R1', 'east', 'industry_missing', 'C2', <NA>], ['R1', 'east', 'over_capacity', <NA>, '2/1'],
 [<NA>, 'unknown', 'phone_missing', 'C3', <NA>], [<NA>, 'unknown', 'region_missing', 'C3', <NA>],
 [<NA>, 'unknown', 'unassigned', 'C3', <NA>]]
>>> print(found["reason"].iloc[0])
same phone as C2 乙贸易: if they are one customer, keep one at the source
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custreport import i18n
from custreport.analysis.allocation import owners_of
from custreport.analysis.frames import sort_rows
from custreport.config import fold_text
from custreport.privacy import mask_emails, mask_invalid_contacts, mask_phones

KINDS = ("duplicate_merged", "duplicate_suspected", "phone_invalid", "phone_missing", "email_invalid",
         "email_missing", "region_missing", "industry_missing", "no_contact", "unassigned", "over_capacity")
PLACE_COLUMNS = ["source", "source_file", "source_sheet", "source_row", "source_key"]
PROBLEM_COLUMNS = ["owner_rep", "region", "kind", "customer_id", "name", "value", "reason", *PLACE_COLUMNS,
                   "problem_key"]
# What the reasons are made from (problem_reasons): kept, so a list can be worded in either language.
DETAIL_COLUMNS = ["detail", "other_id", "other_name", "other_owner", "figure", "limit"]
SUMMARY_COLUMNS = ["owner_rep", "region", "kind", "open", "previous", "fixed", "new"]

FOLDER = "fix_lists"                  # in a region's output folder: one workbook per list
UNASSIGNED_FILE = "unassigned.xlsx"   # the region's customers without a known owner
SHARED_WIDELY = 20                    # a phone or email of more customers: a placeholder, not pairs
MOST_COUNTERPARTS = 3                 # suspected duplicates listed per customer
NEIGHBOURS = 5                        # names compared with this many neighbours in name order

_PHONE = r"\+\d{6,15}"
_EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"


@dataclass(frozen=True)
class FixListRules:
    """What counts as a problem (see the module docstring); params/analysis.yaml ``fix_lists``
    and ``allocation.default_capacity`` set them."""

    no_contact_months: int = 6
    name_similarity: float = 90.0
    default_capacity: float | None = None
    leave_out: frozenset[str] = frozenset()
    unknown_region: str = "unknown"

    def __post_init__(self):
        if not isinstance(self.no_contact_months, int) or self.no_contact_months <= 0:
            raise ValueError(f"no_contact_months: a whole number of months > 0, got {self.no_contact_months!r}")
        if not 50 <= self.name_similarity <= 100:
            raise ValueError(f"name_similarity: between 50 and 100, got {self.name_similarity!r}")
        unknown = set(self.leave_out) - set(KINDS)
        if unknown:
            raise ValueError(f"leave_out: unknown kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
        object.__setattr__(self, "leave_out", frozenset(self.leave_out))


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column trimmed, blanks missing; all missing when the frame has no such column."""
    if column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[column].astype("string").str.strip().replace("", pd.NA)


def _found(positions, kind: str, **columns) -> pd.DataFrame:
    """Problems of ``kind`` of the customers at ``positions``, with detail columns."""
    positions = np.asarray(positions, dtype="int64")
    frame = pd.DataFrame({"pos": positions, "kind": kind})
    for name, values in columns.items():
        frame[name] = values if np.ndim(values) == 0 else np.asarray(values, dtype=object)
    return frame


def rep_regions(reps: pd.DataFrame, unknown_region: str = "unknown") -> pd.Series:
    """Each rep's region (the unknown region when the reps table gives none): where their list goes."""
    return _text(reps, "region").fillna(unknown_region)


def owner_problems(customers: pd.DataFrame, reps: pd.DataFrame, activity: pd.DataFrame | None,
                   lineage: pd.DataFrame | None, as_of: pd.Timestamp, rules: FixListRules = FixListRules(),
                   locale: str = "zh") -> pd.DataFrame:
    """Every problem of every list, one row per problem and source row (PROBLEM_COLUMNS, then
    DETAIL_COLUMNS), ordered by list (region, owner), kind, customer and source row.

    ``customers``: customer_id, name, region, industry, owner_rep, phone, email (name_key,
    province, city, status, created_at, phone_invalid and email_invalid are read when present);
    ``reps``: rep_id, name, region, capacity; ``activity``: customer_id and date of every order
    line and interaction (None: no_contact is not checked); ``lineage``: the customer rows'
    lineage (source, source_file, source_sheet, source_row, source_key when recorded, status,
    record_id; None: no source columns and no duplicate_merged); ``as_of``: the period's end.
    Reasons are in ``locale``.
    """
    i18n.check_locale(locale)
    customers, reps = customers.reset_index(drop=True), reps.reset_index(drop=True)
    ids, names = _text(customers, "customer_id"), _text(customers, "name")
    region = _text(customers, "region").fillna(rules.unknown_region)
    typed_owner = _text(customers, "owner_rep")
    if "capacity" not in reps:
        reps = reps.assign(capacity=np.nan)
    owner, named = owners_of(customers.assign(owner_rep=typed_owner, region=region),
                             reps.assign(region=_text(reps, "region")))
    own_region = dict(zip(reps["rep_id"].astype(str), rep_regions(reps, rules.unknown_region)))
    list_region = owner.map(own_region).astype("string").fillna(region)
    wanted = [kind for kind in KINDS if kind not in rules.leave_out]

    pieces = []
    if {"phone_invalid", "phone_missing", "email_invalid", "email_missing"} & set(wanted):
        pieces += _contact_problems(customers)
    if "region_missing" in wanted:
        unknown = np.flatnonzero(region.eq(rules.unknown_region).to_numpy(dtype=bool))
        typed = _text(customers, "province").fillna(_text(customers, "city")).fillna(_text(customers, "country"))
        pieces.append(_found(unknown, "region_missing", value=typed.iloc[unknown].to_numpy()))
    if "industry_missing" in wanted:
        pieces.append(_found(np.flatnonzero(_text(customers, "industry").isna().to_numpy()), "industry_missing"))
    if "no_contact" in wanted and activity is not None:
        pieces.append(_no_contact(customers, ids, activity, as_of, rules.no_contact_months))
    if "unassigned" in wanted:
        unowned = np.flatnonzero(owner.isna().to_numpy())
        detail = np.where(typed_owner.isna().to_numpy()[unowned], "none",
                          np.where(named.to_numpy()[unowned], "ambiguous", "unknown"))
        pieces.append(_found(unowned, "unassigned", value=typed_owner.iloc[unowned].to_numpy(), detail=detail))
    if "duplicate_suspected" in wanted:
        pieces.append(_suspected(customers, ids, names, region, owner, reps, rules))
    if "duplicate_merged" in wanted and lineage is not None:
        pieces.append(_merged(lineage, ids))
    problems = pd.concat([_found([], "unassigned"), *(piece for piece in pieces if len(piece))], ignore_index=True)
    problems = problems[problems["kind"].isin(wanted)]
    pos = problems["pos"].to_numpy()
    framed = pd.DataFrame({
        "owner_rep": owner.take(pos).to_numpy(), "region": list_region.take(pos).to_numpy(),
        "kind": problems["kind"].to_numpy(), "customer_id": ids.take(pos).to_numpy(),
        "name": names.take(pos).to_numpy(),
        **{column: problems[column].to_numpy() if column in problems else None
           for column in ("value", "only_source", *DETAIL_COLUMNS)}})
    if "over_capacity" in wanted:
        framed = pd.concat([framed, _over_capacity(owner, reps, rules)], ignore_index=True)
    framed = _with_places(framed, lineage)
    framed["problem_key"] = _keys(framed)
    framed = _typed(framed)
    framed["reason"] = problem_reasons(framed, locale)
    order = framed["kind"].map({kind: n for n, kind in enumerate(KINDS)}).astype("int64")
    framed = sort_rows(framed.assign(_order=order), ["region", "owner_rep", "_order", "customer_id", "source",
                                                     "source_row"], [True] * 6)
    return framed[[*PROBLEM_COLUMNS, *DETAIL_COLUMNS]].reset_index(drop=True)


def _contact_problems(customers: pd.DataFrame) -> list[pd.DataFrame]:
    pieces = []
    for column, form in (("phone", _PHONE), ("email", _EMAIL)):
        stored, typed = _text(customers, column), _text(customers, f"{column}_invalid")
        wrong_form = stored.notna() & ~stored.str.fullmatch(form).fillna(False).astype(bool)
        invalid = np.flatnonzero((typed.notna() | wrong_form).to_numpy(dtype=bool))
        # whatever was typed (a phone in the email column too) is masked: the lists are mailed
        shown = mask_invalid_contacts(typed.fillna(stored).iloc[invalid])
        pieces.append(_found(invalid, f"{column}_invalid", value=shown.to_numpy()))
        pieces.append(_found(np.flatnonzero((stored.isna() & typed.isna()).to_numpy(dtype=bool)),
                             f"{column}_missing"))
    return pieces


def _no_contact(customers: pd.DataFrame, ids: pd.Series, activity: pd.DataFrame, as_of: pd.Timestamp,
                months: int) -> pd.DataFrame:
    """Customers with no order line or interaction dated in the ``months`` months up to ``as_of``."""
    end = pd.Timestamp(as_of).normalize()
    since = end + pd.Timedelta(days=1) - pd.DateOffset(months=months)
    dated = activity[activity["date"].notna() & (activity["date"] <= pd.Timestamp(as_of))]
    last = dated.groupby(dated["customer_id"].astype("string"))["date"].max()
    # reindex, not map: with no order or interaction at all (deals only) map cannot type it
    last_of = pd.Series(last.reindex(ids.astype("string").to_numpy()).to_numpy("datetime64[ns]"), index=ids.index)
    created = pd.to_datetime(customers["created_at"]) if "created_at" in customers else \
        pd.Series(pd.NaT, index=ids.index)
    churned = _text(customers, "status").eq("churned").fillna(False).astype(bool)
    stale = (last_of.isna() | (last_of < since)) & ~churned & (created.isna() | (created < since))
    found = np.flatnonzero(stale.to_numpy(dtype=bool))
    value = last_of.iloc[found].dt.strftime("%Y-%m-%d").astype("string")
    return _found(found, "no_contact", value=value.to_numpy(), detail=end.strftime("%Y-%m-%d"), figure=months)


def _over_capacity(owner: pd.Series, reps: pd.DataFrame, rules: FixListRules) -> pd.DataFrame:
    """One row per rep owning more customers than their capacity."""
    owned = owner.value_counts()
    capacity = reps["capacity"].astype("float64")
    if rules.default_capacity is not None:
        capacity = capacity.fillna(float(rules.default_capacity))
    rep_ids = reps["rep_id"].astype("string")
    count = rep_ids.map(owned).fillna(0).astype("int64")
    over = (capacity.notna() & (count > capacity)).to_numpy(dtype=bool)
    figure = [f"{n}/{c:.0f}" if float(c).is_integer() else f"{n}/{c:g}" for n, c in zip(count[over], capacity[over])]
    return pd.DataFrame({"owner_rep": rep_ids[over].to_numpy(),
                         "region": rep_regions(reps, rules.unknown_region)[over].to_numpy(),
                         "kind": "over_capacity", "value": figure, "figure": count[over].to_numpy(dtype="float64"),
                         "limit": capacity[over].to_numpy()})


def _name_keys(customers: pd.DataFrame, names: pd.Series) -> pd.Series:
    """The names compared: ingest's name key (legal suffixes and punctuation gone), else the name folded."""
    keys = _text(customers, "name_key")
    missing = keys.isna() & names.notna()
    if missing.any():
        keys = keys.mask(missing, names[missing].map(fold_text).astype("string"))
    return keys


def _pairs_sharing(values: pd.Series, region: pd.Series, owner: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairs (a < b) of customers with the same value in one region or of one owner, and the
    customers of values shared more widely (pos, n sharing it, the first other's position)."""
    codes, _ = pd.factorize(values)                   # -1: no value
    sizes = np.bincount(codes[codes >= 0]) if (codes >= 0).any() else np.zeros(0, dtype="int64")
    size = np.where(codes >= 0, sizes[np.maximum(codes, 0)] if len(sizes) else 0, 0)
    small = pd.DataFrame({"pos": np.flatnonzero((size >= 2) & (size <= SHARED_WIDELY)),
                          "code": codes[(size >= 2) & (size <= SHARED_WIDELY)]})
    pairs = small.merge(small, on="code", suffixes=("_a", "_b"))
    pairs = pairs[pairs["pos_a"] < pairs["pos_b"]]
    a, b = pairs["pos_a"].to_numpy(), pairs["pos_b"].to_numpy()
    owners, _ = pd.factorize(owner)                  # -1: no owner, which two customers never share
    regions, _ = pd.factorize(region)
    scoped = (regions[a] == regions[b]) | ((owners[a] == owners[b]) & (owners[a] >= 0))
    wide = pd.DataFrame({"pos": np.flatnonzero(size > SHARED_WIDELY), "code": codes[size > SHARED_WIDELY]})
    first = wide.groupby("code")["pos"].transform("min").to_numpy()
    second = wide.groupby("code")["pos"].transform(lambda p: p.nsmallest(2).iloc[-1]).to_numpy()
    other = np.where(wide["pos"].to_numpy() == first, second, first)
    widely = pd.DataFrame({"pos": wide["pos"].to_numpy(), "n": size[wide["pos"].to_numpy()], "other": other})
    return pd.DataFrame({"a": a[scoped], "b": b[scoped]}), widely


def _similar_names(keys: pd.Series, scopes: list[pd.Series], threshold: float) -> pd.DataFrame:
    """Pairs (a < b, score) of names at least ``threshold`` alike within a scope: each name against
    its NEIGHBOURS nearest in name order and in reversed name order (typos at either end)."""
    from rapidfuzz import fuzz, process

    found = []
    for scope in scopes:
        usable = (keys.notna() & scope.notna()).to_numpy(dtype=bool)
        positions = np.flatnonzero(usable)
        if len(positions) < 2:
            continue
        scoped, _ = pd.factorize(scope[usable])
        names = pa.array(keys[usable].astype(str).to_numpy(dtype=object), type=pa.large_string())
        for order in (names, pc.utf8_reverse(names)):
            # sorted by Arrow: pandas would factorize a million names first
            ranked = pc.sort_indices(pa.table({"scope": scoped, "order": order}),
                                     sort_keys=[("scope", "ascending"), ("order", "ascending")]).to_numpy()
            pos, group = positions[ranked], scoped[ranked]
            text = np.asarray(names.take(ranked).to_pylist(), dtype=object)
            for step in range(1, min(NEIGHBOURS, len(ranked) - 1) + 1):
                same = group[:-step] == group[step:]
                if not same.any():
                    continue
                scores = process.cpdist(text[:-step][same], text[step:][same], scorer=fuzz.ratio,
                                        score_cutoff=threshold, workers=1)
                hit = scores >= threshold
                a, b = pos[:-step][same][hit], pos[step:][same][hit]
                found.append(pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b),
                                           "score": np.round(scores[hit]).astype("float64")}))
    if not found:
        return pd.DataFrame({"a": pd.Series(dtype="int64"), "b": pd.Series(dtype="int64"),
                             "score": pd.Series(dtype="float64")})
    return pd.concat(found, ignore_index=True).groupby(["a", "b"], as_index=False)["score"].max()


def _suspected(customers: pd.DataFrame, ids: pd.Series, names: pd.Series, region: pd.Series, owner: pd.Series,
               reps: pd.DataFrame, rules: FixListRules) -> pd.DataFrame:
    """Customers kept apart that look like one: one row per customer and counterpart."""
    phone = _text(customers, "phone")
    email = _text(customers, "email").str.lower()
    phone_pairs, phone_wide = _pairs_sharing(phone, region, owner)
    email_pairs, email_wide = _pairs_sharing(email, region, owner)
    scopes = [region, owner]
    named = _similar_names(_name_keys(customers, names), scopes, rules.name_similarity)
    pairs = pd.concat([phone_pairs.assign(phone=True), email_pairs.assign(email=True), named.assign(name=True)],
                      ignore_index=True)
    rep_names = dict(zip(reps["rep_id"].astype(str), _text(reps, "name").fillna(reps["rep_id"].astype("string"))))
    pieces = []
    if len(pairs):
        pairs = pairs.fillna({"phone": False, "email": False, "name": False}).astype(
            {"phone": bool, "email": bool, "name": bool})
        pairs = pairs.groupby(["a", "b"], as_index=False).agg(phone=("phone", "any"), email=("email", "any"),
                                                              name=("name", "any"), score=("score", "max"))
        sides = pd.concat([pairs.rename(columns={"a": "pos", "b": "other"}),
                           pairs.rename(columns={"b": "pos", "a": "other"})], ignore_index=True)
        # a shared phone or email says more than a similar name
        sides["strength"] = 2 * sides["phone"].astype(int) + 2 * sides["email"].astype(int) + sides["name"].astype(int)
        sides["other_id"] = ids.take(sides["other"].to_numpy()).to_numpy()
        sides = sides.sort_values(["pos", "strength", "score", "other_id"], ascending=[True, False, False, True],
                                  kind="stable")
        total = sides.groupby("pos")["other"].transform("size")
        sides = sides[sides.groupby("pos").cumcount() < MOST_COUNTERPARTS]
        more = (total[sides.index] - MOST_COUNTERPARTS).clip(lower=0)
        last = sides.groupby("pos").cumcount(ascending=False).eq(0)
        pos, other = sides["pos"].to_numpy(), sides["other"].to_numpy()
        evidence = [",".join(kind for kind, hit in zip(("phone", "email", "name"), flags) if hit)
                    for flags in zip(sides["phone"], sides["email"], sides["name"])]
        value = np.where(sides["phone"], mask_phones(phone.take(pos)).to_numpy(dtype=object),
                         np.where(sides["email"], mask_emails(email.take(pos)).to_numpy(dtype=object),
                                  names.take(other).to_numpy(dtype=object)))
        pieces.append(_found(pos, "duplicate_suspected", value=value, detail=evidence,
                             other_id=ids.take(other).to_numpy(), other_name=names.take(other).to_numpy(),
                             other_owner=_other_owner(owner, pos, other, rep_names),
                             figure=sides["score"].to_numpy(dtype="float64"),
                             limit=np.where(last, more, 0).astype("float64")))
    for what, wide, values, mask in (("phone", phone_wide, phone, mask_phones), ("email", email_wide, email,
                                                                                 mask_emails)):
        if len(wide):
            pos, other = wide["pos"].to_numpy(), wide["other"].to_numpy()
            pieces.append(_found(pos, "duplicate_suspected", value=mask(values.take(pos)).to_numpy(),
                                 detail=f"shared_{what}", other_id=ids.take(other).to_numpy(),
                                 other_name=names.take(other).to_numpy(),
                                 figure=wide["n"].to_numpy(dtype="float64")))
    return pd.concat(pieces, ignore_index=True) if pieces else _found([], "duplicate_suspected")


def _other_owner(owner: pd.Series, pos: np.ndarray, other: np.ndarray, rep_names: dict) -> list:
    """The counterpart's owner as reasons name it: NA when it is this customer's own, "" when it has none."""
    shown = []
    for mine, theirs in zip(owner.take(pos), owner.take(other)):
        if pd.isna(mine) and pd.isna(theirs) or not pd.isna(mine) and not pd.isna(theirs) and mine == theirs:
            shown.append(pd.NA)
        else:
            shown.append("" if pd.isna(theirs) else rep_names.get(theirs, theirs))
    return shown


def customer_rows(lineage: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``lineage`` that became a customer (status loaded or merged), with its place columns."""
    if lineage is None or not len(lineage) or "record_id" not in lineage:
        return pd.DataFrame({column: pd.Series(dtype="Int64" if column == "source_row" else "string")
                             for column in ["record_id", *PLACE_COLUMNS]})
    rows = lineage[lineage["status"].astype("string").isin(["loaded", "merged"]).fillna(False).to_numpy(dtype=bool)]
    rows = rows.reindex(columns=["record_id", *PLACE_COLUMNS])
    return rows.astype({**{c: "string" for c in ["record_id", *PLACE_COLUMNS] if c != "source_row"},
                        "source_row": "Int64"}).dropna(subset=["record_id"])


def _merged(lineage: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """Customers built from two or more rows of one source: one problem per customer and source."""
    rows = customer_rows(lineage)
    counts = rows.groupby(["record_id", "source"]).size()
    counts = counts[counts >= 2].reset_index(name="n")
    pos = pd.Index(ids).get_indexer(counts["record_id"])
    counts, pos = counts[pos >= 0], pos[pos >= 0]
    return _found(pos, "duplicate_merged", only_source=counts["source"].to_numpy(), detail=counts["source"].to_numpy(),
                  figure=counts["n"].to_numpy(dtype="float64"))


def _with_places(problems: pd.DataFrame, lineage: pd.DataFrame | None) -> pd.DataFrame:
    """Each customer's problem once per source row of the customer (of ``only_source`` when set);
    problems of no customer, or of one without lineage, once with empty place columns."""
    places = customer_rows(lineage)
    places = places.take(pc.sort_indices(pa.array(places["record_id"].to_numpy(dtype=object),
                                                  type=pa.large_string())).to_numpy())
    record_ids = places["record_id"].to_numpy(dtype=object)
    firsts = np.flatnonzero(np.r_[True, record_ids[1:] != record_ids[:-1]]) if len(places) else np.array([], int)
    counts = np.diff(np.r_[firsts, len(places)])
    customer = problems["customer_id"].astype("string")
    found = pd.Index(record_ids[firsts]).get_indexer(customer) if len(places) else np.full(len(problems), -1)
    rows = np.where(found >= 0, counts[found] if len(counts) else 0, 1)          # one row even without lineage
    problem = np.repeat(np.arange(len(problems)), rows)
    within = np.arange(len(problem)) - np.repeat(np.cumsum(rows) - rows, rows)    # 0, 1 ... per problem
    place = np.where(np.repeat(found, rows) >= 0, firsts[np.maximum(np.repeat(found, rows), 0)] + within
                     if len(firsts) else -1, -1)
    out = problems.take(problem).reset_index(drop=True)
    picked = places.take(np.maximum(place, 0)).reset_index(drop=True) if len(places) else None
    for column in PLACE_COLUMNS:
        values = picked[column] if picked is not None else pd.Series(pd.NA, index=out.index)
        out[column] = values.mask(place < 0) if picked is not None else values
    keep = out["only_source"].isna() | (out["source"].astype(object) == out["only_source"])
    return out[keep.to_numpy(dtype=bool)].reset_index(drop=True)


def _keys(problems: pd.DataFrame) -> pd.Series:
    """kind|customer (or owner)[|counterpart or value]: the same problem has the same key every period."""
    kind = problems["kind"].astype(str)
    who = problems["customer_id"].astype("string").fillna(problems["owner_rep"].astype("string")).fillna("")
    detail = problems["detail"].astype("string")
    qualifier = pd.Series("", index=problems.index, dtype="string")
    qualifier = qualifier.mask(kind.eq("duplicate_merged"), problems["only_source"].astype("string"))
    pair = kind.eq("duplicate_suspected") & ~detail.str.startswith("shared_").fillna(False)
    qualifier = qualifier.mask(pair, problems["other_id"].astype("string"))
    shared = kind.eq("duplicate_suspected") & ~pair
    qualifier = qualifier.mask(shared, detail + ":" + problems["value"].astype("string"))
    invalid = kind.isin(["phone_invalid", "email_invalid"])
    qualifier = qualifier.mask(invalid, problems["value"].astype("string")).fillna("")
    key = kind + "|" + who
    return key.where(qualifier.eq(""), key + "|" + qualifier).astype("string")


def _typed(problems: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in [*PROBLEM_COLUMNS, *DETAIL_COLUMNS] if c not in ("source_row", "figure", "limit", "reason")]
    out = problems.drop(columns=["only_source", "pos"], errors="ignore")
    for column in text:
        out[column] = out[column].astype("string")
    return out.astype({"source_row": "Int64", "figure": "float64", "limit": "float64"})


def _number(value) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


# What the reason of each kind is worded from (DETAIL_COLUMNS and the value): rows alike share it.
_REASON_FIELDS = {"duplicate_merged": ["detail", "figure"], "no_contact": ["value", "detail", "figure"],
                  "unassigned": ["detail", "value"], "over_capacity": ["figure", "limit"],
                  "duplicate_suspected": ["value", *DETAIL_COLUMNS]}


def problem_reasons(problems: pd.DataFrame, locale: str) -> pd.Series:
    """Each problem's reason in ``locale``, from its kind and DETAIL_COLUMNS (a list kept in one
    language is worded in the other the same way); each distinct reason is worded once."""
    reasons = np.full(len(problems), "", dtype=object)
    kinds = problems["kind"].astype("string").to_numpy(dtype=object)
    for kind in pd.unique(kinds):
        rows = np.flatnonzero(kinds == kind)
        fields = _REASON_FIELDS.get(kind)
        if not fields:
            reasons[rows] = i18n.note(f"fix.{kind}", locale)
            continue
        part = problems.iloc[rows]
        joined = pd.Series("", index=part.index, dtype="string")
        for column in fields:
            joined = joined + "\x1f" + part[column].astype("string").fillna("\x00")
        codes, _ = pd.factorize(joined)
        first = np.unique(codes, return_index=True)[1]
        columns = {column: part[column].to_numpy(dtype=object)[first] for column in ("value", *DETAIL_COLUMNS)}
        worded = [_reason(kind, {column: values[n] for column, values in columns.items()}, locale)
                  for n in range(len(first))]
        reasons[rows] = np.asarray(worded, dtype=object)[codes]
    return pd.Series(reasons, index=problems.index, dtype="string")


def _reason(kind: str, problem: dict, locale: str) -> str:
    note = lambda key, **values: i18n.note(f"fix.{key}", locale, **values)
    value, detail, figure, limit = problem["value"], problem["detail"], problem["figure"], problem["limit"]
    if kind == "duplicate_merged":
        return note(kind, n=_number(figure), source=detail)
    if kind == "no_contact":
        return note("no_contact_never", end=detail) if pd.isna(value) else \
            note(kind, last=value, months=_number(figure), end=detail)
    if kind == "unassigned":
        return note(f"unassigned_{detail}", owner="" if pd.isna(value) else value)
    if kind == "over_capacity":
        return note(kind, owned=_number(figure), capacity=_number(limit))
    other = " ".join(str(part) for part in (problem["other_id"], problem["other_name"]) if not pd.isna(part))
    if str(detail).startswith("shared_"):
        return note(str(detail), n=_number(figure), other=other)
    parts = [note(f"evidence_{part}", score=_number(figure) if not pd.isna(figure) else "")
             for part in str(detail).split(",")]
    owner = problem["other_owner"]
    owned = "" if pd.isna(owner) else note("other_unowned") if owner == "" else note("other_owner", owner=owner)
    text = note(kind, evidence=note("evidence_separator").join(parts), other=other, owner=owned)
    return text + (note("more", n=_number(limit)) if not pd.isna(limit) and limit > 0 else "")


def _list_key(problems: pd.DataFrame) -> pd.Series:
    """Which list a problem is on: its owner's, or the unassigned list of its region."""
    return problems["owner_rep"].astype("string").fillna("\0unassigned:" + problems["region"].astype("string"))


def owner_summary(current: pd.DataFrame, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per list (owner, or the unassigned list of a region) and kind: problems open now, on the
    previous list, fixed since (on the previous list, not on this one), and new (on this one, not
    on the previous one), counted as distinct problem_keys (SUMMARY_COLUMNS).

    Without a previous list (``previous`` None) the last three are NA, never 0: nothing can be
    said fixed or new. A list or kind on one side only counts 0 on the other.

    >>> now = pd.DataFrame({"owner_rep": ["R1", "R1"], "region": ["east", "east"],
    ...     "kind": ["phone_missing", "email_missing"], "problem_key": ["phone_missing|C1", "email_missing|C2"]})
    >>> before = now.assign(kind="phone_missing", problem_key=["phone_missing|C1", "phone_missing|C3"])
    >>> owner_summary(now, before).values.tolist()
    [['R1', 'east', 'phone_missing', 1, 2, 1, 0], ['R1', 'east', 'email_missing', 1, 0, 0, 1]]
    >>> owner_summary(now, None)[["open", "previous", "fixed"]].values.tolist()
    [[1, <NA>, <NA>], [1, <NA>, <NA>]]
    """
    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"list": _list_key(frame).to_numpy(), "owner_rep": frame["owner_rep"].to_numpy(),
                             "region": frame["region"].to_numpy(), "kind": frame["kind"].to_numpy(),
                             "problem_key": frame["problem_key"].to_numpy()}).drop_duplicates(["list", "problem_key"])

    now = keyed(current)
    order = {kind: n for n, kind in enumerate(KINDS)}
    groups = ["list", "kind"]
    counts = now.groupby(groups, sort=False).agg(owner_rep=("owner_rep", "first"), region=("region", "first"),
                                                 open=("problem_key", "size"))
    if previous is None:
        out = counts.reset_index()
        for column in ("previous", "fixed", "new"):
            out[column] = pd.array([pd.NA] * len(out), dtype="Int64")
    else:
        before = keyed(previous)
        both = before.merge(now[["list", "problem_key"]].assign(_now=True), on=["list", "problem_key"], how="left")
        fresh = now.merge(before[["list", "problem_key"]].assign(_then=True), on=["list", "problem_key"], how="left")
        earlier = both.groupby(groups, sort=False).agg(
            owner_rep=("owner_rep", "first"), region=("region", "first"), previous=("problem_key", "size"),
            fixed=("_now", lambda still: int(still.isna().sum())))
        new = fresh.groupby(groups, sort=False)["_then"].agg(lambda seen: int(seen.isna().sum())).rename("new")
        out = counts.join(new).combine_first(earlier).reset_index()
        # a list's region is where it is now (a rep may have moved)
        out["region"] = out["list"].map(now.groupby("list")["region"].first()).fillna(out["region"])
        out = out.astype({column: "float64" for column in ("open", "previous", "fixed", "new")}).fillna(
            {column: 0 for column in ("open", "previous", "fixed", "new")})
    out = out.astype({column: "Int64" for column in ("open", "previous", "fixed", "new")})
    out = out.assign(_order=out["kind"].map(order), _unassigned=out["owner_rep"].isna()).sort_values(
        ["region", "_unassigned", "list", "_order"], kind="stable")
    out = out.astype({"owner_rep": "string", "region": "string", "kind": "string"})
    return out[SUMMARY_COLUMNS].reset_index(drop=True)


def list_file_names(rep_ids) -> dict[str, str]:
    """Each rep's fix-list file name (in FOLDER): the rep_id made safe for a file name, unique
    (in rep_id order, a clash gets -2, -3 ...) and never UNASSIGNED_FILE.

    >>> list_file_names(["S0001", "E/12", "E_12", "unassigned"])
    {'E/12': 'E_12.xlsx', 'E_12': 'E_12-2.xlsx', 'S0001': 'S0001.xlsx', 'unassigned': 'unassigned-rep.xlsx'}
    """
    taken = {UNASSIGNED_FILE.lower()}
    names = {}
    for rep_id in sorted({str(r) for r in rep_ids if not pd.isna(r)}):
        base = re.sub(r"[^\w-]", "_", rep_id).lstrip(".") or "rep"
        name, n = f"{base}.xlsx", 2
        if name.lower() == UNASSIGNED_FILE:
            name = f"{base}-rep.xlsx"
        while name.lower() in taken:
            name, n = f"{base}-{n}.xlsx", n + 1
        taken.add(name.lower())
        names[rep_id] = name
    return names


def reps_listed_in(reps: pd.DataFrame, region: str, unknown_region: str = "unknown") -> list[str]:
    """The rep_ids whose lists go in ``region``'s folder: the reps of that region (none for ``all``:
    the whole company's folder holds its unassigned list only, each rep's is in their region's).

    >>> reps_listed_in(pd.DataFrame({"rep_id": ["R2", "R1", "R3"], "region": ["east", "east", None]}), "unknown")
    ['R3']
    """
    ids = reps["rep_id"].astype("string")
    chosen = ids[rep_regions(reps, unknown_region).eq(region).to_numpy(dtype=bool)]
    return sorted(str(rep_id) for rep_id in chosen.dropna())


def find_rep(reps: pd.DataFrame, text: str) -> list[str]:
    """The rep_ids ``text`` names: a rep_id, else a rep's name (case, width and spaces folded);
    several when reps share that name, none when nobody has it.

    >>> reps = pd.DataFrame({"rep_id": ["S1", "S2", "S3"], "name": ["王芳", "Li Na", "王芳"]})
    >>> find_rep(reps, "s1"), find_rep(reps, "li na"), find_rep(reps, "王芳"), find_rep(reps, "nobody")
    (['S1'], ['S2'], ['S1', 'S3'], [])
    """
    key = fold_text(str(text))
    ids = [str(r) for r in reps["rep_id"]]
    by_id = [rep_id for rep_id in ids if fold_text(rep_id) == key]
    if by_id:
        return by_id
    return [rep_id for rep_id, name in zip(ids, reps["name"]) if isinstance(name, str) and fold_text(name) == key]
