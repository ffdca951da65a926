"""Tests for custreport.ingest.fixes: fix counts per kind, remembered per row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custreport.ingest.fixes import MAX_KINDS_WITH_ROWS, SheetFixes, counted_by_region


def test_a_kind_made_on_several_columns_counts_every_cell_per_region():
    fixes = SheetFixes(pd.RangeIndex(3))
    fixes.add("dates parsed", pd.Series([True, True, False]))
    fixes.add("dates parsed", pd.Series([True, False, True]))
    regions = pd.Series(["east", "south", "east"], dtype="string")
    counts = counted_by_region("crm", fixes.kinds, fixes.bits, regions)
    assert dict(counts) == {("crm", "east", "dates parsed"): 3, ("crm", "south", "dates parsed"): 1}
    assert fixes.counts["dates parsed"] == 4


def test_fixes_past_the_bits_are_counted_without_rows():
    fixes = SheetFixes(pd.RangeIndex(2))
    for number in range(MAX_KINDS_WITH_ROWS + 1):
        fixes.add(f"fix {number}", pd.Series([True, False]))
    assert len(fixes.kinds) == MAX_KINDS_WITH_ROWS and fixes.counts[f"fix {MAX_KINDS_WITH_ROWS}"] == 1
    counts = counted_by_region("crm", fixes.kinds, fixes.bits, pd.Series(["east", "east"], dtype="string"))
    assert ("crm", "east", f"fix {MAX_KINDS_WITH_ROWS}") not in counts and counts[("crm", "east", "fix 0")] == 1


def test_a_mask_on_a_subset_of_rows_is_aligned_by_label():
    fixes = SheetFixes(pd.Index([5, 7, 9]))
    fixes.add("phones normalised", pd.Series([True], index=[9]))
    assert fixes.bits.tolist() == [0, 0, 1] and np.issubdtype(fixes.bits.dtype, np.unsignedinteger)
