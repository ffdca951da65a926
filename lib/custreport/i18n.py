"""Labels and number formats for the two report languages, zh and en.

>>> format_money(123456789, "zh"), format_money(123456789, "en")
('¥1.23亿', '¥123.5M')
>>> format_money(123000, "zh", "USD"), format_money(123000, "en", "USD"), format_money(-5, "en", "GBP")
('US$12.30万', '$123.0K', '-£5')
>>> format_count(12345, "zh"), format_percent(0.1234, "en")
('1.23万', '12.3%')
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

LOCALES = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "summary": "经营概览", "report": "报告", "region": "区域", "period": "期间",
        "generated_at": "生成时间", "snapshot": "数据快照", "contents": "目录", "data_through": "数据截至", "about_sheet": "说明", "item": "项目",
        "partial_period": "不完整期间",
        "customers_total": "客户总数", "customers_new": "新增客户", "customers_active": "活跃客户",
        "customers_churned": "流失客户", "customers_prospect": "潜在客户",
        "monthly_active": "在约客户月费", "monthly_lost": "流失客户月费",
        "revenue": "销售额", "orders": "订单数", "aov": "客单价", "deals_won": "赢单数",
        "win_rate": "赢单率", "pipeline_value": "在谈金额",
        "vs_previous": "环比", "vs_year_ago": "同比", "no_data": "无数据",
        "kpis": "关键指标", "trend": "月度销售趋势", "by_type": "客户类型分布", "top_customers": "重点客户",
        "top_movers": "销售额变化最大的客户", "trend_direction": "升降", "previous_revenue": "上期销售额",
        "revenue_change": "变化",
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
        "funnel_sheet": "销售漏斗", "lead_funnel_sheet": "线索转化", "value_tiers_sheet": "价值分层", "quarantine_sheet": "隔离样本",
        "high_value_sheet": "高价值客户", "at_risk_sheet": "流失预警",
        "complaints_sheet": "未结投诉", "open_complaints": "未结投诉数", "oldest_open": "最早未结日期",
        "days_open": "未结天数", "last_note": "最近记录",
        "Champions": "冠军客户", "Loyal Customers": "忠诚客户", "Potential Loyalist": "潜力忠诚客户",
        "New Customers": "新客户", "Promising": "有潜力客户", "Need Attention": "需要关注",
        "About To Sleep": "即将沉睡", "At Risk": "流失风险", "Can't Lose Them": "不能失去",
        "Hibernating": "休眠客户", "Lost": "已流失", "Others": "其他",
        # report names (report_title) and the sections of the segments, funnel, value,
        # allocation and quality reports
        "report_segments": "客户分层", "report_funnel": "销售漏斗", "report_value": "客户价值",
        "report_allocation": "客户分配", "report_quality": "数据质量",
        "movement": "客户变动", "movement_new": "新增活跃", "movement_retained": "持续活跃",
        "movement_reactivated": "重新活跃", "movement_lost": "转为流失", "by_place": "分地区销售",
        "by_industry": "分行业销售", "by_channel": "分渠道销售", "by_owner": "分负责人销售", "channel": "渠道",
        "rfm_map": "RFM分层地图", "rfm_segments": "RFM分层", "abc_tiers": "ABC分级",
        "r_score": "最近购买评分 R（5 = 最近）", "f_score": "购买频次评分 F（5 = 最多）",
        "funnel_stages": "销售漏斗", "deal_outcomes": "赢单率与销售周期", "sales_cycle": "销售周期",
        "win_rate_by_owner": "各负责人赢单情况", "win_rate_by_source": "各线索来源赢单情况",
        "deals_by_stage": "在谈商机阶段分布", "lead_source": "线索来源", "deals_lost": "输单数",
        "deals_open": "在谈商机数", "won_value": "赢单金额", "median_cycle_days": "销售周期中位数",
        "lead_funnel_by_source": "线索转化（按来源）", "lead_funnel_by_month": "线索转化（按首次接触月份）",
        "leads": "线索数", "converted": "转为商机", "won": "赢单", "disqualified": "无效线索",
        "lead_to_deal": "线索→商机", "deal_to_won": "商机→赢单", "lead_to_won": "线索→赢单",
        "outcome": "结果", "outcome_won": "赢单", "outcome_lost": "输单", "cycle_p25": "25%分位（天）",
        "cycle_median": "中位数（天）", "cycle_p75": "75%分位（天）", "cycle_max": "最长（天）", "days": "天",
        "value_models": "价值模型", "clv_distribution": "客户价值分布", "clv_bands": "客户价值分段",
        "high_value": "高价值客户", "at_risk": "流失预警客户", "clv_band": "客户分段（按12个月价值）",
        "clv_total": "12个月客户价值合计", "clv_share": "价值占比", "clv_min": "段内最低价值",
        "allocation_overview": "分配概况", "allocation_table": "分配明细", "unassigned_customers": "未分配客户",
        "workload": "销售负荷", "candidates": "待分配客户", "assigned_count": "已分配", "unassigned_count": "未分配",
        "accounting": "行数核对", "fixes": "自动修正", "duplicates": "合并的重复记录", "quarantine": "隔离数据",
        "source": "数据源", "table": "数据表", "files": "文件数", "rows_read": "读取行数", "loaded": "载入",
        "merged": "合并", "non_data": "非数据行", "quarantined": "隔离", "balanced": "核对", "fix": "修正内容",
        "count": "次数", "balanced_yes": "相符", "balanced_no": "不符", "merged_rows": "合并行数",
        "into_records": "并入记录数", "source_rows": "来源行数",
        "sources": "来源", "quarantine_reason": "原因", "rows": "行数", "file": "文件", "sheet": "工作表",
        "row": "行号", "column": "列", "raw_value": "原值",
        "ingest_warnings": "导入警告", "warning": "警告", "remedy": "解决办法",
    },
    "en": {
        "summary": "Business summary", "report": "Report", "region": "Region", "period": "Period",
        "generated_at": "Generated", "snapshot": "Data snapshot", "contents": "Contents", "data_through": "Data through", "about_sheet": "About", "item": "Item",
        "partial_period": "Partial period",
        "customers_total": "Customers", "customers_new": "New customers", "customers_active": "Active customers",
        "customers_churned": "Churned customers", "customers_prospect": "Prospects",
        "monthly_active": "Monthly charges, active", "monthly_lost": "Monthly charges lost to churn",
        "revenue": "Revenue", "orders": "Orders", "aov": "Average order value", "deals_won": "Deals won",
        "win_rate": "Win rate", "pipeline_value": "Open pipeline",
        "vs_previous": "vs previous", "vs_year_ago": "vs year ago", "no_data": "no data",
        "kpis": "Key figures", "trend": "Monthly revenue", "by_type": "Customers by type",
        "top_customers": "Top customers", "top_movers": "Top movers", "trend_direction": "Trend",
        "previous_revenue": "Previous period", "revenue_change": "Change", "month": "Month", "customer": "Customer", "name": "Customer name",
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
        "abc_sheet": "ABC tiers", "funnel_sheet": "Funnel", "lead_funnel_sheet": "Lead funnel", "value_tiers_sheet": "Value tiers",
        "quarantine_sheet": "Quarantine sample", "high_value_sheet": "High value",
        "at_risk_sheet": "At risk", "complaints_sheet": "Open complaints", "open_complaints": "Open complaints",
        "oldest_open": "Oldest open", "days_open": "Days open", "last_note": "Latest note",
        "report_segments": "Customer segments", "report_funnel": "Sales funnel", "report_value": "Customer value",
        "report_allocation": "Customer allocation", "report_quality": "Data quality",
        "movement": "Customer movement", "movement_new": "Newly active", "movement_retained": "Retained",
        "movement_reactivated": "Reactivated", "movement_lost": "Lost to churn", "by_place": "Sales by place",
        "by_industry": "Sales by industry", "by_channel": "Sales by channel", "by_owner": "Sales by owner",
        "channel": "Channel", "rfm_map": "RFM segment map", "rfm_segments": "RFM segments", "abc_tiers": "ABC tiers",
        "r_score": "Recency score R (5 = most recent)", "f_score": "Frequency score F (5 = most frequent)",
        "funnel_stages": "Sales funnel", "deal_outcomes": "Win rate and sales cycle", "sales_cycle": "Sales cycle",
        "win_rate_by_owner": "Wins by owner", "win_rate_by_source": "Wins by lead source",
        "deals_by_stage": "Deals in play by stage", "lead_source": "Lead source", "deals_lost": "Deals lost",
        "deals_open": "Open deals", "won_value": "Won value", "median_cycle_days": "Median sales cycle",
        "lead_funnel_by_source": "Lead conversion by source", "lead_funnel_by_month": "Leads by month of first contact",
        "leads": "Leads", "converted": "Became deals", "won": "Won", "disqualified": "Disqualified",
        "lead_to_deal": "Lead → deal", "deal_to_won": "Deal → won", "lead_to_won": "Lead → won",
        "outcome": "Outcome", "outcome_won": "Won", "outcome_lost": "Lost", "cycle_p25": "25th percentile (days)",
        "cycle_median": "Median (days)", "cycle_p75": "75th percentile (days)", "cycle_max": "Longest (days)",
        "days": "days",
        "value_models": "Value models", "clv_distribution": "CLV distribution", "clv_bands": "CLV bands",
        "high_value": "High-value customers", "at_risk": "At-risk customers", "clv_band": "Customers (by 12-month CLV)",
        "clv_total": "12-month CLV", "clv_share": "Share of CLV", "clv_min": "Lowest CLV in band",
        "allocation_overview": "Allocation overview", "allocation_table": "Allocations",
        "unassigned_customers": "Unassigned customers", "workload": "Rep workload",
        "candidates": "Customers to allocate", "assigned_count": "Assigned", "unassigned_count": "Unassigned",
        "accounting": "Row accounting", "fixes": "Fixes applied", "duplicates": "Duplicates merged",
        "quarantine": "Quarantine", "source": "Source", "table": "Table", "files": "Files", "rows_read": "Rows read",
        "loaded": "Loaded", "merged": "Merged", "non_data": "Non-data", "quarantined": "Quarantined",
        "balanced": "Balanced", "fix": "Fix", "count": "Count",
        "balanced_yes": "yes", "balanced_no": "NO", "merged_rows": "Rows merged",
        "into_records": "Into records", "source_rows": "Source rows", "sources": "Sources",
        "quarantine_reason": "Reason", "rows": "Rows", "file": "File", "sheet": "Sheet", "row": "Row",
        "column": "Column", "raw_value": "Value as read",
        "ingest_warnings": "Ingest warnings", "warning": "Warning", "remedy": "Remedy",
        **{name: name for name in ("Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising",
                                   "Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating",
                                   "Lost", "Others")},
    },
}


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        from custreport.errors import UserError

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


DEFAULT_CURRENCY = "CNY"

# Symbols that differ from CLDR's (babel): CNY is ¥ in both languages, as this product's readers
# write it, so JPY is JP¥ in English too and the two never look alike.
_SYMBOLS = {("CNY", "en"): "¥", ("JPY", "en"): "JP¥"}
_BABEL_LOCALES = {"zh": "zh_CN", "en": "en"}


@lru_cache(maxsize=256)
def currency_symbol(currency: str, locale: str) -> str:
    """The symbol of an ISO 4217 code in a report language (CLDR's, via babel); the code itself
    when there is none (SGD, CHF). A text that is no code (a mixed "EUR+USD") stays as it is.

    >>> [currency_symbol(c, "zh") for c in ("CNY", "USD", "HKD", "EUR", "GBP", "BRL")]
    ['¥', 'US$', 'HK$', '€', '£', 'R$']
    >>> [currency_symbol(c, "en") for c in ("CNY", "USD", "JPY", "CHF")]
    ['¥', '$', 'JP¥', 'CHF']
    """
    if (currency, locale) in _SYMBOLS:
        return _SYMBOLS[currency, locale]
    if not is_currency_code(currency):
        return currency
    from babel.numbers import get_currency_symbol

    return get_currency_symbol(currency, _BABEL_LOCALES.get(locale, "en"))


@lru_cache(maxsize=1)
def _currency_codes() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def is_currency_code(code: object) -> bool:
    """Whether ``code`` is an ISO 4217 currency code (upper case).

    >>> is_currency_code("USD"), is_currency_code("usd"), is_currency_code("RMB")
    (True, False, False)
    """
    return isinstance(code, str) and code in _currency_codes()


def format_money(value, locale: str, currency: str = DEFAULT_CURRENCY, decimals: int | None = None) -> str:
    """Amounts in ``currency`` (ISO 4217): 万/亿 in Chinese, K/M/B in English, with the currency's
    symbol in that language (US$ in Chinese, $ in English; a code without symbol is written
    before the number with a space: CHF 1,234); ``decimals`` overrides the precision (axes use 0)."""
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
    symbol = currency_symbol(currency, locale)
    space = " " if symbol[-1:].isalpha() else ""
    return f"{sign}{symbol}{space}{text}"


def format_money_axis(value, locale: str, currency: str = DEFAULT_CURRENCY) -> str:
    """An axis tick: the fewest decimals (up to two) that show the tick's value exactly in its
    unit, so ticks 1.0M, 1.2M, 1.4M never all read $1M.

    >>> [format_money_axis(v, "en", "USD") for v in (1_000_000, 1_200_000, 800_000)]
    ['$1M', '$1.2M', '$800K']
    >>> [format_money_axis(v, "zh") for v in (120_000_000, 150_000_000, 250_000)]
    ['¥1.2亿', '¥1.5亿', '¥25万']
    """
    if _missing(value):
        return "—"
    size = abs(value)
    if locale == "zh":
        unit = 1e8 if size >= 1e8 else 1e4 if size >= 10_000 else 1
    else:
        unit = 1e9 if size >= 1e9 else 1e6 if size >= 1e6 else 1e3 if size >= 1e4 else 1
    scaled = size / unit
    decimals = next((d for d in (0, 1) if abs(round(scaled, d) - scaled) < 1e-6 * max(1.0, scaled)), 2)
    return format_money(value, locale, currency, decimals)


def format_money_by_currency(values: dict, locale: str) -> str:
    """Amounts in several currencies, each apart and never added: ``{"USD": 1200, "EUR": 300}``
    -> '$1,200 · €300'; an em dash when there is none.

    >>> format_money_by_currency({"USD": 12000.0, "EUR": 300.0}, "zh")
    'US$1.20万 · €300'
    """
    shown = [format_money(value, locale, currency) for currency, value in values.items() if not _missing(value)]
    return " · ".join(shown) if shown else "—"


def excel_money_format(currency: str, locale: str) -> str:
    """An Excel number format showing ``currency``'s symbol: '"$"#,##0.00'.

    >>> excel_money_format("EUR", "en"), excel_money_format("CHF", "en")
    ('"€"#,##0.00', '"CHF "#,##0.00')
    """
    symbol = currency_symbol(currency, locale)
    space = " " if symbol[-1:].isalpha() else ""
    return f'"{symbol}{space}"#,##0.00'


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


def report_name(report: str, locale: str) -> str:
    """A report's name: its ``report_<key>`` label, else the key's own label."""
    # a report key may also name a column (value: 数值), so report names have labels of their own
    return LABELS[locale].get(f"report_{report}") or label(report, locale)


def report_title(report: str, region_name: str, period_label: str, locale: str) -> str:
    """The title of one report: 客户汇总 · 华东 · 2025-Q4."""
    return f"{report_name(report, locale)} · {region_name} · {period_label}"


# --------------------------------------------------------------------------- ingest reasons and fixes

# Column names as ingest writes them into reasons and fix names, for Chinese readers.
_INGEST_COLUMNS_ZH = {
    "name": "客户名称", "customer_name": "客户名称", "region": "区域", "province": "省份", "city": "城市",
    "country": "国家", "industry": "行业", "customer_type": "客户类型", "owner_rep": "负责人", "phone": "电话",
    "email": "邮箱", "address": "地址", "channel": "渠道", "created_at": "创建日期", "credit_rating": "信用等级",
    "potential_value": "潜在价值", "intent": "意向", "contact": "联系人", "annual_purchases": "年度采购额",
    "order_id": "订单号", "customer_id": "客户编号", "order_date": "下单日期", "amount": "金额", "quantity": "数量",
    "unit_price": "单价", "product": "产品", "status": "状态", "deal_id": "商机编号", "stage": "商机阶段",
    "closed_at": "关闭日期", "stage_changed_at": "阶段变更日期", "lead_source": "线索来源", "date": "日期",
    "kind": "类型", "satisfaction": "满意度", "note": "备注", "rep_id": "销售编号", "manager": "经理",
    "industries": "擅长行业", "capacity": "客户容量", "tenure_months": "合作月数", "monthly_charge": "月费",
    "total_charges": "累计费用", "currency": "币种",
    "customers": "客户", "orders": "订单", "deals": "商机", "interactions": "互动", "reps": "销售",
    "order status": "订单状态", "customer type": "客户类型", "customer status": "客户状态",
    "interaction kind": "互动类型", "interaction status": "互动状态", "deal outcome": "商机结果",
    "leads": "线索", "lead_id": "线索编号", "converted_at": "转化日期", "lead status": "线索状态",
}


def _zh_column(name: str) -> str:
    return _INGEST_COLUMNS_ZH.get(name.strip(), name)


def ingest_column(name, locale: str):
    """A column or table name as ingest writes it, for readers of ``locale`` (else as written).

    >>> ingest_column("order_date", "zh"), ingest_column("order_date", "en")
    ('下单日期', 'order_date')
    """
    return _zh_column(name) if locale == "zh" and isinstance(name, str) else name


# (English pattern as ingest writes it, Chinese template). Tried in order; the first match wins.
# Named groups ending in "col" are column or table names and are shown by their Chinese labels.
_INGEST_TEXT_ZH: list[tuple[str, str]] = [
    # quarantine reasons
    (r"missing customer name", "缺少客户名称"),
    (r"missing rep name", "缺少销售姓名"),
    (r"missing deal stage", "缺少商机阶段"),
    (r"missing amount \(and no quantity x unit price\)", "缺少金额(也没有数量×单价可算)"),
    (r"missing (?P<col>[\w ]+)", "缺少{col}"),
    (r"unparseable (?P<col>\w+): (?P<value>.+)", "无法解析的{col}:{value}"),
    (r"unparseable (?P<col>\w+)", "无法解析的{col}"),
    (r"(?P<col>\w+) row names no customer", "{col}行没有写明客户"),
    (r"names a customer found in no customer source \(or several equally\)",
     "所写客户在任何客户来源中都找不到(或同样接近多个客户)"),
    (r"amount of (?P<n>[\d,]+) or more: not a real order line", "金额达到 {n} 或以上:不是真实的订单行"),
    (r"unrecognised (?P<col>[a-z ]+?) \"(?P<value>.*)\" \((?P<n>[\d,]+) rows?\): (?:add it|map it) "
     r"(?:under|to|in) (?P<key>\S+) in (?P<file>\S+?),? \(?(?:e\.g\.|for example) (?P<example>.+?)\)?",
     "无法识别的{col} \"{value}\"({n} 行):请在 {file} 的 {key} 下添加,例如 {example}"),
    (r"unrecognised (?P<col>[a-z ]+?) \((?P<more>[\d,]+) more values, (?P<n>[\d,]+) rows\): add them to (?P<key>\S+) "
     r"in (?P<file>\S+)", "无法识别的{col}(另有 {more} 个值,{n} 行):请在 {file} 的 {key} 下添加"),
    # fixes of a value kept with its field left empty (the count is the fix's own)
    (r"unrecognised (?P<col>[a-z ]+?) \"(?P<value>.*)\": add it to (?P<key>\S+) in (?P<file>\S+) "
     r"\(e\.g\. (?P<example>.+)\); the status is left empty",
     "无法识别的{col} \"{value}\":请在 {file} 的 {key} 下添加,例如 {example};状态已置空"),
    (r"unrecognised (?P<col>[a-z ]+?) \((?P<more>[\d,]+) more values\): add them to (?P<key>\S+) in (?P<file>\S+); "
     r"the status is left empty", "无法识别的{col}(另有 {more} 个值):请在 {file} 的 {key} 下添加;状态已置空"),
    (r"unrecognised (?P<col>[a-z ]+)", "无法识别的{col}"),
    (r"(?P<col>\w+) in the future \(after (?P<date>[\d-]+)\)", "{col}晚于数据导出日({date} 之后)"),
    (r"amount in (?P<code>\w+) but source (?P<source>'.*') is in (?P<currency>\w+): set currency: \w+ for it in "
     r"params/sources\.yaml, or put the \w+ rows in a source of their own",
     "金额币种为 {code},但来源 {source} 的币种是 {currency}:请在 params/sources.yaml 中为它设置 "
     "currency: {code},或把这些 {code} 行放进单独的来源"),
    (r"formula with no saved result .*", "公式没有保存的计算结果(工作簿由程序生成,从未在 Excel 或 LibreOffice "
                                         "中保存过:请打开并保存)"),
    (r"cell longer than (?P<n>[\d,]+) characters \(Excel's limit\): not a typed value",
     "单元格超过 {n} 个字符(Excel 的上限):不是手工录入的值"),
    (r"(?P<col>\w+) is (?P<n>[\d,]+) characters; longer than (?P<limit>[\d,]+): not a typed name",
     "{col}长 {n} 个字符,超过 {limit}:不是手工录入的名称"),
    (r"malformed line: (?P<value>.+)", "格式错误的行:{value}"),
    # non-data rows
    (r"title or note above header", "表头上方的标题或说明"),
    (r"blank row", "空行"),
    (r"total or subtotal row", "合计或小计行"),
    # fixes
    (r"dates parsed", "已解析的日期"),
    (r"regions mapped", "已识别区域"),
    (r"region unknown", "区域未知"),
    (r"phones normalised", "已规范的电话"),
    (r"phones invalid, left empty", "无效电话,已置空"),
    (r"emails invalid, left empty", "无效邮箱,已置空"),
    (r"amounts derived from quantity x unit price", "由数量×单价算出的金额"),
    (r"cancellations and returns \(credit lines: never orders, revenue net of them\)",
     "取消与退货(冲销行:不计为订单,销售额扣除)"),
    (r"interaction kind not recognised, kept as other", "无法识别的互动类型,记为其他"),
    (r"(?P<col>[a-z ]+?) not recognised, left empty", "无法识别的{col},已置空"),
    (r"(?P<col>\w+) unparseable, left empty", "无法解析的{col},已置空"),
    (r"(?P<col>\w+) in the future, left empty", "{col}晚于导出日,已置空"),
    (r"(?P<col>\w+) longer than (?P<n>[\d,]+) characters, cut", "{col}超过 {n} 个字符,已截断"),
]


@lru_cache(maxsize=1)
def _ingest_patterns():
    import re

    return [(re.compile(pattern + r"\Z", re.DOTALL), template) for pattern, template in _INGEST_TEXT_ZH]


@lru_cache(maxsize=4096)
def ingest_text(text: str, locale: str) -> str:
    """A quarantine reason, non-data reason or fix name as ingest writes it (English), in ``locale``.

    The store keeps ingest's English words (the command line prints them and users search for
    them); reports show them in their reader's language. Text no pattern knows is shown as written.

    >>> ingest_text("unparseable order_date", "zh"), ingest_text("unparseable order_date", "en")
    ('无法解析的下单日期', 'unparseable order_date')
    """
    if locale != "zh" or not isinstance(text, str):
        return text
    for pattern, template in _ingest_patterns():
        found = pattern.match(text)
        if found:
            parts = {key: (_zh_column(value) if key == "col" else value)
                     for key, value in found.groupdict().items() if value is not None}
            return template.format(**parts)
    return text
