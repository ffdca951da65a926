"""The sales funnel: how far deals got through an ordered stage list, and where they stall.

Rules (a deal's stage is placed on a ``StageList`` of params/stages.yaml):
- in play in a period: created before its end (or undated: CRMs export early-stage deals
  without a date) and not closed before its start;
- position: the index of the deal's open stage; won deals sit at ``len(open)``, lost at -1;
  an unknown stage name takes its position from the outcome (won/lost), else it is unmapped
  and left out of every funnel row (``Funnel.unmapped`` counts those in play);
- reached: the furthest open stage a deal got to. Open deals reached their own stage, won
  deals every stage, lost deals the list's ``lost_reached`` stage (the first by default),
  since a lost deal no longer says how far it went;
- a deal closed after the period end was still open at it: a won one is taken to have been
  in the last open stage then, a lost one in ``lost_reached``;
- the stage is the one exported: without stage history, a deal still open is placed where it
  is now, whatever the period.

>>> from custreport.stages import StageList
>>> stages = StageList(name="demo", open=["Lead", "Offer"], won=["Won"], lost=["Lost"])
>>> deals = pd.DataFrame({"stage": ["Lead", "Offer", "Won", "Lost"],
...     "outcome": ["open", "open", "won", "lost"],
...     "created_at": pd.to_datetime(["2024-01-05"] * 4),
...     "closed_at": pd.to_datetime([None, None, "2024-02-01", "2024-02-03"])})
>>> funnel = funnel_table(deals, stages, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-04-01"))
>>> funnel.stages[["stage", "reached", "current"]].values.tolist()
[['Lead', 4, 1], ['Offer', 2, 1], ['Won', 1, 1]]
>>> funnel.lost, funnel.bottleneck
(1, 'Offer')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custreport.analysis.deals import TOTAL_COLUMNS, deal_totals
from custreport.stages import StageList

FUNNEL_COLUMNS = ["stage", "reached", "step_conversion", "cumulative_conversion", "drop_off", "current",
                  "bottleneck"]
MISSING_GROUP = "—"


@dataclass(frozen=True)
class Funnel:
    """A period's funnel: one row per open stage plus the won stage, and what fell outside it.

    ``lost`` counts deals in play lost within the period; ``unmapped`` counts deals in play
    whose stage the list does not know (and whose outcome does not place them).
    """

    stages: pd.DataFrame
    lost: int
    unmapped: int
    stage_list: str

    @property
    def bottleneck(self) -> str | None:
        """The stage with the lowest step conversion, or None when there are no deals."""
        hit = self.stages.loc[self.stages["bottleneck"], "stage"]
        return str(hit.iloc[0]) if len(hit) else None

    def records(self) -> list[dict]:
        """Rows as plain dicts (stage, reached, step and cumulative conversion), NA as None."""
        def ratio(value) -> float | None:
            return None if pd.isna(value) else round(float(value), 4)

        return [{"stage": str(row.stage), "reached": int(row.reached),
                 "step_conversion": ratio(row.step_conversion),
                 "cumulative_conversion": ratio(row.cumulative_conversion)}
                for row in self.stages.itertuples(index=False)]


def deals_in_play(deals: pd.DataFrame, start: pd.Timestamp, end_exclusive: pd.Timestamp) -> pd.DataFrame:
    """Deals created before the period end (or undated) and not closed before its start."""
    created = deals["created_at"].lt(end_exclusive) | deals["created_at"].isna()
    closed_before = deals["closed_at"].lt(start).fillna(False)
    return deals[created & ~closed_before]


def _positions(stages: pd.Series, stage_list: StageList) -> pd.Series:
    codes, distinct = pd.factorize(stages)             # each distinct stage looked up once
    positions = pd.array([stage_list.position(v) if isinstance(v, str) else None for v in distinct] + [None],
                         dtype="Int64")
    return pd.Series(positions.take(codes), index=stages.index)


def stage_positions(deals: pd.DataFrame, stage_list: StageList) -> pd.DataFrame:
    """``deals`` plus ``position`` (now), ``reached`` (furthest open stage) and ``unmapped``."""
    won_at = len(stage_list.open)
    position = _positions(deals["stage"], stage_list)
    outcome = deals["outcome"].astype("string")
    position = position.mask(position.isna() & outcome.eq("won").fillna(False), won_at)
    position = position.mask(position.isna() & outcome.eq("lost").fillna(False), -1)
    reached = position.mask(position.eq(-1).fillna(False), stage_list.lost_reached_position)
    return deals.assign(position=position, reached=reached, unmapped=position.isna().astype(bool))


def _as_open_then(deals: pd.DataFrame, stage_list: StageList, closed_later: pd.Series) -> pd.DataFrame:
    """Positions at a moment: deals closed after it were still open then."""
    placed = stage_positions(deals, stage_list)
    last_open = len(stage_list.open) - 1
    won_later = closed_later & placed["position"].eq(len(stage_list.open)).fillna(False)
    lost_later = closed_later & placed["position"].eq(-1).fillna(False)
    position = placed["position"].mask(won_later, last_open).mask(lost_later, stage_list.lost_reached_position)
    return placed.assign(position=position, reached=placed["reached"].mask(won_later, last_open))


def funnel_table(deals: pd.DataFrame, stage_list: StageList, start: pd.Timestamp,
                 end_exclusive: pd.Timestamp) -> Funnel:
    """The funnel of the deals in play in the period, as it stood at the period end."""
    in_play = deals_in_play(deals, start, end_exclusive)
    placed = _as_open_then(in_play, stage_list, in_play["closed_at"].ge(end_exclusive).fillna(False))
    mapped = placed[~placed["unmapped"]]
    reached = mapped["reached"].to_numpy(dtype="int64")
    current = mapped["position"].to_numpy(dtype="int64")
    counts = [int((reached >= i).sum()) for i in range(len(stage_list.labels))]
    sitting = [int((current == i).sum()) for i in range(len(stage_list.labels))]
    table = pd.DataFrame({"stage": pd.array(stage_list.labels, dtype="string"),
                          "reached": pd.array(counts, dtype="int64"),
                          "current": pd.array(sitting, dtype="int64")})
    previous = table["reached"].shift(1)
    step = (table["reached"] / previous.where(previous > 0)).astype("Float64")
    entered = counts[0]
    cumulative = (table["reached"] / entered if entered else pd.Series(pd.NA, index=table.index)).astype("Float64")
    table = table.assign(step_conversion=step, cumulative_conversion=cumulative,
                         drop_off=(previous - table["reached"]).fillna(0).astype("int64"))
    bottleneck = pd.Series(False, index=table.index)
    if step.notna().any():
        bottleneck.loc[step.astype("float64").idxmin()] = True  # idxmin: the earliest of equals
    table = table.assign(bottleneck=bottleneck)[FUNNEL_COLUMNS]
    return Funnel(stages=table, lost=int(placed["position"].eq(-1).sum()),
                  unmapped=int(placed["unmapped"].sum()), stage_list=stage_list.name)


def stage_counts(deals: pd.DataFrame, stage_list: StageList, missing: str = MISSING_GROUP) -> pd.DataFrame:
    """Deals and amount by current stage: the list's stages in order, then unknown names as typed.

    Aliases count under the stage they stand for; ``position`` is NA for unknown names and
    deals without a stage count under ``missing``, last.
    """
    typed = deals["stage"].astype("string")
    lookup = {text: stage_list.canonical(text) or text for text in typed.dropna().unique()}
    named = typed.map(lookup).astype("string").fillna(missing)
    grouped = deals.groupby(named.rename("stage"))["amount"].agg(deals="size", amount="sum")
    known = [*stage_list.open, *stage_list.won, *stage_list.lost]
    unknown = sorted(name for name in grouped.index if name not in known and name != missing)
    order = known + unknown + ([missing] if missing in grouped.index and missing not in known else [])
    table = grouped.reindex(order).rename_axis("stage").reset_index()
    table = table.assign(stage=table["stage"].astype("string"),
                         deals=table["deals"].fillna(0).astype("int64"),
                         amount=table["amount"].fillna(0.0).astype("float64"))
    table["position"] = _positions(table["stage"], stage_list)
    return table[["stage", "position", "deals", "amount"]]


def open_deal_ages(deals: pd.DataFrame, stage_list: StageList, as_of: pd.Timestamp,
                   stale_days: int = 90) -> pd.DataFrame:
    """Per open stage: deals open at ``as_of`` and how many days they have sat in that stage.

    Days in stage count from ``stage_changed_at`` when it is known and not after ``as_of``;
    otherwise from ``created_at``, which makes them days since creation (an upper bound).
    ``by_stage_change`` and ``by_creation`` count the deals measured each way; undated deals
    count in ``deals`` only. ``stale`` counts deals in the stage more than ``stale_days`` days.
    """
    as_of = pd.Timestamp(as_of)
    exists = deals["created_at"].le(as_of) | deals["created_at"].isna()
    present = deals[exists & ~deals["closed_at"].le(as_of).fillna(False)]
    placed = _as_open_then(present, stage_list, present["closed_at"].gt(as_of).fillna(False))
    placed = placed[placed["position"].between(0, len(stage_list.open) - 1).fillna(False)]
    changed = (placed["stage_changed_at"] if "stage_changed_at" in placed
               else pd.Series(pd.NaT, index=placed.index, dtype="datetime64[ms]"))
    changed = changed.where(changed.le(as_of))
    by_change = changed.notna()
    since = changed.fillna(placed["created_at"])
    days = (as_of - since).dt.days.astype("Float64")
    rows = []
    for i, stage in enumerate(stage_list.open):
        here = placed["position"].eq(i)
        in_stage = days[here].dropna()
        rows.append({"stage": stage, "deals": int(here.sum()),
                     "median_days": in_stage.median() if len(in_stage) else pd.NA,
                     "max_days": in_stage.max() if len(in_stage) else pd.NA,
                     "stale": int(in_stage.gt(stale_days).sum()),
                     "by_stage_change": int((here & by_change).sum()),
                     "by_creation": int((here & ~by_change & placed["created_at"].notna()).sum())})
    table = pd.DataFrame(rows)
    return table.astype({"stage": "string", "median_days": "Float64", "max_days": "Float64"})


def _group_keys(deals: pd.DataFrame, by: str, missing: str) -> pd.Series:
    return deals[by].astype("string").fillna(missing)


def _groups_in_order(deals: pd.DataFrame, keys: pd.Series, missing: str):
    """(key, the deals of that key in their order) per key, sorted with ``missing`` last: one pass
    over the deals (comparing every deal with every key costs groups x deals)."""
    positions = pd.Series(np.arange(len(keys))).groupby(keys.to_numpy(dtype="object"), sort=False).indices
    for key in sorted(positions, key=lambda k: (k == missing, k)):
        yield key, deals.take(positions[key])


def funnel_by(deals: pd.DataFrame, stage_list: StageList, by: str, start: pd.Timestamp,
              end_exclusive: pd.Timestamp, missing: str = MISSING_GROUP) -> pd.DataFrame:
    """The funnel table per value of ``by`` (long: one block of stage rows per group).

    Deals without a ``by`` value form their own group labelled ``missing``; groups with no
    deal in play are left out.
    """
    keys = _group_keys(deals, by, missing)
    blocks = []
    for key, part in _groups_in_order(deals, keys, missing):
        if deals_in_play(part, start, end_exclusive).empty:
            continue
        table = funnel_table(part, stage_list, start, end_exclusive).stages
        blocks.append(table.assign(**{by: key})[[by, *FUNNEL_COLUMNS]])
    if not blocks:
        empty = funnel_table(deals.iloc[0:0], stage_list, start, end_exclusive).stages.iloc[0:0]
        return empty.assign(**{by: pd.Series(dtype="string")})[[by, *FUNNEL_COLUMNS]]
    out = pd.concat(blocks, ignore_index=True)
    return out.astype({by: "string"})


def deal_breakdown(deals: pd.DataFrame, by: str, start: pd.Timestamp, end_exclusive: pd.Timestamp,
                   total_label: str = "Total", missing: str = MISSING_GROUP) -> pd.DataFrame:
    """``deal_totals`` per value of ``by`` plus a last row for all deals, labelled ``total_label``.

    Groups with nothing won, lost or open in the period are left out; the counts and values of
    the remaining rows add up to the total row.
    """
    keys = _group_keys(deals, by, missing)
    rows = []
    for key, part in _groups_in_order(deals[TOTAL_COLUMNS], keys, missing):
        totals = deal_totals(part, start, end_exclusive)
        if totals["won"] or totals["lost"] or totals["open"]:
            rows.append({by: key, **totals})
    rows.append({by: total_label, **deal_totals(deals, start, end_exclusive)})
    table = pd.DataFrame(rows)
    return table.astype({by: "string", "win_rate": "Float64", "pipeline_value": "Float64",
                         "median_cycle_days": "Float64"})
