"""A report's insights, targets and headline, computed once per context (analysis.insights ranks them).

What each finding is and how its score ranks it: docs/metrics.md, Insights. The records go
to metrics.json (``insights``, ``headline``, ``targets``) with their sentences in both
languages, so the front page, the mail and the run's index all say the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from custreport import i18n
from custreport.analysis import insights as engine
from custreport.analysis.insights import Insight
from custreport.analysis.sales import distinct_orders, revenue_by_customer
from custreport.analysis.segments import in_revenue, is_completed
from custreport.analysis.deals import deal_totals, won_deal_lines
from custreport.figures import CARDS, change
from custreport.i18n.insights import headline_sentence, insight_sentence
from custreport.keyed_frames import looked_up
from custreport.periods import Period, parse_period
from custreport.reporting.context import ReportContext
from custreport.targets import TARGET_KINDS, load_targets

LOCALES = ("zh", "en")
FRONT_PAGE_INSIGHTS = 4
_DOTTED = {name: dotted for name, dotted, _ in CARDS}


def revenue_lines(ctx: ReportContext) -> pd.DataFrame:
    """What revenue is made of, as order lines: the orders, or the won deals (a deal won is a
    sale of its amount on its close day) when revenue is won deals."""
    if ctx.revenue_basis == "orders" or not ctx.has_order_lines:
        return ctx.purchases
    # the KPI's won value counts every deal of the region, a customer of another region's too
    return won_deal_lines(ctx.deals)


def target_period(period: Period) -> tuple[str | None, float]:
    """The params/targets.yaml period a report period is measured against, and the share of
    it the report covers: 2025-Q4 itself (1.0); a quarter cut at its 46th day: 2025-Q4 and
    46/92; ytd up to a day: that year and its days so far; None for a free range or a week.

    >>> target_period(parse_period("2025-Q4").cut(__import__("datetime").date(2025, 11, 15)))
    ('2025-Q4', 0.5)
    """
    whole = period.whole
    if whole.to_date:
        day = whole.end
        unit = {"year": f"{day.year}", "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
                "month": f"{day.year}-{day.month:02d}"}[whole.to_date]
        full = parse_period(unit)
        return unit, round(period.days / full.days, 4)
    if whole.kind in ("range", "week"):
        return None, 1.0
    return whole.token, round(period.days / whole.days, 4)


def following_period(period: Period) -> str | None:
    """The whole calendar period after ``period`` (of its kind), for what the pipeline must cover."""
    whole = period.whole
    if whole.to_date or whole.kind in ("range", "week"):
        return None
    day = whole.end + timedelta(days=1)
    return {"year": f"{day.year}", "half": f"{day.year}-H{1 if day.month <= 6 else 2}",
            "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}", "month": f"{day.year}-{day.month:02d}"}[whole.kind]


def targets_of(ctx: ReportContext, figures: dict) -> dict:
    """Each figure with a target for the report's region and period: target, goal (pro-rated
    for a period still running), attainment and whether it was met (metrics.json ``targets``)."""
    table = load_targets(ctx.regions)
    token, share = target_period(ctx.period)
    if token is None or not table.targets:
        return {}
    codes = _selling_regions(ctx) if ctx.region == "all" else [ctx.region]
    found = {}
    scale = engine.revenue_scale(figures.get("revenue") or 0.0, (figures.get("previous") or {}).get("revenue") or 0.0)
    for name, target in table.for_region(ctx.region, token, codes).items():
        actual = _figure(figures, _DOTTED[name])
        kind = TARGET_KINDS[name]
        insight = engine.attainment_insight(name, actual, target, kind, ctx.settings.direction(name), scale,
                                            prorated=share)
        entry = {"target": target, "period": token, "prorated": share,
                 "goal": round(target * (share if kind != "percent" else 1.0), 4), "actual": actual,
                 "attainment": None, "met": None}
        if insight is not None:
            entry.update(attainment=insight.figures["attainment"], met=insight.figures["met"])
        found[name] = entry
    return found


def _selling_regions(ctx: ReportContext) -> list[str]:
    """The regions with revenue in the period: the whole company's targets add up theirs."""
    lines = revenue_lines(ctx)
    codes = [*ctx.regions.codes, ctx.regions.unknown.code]
    sums = _sum_by(lines, _line_regions(ctx, lines), ctx.period, codes)
    return [code for code in codes if sums[code]]


def _line_regions(ctx: ReportContext, lines: pd.DataFrame) -> pd.Series:
    return lines["region"] if "region" in lines else looked_up(ctx.customers, lines["customer_id"], "region")


def _figure(figures: dict, dotted: str):
    value = figures
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


@dataclass(frozen=True)
class PeriodInsights:
    """A period's ranked insights, and each customer's part of the revenue change (for the headline)."""

    ranked: list[Insight]
    parts: pd.DataFrame


def compute_insights(ctx: ReportContext, figures: dict) -> PeriodInsights:
    """Every insight of the report's period, ranked (analysis.insights.ranked)."""
    if ctx.mixed_currencies:   # amounts in several currencies never add up: nothing to decompose
        return PeriodInsights([], pd.DataFrame(columns=["customer", "part", "cents"]))
    current, previous = figures.get("revenue") or 0.0, figures["previous"].get("revenue") or 0.0
    scale = engine.revenue_scale(current, previous)
    period, before = ctx.period, ctx.period.previous
    lines = revenue_lines(ctx)
    now = revenue_by_customer(lines, period.start_ts, period.end_exclusive_ts)
    then = revenue_by_customer(lines, before.start_ts, before.end_exclusive_ts)
    new_ids = _first_buyers(lines, period)
    parts = engine.customer_parts(now, then, new_ids)
    bridge = engine.revenue_bridge(now, then, new_ids, current_total=current, previous_total=previous)
    found: list[Insight | None] = [engine.bridge_insight(bridge)]
    if ctx.revenue_basis == "orders":
        found.append(engine.volume_price(current, figures.get("orders") or 0, previous,
                                         figures["previous"].get("orders") or 0))
    for dimension, (now_groups, then_groups) in _dimensions(ctx, lines, now, then).items():
        found += engine.driver_insights(engine.contributions(now_groups, then_groups), dimension, scale)
    names = CustomerNames(ctx.customers)
    found.append(engine.concentration_insight(now, then, names))
    found.append(_unusual_revenue(ctx, lines, current, scale))
    found.append(_outliers(lines, period, scale, names))
    found.append(_coverage(ctx, figures, scale))
    for name, target in (figures.get("targets") or {}).items():
        found.append(engine.attainment_insight(name, target["actual"], target["target"], TARGET_KINDS[name],
                                               ctx.settings.direction(name), scale, target["prorated"]))
    return PeriodInsights(engine.ranked(found), parts)


def _first_buyers(lines: pd.DataFrame, period: Period) -> set:
    """Customers whose first completed purchase falls in ``period`` (and none before it)."""
    # the two columns only: filtering every column of millions of lines copies them all
    done = lines.loc[is_completed(lines) & lines["customer_id"].notna(), ["customer_id", "order_date"]]
    if done.empty:
        return set()
    first = done.groupby("customer_id", sort=False)["order_date"].min()
    return set(first.index[(first >= period.start_ts) & (first < period.end_exclusive_ts)])


def _dimensions(ctx: ReportContext, lines: pd.DataFrame, now: pd.Series, then: pd.Series) -> dict:
    """Revenue in both periods (now, then) per group of each dimension drivers are looked for in."""
    found = {}
    customer_columns = ["region"] if ctx.region == "all" else ["province"]
    customer_columns += ["industry", "owner_rep"]
    for column in customer_columns:
        if column not in ctx.customers:
            continue
        ids = now.index.union(then.index)
        groups = pd.Series(looked_up(ctx.customers, pd.Series(ids, dtype="string"), column).to_numpy(), index=ids)
        found[column] = (now.groupby(groups.reindex(now.index).to_numpy(dtype="object"), dropna=False).sum(),
                         then.groupby(groups.reindex(then.index).to_numpy(dtype="object"), dropna=False).sum())
    for column in ("product", "channel"):
        if column in lines and lines[column].notna().any():
            found[column] = (_by_line_column(lines, column, ctx.period), _by_line_column(lines, column,
                                                                                            ctx.period.previous))
    found["customer"] = (now, then)
    return found


def _by_line_column(lines: pd.DataFrame, column: str, period: Period) -> pd.Series:
    dates = lines["order_date"]
    keep = ((dates >= period.start_ts) & (dates < period.end_exclusive_ts)).to_numpy(dtype=bool, na_value=False) \
        & in_revenue(lines).to_numpy()
    amounts = np.nan_to_num(lines["amount"].to_numpy(dtype="float64", na_value=np.nan)[keep])
    keys = np.asarray(lines[column].array[keep], dtype="object")   # the period's keys only become objects
    keys[pd.isna(keys)] = None
    return pd.Series(amounts).groupby(pd.Series(keys, dtype="object"), dropna=False).sum()


class CustomerNames:
    """A customer's name by id, looked up only for the few ids an insight names."""

    def __init__(self, customers: pd.DataFrame):
        self.customers = customers

    def get(self, customer_id, default=None):
        if customer_id is None:
            return default
        found = looked_up(self.customers, pd.Series([customer_id], dtype="string"), "name").iloc[0]
        return default if pd.isna(found) else str(found)


def _unusual_revenue(ctx: ReportContext, lines: pd.DataFrame, current: float, scale: float) -> Insight | None:
    """This period's revenue against the eight before it (None for one before the data starts)."""
    periods, period = [], ctx.period
    for _ in range(engine.TRAILING_PERIODS):
        period = period.previous
        periods.append(period)
    periods.reverse()
    dates = lines["order_date"].to_numpy(dtype="datetime64[ns]")
    summed = in_revenue(lines).to_numpy() & ~np.isnat(dates)
    if not summed.any():
        return None
    first = dates[summed].min()
    amounts = np.nan_to_num(lines["amount"].to_numpy(dtype="float64", na_value=np.nan))
    values = []
    for p in periods:
        if np.datetime64(p.start_ts.to_datetime64()) < first:
            values.append(None)
            continue
        inside = summed & (dates >= p.start_ts.to_datetime64()) & (dates < p.end_exclusive_ts.to_datetime64())
        values.append(round(float(amounts[inside].sum()), 2))
    return engine.unusual_insight("revenue", current, values, scale, [p.label for p in periods], ctx.period.label)


def _outliers(lines: pd.DataFrame, period: Period, scale: float, names: dict) -> Insight | None:
    dates = lines["order_date"]
    keep = ((dates >= period.start_ts) & (dates < period.end_exclusive_ts)).fillna(False) & is_completed(lines)
    sold = lines.loc[keep, [c for c in ("order_id", "order_key", "amount", "customer_id") if c in lines]]
    if sold.empty or distinct_orders(sold) < engine.MIN_ORDERS_FOR_OUTLIERS:
        return None
    key = sold["order_id"].fillna(pd.Series(sold.index.astype(str), index=sold.index)) if "order_id" in sold \
        else pd.Series(sold.index.astype(str), index=sold.index)
    amounts = sold["amount"].groupby(key.to_numpy(dtype="object")).sum()
    customers = sold["customer_id"].groupby(key.to_numpy(dtype="object")).first()
    return engine.order_outliers(amounts, scale, names, customers)


def _coverage(ctx: ReportContext, figures: dict, scale: float) -> Insight | None:
    """Open pipeline against what deals must win next period: its won-value target (its revenue
    target when revenue is won deals), else what deals won this period."""
    deals = figures.get("deals") or {}
    if not ctx.has_deals or deals.get("pipeline_value") is None:
        return None
    following = following_period(ctx.period)
    target = None
    if following:
        targets = load_targets(ctx.regions).for_region(ctx.region, following, list(ctx.regions.codes))
        target = targets.get("won_value") or (targets.get("revenue") if ctx.revenue_basis == "won_deals" else None)
    reference, basis = (target, "target") if target else (deals.get("won_value"), "run_rate")
    return engine.coverage_insight(deals["pipeline_value"], reference, deals.get("win_rate"), scale, basis)


def insight_records(ctx: ReportContext, figures: dict, insights: list[Insight]) -> list[dict]:
    """The insights as metrics.json keeps them: kind, key, score, figures, and a sentence per language."""
    records = []
    for rank, insight in enumerate(insights, start=1):
        record = {**insight.as_dict(), "rank": rank}
        record["text"] = {locale: insight_sentence(record, locale, _context_words(ctx, figures, locale))
                          for locale in LOCALES}
        records.append(record)
    return records


def headline(ctx: ReportContext, figures: dict, records: list[dict], parts: pd.DataFrame) -> dict:
    """The front page's first sentence in each language: the period's revenue, its change and
    what drove it most (the largest cell of the bridge by industry, else its largest part)."""
    bridge = next((r["figures"] for r in records if r["kind"] == "bridge"), None)
    driver = None
    if bridge is not None and not parts.empty and "industry" in ctx.customers:
        ids = pd.Series(parts["customer"].to_numpy(), dtype="string")
        groups = pd.Series(looked_up(ctx.customers, ids, "industry").to_numpy(), index=ids.to_numpy())
        driver = engine.headline_driver(bridge, engine.bridge_by_group(parts, groups))
    elif bridge is not None:
        driver = engine.headline_driver(bridge, None)
    return {locale: headline_sentence(figures, bridge, driver, locale, _context_words(ctx, figures, locale))
            for locale in LOCALES}


def _context_words(ctx: ReportContext, figures: dict, locale: str) -> dict:
    """What sentences need besides the figures: the region and period as readers name them,
    the currency, and how to name a dimension's groups in ``locale``."""
    return {"region": ctx.regions.display_name(ctx.region, locale), "period": ctx.period.label,
            "currency": ctx.currency, "group_name": group_namer(ctx, locale)}


def group_namer(ctx: ReportContext, locale: str):
    """``name(dimension, value)``: a group of a dimension as ``locale`` readers name it (a
    region code by its name, an industry by its name in that language, a customer id by name)."""
    def group_name(dimension: str, value):
        if value is None or pd.isna(value):
            return i18n.label("unassigned_rep" if dimension == "owner_rep" else "unknown", locale)
        if dimension == "region":
            return ctx.regions.display_name(str(value), locale)
        if dimension == "industry":
            return ctx.industries.name_for(str(value), locale) or str(value)
        if dimension == "province":
            return str(ctx.regions.province_name(str(value), locale))
        if dimension == "customer":
            return CustomerNames(ctx.customers).get(value, str(value))
        return str(value)

    return group_name


def by_region(ctx: ReportContext, figures: dict) -> list[dict]:
    """The whole company's front-page table: per region, revenue now and before, its change,
    the win rate and its change (points), and the revenue target's attainment. Revenue per
    region adds up to the company's (lines without a region are the unknown region)."""
    if ctx.region != "all":
        return []
    token, share = target_period(ctx.period)
    table = load_targets(ctx.regions)
    period, before = ctx.period, ctx.period.previous
    lines = revenue_lines(ctx)
    region_of = _line_regions(ctx, lines)
    codes = [*ctx.regions.codes, ctx.regions.unknown.code]
    now, then = (_sum_by(lines, region_of, p, codes) for p in (period, before))
    rows = []
    for code in codes:
        deals = ctx.deals[(ctx.deals["region"] == code).fillna(False)] if "region" in ctx.deals else ctx.deals.iloc[:0]
        win_now = _win_rate(deals, period)
        win_then = _win_rate(deals, before)
        if not now[code] and not then[code] and win_now is None:
            continue
        target = table.for_region(code, token, ctx.regions.codes).get("revenue") if token else None
        goal = None if target is None else round(target * share, 2)
        rows.append({"region": code, "revenue": now[code], "previous": then[code],
                     "change": change(now[code], then[code]), "win_rate": win_now,
                     "win_rate_change": change(win_now, win_then, rate=True), "target": target, "goal": goal,
                     "attainment": round(now[code] / goal, 4) if goal else None})
    return rows


def _sum_by(lines: pd.DataFrame, region_of: pd.Series, period: Period, codes: list[str]) -> dict[str, float]:
    dates = lines["order_date"]
    keep = ((dates >= period.start_ts) & (dates < period.end_exclusive_ts)).to_numpy(dtype=bool, na_value=False) \
        & in_revenue(lines).to_numpy()
    amounts = pd.Series(np.nan_to_num(lines["amount"].to_numpy(dtype="float64", na_value=np.nan)[keep]))
    regions = pd.Series(region_of.to_numpy(dtype="object", na_value=None)[keep]).fillna(codes[-1])
    sums = amounts.groupby(regions.to_numpy()).sum()
    return {code: round(float(sums.get(code, 0.0)), 2) for code in codes}


def _win_rate(deals: pd.DataFrame, period: Period):
    return deal_totals(deals, period.start_ts, period.end_exclusive_ts)["win_rate"]
