"""Service signals from the interactions table: complaints, satisfaction and open complaints.

- interactions / complaints: rows dated in [start, end_exclusive), of any kind / of kind
  ``complaint``; complaint rate = complaints / interactions (None without interactions);
- satisfaction: the 1-5 scores given in the period (other values are no score); their
  mean, rounded to 2 decimals, is None when nobody gave one;
- open complaints: complaints dated before the end whose status is ``open``. A complaint
  without a status is unknown, never open. The status is the one the source last
  exported (the log keeps no resolution date), so for a past period "open" means "still
  open now".

``customers``, when given, limits everything to their interactions (a region's report
passes its own customers) and supplies names and grouping columns.

>>> interactions = pd.DataFrame({"customer_id": ["A", "A", "B"], "kind": ["complaint", "inquiry", "complaint"],
...     "date": pd.to_datetime(["2024-07-02", "2024-08-01", "2024-06-30"]),
...     "satisfaction": [2.0, 4.0, None], "status": ["resolved", None, "open"]})
>>> signals = service_signals(interactions, pd.Timestamp("2024-07-01"), pd.Timestamp("2024-10-01"))
>>> signals["complaint_rate"], signals["avg_satisfaction"], signals["customers_with_open_complaints"]
(0.5, 3.0, 1)
"""

from __future__ import annotations

import pandas as pd

from custreport.keyed_frames import ids_in, looked_up

COMPLAINT = "complaint"
OPEN = "open"
_COLUMNS = {"customer_id": "string", "date": "datetime64[ms]", "kind": "string", "satisfaction": "float64",
            "status": "string", "note": "string"}


def _prepared(interactions: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    """The interactions with every column used here (snapshots from before ``status`` lack it),
    limited to ``customers`` when given; scores outside 1..5 count as no score."""
    missing = {col: pd.Series(None, index=interactions.index, dtype=dtype)
               for col, dtype in _COLUMNS.items() if col not in interactions}
    frame = interactions.assign(**missing)
    if customers is not None:
        frame = frame[ids_in(frame["customer_id"], customers["customer_id"])]
    score = frame["satisfaction"].astype("float64")
    return frame.assign(satisfaction=score.where(score.between(1, 5)))


def _is_complaint(frame: pd.DataFrame) -> pd.Series:
    return frame["kind"].isin([COMPLAINT])


def _average(scores: pd.Series) -> float | None:
    scores = scores.dropna()
    return round(float(scores.mean()), 2) if len(scores) else None


def service_signals(interactions: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp,
                    customers: pd.DataFrame | None = None) -> dict:
    """Interactions, complaints, complaint rate and satisfaction in [start, end_exclusive), and open complaints at its end.

    ``complaints_status_unknown`` counts the complaints dated before the end that have no status.
    """
    frame = _prepared(interactions, customers)
    dated_in = frame["date"].ge(start) & frame["date"].lt(end_exclusive)
    period = frame[dated_in]
    complaints = period[_is_complaint(period)]
    earlier = frame[frame["date"].lt(end_exclusive) & _is_complaint(frame)]
    still_open = earlier[earlier["status"].isin([OPEN])]
    count = len(period)
    return {
        "interactions": int(count),
        "complaints": int(len(complaints)),
        "complaint_rate": round(len(complaints) / count, 4) if count else None,
        "rated": int(period["satisfaction"].notna().sum()),
        "avg_satisfaction": _average(period["satisfaction"]),
        "complaint_customers": int(complaints["customer_id"].nunique()),
        "customers_with_open_complaints": int(still_open["customer_id"].nunique()),
        "complaints_status_unknown": int(earlier["status"].isna().sum()),
    }


def open_complaints(interactions: pd.DataFrame, as_of: pd.Timestamp,
                    customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Customers with complaints dated on or before ``as_of`` whose status is open.

    Columns: customer_id, name (when ``customers`` is given), open_complaints, oldest_open
    (the oldest one's date), days_open (calendar days from that date to ``as_of``) and
    last_note (the note of the latest open complaint that has one). Longest open first.
    """
    as_of = pd.Timestamp(as_of)
    frame = _prepared(interactions, customers)
    complaints = frame[_is_complaint(frame) & frame["date"].le(as_of) & frame["status"].isin([OPEN])]
    complaints = complaints.sort_values("date", kind="stable")
    grouped = complaints.groupby("customer_id", sort=False)
    noted = complaints.dropna(subset=["note"]).groupby("customer_id", sort=False)["note"].last()
    oldest = grouped["date"].min().dt.normalize()
    out = pd.DataFrame({
        "customer_id": pd.array(oldest.index, dtype="string"),
        "open_complaints": grouped.size().reindex(oldest.index).to_numpy(dtype="int64"),
        "oldest_open": oldest.to_numpy(),
        "days_open": (as_of.normalize() - oldest).dt.days.to_numpy(dtype="int64"),
        "last_note": pd.array(noted.reindex(oldest.index).to_numpy(), dtype="string"),
    })
    if customers is not None:
        out.insert(1, "name", looked_up(customers, out["customer_id"], "name").astype("string"))
    out = out.sort_values(["days_open", "customer_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def satisfaction_by(interactions: pd.DataFrame, by: str, start: pd.Timestamp, end_exclusive: pd.Timestamp,
                    customers: pd.DataFrame | None = None, missing_label: str = "—") -> pd.DataFrame:
    """Interactions, complaints, complaint rate, scores given and mean score per group, for the period.

    ``by`` is an interactions column (kind, ...) or, through ``customers``, a customer
    column (region, industry, owner_rep, ...); rows without a key form the ``missing_label``
    group. Groups with no interaction in the period are absent; busiest first.
    """
    frame = _prepared(interactions, customers)
    frame = frame[frame["date"].ge(start) & frame["date"].lt(end_exclusive)]
    if by in interactions:
        keys = frame[by].astype("string")
    elif customers is not None and by in customers:
        lookup = customers.drop_duplicates("customer_id").set_index("customer_id")[by].astype("string")
        keys = frame["customer_id"].map(lookup).astype("string")
    else:
        raise ValueError(f"{by!r} is a column of neither the interactions nor the customers given")
    frame = frame.assign(_key=keys.fillna(missing_label), _complaint=_is_complaint(frame))
    grouped = frame.groupby("_key", sort=False)
    out = pd.DataFrame({
        "interactions": grouped.size(),
        "complaints": grouped["_complaint"].sum(),
        "rated": grouped["satisfaction"].count(),
        "avg_satisfaction": grouped["satisfaction"].mean().round(2),
    })
    out = out.astype({"interactions": "int64", "complaints": "int64", "rated": "int64",
                      "avg_satisfaction": "float64"})
    out.insert(2, "complaint_rate", (out["complaints"] / out["interactions"]).round(4))
    out = out.rename_axis(by).reset_index()
    out[by] = out[by].astype("string")
    out = out.sort_values(["interactions", by], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)
