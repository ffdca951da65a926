"""The fixes ingest makes while standardising a sheet: counted per kind, and remembered per row
so that, once each row's region is known, they can be counted per region as well.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

# Bits of one row's fix flags, one per fix made on some row (a kind made on several columns,
# like dates parsed, takes a bit per column): fixes past this many are counted without their
# rows (their region cannot be told). A sheet makes a dozen at most.
MAX_KINDS_WITH_ROWS = 32


class SheetFixes:
    """Fix counts of one sheet by kind, and per row a bit for each fix made on it; ``kinds``
    names the kind of each bit.

    >>> fixes = SheetFixes(pd.Index([10, 11, 12]))
    >>> fixes.add("dates parsed", pd.Series([True, False, True], index=[10, 11, 12]))
    >>> fixes.add("phones normalised", pd.Series([False, True, True], index=[10, 11, 12]))
    >>> fixes.add("dates parsed", pd.Series([True, False, False], index=[10, 11, 12]))
    >>> dict(fixes.counts), fixes.kinds, fixes.bits.tolist()
    ({'dates parsed': 3, 'phones normalised': 2}, ['dates parsed', 'phones normalised', 'dates parsed'], [5, 2, 3])
    """

    def __init__(self, index: pd.Index):
        self.index = index
        self.counts: Counter = Counter()
        self.kinds: list[str] = []
        self.bits = np.zeros(len(index), dtype=np.uint32)

    def add(self, kind: str, rows: pd.Series) -> None:
        """Count the rows of ``rows`` (a boolean mask over the sheet's rows) as fixed by ``kind``."""
        mask = rows if rows.index is self.index or rows.index.equals(self.index) else \
            rows.reindex(self.index, fill_value=False)
        flags = mask.fillna(False).to_numpy(dtype=bool)
        count = int(flags.sum())
        self.counts[kind] += count
        if not count or len(self.kinds) == MAX_KINDS_WITH_ROWS:
            return
        self.bits[flags] |= np.uint32(1 << len(self.kinds))
        self.kinds.append(kind)


def counted_by_region(source: str, kinds: list[str], bits: np.ndarray, regions: pd.Series) -> Counter:
    """Fixes per (source, region, kind) of rows with ``bits`` (SheetFixes.bits, ``kinds`` the kind
    of each bit) and ``regions`` (a region code per row, NA where it cannot be told).

    >>> counted_by_region("crm", ["dates parsed", "phones normalised"], np.array([1, 3, 2], dtype=np.uint32),
    ...                   pd.Series(["east", "south", None], dtype="string"))[("crm", "east", "dates parsed")]
    1
    """
    counts: Counter = Counter()
    if not kinds or not len(bits):
        return counts
    codes, names = pd.factorize(regions.astype("string"), use_na_sentinel=True)
    codes = np.where(codes < 0, len(names), codes)   # NA last
    labels = [*names.tolist(), None]
    for position, kind in enumerate(kinds):
        fixed = (bits >> np.uint32(position)) & np.uint32(1) == 1
        for code, count in enumerate(np.bincount(codes[fixed], minlength=len(labels))):
            if count:
                counts[(source, labels[code], kind)] += int(count)
    return counts
