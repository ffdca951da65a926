"""What a report notebook imports: one context per region and period, one call per section.

>>> ctx = load(region="华东", period="2025-Q4", locale="zh")   # doctest: +SKIP
>>> kpis(ctx)                                                  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown

from custreport import charts, i18n, store
from custreport.analysis.allocation import AllocationRules, allocate, workload
from custreport.analysis.deals import deal_totals
from custreport.analysis.funnel import Funnel, deals_in_play, funnel_table, stage_counts
from custreport.analysis.frames import aligned, before_column, customer_ledger, ids_in, looked_up, sort_rows, \
    spans_at, with_keys
from custreport.analysis.pivots import by_customer, count_pivot, customer_pivot, sales_pivot
from custreport.analysis.sales import revenue_by_month, sales_totals, sold_in, top_from_ledger
from custreport.analysis.rfm import OTHERS, SEGMENT_RULES, SegmentRule, abc_summary, abc_tiers, rfm_from_ledger, \
    segment_summary
from custreport.analysis.service import open_complaints, service_signals
from custreport.analysis.segments import classify_by_spans, classify_customers, completed, customer_counts, \
    is_completed, movement_between, movement_counts
from custreport.analysis.value import ValueModels, at_risk, high_value, values_from_ledger
from custreport.config import AnalysisSettings, RegionTable, StageCatalog, StageList, UserError, default_store, \
    load_analysis, load_stages, project_root
from custreport.periods import Period, PeriodError, parse_period
from custreport.render.tables import Table

# Counts and amounts that add up across regions; ratios (aov, win rate) do not.
ADDITIVE = ("customers.total", "customers.new", "customers.active", "customers.churned", "customers.prospect",
            "revenue", "orders", "deals.won", "deals.lost", "deals.open", "deals.won_value", "deals.pipeline_value",
            "movement.new", "movement.retained", "movement.reactivated", "movement.lost")


ORDER_COLUMNS = ("order_id", "customer_id", "order_date", "amount", "product", "channel", "status", "region")


@dataclass
class ReportContext:
    """Everything a report section needs for one region and period."""

    region: str                  # region code, or "all" for the whole company
    period: Period
    locale: str
    snapshot: store.Snapshot
    regions: RegionTable
    customers: pd.DataFrame      # customers of the region
    orders: pd.DataFrame         # their orders dated before the period end
    deals: pd.DataFrame          # deals of the region created before the period end
    reps: pd.DataFrame           # every rep (allocation only picks reps of the customer's region)
    interactions: pd.DataFrame   # service interactions of the region's customers before the period end
    settings: AnalysisSettings
    stages: StageCatalog

    @property
    def as_of(self) -> pd.Timestamp:
        """The last moment of the period: classifications and models look from here."""
        return self.period.end_exclusive_ts - pd.Timedelta(milliseconds=1)

    @cached_property
    def sales(self) -> pd.DataFrame:
        """The revenue-bearing (completed) orders of ``orders``."""
        return completed(self.orders)

    @cached_property
    def period_sales(self) -> pd.DataFrame:
        """Completed orders dated in the period."""
        return sold_in(self.orders, self.period.start_ts, self.period.end_exclusive_ts)

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """Per-customer order figures at the period end, for the period, the RFM lookback and
        the earlier ends the comparisons classify at (one pass over the orders)."""
        lookback = self.settings.rfm.lookback_days
        since = self.as_of - pd.Timedelta(days=lookback) if lookback is not None else None
        return customer_ledger(self.orders, self.as_of, period_start=self.period.start_ts, lookback_since=since,
                               earlier_ends=(self.period.start_ts, self.period.year_ago.end_exclusive_ts),
                               counted=is_completed(self.orders))

    @cached_property
    def classified(self) -> pd.DataFrame:
        """Customers existing at the period end, with their type then."""
        return self.classified_at(self.period.end_exclusive_ts)

    @cached_property
    def customer_value(self) -> tuple[pd.DataFrame, ValueModels]:
        """Per-customer historical and predicted value, and the fitted models (see analysis.value)."""
        value = self.settings.value
        return values_from_ledger(self.ledger, self.as_of, horizon=value.horizon, months=12,
                                  monthly_discount=value.monthly_discount, time_unit=value.time_unit_days)

    @cached_property
    def segment_rules(self) -> tuple[SegmentRule, ...]:
        """The RFM segment rules in force: params/analysis.yaml's, else the shipped eleven."""
        rules = self.settings.rfm.segments
        return tuple(SegmentRule(r.name, r.r, r.f, r.m) for r in rules) if rules else SEGMENT_RULES

    @cached_property
    def at_risk(self) -> pd.DataFrame:
        """Every valuable customer slipping away (P(alive) under the threshold), most at stake first."""
        values, _ = self.customer_value
        settings = self.settings.value
        return at_risk(values, settings.at_risk_p_alive, settings.at_risk_revenue_share, limit=len(values))

    @cached_property
    def rfm(self) -> pd.DataFrame:
        """RFM scores and segments of the customers who bought by the period end."""
        return rfm_from_ledger(self.ledger, self.as_of, self.segment_rules)

    @property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.segment_rules) + (OTHERS,)

    @cached_property
    def customer_figures(self) -> pd.DataFrame:
        """The ledger row of each customer, in the order and with the index of ``customers``
        (NA for customers without orders): joined once, reused by every classification."""
        return aligned(self.ledger, self.customers["customer_id"])

    @cached_property
    def period_customers(self) -> pd.DataFrame:
        """``classified`` with the period's completed revenue, orders and order lines (0 for none)."""
        # classified keeps the rows (and index) of customers that existed at the period end
        period = self.customer_figures.loc[self.classified.index]
        return self.classified.assign(period_revenue=period["period_revenue"].fillna(0.0),
                                      period_orders=period["period_orders"].fillna(0).astype("int64"),
                                      period_lines=period["period_lines"].fillna(0).astype("int64"))

    @cached_property
    def period_revenue(self) -> pd.Series:
        """Completed revenue in the period per customer existing at its end (0 for none)."""
        frame = self.period_customers
        return pd.Series(frame["period_revenue"].to_numpy(), index=frame["customer_id"].to_numpy(), name="revenue")

    @cached_property
    def abc(self) -> pd.Series:
        """ABC tier per customer by the period's revenue."""
        return abc_tiers(self.period_revenue, self.settings.abc.a_share, self.settings.abc.b_share)

    def classified_at(self, end_exclusive: pd.Timestamp) -> pd.DataFrame:
        """Customers existing just before ``end_exclusive`` with their type then (cached per date).

        At the period end: every customer column (``classified``). At other ends, what the
        comparisons need: customer_id, created_at, first_order, last_order, customer_type.
        """
        cache = self.__dict__.setdefault("_classified", {})
        if end_exclusive not in cache:
            as_of = end_exclusive - pd.Timedelta(milliseconds=1)
            active_days = self.settings.classification.active_days
            # earlier classifications only count types: copying every customer column is waste
            identity = self.customers[["customer_id", "created_at"]]
            if end_exclusive == self.period.end_exclusive_ts:
                cache[end_exclusive] = classify_by_spans(self.customers, self.customer_figures, as_of, active_days)
            elif before_column(end_exclusive) in self.ledger:
                cache[end_exclusive] = classify_by_spans(identity, spans_at(self.customer_figures, end_exclusive),
                                                         as_of, active_days)
            else:
                cache[end_exclusive] = classify_customers(identity, self.sales, as_of, active_days)
        return cache[end_exclusive]

    @cached_property
    def movement(self) -> pd.DataFrame:
        """New, retained, reactivated and lost customers over the period."""
        return movement_between(self.classified_at(self.period.start_ts), self.classified)

    def pivot(self, by: str) -> pd.DataFrame:
        """The period's sales pivot by a customer column (region, province, industry,
        customer_type, owner_rep, ...) or an order column (channel, product), with totals."""
        cache = self.__dict__.setdefault("_pivots", {})
        if by not in cache:
            total = self.label("total")
            if by_customer(by, self.classified):
                cache[by] = customer_pivot(self.period_customers, self.ledger, by, total, self.label("unknown"))
            else:
                # only the columns an order pivot reads: filtering copies every column a frame carries
                order = "order_key" if "order_key" in self.orders else "order_id"
                used = dict.fromkeys((by, "customer_id", "customer_key", order, "order_date", "amount", "status"))
                cache[by] = sales_pivot(self.classified, self.orders[[c for c in used if c in self.orders]], by,
                                        self.period.start_ts, self.period.end_exclusive_ts, total,
                                        self.label("unknown"))
        return cache[by]

    @cached_property
    def figures(self) -> dict:
        """metrics.json of this context (computed once; KPI cards and the workbook reuse it)."""
        return compute_metrics(self)

    @cached_property
    def stage_list(self) -> StageList:
        """The stage list of the region's deals: that of the source holding most of them."""
        sources = self.deals["source"].value_counts()
        if sources.empty:
            return self.stages.lists[self.stages.default]
        main = str(sources.index[0])
        return self.stages.for_source(main, self.deals.loc[self.deals["source"] == main, "stage"].dropna().unique())

    @cached_property
    def funnel(self) -> Funnel:
        """The period's funnel on the region's stage list."""
        return funnel_table(self.deals, self.stage_list, self.period.start_ts, self.period.end_exclusive_ts)

    @cached_property
    def allocation(self) -> pd.DataFrame:
        """Unowned customers of the region allocated to its reps, with a reason per row."""
        rules = self.settings.allocation
        extra = {"intent_scores": rules.intent_scores} if rules.intent_scores else {}
        allocation_rules = AllocationRules(
            value_weight=rules.value_weight, intent_weight=rules.intent_weight, recency_weight=rules.recency_weight,
            recency_days=rules.recency_days, industry_match=rules.industry_match,
            default_capacity=rules.default_capacity, include_orphaned=rules.include_orphaned, **extra)
        names = {code: self.regions.display_name(code, self.locale) for code in self.regions.codes}
        # classified customers carry their last completed order: allocation need not read the orders
        return allocate(self.classified, self.reps, None, self.as_of, allocation_rules, self.locale, names)

    @property
    def region_name(self) -> str:
        return self.regions.display_name(self.region, self.locale)

    def label(self, key: str) -> str:
        return i18n.label(key, self.locale)

    def money(self, value) -> str:
        return i18n.format_money(value, self.locale)

    def count(self, value) -> str:
        return i18n.format_count(value, self.locale)


def load(region: str = "all", period: str = "latest", store_path: str | Path | None = None,
         locale: str = "zh", today: dt.date | None = None) -> ReportContext:
    """Load the slice of the current snapshot a report on ``region`` and ``period`` needs.

    ``region`` is a code, name or alias from params/regions.yaml, ``unknown``, or ``all``;
    ``period`` anything periods.parse_period accepts, or ``latest`` (the latest complete
    quarter in the data). Raises UserError with one line
    when a parameter is wrong.
    """
    locale = i18n.check_locale(locale)
    settings = load_analysis()
    folder = Path(store_path) if store_path else default_store(project_root())
    snapshot = store.current_snapshot(folder)
    regions = store.snapshot_regions(snapshot)
    code = regions.region_param(str(region))
    parsed = resolve_period(period, snapshot, today=today)
    only = None if code == "all" else [code]
    end = parsed.end_exclusive_ts
    customers = store.read_table(snapshot, "customers", regions=only)
    # Lineage columns are left on disk: every row filter copies each column a frame carries.
    orders = with_keys(store.read_table(snapshot, "orders", regions=only, date_column="order_date", until=end,
                                        columns=list(ORDER_COLUMNS)))
    deals = store.read_table(snapshot, "deals", regions=only, date_column="created_at", until=end)
    reps = store.read_table(snapshot, "reps")   # all: an owner may be a rep of another region
    interactions = store.read_table(snapshot, "interactions", date_column="date", until=end)
    if only is not None:   # interactions carry no region: they follow their customer
        interactions = interactions[ids_in(interactions["customer_id"], customers["customer_id"])]
    return ReportContext(code, parsed, locale, snapshot, regions, customers, orders, deals, reps, interactions,
                         settings, load_stages())


# --------------------------------------------------------------------------- figures


def period_figures(ctx: ReportContext, period: Period) -> dict:
    """The headline numbers of one period (the report's own, its previous, or a year ago)."""
    start, end = period.start_ts, period.end_exclusive_ts
    classified = ctx.classified_at(end)
    deals_then = ctx.deals[(ctx.deals["created_at"] < end) | ctx.deals["created_at"].isna()]
    return {
        "customers": customer_counts(classified, start, end),
        **{k: v for k, v in sales_totals(ctx.orders, start, end).items() if k in ("revenue", "orders", "aov")},
        "deals": deal_totals(deals_then, start, end),
    }


def _get(figures: dict, dotted: str):
    value = figures
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _relative_change(now, before):
    if now is None or before in (None, 0):
        return None
    return round((now - before) / abs(before), 4)


def metrics(ctx: ReportContext) -> dict:
    """The machine-readable figures of metrics.json (stable keys; see docs/metrics.md)."""
    return ctx.figures


def compute_metrics(ctx: ReportContext) -> dict:
    """metrics() without the per-context cache."""
    current = period_figures(ctx, ctx.period)
    previous = period_figures(ctx, ctx.period.previous)
    year_ago = period_figures(ctx, ctx.period.year_ago)
    compared = ("customers.total", "customers.new", "customers.active", "revenue", "orders", "aov",
                "deals.won", "deals.win_rate", "deals.pipeline_value")
    return {
        "region": ctx.region,
        "region_name": ctx.regions.display_name(ctx.region, "zh") if ctx.region != "all" else "all",
        "period": {"label": ctx.period.label, "start": ctx.period.start.isoformat(), "end": ctx.period.end.isoformat()},
        "snapshot": ctx.snapshot.id,
        **current,
        "movement": movement_counts(ctx.movement),
        **funnel_figures(ctx),
        "value": value_figures(ctx),
        "segments": segment_figures(ctx),
        "allocation": allocation_figures(ctx),
        "service": service_signals(ctx.interactions, ctx.period.start_ts, ctx.period.end_exclusive_ts),
        "quality": quality_totals(ctx),
        "previous": {"period": ctx.period.previous.label, **previous},
        "year_ago": {"period": ctx.period.year_ago.label, **year_ago},
        "deltas": {
            "vs_previous": {key: _relative_change(_get(current, key), _get(previous, key)) for key in compared},
            "vs_year_ago": {key: _relative_change(_get(current, key), _get(year_ago, key)) for key in compared},
        },
    }


def _time_unit(days: float) -> str:
    return {7.0: "weeks", 1.0: "days"}.get(float(days), f"{days:g} days")


def value_figures(ctx: ReportContext) -> dict:
    """The fitted value models (time unit: weeks by default) and the totals they imply."""
    values, models = ctx.customer_value
    settings = ctx.settings.value
    clv = values["clv"]
    return {
        **models.as_dict(_time_unit(settings.time_unit_days)),
        "clv_12m_total": round(float(clv.sum()), 2) if clv.notna().any() else None,
        "monthly_discount": settings.monthly_discount,
        "horizon": settings.horizon,
        "expected_purchases_total": (round(float(values["expected_purchases"].sum()), 2)
                                     if values["expected_purchases"].notna().any() else None),
        "revenue_to_date": round(float(values["revenue_to_date"].sum()), 2),
        "at_risk_customers": int(len(ctx.at_risk)),
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
    accounting = store.read_side_table(ctx.snapshot, "accounting")
    keys = ("rows_read", "loaded", "merged", "non_data", "quarantined")
    return {key: int(accounting[key].sum()) if key in accounting else 0 for key in keys}


# --------------------------------------------------------------------------- sections


def header(ctx: ReportContext, report: str = "summary") -> HTML:
    """Title block: report, region, period, generation time and data snapshot."""
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    rows = [("region", ctx.region_name), ("period", f"{ctx.period.label} ({ctx.period.start} – {ctx.period.end})"),
            ("generated_at", generated), ("snapshot", ctx.snapshot.id)]
    meta = "".join(f"<div><dt>{html.escape(ctx.label(k))}</dt><dd>{html.escape(str(v))}</dd></div>" for k, v in rows)
    title = report_title(ctx, report)
    return HTML(f'<header class="report-title"><h1>{html.escape(title)}</h1><dl>{meta}</dl></header>')


def section(ctx: ReportContext, key: str) -> Markdown:
    """A section heading in the report's language."""
    return Markdown(f"## {ctx.label(key)}")


class KpiCards:
    """KPI cards with deltas; ``table`` holds the same numbers as a frame."""

    def __init__(self, table: pd.DataFrame, locale: str):
        self.table = table
        self.locale = locale

    def _repr_html_(self) -> str:
        cards = []
        for row in self.table.itertuples(index=False):
            deltas = "".join(
                f'<span class="delta {_trend(value)}">{html.escape(i18n.label(key, self.locale))} '
                f"{html.escape(i18n.format_delta(value, self.locale))}</span>"
                for key, value in (("vs_previous", row.vs_previous), ("vs_year_ago", row.vs_year_ago)))
            cards.append(f'<div class="kpi"><div class="kpi-label">{html.escape(row.label)}</div>'
                         f'<div class="kpi-value">{html.escape(row.display)}</div>'
                         f'<div class="kpi-deltas">{deltas}</div></div>')
        return f'<div class="kpi-grid">{"".join(cards)}</div>'


def _trend(value) -> str:
    if value is None or pd.isna(value) or value == 0:
        return "flat"
    return "up" if value > 0 else "down"


_CARDS = (("customers_total", "customers.total", "count"), ("customers_new", "customers.new", "count"),
          ("customers_active", "customers.active", "count"), ("revenue", "revenue", "money"),
          ("orders", "orders", "count"), ("aov", "aov", "money"), ("deals_won", "deals.won", "count"),
          ("win_rate", "deals.win_rate", "percent"), ("pipeline_value", "deals.pipeline_value", "money"))


def kpis(ctx: ReportContext, figures: dict | None = None) -> KpiCards:
    """The headline KPI cards with change against the previous period and a year ago."""
    figures = figures or metrics(ctx)
    formatters = {"count": ctx.count, "money": ctx.money,
                  "percent": lambda v: i18n.format_percent(v, ctx.locale)}
    rows = []
    for key, dotted, kind in _CARDS:
        value = _get(figures, dotted)
        rows.append({"metric": key, "label": ctx.label(key), "value": value,
                     "display": formatters[kind](value),
                     "vs_previous": figures["deltas"]["vs_previous"].get(dotted),
                     "vs_year_ago": figures["deltas"]["vs_year_ago"].get(dotted)})
    return KpiCards(pd.DataFrame(rows), ctx.locale)


def trend_months(ctx: ReportContext, count: int = 12) -> list[pd.Period]:
    end = pd.Period(ctx.period.end, freq="M")
    return list(pd.period_range(end=end, periods=count, freq="M"))


def revenue_trend(ctx: ReportContext, months: int = 12) -> charts.Chart:
    """Completed revenue per month for the ``months`` months ending with the period."""
    frame = revenue_by_month(ctx.orders, trend_months(ctx, months))
    frame["month"] = frame["month"].astype(str)
    colour = charts.REGION_COLOURS.get(ctx.region)
    return charts.line_chart(frame, "month", "revenue", title=f"{ctx.label('trend')} · {ctx.region_name}",
                             value_format=lambda v: i18n.format_money(v, ctx.locale, decimals=0), colour=colour)


def customers_by_type_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers at the period end by place (region for the company, else province) x type."""
    by = "region" if ctx.region == "all" else "province"
    frame = ctx.classified
    if by == "region":
        frame = frame.assign(region=_each_distinct(frame["region"], lambda c: ctx.regions.display_name(c, ctx.locale)))
    table = count_pivot(frame, by, "customer_type", total_label=ctx.label("total"),
                        column_order=["active", "prospect", "churned"], missing_label=ctx.label("unknown"))
    table = table.rename(columns={c: ctx.label(c) for c in ("active", "prospect", "churned")})
    table.index.name = ctx.label(by)
    return table


def customers_by_type(ctx: ReportContext) -> Table:
    """The customers-by-type pivot with totals."""
    return Table(customers_by_type_frame(ctx), formats={}, index=True, total_row=True)


def top_customers(ctx: ReportContext, limit: int = 10) -> Table:
    """The period's top customers by completed revenue."""
    frame = top_from_ledger(ctx.ledger, ctx.customers, limit)
    frame = frame.assign(region=frame["region"].map(lambda c: ctx.regions.display_name(c, ctx.locale)))
    frame = frame.rename(columns={c: ctx.label(c) for c in frame.columns})
    return Table(frame, formats={ctx.label("revenue"): ctx.money,
                                 ctx.label("share"): lambda v: i18n.format_percent(v, ctx.locale)})


# --------------------------------------------------------------------------- periods and outputs


def resolve_period(text: str | None, snapshot: store.Snapshot, today: dt.date | None = None) -> Period:
    """A period parameter; empty or ``latest`` means the latest complete quarter in the data.

    The latest quarter is taken from the last order (else deal) date of the snapshot, so
    a notebook's default shows real data right after ingest, whatever today's date is.
    """
    text = (text or "").strip()
    if text and text.lower() != "latest":
        try:
            return parse_period(text, today=today)
        except PeriodError as exc:
            raise UserError(str(exc)) from None
    ranges = snapshot.manifest.get("data_range", {})
    last = (ranges.get("orders") or ranges.get("deals") or [None, None])[1]
    if last is None:
        return parse_period("last-quarter", today=today)
    last_day = pd.Timestamp(last).date()
    quarter = parse_period(f"{last_day.year}-Q{(last_day.month - 1) // 3 + 1}")
    return quarter if quarter.end <= last_day else quarter.previous


def report_title(ctx: ReportContext, report: str) -> str:
    return f"{ctx.label(report)} · {ctx.region_name} · {ctx.period.label}"


def customer_sheet_frame(ctx: ReportContext, mask_contacts: bool = True) -> pd.DataFrame:
    """The customers sheet: every customer of the region at the period end, with period sales."""
    from custreport.privacy import mask_emails, mask_phones

    columns = ["customer_id", "name", "region", "province", "city", "industry", "customer_type", "owner_rep",
               "phone", "email", "created_at", "first_order", "last_order", "period_revenue", "period_orders"]
    frame = ctx.period_customers[columns]   # before sorting: the sort copies every column
    frame = frame.assign(
        region=_each_distinct(frame["region"], lambda c: ctx.regions.display_name(c, ctx.locale)),
        customer_type=_each_distinct(frame["customer_type"], ctx.label),
        phone=mask_phones(frame["phone"]) if mask_contacts else frame["phone"],
        email=mask_emails(frame["email"]) if mask_contacts else frame["email"],
    )
    frame = sort_rows(frame, ["period_revenue", "customer_id"], ascending=[False, True])
    names = {c: ctx.label(c) for c in columns}
    names["period_revenue"] = f"{ctx.label('revenue')} ({ctx.period.label})"
    names["period_orders"] = f"{ctx.label('orders')} ({ctx.period.label})"
    return frame.rename(columns=names).reset_index(drop=True)


def _each_distinct(values: pd.Series, function) -> pd.Series:
    """``function`` applied once per distinct value (not per row) and mapped back; NA stays NA."""
    codes, distinct = pd.factorize(values)            # NA gets code -1
    mapped = pd.array([function(v) for v in distinct] + [pd.NA], dtype="string")
    return pd.Series(mapped.take(codes), index=values.index, dtype="string")


def _localised(ctx: ReportContext, frame: pd.DataFrame, values: tuple[str, ...] = ()) -> pd.DataFrame:
    """Column names (and the text of ``values`` columns) in the report's language."""
    frame = frame.assign(**{c: frame[c].map(lambda v: v if pd.isna(v) else ctx.label(str(v))) for c in values})
    return frame.rename(columns={c: ctx.label(str(c)) for c in frame.columns})


def allocation_frame(ctx: ReportContext) -> pd.DataFrame:
    """The allocation table as the workbook shows it: region names, labelled columns."""
    frame = ctx.allocation.assign(region=ctx.allocation["region"].map(
        lambda c: c if pd.isna(c) else ctx.regions.display_name(c, ctx.locale)))
    return _localised(ctx, frame, values=("status",))


def workload_frame(ctx: ReportContext) -> pd.DataFrame:
    """Reps of the region with their customers before and after the allocation."""
    rules = AllocationRules(default_capacity=ctx.settings.allocation.default_capacity)
    table = workload(ctx.classified, ctx.reps, ctx.allocation, rules)
    if ctx.region != "all":
        table = table[table["region"] == ctx.region]
    table = table.assign(region=table["region"].map(lambda c: c if pd.isna(c) else ctx.regions.display_name(c, ctx.locale)))
    return _localised(ctx, table.rename(columns={"name": "rep"}))


def rfm_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers and revenue per RFM segment, in rule order."""
    table = segment_summary(ctx.rfm, ctx.segment_names).reset_index()
    return _localised(ctx, table, values=("segment",))


def abc_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers and the period's revenue per ABC tier."""
    return _localised(ctx, abc_summary(ctx.period_revenue, ctx.abc).reset_index().rename(columns={"tier": "tier"}))


def funnel_frame(ctx: ReportContext) -> pd.DataFrame:
    """The period's funnel rows."""
    table = ctx.funnel.stages.assign(bottleneck=ctx.funnel.stages["bottleneck"].map(lambda b: "●" if b else ""))
    return _localised(ctx, table)


def _named_values(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(name=looked_up(ctx.customers, frame["customer_id"], "name"))
    columns = ["customer_id", "name", "revenue_to_date", "orders_to_date", "last_order", "p_alive",
               "expected_purchases", "clv", *(["value_at_stake"] if "value_at_stake" in frame else [])]
    return _localised(ctx, frame[columns])


def high_value_frame(ctx: ReportContext) -> pd.DataFrame:
    """The customers worth most over the next 12 months."""
    values, _ = ctx.customer_value
    return _named_values(ctx, high_value(values, ctx.settings.value.list_size))


def at_risk_frame(ctx: ReportContext) -> pd.DataFrame:
    """Valuable customers whose P(alive) has fallen under the threshold."""
    return _named_values(ctx, ctx.at_risk.head(ctx.settings.value.list_size))


def open_complaints_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers with complaints still open at the period end, oldest first."""
    return _localised(ctx, open_complaints(ctx.interactions, ctx.as_of, ctx.customers))


def workbook_sheets(ctx: ReportContext) -> list:
    """Sheets of the region's Excel workbook: customers, pivot, KPIs, then one per analysis."""
    from custreport.render.excel import Sheet

    customers = customer_sheet_frame(ctx)
    money_columns = {c: "#,##0.00" for c in customers.columns if c.startswith(ctx.label("revenue"))}
    figures = kpis(ctx).table[["label", "value", "vs_previous", "vs_year_ago"]].rename(columns={
        "label": ctx.label("metric"), "value": ctx.label("value"),
        "vs_previous": ctx.label("vs_previous"), "vs_year_ago": ctx.label("vs_year_ago")})
    money, share, ratio = "#,##0.00", "0.0%", "0.000"

    def formats(money_keys=(), share_keys=(), ratio_keys=()) -> dict[str, str]:
        return {**{ctx.label(k): money for k in money_keys}, **{ctx.label(k): share for k in share_keys},
                **{ctx.label(k): ratio for k in ratio_keys}}

    value_formats = formats(("revenue_to_date", "clv", "value_at_stake"), ("p_alive",), ("expected_purchases",))
    return [
        Sheet(ctx.label("customers_sheet"), customers, money_columns),
        Sheet(ctx.label("pivot_sheet"), customers_by_type_frame(ctx), index=True),
        Sheet(ctx.label("kpis"), figures, {ctx.label("vs_previous"): "0.0%", ctx.label("vs_year_ago"): "0.0%"}),
        Sheet(ctx.label("funnel_sheet"), funnel_frame(ctx),
              formats(share_keys=("step_conversion", "cumulative_conversion"))),
        Sheet(ctx.label("rfm_sheet"), rfm_frame(ctx),
              formats(("monetary",), ("customer_share", "revenue_share"))),
        Sheet(ctx.label("abc_sheet"), abc_frame(ctx), formats(("revenue",), ("revenue_share",))),
        Sheet(ctx.label("high_value_sheet"), high_value_frame(ctx), value_formats),
        Sheet(ctx.label("at_risk_sheet"), at_risk_frame(ctx), value_formats),
        Sheet(ctx.label("allocation_sheet"), allocation_frame(ctx),
              formats(("potential_value",), ratio_keys=("priority",))),
        Sheet(ctx.label("workload_sheet"), workload_frame(ctx), formats(share_keys=("utilisation",))),
        Sheet(ctx.label("complaints_sheet"), open_complaints_frame(ctx)),
    ]
