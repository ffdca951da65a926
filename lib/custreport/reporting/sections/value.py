"""Sections of the value report: the models' findings in words, lifetime value, high value, at risk
and lost customers, and the fitted parameters in an appendix for analysts."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
from IPython.display import HTML

from custreport import charts, i18n
from custreport.analysis.frames import sort_rows
from custreport.keyed_frames import looked_up
from custreport.analysis.value import high_value
from custreport.render.tables import Table
from custreport.reporting.context import ReportContext
from custreport.reporting.metrics import value_figures
from custreport.reporting.sections.common import formatters_for, localised, note_html, number_text, percent_format, text_in


def _named_values(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(name=looked_up(ctx.customers, frame["customer_id"], "name"))
    columns = ["customer_id", "name", "revenue_to_date", "orders_to_date", "last_order", "p_alive",
               "expected_purchases", "clv"]
    return localised(ctx, frame[columns])


def high_value_frame(ctx: ReportContext) -> pd.DataFrame:
    """The customers worth most over the next 12 months."""
    values, _ = ctx.customer_value
    return _named_values(ctx, high_value(values, ctx.settings.value.list_size))


# --------------------------------------------------------------------------- the findings in words


def _unit(ctx: ReportContext) -> str:
    """The models' time unit in words: 周 / week, 天 / day, else 14天 / 14-day period."""
    days = float(ctx.settings.value.time_unit_days)
    key = {7.0: "note.unit_week", 1.0: "note.unit_day"}.get(days, "note.unit_days")
    return text_in(ctx, key, days=f"{days:g}")


def _horizon_text(ctx: ReportContext) -> str:
    """The horizon of expected purchases in words: 13 周 / 13 weeks (in days for another unit)."""
    days, horizon = float(ctx.settings.value.time_unit_days), float(ctx.settings.value.horizon)
    if days == 7.0:
        return text_in(ctx, "note.horizon_weeks", n=f"{horizon:g}")
    return text_in(ctx, "note.horizon_days", n=f"{horizon * days:g}")


def _percent(ctx: ReportContext, share: float) -> str:
    return i18n.format_percent(share, ctx.locale, decimals=0)


def _customer_name(ctx: ReportContext, customer_id: str) -> str:
    name = looked_up(ctx.customers, pd.Series([customer_id], dtype="string"), "name").iloc[0]
    return customer_id if pd.isna(name) else str(name)


def _top_tenth_share(clv: pd.Series) -> tuple[int, float]:
    """How many customers the top tenth by CLV holds (as clv_bands counts them), and their share of it."""
    ranked = np.sort(clv.dropna().to_numpy(dtype="float64"))[::-1]
    count = -(-len(ranked) // 10)
    total = float(ranked.sum())
    return count, float(ranked[:count].sum()) / total if total else 0.0


def value_summary(ctx: ReportContext) -> HTML:
    """What the value models say, for a reader who will not read the models: how many customers
    are still buying and how much they will buy, what they are worth over 12 months, who is worth
    most, who is slipping away and who is probably gone."""
    values, models = ctx.customer_value
    figures = value_figures(ctx)
    settings = ctx.settings.value
    scored = figures["expected_alive_customers"] is not None   # P(alive) for every customer
    # a fit on a handful of customers can be degenerate: no predictions then, as without a fit
    predicted = scored and figures["expected_purchases_total"] is not None
    points = []
    if predicted:
        points.append(text_in(ctx, "note.value_summary_buying", n=ctx.count(models.customers),
                              alive=ctx.count(round(figures["expected_alive_customers"])),
                              horizon=_horizon_text(ctx),
                              purchases=ctx.count(round(figures["expected_purchases_total"]))))
    else:
        points.append(text_in(ctx, "note.value_summary_no_model", n=ctx.count(models.customers)))
    if figures["clv_12m_total"] is not None:
        top_count, top_share = _top_tenth_share(values["clv"])
        best = high_value(values, 1).iloc[0]
        points.append(text_in(ctx, "note.value_summary_worth", clv=ctx.money(figures["clv_12m_total"]),
                              discount=i18n.format_percent(settings.monthly_discount, ctx.locale),
                              top=ctx.count(top_count), share=i18n.format_percent(top_share, ctx.locale),
                              name=_customer_name(ctx, str(best["customer_id"])), best=ctx.money(best["clv"]),
                              section=ctx.label("high_value")))
    elif predicted and models.gamma_gamma is None:
        points.append(text_in(ctx, "note.value_summary_no_spend"))
    if scored:
        rules = ctx.risk_rules
        points.append(text_in(ctx, "note.value_summary_valuable", share=_percent(ctx, rules.revenue_share)))
        at_risk = figures["at_risk_customers"]
        if at_risk:
            points.append(text_in(ctx, "note.value_summary_at_risk", n=ctx.count(at_risk),
                                  below=_percent(ctx, rules.p_alive_below), factor=f"{rules.gap_factor:g}",
                                  stake=ctx.money(figures["at_risk_value_at_stake"]), section=ctx.label("at_risk"),
                                  shown=_shown_text(ctx, at_risk)))
        else:
            points.append(text_in(ctx, "note.value_summary_no_risk"))
        if figures["lost_customers"]:
            points.append(text_in(ctx, "note.value_summary_lost", n=ctx.count(figures["lost_customers"]),
                                  floor=_percent(ctx, rules.p_alive_min), section=ctx.label("lost_customers")))
    items = "".join(f"<li>{html.escape(point)}</li>" for point in points)
    return HTML(f'<ul class="key-points">{items}</ul>')


def _shown_text(ctx: ReportContext, total: int) -> str:
    """"前 20 位（共 27 位）" / "top 20 of 27", or "全部 5 位" / "all 5" when the list holds every one."""
    limit = ctx.settings.value.list_size
    if total > limit:
        return text_in(ctx, "note.list_top_of", limit=ctx.count(limit), n=ctx.count(total))
    return text_in(ctx, "note.list_all", n=ctx.count(total))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- lifetime value


def clv_distribution(ctx: ReportContext) -> charts.Chart | HTML:
    """How 12-month customer value is spread over the customers (a histogram)."""
    values, _ = ctx.customer_value
    clv = values["clv"].dropna()
    if clv.empty:
        return note_html(ctx.label("no_data"))
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
    top = text_in(ctx, 'note.clv_bands_frame')
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
        return note_html(ctx.label("no_data"))
    return Table(frame, formats=formatters_for(ctx, frame, {
        "customers": ctx.count, "clv_total": ctx.money, "clv_share": percent_format(ctx), "clv_min": ctx.money}),
                 total_row=True)


def high_value_customers(ctx: ReportContext) -> Table | HTML:
    """The customers worth most over the next 12 months (``list_size`` rows)."""
    frame = high_value_frame(ctx)
    if not len(frame):
        return note_html(ctx.label("no_data"))
    return Table(frame, formats=formatters_for(ctx, frame, {
        "revenue_to_date": ctx.money, "orders_to_date": ctx.count, "p_alive": percent_format(ctx),
        "expected_purchases": number_text, "clv": ctx.money}))


# --------------------------------------------------------------------------- at risk and lost


_RISK_COLUMNS = ("customer_id", "name", "revenue_to_date", "last_order", "days_since_last", "usual_gap_days",
                 "p_alive", "value_at_stake", "risk_reason")


def _reasons(ctx: ReportContext, risky: pd.DataFrame) -> pd.Series:
    """Why each customer is listed, in words: P(alive) under the bound, silent past their usual gap, or both."""
    low = text_in(ctx, "note.risk_low_p_alive", below=_percent(ctx, ctx.risk_rules.p_alive_below))
    parts = [[low] if is_low else [] for is_low in risky["low_p_alive"]]
    for words, overdue, ratio in zip(parts, risky["overdue"], risky["gap_ratio"]):
        if overdue:
            words.append(text_in(ctx, "note.risk_overdue", ratio=f"{ratio:.1f}"))
    separator = text_in(ctx, "note.reason_separator")
    return pd.Series([separator.join(words) for words in parts], index=risky.index, dtype="string")


def _risk_frame(ctx: ReportContext, frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = frame.assign(name=looked_up(ctx.customers, frame["customer_id"], "name"))
    if "risk_reason" in columns:
        frame = frame.assign(risk_reason=_reasons(ctx, frame))
    return localised(ctx, frame[list(columns)])


def at_risk_frame(ctx: ReportContext, limit: int | None = None) -> pd.DataFrame:
    """The valuable customers slipping away but probably still buying, most value at stake first
    (all of them, or the first ``limit``), each with why: P(alive), days since the last purchase
    against their usual gap."""
    risky = ctx.at_risk if limit is None else ctx.at_risk.head(limit)
    return _risk_frame(ctx, risky, _RISK_COLUMNS)


_LOST_COLUMNS = ("customer_id", "name", "revenue_to_date", "last_order", "days_since_last", "usual_gap_days",
                 "p_alive")


def lost_frame(ctx: ReportContext, limit: int | None = None) -> pd.DataFrame:
    """The valuable customers the model counts as probably gone, most revenue to date first."""
    gone = ctx.lost_customers if limit is None else ctx.lost_customers.head(limit)
    return _risk_frame(ctx, gone, _LOST_COLUMNS)


def _scored(ctx: ReportContext) -> bool:
    """Whether the purchase model gave every customer a P(alive) (risk can be judged)."""
    return bool(ctx.customer_value[0]["p_alive"].notna().any())


def _risk_table(ctx: ReportContext, frame: pd.DataFrame, caption: str) -> Table:
    # days since the last purchase say what its date says, in the terms of the reason
    frame = frame.drop(columns=ctx.label("last_order"))
    whole_days = lambda value: f"{value:,.0f}"   # noqa: E731
    return Table(frame, caption=caption, formats=formatters_for(ctx, frame, {
        "revenue_to_date": ctx.money, "p_alive": percent_format(ctx), "value_at_stake": ctx.money,
        "days_since_last": whole_days, "usual_gap_days": whole_days}))


def at_risk_rule(ctx: ReportContext) -> HTML:
    """Which customers the at-risk list holds, in words."""
    rules = ctx.risk_rules
    return note_html(text_in(ctx, "note.at_risk_rule", share=_percent(ctx, rules.revenue_share),
                             floor=_percent(ctx, rules.p_alive_min), below=_percent(ctx, rules.p_alive_below),
                             factor=f"{rules.gap_factor:g}"))


def at_risk_customers(ctx: ReportContext) -> Table | HTML:
    """The valuable customers slipping away, most value at stake first (``list_size`` rows; the
    caption says how many there are in all)."""
    if ctx.at_risk.empty:
        key = "note.at_risk_customers" if _scored(ctx) else "note.risk_no_model"
        return note_html(text_in(ctx, key))
    caption = text_in(ctx, "note.at_risk_caption", shown=_capitalised(_shown_text(ctx, len(ctx.at_risk))),
                      sheet=ctx.label("at_risk_sheet"))
    return _risk_table(ctx, at_risk_frame(ctx, ctx.settings.value.list_size), caption)


def lost_rule(ctx: ReportContext) -> HTML:
    """Which customers the lost list holds, in words."""
    rules = ctx.risk_rules
    return note_html(text_in(ctx, "note.lost_rule", share=_percent(ctx, rules.revenue_share),
                             floor=_percent(ctx, rules.p_alive_min)))


def lost_customers(ctx: ReportContext) -> Table | HTML:
    """The valuable customers probably gone, most revenue to date first (``list_size`` rows)."""
    if ctx.lost_customers.empty:
        key = "note.lost_customers" if _scored(ctx) else "note.risk_no_model"
        return note_html(text_in(ctx, key))
    caption = text_in(ctx, "note.lost_caption", shown=_capitalised(_shown_text(ctx, len(ctx.lost_customers))))
    return _risk_table(ctx, lost_frame(ctx, ctx.settings.value.list_size), caption)


# --------------------------------------------------------------------------- appendix for analysts


def model_parameters(ctx: ReportContext) -> HTML:
    """The fitted models for analysts: parameters, what they imply, and why a model is missing or weak."""
    _, models = ctx.customer_value
    settings = ctx.settings.value
    unit_days = float(settings.time_unit_days)
    parts = []
    if models.bgnbd:
        bg = models.bgnbd
        rate = bg.r / bg.alpha
        parts.append(text_in(
            ctx, "note.model_bgnbd", n=ctx.count(models.customers), unit=_unit(ctx), rate=rate,
            year=rate * 365.25 / unit_days, r=bg.r, a=bg.a, b=bg.b, alpha=bg.alpha, ll=bg.log_likelihood,
            drop=i18n.format_percent(bg.a / (bg.a + bg.b), ctx.locale)))
    if models.gamma_gamma:
        gg = models.gamma_gamma
        parts.append(text_in(ctx, "note.model_gamma_gamma", spend=ctx.money(gg.p * gg.gamma / (gg.q - 1)), p=gg.p,
                             q=gg.q, gamma=gg.gamma, ll=gg.log_likelihood))
    for issue in models.issues:
        q = models.gamma_gamma.q if models.gamma_gamma else float("nan")
        parts.append(text_in(ctx, f"note.model_issue_{issue}", q=q))
    if parts:
        parts.append(text_in(ctx, "note.model_settings", unit=_unit(ctx), days=f"{unit_days:g}",
                             horizon=_horizon_text(ctx),
                             discount=i18n.format_percent(settings.monthly_discount, ctx.locale)))
    else:
        parts.append(ctx.label("no_data"))
    return HTML("".join(f'<p class="note">{html.escape(part)}</p>' for part in parts))
