"""ReportContext and load(): the slice of a snapshot one report reads, analysed once per worker."""
from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from custreport import i18n, store
from custreport.analysis.allocation import AllocationRules, allocate
from custreport.analysis.industries import industry_names, listed_industry_names
from custreport.analysis.deals import won_deal_lines
from custreport.analysis.funnel import Funnel, funnel_table
from custreport.analysis.frames import before_column, customer_ledger, each_distinct, spans_at, with_credits
from custreport.keyed_frames import aligned, ids_in
from custreport.analysis.pivots import by_customer, customer_pivot, sales_pivot
from custreport.analysis.sales import sold_in
from custreport.analysis.rfm import OTHERS, SEGMENT_RULES, SegmentRule, abc_tiers, rfm_from_ledger
from custreport.analysis.segments import classify_by_spans, classify_customers, completed, is_completed, is_credit, movement_between
from custreport.analysis.value import RiskRules, ValueModels, at_risk, lost, values_from_ledger
from custreport.analysis.currency import to_reporting_currency
from custreport.analysis_settings import AnalysisSettings, load_analysis
from custreport.config import IndustryTable, RegionTable, default_store, load_industries, project_root
from custreport.fx import FxTable, load_fx
from custreport.stages import StageCatalog, StageList, load_stages
from custreport.notebook_parameters import check_injected
from custreport.periods import Period
from custreport.reporting.request import data_through, resolve_period


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
        return won_deal_lines(deals[ids_in(deals["customer_id"], self.customers["customer_id"])])

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

    @property
    def risk_rules(self) -> RiskRules:
        """When a valuable customer is at risk or lost, as params/analysis.yaml ``value`` says."""
        value = self.settings.value
        return RiskRules(p_alive_below=value.at_risk_p_alive, p_alive_min=value.at_risk_p_alive_min,
                         gap_factor=value.at_risk_gap_factor, revenue_share=value.at_risk_revenue_share)

    @cached_property
    def at_risk(self) -> pd.DataFrame:
        """Every valuable customer slipping away but probably still buying, most value at stake first."""
        values, _ = self.customer_value
        return at_risk(values, self.as_of, self.risk_rules)

    @cached_property
    def lost_customers(self) -> pd.DataFrame:
        """Every valuable customer the value model counts as probably gone, most revenue to date first."""
        values, _ = self.customer_value
        return lost(values, self.as_of, self.risk_rules)

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
        return movement_between(self.classified_at(self.period.start_ts), self.classified, self.period.start_ts,
                                self.period.end_exclusive_ts)

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
    key = (str(snapshot.path.resolve()), snapshot.id, code, parsed, locale, settings, stages, industries, fx)
    kept = WORKER_CACHE.get(key) if reuse else None
    if kept is not None:
        return kept
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
    WORKER_CACHE.keep(key, ctx)
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


class LastLoaded:
    """The context a worker loaded last, with what it was loaded from: its kernel renders one
    region's reports one after another, and each report loads the same slice again. Kept only
    while every input is equal (store, snapshot, region, period, locale, and the parsed
    analysis, stages, industries and exchange-rate params), so an edited params file or a new
    snapshot is always read afresh.

    >>> cache = LastLoaded(); cache.keep(("key",), "context"); cache.get(("key",)), cache.get(("other",))
    ('context', None)
    """

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._context = None

    def get(self, key: tuple):
        return self._context if self._key == key else None

    def keep(self, key: tuple, context) -> None:
        self._key, self._context = key, context

    def clear(self) -> None:
        self._key = self._context = None


WORKER_CACHE = LastLoaded()   # one per process: a worker and its kernel each own theirs

