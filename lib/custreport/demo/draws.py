"""Random streams: one independent, seed-derived stream per component, and weighted draws from them."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np


def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per component, so editing one part of the
    generator does not reshuffle the data of the others."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _choice(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _categories(rng: np.random.Generator, n: int, spec: dict[str, float]) -> np.ndarray:
    """Per-row category labels drawn from ``{label: share}``."""
    labels = np.array(list(spec), dtype=object)
    return labels[_choice(rng, n, list(spec.values()))]
