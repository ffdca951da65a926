"""The figures of metrics.json and the KPI cards, computed once per context (no display, no prose)."""
from __future__ import annotations


import numpy as np
import pandas as pd

from custreport import i18n
from custreport.i18n.insights import money as short_money
from custreport.analysis.deals import deal_totals
from custreport.analysis.leads import lead_funnel, lead_totals
from custreport.analysis.funnel import deals_in_play, stage_counts
from custreport.analysis.sales import sales_totals
from custreport.analysis.rfm import abc_summary, segment_summary
from custreport.analysis.service import service_signals
from custreport.analysis.segments import customer_counts, \
    movement_counts, recurring_charges
from custreport.analysis.currency import split_by_currency
from custreport.figures import CARDS, COMPARED, DIRECTIONS, RATES, change
from custreport.periods import Period
from custreport.reporting.context import ReportContext
from custreport.reporting.insights import by_region, compute_insights, headline, insight_records, targets_of
from custreport.reporting.request import coverage_dict


# The files a region's figures go to (reporting/jobs.py writes them; the runner and delivery read them).
METRICS_FILE = "metrics.json"
TREND_CHART = "trend.png"   # the summary's revenue trend, with its alt text inside: the mail shows it


def customer_list_name(region: str) -> str:
    """The file beside a region's workbook that lists every customer of its customers sheet."""
    return f"{region}_customers.csv"

# Counts and amounts that add up across regions; ratios (aov, win rate) do not.
ADDITIVE = ("customers.total", "customers.new", "customers.active", "customers.churned", "customers.prospect",
            "revenue", "orders", "deals.won", "deals.lost", "deals.open", "deals.won_value", "deals.pipeline_value",
            "deals.open_without_amount", "movement.new", "movement.retained", "movement.reactivated", "movement.lost",
            "returns.orders", "returns.amount", "leads.leads", "leads.converted", "leads.won", "leads.disqualified")


def period_figures(ctx: ReportContext, period: Period) -> dict:
    """The headline numbers of one period (the report's own, its previous, or a year ago)."""
    start, end = period.start_ts, period.end_exclusive_ts
    classified = ctx.classified_at(end)
    deals_then = deals_known_by(ctx, period)
    sales, deals = sales_totals(ctx.orders, start, end), deal_totals(deals_then, start, end)
    figures = {
        "customers": customer_counts(classified, start, end),
        "revenue": deals["won_value"] if ctx.revenue_basis == "won_deals" else sales["revenue"],
        "orders": sales["orders"],
        "aov": sales["aov"],
        "returns": {"orders": sales["credit_orders"], "amount": sales["credit_amount"]},
        "deals": deals,
    }
    return _apart_by_currency(ctx, figures, deals_then, start, end) if ctx.mixed_currencies else figures


def _apart_by_currency(ctx: ReportContext, figures: dict, deals_then: pd.DataFrame, start: pd.Timestamp,
                       end: pd.Timestamp) -> dict:
    """``figures`` of a store in several currencies without params/fx.yaml: each amount as
    ``<key>_by_currency`` ({"EUR": ..., "USD": ...}) and the key itself None, never a sum."""
    orders = split_by_currency(ctx.orders, ctx.currencies)
    deals = split_by_currency(deals_then, ctx.currencies)
    sales = {code: sales_totals(orders[code], start, end) for code in ctx.currencies}
    won = {code: deal_totals(deals[code], start, end) for code in ctx.currencies}
    revenue = {code: won[code]["won_value"] if ctx.revenue_basis == "won_deals" else sales[code]["revenue"]
               for code in ctx.currencies}
    return {**figures, "revenue": None, "revenue_by_currency": revenue,
            "aov": None, "aov_by_currency": {code: sales[code]["aov"] for code in ctx.currencies},
            "returns": {**figures["returns"], "amount": None,
                        "amount_by_currency": {code: sales[code]["credit_amount"] for code in ctx.currencies}},
            "deals": {**figures["deals"], "won_value": None, "pipeline_value": None,
                      "won_value_by_currency": {code: won[code]["won_value"] for code in ctx.currencies},
                      "pipeline_value_by_currency": {code: won[code]["pipeline_value"] for code in ctx.currencies}}}


def _get(figures: dict, dotted: str):
    value = figures
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def figure_change(now, before, dotted: str):
    """The change of the metrics.json figure ``dotted``: points for a rate, else relative."""
    return change(now, before, rate=dotted in RATES)


def metrics(ctx: ReportContext) -> dict:
    """The machine-readable figures of metrics.json (stable keys; see docs/metrics.md), computed
    once per context: the KPI cards, the sections and the workbook read them from here."""
    if _FIGURES not in ctx.__dict__:
        ctx.__dict__[_FIGURES] = compute_metrics(ctx)
    return ctx.__dict__[_FIGURES]


_FIGURES = "_figures"   # where a context keeps its figures (beside its cached analyses)


def compute_metrics(ctx: ReportContext) -> dict:
    """metrics() without the per-context cache: the figures, then their targets, then the
    insights and headline that explain them."""
    figures = period_metrics(ctx)
    figures["targets"] = targets_of(ctx, figures)
    found = compute_insights(ctx, figures)
    figures["insights"] = insight_records(ctx, figures, found.ranked)
    figures["headline"] = headline(ctx, figures, figures["insights"], found.parts)
    figures["by_region"] = by_region(ctx, figures)
    return figures


def period_metrics(ctx: ReportContext) -> dict:
    """The period's figures and their changes (no targets, no insights)."""
    current = period_figures(ctx, ctx.period)
    previous = period_figures(ctx, ctx.period.previous)
    year_ago = period_figures(ctx, ctx.period.year_ago)
    compared = COMPARED
    return {
        "region": ctx.region,
        "region_name": ctx.regions.display_name(ctx.region, "zh") if ctx.region != "all" else "all",
        "period": {"label": ctx.period.label, "token": ctx.period.token, "start": ctx.period.start.isoformat(),
                   "end": ctx.period.end.isoformat(), "partial": ctx.period.partial,
                   "full_end": ctx.period.whole.end.isoformat()},
        "snapshot": ctx.snapshot.id,
        "snapshot_created_at": ctx.snapshot.created_at or None,
        "data_coverage": coverage_dict(ctx.snapshot),
        "currency": None if ctx.mixed_currencies else ctx.currency,
        "currencies": ctx.currencies,
        "fx": None if ctx.fx is None else {"reporting_currency": ctx.fx.reporting_currency,
                                           "converted": [c for c in ctx.currencies if c != ctx.fx.reporting_currency]},
        "revenue_basis": ctx.revenue_basis,
        "data_through": ctx.data_through.date().isoformat() if ctx.data_through is not None else None,
        "has_order_lines": ctx.has_order_lines,
        "has_deals": ctx.has_deals,
        **current,
        "recurring": recurring_charges(ctx.classified),
        "movement": movement_counts(ctx.movement),
        **funnel_figures(ctx),
        "value": value_figures(ctx),
        "segments": segment_figures(ctx),
        "allocation": allocation_figures(ctx),
        "service": service_signals(ctx.interactions, ctx.period.start_ts, ctx.period.end_exclusive_ts),
        "has_leads": ctx.has_leads,
        "leads": lead_figures(ctx),
        "quality": quality_totals(ctx),
        "previous": {"period": ctx.period.previous.label, "start": ctx.period.previous.start.isoformat(),
                     "end": ctx.period.previous.end.isoformat(), **previous},
        "year_ago": {"period": ctx.period.year_ago.label, "start": ctx.period.year_ago.start.isoformat(),
                     "end": ctx.period.year_ago.end.isoformat(), **year_ago},
        "deltas": {
            "vs_previous": {key: figure_change(_get(current, key), _get(previous, key), key) for key in compared},
            "vs_year_ago": {key: figure_change(_get(current, key), _get(year_ago, key), key) for key in compared},
        },
        "directions": {name: ctx.settings.direction(name) for name in DIRECTIONS},
    }


def _time_unit(days: float) -> str:
    return {7.0: "weeks", 1.0: "days"}.get(float(days), f"{days:g} days")


def value_figures(ctx: ReportContext) -> dict:
    """The fitted value models (time unit: weeks by default) and the totals they imply."""
    values, models = ctx.customer_value
    settings = ctx.settings.value
    clv = values["clv"]
    modelled = models.bgnbd is not None and values["p_alive"].notna().any()
    return {
        **models.as_dict(_time_unit(settings.time_unit_days)),
        "clv_12m_total": round(float(clv.sum()), 2) if clv.notna().any() else None,
        "monthly_discount": settings.monthly_discount,
        "horizon": settings.horizon,
        "expected_purchases_total": (round(float(values["expected_purchases"].sum()), 2)
                                     if values["expected_purchases"].notna().any() else None),
        "expected_alive_customers": round(float(values["p_alive"].sum()), 2) if modelled else None,
        "revenue_to_date": round(float(values["revenue_to_date"].sum()), 2),
        "at_risk_customers": int(len(ctx.at_risk)),
        "at_risk_value_at_stake": round(float(ctx.at_risk["value_at_stake"].sum()), 2) if modelled else None,
        "lost_customers": int(len(ctx.lost_customers)),
    }


def funnel_figures(ctx: ReportContext) -> dict:
    """The funnel of the period (stage list, rows, bottleneck) and deals in play by current stage."""
    funnel = ctx.funnel
    in_play = deals_in_play(ctx.deals, ctx.period.start_ts, ctx.period.end_exclusive_ts)
    by_stage = stage_counts(in_play, ctx.stage_list)
    return {
        "funnel": funnel.records(),
        "funnel_detail": {"stage_list": funnel.stage_list, "bottleneck": funnel.bottleneck, "lost": funnel.lost,
                          "unmapped": funnel.unmapped},
        "deals_by_stage": {str(row.stage): int(row.deals) for row in by_stage.itertuples(index=False)},
    }


def lead_figures(ctx: ReportContext) -> dict:
    """The lead funnel of the period (docs/metrics.md, leads): totals and one row per lead source.
    Won value is null when it would add several currencies."""
    start, end = ctx.period.start_ts, ctx.period.end_exclusive_ts
    totals = lead_totals(ctx.leads, ctx.lead_deals, start, end)
    missing = "\x00"   # leads without a source: null in the file, never a source's name
    by_source = lead_funnel(ctx.leads, ctx.lead_deals, start, end, total_label="\x01", missing=missing)[:-1]
    rows = [{"lead_source": None if row["lead_source"] == missing else row["lead_source"],
             **{key: _plain(row[key]) for key in row.index if key != "lead_source"}}
            for _, row in by_source.iterrows()]
    if ctx.mixed_currencies:
        totals["won_value"] = None
        rows = [{**row, "won_value": None} for row in rows]
    return {**totals, "by_source": rows}


def _plain(value):
    """A frame's cell as JSON has it: None for a missing value, int or float otherwise."""
    if pd.isna(value):
        return None
    return int(value) if isinstance(value, (int, np.integer)) else round(float(value), 4)


def allocation_figures(ctx: ReportContext) -> dict:
    """How many customers needed a rep, and how many got one."""
    statuses = ctx.allocation["status"].value_counts()
    return {"candidates": int(len(ctx.allocation)), "assigned": int(statuses.get("assigned", 0)),
            "unassigned": int(statuses.get("unassigned", 0))}


def segment_figures(ctx: ReportContext) -> dict:
    """Customers per RFM segment, and customers and revenue per ABC tier of the period."""
    rfm_table = segment_summary(ctx.rfm, ctx.segment_names)
    abc_table = abc_summary(ctx.period_revenue, ctx.abc)
    return {
        "rfm": {name: int(count) for name, count in rfm_table["customers"].items()},
        "abc": {tier: {"customers": int(row.customers), "revenue": round(float(row.revenue), 2)}
                for tier, row in abc_table.iterrows()},
    }


def quality_totals(ctx: ReportContext) -> dict:
    """Ingest accounting of the snapshot the report reads (all sources; rows are not regional)."""
    accounting = ctx.side_table("accounting")
    keys = ("rows_read", "loaded", "merged", "non_data", "quarantined")
    return {key: int(accounting[key].sum()) if key in accounting else 0 for key in keys}


# The headline cards: of an order business, and of a deals-only one (revenue = won deals, or
# no order lines at all), which leads with what its deals won and what is still open.
ORDER_CARDS = ("customers_total", "customers_new", "customers_active", "revenue", "orders", "aov", "deals_won",
               "win_rate", "pipeline_value")


DEAL_CARDS = ("won_value", "pipeline_value", "win_rate", "deals_won", "customers_total", "customers_new",
              "customers_active")


# Shown after those when customers carry recurring charges (a subscription list).
RECURRING_CARDS = ("customers_churned", "monthly_active", "monthly_lost")


# A customer list alone (no order lines, no deals): its customers, and their charges if any.
CUSTOMER_CARDS = ("customers_total", "customers_new", "customers_active")


def headline_cards(figures: dict, limit: int | None = None) -> tuple[str, ...]:
    """The KPI cards ``figures`` (metrics.json) leads with, at most ``limit`` of them: won value,
    pipeline, win rate and deals won when revenue is won deals or there are no order lines
    (never a revenue of 0 from orders that do not exist), else the order cards.

    >>> headline_cards({"revenue_basis": "won_deals", "has_order_lines": False}, 4)
    ('won_value', 'pipeline_value', 'win_rate', 'deals_won')
    """
    deals_only = figures.get("revenue_basis") == "won_deals" or figures.get("has_order_lines") is False
    cards = DEAL_CARDS if deals_only else ORDER_CARDS
    if figures.get("has_order_lines") is False and figures.get("has_deals") is False:
        cards = CUSTOMER_CARDS
    if _get(figures, "recurring.monthly_lost") is not None:
        cards = (*cards, *RECURRING_CARDS)
    return cards[:limit] if limit else cards


def kpi_table(figures: dict, locale: str, keys: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The headline figures of ``figures`` (``metrics(ctx)``, or a region's metrics.json read
    back) as card rows: metric, label, value, display, vs_previous, vs_year_ago; ``keys``
    picks and orders the cards (default: headline_cards(figures)).

    >>> kpi_table({"revenue": 15000.0, "deltas": {"vs_previous": {"revenue": 0.25}, "vs_year_ago": {}}},
    ...           "en", keys=("revenue",))[["label", "display", "vs_previous"]].values.tolist()
    [['Revenue', '¥15.0K', 0.25]]
    """
    currency = figures_currency(figures)
    formatters = {"count": lambda v: i18n.format_count(v, locale),
                  "money": lambda v: i18n.format_money(v, locale, currency),
                  "percent": lambda v: i18n.format_percent(v, locale)}
    cards = {key: (dotted, kind) for key, dotted, kind in CARDS}
    directions = {**DIRECTIONS, **(figures.get("directions") or {})}
    targets = figures.get("targets") or {}
    rows = []
    for key in keys or headline_cards(figures):
        dotted, kind = cards[key]
        value = _get(figures, dotted)
        apart = _get(figures, f"{dotted}_by_currency") if kind == "money" else None
        target = targets.get(key) or {}
        rows.append({"metric": key, "label": i18n.label(key, locale), "value": value,
                     "display": i18n.format_money_by_currency(apart, locale) if apart else formatters[kind](value),
                     "vs_previous": figures["deltas"]["vs_previous"].get(dotted),
                     "vs_year_ago": figures["deltas"]["vs_year_ago"].get(dotted),
                     "kind": kind, "direction": directions.get(key, "up"),
                     "target": target.get("goal"),
                     # short (¥3,000万): the target line shares a card with the figure
                     "target_display": (short_money(target["goal"], locale, currency) if kind == "money"
                                        else formatters[kind](target["goal"])) if target else None,
                     "attainment": target.get("attainment"), "met": target.get("met")})
    return pd.DataFrame(rows)


def figures_currency(figures: dict) -> str:
    """The currency of the amounts in ``figures`` (metrics.json): its ``currency``; its
    currencies joined (EUR+USD) when they were not converted; CNY for older files."""
    return figures.get("currency") or "+".join(figures.get("currencies") or []) or i18n.DEFAULT_CURRENCY


def deals_known_by(ctx: ReportContext, period: Period) -> pd.DataFrame:
    """The deals a period's figures count: created by its end, or undated (an export without
    creation dates still counts its deals)."""
    end = period.end_exclusive_ts
    return ctx.deals[(ctx.deals["created_at"] < end) | ctx.deals["created_at"].isna()]


def deal_totals_in(ctx: ReportContext, period: Period) -> dict:
    """deal_totals of a period, as period_figures counts them."""
    return deal_totals(deals_known_by(ctx, period), period.start_ts, period.end_exclusive_ts)
