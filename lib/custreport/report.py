"""What a report notebook imports: one context per region and period, one call per section.

>>> ctx = load(region="华东", period="2025-Q4", locale="zh")   # doctest: +SKIP
>>> kpis(ctx)                                                  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from custreport import charts, i18n, store
from custreport.analysis.allocation import AllocationRules, allocate, workload
from custreport.analysis.deals import deal_totals, won_value_by_month
from custreport.analysis.industries import industry_names, listed_industry_names
from custreport.analysis.leads import lead_funnel, lead_totals
from custreport.analysis.funnel import Funnel, deal_breakdown, deals_in_play, funnel_table, stage_counts
from custreport.analysis.frames import before_column, customer_ledger, each_distinct, sort_rows, spans_at, with_credits
from custreport.analysis.pivots import by_customer, count_pivot, customer_pivot, sales_pivot
from custreport.analysis.sales import revenue_by_month, revenue_movers, sales_totals, sold_in, top_from_ledger
from custreport.analysis.rfm import OTHERS, SEGMENT_RULES, SegmentRule, abc_summary, abc_tiers, rfm_from_ledger, \
    segment_summary
from custreport.analysis.service import open_complaints, service_signals
from custreport.analysis.segments import classify_by_spans, classify_customers, completed, customer_counts, \
    is_completed, is_credit, movement_between, movement_counts, recurring_charges
from custreport.analysis.value import ValueModels, at_risk, high_value, values_from_ledger
from custreport.analysis.currency import split_by_currency, to_reporting_currency
from custreport.figures import CARDS, COMPARED
from custreport.keyed_frames import aligned, ids_in, looked_up
from custreport.ingest.merged_records import customers_merged_from_rows, records_merged_into
from custreport.analysis_settings import AnalysisSettings, load_analysis
from custreport.config import IndustryTable, RegionTable, default_store, load_industries, project_root
from custreport.errors import UserError
from custreport.fx import FxTable, load_fx
from custreport.stages import StageCatalog, StageList, load_stages
from custreport.notebook_parameters import check_injected
from custreport.periods import Period, PeriodError, parse_period
from custreport.privacy import mask_contacts_in_texts, mask_emails, mask_phones
from custreport.render.tables import Table

# Counts and amounts that add up across regions; ratios (aov, win rate) do not.
ADDITIVE = ("customers.total", "customers.new", "customers.active", "customers.churned", "customers.prospect",
            "revenue", "orders", "deals.won", "deals.lost", "deals.open", "deals.won_value", "deals.pipeline_value",
            "deals.open_without_amount", "movement.new", "movement.retained", "movement.reactivated", "movement.lost",
            "returns.orders", "returns.amount", "leads.leads", "leads.converted", "leads.won", "leads.disqualified")


ORDER_COLUMNS = ("order_id", "customer_id", "order_date", "amount", "product", "channel", "status", "region")
ORDER_KEYS = ("customer_key", "order_key")   # stored by the store: customer_ledger groups by them


@dataclass
class ReportContext:
    """Everything a report section needs for one region and period."""

    region: str                  # region code, or "all" for the whole company
    period: Period
    locale: str
    snapshot: store.Snapshot
    regions: RegionTable
    customers: pd.DataFrame      # customers of the region (industries named as params/industries.yaml says)
    orders: pd.DataFrame         # their orders dated before the period end
    deals: pd.DataFrame          # deals of the region created before the period end
    reps: pd.DataFrame           # every rep (allocation only picks reps of the customer's region), industries named
    interactions: pd.DataFrame   # service interactions of the region's customers before the period end
    settings: AnalysisSettings
    stages: StageCatalog
    industries: IndustryTable
    fx: FxTable | None = None    # params/fx.yaml: amounts were converted to its reporting currency on load

    @property
    def currencies(self) -> list[str]:
        """The currencies of the snapshot's amounts (ISO 4217; CNY for a snapshot older than the record)."""
        return list(self.snapshot.manifest.get("currencies", [i18n.DEFAULT_CURRENCY]))

    @property
    def mixed_currencies(self) -> bool:
        """Amounts in several currencies and no params/fx.yaml to convert them: each is reported apart."""
        return self.fx is None and len(self.currencies) > 1

    @property
    def currency(self) -> str:
        """What the report's amounts are in: the reporting currency of params/fx.yaml, else the
        snapshot's one currency; with several and no rates, their codes joined (EUR+USD), which
        marks an amount that adds currencies."""
        if self.fx is not None:
            return self.fx.reporting_currency
        return "+".join(self.currencies) or i18n.DEFAULT_CURRENCY

    @property
    def has_order_lines(self) -> bool:
        """Whether the snapshot holds any order line (in any region or period)."""
        return int(self.snapshot.manifest.get("rows", {}).get("orders", 0)) > 0

    @property
    def has_deals(self) -> bool:
        """Whether the snapshot holds any deal (in any region or period)."""
        return int(self.snapshot.manifest.get("rows", {}).get("deals", 0)) > 0

    @property
    def has_leads(self) -> bool:
        """Whether the snapshot holds any lead (a leads source): the lead funnel is shown only then."""
        return int(self.snapshot.manifest.get("rows", {}).get("leads", 0)) > 0

    @cached_property
    def leads(self) -> pd.DataFrame:
        """The region's leads first contacted before the period end (none for an older snapshot),
        their sources named in the report's language."""
        leads = store.read_table(self.snapshot, "leads", regions=None if self.region == "all" else [self.region],
                                 date_column="created_at", until=self.period.end_exclusive_ts)
        if self.locale != "en":
            return leads
        return leads.assign(lead_source=each_distinct(
            leads["lead_source"], lambda name: self.stages.english.of("lead_sources", name, self.locale)))

    @cached_property
    def lead_deals(self) -> pd.DataFrame:
        """Every deal a lead may have become, whatever its region or date: a lead's deal may be
        filed under another region, and one created after the period still names it (not yet
        converted, rather than converted to a deal the report cannot see)."""
        deals = store.read_table(self.snapshot, "deals", columns=["deal_id", "outcome", "amount", "created_at",
                                                                  "closed_at", *_currency_column(self.snapshot)])
        return _in_reporting_currency(deals, self.fx, "deals")

    @property
    def revenue_basis(self) -> str:
        """What "revenue" is in this report: ``orders`` (completed order lines) or ``won_deals``
        (the value of deals won), as params/analysis.yaml ``revenue`` says; ``auto`` picks
        orders when the snapshot has order lines, else won deals."""
        chosen = self.settings.revenue
        if chosen == "auto":
            return "orders" if self.has_order_lines else "won_deals"
        return chosen

    @property
    def data_through(self) -> pd.Timestamp | None:
        """The last date the snapshot holds revenue data for (the last order line; for won-deal
        revenue the last deal created or closed); None when it holds none."""
        return data_through(self.snapshot.manifest, self.revenue_basis)

    @property
    def as_of(self) -> pd.Timestamp:
        """The last moment of the period: classifications and models look from here."""
        return self.period.end_exclusive_ts - pd.Timedelta(milliseconds=1)

    @cached_property
    def purchases(self) -> pd.DataFrame:
        """What customers bought, as order lines: ``orders``; when the snapshot has no order line
        at all, the won deals with a customer and a close date (a deal won is a purchase of its
        amount on its close date), so that customer types, RFM, the value models and the top
        customers of a deals-only business come from what it won."""
        if self.has_order_lines:
            return self.orders
        # A deal's region is its own (or its owner's): the region's customers' deals may be filed
        # under other regions, and an order always follows its customer. Read them all.
        deals = self.deals if self.region == "all" else store.read_table(
            self.snapshot, "deals", date_column="created_at", until=self.period.end_exclusive_ts,
            columns=["deal_id", "customer_id", "closed_at", "amount", "outcome", *_currency_column(self.snapshot)])
        deals = _in_reporting_currency(deals, self.fx, "deals")
        won = deals[(deals["outcome"] == "won").fillna(False) & deals["closed_at"].notna()
                    & ids_in(deals["customer_id"], self.customers["customer_id"])]
        return pd.DataFrame({"order_id": won["deal_id"].astype("string"), "customer_id": won["customer_id"],
                             "order_date": won["closed_at"], "amount": won["amount"],
                             "status": pd.Series("completed", index=won.index, dtype="string")}).reset_index(drop=True)

    @cached_property
    def sales(self) -> pd.DataFrame:
        """The revenue-bearing (completed) lines of ``purchases``."""
        return completed(self.purchases)

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
        lines = self.purchases
        ledger = customer_ledger(lines, self.as_of, period_start=self.period.start_ts, lookback_since=since,
                                 earlier_ends=(self.period.start_ts, self.period.year_ago.end_exclusive_ts),
                                 counted=is_completed(lines))
        credits = is_credit(lines)   # returns and cancellations net revenue, never make orders
        if not credits.any():
            return ledger
        return with_credits(ledger, lines[credits], self.as_of, self.period.start_ts, since)

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
            identity = self.customers[[c for c in ("customer_id", "created_at", "status") if c in self.customers]]
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
        """The period's funnel on the region's stage list, stages named in the report's language."""
        funnel = funnel_table(self.deals, self.stage_list, self.period.start_ts, self.period.end_exclusive_ts)
        if self.locale != "en":
            return funnel
        stages = funnel.stages.assign(stage=funnel.stages["stage"].map(lambda s: self.stage_list.display(s, "en")))
        return dataclasses.replace(funnel, stages=stages)

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

    def side_table(self, name: str) -> pd.DataFrame:
        """A side table of the snapshot (store.SIDE_TABLES: accounting, fixes, lineage ...), read once."""
        cache = self.__dict__.setdefault("_side_tables", {})
        if name not in cache:
            cache[name] = store.read_side_table(self.snapshot, name)
        return cache[name]

    @property
    def region_name(self) -> str:
        return self.regions.display_name(self.region, self.locale)

    def label(self, key: str) -> str:
        return i18n.label(key, self.locale)

    def money(self, value, decimals: int | None = None) -> str:
        return i18n.format_money(value, self.locale, self.currency, decimals)

    def money_axis(self, value) -> str:
        """A chart axis tick in the store's currency (as few decimals as keep ticks apart)."""
        return i18n.format_money_axis(value, self.locale, self.currency)

    def count(self, value) -> str:
        return i18n.format_count(value, self.locale)


def load(region: str = "all", period: str = "latest", store_path: str | Path | None = None,
         locale: str = "zh", today: dt.date | None = None, reuse: bool = True,
         snapshot: str | None = None) -> ReportContext:
    """Load the slice of the current snapshot a report on ``region`` and ``period`` needs,
    with each industry by its one name in ``locale`` (params/industries.yaml).

    ``region`` is a code, name or alias from params/regions.yaml, ``unknown``, or ``all``;
    ``period`` anything periods.parse_period accepts, or ``latest`` (the latest complete
    quarter in the data); ``snapshot`` a snapshot id of the store (default: the current one).
    Raises UserError with one line
    when a parameter is wrong (also for a parameter papermill passed that no report takes).

    Loading the same slice again (same store snapshot, region, period, locale and params)
    returns the context loaded last, analyses included: treat it as read-only, or pass
    ``reuse=False`` to read and analyse afresh.
    """
    check_injected()
    locale = i18n.check_locale(locale)
    settings = load_analysis()
    stages = load_stages()
    industries = load_industries()
    fx = load_fx()
    folder = Path(store_path) if store_path else default_store(project_root())
    snapshot = store.open_snapshot(folder, snapshot)
    regions = store.snapshot_regions(snapshot)
    code = regions.region_param(str(region))
    parsed = resolve_period(period, snapshot, today=today)
    key = (str(snapshot.path.resolve()), snapshot.id, code, parsed, locale)
    last = _LAST_LOADED.get("context")
    if reuse and last is not None and last[0] == key and \
            (last[1].settings, last[1].stages, last[1].industries, last[1].fx) == (settings, stages, industries, fx):
        return last[1]
    only = None if code == "all" else [code]
    end = parsed.end_exclusive_ts
    reads = {  # Arrow decodes without the GIL: the tables are read side by side
        "customers": dict(regions=only),
        # Lineage columns are left on disk: every row filter copies each column a frame carries.
        "orders": dict(regions=only, date_column="order_date", until=end, columns=[*ORDER_COLUMNS, *ORDER_KEYS, *_currency_column(snapshot)]),
        "deals": dict(regions=only, date_column="created_at", until=end),
        "reps": dict(),   # all: an owner may be a rep of another region
        "interactions": dict(regions=only, date_column="date", until=end),
    }
    with ThreadPoolExecutor(max_workers=len(reads)) as pool:
        read = {name: pool.submit(store.read_table, snapshot, name, **options) for name, options in reads.items()}
        customers, orders, deals, reps, interactions = (read[name].result() for name in reads)
    customers = customers.assign(industry=industry_names(customers["industry"], industries, locale))
    if locale == "en":   # the English names params/regions.yaml and stages.yaml give, where they give one
        customers = customers.assign(
            province=each_distinct(customers["province"], lambda name: regions.province_name(name, locale)),
            channel=each_distinct(customers["channel"], lambda name: stages.english.of("channels", name, locale)))
        orders = orders.assign(
            channel=each_distinct(orders["channel"], lambda name: stages.english.of("channels", name, locale)))
    orders, deals = _in_reporting_currency(orders, fx, "orders"), _in_reporting_currency(deals, fx, "deals")
    reps = reps.assign(industries=listed_industry_names(reps["industries"], industries, locale))
    if only is not None and not store.filed_by_region(snapshot, "interactions"):
        # interactions carry no region: they follow their customer (older snapshots hold them in one file)
        interactions = interactions[ids_in(interactions["customer_id"], customers["customer_id"])]
    ctx = ReportContext(code, parsed, locale, snapshot, regions, customers, orders, deals, reps, interactions,
                        settings, stages, industries, fx)
    _LAST_LOADED["context"] = (key, ctx)
    return ctx


def _currency_column(snapshot: store.Snapshot) -> list[str]:
    """["currency"] when the snapshot's orders and deals carry one (written since it was recorded)."""
    return ["currency"] if "currencies" in snapshot.manifest else []


def _in_reporting_currency(frame: pd.DataFrame, fx: FxTable | None, table: str) -> pd.DataFrame:
    """Orders or deals with their amounts in params/fx.yaml's reporting currency (as they are without it)."""
    if fx is None:
        return frame
    if "currency" not in frame:   # a snapshot written before currencies were recorded: its amounts are CNY
        frame = frame.assign(currency=pd.Series(i18n.DEFAULT_CURRENCY, index=frame.index, dtype="string"))
    dates = {"orders": ["order_date"], "deals": ["closed_at", "created_at"]}[table]
    return to_reporting_currency(frame, fx, dates, table)


# The slice load() read last, with the analyses computed on it since: the reports of one
# region run one after another in one kernel, and each would otherwise read and analyse
# the same data again. Keyed by store, snapshot, region, period and locale, and only
# reused while params/analysis.yaml and stages.yaml say the same.
_LAST_LOADED: dict = {}


# --------------------------------------------------------------------------- figures


def period_figures(ctx: ReportContext, period: Period) -> dict:
    """The headline numbers of one period (the report's own, its previous, or a year ago)."""
    start, end = period.start_ts, period.end_exclusive_ts
    classified = ctx.classified_at(end)
    deals_then = ctx.deals[(ctx.deals["created_at"] < end) | ctx.deals["created_at"].isna()]
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
    compared = COMPARED
    return {
        "region": ctx.region,
        "region_name": ctx.regions.display_name(ctx.region, "zh") if ctx.region != "all" else "all",
        "period": {"label": ctx.period.label, "token": ctx.period.token, "start": ctx.period.start.isoformat(),
                   "end": ctx.period.end.isoformat(), "partial": ctx.period.partial,
                   "full_end": ctx.period.whole.end.isoformat()},
        "snapshot": ctx.snapshot.id,
        "snapshot_created_at": ctx.snapshot.created_at or None,
        "data_coverage": _coverage_dict(ctx.snapshot),
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


# --------------------------------------------------------------------------- sections


def header(ctx: ReportContext, report: str = "summary") -> HTML:
    """Title block: report, region, period (marked when partial), how far the data reaches, the
    snapshot and when it was made, and when the report was generated."""
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    coverage = data_coverage(ctx.snapshot.manifest)
    rows = [("region", ctx.region_name), ("period", period_text(ctx.period, ctx.locale)),
            ("data_through", str(coverage[1]) if coverage else ctx.label("no_data")),
            ("snapshot", snapshot_text(ctx.snapshot, ctx.locale)), ("generated_at", generated)]
    meta = "".join(f"<div><dt>{html.escape(ctx.label(k))}</dt><dd>{html.escape(str(v))}</dd></div>" for k, v in rows)
    title = report_title(ctx, report)
    banner = (f'<p class="partial-period">{html.escape(partial_warning(ctx.period, ctx.locale))}</p>'
              if ctx.period.partial else "")
    return HTML(f'<header class="report-title"><h1>{html.escape(title)}</h1><dl>{meta}</dl>{banner}</header>')


def snapshot_text(snapshot: store.Snapshot, locale: str) -> str:
    """A snapshot as readers see it: its id and when it was made (UTC).

    >>> snapshot_text(store.Snapshot("20261204T010203000000Z", Path("."), {"created_at": "2026-12-04T01:02:03+00:00"}), "en")
    '20261204T010203000000Z (made 2026-12-04 01:02 UTC)'
    """
    made = snapshot.created_at
    when = pd.Timestamp(made).strftime("%Y-%m-%d %H:%M UTC") if made else ""
    if not when:
        return snapshot.id
    return f"{snapshot.id}（生成于 {when}）" if locale == "zh" else f"{snapshot.id} (made {when})"


def partial_warning(period: Period, locale: str) -> str:
    """What a reader of a partial period must know, in one sentence.

    >>> from custreport.periods import parse_period
    >>> partial_warning(parse_period("2025-Q4@2025-11-15"), "en")
    'Partial period: these figures cover 2025-10-01 – 2025-11-15 only, not all of 2025-Q4 (to 2025-12-31), and are compared with as many days of earlier periods.'
    """
    if locale == "zh":
        return (f"不完整期间：数字仅覆盖 {period.start} – {period.end}，而非 {period.label} 全期（至 {period.full_end}），"
                f"并与此前期间相同天数比较。")
    return (f"Partial period: these figures cover {period.start} – {period.end} only, not all of {period.label} "
            f"(to {period.full_end}), and are compared with as many days of earlier periods.")


def data_statement(figures: dict, locale: str) -> list[str]:
    """What a mail says of the data behind its figures (metrics.json): its last day and the
    snapshot's time, then, for a partial period, what it covers.

    >>> data_statement({"period": {"token": "2025-Q4@2025-11-15"}, "data_coverage": {"last": "2025-11-15"},
    ...                 "snapshot": "S1", "snapshot_created_at": "2026-12-04T01:02:03+00:00"}, "en")[0]
    'Data through 2025-11-15 · snapshot S1 (made 2026-12-04 01:02 UTC)'
    """
    snapshot = store.Snapshot(figures.get("snapshot") or "—", Path("."),
                              {"created_at": figures.get("snapshot_created_at") or ""})
    last = (figures.get("data_coverage") or {}).get("last") or "—"
    lines = [f"数据截至 {last} · 快照 {snapshot_text(snapshot, locale)}" if locale == "zh"
             else f"Data through {last} · snapshot {snapshot_text(snapshot, locale)}"]
    token = (figures.get("period") or {}).get("token")
    period = parse_period(token) if token else None
    if period is not None and period.partial:
        lines.append(partial_warning(period, locale))
    return lines


def provenance_line(period: Period, snapshot: store.Snapshot, locale: str) -> str:
    """The footer of every page: period (partial or not), the data's last day and the snapshot.

    >>> from custreport.periods import parse_period
    >>> snap = store.Snapshot("S1", Path("."), {"created_at": "2026-12-04T01:02:03+00:00",
    ...                                          "data_range": {"orders": ["2025-01-02", "2025-11-15T10:00:00"]}})
    >>> provenance_line(parse_period("2025-Q4@2025-11-15"), snap, "en")
    'custreport · 2025-Q4 (2025-10-01 – 2025-11-15, partial: the period runs to 2025-12-31) · data through 2025-11-15 · snapshot S1 (made 2026-12-04 01:02 UTC)'
    """
    coverage = data_coverage(snapshot.manifest)
    through = str(coverage[1]) if coverage else "—"
    if locale == "zh":
        return f"custreport · {period_text(period, locale)} · 数据截至 {through} · 快照 {snapshot_text(snapshot, locale)}"
    return f"custreport · {period_text(period, locale)} · data through {through} · snapshot {snapshot_text(snapshot, locale)}"


def section(ctx: ReportContext, key: str, when: bool = True) -> Markdown:
    """A section heading in the report's language; none when ``when`` is false (a section for
    data the snapshot does not hold, such as ``when=ctx.has_leads``)."""
    return Markdown(f"## {ctx.label(key)}" if when else "")


class KpiCards:
    """KPI cards with deltas; ``table`` holds the same numbers as a frame."""

    def __init__(self, table: pd.DataFrame, locale: str, note: str = ""):
        self.table = table
        self.locale = locale
        self.note = note    # a line under the cards (what revenue means, when not orders)

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
        note = f'<p class="note">{html.escape(self.note)}</p>' if self.note else ""
        return f'<div class="kpi-grid">{"".join(cards)}</div>{note}'


def _trend(value) -> str:
    if value is None or pd.isna(value) or value == 0:
        return "flat"
    return "up" if value > 0 else "down"


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


def revenue_note(figures: dict, locale: str) -> str:
    """One line saying what revenue is in ``figures`` (metrics.json), and that there are no
    order lines when so; empty for an order business with order lines.

    >>> revenue_note({"revenue_basis": "won_deals", "has_order_lines": False}, "en")
    'Revenue is the value of deals won (set by revenue: in params/analysis.yaml); the data has no order lines, so orders and average order value are not shown.'
    """
    basis, has_orders = figures.get("revenue_basis", "orders"), figures.get("has_order_lines", True)
    zh = locale == "zh"
    if basis == "orders" and has_orders:
        return ""
    if not has_orders and figures.get("has_deals") is False:
        return ("数据中没有订单行，也没有商机：销售额、订单数和赢单金额不予显示。" if zh else
                "The data has no order lines and no deals: revenue, orders and won value are not shown.")
    if basis == "orders":
        return ("销售额按订单计（params/analysis.yaml 的 revenue: orders），但数据中没有订单行：销售额、订单数和客单价不予显示。"
                if zh else "Revenue is set to come from orders (revenue: orders in params/analysis.yaml), but the "
                           "data has no order lines: revenue, orders and average order value are not shown.")
    # "auto" picks won deals for a store without order lines: the note names the key, not a value
    text = ("销售额按赢单金额计（由 params/analysis.yaml 的 revenue: 设定）" if zh else
            "Revenue is the value of deals won (set by revenue: in params/analysis.yaml)")
    if not has_orders:
        text += ("；数据中没有订单行，订单数和客单价不予显示。" if zh else
                 "; the data has no order lines, so orders and average order value are not shown.")
    else:
        text += "。" if zh else "."
    return text


def kpis(ctx: ReportContext, figures: dict | None = None) -> KpiCards:
    """The headline KPI cards with change against the previous period and a year ago, and a
    line saying what revenue is when it is not completed orders (see revenue_note)."""
    figures = figures or metrics(ctx)
    return KpiCards(kpi_table(figures, ctx.locale), ctx.locale, summary_note(figures, ctx.locale))


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
    rows = []
    for key in keys or headline_cards(figures):
        dotted, kind = cards[key]
        value = _get(figures, dotted)
        apart = _get(figures, f"{dotted}_by_currency") if kind == "money" else None
        rows.append({"metric": key, "label": i18n.label(key, locale), "value": value,
                     "display": i18n.format_money_by_currency(apart, locale) if apart else formatters[kind](value),
                     "vs_previous": figures["deltas"]["vs_previous"].get(dotted),
                     "vs_year_ago": figures["deltas"]["vs_year_ago"].get(dotted)})
    return pd.DataFrame(rows)


def figures_currency(figures: dict) -> str:
    """The currency of the amounts in ``figures`` (metrics.json): its ``currency``; its
    currencies joined (EUR+USD) when they were not converted; CNY for older files."""
    return figures.get("currency") or "+".join(figures.get("currencies") or []) or i18n.DEFAULT_CURRENCY


def currency_note(figures: dict, locale: str) -> str:
    """One line saying the amounts are in several currencies and how to convert them; empty
    when they are in one.

    >>> currency_note({"currency": None, "currencies": ["EUR", "USD"]}, "en")[:60]
    'Amounts are in several currencies (EUR, USD): revenue, avera'
    """
    currencies = figures.get("currencies") or []
    if figures.get("currency") or len(currencies) < 2:
        return ""
    codes, joined = ", ".join(currencies), "+".join(currencies)
    if locale == "zh":
        return (f"金额涉及多种货币（{codes}）：销售额、客单价、赢单金额和在谈金额按货币分列，从不相加；"
                f"按客户的表（重点客户、RFM、客户价值）把客户的金额按原币相加，标为 {joined}，跨币种不可比。"
                f"如需折算为一种货币，请添加 params/fx.yaml（见 README「Currencies and exchange rates」）。")
    return (f"Amounts are in several currencies ({codes}): revenue, average order value, won value and pipeline "
            f"are shown per currency, never added; per-customer tables (top customers, RFM, value) add a customer's "
            f"amounts as they are, marked {joined}, and do not compare across currencies. To report "
            f"in one currency, add params/fx.yaml (README: Currencies and exchange rates).")


def pipeline_note(figures: dict, locale: str) -> str:
    """One line saying how many open deals have no amount (the pipeline value leaves them out, or
    is unknown when none has one); empty when every open deal has an amount.

    >>> pipeline_note({"deals": {"open": 3, "open_without_amount": 2}}, "en")
    '2 of 3 open deals have no amount: the pipeline value counts only the others.'
    """
    deals = figures.get("deals") or {}
    missing, total = deals.get("open_without_amount") or 0, deals.get("open") or 0
    if not missing:
        return ""
    if missing >= total:
        return (f"{total:,} 个在谈商机都没有金额：在谈金额未知（不是 0）。" if locale == "zh" else
                f"None of the {total:,} open deals has an amount: the pipeline value is unknown, not 0.")
    return (f"{total:,} 个在谈商机中有 {missing:,} 个没有金额：在谈金额只计其余商机。" if locale == "zh" else
            f"{missing:,} of {total:,} open deals have no amount: the pipeline value counts only the others.")


def summary_note(figures: dict, locale: str) -> str:
    """The lines under the summary's cards (and in the mail body): what revenue is, the currencies,
    and open deals without an amount."""
    return " ".join(filter(None, (revenue_note(figures, locale), currency_note(figures, locale),
                                  pipeline_note(figures, locale))))


def data_through(manifest: dict, revenue_basis: str) -> pd.Timestamp | None:
    """The last date of a snapshot's revenue data, from its manifest's ``data_range``.

    >>> ranges = {"orders": ["2011-01-04T00:00:00", "2011-12-09T12:50:00"], "deals": ["2010-05-01", "2011-06-30"],
    ...           "deals_closed": ["2010-06-01", "2011-09-30"]}
    >>> data_through({"data_range": ranges}, "orders"), data_through({"data_range": ranges}, "won_deals")
    (Timestamp('2011-12-09 00:00:00'), Timestamp('2011-09-30 00:00:00'))
    """
    ranges = manifest.get("data_range", {})
    tables = ("orders",) if revenue_basis == "orders" else ("deals", "deals_closed")
    ends = [pd.Timestamp(ranges[table][1]).normalize() for table in tables if ranges.get(table)]
    return max(ends) if ends else None


def trend_months(ctx: ReportContext, count: int = 12) -> list[pd.Period]:
    """The ``count`` months of the trend: they end with the period, or with the month of the data's
    last date when the data ends earlier (months after it would plot as zero sales)."""
    end = pd.Period(ctx.period.end, freq="M")
    if ctx.data_through is not None:
        end = min(end, pd.Period(ctx.data_through, freq="M"))
    return list(pd.period_range(end=end, periods=count, freq="M"))


def trend_title(ctx: ReportContext) -> str:
    """The trend chart's title; it names the data's last date when the data ends before the period."""
    title = f"{ctx.label('trend')} · {ctx.region_name}"
    through = ctx.data_through
    if through is None or through.date() >= ctx.period.end:
        return title
    day = through.strftime("%Y-%m-%d")
    return f"{title}（数据截至 {day}）" if ctx.locale == "zh" else f"{title} (data through {day})"


def revenue_trend(ctx: ReportContext, months: int = 12) -> charts.Chart:
    """Revenue per month for the ``months`` months ending with the period: completed orders,
    or the value of deals won by close month when revenue is won deals."""
    if ctx.revenue_basis == "won_deals":
        frame = won_value_by_month(ctx.deals, trend_months(ctx, months))
    else:
        frame = revenue_by_month(ctx.orders, trend_months(ctx, months))
    frame["month"] = frame["month"].astype(str)
    colour = charts.REGION_COLOURS.get(ctx.region)
    return charts.line_chart(frame, "month", "revenue", title=trend_title(ctx),
                             value_format=ctx.money_axis, colour=colour)


def customers_by_type_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers at the period end by place (region for the company, else province) x type."""
    by = _place(ctx)
    frame = ctx.classified
    if by == "region":
        frame = frame.assign(region=each_distinct(frame["region"], lambda c: ctx.regions.display_name(c, ctx.locale)))
    table = count_pivot(frame, by, "customer_type", total_label=ctx.label("total"),
                        column_order=["active", "prospect", "churned"], missing_label=ctx.label("unknown"))
    table = table.rename(columns={c: ctx.label(c) for c in ("active", "prospect", "churned")})
    table.index.name = ctx.label(by)
    return table


def customers_by_type(ctx: ReportContext) -> Table:
    """The customers-by-type pivot with totals."""
    return Table(customers_by_type_frame(ctx), formats={}, index=True, total_row=True)


_TYPES = ("active", "prospect", "churned")


def customer_types_chart(ctx: ReportContext) -> charts.Chart | HTML:
    """Customers at the period end by place, stacked by type; each type has its own colour in every report."""
    table = customers_by_type_frame(ctx).drop(index=ctx.label("total"), errors="ignore")
    if table.empty:
        return _note(ctx.label("no_data"))
    frame = table.reset_index()
    columns = {ctx.label(kind): charts.TYPE_COLOURS[kind] for kind in _TYPES if ctx.label(kind) in frame}
    return charts.grouped_bar_chart(frame, frame.columns[0], {c: c for c in columns}, stacked=True, colours=columns,
                                    title=f"{ctx.label('by_type')} · {ctx.region_name}")


def top_customers(ctx: ReportContext, limit: int = 10) -> Table:
    """The period's top customers by completed revenue."""
    frame = top_from_ledger(ctx.ledger, ctx.customers, limit)
    frame = frame.assign(region=frame["region"].map(lambda c: ctx.regions.display_name(c, ctx.locale)))
    frame = frame.rename(columns={c: ctx.label(c) for c in frame.columns})
    return Table(frame, formats={ctx.label("revenue"): ctx.money,
                                 ctx.label("share"): lambda v: i18n.format_percent(v, ctx.locale)})


def top_movers_frame(ctx: ReportContext, limit: int = 5) -> pd.DataFrame:
    """The customers whose revenue rose most and fell most against the previous period, labelled."""
    previous = ctx.period.previous
    moved = revenue_movers(ctx.purchases, ctx.customers, ctx.period.start_ts, ctx.period.end_exclusive_ts,
                           previous.start_ts, limit, previous.end_exclusive_ts)
    moved = moved.assign(direction=moved["direction"].map({"up": "↑", "down": "↓"}),
                         region=_region_display(ctx, moved["region"]))
    columns = ["direction", "customer_id", "name", *(["region"] if ctx.region == "all" else []),
               "revenue", "previous", "change"]
    names = {"direction": "trend_direction", "previous": "previous_revenue", "change": "revenue_change"}
    return _localised(ctx, moved[columns].rename(columns=names))


def top_movers(ctx: ReportContext, limit: int = 5) -> Table | HTML:
    """The top movers: up to ``limit`` customers whose revenue rose most against the previous
    period, then up to ``limit`` whose revenue fell most."""
    frame = top_movers_frame(ctx, limit)
    if frame.empty:
        return _note(_text(ctx, "与上期（{previous}）相比，没有客户的销售额发生变化。",
                           "No customer's revenue changed against the previous period ({previous}).",
                           previous=comparison_text(ctx.period.previous, ctx.locale)))
    signed = lambda value: ("+" if value > 0 else "") + ctx.money(value)   # noqa: E731
    return Table(frame, formats=_labelled(ctx, frame, {"revenue": ctx.money, "previous_revenue": ctx.money,
                                                       "revenue_change": signed}))


# --------------------------------------------------------------------------- periods and outputs


def resolve_period(text: str | None, snapshot: store.Snapshot, today: dt.date | None = None) -> Period:
    """A period parameter; empty or ``latest`` means the latest complete quarter in the data.

    The latest quarter is taken from the last order (else deal) date of the snapshot, so
    a notebook's default shows real data right after ingest, whatever today's date is.
    Any other period must overlap the data, and one the data ends in is cut at its last day
    (see cover_period).
    """
    text = (text or "").strip()
    if text and text.lower() != "latest":
        try:
            return cover_period(parse_period(text, today=today), snapshot)
        except PeriodError as exc:
            raise UserError(str(exc)) from None
    ranges = snapshot.manifest.get("data_range", {})
    last = (ranges.get("orders") or ranges.get("deals") or [None, None])[1]
    if last is None:
        return parse_period("last-quarter", today=today)
    last_day = pd.Timestamp(last).date()
    quarter = parse_period(f"{last_day.year}-Q{(last_day.month - 1) // 3 + 1}")
    return quarter if quarter.end <= last_day else quarter.previous


# The tables whose dates say how far the data reaches (data_range keys of the manifest).
ACTIVITY_RANGES = ("orders", "deals", "deals_closed", "interactions", "leads")


def data_coverage(manifest: dict) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the snapshot's dated activity (orders, deals created or closed,
    interactions, leads), from its manifest; None when it holds none.

    >>> data_coverage({"data_range": {"orders": ["2011-01-04T00:00:00", "2011-12-09T12:50:00"],
    ...                               "deals_closed": ["2010-06-01", "2012-01-31"]}})
    (datetime.date(2010, 6, 1), datetime.date(2012, 1, 31))
    """
    ranges = manifest.get("data_range", {})
    spans = [ranges[table] for table in ACTIVITY_RANGES if ranges.get(table)]
    if not spans:
        return None
    return (min(pd.Timestamp(first).date() for first, _ in spans),
            max(pd.Timestamp(last).date() for _, last in spans))


def cover_period(period: Period, snapshot: store.Snapshot) -> Period:
    """``period`` as far as the snapshot's data reaches: refused (UserError, one line giving the
    data's range) when it starts after the data ends or ends before it begins, so no report of
    an empty period goes out looking like a collapse; cut at the data's last day, and so marked
    partial with comparisons as long, when the data ends inside it."""
    span = data_coverage(snapshot.manifest)
    asked = f"{period.label} ({period.start} – {period.whole.end})"
    if span is None:
        raise UserError(f"period {asked}: snapshot {snapshot.id} holds no dated orders, deals, interactions or "
                        "leads, so there is nothing to report; check params/sources.yaml and run `custreport ingest`")
    first, last = span
    if period.start > last or period.end < first:
        where = "starts after the data ends" if period.start > last else "ends before the data begins"
        raise UserError(f"period {asked} {where}: the data runs {first} – {last} (snapshot {snapshot.id}); "
                        f"choose a period within it, or --period latest for the latest full quarter")
    return period.cut(last) if period.end > last else period


def comparison_text(period: Period, locale: str) -> str:
    """A comparison period in a sentence: its label, with its days when it is cut short.

    >>> from custreport.periods import parse_period
    >>> comparison_text(parse_period("2025-Q3"), "en"), comparison_text(parse_period("2025-Q3@2025-08-15"), "en")
    ('2025-Q3', '2025-Q3, 2025-07-01 – 2025-08-15')
    """
    if not period.partial:
        return period.label
    return f"{period.label}，{period.start} – {period.end}" if locale == "zh" else \
        f"{period.label}, {period.start} – {period.end}"


def _coverage_dict(snapshot: store.Snapshot) -> dict | None:
    coverage = data_coverage(snapshot.manifest)
    return {"first": coverage[0].isoformat(), "last": coverage[1].isoformat()} if coverage else None


def period_text(period: Period, locale: str) -> str:
    """The period as a reader sees it: label and days, and when cut, that it is partial.

    >>> from custreport.periods import parse_period
    >>> period_text(parse_period("2025-Q4@2025-11-15"), "en")
    '2025-Q4 (2025-10-01 – 2025-11-15, partial: the period runs to 2025-12-31)'
    >>> period_text(parse_period("2025-Q4@2025-11-15"), "zh")
    '2025-Q4（2025-10-01 – 2025-11-15，不完整期间：全期至 2025-12-31）'
    """
    days = f"{period.start} – {period.end}"
    if not period.partial:
        return f"{period.label}（{days}）" if locale == "zh" else f"{period.label} ({days})"
    if locale == "zh":
        return f"{period.label}（{days}，不完整期间：全期至 {period.full_end}）"
    return f"{period.label} ({days}, partial: the period runs to {period.full_end})"


def report_title(ctx: ReportContext, report: str) -> str:
    return i18n.report_title(report, ctx.region_name, ctx.period.label, ctx.locale)


def customer_sheet_frame(ctx: ReportContext, mask_contacts: bool = True) -> pd.DataFrame:
    """The customers sheet: every customer of the region at the period end, with period sales.

    Phones and emails are masked (138****5678) unless ``mask_contacts`` is False, which only
    the analyst workbook asks for (see ``workbook_sheets``).
    """
    columns = ["customer_id", "name", "region", "province", "city", "industry", "customer_type", "owner_rep",
               "phone", "email", "created_at", "first_order", "last_order", "period_revenue", "period_orders"]
    frame = ctx.period_customers[columns]   # before sorting: the sort copies every column
    frame = frame.assign(
        region=each_distinct(frame["region"], lambda c: ctx.regions.display_name(c, ctx.locale)),
        customer_type=each_distinct(frame["customer_type"], ctx.label),
        phone=mask_phones(frame["phone"]) if mask_contacts else frame["phone"],
        email=mask_emails(frame["email"]) if mask_contacts else frame["email"],
    )
    frame = sort_rows(frame, ["period_revenue", "customer_id"], ascending=[False, True])
    names = {c: ctx.label(c) for c in columns}
    names["period_revenue"] = f"{ctx.label('revenue')} ({ctx.period.label})"
    names["period_orders"] = f"{ctx.label('orders')} ({ctx.period.label})"
    return frame.rename(columns=names).reset_index(drop=True)


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


def open_complaints_frame(ctx: ReportContext, mask_contacts: bool = True) -> pd.DataFrame:
    """Customers with complaints still open at the period end, oldest first.

    Service staff type call-back numbers and addresses into notes: phones and emails in the
    latest note are masked unless ``mask_contacts`` is False.
    """
    frame = open_complaints(ctx.interactions, ctx.as_of, ctx.customers)
    if mask_contacts:
        frame = frame.assign(last_note=mask_contacts_in_texts(frame["last_note"]))
    return _localised(ctx, frame)


def workbook_contacts_masked(ctx: ReportContext) -> bool:
    """Whether the region's workbook shows contacts masked (unless params/analysis.yaml says otherwise)."""
    return not ctx.settings.privacy.show_full_contacts_in_workbook


def about_frame(ctx: ReportContext) -> pd.DataFrame:
    """The workbook's first sheet: what it covers and from which data, as the reports' header says
    (no clock time: the same data gives the same sheet)."""
    coverage = data_coverage(ctx.snapshot.manifest)
    rows = [("region", ctx.region_name), ("period", period_text(ctx.period, ctx.locale)),
            ("data_through", str(coverage[1]) if coverage else ctx.label("no_data")),
            ("snapshot", snapshot_text(ctx.snapshot, ctx.locale))]
    if ctx.period.partial:
        rows.append(("partial_period", partial_warning(ctx.period, ctx.locale)))
    return pd.DataFrame({ctx.label("item"): [ctx.label(key) for key, _ in rows],
                         ctx.label("value"): [value for _, value in rows]})


def workbook_sheets(ctx: ReportContext) -> list:
    """Sheets of the region's Excel workbook: customers, pivot, KPIs, sales pivots, then one per
    analysis, and a sample of the quarantined rows.

    The workbook is the analyst's output: contacts are masked like everywhere else unless
    params/analysis.yaml sets ``privacy.show_full_contacts_in_workbook`` (delivery mails a
    masked copy either way).
    """
    from custreport.render.excel import Sheet

    masked = workbook_contacts_masked(ctx)
    customers = customer_sheet_frame(ctx, mask_contacts=masked)
    money = i18n.excel_money_format(ctx.currency, ctx.locale)
    money_columns = {c: money for c in customers.columns if c.startswith(ctx.label("revenue"))}
    cards = kpis(ctx).table
    # amounts of several currencies have no one number: the cell says them as the card does
    apart = cards["value"].isna() & cards["display"].ne("—")
    cards = cards.assign(value=cards["value"].astype(object).mask(apart, cards["display"]))
    figures = cards[["label", "value", "vs_previous", "vs_year_ago"]].rename(columns={
        "label": ctx.label("metric"), "value": ctx.label("value"),
        "vs_previous": ctx.label("vs_previous"), "vs_year_ago": ctx.label("vs_year_ago")})
    share, ratio = "0.0%", "0.000"

    def formats(money_keys=(), share_keys=(), ratio_keys=()) -> dict[str, str]:
        return {**{ctx.label(k): money for k in money_keys}, **{ctx.label(k): share for k in share_keys},
                **{ctx.label(k): ratio for k in ratio_keys}}

    value_formats = formats(("revenue_to_date", "clv", "value_at_stake"), ("p_alive",), ("expected_purchases",))
    return [
        Sheet(ctx.label("about_sheet"), about_frame(ctx)),
        Sheet(ctx.label("customers_sheet"), customers, money_columns),
        Sheet(ctx.label("pivot_sheet"), customers_by_type_frame(ctx), index=True),
        Sheet(ctx.label("kpis"), figures, {ctx.label("vs_previous"): "0.0%", ctx.label("vs_year_ago"): "0.0%"}),
        *[Sheet(_text(ctx, "销售-{by}", "Sales by {lower}", by=ctx.label(by), lower=ctx.label(by).lower()), pivot_frame(ctx, by),
                formats(("revenue", "aov"), ("share",)), index=True) for by in _SALES_PIVOTS[ctx.region == "all"]],
        Sheet(ctx.label("funnel_sheet"), funnel_frame(ctx),
              formats(share_keys=("step_conversion", "cumulative_conversion"))),
        *([Sheet(ctx.label("lead_funnel_sheet"), lead_funnel_frame(ctx),
                 formats(("won_value",), ("lead_to_deal", "deal_to_won", "lead_to_won")))] if ctx.has_leads else []),
        Sheet(ctx.label("rfm_sheet"), rfm_frame(ctx),
              formats(("monetary",), ("customer_share", "revenue_share"))),
        Sheet(ctx.label("abc_sheet"), abc_frame(ctx), formats(("revenue",), ("revenue_share",))),
        Sheet(ctx.label("value_tiers_sheet"), clv_bands_frame(ctx), formats(("clv_total", "clv_min"), ("clv_share",))),
        Sheet(ctx.label("high_value_sheet"), high_value_frame(ctx), value_formats),
        Sheet(ctx.label("at_risk_sheet"), at_risk_frame(ctx), value_formats),
        Sheet(ctx.label("allocation_sheet"), allocation_frame(ctx),
              formats(("potential_value",), ratio_keys=("priority",))),
        Sheet(ctx.label("workload_sheet"), workload_frame(ctx), formats(share_keys=("utilisation",))),
        Sheet(ctx.label("complaints_sheet"), open_complaints_frame(ctx, mask_contacts=masked)),
        Sheet(ctx.label("quarantine_sheet"), quarantine_sample_frame(ctx, mask_contacts=masked)),
    ]


# The segments report's sales pivots, as workbook sheets: by province within a region, by
# region for the whole company.
_SALES_PIVOTS = {False: ("province", "industry", "channel", "owner_rep"),
                 True: ("region", "industry", "channel", "owner_rep")}


# --------------------------------------------------------------------------- sections of the other reports
# segments, funnel, value, allocation and quality: each call shows one table, chart or note.


def _percent(ctx: ReportContext):
    return lambda value: i18n.format_percent(value, ctx.locale)


def _days(ctx: ReportContext, value) -> str:
    if value is None or pd.isna(value):
        return "—"
    shown = f"{float(value):,.1f}".removesuffix(".0")
    return f"{shown} {ctx.label('days')}" if ctx.locale == "en" else f"{shown}{ctx.label('days')}"


def _number(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):,.2f}"


def _note(text: str) -> HTML:
    """A one-paragraph note; the text is escaped (it may carry stage or source names)."""
    return HTML(f'<p class="note">{html.escape(text)}</p>')


def _text(ctx: ReportContext, zh: str, en: str, **values) -> str:
    return (zh if ctx.locale == "zh" else en).format(**values)


def _region_display(ctx: ReportContext, codes: pd.Series) -> pd.Series:
    return each_distinct(codes, lambda c: ctx.regions.display_name(c, ctx.locale))


def _labelled(ctx: ReportContext, frame: pd.DataFrame, formats: dict[str, object]) -> dict:
    """Formatters keyed by the labelled column names ``_localised`` gives ``frame``."""
    return {ctx.label(key): fmt for key, fmt in formats.items() if ctx.label(key) in frame.columns}


# segments


def customer_movement_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers newly active, retained, reactivated and lost to churn over the period."""
    counts = movement_counts(ctx.movement)
    return pd.DataFrame({ctx.label("movement"): [ctx.label(f"movement_{key}") for key in counts],
                         ctx.label("customers"): pd.array(list(counts.values()), dtype="int64")})


def customer_movement(ctx: ReportContext) -> Table:
    """How customers moved between the day before the period and its end."""
    return Table(customer_movement_frame(ctx), formats={ctx.label("customers"): ctx.count})


def pivot_frame(ctx: ReportContext, by: str) -> pd.DataFrame:
    """``ctx.pivot(by)`` labelled: region codes and customer types by name, columns in the report's language."""
    table = ctx.pivot(by)
    kept = {ctx.label("total"), ctx.label("unknown")}
    names = {"region": lambda c: ctx.regions.display_name(c, ctx.locale), "customer_type": ctx.label}
    if by in names:
        table = table.rename(index=lambda key: key if key in kept else names[by](key))
    table = table.rename(columns={c: ctx.label(c) for c in table.columns})
    table.index.name = ctx.label(by)
    return table


def pivot(ctx: ReportContext, by: str) -> Table:
    """The period's customers, buyers, revenue, orders, AOV and share by one dimension, with totals."""
    frame = pivot_frame(ctx, by)
    formats = _labelled(ctx, frame, {
        "customers": ctx.count, "buyers": ctx.count, "orders": ctx.count, "revenue": ctx.money, "aov": ctx.money,
        "share": _percent(ctx)})
    return Table(frame, formats=formats, index=True, total_row=True)


def place_pivot(ctx: ReportContext) -> Table:
    """The sales pivot by region for the whole company, by province for a region."""
    return pivot(ctx, _place(ctx))


def _place(ctx: ReportContext) -> str:
    return "region" if ctx.region == "all" else "province"


def place_revenue_chart(ctx: ReportContext) -> charts.Chart | HTML:
    """The period's revenue by region (each in its region colour) for the company, by province
    (in the region's colour) for a region."""
    table = pivot_frame(ctx, _place(ctx)).drop(index=ctx.label("total"), errors="ignore")
    revenue = table[ctx.label("revenue")].to_numpy(dtype="float64")
    if not (revenue > 0).any():
        return _note(_text(ctx, "本期没有销售额。", "No revenue in the period."))
    names = [str(name) for name in table.index]
    if ctx.region == "all":
        codes = {ctx.regions.display_name(code, ctx.locale): code for code in [*ctx.regions.codes,
                                                                               ctx.regions.unknown.code]}
        colours = {name: charts.REGION_COLOURS.get(codes.get(name, "")) for name in names}
    else:
        colours = {name: charts.REGION_COLOURS.get(ctx.region) for name in names}
    frame = pd.DataFrame({"place": names, "revenue": revenue})
    return charts.bar_chart(frame, "place", "revenue", f"{ctx.label('by_place')} · {ctx.region_name}",
                            colours={name: colour for name, colour in colours.items() if colour},
                            value_format=ctx.money_axis)


def rfm_grid_frame(ctx: ReportContext) -> pd.DataFrame:
    """Scored customers by F score (rows, 5 first) x R score (columns 1-5)."""
    scores = ctx.rfm
    grid = pd.crosstab(scores["f"], scores["r"]) if len(scores) else pd.DataFrame()
    grid = grid.reindex(index=range(5, 0, -1), columns=range(1, 6), fill_value=0).astype("int64")
    grid.index.name, grid.columns.name = "f", "r"
    return grid


def rfm_map(ctx: ReportContext) -> charts.Chart:
    """The RFM segment map: customers per R x F cell, each cell naming its most common segment."""
    scores = ctx.rfm
    grid = rfm_grid_frame(ctx)
    notes = pd.DataFrame(pd.NA, index=grid.index, columns=grid.columns, dtype="object")
    if len(scores):
        # most customers first, then the segment rules' order: the same cell always names the same segment
        order = {name: i for i, name in enumerate(ctx.segment_names)}
        counts = scores.groupby(["f", "r", "segment"]).size().reset_index(name="n")
        counts = counts.assign(rule=counts["segment"].map(order).fillna(len(order)))
        counts = counts.sort_values(["f", "r", "n", "rule"], ascending=[True, True, False, True])
        for row in counts.drop_duplicates(["f", "r"]).itertuples(index=False):
            notes.loc[row.f, row.r] = textwrap.fill(ctx.label(str(row.segment)), 12)
    title = f"{ctx.label('rfm_map')} · {ctx.region_name}"
    return charts.heatmap(grid, title, ctx.label("r_score"), ctx.label("f_score"), notes)


def rfm_segments(ctx: ReportContext) -> Table:
    """Customers and revenue to date per RFM segment, in rule order."""
    frame = rfm_frame(ctx)
    return Table(frame, formats=_labelled(ctx, frame, {
        "customers": ctx.count, "monetary": ctx.money, "customer_share": _percent(ctx),
        "revenue_share": _percent(ctx)}))


def abc_table(ctx: ReportContext) -> Table:
    """Customers and the period's revenue per ABC tier."""
    frame = abc_frame(ctx)
    return Table(frame, formats=_labelled(ctx, frame, {
        "customers": ctx.count, "revenue": ctx.money, "revenue_share": _percent(ctx)}))


# funnel


def funnel_chart(ctx: ReportContext) -> charts.Chart:
    """Deals reaching each stage, with the step conversion into it and the bottleneck marked."""
    stages = ctx.funnel.stages
    notes = []
    for row in stages.itertuples(index=False):
        note = "" if pd.isna(row.step_conversion) else f"({i18n.format_percent(row.step_conversion, ctx.locale)})"
        notes.append(f"{note} · {ctx.label('bottleneck')}" if row.bottleneck else note)
    title = f"{ctx.label('funnel_stages')} · {ctx.region_name}"
    bottleneck = stages.index[stages["bottleneck"]]
    return charts.funnel_chart(stages, "stage", "reached", title, notes, colour=charts.REGION_COLOURS.get(ctx.region),
                               highlight=int(bottleneck[0]) if len(bottleneck) else None)


def funnel_stages(ctx: ReportContext) -> Table:
    """The funnel rows: reached, step and cumulative conversion, drop-off, in stage now, bottleneck."""
    frame = funnel_frame(ctx)
    return Table(frame, formats=_labelled(ctx, frame, {
        "reached": ctx.count, "drop_off": ctx.count, "current": ctx.count, "step_conversion": _percent(ctx),
        "cumulative_conversion": _percent(ctx)}))


def funnel_summary(ctx: ReportContext) -> HTML:
    """The funnel in words: where deals stall most, how many were won and lost, what was left out."""
    funnel = ctx.funnel
    stages = funnel.stages
    parts = []
    entered = int(stages["reached"].iloc[0]) if len(stages) else 0
    if funnel.bottleneck is None:
        parts.append(_text(ctx, "本期没有在谈商机，无法判断瓶颈。",
                           "No deal was in play in the period: there is no bottleneck."))
    else:
        at = int(np.flatnonzero(stages["bottleneck"].to_numpy(dtype=bool))[0])   # never the first row
        row = stages.iloc[at]
        parts.append(_text(
            ctx, "瓶颈在「{stage}」：到达「{before}」的商机只有 {step} 走到这一阶段，{drop} 个止步于此前。",
            "The bottleneck is {stage}: only {step} of the deals reaching {before} got this far; "
            "{drop} stopped before it.", stage=row["stage"], before=stages.iloc[at - 1]["stage"],
            step=i18n.format_percent(row["step_conversion"], ctx.locale), drop=ctx.count(row["drop_off"])))
        parts.append(_text(
            ctx, "本期共 {entered} 个商机进入漏斗，{won} 个赢单（累计转化率 {rate}），另有 {lost} 个在本期输单。",
            "{entered} deals entered the funnel in the period and {won} were won ({rate} overall); {lost} were lost "
            "in the period.", entered=ctx.count(entered), won=ctx.count(stages["reached"].iloc[-1]),
            rate=i18n.format_percent(stages["cumulative_conversion"].iloc[-1], ctx.locale),
            lost=ctx.count(funnel.lost)))
    if funnel.unmapped:
        parts.append(_text(ctx, "{n} 个商机的阶段不在阶段表「{name}」中，未计入漏斗。",
                           "{n} deals have a stage the stage list {name} does not know and are left out.",
                           n=ctx.count(funnel.unmapped), name=funnel.stage_list))
    return HTML("".join(f'<p class="note">{html.escape(part)}</p>' for part in parts))


def _deal_totals_in(ctx: ReportContext, period: Period) -> dict:
    """deal_totals of a period as metrics computes them (deals created by its end, or undated)."""
    end = period.end_exclusive_ts
    return deal_totals(ctx.deals[(ctx.deals["created_at"] < end) | ctx.deals["created_at"].isna()],
                       period.start_ts, end)


_DEAL_CARDS = (("deals_won", "won", "count"), ("deals_lost", "lost", "count"), ("win_rate", "win_rate", "percent"),
               ("won_value", "won_value", "money"), ("pipeline_value", "pipeline_value", "money"),
               ("median_cycle_days", "median_cycle_days", "days"))


def deal_kpis(ctx: ReportContext) -> KpiCards:
    """Deals won and lost, win rate, won value, open pipeline and median sales cycle, with their changes."""
    if ctx.mixed_currencies:   # metrics' deal figures: the values per currency, never a sum
        now, previous, year_ago = (figures["deals"] for figures in (ctx.figures, ctx.figures["previous"],
                                                                    ctx.figures["year_ago"]))
    else:
        now, previous, year_ago = (_deal_totals_in(ctx, p) for p in (ctx.period, ctx.period.previous,
                                                                    ctx.period.year_ago))
    formatters = {"count": ctx.count, "money": ctx.money, "percent": _percent(ctx),
                  "days": lambda v: _days(ctx, v)}

    def display(field: str, kind: str) -> str:
        apart = now.get(f"{field}_by_currency")
        return i18n.format_money_by_currency(apart, ctx.locale) if apart else formatters[kind](now[field])

    rows = [{"metric": key, "label": ctx.label(key), "value": now[field], "display": display(field, kind),
             "vs_previous": _relative_change(now[field], previous[field]),
             "vs_year_ago": _relative_change(now[field], year_ago[field])}
            for key, field, kind in _DEAL_CARDS]
    return KpiCards(pd.DataFrame(rows), ctx.locale)


def sales_cycle_frame(ctx: ReportContext) -> pd.DataFrame:
    """Days from creation to close of the deals won and lost in the period (quartiles, longest)."""
    deals = ctx.deals
    closed = deals[deals["closed_at"].ge(ctx.period.start_ts) & deals["closed_at"].lt(ctx.period.end_exclusive_ts)]
    rows = []
    for outcome in ("won", "lost"):
        these = closed[closed["outcome"] == outcome]
        days = (these["closed_at"] - these["created_at"]).dt.days.dropna().astype("float64")
        quartiles = days.quantile([0.25, 0.5, 0.75]) if len(days) else pd.Series([pd.NA] * 3, index=[0.25, 0.5, 0.75])
        rows.append({"outcome": ctx.label(f"outcome_{outcome}"), "deals": len(these), "cycle_p25": quartiles[0.25],
                     "cycle_median": quartiles[0.5], "cycle_p75": quartiles[0.75],
                     "cycle_max": days.max() if len(days) else pd.NA})
    frame = pd.DataFrame(rows).astype({"deals": "int64", "cycle_p25": "Float64", "cycle_median": "Float64",
                                       "cycle_p75": "Float64", "cycle_max": "Float64"})
    return frame.rename(columns={c: ctx.label(c) for c in frame.columns})


def sales_cycle(ctx: ReportContext) -> Table:
    """The sales cycle of the deals closed in the period, won and lost."""
    frame = sales_cycle_frame(ctx)
    days = {key: (lambda v: f"{float(v):,.1f}".removesuffix(".0"))
            for key in ("cycle_p25", "cycle_median", "cycle_p75", "cycle_max")}
    return Table(frame, formats=_labelled(ctx, frame, {"deals": ctx.count, **days}))


def win_rates_frame(ctx: ReportContext, by: str = "owner_rep") -> pd.DataFrame:
    """Won, lost and open deals, win rate, values and cycle per value of a deal column, with totals."""
    table = deal_breakdown(ctx.deals, by, ctx.period.start_ts, ctx.period.end_exclusive_ts,
                           total_label=ctx.label("total"), missing=ctx.label("unknown"))
    # The summary's note says how many open deals lack an amount; a column of it would crowd the table.
    table = table.drop(columns="open_without_amount").rename(
        columns={"won": "deals_won", "lost": "deals_lost", "open": "deals_open"})
    if by == "region":
        kept = {ctx.label("total"), ctx.label("unknown")}
        table = table.assign(region=each_distinct(
            table["region"], lambda c: c if c in kept else ctx.regions.display_name(c, ctx.locale)))
    return _localised(ctx, table)


def lead_months(ctx: ReportContext) -> list[str]:
    """The months of the period, up to the month of the last lead's first contact when the
    leads end before the period does (later months would show as no leads)."""
    end = pd.Period(ctx.period.end, freq="M")
    last = (ctx.snapshot.manifest.get("data_range", {}).get("leads") or [None, None])[1]
    if last is not None:
        end = max(min(end, pd.Period(pd.Timestamp(last), freq="M")), pd.Period(ctx.period.start, freq="M"))
    return [str(month) for month in pd.period_range(pd.Period(ctx.period.start, freq="M"), end, freq="M")]


def lead_funnel_frame(ctx: ReportContext, by: str = "lead_source") -> pd.DataFrame:
    """Leads first contacted in the period per lead source (or owner_rep, region, month), what
    they became by the period end, the conversions, and a total row; labelled."""
    table = lead_funnel(ctx.leads, ctx.lead_deals, ctx.period.start_ts, ctx.period.end_exclusive_ts, by=by,
                        total_label=ctx.label("total"), missing=ctx.label("unknown"),
                        order=lead_months(ctx) if by == "month" else None)
    if ctx.mixed_currencies:   # a won value would add currencies
        table = table.drop(columns="won_value")
    if by == "region":
        kept = {ctx.label("total"), ctx.label("unknown")}
        table = table.assign(region=each_distinct(
            table["region"], lambda c: c if c in kept else ctx.regions.display_name(c, ctx.locale)))
    return _localised(ctx, table)


def lead_funnel_table(ctx: ReportContext, by: str = "lead_source") -> Table | HTML:
    """The lead funnel table (see ``lead_funnel_frame``); nothing when the snapshot holds no leads."""
    if not ctx.has_leads:
        return HTML("")
    frame = lead_funnel_frame(ctx, by)
    rate = _percent(ctx)
    return Table(frame, formats=_labelled(ctx, frame, {
        "leads": ctx.count, "converted": ctx.count, "won": ctx.count, "disqualified": ctx.count,
        "won_value": ctx.money, "lead_to_deal": rate, "deal_to_won": rate, "lead_to_won": rate}), total_row=True)


def lead_funnel_chart(ctx: ReportContext) -> charts.Chart | HTML:
    """Leads, those that became deals and those won, per month of first contact; nothing
    without leads."""
    if not ctx.has_leads:
        return HTML("")
    frame = lead_funnel(ctx.leads, ctx.lead_deals, ctx.period.start_ts, ctx.period.end_exclusive_ts, by="month",
                        order=lead_months(ctx))[:-1]
    return charts.grouped_bar_chart(frame, "month", {key: ctx.label(key) for key in ("leads", "converted", "won")},
                                    title=f"{ctx.label('lead_funnel_by_month')} · {ctx.region_name}",
                                    value_format=ctx.count)


def win_rates(ctx: ReportContext, by: str = "owner_rep") -> Table:
    """Win rate and deal values per owner (or lead source, product ...), with a total row."""
    frame = win_rates_frame(ctx, by)
    return Table(frame, formats=_labelled(ctx, frame, {
        "deals_won": ctx.count, "deals_lost": ctx.count, "deals_open": ctx.count, "win_rate": _percent(ctx),
        "won_value": ctx.money, "pipeline_value": ctx.money, "median_cycle_days": lambda v: _days(ctx, v)}),
                 total_row=True)


def deals_by_stage_frame(ctx: ReportContext) -> pd.DataFrame:
    """Deals in play in the period by their exported stage (the list's stages first), with a total row."""
    in_play = deals_in_play(ctx.deals, ctx.period.start_ts, ctx.period.end_exclusive_ts)
    table = stage_counts(in_play, ctx.stage_list)[["stage", "deals", "amount"]]
    table = table.assign(stage=table["stage"].map(lambda stage: ctx.stage_list.display(stage, ctx.locale)))
    total = pd.DataFrame({"stage": [ctx.label("total")], "deals": [int(table["deals"].sum())],
                          "amount": [float(table["amount"].sum())]})
    return _localised(ctx, pd.concat([table, total], ignore_index=True))


def deals_by_stage(ctx: ReportContext) -> Table:
    """Deals in play by current stage, with their amounts."""
    frame = deals_by_stage_frame(ctx)
    return Table(frame, formats=_labelled(ctx, frame, {"deals": ctx.count, "amount": ctx.money}), total_row=True)


# value


def value_models(ctx: ReportContext) -> HTML:
    """The fitted value models in words: purchase rate, drop-out, spend per purchase, and what they imply."""
    _, models = ctx.customer_value
    figures = value_figures(ctx)
    settings = ctx.settings.value
    unit_days = float(settings.time_unit_days)
    unit = {7.0: ("周", "week"), 1.0: ("天", "day")}.get(unit_days, (f"{unit_days:g}天", f"{unit_days:g} days"))
    unit = unit[0] if ctx.locale == "zh" else unit[1]
    parts = []
    if models.bgnbd:
        bg = models.bgnbd
        rate = bg.r / bg.alpha
        parts.append(_text(
            ctx, "购买频率模型（BG/NBD）基于 {n} 位有购买的客户拟合：客户平均每{unit}购买 {rate:.3f} 次（约每年 {year:.1f} 次），"
                 "各人频率差异用形状参数 r = {r:.3f} 描述；每次购买后不再回来的概率平均为 {drop}（a = {a:.3f}，b = {b:.3f}，"
                 "α = {alpha:.3f}）。",
            "Purchase model (BG/NBD), fitted on {n} customers who bought: a customer buys {rate:.3f} times a {unit} on "
            "average (about {year:.1f} times a year), with rates varying between customers by shape r = {r:.3f}; after "
            "each purchase a customer stops buying with probability {drop} on average (a = {a:.3f}, b = {b:.3f}, "
            "α = {alpha:.3f}).",
            n=ctx.count(models.customers), unit=unit, rate=rate, year=rate * 365.25 / unit_days, r=bg.r, a=bg.a,
            b=bg.b, alpha=bg.alpha, drop=i18n.format_percent(bg.a / (bg.a + bg.b), ctx.locale)))
    if models.gamma_gamma:
        gg = models.gamma_gamma
        parts.append(_text(
            ctx, "单次金额模型（Gamma-Gamma）：预计每次复购平均 {spend}（p = {p:.3f}，q = {q:.3f}，γ = {gamma:,.2f}）；"
                 "复购越多的客户，预计金额越接近其自身的平均值。",
            "Spend model (Gamma-Gamma): a future purchase is worth {spend} on average (p = {p:.3f}, q = {q:.3f}, "
            "γ = {gamma:,.2f}); the more repeat purchases a customer made, the closer their own expectation is to "
            "their own average.", spend=ctx.money(gg.p * gg.gamma / (gg.q - 1)), p=gg.p, q=gg.q, gamma=gg.gamma))
    if models.bgnbd:
        parts.append(_text(
            ctx, "据此，未来 {horizon:g} {unit}预计共购买 {purchases} 次，未来 12 个月客户价值合计 {clv}（每月折现 {discount}）；"
                 "{at_risk} 位重要客户的存活概率低于 {threshold}，列在流失预警中。",
            "Together: {purchases} purchases expected over the next {horizon:g} {unit}s, a 12-month customer value of "
            "{clv} (discounted {discount} a month); {at_risk} valuable customers are alive with a probability under "
            "{threshold} and listed as at risk.",
            horizon=float(settings.horizon), unit=unit, purchases=_number(figures["expected_purchases_total"]),
            clv=ctx.money(figures["clv_12m_total"]),
            discount=i18n.format_percent(settings.monthly_discount, ctx.locale),
            at_risk=ctx.count(figures["at_risk_customers"]),
            threshold=i18n.format_percent(settings.at_risk_p_alive, ctx.locale, decimals=0)))
    if models.note:
        parts.append(_text(ctx, "模型说明：{note}", "Note on the models: {note}", note=models.note))
    if not parts:
        parts.append(ctx.label("no_data"))
    return HTML("".join(f'<p class="note">{html.escape(part)}</p>' for part in parts))


def clv_distribution(ctx: ReportContext) -> charts.Chart | HTML:
    """How 12-month customer value is spread over the customers (a histogram)."""
    values, _ = ctx.customer_value
    clv = values["clv"].dropna()
    if clv.empty:
        return _note(ctx.label("no_data"))
    title = f"{ctx.label('clv_distribution')} · {ctx.region_name}"
    return charts.histogram(clv, title, value_format=lambda v: ctx.money(v, decimals=1),
                            colour=charts.REGION_COLOURS.get(ctx.region))


def clv_bands_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers ranked by 12-month CLV in tenths (top 10 % first; ties by id): customers, CLV, share, lowest."""
    values, _ = ctx.customer_value
    scored = values.loc[values["clv"].notna(), ["customer_id", "clv"]]
    columns = ["clv_band", "customers", "clv_total", "clv_share", "clv_min"]
    if scored.empty:
        return pd.DataFrame(columns=[ctx.label(c) for c in columns])
    ranked = sort_rows(scored, ["clv", "customer_id"], ascending=[False, True])
    band = np.arange(len(ranked)) * 10 // len(ranked)
    grouped = ranked.assign(band=band).groupby("band")["clv"].agg(customers="size", clv_total="sum", clv_min="min")
    total = float(ranked["clv"].sum())
    top = _text(ctx, "前10%", "Top 10%")
    frame = pd.DataFrame({
        "clv_band": [top if b == 0 else f"{b * 10}–{b * 10 + 10}%" for b in grouped.index],
        "customers": grouped["customers"].astype("int64").to_numpy(),
        "clv_total": grouped["clv_total"].to_numpy(),
        "clv_share": (grouped["clv_total"] / total).to_numpy() if total else 0.0,
        "clv_min": grouped["clv_min"].to_numpy()})
    frame.loc[len(frame)] = [ctx.label("total"), int(frame["customers"].sum()), total, 1.0 if total else 0.0,
                             float(ranked["clv"].min())]
    return frame.rename(columns={c: ctx.label(c) for c in columns})


def clv_bands(ctx: ReportContext) -> Table | HTML:
    """CLV by tenths of the customers: how concentrated the future value is."""
    frame = clv_bands_frame(ctx)
    if frame.empty:
        return _note(ctx.label("no_data"))
    return Table(frame, formats=_labelled(ctx, frame, {
        "customers": ctx.count, "clv_total": ctx.money, "clv_share": _percent(ctx), "clv_min": ctx.money}),
                 total_row=True)


def _value_table(ctx: ReportContext, frame: pd.DataFrame) -> Table:
    return Table(frame, formats=_labelled(ctx, frame, {
        "revenue_to_date": ctx.money, "orders_to_date": ctx.count, "p_alive": _percent(ctx),
        "expected_purchases": _number, "clv": ctx.money, "value_at_stake": ctx.money}))


def high_value_customers(ctx: ReportContext) -> Table | HTML:
    """The customers worth most over the next 12 months (``list_size`` rows)."""
    frame = high_value_frame(ctx)
    return _value_table(ctx, frame) if len(frame) else _note(ctx.label("no_data"))


def at_risk_customers(ctx: ReportContext) -> Table | HTML:
    """Valuable customers whose P(alive) has fallen under the threshold, most at stake first."""
    frame = at_risk_frame(ctx)
    if frame.empty:
        return _note(_text(ctx, "没有存活概率低于阈值的重要客户。", "No valuable customer is below the P(alive) threshold."))
    return _value_table(ctx, frame)


# allocation


def allocation_overview_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers needing a rep, assigned and unassigned, per region (a total row when several)."""
    allocation = ctx.allocation
    region = allocation["region"].astype("string").fillna("unknown")
    counts = pd.crosstab(region, allocation["status"].astype("string")).reindex(columns=["assigned", "unassigned"],
                                                                                  fill_value=0)
    frame = pd.DataFrame({"region": counts.index.astype("string"), "candidates": counts.sum(axis=1).to_numpy(),
                          "assigned_count": counts["assigned"].to_numpy(),
                          "unassigned_count": counts["unassigned"].to_numpy()})
    frame = frame.sort_values(["candidates", "region"], ascending=[False, True], kind="stable")
    frame = frame.assign(region=_region_display(ctx, frame["region"]))
    if len(frame) != 1:
        frame.loc[len(frame) + 1] = [ctx.label("total"), *(int(frame[c].sum()) for c in frame.columns[1:])]
    frame = frame.astype({c: "int64" for c in frame.columns[1:]}).reset_index(drop=True)
    return frame.rename(columns={c: ctx.label(c) for c in frame.columns})


def allocation_overview(ctx: ReportContext) -> Table:
    """How many customers needed a rep and how many got one."""
    frame = allocation_overview_frame(ctx)
    return Table(frame, formats={c: ctx.count for c in frame.columns[1:]}, total_row=len(frame) > 1)


# what fits an A4 page; the workbook's allocation sheet has every column
_ALLOCATION_LIST = ("customer_id", "name", "region", "industry", "priority", "rep_name", "reason")
_UNASSIGNED_LIST = ("customer_id", "name", "region", "industry", "priority", "previous_owner", "reason")


def _allocation_list(ctx: ReportContext, status: str, columns: tuple[str, ...], limit: int | None) -> Table | None:
    rows = ctx.allocation[ctx.allocation["status"] == status]
    if rows.empty:
        return None
    keep = [c for c in columns if c != "region" or ctx.region == "all"]
    shown = rows if limit is None else rows.head(limit)
    frame = shown[keep].assign(**({"region": _region_display(ctx, shown["region"])} if "region" in keep else {}))
    frame = _localised(ctx, frame).reset_index(drop=True)
    caption = None
    if limit is not None and len(rows) > limit:
        caption = _text(ctx, "按优先级列出前 {limit} 位（共 {n} 位）；完整名单见 Excel 工作簿的「{sheet}」表。",
                        "The first {limit} of {n} by priority; the workbook's {sheet} sheet lists all.",
                        limit=limit, n=len(rows), sheet=ctx.label("allocation_sheet"))
    return Table(frame, formats=_labelled(ctx, frame, {"priority": "{:.2f}".format}), caption=caption)


def allocation_table(ctx: ReportContext, limit: int | None = 50) -> Table | HTML:
    """The customers given a rep, highest priority first, each with the reason for the choice."""
    table = _allocation_list(ctx, "assigned", _ALLOCATION_LIST, limit)
    return table if table is not None else _note(_text(ctx, "本期没有分配给销售的客户。", "No customer was assigned a rep."))


def unassigned_reasons_frame(ctx: ReportContext) -> pd.DataFrame:
    """Customers left without a rep, counted per reason (most common first)."""
    rows = ctx.allocation[ctx.allocation["status"] == "unassigned"]
    counts = rows.groupby(rows["reason"].astype("string")).size().rename("customers").reset_index()
    counts = counts.sort_values(["customers", "reason"], ascending=[False, True], kind="stable")
    return _localised(ctx, counts.astype({"customers": "int64"}).reset_index(drop=True))


def unassigned_reasons(ctx: ReportContext) -> Table | HTML:
    """Why customers were left without a rep: one row per reason."""
    if ctx.allocation.empty:
        return _note(_text(ctx, "没有需要分配销售的客户。", "No customer needs a rep."))
    frame = unassigned_reasons_frame(ctx)
    if frame.empty:
        return _note(_text(ctx, "每位待分配客户都已分配到销售。", "Every customer needing a rep was assigned one."))
    return Table(frame, formats={ctx.label("customers"): ctx.count})


def unassigned_customers(ctx: ReportContext, limit: int | None = 50) -> Table | HTML:
    """The customers left without a rep, highest priority first, with the reason."""
    table = _allocation_list(ctx, "unassigned", _UNASSIGNED_LIST, limit)
    return table if table is not None else HTML("")


def rep_workload(ctx: ReportContext) -> Table | HTML:
    """Reps of the region: capacity, customers before and after the allocation, utilisation."""
    frame = workload_frame(ctx)
    if frame.empty:
        return _note(_text(ctx, "本区域没有销售。", "The region has no rep."))
    return Table(frame, formats=_labelled(ctx, frame, {
        "capacity": lambda v: f"{float(v):,.0f}", "owned_before": ctx.count, "assigned": ctx.count,
        "owned_after": ctx.count, "utilisation": _percent(ctx)}))


def workload_chart(ctx: ReportContext) -> charts.Chart | HTML:
    """Customers per rep before and after the allocation, side by side."""
    frame = workload_frame(ctx)
    if frame.empty:
        return HTML("")
    before, after = ctx.label("owned_before"), ctx.label("owned_after")
    title = f"{ctx.label('workload')} · {ctx.region_name}"
    return charts.grouped_bar_chart(frame, ctx.label("rep"), {before: before, after: after}, title)


# quality (snapshot-wide: rows are not regional, except the customers merged from several rows)

_ACCOUNTING_KEYS = ("rows_read", "loaded", "merged", "non_data", "quarantined")


def _exact(value) -> str:
    """A count in full (1,234, not 1.23万): row counts are checked against the ingest output."""
    return f"{int(value):,}"


def accounting_frame(ctx: ReportContext) -> pd.DataFrame:
    """Per source: rows read = loaded + merged + non-data + quarantined, whether it balances, and a total row."""
    accounting = ctx.side_table("accounting")
    columns = ["source", "table", "files", *_ACCOUNTING_KEYS]
    frame = pd.DataFrame({c: accounting[c] if c in accounting else pd.Series(0, index=accounting.index)
                          for c in columns}).reset_index(drop=True)
    frame = frame.astype({"source": "string", "table": "string",
                          **{c: "int64" for c in ("files", *_ACCOUNTING_KEYS)}})
    frame.loc[len(frame)] = [ctx.label("total"), pd.NA, *(int(frame[c].sum()) for c in columns[2:])]
    parts = frame["loaded"] + frame["merged"] + frame["non_data"] + frame["quarantined"]
    frame["balanced"] = (frame["rows_read"] == parts).map({True: ctx.label("balanced_yes"),
                                                           False: ctx.label("balanced_no")}).astype("string")
    return _localised(ctx, frame)


def ingest_accounting(ctx: ReportContext) -> Table:
    """The ingest accounting of the snapshot the report reads, one row per source."""
    frame = accounting_frame(ctx)
    return Table(frame, formats=_labelled(ctx, frame, {c: _exact for c in ("files", *_ACCOUNTING_KEYS)}),
                 total_row=True)


def fixes_frame(ctx: ReportContext) -> pd.DataFrame:
    """Standardisation fixes per source (as ingest names them), sources in accounting order, most frequent first."""
    fixes = ctx.side_table("fixes")
    if fixes.empty:
        return _localised(ctx, pd.DataFrame({"source": pd.Series(dtype="string"), "fix": pd.Series(dtype="string"),
                                             "count": pd.Series(dtype="int64")}))
    order = {name: i for i, name in enumerate(ctx.side_table("accounting").get("source", []))}
    frame = fixes.assign(_order=fixes["source"].map(order).fillna(len(order)))
    frame = frame.sort_values(["_order", "count", "fix"], ascending=[True, False, True], kind="stable")
    frame = frame[["source", "fix", "count"]].astype({"source": "string", "fix": "string", "count": "int64"})
    return _localised(ctx, _ingest_words(ctx, frame).reset_index(drop=True))


def ingest_fixes(ctx: ReportContext) -> Table | HTML:
    """What ingest standardised (dates parsed, phones normalised ...) and left empty, per source."""
    frame = fixes_frame(ctx)
    if frame.empty:
        return _note(ctx.label("no_data"))
    return Table(frame, formats={ctx.label("count"): _exact})


def duplicates_frame(ctx: ReportContext) -> pd.DataFrame:
    """Per source with duplicates: rows merged into another record, and the records they were merged into."""
    accounting = ctx.side_table("accounting")
    columns = ["source", "table", "merged_rows", "into_records"]
    if accounting.empty or "merged" not in accounting:
        return pd.DataFrame(columns=[ctx.label(c) for c in columns])
    merged = accounting.loc[accounting["merged"] > 0, ["source", "table", "merged"]].rename(
        columns={"merged": "merged_rows"})
    if "into_records" in accounting:
        merged = merged.assign(into_records=accounting.loc[merged.index, "into_records"].astype("Int64"))
    else:   # written before ingest summed it: counted from the lineage, when the snapshot has one
        lineage = ctx.side_table("lineage")
        into = records_merged_into(lineage)
        merged = merged.assign(into_records=merged["source"].astype("string").map(into).astype("Int64")
                               if len(into) else pd.array([pd.NA] * len(merged), dtype="Int64"))
    frame = merged.astype({"source": "string", "table": "string", "merged_rows": "int64"}).reset_index(drop=True)
    if len(frame):
        frame.loc[len(frame)] = [ctx.label("total"), pd.NA, int(frame["merged_rows"].sum()),
                                 frame["into_records"].sum() if frame["into_records"].notna().all() else pd.NA]
    return frame.rename(columns={c: ctx.label(c) for c in columns})


def duplicates_merged(ctx: ReportContext) -> Table | HTML:
    """Duplicate rows merged at ingest, per source."""
    frame = duplicates_frame(ctx)
    if frame.empty:
        return _note(_text(ctx, "没有合并的重复记录。", "No duplicate was merged."))
    return Table(frame, formats={ctx.label("merged_rows"): _exact, ctx.label("into_records"): _exact},
                 total_row=True)


def merged_customers_frame(ctx: ReportContext, limit: int = 10) -> pd.DataFrame:
    """The region's customers built from the most raw rows (two or more): id, name, rows, sources."""
    columns = ["customer_id", "name", "source_rows", "sources"]
    if store.has_side_table(ctx.snapshot, "merged_customers"):
        merged = ctx.side_table("merged_customers")
    else:   # written before ingest summed it: counted from the lineage, when the snapshot has one
        accounting = ctx.side_table("accounting")
        if accounting.empty or "table" not in accounting:
            return pd.DataFrame(columns=[ctx.label(c) for c in columns])
        customer_sources = accounting.loc[accounting["table"] == "customers", "source"].astype("string")
        merged = customers_merged_from_rows(ctx.side_table("lineage"), customer_sources)
    frame = merged[ids_in(merged["customer_id"], ctx.customers["customer_id"])]   # only this report's customers
    frame = sort_rows(frame, ["source_rows", "customer_id"], ascending=[False, True]).head(limit)
    frame = frame.assign(name=looked_up(ctx.customers, frame["customer_id"], "name"))
    return _localised(ctx, frame[columns].astype({"source_rows": "int64"}).reset_index(drop=True))


def merged_customers(ctx: ReportContext, limit: int = 10) -> Table | HTML:
    """The report's customers merged from the most raw rows, to check the deduplication by eye."""
    frame = merged_customers_frame(ctx, limit)
    if frame.empty:
        return _note(_text(ctx, "本报告的客户中没有由多行合并而成的。", "None of the report's customers was merged from several rows."))
    return Table(frame, formats={ctx.label("source_rows"): _exact})


def quarantine_reasons_frame(ctx: ReportContext) -> pd.DataFrame:
    """Quarantined rows per source, table, column and reason, most first, with a total row."""
    quarantine = ctx.side_table("quarantine")
    keys = ["source", "table", "column", "reason"]
    if quarantine.empty:
        return pd.DataFrame(columns=[ctx.label(c) for c in ["source", "table", "column", "quarantine_reason", "rows"]])
    keyed = quarantine[keys].astype("string").fillna("—")
    counts = keyed.groupby(keys).size().rename("rows").reset_index()
    counts = counts.sort_values(["rows", *keys], ascending=[False, True, True, True, True], kind="stable")
    counts = counts.astype({"rows": "int64"}).reset_index(drop=True)
    counts = _ingest_words(ctx, counts)
    counts.loc[len(counts)] = [ctx.label("total"), pd.NA, pd.NA, pd.NA, int(counts["rows"].sum())]
    return _localised(ctx, counts.rename(columns={"reason": "quarantine_reason"}))


def _ingest_words(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """Reasons, fix names, tables and columns as ingest wrote them (English), in the report's language."""
    def shown(column, translate):
        return frame[column].astype("string").map(lambda text: translate(text, ctx.locale) if pd.notna(text) else text,
                                                  na_action="ignore").astype("string")

    changes = {column: shown(column, i18n.ingest_text) for column in ("reason", "fix") if column in frame}
    changes |= {column: shown(column, i18n.ingest_column) for column in ("table", "column") if column in frame}
    return frame.assign(**changes)


def quarantine_reasons(ctx: ReportContext) -> Table | HTML:
    """Rows set aside at ingest, by reason."""
    frame = quarantine_reasons_frame(ctx)
    if frame.empty:
        return _note(_text(ctx, "没有被隔离的数据行。", "No row was quarantined."))
    return Table(frame, formats={ctx.label("rows"): _exact}, total_row=True)


def ingest_warnings_frame(ctx: ReportContext) -> pd.DataFrame:
    """The limits ingest hit and said out loud (side table ``warnings``): source, rows, warning, remedy."""
    warnings = ctx.side_table("warnings")
    columns = ["source", "rows", "warning", "remedy"]
    if warnings.empty:
        return pd.DataFrame(columns=[ctx.label(c) for c in columns])
    frame = pd.DataFrame({"source": warnings["source"].astype("string").replace("", pd.NA).fillna("—"),
                          "rows": warnings["count"].astype("int64"), "warning": warnings["message"].astype("string"),
                          "remedy": warnings["remedy"].astype("string")})
    return frame.rename(columns={c: ctx.label(c) for c in columns})


def ingest_warnings(ctx: ReportContext) -> Table | HTML:
    """Limits ingest hit (rows a figure may miss), each with its remedy."""
    frame = ingest_warnings_frame(ctx)
    if frame.empty:
        return _note(_text(ctx, "导入没有触及任何限制。", "Ingest hit no limit."))
    return Table(frame, formats={ctx.label("rows"): _exact})


def quarantine_sample_frame(ctx: ReportContext, per_reason: int = 3, mask_contacts: bool = True) -> pd.DataFrame:
    """The first quarantined rows of each source and reason: where they are and why.

    The value as read is shown in the company report only: quarantined rows have no region,
    and a regional report shows no text of other regions' rows. Phones and emails in it are
    masked unless ``mask_contacts`` is False: a value as read is whatever was typed, contacts included.
    """
    quarantine = ctx.side_table("quarantine")
    columns = ["source", "source_file", "source_sheet", "source_row", "column", "reason"]
    columns += ["value"] if ctx.region == "all" else []
    names = {"source_file": "file", "source_sheet": "sheet", "source_row": "row", "reason": "quarantine_reason",
             "value": "raw_value"}
    if quarantine.empty:
        return pd.DataFrame(columns=[ctx.label(names.get(c, c)) for c in columns])
    frame = quarantine.reindex(columns=columns)
    frame = sort_rows(frame.assign(_source=frame["source"].astype("string"), _reason=frame["reason"].astype("string"),
                                   _row=frame["source_row"].astype("Int64")),
                      ["_source", "_reason", "_row"], ascending=[True, True, True])
    frame = frame.groupby(["_source", "_reason"], dropna=False, sort=False).head(per_reason)[columns]
    if mask_contacts and "value" in frame:
        frame = frame.assign(value=mask_contacts_in_texts(frame["value"]))
    return _localised(ctx, _ingest_words(ctx, frame).rename(columns=names).reset_index(drop=True))


def quarantine_sample(ctx: ReportContext, per_reason: int = 3) -> Table | HTML:
    """A few quarantined rows per source and reason, to find them in the raw files."""
    frame = quarantine_sample_frame(ctx, per_reason)
    if frame.empty:
        return HTML("")
    caption = None if ctx.region == "all" else _text(
        ctx, "原值仅在全公司报告中显示：隔离的行不属于任何区域。",
        "Values as read are shown in the company report only: quarantined rows belong to no region.")
    return Table(frame, formats={ctx.label("row"): lambda v: f"{int(v)}"}, caption=caption)
