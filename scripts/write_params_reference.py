"""Write docs/params.md: every file of params/ custreport reads, and every key of each, with its
type, default and meaning, and an example of each file.

Keys, types and defaults come from the models that read the files (config.py), so the page
cannot drift from what the code accepts; tests/test_params_reference.py fails when it is stale
or when a key has no meaning written here.

    .venv/bin/python scripts/write_params_reference.py          # rewrite docs/params.md
    .venv/bin/python scripts/write_params_reference.py --check  # exit 1 when docs/params.md is stale
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from custreport import analysis_settings, config, fx, recipients, run_settings, schedule, stages, targets

PAGE = Path(__file__).resolve().parents[1] / "docs" / "params.md"

# file, model, whether it must exist, what it is for, an example
FILES = [
    ("sources.yaml", config.SourcesConfig, "required for `custreport ingest` and `update`",
     "Which raw files to read into which table, and how to read them. The README's section "
     "\"Sources: `params/sources.yaml`\" explains every key at length, with the headers recognised "
     "(docs/tables.md).",
     """defaults: {date_order: year-first, currency: CNY, max_quarantined: 1%}
vocabulary:
  order_status: {Disputed: cancelled}
sources:
  - {name: crm_accounts, path: data/raw/crm_accounts.csv, table: customers, date_order: month-first}
  - {name: orders, path: "data/raw/orders_*.xlsx", table: orders, sheets: all}"""),
    ("regions.yaml", config.RegionTable, "required",
     "The regions reports are made for, and how a typed place (region, province, city, country, "
     "in Chinese or English, with aliases) resolves to one. Ingest stores the region code; each "
     "snapshot keeps the regions table it was made with.",
     """unknown: {code: unknown, zh: 未知区域, en: Unknown region}
regions:
  - code: east
    zh: 华东
    en: East China
    aliases: [华东区, East]
    provinces:
      - {name: 浙江, en: Zhejiang, aliases: [浙, 浙江省], cities: [杭州, 宁波, Hangzhou]}"""),
    ("stages.yaml", stages.StageCatalog, "required for deals",
     "The sales processes deals move through (for the funnel), which deals source follows which, "
     "and the English names English reports show for stages, channels and lead sources.",
     """default: chinese
lists:
  chinese:
    open: [初步接触, 需求确认, 方案报价, 商务谈判]
    won: [赢单]
    lost: [输单]
    aliases: {成交: 赢单, 丢单: 输单}
    en: {初步接触: Initial contact, 方案报价: Proposal, 赢单: Won, 输单: Lost}
  salesforce:
    open: [Prospecting, Qualification, Proposal/Price Quote, Negotiation/Review]
    won: [Closed Won]
    lost: [Closed Lost]
sources: {sf_opportunities: salesforce}
english:
  channels: {直销: Direct sales, 电商: E-commerce}
  lead_sources: {展会: Trade show, 官网: Website}"""),
    ("analysis.yaml", analysis_settings.AnalysisSettings, "optional: without it, every default below",
     "The rules and thresholds of the analyses; docs/metrics.md defines every figure they feed.",
     """revenue: auto
classification: {active_days: 365}
rfm: {lookback_days: null}
abc: {a_share: 0.80, b_share: 0.95}
value: {horizon: 13, at_risk_p_alive: 0.7}
allocation: {value_weight: 0.5, intent_weight: 0.3, recency_weight: 0.2, default_capacity: 40}
privacy: {show_full_contacts_in_workbook: false}
fix_lists: {no_contact_months: 6, name_similarity: 90, leave_out: [email_missing]}"""),
    ("industries.yaml", config.IndustryTable, "optional: without it, industries are shown as typed",
     "One name per industry in reports, whatever language or spelling a source used.",
     """industries:
  - {code: manufacturing, zh: 制造业, en: Manufacturing, aliases: [制造, Industrial]}"""),
    ("fx.yaml", fx.FxTable, "optional: without it, each currency is reported apart, never added",
     "Exchange rates to convert amounts of several currencies into one reporting currency (see the "
     "README's \"Currencies and exchange rates\").",
     """reporting_currency: USD
rates:
  EUR:
    2024-01: 1.09        # a month: every date in January 2024
    2024-02-29: 1.05     # a day: that date only (wins over its month)
  GBP: {2024-01: 1.27}"""),
    ("targets.yaml", targets.TargetTable, "optional: without it, reports show no targets",
     "What each region (and, optionally, each rep) aims for in a period: the KPI cards, the whole "
     "company's table by region and the workbook show each figure's attainment (actual / target; "
     "target / actual for a figure where less is better), and the insights rank a target missed or "
     "beaten by how much. Besides `region`, `period` and `rep`, an entry's keys are figures: "
     + ", ".join(f"`{name}`" for name in targets.TARGET_KINDS) + ". Rates are written 25% or 0.25. "
     "A period still running is measured against the elapsed share of each count and amount target "
     "(a quarter cut at its 46th of 92 days: half); the whole company without targets of its own "
     "against the sum of its regions' counts and amounts when every region with revenue in the period "
     "has one. The next "
     "period's `won_value` target (else its `revenue` target when revenue is won deals) is what the "
     "pipeline coverage insight measures the open pipeline against.",
     """targets:
  - {region: east, period: 2025-Q4, revenue: 30000000, customers_new: 100, win_rate: 20%}
  - {region: 华南, period: 2025-Q4, revenue: 22000000}
  - {region: all, period: 2026-Q1, won_value: 20000000}
  - {region: east, period: 2025-Q4, rep: 任军颖, revenue: 8000000}"""),
    ("recipients.yaml", recipients.RecipientList, "required for `custreport send` and `update` (unless --no-send)",
     "Who receives which region's reports by email, in which language, with which attachments and "
     "alert; and who is told of failures.",
     """operators:
  - {name: 报表值班, email: report.ops@example.com}
recipients:
  - {name: 华东区经理, email: east.manager@example.com, region: east, language: zh,
     reports: [summary, allocation], attach: [pdf, xlsx]}
  - {name: North China Director, email: north.director@example.com, region: north, language: en,
     reports: [summary], when: "revenue_change < -10%"}
  - {name: 任军颖, email: ren.junying@example.com, region: east, rep: S0002, reports: [summary],
     attach: [fix_list]}"""),
    ("schedule.yaml", schedule.Schedule, "required for `custreport schedule`",
     "When `custreport update` runs which relative period; `custreport schedule` prints the "
     "crontab lines.",
     """jobs:
  - {name: monthly, period: last-month, at: "0 6 2 * *"}
  - {name: quarterly, period: last-quarter, at: "30 6 3 1,4,7,10 *", formats: "pdf,xlsx", send: true}"""),
    ("run.yaml", run_settings.RunSettings, "optional: without it, every default below",
     "How runs go: limits of `custreport run` and `update`. Nothing in it changes a figure, so "
     "editing it renders nothing again.",
     """report_timeout_seconds: 900"""),
]

# What a key means, keyed "file:dotted.key"; a Field's own description is used when absent.
MEANING = {
    "sources.yaml:dedupe": "overrides of the matching rules (threshold, max_block, window, weights)",
    "sources.yaml:defaults": "settings every source takes unless it says otherwise",
    "sources.yaml:defaults.date_order": "how to read ambiguous dates such as 3/5/2024",
    "sources.yaml:defaults.phone_region": "ISO country of numbers typed without a country code",
    "sources.yaml:defaults.currency": "ISO 4217 code of the amounts",
    "sources.yaml:defaults.max_quarantined": "a source quarantining more of its data rows stops the ingest (1% or 0.01)",
    "sources.yaml:defaults.na_values": "cell texts that mean missing in every column (default: none)",
    "sources.yaml:vocabulary.order_status": "typed status -> completed | returned | cancelled",
    "sources.yaml:vocabulary.customer_type": "typed type -> prospect | active | churned",
    "sources.yaml:vocabulary.customer_status": "typed status -> prospect | active | churned",
    "sources.yaml:vocabulary.deal_outcome": "typed outcome -> won | lost | open",
    "sources.yaml:vocabulary.interaction_kind": "typed kind -> inquiry | complaint | feedback | visit | call | other",
    "sources.yaml:vocabulary.interaction_status": "typed status -> resolved | open",
    "sources.yaml:vocabulary.lead_status": "typed status -> open | converted | disqualified",
    "sources.yaml:keep_snapshots": "store snapshots kept after each ingest",
    "sources.yaml:sources": "the raw files, one entry per source",
    "sources.yaml:sources.name": "unique name; used in accounting, lineage and quarantine",
    "sources.yaml:sources.table": "the canonical table the rows go to (docs/tables.md)",
    "sources.yaml:sources.sheets": "workbook sheets to read: all, or a list of names",
    "sources.yaml:sources.encoding": "text encoding of a CSV file; auto detects UTF-8, GB18030 ...",
    "sources.yaml:sources.delimiter": "field separator of a CSV file",
    "sources.yaml:sources.date_order": "this source's date order, over defaults.date_order",
    "sources.yaml:sources.phone_region": "this source's phone country, over defaults.phone_region",
    "sources.yaml:sources.match": "how this source's rows are matched to customers",
    "sources.yaml:sources.max_quarantined": "this source's quarantine limit, over defaults.max_quarantined",
    "regions.yaml:unknown": "where customers whose region cannot be found are counted",
    "regions.yaml:unknown.code": "its code (the folder name of its reports)",
    "regions.yaml:unknown.zh": "its Chinese name",
    "regions.yaml:unknown.en": "its English name",
    "regions.yaml:regions": "the regions, in report order",
    "regions.yaml:regions.code": "the code: letters, digits, - or _; names the region's report folder",
    "regions.yaml:regions.zh": "Chinese name, shown in Chinese reports",
    "regions.yaml:regions.en": "English name, shown in English reports",
    "regions.yaml:regions.aliases": "other spellings a source may type for the region",
    "regions.yaml:regions.provinces": "the provinces (or states) of the region",
    "regions.yaml:regions.provinces.name": "the province's name as stored and shown in Chinese reports",
    "regions.yaml:regions.provinces.en": "its name in English reports (default: as stored)",
    "regions.yaml:regions.provinces.aliases": "other spellings (short names, with 省, in English)",
    "regions.yaml:regions.provinces.cities": "cities that place a customer in this province",
    "stages.yaml:lists": "the sales processes, by name",
    "stages.yaml:lists.name": "(set from the list's key; do not write it)",
    "stages.yaml:default": "the list for deals no other list recognises",
    "stages.yaml:english": "names English reports show for values typed in the data",
    "analysis.yaml:revenue": "what revenue is: orders (completed order lines), won_deals (deals won), "
                             "auto (orders when the data has order lines, else won deals)",
    "analysis.yaml:classification": "customer types",
    "analysis.yaml:classification.active_days": "active = a completed order within this many days up to a date",
    "analysis.yaml:rfm": "RFM scores and segments",
    "analysis.yaml:rfm.lookback_days": "days of orders RFM scores; null = all history",
    "analysis.yaml:rfm.segments": "segment rules in order, first match wins (null = the eleven published ones)",
    "analysis.yaml:rfm.segments.name": "segment name",
    "analysis.yaml:rfm.segments.r": "inclusive range of recency scores, e.g. [4, 5]",
    "analysis.yaml:rfm.segments.f": "inclusive range of frequency scores",
    "analysis.yaml:rfm.segments.m": "inclusive range of monetary scores",
    "analysis.yaml:abc": "ABC tiers by revenue",
    "analysis.yaml:abc.a_share": "A = customers making the first this share of revenue",
    "analysis.yaml:abc.b_share": "B = up to this share; C the rest",
    "analysis.yaml:value": "customer value (BG/NBD and Gamma-Gamma)",
    "analysis.yaml:value.time_unit_days": "the models' time unit in days (7 = weeks)",
    "analysis.yaml:value.horizon": "expected purchases over this many time units",
    "analysis.yaml:value.monthly_discount": "monthly discount rate of the 12-month customer lifetime value",
    "analysis.yaml:value.at_risk_p_alive": "at risk: a valuable customer with P(alive) below this (and at least "
                                           "at_risk_p_alive_min)",
    "analysis.yaml:value.at_risk_p_alive_min": "lost: a valuable customer with P(alive) below this; never at risk",
    "analysis.yaml:value.at_risk_gap_factor": "at risk too: days since the last purchase above this times the "
                                              "customer's own mean gap between purchases (2 purchases or more)",
    "analysis.yaml:value.at_risk_revenue_share": "valuable = among the customers making this share of revenue to date",
    "analysis.yaml:value.list_size": "rows in the high-value, at-risk and lost lists of the value report",
    "analysis.yaml:allocation": "allocating unowned customers to reps",
    "analysis.yaml:allocation.value_weight": "weight of the potential-value rank in a customer's priority",
    "analysis.yaml:allocation.intent_weight": "weight of the intent score",
    "analysis.yaml:allocation.recency_weight": "weight of the recency score",
    "analysis.yaml:allocation.recency_days": "an order today scores 1, falling to 0 at this many days",
    "analysis.yaml:allocation.industry_match": "prefer reps whose industries include the customer's",
    "analysis.yaml:allocation.default_capacity": "capacity of reps without one; null = no limit",
    "analysis.yaml:allocation.include_orphaned": "reallocate customers whose owner is not a current rep",
    "analysis.yaml:allocation.intent_scores": "typed intent -> score 0..1 (default: 高/hot/A 1, 中/warm/B 0.5, 低/cold/C 0)",
    "analysis.yaml:privacy": "what outputs show of contacts",
    "analysis.yaml:workbook": "what a region's Excel workbook holds",
    "analysis.yaml:workbook.customer_rows": "rows of the workbook's customers sheet: the customers with the most "
                                            "revenue in the period; when there are more, the sheet says \"top N "
                                            "of M\" and every customer is in `<region>_customers.csv` beside the "
                                            "workbook (contacts masked as in the workbook)",
    "analysis.yaml:privacy.show_full_contacts_in_workbook": "true shows phones and emails in full in the analyst "
                                                            "workbook on disk only (mail always gets a masked copy)",
    "analysis.yaml:fix_lists": "each rep's fix list of their own customers' data problems "
                               "(outputs/<period>/<region>/fix_lists/<rep>.xlsx, and unassigned.xlsx); a rep's "
                               "capacity is allocation's (default_capacity for reps without one)",
    "analysis.yaml:fix_lists.no_contact_months": "no contact: no order line and no interaction in this many months "
                                                 "up to the period end (customers created within them, or churned, "
                                                 "are left out)",
    "analysis.yaml:fix_lists.name_similarity": "suspected duplicate: two customers kept apart, in one region or of "
                                               "one owner, whose name keys are at least this alike (rapidfuzz ratio, "
                                               "50-100; 100 = the same name)",
    "analysis.yaml:fix_lists.leave_out": "kinds of problem left off the lists: duplicate_merged, duplicate_suspected, "
                                         "phone_invalid, phone_missing, email_invalid, email_missing, region_missing, "
                                         "industry_missing, no_contact, unassigned, over_capacity",
    "analysis.yaml:kpi_directions": "figure -> up, down or neutral: which way is good (cards colour a change green "
                                    "when it goes that way, red when not, grey for neutral); default: up for every "
                                    "figure but customers_churned, monthly_lost, deals_lost and median_cycle_days",
    "targets.yaml:targets": "one entry per region (or rep) and period",
    "targets.yaml:targets.region": "region code, name or alias, or all for the whole company",
    "targets.yaml:targets.period": "a whole calendar period: 2025, 2025-H2, 2025-Q4, 2025-10 or 2025-W40",
    "targets.yaml:targets.rep": "a rep's name (their own customers' figures); empty for the region's targets",
    "industries.yaml:industries": "one entry per industry",
    "industries.yaml:industries.code": "a stable code",
    "industries.yaml:industries.zh": "name in Chinese reports",
    "industries.yaml:industries.en": "name in English reports",
    "industries.yaml:industries.aliases": "other spellings sources use",
    "fx.yaml:reporting_currency": "ISO 4217 code every amount is converted into",
    "fx.yaml:rates": "currency -> month (YYYY-MM) or day (YYYY-MM-DD) -> units of the reporting currency one unit "
                     "is worth; a missing month that has amounts stops the report",
    "recipients.yaml:recipients": "the readers, one message each per period",
    "recipients.yaml:recipients.name": "shown in the greeting; one line",
    "recipients.yaml:recipients.email": "the address",
    "recipients.yaml:recipients.language": "zh or en: the body and the attached reports (`run` renders each "
                                           "language a region's recipients read)",
    "recipients.yaml:recipients.reports": "report (notebook) names whose PDFs are attached",
    "recipients.yaml:recipients.attach": "pdf (the reports), xlsx (the region's workbook) and/or fix_list (the "
                                         "fix list of the recipient's rep:, from their region's folder)",
    "recipients.yaml:recipients.rep": "the rep (a rep_id or name of the reps table) whose own fix list "
                                      "attach: [fix_list] sends, or unassigned (the region's customers without an "
                                      "owner); required with fix_list. A rep the reps table does not know, or one of "
                                      "another region, fails that recipient with one line",
    "recipients.yaml:operators": "people told of failures, never sent reports",
    "recipients.yaml:operators.name": "shown in the To header; one line",
    "recipients.yaml:operators.email": "the address",
    "schedule.yaml:jobs": "the scheduled jobs",
    "schedule.yaml:jobs.name": "letters, digits, - or _; names the job's lock",
    "schedule.yaml:jobs.period": "a relative period, so the crontab line never changes",
    "schedule.yaml:jobs.regions": "as `update --regions`",
    "schedule.yaml:jobs.reports": "as `update --reports`",
    "schedule.yaml:jobs.formats": "as `update --formats`",
    "schedule.yaml:jobs.locale": "the reports' main language (each recipient's own is rendered too)",
    "schedule.yaml:jobs.send": "false renders only (`update --no-send`)",
}


def _models_in(annotation) -> list[type[BaseModel]]:
    found = [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        found.append(annotation)
    return found


def type_name(annotation) -> str:
    """A key's type in words: text, number, a | b, list of text, text -> number, mapping ..."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        named = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(named) + (" or null" if type(None) in args else "")
    if origin is typing.Literal:
        return " \\| ".join(str(a) for a in args)
    if origin is list:
        return f"list of {type_name(args[0])}"
    if origin is tuple:
        return f"[{', '.join(type_name(a) for a in args)}]"
    if origin is dict:
        return f"{type_name(args[0])} → {type_name(args[1])}"
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return "mapping (keys below)"
    return {str: "text", int: "whole number", float: "number", bool: "true \\| false"}.get(annotation,
                                                                                     str(annotation))


def keys(model: type[BaseModel], prefix: str = "", seen: frozenset = frozenset()):
    """(dotted key, field) of ``model`` and of the models nested in it, in declaration order."""
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        yield key, field
        for nested in _models_in(field.annotation):
            if nested not in seen:
                yield from keys(nested, key + ".", seen | {nested})


def meaning(file: str, key: str, field) -> str:
    """What ``key`` means; a source's own vocabulary means what the project-wide one does."""
    shared = key.removeprefix("sources.") if key.startswith("sources.vocabulary.") else key
    text = MEANING.get(f"{file}:{key}") or MEANING.get(f"{file}:{shared}") or field.description or ""
    return text.replace("->", "→").replace("|", "\\|")


def _default(field) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()
        return "—" if isinstance(value, BaseModel) or value in ([], {}) else f"`{value}`"
    if field.default is PydanticUndefined or isinstance(field.default, BaseModel):
        return "—"
    return f"`{'null' if field.default is None else str(field.default).lower() if isinstance(field.default, bool) else field.default}`"


def reference() -> str:
    lines = ["# params/: every settings file and key", "",
             "Generated from the code by `scripts/write_params_reference.py` (the test suite fails when it is "
             "stale). Every file is YAML in the project's `params/` folder; a wrong key or value stops the "
             "command with one line naming the file and the key. Names are matched ignoring case, spaces and "
             "full-width/half-width differences where a key says *typed*.", ""]
    for file, model, needed, purpose, example in FILES:
        lines += [f"## `{file}`", "", f"{purpose} *{needed[0].upper() + needed[1:]}.*", "", "```yaml", example, "```",
                  "", "| key | type | default | meaning |", "|---|---|---|---|"]
        for key, field in keys(model):
            lines.append(f"| `{key}` | {type_name(field.annotation)} | {_default(field)} | "
                         f"{meaning(file, key, field)} |")
        lines.append("")
    lines += ["## Data alerts (`when:` of a recipient)", "",
              "`<figure> <op> <number>[%]`, `op` one of `<`, `<=`, `>`, `>=`, `==`, `!=`; a trailing `%` divides "
              "the number by 100. The figures:", ""]
    from custreport.figures import alert_figures

    lines += [", ".join(f"`{name}`" for name in alert_figures()), "",
              "`<figure>_change` is the relative change against the previous period (`-10%` = a tenth less), "
              "`<figure>_change_year` against the same period a year earlier. A recipient with an alert gets "
              "mail only when it holds; the subject and body then lead with it.", ""]
    return "\n".join(lines)


def main() -> None:
    page = reference()
    if "--check" in sys.argv:
        sys.exit(0 if PAGE.read_text(encoding="utf-8") == page else 1)
    PAGE.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
