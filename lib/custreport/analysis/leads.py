"""The lead funnel: leads of a period, the deals they became and the deals won, by lead source or month.

A lead counts in the period its first contact (``created_at``) falls in. What became of it is
read as of the period's end, so a report of a past period says the same whenever it is run:

- converted: it has a deal created by the period end (or undated), or it names a deal the data
  does not hold, or its status says converted, or it was converted by the period end;
- won: its deal was won (closed) by the period end; won value is that deal's amount;
- disqualified: its status says so and it was never converted.

Conversions: lead → deal = converted / leads; deal → won = won / converted; lead → won =
won / leads (None when the denominator is 0).

>>> leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3"], "lead_source": ["web", "web", "fair"],
...     "created_at": pd.to_datetime(["2024-07-02", "2024-07-09", "2024-08-01"]),
...     "status": ["converted", "open", "disqualified"], "converted_at": pd.NaT, "deal_id": ["D1", None, None]})
>>> deals = pd.DataFrame({"deal_id": ["D1"], "outcome": ["won"], "amount": [900.0],
...     "created_at": pd.to_datetime(["2024-07-20"]), "closed_at": pd.to_datetime(["2024-09-01"])})
>>> lead_funnel(leads, deals, pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"))[
...     ["lead_source", "leads", "converted", "won", "lead_to_won"]].values.tolist()
[['web', 2, 1, 1, 0.5], ['fair', 1, 0, 0, 0.0], ['Total', 3, 1, 1, 0.3333]]
"""

from __future__ import annotations

import pandas as pd

from custreport.analysis.funnel import MISSING_GROUP

FUNNEL_COLUMNS = ("leads", "converted", "won", "disqualified", "won_value",
                  "lead_to_deal", "deal_to_won", "lead_to_won")


def lead_outcomes(leads: pd.DataFrame, deals: pd.DataFrame, end_exclusive: pd.Timestamp) -> pd.DataFrame:
    """``leads`` with ``converted``, ``won``, ``disqualified`` (booleans) and ``won_value`` as of
    ``end_exclusive`` (see the module docstring)."""
    deal_columns = ["deal_id", "outcome", "amount", "created_at", "closed_at"]
    known = deals[deal_columns].drop_duplicates("deal_id").rename(
        columns={"created_at": "deal_created_at", "closed_at": "deal_closed_at"})
    joined = leads.merge(known, on="deal_id", how="left")
    in_data = joined["outcome"].notna()
    deal_by_end = in_data & (joined["deal_created_at"].lt(end_exclusive) | joined["deal_created_at"].isna())
    # A deal named but not exported: the lead was converted (when, its converted date says).
    deal_elsewhere = joined["deal_id"].notna() & ~in_data
    converted_date_ok = joined["converted_at"].lt(end_exclusive) | joined["converted_at"].isna()
    stated = (joined["status"] == "converted").fillna(False) | joined["converted_at"].notna()
    converted = (deal_by_end | ((deal_elsewhere | stated) & ~in_data & converted_date_ok)).fillna(False)
    won = (converted & (joined["outcome"] == "won") & joined["deal_closed_at"].lt(end_exclusive)).fillna(False)
    disqualified = ((joined["status"] == "disqualified") & ~converted).fillna(False)
    return leads.assign(converted=converted.to_numpy(dtype=bool), won=won.to_numpy(dtype=bool),
                        disqualified=disqualified.to_numpy(dtype=bool),
                        won_value=joined["amount"].where(won, 0.0).fillna(0.0).to_numpy(dtype=float))


def lead_funnel(leads: pd.DataFrame, deals: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp,
                by: str = "lead_source", total_label: str = "Total", missing: str = MISSING_GROUP,
                order: list | None = None) -> pd.DataFrame:
    """Leads first contacted in [start, end_exclusive) per value of ``by`` (lead source, owner,
    region, or ``month`` of first contact), what they became by the end, and a total row.

    Rows run by leads, most first (``order`` fixes them instead, e.g. every month of the
    period, empty ones included); leads without a value of ``by`` form the ``missing`` row, last.
    """
    dated = leads[leads["created_at"].ge(start) & leads["created_at"].lt(end_exclusive)]
    outcomes = lead_outcomes(dated, deals, end_exclusive)
    if by == "month":
        keys = outcomes["created_at"].dt.to_period("M").astype(str).astype("string")
    else:
        keys = outcomes[by].astype("string").fillna(missing)
    counts = outcomes.assign(_key=keys.to_numpy(), leads=1).groupby("_key", sort=False)[
        ["leads", "converted", "won", "disqualified", "won_value"]].sum()
    if order is not None:
        counts = counts.reindex([str(key) for key in order], fill_value=0)
    else:
        counts = counts.assign(_missing=counts.index == missing).sort_values(
            ["_missing", "leads"], ascending=[True, False], kind="stable").drop(columns="_missing")
    counts.loc[total_label] = counts.sum() if len(counts) else 0
    table = counts.rename_axis(by).reset_index().astype(
        {by: "string", "leads": "int64", "converted": "int64", "won": "int64", "disqualified": "int64",
         "won_value": "float64"})
    return table.assign(lead_to_deal=_rate(table["converted"], table["leads"]),
                        deal_to_won=_rate(table["won"], table["converted"]),
                        lead_to_won=_rate(table["won"], table["leads"]))


def lead_totals(leads: pd.DataFrame, deals: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> dict:
    """The total row of ``lead_funnel`` as a plain dict (for metrics.json).

    >>> lead_totals(pd.DataFrame(columns=["lead_id", "created_at", "status", "converted_at", "deal_id"]),
    ...             pd.DataFrame(columns=["deal_id", "outcome", "amount", "created_at", "closed_at"]),
    ...             pd.Timestamp("2024-01-01"), pd.Timestamp("2024-04-01"))["lead_to_deal"] is None
    True
    """
    row = lead_funnel(leads.assign(_all="all"), deals, start, end_exclusive, by="_all").iloc[-1]
    return {key: (None if pd.isna(row[key]) else (int(row[key]) if key in ("leads", "converted", "won", "disqualified")
                                                  else round(float(row[key]), 4 if "_to_" in key else 2)))
            for key in FUNNEL_COLUMNS}


def _rate(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole > 0)).round(4).astype("Float64")
