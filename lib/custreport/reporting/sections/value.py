"""Sections of the value report: BG/NBD and Gamma-Gamma, lifetime value, high value and at risk."""
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
               "expected_purchases", "clv", *(["value_at_stake"] if "value_at_stake" in frame else [])]
    return localised(ctx, frame[columns])


def high_value_frame(ctx: ReportContext) -> pd.DataFrame:
    """The customers worth most over the next 12 months."""
    values, _ = ctx.customer_value
    return _named_values(ctx, high_value(values, ctx.settings.value.list_size))


def at_risk_frame(ctx: ReportContext) -> pd.DataFrame:
    """Valuable customers whose P(alive) has fallen under the threshold."""
    return _named_values(ctx, ctx.at_risk.head(ctx.settings.value.list_size))


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
        parts.append(text_in(
            ctx, 'note.value_models_1',
            n=ctx.count(models.customers), unit=unit, rate=rate, year=rate * 365.25 / unit_days, r=bg.r, a=bg.a,
            b=bg.b, alpha=bg.alpha, drop=i18n.format_percent(bg.a / (bg.a + bg.b), ctx.locale)))
    if models.gamma_gamma:
        gg = models.gamma_gamma
        parts.append(text_in(
            ctx, 'note.value_models_2', spend=ctx.money(gg.p * gg.gamma / (gg.q - 1)), p=gg.p, q=gg.q, gamma=gg.gamma))
    if models.bgnbd:
        parts.append(text_in(
            ctx, 'note.value_models_3',
            horizon=float(settings.horizon), unit=unit, purchases=number_text(figures["expected_purchases_total"]),
            clv=ctx.money(figures["clv_12m_total"]),
            discount=i18n.format_percent(settings.monthly_discount, ctx.locale),
            at_risk=ctx.count(figures["at_risk_customers"]),
            threshold=i18n.format_percent(settings.at_risk_p_alive, ctx.locale, decimals=0)))
    if models.note:
        parts.append(text_in(ctx, 'note.value_models_4', note=models.note))
    if not parts:
        parts.append(ctx.label("no_data"))
    return HTML("".join(f'<p class="note">{html.escape(part)}</p>' for part in parts))


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


def _value_table(ctx: ReportContext, frame: pd.DataFrame) -> Table:
    return Table(frame, formats=formatters_for(ctx, frame, {
        "revenue_to_date": ctx.money, "orders_to_date": ctx.count, "p_alive": percent_format(ctx),
        "expected_purchases": number_text, "clv": ctx.money, "value_at_stake": ctx.money}))


def high_value_customers(ctx: ReportContext) -> Table | HTML:
    """The customers worth most over the next 12 months (``list_size`` rows)."""
    frame = high_value_frame(ctx)
    return _value_table(ctx, frame) if len(frame) else note_html(ctx.label("no_data"))


def at_risk_customers(ctx: ReportContext) -> Table | HTML:
    """Valuable customers whose P(alive) has fallen under the threshold, most at stake first."""
    frame = at_risk_frame(ctx)
    if frame.empty:
        return note_html(text_in(ctx, 'note.at_risk_customers'))
    return _value_table(ctx, frame)
