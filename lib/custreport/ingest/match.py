"""Which customer rows are the same customer: blocking, pairwise scoring, clustering.

1. Features per row: the normalised name key, the *core* key (the name key without a
   leading or trailing place name: 杭州华信科技 and 华信科技 share 华信科技), the place
   the name carries, phone, email, address, province and any declared evidence
   (``ev_*`` columns: date of birth, national id ...).
2. Blocking: only rows that share a name key, core key, phone, email, evidence value,
   or the core key less one character (so one typo apart) are compared; blocks larger
   than ``max_block`` are too unspecific to be evidence and are skipped.
3. Scoring: weighted agreement (Fellegi-Sunter in spirit, weights fixed and stated in
   :class:`MatchRules`); a pair whose score reaches the threshold is a match.
4. Clustering: matches are joined into connected components; each is one customer.

>>> rows = pd.DataFrame({"name_key": ["杭州华信科技", "华信科技", "成都金鼎贸易"],
...     "phone": ["+8613800138000", "+8613800138000", None], "email": [None] * 3,
...     "address": [None] * 3, "province": ["浙江", "浙江", "四川"]})
>>> cluster_labels(match_features(rows, frozenset({"杭州", "成都"})), MatchRules()).tolist()
[0, 0, 1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from custreport.ingest.standardize import WS_CHARS
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class MatchRules:
    """Weights of the evidence for and against two rows being one customer."""

    threshold: float = 5.0
    same_name: float = 6.0          # identical normalised names: enough unless something disagrees
    same_core_name: float = 4.0     # identical once the place name is set aside
    close_name: float = 3.0         # similarity >= close_name_at
    close_name_at: float = 0.92
    near_name: float = 2.0          # similarity >= near_name_at
    near_name_at: float = 0.85
    loose_name: float = 0.5         # similarity >= loose_name_at
    loose_name_at: float = 0.75
    different_name: float = -3.0    # below loose_name_at
    other_place_in_name: float = -4.0  # 杭州华信 vs 宁波华信: the names themselves say two places
    same_phone: float = 4.0
    different_phone: float = -1.0   # companies have several numbers: weak evidence against
    same_email: float = 4.0
    different_email: float = -1.0
    close_address: float = 2.0      # address similarity >= 0.9
    different_address: float = -1.0  # both known, similarity < 0.6
    same_province: float = 1.0
    different_province: float = -3.0
    same_evidence: float = 4.0      # per declared evidence column
    close_evidence: float = 1.0     # a typo away (similarity >= 0.8)
    different_evidence: float = -2.0
    max_block: int = 200
    max_typo_block: int = 20        # one-typo blocks: only small ones are specific enough


def core_names(name_keys: pd.Series, places: frozenset[str]) -> tuple[pd.Series, pd.Series]:
    """Split name keys into (core name, place named in it): a leading or trailing place name
    is set aside, twice at most (浙江杭州华信科技), as long as two characters remain.

    >>> core_names(pd.Series(["杭州华信科技", "华信科技杭州", "华信科技"]), frozenset({"杭州"}))[0].tolist()
    ['华信科技', '华信科技', '华信科技']
    """
    keys = pd.Series(name_keys.dropna().unique(), dtype="string")
    core = keys.copy()
    place = pd.Series(pd.NA, index=keys.index, dtype="string")
    lengths = sorted({len(p) for p in places}, reverse=True)
    known = pd.Index(sorted(places))
    for _ in range(2):
        stripped = pd.Series(False, index=keys.index)
        for length in lengths:
            room = (core.str.len() - length >= 2).fillna(False).astype(bool) & ~stripped
            for side in ("head", "tail"):
                part = core.str.slice(0, length) if side == "head" else core.str.slice(-length)
                hit = room & part.isin(known).fillna(False).astype(bool)
                if not hit.any():
                    continue
                place = place.fillna(part.where(hit))
                rest = core.str.slice(length) if side == "head" else core.str.slice(0, -length)
                core = core.mask(hit, rest)
                stripped |= hit
                room &= ~hit
    core_of = pd.Series(core.to_numpy(), index=keys.to_numpy())
    place_of = pd.Series(place.to_numpy(), index=keys.to_numpy())
    return (name_keys.map(core_of).astype("string"), name_keys.map(place_of).astype("string"))


def match_features(rows: pd.DataFrame, places: frozenset[str]) -> pd.DataFrame:
    """The columns matching compares, one row per input row (positional index)."""
    def column(name: str) -> pd.Series:
        return rows[name].astype("string") if name in rows else pd.Series(pd.NA, index=rows.index, dtype="string")

    core, place = core_names(rows["name_key"], places)
    features = pd.DataFrame({
        "name_key": column("name_key"),
        # Word order kept apart for people and Latin names (given name and surname swapped).
        "name_words": column("name").str.normalize("NFKC").str.lower() if "name" in rows else column("name_key"),
        "core": core,
        "place": place,
        "phone": column("phone"),
        "email": column("email"),
        "address": _fold(column("address")),
        "province": column("province"),
    })
    for column in rows.columns:
        if column.startswith("ev_"):
            features[column] = rows[column].astype("string")
    return features.reset_index(drop=True)


def _fold(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.normalize("NFKC").str.lower()
    return text.str.replace(f"[{WS_CHARS},，。.#\\-]+", "", regex=True).replace("", pd.NA)


TYPO_RULE = "core_one_typo"


def deletion_keys(keys: pd.Series, min_length: int = 4, unique: bool = True) -> pd.DataFrame:
    """Each key itself and with one character removed, one row per (row, variant); with
    ``unique=False`` a variant may repeat for a row (华信信息 loses either 信 the same way).

    Two names one typo apart (a character changed, dropped or added) share a variant,
    and the variants are as specific as the names themselves, so blocks stay small.

    >>> deletion_keys(pd.Series(["华信科技"]))["key"].tolist()
    ['华信科技', '信科技', '华科技', '华信技', '华信科']
    """
    frame = pd.DataFrame({"text": keys.astype("string").to_numpy(), "row": np.arange(len(keys))}).dropna()
    frame = frame[frame["text"].str.len() >= min_length]
    parts = [pd.DataFrame({"key": frame["text"].to_numpy(), "row": frame["row"].to_numpy()})]
    for position in range(int(frame["text"].str.len().max()) if len(frame) else 0):
        long_enough = frame[frame["text"].str.len() > position]
        variant = long_enough["text"].str.slice(0, position) + long_enough["text"].str.slice(position + 1)
        parts.append(pd.DataFrame({"key": variant.to_numpy(), "row": long_enough["row"].to_numpy()}))
    if not parts:
        return pd.DataFrame({"key": pd.Series(dtype="string"), "row": pd.Series(dtype="int64")})
    variants = pd.concat(parts, ignore_index=True)
    return variants.drop_duplicates() if unique else variants


def blocking_keys(features: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per blocking rule, (key, row) pairs: rows sharing a key are compared."""
    def single(values: pd.Series) -> pd.DataFrame:
        return pd.DataFrame({"key": values.to_numpy(), "row": np.arange(len(values))}).dropna()

    core = features["core"]
    keys = {
        "name_key": single(features["name_key"]),
        "core": single(core.where(core.str.len() >= 2)),
        "phone": single(features["phone"]),
        "email": single(features["email"]),
        # A typo in a four-character name leaves three characters many firms share: too loose.
        TYPO_RULE: deletion_keys(core, min_length=5),
    }
    for column in features.columns:
        if column.startswith("ev_"):
            keys[column] = single(features[column])
    return keys


def block_pairs(keyed: pd.DataFrame, max_block: int) -> pd.DataFrame:
    """Row pairs (i < j) sharing a key, from blocks of at most ``max_block`` rows."""
    sizes = keyed.groupby("key")["row"].transform("size")
    keyed = keyed[(sizes >= 2) & (sizes <= max_block)]
    if keyed.empty:
        return pd.DataFrame({"row_a": pd.Series(dtype="int64"), "row_b": pd.Series(dtype="int64")})
    joined = keyed.merge(keyed, on="key", suffixes=("_a", "_b"))
    joined = joined[joined["row_a"] < joined["row_b"]]
    return joined[["row_a", "row_b"]].drop_duplicates(ignore_index=True)


def _similarity(a: pd.Series, b: pd.Series, scorer=fuzz.ratio) -> np.ndarray:
    left = a.fillna("").astype(str).tolist()
    right = b.fillna("").astype(str).tolist()
    if not left:
        return np.empty(0)
    return process.cpdist(left, right, scorer=scorer, workers=1) / 100.0


def score_pairs(features: pd.DataFrame, pairs: pd.DataFrame, rules: MatchRules) -> np.ndarray:
    """The match score of every candidate pair (higher = more likely one customer)."""
    a = features.iloc[pairs["row_a"].to_numpy()].reset_index(drop=True)
    b = features.iloc[pairs["row_b"].to_numpy()].reset_index(drop=True)
    score = np.zeros(len(pairs))

    same_name = (a["name_key"] == b["name_key"]).fillna(False).to_numpy(bool)
    same_core = ((a["core"] == b["core"]) & (a["core"].str.len() >= 2)).fillna(False).to_numpy(bool)
    name_sim = np.maximum.reduce([_similarity(a["name_key"], b["name_key"]), _similarity(a["core"], b["core"]),
                                  _similarity(a["name_words"], b["name_words"], fuzz.token_sort_ratio)])
    name_part = np.select(
        [same_name, same_core, name_sim >= rules.close_name_at, name_sim >= rules.near_name_at,
         name_sim >= rules.loose_name_at],
        [rules.same_name, rules.same_core_name, rules.close_name, rules.near_name, rules.loose_name],
        default=rules.different_name)
    score += name_part
    other_place = (a["place"].notna() & b["place"].notna() & (a["place"] != b["place"])).fillna(False)
    score += np.where(other_place.to_numpy(bool), rules.other_place_in_name, 0.0)

    score += _agreement(a["phone"], b["phone"], rules.same_phone, rules.different_phone)
    score += _agreement(a["email"], b["email"], rules.same_email, rules.different_email)
    score += _agreement(a["province"], b["province"], rules.same_province, rules.different_province)

    both_address = (a["address"].notna() & b["address"].notna()).to_numpy(bool)
    if both_address.any():
        address_sim = _similarity(a["address"], b["address"])
        score += np.where(both_address & (address_sim >= 0.9), rules.close_address, 0.0)
        score += np.where(both_address & (address_sim < 0.6), rules.different_address, 0.0)

    for column in (c for c in features.columns if c.startswith("ev_")):
        both = (a[column].notna() & b[column].notna()).to_numpy(bool)
        equal = (a[column] == b[column]).fillna(False).to_numpy(bool)
        close = _similarity(a[column], b[column]) >= 0.8
        score += np.select([both & equal, both & close, both],
                           [rules.same_evidence, rules.close_evidence, rules.different_evidence], default=0.0)
    return score


def _agreement(a: pd.Series, b: pd.Series, same: float, different: float) -> np.ndarray:
    both = (a.notna() & b.notna()).to_numpy(bool)
    equal = (a == b).fillna(False).to_numpy(bool)
    return np.select([both & equal, both], [same, different], default=0.0)


def cluster_labels(features: pd.DataFrame, rules: MatchRules) -> np.ndarray:
    """A cluster number per row: rows with the same number are one customer."""
    count = len(features)
    if count == 0:
        return np.empty(0, dtype=np.int64)
    # One blocking rule at a time, keeping only the matches: memory stays bounded by the
    # largest rule's pairs instead of all candidate pairs at once.
    matched_parts = []
    for name, keyed in blocking_keys(features).items():
        pairs = block_pairs(keyed, rules.max_typo_block if name == TYPO_RULE else rules.max_block)
        if len(pairs):
            matched_parts.append(pairs[score_pairs(features, pairs, rules) >= rules.threshold])
    matched = (pd.concat(matched_parts, ignore_index=True).drop_duplicates(ignore_index=True) if matched_parts
               else pd.DataFrame({"row_a": pd.Series(dtype="int64"), "row_b": pd.Series(dtype="int64")}))
    graph = coo_matrix((np.ones(len(matched)), (matched["row_a"].to_numpy(), matched["row_b"].to_numpy())),
                       shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    # Renumber by first appearance so labels follow input order.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(np.argsort(first))
    return order[labels]
