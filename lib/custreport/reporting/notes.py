"""Short notes beside the figures: what revenue is, currencies, the pipeline."""
from __future__ import annotations





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
