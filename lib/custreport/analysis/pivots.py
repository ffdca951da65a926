"""Pivot summaries with totals, the way an Excel pivot table shows them.

>>> frame = pd.DataFrame({"province": ["浙江", "浙江", "上海"], "customer_type": ["active", "prospect", "active"]})
>>> int(count_pivot(frame, "province", "customer_type", total_label="合计").loc["合计", "合计"])
3
"""

from __future__ import annotations

import pandas as pd


def count_pivot(frame: pd.DataFrame, index: str, columns: str, total_label: str = "Total",
                column_order: list[str] | None = None, missing_label: str = "—") -> pd.DataFrame:
    """Row counts by ``index`` x ``columns`` with a total row and column (missing keys kept as their own row)."""
    keys = frame[[index, columns]].astype("string").fillna(missing_label)
    table = pd.crosstab(keys[index], keys[columns])
    if column_order:
        table = table.reindex(columns=[c for c in column_order if c in table.columns]
                              + [c for c in table.columns if c not in column_order], fill_value=0)
    table = table.sort_values(by=list(table.columns), ascending=False) if len(table.columns) else table
    table[total_label] = table.sum(axis=1)
    table = table.sort_values(total_label, ascending=False, kind="stable")
    table.loc[total_label] = table.sum(axis=0)
    table.index.name = index
    table.columns.name = None
    return table.astype("int64")
