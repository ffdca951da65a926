"""Labels and number formats for the two report languages, zh and en.

>>> format_money(123456789, "zh"), format_money(123456789, "en")
('¥1.23亿', '¥123.5M')
>>> format_count(12345, "zh"), format_percent(0.1234, "en")
('1.23万', '12.3%')
"""

from __future__ import annotations

import math

import pandas as pd

LOCALES = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "summary": "经营概览", "report": "报告", "region": "区域", "period": "期间",
        "generated_at": "生成时间", "snapshot": "数据快照", "contents": "目录",
        "customers_total": "客户总数", "customers_new": "新增客户", "customers_active": "活跃客户",
        "customers_churned": "流失客户", "customers_prospect": "潜在客户",
        "revenue": "销售额", "orders": "订单数", "aov": "客单价", "deals_won": "赢单数",
        "win_rate": "赢单率", "pipeline_value": "在谈金额",
        "vs_previous": "环比", "vs_year_ago": "同比", "no_data": "无数据",
        "kpis": "关键指标", "trend": "月度销售趋势", "by_type": "客户类型分布", "top_customers": "重点客户",
        "month": "月份", "customer": "客户", "name": "客户名称", "industry": "行业", "share": "占比",
        "customer_id": "客户编号", "province": "省份", "city": "城市", "phone": "电话", "email": "邮箱",
        "owner_rep": "负责人", "created_at": "建档日期", "customer_type": "客户类型",
        "first_order": "首单日期", "last_order": "末单日期",
        "prospect": "潜在客户", "active": "活跃客户", "churned": "流失客户", "total": "合计",
        "unknown": "未知", "customers_sheet": "客户总表", "pivot_sheet": "透视汇总", "metric": "指标",
        "value": "数值", "previous": "上期", "year_ago": "去年同期",
        # analyses
        "potential_value": "潜在价值", "intent": "意向", "priority": "优先级", "previous_owner": "原负责人",
        "rep_id": "销售编号", "rep_name": "分配销售", "status": "状态", "reason": "分配理由",
        "assigned": "已分配", "unassigned": "未分配", "capacity": "客户容量", "owned_before": "分配前客户数",
        "owned_after": "分配后客户数", "utilisation": "负荷率", "rep": "销售",
        "segment": "分层", "customers": "客户数", "customer_share": "客户占比", "monetary": "累计金额",
        "revenue_share": "销售额占比", "tier": "等级", "stage": "阶段", "reached": "到达数",
        "step_conversion": "阶段转化率", "cumulative_conversion": "累计转化率", "drop_off": "流失数",
        "current": "当前停留", "bottleneck": "瓶颈", "deals": "商机数", "amount": "金额",
        "revenue_to_date": "累计销售额", "orders_to_date": "累计订单", "frequency": "复购次数",
        "recency": "末次复购(周)", "T": "客户年龄(周)", "monetary_value": "复购均额", "p_alive": "存活概率",
        "expected_purchases": "预计购买次数", "expected_spend": "预计单次金额", "clv": "12个月客户价值",
        "value_at_stake": "风险金额", "buyers": "购买客户数",
        "allocation_sheet": "客户分配", "workload_sheet": "销售负荷", "rfm_sheet": "RFM分层", "abc_sheet": "ABC分级",
        "funnel_sheet": "销售漏斗", "high_value_sheet": "高价值客户", "at_risk_sheet": "流失预警",
        "complaints_sheet": "未结投诉", "open_complaints": "未结投诉数", "oldest_open": "最早未结日期",
        "days_open": "未结天数", "last_note": "最近记录",
        "Champions": "冠军客户", "Loyal Customers": "忠诚客户", "Potential Loyalist": "潜力忠诚客户",
        "New Customers": "新客户", "Promising": "有潜力客户", "Need Attention": "需要关注",
        "About To Sleep": "即将沉睡", "At Risk": "流失风险", "Can't Lose Them": "不能失去",
        "Hibernating": "休眠客户", "Lost": "已流失", "Others": "其他",
    },
    "en": {
        "summary": "Business summary", "report": "Report", "region": "Region", "period": "Period",
        "generated_at": "Generated", "snapshot": "Data snapshot", "contents": "Contents",
        "customers_total": "Customers", "customers_new": "New customers", "customers_active": "Active customers",
        "customers_churned": "Churned customers", "customers_prospect": "Prospects",
        "revenue": "Revenue", "orders": "Orders", "aov": "Average order value", "deals_won": "Deals won",
        "win_rate": "Win rate", "pipeline_value": "Open pipeline",
        "vs_previous": "vs previous", "vs_year_ago": "vs year ago", "no_data": "no data",
        "kpis": "Key figures", "trend": "Monthly revenue", "by_type": "Customers by type",
        "top_customers": "Top customers", "month": "Month", "customer": "Customer", "name": "Customer name",
        "industry": "Industry", "share": "Share", "customer_id": "Customer ID", "province": "Province",
        "city": "City", "phone": "Phone", "email": "Email", "owner_rep": "Owner", "created_at": "Created",
        "customer_type": "Customer type", "first_order": "First order", "last_order": "Last order",
        "prospect": "Prospect", "active": "Active", "churned": "Churned", "total": "Total",
        "unknown": "Unknown", "customers_sheet": "Customers", "pivot_sheet": "Pivot", "metric": "Metric",
        "value": "Value", "previous": "Previous", "year_ago": "Year ago",
        # analyses
        "potential_value": "Potential value", "intent": "Intent", "priority": "Priority",
        "previous_owner": "Previous owner", "rep_id": "Rep ID", "rep_name": "Assigned rep", "status": "Status",
        "reason": "Reason", "assigned": "assigned", "unassigned": "unassigned", "capacity": "Capacity",
        "owned_before": "Customers before", "owned_after": "Customers after", "utilisation": "Utilisation",
        "rep": "Rep", "segment": "Segment", "customers": "Customers", "customer_share": "Share of customers",
        "monetary": "Revenue to date", "revenue_share": "Share of revenue", "tier": "Tier", "stage": "Stage",
        "reached": "Reached", "step_conversion": "Step conversion", "cumulative_conversion": "Cumulative conversion",
        "drop_off": "Drop-off", "current": "In stage now", "bottleneck": "Bottleneck", "deals": "Deals",
        "amount": "Amount", "revenue_to_date": "Revenue to date", "orders_to_date": "Orders to date",
        "frequency": "Repeat purchases", "recency": "Last repeat (weeks)", "T": "Age (weeks)",
        "monetary_value": "Mean repeat spend", "p_alive": "P(alive)", "expected_purchases": "Expected purchases",
        "expected_spend": "Expected spend", "clv": "12-month CLV", "value_at_stake": "Value at stake",
        "buyers": "Buyers",
        "allocation_sheet": "Allocation", "workload_sheet": "Workload", "rfm_sheet": "RFM segments",
        "abc_sheet": "ABC tiers", "funnel_sheet": "Funnel", "high_value_sheet": "High value",
        "at_risk_sheet": "At risk", "complaints_sheet": "Open complaints", "open_complaints": "Open complaints",
        "oldest_open": "Oldest open", "days_open": "Days open", "last_note": "Latest note",
        **{name: name for name in ("Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising",
                                   "Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating",
                                   "Lost", "Others")},
    },
}


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        from custreport.config import UserError

        raise UserError(f"unknown locale {locale!r}: use zh or en")
    return locale


def label(key: str, locale: str) -> str:
    """The reader-facing word for ``key``; the key itself when no label exists."""
    return LABELS[locale].get(key, key)


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_count(value, locale: str) -> str:
    """Counts: 万/亿 in Chinese above ten thousand, thousands separators in English."""
    if _missing(value):
        return "—"
    if locale == "zh":
        return _zh_units(value, decimals=2) if abs(value) >= 10_000 else f"{value:,.0f}"
    return f"{value:,.0f}"


def format_money(value, locale: str, currency: str = "¥", decimals: int | None = None) -> str:
    """Amounts: 万/亿 in Chinese, K/M/B in English; ``decimals`` overrides the precision (axes use 0)."""
    if _missing(value):
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(value)
    places = 1 if decimals is None else decimals
    if locale == "zh":
        text = _zh_units(value, decimals=2 if decimals is None else decimals) if value >= 10_000 else f"{value:,.0f}"
    elif value >= 1e9:
        text = f"{value / 1e9:.{places}f}B"
    elif value >= 1e6:
        text = f"{value / 1e6:.{places}f}M"
    elif value >= 1e4:
        text = f"{value / 1e3:.{places}f}K"
    else:
        text = f"{value:,.0f}"
    return f"{sign}{currency}{text}"


def format_percent(value, locale: str, decimals: int = 1) -> str:
    if _missing(value):
        return "—"
    return f"{value * 100:.{decimals}f}%"


def format_delta(value, locale: str) -> str:
    """A relative change as +12.3% / -4.0%; an em dash when there is no base to compare with."""
    if _missing(value):
        return "—"
    return f"{value * 100:+.1f}%"


def _zh_units(value: float, decimals: int) -> str:
    if abs(value) >= 1e8:
        return f"{value / 1e8:.{decimals}f}亿"
    return f"{value / 1e4:.{decimals}f}万"


def report_title(report: str, region_name: str, period_label: str, locale: str) -> str:
    """The title of one report: 客户汇总 · 华东 · 2025-Q4."""
    return f"{label(report, locale)} · {region_name} · {period_label}"
