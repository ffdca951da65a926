"""Which customer rows are the same customer: blocking, pairwise scoring, clustering.

1. Features per row: the normalised name key, the *core* key (the name key without a
   leading or trailing place name: 杭州华信科技 and 华信科技 share 华信科技), the place
   the name carries, phone, email, address, province and any declared evidence
   (``ev_*`` columns: date of birth, national id ...).
2. Exact keys, joined without any pairwise comparison (linear in the rows): rows with the
   same source customer id within one source; the same name key and the same phone or
   email; the same name key with nothing disagreeing (phone, email, address, province and
   evidence each have at most one value in the group).
3. Blocking: the remaining candidates share a name key, core key, phone, email, evidence
   value, or the core key less one character (so one typo apart); within a key, each group
   already joined by step 2 is compared through one representative row. A block still larger
   than ``max_block`` (``max_typo_block`` for typo keys) is compared by sorted neighbourhood:
   its rows sorted by province, phone, email, name and address, each row against the next
   ``window`` rows. Nothing is skipped; the blocks so compared are counted in
   :class:`MatchReport` so ingest can say so with its remedy.
4. Scoring: weighted agreement (Fellegi-Sunter in spirit, weights fixed and stated in
   :class:`MatchRules`); a pair whose score reaches the threshold is a match.
5. Clustering: exact joins and matches are joined into connected components; each is one customer.

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
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowExtensionArray
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
    shared_name_word: float = 0.0   # otherwise different names sharing a word (a person's surname or given name)
    shared_word_min: int = 3        # shortest word that counts
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
    max_block: int = 200            # larger blocks are compared by sorted neighbourhood, not all pairs
    max_typo_block: int = 20        # one-typo blocks: only small ones are specific enough
    window: int = 20                # sorted-neighbourhood window of a block over its limit


@dataclass(frozen=True)
class MatchReport:
    """What matching could not compare pair by pair: blocks over their limit, compared by
    sorted neighbourhood (``windowed_rows`` rows in ``windowed_blocks`` blocks, per rule)."""

    windowed_blocks: dict[str, int]
    windowed_rows: dict[str, int]


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
        # A source's own customer id is exact evidence within that source only.
        "source_id": (column("source").fillna("") + "\x1f" + column("source_customer_id")
                      if "source_customer_id" in rows else column("source_customer_id")),
    })
    for column in rows.columns:
        if column.startswith("ev_"):
            features[column] = rows[column].astype("string")
    return features.reset_index(drop=True)


def _fold(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.normalize("NFKC").str.lower()
    return text.str.replace(f"[{WS_CHARS},，。.#\\-]+", "", regex=True).replace("", pd.NA)


TYPO_RULE = "core_one_typo"
# A key of n characters has n variants of n - 1 characters: the square of its length. Names
# are far shorter (a long Latin company name normalises to about 60); a pasted paragraph of
# 30,000 characters would make 900 million. Longer keys give only themselves.
TYPO_KEY_MAX_LENGTH = 100


def deletion_keys(keys: pd.Series, min_length: int = 4, unique: bool = True,
                  max_length: int = TYPO_KEY_MAX_LENGTH) -> pd.DataFrame:
    """Each key itself and with one character removed, one row per (row, variant); with
    ``unique=False`` a variant may repeat for a row (华信信息 loses either 信 the same way).
    Keys longer than ``max_length`` give no variants (see TYPO_KEY_MAX_LENGTH).

    Two names one typo apart (a character changed, dropped or added) share a variant,
    and the variants are as specific as the names themselves, so blocks stay small.

    >>> deletion_keys(pd.Series(["华信科技"]))["key"].tolist()
    ['华信科技', '信科技', '华科技', '华信技', '华信科']
    >>> deletion_keys(pd.Series(["华信科技"]), max_length=3)["key"].tolist()
    ['华信科技']
    """
    frame = pd.DataFrame({"text": keys.astype("string").to_numpy(), "row": np.arange(len(keys))}).dropna()
    lengths = frame["text"].str.len().to_numpy(dtype=np.int64)
    frame, lengths = frame[lengths >= min_length], lengths[lengths >= min_length]
    parts = [pd.DataFrame({"key": frame["text"].to_numpy(), "row": frame["row"].to_numpy()})]
    typo_lengths = np.where(lengths <= max_length, lengths, 0)
    for position in range(int(typo_lengths.max()) if len(frame) else 0):
        long_enough = frame[typo_lengths > position]
        variant = long_enough["text"].str.slice(0, position) + long_enough["text"].str.slice(position + 1)
        parts.append(pd.DataFrame({"key": variant.to_numpy(), "row": long_enough["row"].to_numpy()}))
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
        # A name of digits only is an id (an orders-only export's customer number): one digit
        # apart is another id, not a typo.
        TYPO_RULE: deletion_keys(core.mask(core.str.fullmatch(r"[0-9]+").fillna(False)), min_length=5),
    }
    for column in features.columns:
        if column.startswith("ev_"):
            keys[column] = single(features[column])
    return keys


def block_pairs(keyed: pd.DataFrame, max_block: int, window: int = 0,
                order: pd.DataFrame | None = None) -> pd.DataFrame:
    """Row pairs (i < j) sharing a key. Blocks of at most ``max_block`` rows give all their
    pairs; a larger block gives each row with its next ``window`` rows once sorted by
    ``order`` (columns aligned with the row numbers; without ``window`` it gives none).

    >>> keyed = pd.DataFrame({"key": ["a"] * 4, "row": [0, 1, 2, 3]})
    >>> len(block_pairs(keyed, max_block=10)), len(block_pairs(keyed, max_block=3, window=1))
    (6, 3)
    """
    sizes = keyed.groupby("key")["row"].transform("size")
    small = keyed[(sizes >= 2) & (sizes <= max_block)]
    parts = []
    if len(small):
        joined = small.merge(small, on="key", suffixes=("_a", "_b"))
        parts.append(joined.loc[joined["row_a"] < joined["row_b"], ["row_a", "row_b"]])
    large = keyed[sizes > max_block]
    if window > 0 and len(large):
        parts.append(_window_pairs(large, window, order))
    if not parts:
        return pd.DataFrame({"row_a": pd.Series(dtype="int64"), "row_b": pd.Series(dtype="int64")})
    pairs = pd.concat(parts, ignore_index=True)
    low = np.minimum(pairs["row_a"].to_numpy(), pairs["row_b"].to_numpy()).astype(np.int64)
    high = np.maximum(pairs["row_a"].to_numpy(), pairs["row_b"].to_numpy()).astype(np.int64)
    # Each pair as one integer, its first occurrences kept in order (as drop_duplicates does,
    # in a fraction of the time for tens of millions of pairs).
    span = int(high.max()) + 1 if len(high) else 1
    kept = pd.unique(low * span + high)
    return pd.DataFrame({"row_a": kept // span, "row_b": kept % span})


def _window_pairs(keyed: pd.DataFrame, window: int, order: pd.DataFrame | None) -> pd.DataFrame:
    """Sorted neighbourhood within each key: each row with its next ``window`` rows."""
    frame = keyed.reset_index(drop=True)
    sort_by = ["key"]
    if order is not None:
        for column in order.columns:
            # The rank of each text (missing as ""): sorting integers orders rows as their texts would.
            frame[f"_o_{column}"] = _text_ranks(order[column])[frame["row"].to_numpy()]
            sort_by.append(f"_o_{column}")
    frame = frame.sort_values([*sort_by, "row"], kind="stable", ignore_index=True)
    keys = frame["key"].to_numpy()
    rows = frame["row"].to_numpy()
    parts = []
    for step in range(1, window + 1):
        same = keys[step:] == keys[:-step]
        parts.append(pd.DataFrame({"row_a": rows[:-step][same], "row_b": rows[step:][same]}))
    return pd.concat(parts, ignore_index=True)


def _text_ranks(values: pd.Series) -> np.ndarray:
    """Dense rank of each text, missing ones as the empty text, in the order Python sorts them
    (code points: Arrow sorts UTF-8 bytes, which order the same)."""
    if values.dtype == "string" and isinstance(values.array, ArrowExtensionArray):
        texts = pa.array(values.array).fill_null("")
    else:
        texts = pa.array(values.fillna("").astype(str).tolist(), type=pa.large_string())
    return pc.rank(texts, sort_keys="ascending", tiebreaker="dense").to_numpy(zero_copy_only=False).astype(np.int64)


SCORE_SLICE = 250_000   # candidate pairs scored at once

# Sorted-neighbourhood order of an oversized block: rows agreeing on these end up side by side.
_WINDOW_ORDER = ["province", "phone", "email", "name_words", "address"]


def _similarity_where(wanted: np.ndarray, codes: FeatureCodes, rows_a: np.ndarray, rows_b: np.ndarray,
                      scorers: list, enough: float | None = None) -> np.ndarray:
    """The largest of the (column, scorer) similarities of each pair ``wanted`` (its feature rows
    in ``rows_a`` and ``rows_b``); 0 elsewhere. Of the scorer's own type (float32): thresholds
    compare as they always did. A pair reaching ``enough`` is not scored further (its largest
    may be higher: only thresholds up to ``enough`` may be asked of it)."""
    rows = np.flatnonzero(wanted)
    similarity = np.zeros(len(wanted), dtype=np.float32)
    for column, scorer in scorers:
        if not len(rows):
            break
        found = _similarity(codes.texts(column, rows_a[rows]), codes.texts(column, rows_b[rows]), scorer)
        similarity[rows] = np.maximum(similarity[rows], found)
        if enough is not None:   # a pair this similar already gets the most a similarity gives
            rows = rows[similarity[rows] < enough]
    return similarity


def _similarity(left: list[str], right: list[str], scorer) -> np.ndarray:
    if not left:
        return np.empty(0)
    return process.cpdist(left, right, scorer=scorer, workers=-1).astype(np.float32) / np.float32(100.0)


class FeatureCodes:
    """The feature columns as integer codes (-1 missing; equal codes, equal texts), so pairs are
    compared on integers; the texts a similarity needs are gathered from each column's
    distinct texts, made Python strings once (not once per pair they are in)."""

    def __init__(self, features: pd.DataFrame):
        self.codes: dict[str, np.ndarray] = {}
        self._uniques: dict[str, pd.Index] = {}
        self._texts: dict[str, np.ndarray] = {}
        for column in features.columns:
            self.codes[column], self._uniques[column] = pd.factorize(features[column].astype("string"),
                                                                     use_na_sentinel=True)
        self.core_length = features["core"].str.len().fillna(0).to_numpy(dtype=np.int64)

    def texts(self, column: str, rows: np.ndarray) -> list[str]:
        """The texts of ``column`` in ``rows``, missing ones empty."""
        if column not in self._texts:
            distinct = pa.array(pd.Series(self._uniques[column], dtype="string").array)
            self._texts[column] = np.array([*distinct.to_pylist(), ""], dtype=object)   # -1: the empty text last
        return self._texts[column][self.codes[column][rows]].tolist()


def score_pairs(features: pd.DataFrame, pairs: pd.DataFrame, rules: MatchRules,
                codes: FeatureCodes | None = None) -> np.ndarray:
    """The match score of every candidate pair (higher = more likely one customer); ``codes``:
    FeatureCodes of ``features``, when the caller scores several slices."""
    codes = FeatureCodes(features) if codes is None else codes
    rows_a, rows_b = pairs["row_a"].to_numpy(), pairs["row_b"].to_numpy()

    def known_and_equal(column: str) -> tuple[np.ndarray, np.ndarray]:
        left, right = codes.codes[column][rows_a], codes.codes[column][rows_b]
        return (left >= 0) & (right >= 0), (left == right) & (left >= 0)

    score = np.zeros(len(pairs))
    _, same_name = known_and_equal("name_key")
    _, same_core = known_and_equal("core")
    same_core &= codes.core_length[rows_a] >= 2
    # Similarities decide only where neither the name nor its core is the same, and an address's
    # or evidence's only where both are known: the rest are not computed (most pairs of a name
    # or core block share it).
    name_sim = _similarity_where(~(same_name | same_core), codes, rows_a, rows_b,
                                 [("name_key", fuzz.ratio), ("core", fuzz.ratio), ("name_words", fuzz.token_sort_ratio)],
                                 enough=max(rules.close_name_at, rules.near_name_at, rules.loose_name_at))
    name_part = np.select(
        [same_name, same_core, name_sim >= rules.close_name_at, name_sim >= rules.near_name_at,
         name_sim >= rules.loose_name_at],
        [rules.same_name, rules.same_core_name, rules.close_name, rules.near_name, rules.loose_name],
        default=rules.different_name)
    unlike = np.flatnonzero(name_part == rules.different_name)
    if len(unlike):
        words = features["name_words"]
        shared = _share_a_word(words.iloc[rows_a[unlike]], words.iloc[rows_b[unlike]], rules.shared_word_min)
        name_part[unlike[shared]] = rules.shared_name_word
    score += name_part
    both_place, same_place = known_and_equal("place")
    score += np.where(both_place & ~same_place, rules.other_place_in_name, 0.0)

    for column, same, different in (("phone", rules.same_phone, rules.different_phone),
                                    ("email", rules.same_email, rules.different_email),
                                    ("province", rules.same_province, rules.different_province)):
        both, equal = known_and_equal(column)
        score += np.select([both & equal, both], [same, different], default=0.0)

    both_address, _ = known_and_equal("address")
    if both_address.any():
        address_sim = _similarity_where(both_address, codes, rows_a, rows_b, [("address", fuzz.ratio)])
        score += np.where(both_address & (address_sim >= 0.9), rules.close_address, 0.0)
        score += np.where(both_address & (address_sim < 0.6), rules.different_address, 0.0)

    for column in (c for c in features.columns if c.startswith("ev_")):
        both, equal = known_and_equal(column)
        close = _similarity_where(both & ~equal, codes, rows_a, rows_b, [(column, fuzz.ratio)]) >= 0.8
        score += np.select([both & equal, both & close, both],
                           [rules.same_evidence, rules.close_evidence, rules.different_evidence], default=0.0)
    return score


def _share_a_word(a: pd.Series, b: pd.Series, min_length: int) -> np.ndarray:
    """Whether each pair of names has a word of ``min_length`` characters or more in common
    (``mary smith`` and ``jane smith``; a one-word name counts as its only word)."""
    def words(text) -> set[str]:
        return {w for w in str(text).split() if len(w) >= min_length} if isinstance(text, str) else set()
    return np.array([bool(words(x) & words(y)) for x, y in zip(a.tolist(), b.tolist())], dtype=bool)


def exact_links(features: pd.DataFrame) -> pd.DataFrame:
    """Row pairs that are one customer by an exact key, without pairwise scoring: linear in the
    rows (each group is chained to its first row). The keys: the same source customer id
    within a source; the same name key with the same phone, or email; the same name key
    with nothing disagreeing (at most one phone, email, address, province and evidence value
    each in the group, so every pair in it scores at least ``same_name``).

    >>> features = match_features(pd.DataFrame({"name_key": ["华信", "华信", "华信", "金鼎"],
    ...     "phone": ["1", "1", "2", None], "province": ["浙江", "四川", "浙江", None]}), frozenset())
    >>> exact_links(features).values.tolist()
    [[0, 1]]
    """
    parts = [_chain(features, ["source_id"]), _chain(features, ["name_key", "phone"]),
             _chain(features, ["name_key", "email"])]
    named = features[features["name_key"].notna()]
    if len(named):
        # Two source ids within one source under one name are two records the source keeps
        # apart: left to scoring, like any other disagreement.
        checked = ["phone", "email", "address", "province", "source_id",
                   *(c for c in features.columns if c.startswith("ev_"))]
        distinct = named.groupby("name_key", sort=False)[checked].nunique()
        agreeing = distinct.index[(distinct <= 1).all(axis=1).to_numpy()]
        parts.append(_chain(features, ["name_key"], within=ids_in_keys(features["name_key"], agreeing)))
    return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)


def ids_in_keys(values: pd.Series, keys: pd.Index) -> np.ndarray:
    """Mask of ``values`` found in ``keys`` (missing values never are)."""
    if values.dtype == "string" and isinstance(values.array, ArrowExtensionArray):
        # Arrow's hash lookup: pandas hands Arrow strings to isin as Python objects.
        return pc.fill_null(pc.is_in(pa.array(values.array), value_set=pa.array(pd.Series(keys, dtype="string").array)),
                            False).to_numpy(zero_copy_only=False)
    return values.isin(keys).fillna(False).to_numpy(bool)


def _chain(features: pd.DataFrame, columns: list[str], within: np.ndarray | None = None) -> pd.DataFrame:
    """Each row (of those ``within``) with a value in every one of ``columns`` paired with the
    first row of its group; rows are numbered by position in ``features``."""
    known = features[columns].notna().all(axis=1).to_numpy(bool)
    if within is not None:
        known = known & within
    frame = features.loc[known, columns]
    if frame.empty:
        return pd.DataFrame({"row_a": pd.Series(dtype="int64"), "row_b": pd.Series(dtype="int64")})
    rows = np.flatnonzero(known)
    first = pd.Series(rows).groupby(frame.groupby(columns, sort=False).ngroup().to_numpy()).transform("first")
    linked = first.to_numpy() != rows
    return pd.DataFrame({"row_a": first.to_numpy()[linked], "row_b": rows[linked]})


def _components(count: int, links: list[pd.DataFrame]) -> np.ndarray:
    pairs = pd.concat(links, ignore_index=True) if links else pd.DataFrame({"row_a": [], "row_b": []})
    graph = coo_matrix((np.ones(len(pairs)), (pairs["row_a"].to_numpy(np.int64), pairs["row_b"].to_numpy(np.int64))),
                       shape=(count, count))
    return connected_components(graph, directed=False)[1]


def cluster_labels(features: pd.DataFrame, rules: MatchRules) -> np.ndarray:
    """A cluster number per row: rows with the same number are one customer."""
    return match_clusters(features, rules)[0]


def match_clusters(features: pd.DataFrame, rules: MatchRules) -> tuple[np.ndarray, MatchReport]:
    """Cluster numbers as :func:`cluster_labels`, with the report of blocks compared by window.

    >>> rows = pd.DataFrame({"name_key": ["华信"] * 1000, "phone": [None] * 1000})
    >>> labels, report = match_clusters(match_features(rows, frozenset()), MatchRules())
    >>> len(set(labels)), report.windowed_rows
    (1, {})
    """
    count = len(features)
    report = MatchReport({}, {})
    if count == 0:
        return np.empty(0, dtype=np.int64), report
    exact = exact_links(features)
    joined = _components(count, [exact])
    order = features[_WINDOW_ORDER]
    codes = FeatureCodes(features)
    # One blocking rule at a time, keeping only the matches: memory stays bounded by the
    # largest rule's pairs instead of all candidate pairs at once.
    matched_parts = [exact]
    for name, keyed in blocking_keys(features).items():
        limit = rules.max_typo_block if name == TYPO_RULE else rules.max_block
        # Keys as integers: grouped, joined and sorted far faster than millions of texts (only
        # rows sharing a key pair up, so the keys' order makes no difference).
        keyed = pd.DataFrame({"key": pd.factorize(keyed["key"])[0], "row": keyed["row"].to_numpy()})
        # In a block over the limit, a group joined already is one candidate: its first row.
        # (Smaller blocks compare every row: another member may carry the agreeing evidence.)
        over_limit = (keyed.groupby("key")["row"].transform("size") > limit).to_numpy(bool)
        if over_limit.any():
            repeated = pd.Series(False, index=keyed.index)
            repeated[over_limit] = pd.DataFrame({"key": keyed["key"].to_numpy()[over_limit],
                                                 "group": joined[keyed["row"].to_numpy()[over_limit]]}
                                                ).duplicated().to_numpy()
            keyed = keyed[~repeated.to_numpy()]
        sizes = keyed.groupby("key")["row"].size()
        over = sizes[sizes > limit]
        if len(over):
            report.windowed_blocks[name] = int(len(over))
            report.windowed_rows[name] = int(over.sum())
        pairs = block_pairs(keyed, limit, rules.window, order)
        if len(pairs):
            pairs = pairs[joined[pairs["row_a"].to_numpy()] != joined[pairs["row_b"].to_numpy()]]
        if len(pairs):
            # Scored in slices: the two rows of each pair are copied for scoring, and a
            # neighbourhood over tens of thousands of rows gives millions of pairs.
            matched = pd.concat([part[score_pairs(features, part, rules, codes) >= rules.threshold]
                                 for part in (pairs.iloc[start:start + SCORE_SLICE]
                                              for start in range(0, len(pairs), SCORE_SLICE))], ignore_index=True)
            if len(matched):
                matched_parts.append(matched)
                # Later rules see the groups joined so far as one candidate each.
                joined = _components(count, matched_parts)
    labels = _components(count, matched_parts)
    # Renumber by first appearance so labels follow input order.
    _, first = np.unique(labels, return_index=True)
    order_of = np.argsort(np.argsort(first))
    return order_of[labels], report
