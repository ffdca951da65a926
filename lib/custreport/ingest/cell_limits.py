"""Cells too long to be typed: longer than an Excel cell holds, names past NAME_LIMIT, and the
amount past which an order line is a typing or unit error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custreport.ingest.headers import CUSTOMER_NAME


EXCEL_CELL_LIMIT = 32_767
FREE_TEXT_COLUMNS = frozenset({"note"})
# The longest real names are about 100 characters (a Latin company name with its branch).
NAME_LIMIT = 1_000
NAME_COLUMNS = frozenset({"name", CUSTOMER_NAME})
# No order line reaches a trillion; larger amounts are typing or unit errors, and keeping
# them out keeps every sum of cents far inside int64.
AMOUNT_LIMIT = 1e12


def overlong_cells(raw: pd.DataFrame) -> dict[str, pd.Series]:
    """Per column, the rows whose cell is longer than an Excel cell can hold.

    Such a value was pasted or generated, not typed; carried on it would bloat every
    report and workbook that shows it.
    """
    overlong = {}
    for name in raw.columns:
        # A character is at most four bytes: only cells over the limit in bytes are counted.
        candidates = raw[name][_byte_lengths(raw[name]) > EXCEL_CELL_LIMIT]
        if len(candidates):
            longer = candidates.str.len().gt(EXCEL_CELL_LIMIT).fillna(False).astype(bool)
            if longer.any():
                overlong[name] = pd.Series(raw.index.isin(longer.index[longer]), index=raw.index)
    return overlong


def overlong_names(raw: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Per name column, the rows whose name is longer than NAME_LIMIT and the reason for each
    ("name is 30,000 characters; longer than 1,000 ..."). Names are matched and shown
    everywhere; one that long was pasted or generated and would only slow matching."""
    overlong = {}
    for name in sorted(NAME_COLUMNS & set(raw.columns)):
        lengths = raw[name].str.len()
        longer = lengths.gt(NAME_LIMIT).fillna(False).astype(bool)
        if longer.any():
            reason = (f"{name} is " + lengths[longer].map("{:,}".format)
                      + f" characters; longer than {NAME_LIMIT:,}: not a typed name")
            overlong[name] = (longer, reason.astype("string"))
    return overlong


def _byte_lengths(values: pd.Series) -> np.ndarray:
    """UTF-8 length in bytes of each text (0 when missing), read off Arrow's offsets."""
    lengths = pc.binary_length(pa.array(values.astype("string"), type=pa.large_string()))
    return lengths.fill_null(0).to_numpy(zero_copy_only=False)
