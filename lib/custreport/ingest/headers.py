"""Recognise source headers: built-in Chinese and English aliases for every canonical column.

A header is folded before lookup (full-width to half-width, lower-case, no
spaces, required-field stars and trailing colons dropped, a unit in brackets
set aside), so ``客户名称*``, ``Account Name`` and ``ACCOUNT_NAME`` all land on
``name``. A ``column_map`` in params/sources.yaml wins over the aliases.

>>> map_headers(["客户名称", "联系电话", "备注"], "customers").canonical
['name', 'phone', 'x_备注']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Columns that are not stored as such but used to attach a row to a customer.
CUSTOMER_NAME = "customer_name"

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "source_customer_id": ("客户编号", "客户编码", "客户id", "客户代码", "客户号", "account id",
                               "accountid", "customer id", "customerid", "customer no", "record id",
                               "account number", "客户档案号"),
        "name": ("客户名称", "客户名", "公司名称", "单位名称", "企业名称", "客户全称", "公司", "客户",
                 "account name", "customer name", "company", "company name", "account", "customer",
                 "organization", "organisation", "account_name"),
        "region": ("区域", "大区", "所属区域", "销售区域", "地区", "所属大区", "region", "sales region",
                   "territory", "regional office"),
        "province": ("省份", "所在省份", "省", "所在省", "省/直辖市", "省市", "billing state/province",
                     "billing state", "state/province", "state", "province", "mailing state",
                     "shipping state"),
        "city": ("城市", "所在城市", "市", "所在市", "billing city", "city", "mailing city", "shipping city"),
        "country": ("国家", "国家/地区", "country", "billing country", "mailing country"),
        "industry": ("行业", "所属行业", "行业类别", "行业分类", "industry", "sector"),
        "customer_type": ("客户类型", "客户类别", "客户分类", "类型", "type", "account type", "customer type"),
        # The relationship as the source states it (a churn flag or a status): it wins over the
        # type derived from orders.
        "status": ("客户状态", "合作状态", "是否流失", "流失", "流失状态", "账户状态", "状态", "churn", "churned",
                   "churn flag", "exited", "attrition", "status", "customer status", "account status"),
        "tenure_months": ("在网时长", "在网月数", "合作月数", "合作时长", "tenure", "tenure months", "tenure in months"),
        "monthly_charge": ("月费", "月租", "每月费用", "月消费", "月费用", "monthly charges", "monthly charge",
                           "monthlycharges", "monthly fee", "mrr"),
        "total_charges": ("累计费用", "累计消费", "总费用", "total charges", "totalcharges", "lifetime charges"),
        "owner_rep": ("负责人", "销售负责人", "客户经理", "销售代表", "销售人员", "业务员", "跟进人",
                      "所属销售", "归属销售", "销售", "account owner", "owner", "sales rep",
                      "sales agent", "account manager", "sales_agent"),
        "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "座机", "电话号码",
                  "phone", "mobile", "tel", "telephone", "phone number", "mobile phone", "contact phone"),
        "email": ("邮箱", "电子邮件", "电子邮箱", "邮件", "email", "e-mail", "mail", "email address"),
        # The person to speak to at the customer (personal data, like the phone and email).
        "contact": ("联系人", "联系人姓名", "主要联系人", "对接人", "contact name", "contact person",
                    "primary contact", "main contact", "key contact"),
        "address": ("地址", "详细地址", "联系地址", "公司地址", "通讯地址", "address", "billing street",
                    "street", "billing address", "mailing street"),
        "channel": ("渠道", "来源渠道", "客户来源", "获客渠道", "channel", "account source", "lead source"),
        "created_at": ("建档日期", "创建日期", "创建时间", "录入日期", "登记日期", "建档时间", "created date",
                       "created time", "create date", "created", "created at", "date created",
                       "created on",
                       # customer since: when the relationship began
                       "合作日期", "首次合作时间", "首次合作日期", "合作开始日期", "开始合作时间", "签约日期", "开户日期",
                       "开户时间", "customer since", "client since", "account opened", "account open date",
                       "date opened", "start date", "customer start date"),
        "credit_rating": ("信用等级", "信用评级", "信用", "credit rating"),
        "potential_value": ("潜在价值", "预计价值", "客户价值", "potential value", "expected value"),
        # What the customer buys from you in a year, as the source states it. Not "annual revenue":
        # in CRM account exports that is the customer's own turnover.
        "annual_purchases": ("年度采购额", "年采购额", "年度采购金额", "年采购金额", "年度采购", "年度消费额",
                             "annual purchases", "annual purchase", "annual spend", "yearly purchases"),
        "intent": ("意向度", "意向", "意向等级", "购买意向", "intent", "rating", "intent level"),
    },
    "orders": {
        "order_id": ("订单号", "订单编号", "单号", "订单id", "销售单号", "order id", "order no", "order number",
                     "invoice", "invoiceno", "invoice no", "order_id"),
        "customer_id": ("客户编号", "客户编码", "客户id", "customer id", "customerid", "account id"),
        CUSTOMER_NAME: ("客户名称", "客户名", "公司名称", "单位名称", "客户", "购买方", "customer",
                        "customer name", "account name", "account", "company"),
        "order_date": ("下单日期", "订单日期", "下单时间", "成交日期", "销售日期", "日期", "order date",
                       "invoicedate", "invoice date", "date", "order_date"),
        "amount": ("金额", "订单金额", "总金额", "实收金额", "销售额", "成交金额", "amount", "total",
                   "sales", "revenue", "net amount", "order amount", "dollar_value"),
        "quantity": ("数量", "销量", "件数", "qty", "quantity", "number_of_cds"),
        "unit_price": ("单价", "售价", "unit price", "price", "unitprice"),
        "product": ("产品", "产品名称", "商品", "商品名称", "品名", "product", "item", "product name"),
        "channel": ("销售渠道", "渠道", "分销商", "经销商", "channel", "distributor"),
        "status": ("订单状态", "状态", "status", "order status"),
    },
    "deals": {
        "deal_id": ("商机编号", "商机id", "商机号", "机会编号", "opportunity id", "deal id", "opportunity_id"),
        "customer_id": ("客户编号", "客户id", "customer id", "account id"),
        CUSTOMER_NAME: ("客户名称", "客户", "公司名称", "account", "account name", "customer", "customer name"),
        "stage": ("商机阶段", "销售阶段", "阶段", "stage", "deal stage", "deal_stage", "opportunity stage"),
        "created_at": ("创建日期", "创建时间", "建立日期", "created date", "create date", "created", "created at"),
        "closed_at": ("关闭日期", "结束日期", "赢单日期", "close date", "closed date", "close_date", "closing date"),
        "stage_changed_at": ("阶段变更时间", "阶段变更日期", "阶段更新时间", "阶段更新日期", "进入阶段日期",
                             "last stage change date", "stage modified time", "stage change date",
                             "date entered current stage"),
        "amount": ("预计金额", "商机金额", "金额", "合同金额", "amount", "close value", "close_value",
                   "deal value", "expected revenue"),
        "owner_rep": ("负责人", "销售负责人", "销售", "销售代表", "opportunity owner", "owner", "deal owner",
                      "sales agent", "sales_agent", "sales rep"),
        "lead_source": ("线索来源", "商机来源", "来源", "lead source"),
        "product": ("产品", "产品名称", "product"),
        "region": ("所属区域", "区域", "大区", "region", "territory"),
        # The lead the deal came from (a marketing-qualified lead's id in a closed-deals export).
        "lead_id": ("线索编号", "线索id", "线索号", "lead id", "leadid", "lead_id", "mql id", "mql_id",
                    "converted from lead", "lead"),
    },
    "leads": {
        "lead_id": ("线索编号", "线索id", "线索号", "线索代码", "lead id", "leadid", "lead_id", "mql id", "mql_id",
                    "lead number", "id"),
        "created_at": ("创建日期", "创建时间", "获取日期", "首次接触日期", "首次联系日期", "首次接触时间", "线索日期",
                       "留资时间", "created date", "create date", "created", "created at", "first contact date",
                       "first_contact_date", "lead date", "date"),
        "lead_source": ("线索来源", "来源", "来源渠道", "获客渠道", "渠道", "lead source", "source", "origin",
                        "channel", "campaign source", "utm source"),
        "status": ("线索状态", "状态", "跟进状态", "是否转化", "已转化", "lead status", "status", "converted",
                   "is converted"),
        "converted_at": ("转化日期", "转化时间", "转商机日期", "转换日期", "转换时间", "converted date",
                         "conversion date", "converted at", "won date", "won_date"),
        "deal_id": ("商机编号", "商机id", "关联商机", "转化商机", "converted opportunity id", "opportunity id",
                    "opportunity_id", "deal id", "deal_id", "converted deal id"),
        "customer_id": ("客户编号", "客户id", "关联客户编号", "converted account id", "account id", "customer id"),
        CUSTOMER_NAME: ("客户名称", "公司名称", "公司", "单位名称", "企业名称", "company", "company name",
                        "account name", "customer name"),
        "owner_rep": ("负责人", "线索负责人", "跟进人", "销售", "销售代表", "lead owner", "owner", "sales rep",
                      "sdr", "sdr_id"),
        "region": ("所属区域", "区域", "大区", "region", "territory"),
    },
    "interactions": {
        "customer_id": ("客户编号", "客户id", "customer id"),
        CUSTOMER_NAME: ("客户名称", "客户", "公司名称", "customer", "customer name", "account name"),
        "date": ("日期", "时间", "联系日期", "拜访日期", "服务日期", "受理日期", "受理时间", "服务时间",
                 "date", "activity date"),
        "kind": ("类型", "互动类型", "联系类型", "事件类型", "服务类型", "kind", "type", "activity type"),
        "satisfaction": ("满意度", "满意度评分", "客户满意度", "satisfaction", "csat"),
        "status": ("状态", "处理状态", "是否解决", "解决状态", "工单状态", "status", "resolution status",
                   "case status", "ticket status"),
        "note": ("备注", "内容", "说明", "记录", "问题描述", "服务内容", "记录内容", "note", "notes",
                 "description", "comment"),
    },
    "reps": {
        "rep_id": ("工号", "员工编号", "员工号", "销售编号", "rep id", "employee id", "id"),
        "name": ("姓名", "销售姓名", "名字", "name", "sales agent", "sales_agent", "rep name"),
        "region": ("所属区域", "区域", "大区", "region", "regional office", "regional_office", "territory"),
        "manager": ("经理", "上级", "主管", "manager"),
        "industries": ("擅长行业", "行业专长", "负责行业", "industries", "expertise"),
        "capacity": ("客户容量", "容量", "最大客户数", "capacity"),
    },
}

_UNIT = re.compile(r"[(（\[【]([^)）\]】]*)[)）\]】]")
_NOISE = re.compile(r"[\s*＊:：_]+")


def fold_header(header: str) -> tuple[str, float]:
    """Folded header for lookup, and the multiplier its unit implies (万元 -> 10000).

    >>> fold_header("潜在价值（万元）")
    ('潜在价值', 10000.0)
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    multiplier = 1.0
    for unit in _UNIT.findall(text):
        if "亿" in unit:
            multiplier = 1e8
        elif "万" in unit:
            multiplier = 1e4
        elif "千" in unit or unit.strip() in ("k", "千元"):
            multiplier = 1e3
    text = _UNIT.sub("", text)
    return _NOISE.sub(" ", text).strip().replace(" ", ""), multiplier


def _build_lookup() -> dict[str, dict[str, str]]:
    lookup: dict[str, dict[str, str]] = {}
    for table, columns in ALIASES.items():
        folded: dict[str, str] = {}
        for canonical, aliases in columns.items():
            for alias in (canonical, *aliases):
                folded.setdefault(fold_header(alias)[0], canonical)
        lookup[table] = folded
    return lookup


_LOOKUP = _build_lookup()


def canonical_for(header: str, table: str, column_map: dict[str, str] | None = None) -> str | None:
    """Canonical column for one header, or None when it is not recognised."""
    if column_map:
        if header in column_map:
            return column_map[header]
        folded_map = {fold_header(k)[0]: v for k, v in column_map.items()}
        key = fold_header(header)[0]
        if key in folded_map:
            return folded_map[key]
    return _LOOKUP[table].get(fold_header(header)[0])


def header_score(record: list[str], table: str, column_map: dict[str, str] | None = None) -> int:
    """How many distinct canonical columns a candidate header row names."""
    found = {canonical_for(str(cell), table, column_map) for cell in record if str(cell).strip()}
    found.discard(None)
    return len(found)


@dataclass(frozen=True)
class HeaderMapping:
    headers: list[str]
    canonical: list[str]          # canonical name, or x_<header> for an unknown column
    multipliers: dict[str, float]  # canonical -> unit multiplier from the header

    def column_of(self, canonical: str) -> str | None:
        """The source header that feeds ``canonical``, if any."""
        for header, name in zip(self.headers, self.canonical):
            if name == canonical:
                return header
        return None


def map_headers(headers: list[str], table: str, column_map: dict[str, str] | None = None) -> HeaderMapping:
    """Map every source header to a canonical column; unknown and repeated ones become extras.

    Headers named in ``column_map`` are placed first, so an explicit mapping always wins
    over a built-in alias; every extra gets a distinct ``x_`` name.
    """
    column_map = column_map or {}
    explicit = {h: canonical_for(h, table, column_map) for h in headers
                if h in column_map or fold_header(h)[0] in {fold_header(k)[0] for k in column_map}}
    canonical: list[str] = []
    multipliers: dict[str, float] = {}
    taken: set[str] = {name for name in explicit.values() if name and not name.startswith("x_")}
    used: set[str] = set()
    for header in headers:
        name = explicit.get(header) or canonical_for(header, table)
        if header not in explicit and (name is None or name in taken):
            name = None
        if name is None or name.startswith("x_") or name in used:
            base = name if name and name.startswith("x_") else "x_" + (str(header).strip() or "column")
            extra, n = base, 2
            while extra in used:
                extra, n = f"{base}_{n}", n + 1
            canonical.append(extra)
            used.add(extra)
            continue
        taken.add(name)
        used.add(name)
        canonical.append(name)
        multiplier = fold_header(header)[1]
        if multiplier != 1.0:
            multipliers[name] = multiplier
    return HeaderMapping(list(headers), canonical, multipliers)


def check_column_map(column_map: dict[str, str], table: str) -> str | None:
    """The first column_map target that is no column of ``table`` (None when all are fine)."""
    known = set(ALIASES[table]) | {"x_"}
    for header, target in column_map.items():
        if target not in known and not str(target).startswith("x_"):
            return f"{header}: {target}"
    return None
