"""Deal outcomes in a period: won, lost, open, win rate, won value, pipeline value, cycle time.

- won / lost: deals closed in the period with that outcome;
- win rate: won / (won + lost), None when nothing closed;
- open: deals created on or before the period end that were not closed by then;
- pipeline value: the amount of those open deals, None when none of them has an amount (CRMs
  export early deals without one: 0 would read as an empty pipeline); ``open_without_amount``
  counts the open deals the pipeline value leaves out; won value: amount of the won deals;
- median cycle days: created -> closed for the deals won in the period.

>>> deals = pd.DataFrame({"outcome": ["won", "lost", "open"], "amount": [100.0, 50.0, 70.0],
...     "created_at": pd.to_datetime(["2024-06-01", "2024-07-01", "2024-08-01"]),
...     "closed_at": pd.to_datetime(["2024-07-11", "2024-08-01", None])})
>>> deal_totals(deals, pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"))["win_rate"]
0.5
"""

from __future__ import annotations

import pandas as pd


# What deal_totals reads of a deal.
TOTAL_COLUMNS = ["outcome", "amount", "created_at", "closed_at"]


def deal_totals(deals: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> dict:
    deals = deals[TOTAL_COLUMNS]   # its filters then copy these columns only, not every column of the deals
    closed_in = deals["closed_at"].ge(start) & deals["closed_at"].lt(end_exclusive)
    won = deals[closed_in & (deals["outcome"] == "won")]
    lost = deals[closed_in & (deals["outcome"] == "lost")]
    created_by_end = deals["created_at"].lt(end_exclusive) | deals["created_at"].isna()  # undated: already there
    still_open = (deals["outcome"] == "open") | deals["closed_at"].ge(end_exclusive)
    open_deals = deals[created_by_end & still_open]
    priced = open_deals["amount"].notna()
    decided = len(won) + len(lost)
    cycle = (won["closed_at"] - won["created_at"]).dt.days
    return {
        "won": int(len(won)),
        "lost": int(len(lost)),
        "open": int(len(open_deals)),
        "win_rate": round(len(won) / decided, 4) if decided else None,
        "won_value": round(float(won["amount"].sum()), 2),
        "pipeline_value": round(float(open_deals["amount"].sum()), 2) if priced.any() or open_deals.empty else None,
        "open_without_amount": int((~priced).sum()),
        "median_cycle_days": float(cycle.median()) if len(cycle.dropna()) else None,
    }


def won_value_by_month(deals: pd.DataFrame, months: list[pd.Period]) -> pd.DataFrame:
    """Won value and deals won per calendar month of their close date, zero-filled: the revenue
    trend of a business whose revenue is its won deals.

    >>> deals = pd.DataFrame({"outcome": ["won", "won", "lost"], "amount": [100.0, 50.0, 70.0],
    ...     "closed_at": pd.to_datetime(["2024-07-11", "2024-07-30", "2024-08-01"])})
    >>> won_value_by_month(deals, [pd.Period("2024-07", "M"), pd.Period("2024-08", "M")])["revenue"].tolist()
    [150.0, 0.0]
    """
    index = pd.PeriodIndex(months, freq="M", name="month")
    won = deals[(deals["outcome"] == "won").fillna(False) & deals["closed_at"].notna()]
    month = won["closed_at"].dt.to_period("M")
    revenue = won["amount"].fillna(0.0).groupby(month).sum().reindex(index, fill_value=0.0)
    count = month.value_counts().reindex(index, fill_value=0)
    return pd.DataFrame({"month": index, "revenue": revenue.to_numpy(dtype="float64"),
                         "deals": count.to_numpy(dtype="int64")})


def won_deal_lines(deals: pd.DataFrame) -> pd.DataFrame:
    """The won deals with a close date as order lines: a deal won is a completed sale of its
    amount, by its customer, on its close date (order_id = deal_id).

    >>> deals = pd.DataFrame({"deal_id": ["D1", "D2"], "customer_id": ["A", "B"], "amount": [100.0, 50.0],
    ...     "outcome": ["won", "lost"], "closed_at": pd.to_datetime(["2024-07-11", "2024-08-01"])})
    >>> won_deal_lines(deals)[["order_id", "customer_id", "amount", "status"]].values.tolist()
    [['D1', 'A', 100.0, 'completed']]
    """
    won = deals[(deals["outcome"] == "won").fillna(False) & deals["closed_at"].notna()]
    return pd.DataFrame({"order_id": won["deal_id"].astype("string"), "customer_id": won["customer_id"],
                         "order_date": won["closed_at"], "amount": won["amount"],
                         "status": pd.Series("completed", index=won.index, dtype="string")}).reset_index(drop=True)

