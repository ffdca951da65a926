"""The demo's calendar (2023-01-01..2025-12-31): each day's date in every typed layout, and business-day sampling."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


_FIRST_DAY = dt.date(2023, 1, 1)
_LAST_DAY = dt.date(2025, 12, 31)
_N_DAYS = (_LAST_DAY - _FIRST_DAY).days + 1
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Monthly demand: Spring Festival slump in February, year-end budget rush.
_MONTH_FACTORS = (0.95, 0.6, 1.05, 1.0, 1.0, 1.1, 0.95, 0.95, 1.05, 0.95, 1.15, 1.3)


@dataclass(frozen=True)
class _Calendar:
    dates: tuple[dt.date, ...]
    iso: tuple[str, ...]  # 2024-03-05
    slash: tuple[str, ...]  # 2024/3/5
    chinese: tuple[str, ...]  # 2024年3月5日
    compact: tuple[str, ...]  # 20240305
    us: tuple[str, ...]  # 3/5/2024
    excel_serial: np.ndarray
    business_cum_weight: np.ndarray  # cumulative day weights, length _N_DAYS + 1


@lru_cache(maxsize=1)
def _calendar() -> _Calendar:
    dates = tuple(_FIRST_DAY + dt.timedelta(days=i) for i in range(_N_DAYS))
    weights = np.array(
        [
            # Business grows ~25% a year; weekends see little B2B activity.
            (1.0 + 0.25 * (d.year - _FIRST_DAY.year + (d.month - 1) / 12))
            * _MONTH_FACTORS[d.month - 1]
            * (0.3 if d.weekday() >= 5 else 1.0)
            for d in dates
        ]
    )
    return _Calendar(
        dates=dates,
        iso=tuple(d.isoformat() for d in dates),
        slash=tuple(f"{d.year}/{d.month}/{d.day}" for d in dates),
        chinese=tuple(f"{d.year}年{d.month}月{d.day}日" for d in dates),
        compact=tuple(d.strftime("%Y%m%d") for d in dates),
        us=tuple(f"{d.month}/{d.day}/{d.year}" for d in dates),
        excel_serial=np.array([(d - _EXCEL_EPOCH).days for d in dates], dtype=np.int64),
        business_cum_weight=np.concatenate([[0.0], np.cumsum(weights)]),
    )


def _sample_business_days(rng: np.random.Generator, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Draw one day per (first, last) window, following the business-day weights."""
    cum = _calendar().business_cum_weight
    lo = cum[first]
    hi = cum[last + 1]
    target = lo + rng.random(first.shape[0]) * (hi - lo)
    days = np.searchsorted(cum, target, side="right") - 1
    return np.clip(days, first, last).astype(np.int32)
