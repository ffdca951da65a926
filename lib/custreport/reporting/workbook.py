"""The sheets of a region's Excel workbook: a cover, then one table per sheet."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from custreport import i18n
from custreport.figures import CARDS
from custreport.analysis.frames import each_distinct, sort_rows
from custreport.analysis.service import open_complaints
from custreport.privacy import mask_contacts_in_texts, mask_emails, mask_phones
from custreport.reporting.context import ReportContext
from custreport.reporting.metrics import customer_list_name, metrics
from custreport.reporting.provenance import partial_warning, period_text
from custreport.reporting.request import data_coverage
from custreport.reporting.sections.allocation import workload_frame
from custreport.reporting.sections.common import localised, text_in, kpis
from custreport.reporting.sections.funnel import funnel_frame, lead_funnel_frame
from custreport.reporting.sections.quality import quarantine_sample_frame
from custreport.reporting.sections.segments import abc_frame, pivot_frame, rfm_frame
from custreport.reporting.sections.summary import customers_by_type_frame
from custreport.reporting.sections.value import at_risk_frame, clv_bands_frame, high_value_frame


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


def allocation_frame(ctx: ReportContext) -> pd.DataFrame:
    """The allocation table as the workbook shows it: region names, labelled columns."""
    frame = ctx.allocation.assign(region=ctx.allocation["region"].map(
        lambda c: c if pd.isna(c) else ctx.regions.display_name(c, ctx.locale)))
    return localised(ctx, frame, values=("status",))


def open_complaints_frame(ctx: ReportContext, mask_contacts: bool = True) -> pd.DataFrame:
    """Customers with complaints still open at the period end, oldest first.

    Service staff type call-back numbers and addresses into notes: phones and emails in the
    latest note are masked unless ``mask_contacts`` is False.
    """
    frame = open_complaints(ctx.interactions, ctx.as_of, ctx.customers)
    if mask_contacts:
        frame = frame.assign(last_note=mask_contacts_in_texts(frame["last_note"]))
    return localised(ctx, frame)


def workbook_contacts_masked(ctx: ReportContext) -> bool:
    """Whether the region's workbook shows contacts masked (unless params/analysis.yaml says otherwise)."""
    return not ctx.settings.privacy.show_full_contacts_in_workbook


def about_frame(ctx: ReportContext, generated_at: dt.datetime | None = None) -> pd.DataFrame:
    """What the workbook covers and from which data, as the reports' header says: region,
    period, data through, the snapshot and when it was made, and when the workbook was
    generated (``generated_at``, UTC; left out when None)."""
    coverage = data_coverage(ctx.snapshot.manifest)
    made = ctx.snapshot.created_at
    rows = [("region", ctx.region_name), ("period", period_text(ctx.period, ctx.locale)),
            ("data_through", str(coverage[1]) if coverage else ctx.label("no_data")),
            ("snapshot", ctx.snapshot.id),
            ("snapshot_made", pd.Timestamp(made).strftime("%Y-%m-%d %H:%M UTC") if made else "—")]
    if generated_at is not None:
        rows.append(("generated_at", generated_at.strftime("%Y-%m-%d %H:%M UTC")))
    if ctx.period.partial:
        rows.append(("partial_period", partial_warning(ctx.period, ctx.locale)))
    return pd.DataFrame({ctx.label("item"): [ctx.label(key) for key, _ in rows],
                         ctx.label("value"): [value for _, value in rows]})


def workbook_cover(ctx: ReportContext, sheets: list, generated_at: dt.datetime):
    """The workbook's first sheet: its title, what it covers (about_frame) and a line per sheet."""
    from custreport.render.excel import Cover

    about = about_frame(ctx, generated_at)
    title = i18n.report_title("workbook", ctx.region_name, ctx.period.label, ctx.locale)
    return Cover(ctx.label("cover_sheet"), title, list(about.itertuples(index=False, name=None)),
                 (ctx.label("sheet"), ctx.label("sheet_contents")), sheets)


# The kinds of the KPI cards (figures.CARDS): the format of each row of the key figures sheet.
_CARD_KINDS = {key: kind for key, _, kind in CARDS}


def _kpi_sheet(ctx: ReportContext, money: str):
    """The key figures sheet: one row per card, each value (and target) in its own format
    (count, money, percent); the changes as percentages, a rate's in percentage points; each
    figure's target and attainment when params/targets.yaml sets one."""
    from custreport.render.excel import Sheet

    cards = kpis(ctx).table
    # amounts of several currencies have no one number: the cell says them as the card does
    apart = cards["value"].isna() & cards["display"].ne("—")
    cards = cards.assign(value=cards["value"].astype(object).mask(apart, cards["display"]))
    rate = cards["kind"].eq("percent").to_numpy()
    # a rate's change is a difference of points: shown as points, never as a percent of itself
    changes = {key: cards[key].astype("float64").mask(rate, cards[key].astype("float64") * 100)
               for key in ("vs_previous", "vs_year_ago")}
    columns = {"label": ctx.label("metric"), "value": ctx.label("value"), "vs_previous": ctx.label("vs_previous"),
               "vs_year_ago": ctx.label("vs_year_ago")}
    with_targets = cards["target"].notna().any()
    if with_targets:
        columns.update(target=ctx.label("target"), attainment=ctx.label("attainment"))
    figures = cards.assign(**changes)[list(columns)].rename(columns=columns)
    kinds = {"count": "#,##0", "money": money, "percent": "0.0%"}
    points = '+0.0" pp";-0.0" pp";0.0" pp"' if ctx.locale == "en" else '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"'
    change_formats = ["0.0%" if kind != "percent" else points for kind in cards["kind"]]
    row_formats = {ctx.label("value"): [kinds[_CARD_KINDS[key]] for key in cards["metric"]],
                   ctx.label("vs_previous"): change_formats, ctx.label("vs_year_ago"): change_formats}
    if with_targets:
        row_formats[ctx.label("target")] = [kinds[_CARD_KINDS[key]] for key in cards["metric"]]
    return Sheet(ctx.label("kpis"), figures, {ctx.label("attainment"): "0.0%"} if with_targets else {},
                 row_formats=row_formats, description=text_in(ctx, "sheet.kpis"))


def targets_frame(ctx: ReportContext) -> pd.DataFrame:
    """Every target of the report's region and period, and of its reps: who (the region, or a
    rep), the figure, the target, the goal (pro-rated for a period still running), the actual
    figure, its attainment and the figure's kind (count, money, percent). A rep's actual
    revenue is that of the customers they own; their other figures are not known per rep."""
    from custreport.reporting.insights import target_period
    from custreport.targets import TARGET_KINDS, load_targets

    figures = metrics(ctx)
    rows = [{"who": ctx.region_name, "metric": ctx.label(name), "target": entry["target"], "goal": entry["goal"],
             "actual": entry["actual"], "attainment": entry["attainment"], "kind": TARGET_KINDS[name]}
            for name, entry in (figures.get("targets") or {}).items()]
    token, share = target_period(ctx.period)
    if token:
        by_rep = ctx.period_customers.groupby("owner_rep")["period_revenue"].sum()
        for rep, aims in sorted(load_targets(ctx.regions).for_reps(ctx.region, token).items()):
            for name, target in aims.items():
                # a rep's own figure is known for revenue only (their customers' revenue)
                actual = float(by_rep.get(rep, 0.0)) if name == "revenue" else None
                goal = target * (share if TARGET_KINDS[name] != "percent" else 1.0)
                rows.append({"who": rep, "metric": ctx.label(name), "target": target, "goal": round(goal, 4),
                             "actual": actual, "attainment": round(actual / goal, 4) if actual is not None and goal
                             else None, "kind": TARGET_KINDS[name]})
    frame = pd.DataFrame(rows, columns=["who", "metric", "target", "goal", "actual", "attainment", "kind"])
    return frame.rename(columns={"who": ctx.label("target_of"), "metric": ctx.label("metric"),
                                 "target": ctx.label("target"), "goal": ctx.label("target_goal"),
                                 "actual": ctx.label("actual"), "attainment": ctx.label("attainment")})


def _targets_sheet(ctx: ReportContext, targets: pd.DataFrame, money: str):
    """targets_frame as a sheet, each target, goal and actual in its figure's format."""
    from custreport.render.excel import Sheet

    kinds = {"count": "#,##0", "money": money, "percent": "0.0%"}
    shown = [kinds[kind] for kind in targets["kind"]]
    return Sheet(ctx.label("targets_sheet"), targets.drop(columns="kind"), {ctx.label("attainment"): "0.0%"},
                 row_formats={ctx.label(key): shown for key in ("target", "target_goal", "actual")},
                 description=text_in(ctx, "sheet.targets"))


def _total_rows(ctx: ReportContext, frame: pd.DataFrame, index: bool) -> int:
    """1 when the frame's last row is its total row (named 合计 / Total in its first cell)."""
    if frame.empty:
        return 0
    first = frame.index[-1] if index else frame.iloc[-1, 0]
    return int(first == ctx.label("total"))


def workbook_sheets(ctx: ReportContext, generated_at: dt.datetime | None = None,
                    customers: pd.DataFrame | None = None) -> list:
    """Sheets of the region's Excel workbook: a cover (title, what it covers, from which data,
    when it was generated, a line per sheet), customers, pivot, KPIs, sales pivots, then one
    per analysis, and a sample of the quarantined rows. Rates and shares show as 0.0%,
    amounts in the report's currency; total rows stay below each sheet's autofilter.

    The workbook is the analyst's output: contacts are masked like everywhere else unless
    params/analysis.yaml sets ``privacy.show_full_contacts_in_workbook`` (delivery mails a
    masked copy either way). The customers sheet holds the first ``workbook.customer_rows``
    of ``customers`` (customer_sheet_frame, computed when not given); its cover line then
    names the file with them all (customer_list_name).
    """
    from custreport.render.excel import Sheet

    masked = workbook_contacts_masked(ctx)
    if customers is None:
        customers = customer_sheet_frame(ctx, mask_contacts=masked)
    shown_rows = ctx.settings.workbook.customer_rows
    customers_about = {"about": "sheet.customers"}
    if len(customers) > shown_rows:
        fields = {"shown": shown_rows, "total": len(customers), "file": customer_list_name(ctx.region)}
        customers_about = {"about": "sheet.customers_top", "note": text_in(ctx, "sheet.customers_top", **fields),
                           **fields}
        customers = customers.iloc[:shown_rows]
    money = i18n.excel_money_format(ctx.currency, ctx.locale)
    money_columns = {c: money for c in customers.columns if c.startswith(ctx.label("revenue"))}
    share, ratio = "0.0%", "0.000"

    def formats(money_keys=(), share_keys=(), ratio_keys=()) -> dict[str, str]:
        return {**{ctx.label(k): money for k in money_keys}, **{ctx.label(k): share for k in share_keys},
                **{ctx.label(k): ratio for k in ratio_keys}}

    def sheet(title: str, frame: pd.DataFrame, number_formats=None, index: bool = False, about: str = "",
              note: str = "", **fields) -> Sheet:
        return Sheet(title, frame, number_formats or {}, index=index, total_rows=_total_rows(ctx, frame, index),
                     description=text_in(ctx, about, **fields), note=note)

    value_formats = formats(("revenue_to_date", "clv"), ("p_alive",), ("expected_purchases",))
    # every customer at risk, not the report's first list_size: the report's caption sends readers here
    at_risk_formats = {**formats(("revenue_to_date", "value_at_stake"), ("p_alive",)), ctx.label("usual_gap_days"): "0"}
    place = ctx.label("region" if ctx.region == "all" else "province")
    targets = targets_frame(ctx)
    sheets = [
        sheet(ctx.label("customers_sheet"), customers, money_columns, **customers_about),
        sheet(ctx.label("pivot_sheet"), customers_by_type_frame(ctx), index=True, about="sheet.pivot",
              by=place, lower=place.lower()),
        _kpi_sheet(ctx, money),
        *([_targets_sheet(ctx, targets, money)] if not targets.empty else []),
        *[sheet(text_in(ctx, 'note.workbook_sheets', by=ctx.label(by), lower=ctx.label(by).lower()), pivot_frame(ctx, by),
                formats(("revenue", "aov"), ("share",)), index=True, about="sheet.sales_pivot",
                by=ctx.label(by), lower=ctx.label(by).lower()) for by in _SALES_PIVOTS[ctx.region == "all"]],
        sheet(ctx.label("funnel_sheet"), funnel_frame(ctx),
              formats(share_keys=("step_conversion", "cumulative_conversion")), about="sheet.funnel"),
        *([sheet(ctx.label("lead_funnel_sheet"), lead_funnel_frame(ctx),
                 formats(("won_value",), ("lead_to_deal", "deal_to_won", "lead_to_won")), about="sheet.lead_funnel")]
          if ctx.has_leads else []),
        sheet(ctx.label("rfm_sheet"), rfm_frame(ctx),
              formats(("monetary",), ("customer_share", "revenue_share")), about="sheet.rfm"),
        sheet(ctx.label("abc_sheet"), abc_frame(ctx), formats(("revenue",), ("revenue_share",)), about="sheet.abc"),
        sheet(ctx.label("value_tiers_sheet"), clv_bands_frame(ctx), formats(("clv_total", "clv_min"), ("clv_share",)),
              about="sheet.value_tiers"),
        sheet(ctx.label("high_value_sheet"), high_value_frame(ctx), value_formats, about="sheet.high_value"),
        sheet(ctx.label("at_risk_sheet"), at_risk_frame(ctx), at_risk_formats, about="sheet.at_risk"),
        sheet(ctx.label("allocation_sheet"), allocation_frame(ctx),
              formats(("potential_value",), ratio_keys=("priority",)), about="sheet.allocation"),
        sheet(ctx.label("workload_sheet"), workload_frame(ctx), formats(share_keys=("utilisation",)),
              about="sheet.workload"),
        sheet(ctx.label("complaints_sheet"), open_complaints_frame(ctx, mask_contacts=masked), about="sheet.complaints"),
        sheet(ctx.label("quarantine_sheet"), quarantine_sample_frame(ctx, mask_contacts=masked),
              about="sheet.quarantine"),
    ]
    when = generated_at or dt.datetime.now(dt.timezone.utc)
    return [workbook_cover(ctx, sheets, when), *sheets]


# The segments report's sales pivots, as workbook sheets: by province within a region, by
# region for the whole company.
_SALES_PIVOTS = {False: ("province", "industry", "channel", "owner_rep"),
                 True: ("region", "industry", "channel", "owner_rep")}
