"""Write docs/tables.md: every canonical table's columns (required ones marked), the headers
recognised for each without any mapping, and the built-in vocabularies.

The page is made from the code itself (schema.py, ingest/headers.py, ingest/standardize.py),
so it cannot drift from what ingest does; tests/test_reference.py fails when it is stale.

    .venv/bin/python scripts/write_reference.py          # rewrite docs/tables.md
    .venv/bin/python scripts/write_reference.py --check  # exit 1 when docs/tables.md is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from custreport import schema
from custreport.ingest import headers, standardize

PAGE = Path(__file__).resolve().parents[1] / "docs" / "tables.md"

TABLE_PURPOSE = {
    "customers": "one row per customer (客户): the customer list of a 客户管理表 or a CRM's accounts",
    "orders": "one row per order line (订单): invoices, sales lines, transactions",
    "deals": "one row per deal (商机, opportunity) of the sales pipeline",
    "leads": "one row per lead (线索): a first contact that may become a deal or a customer",
    "interactions": "one row per contact with a customer (服务记录): inquiries, complaints, visits, calls",
    "reps": "one row per sales rep (销售): who can be allocated customers",
}

TYPE_NAMES = {schema.TEXT: "text", schema.DATE: "date", schema.NUMBER: "number", schema.COUNT: "whole number"}

# Columns ingest fills itself: never read from a source.
MADE_BY_INGEST = {"name_key", "phone_type", "phone_invalid", "email_invalid", "source", "source_sheet", "source_row",
                  "customer_key", "order_key"}

# What a column means, and a value as a source might type it. Keyed "table.column", or by the
# column alone where it means the same in every table.
MEANING = {
    "customer_id": ("the customer's id in the store; orders, deals and interactions attach by it or by name", "C7K2M9Q4XW3A1"),
    "customers.customer_id": ("made by ingest: stable across runs (the registry of names seen)", "C7K2M9Q4XW3A1"),
    "source_customer_id": ("the customer's id in the source system", "ACC-00042"),
    "name": ("display name", "杭州华信科技有限公司"),
    "region": ("region code, name or alias of params/regions.yaml; found from province, city or country when absent", "华东"),
    "province": ("province or state", "浙江省"),
    "city": ("city", "杭州"),
    "country": ("country", "中国"),
    "industry": ("industry; params/industries.yaml gives one name to every spelling", "制造业"),
    "customer_type": ("the CRM's type label: prospect, active or churned (see Vocabularies); reports derive the "
                      "type from orders, or take the status", "成交客户"),
    "owner_rep": ("sales rep who owns the record", "王芳"),
    "phone": ("stored as E.164; typed mobile, landline or service", "138-0013-8000"),
    "email": ("checked address", "li@huaxin.cn"),
    "contact": ("the contact person at the customer (personal data: kept in the store, shown in no report)", "李明"),
    "annual_purchases": ("what the customer buys from you in a year, as the source states it; a unit in the "
                         "header is applied", "35 (header 年度采购额(万元))"),
    "address": ("street address", "西湖区文三路 90 号"),
    "channel": ("how the customer came or sells: channel, distributor, account source", "经销商"),
    "created_at": ("date created or customer since", "2024/3/5"),
    "credit_rating": ("credit rating as typed", "A"),
    "potential_value": ("expected value of the customer; a unit in the header is applied", "12.5 (header 潜在价值(万元))"),
    "intent": ("purchase intent (高/中/低, hot/warm/cold, A/B/C)", "高"),
    "customers.status": ("the relationship as the source states it: a churn flag or a status (see Vocabularies); "
                         "wins over the type derived from orders", "停止合作, Churn = Yes"),
    "tenure_months": ("months the customer has been subscribed", "34"),
    "monthly_charge": ("recurring charge per month", "56.95"),
    "total_charges": ("charges billed to date", "1889.50"),
    "order_id": ("order or invoice number; lines of one order share it", "SO-2024-0001"),
    "order_date": ("date of the order", "2024年3月5日"),
    "orders.amount": ("net line amount; quantity x unit_price when absent", "¥1,234.50"),
    "quantity": ("units", "3"),
    "unit_price": ("price per unit", "411.5"),
    "product": ("product name", "GTX Pro"),
    "orders.channel": ("sales channel or distributor", "天猫旗舰店"),
    "orders.status": ("completed, returned or cancelled (see Vocabularies); blank reads as completed; a "
                      "cancellation invoice or negative line becomes cancelled or returned (the cancellation rule)",
                      "已完成"),
    "orders.region": ("filled by ingest: the customer's region", "east"),
    "orders.currency": ("filled by ingest: the ISO 4217 code of the source's currency (sources.yaml currency)",
                        "USD"),
    "deal_id": ("deal or opportunity id", "OPP-1042"),
    "stage": ("stage of the sales process (params/stages.yaml)", "Proposal"),
    "deals.created_at": ("date the deal was created or engaged", "2024-03-05"),
    "closed_at": ("date won or lost", "2024-05-20"),
    "deals.amount": ("deal value (close value when closed)", "50000"),
    "lead_source": ("where the lead or deal came from", "展会"),
    "outcome": ("open, won or lost: from the stage", "won"),
    "stage_changed_at": ("date the deal entered its current stage (for time in stage)", "2024-04-01"),
    "deals.region": ("the deal's own region, else its owner's, else its customer's", "South"),
    "deals.currency": ("filled by ingest: the ISO 4217 code of the source's currency (sources.yaml currency)",
                       "EUR"),
    "deals.lead_id": ("the lead the deal came from (its id in the leads table)", "MQL-0042"),
    "leads.lead_id": ("lead or marketing-qualified-lead id; made from the row when absent", "MQL-0042"),
    "leads.created_at": ("date of the first contact (the lead's month in the lead funnel)", "2024-03-05"),
    "leads.status": ("open, converted or disqualified (see Vocabularies); a Converted yes/no column reads the same",
                     "已转化, Closed - Converted"),
    "converted_at": ("date the lead became a deal or customer", "2024-04-02"),
    "leads.deal_id": ("the deal the lead became (Converted Opportunity ID); else a deal whose lead_id names the "
                      "lead", "OPP-1042"),
    "leads.customer_id": ("the customer the lead became: its own id or company name when it is a known customer, "
                          "else its deal's customer", "ACC-00042"),
    "leads.region": ("the lead's own region, else its owner's, else its deal's, else its customer's", "华南"),
    "date": ("date of the contact", "2024-03-05 14:30"),
    "kind": ("inquiry, complaint, feedback, visit or call (see Vocabularies)", "投诉"),
    "satisfaction": ("score 1-5", "4"),
    "interactions.status": ("open or resolved, for complaints (see Vocabularies)", "已解决"),
    "note": ("free text; contacts typed in it are masked in reports", "客户反映交货延迟"),
    "rep_id": ("employee id; made from the name when absent", "E0012"),
    "reps.name": ("rep's name", "王芳"),
    "reps.region": ("the region the rep sells in", "华南"),
    "manager": ("rep's manager", "李强"),
    "industries": ("industries the rep covers, separated by commas or 、", "制造业、零售"),
    "capacity": ("most customers the rep can hold", "120"),
}

VOCABULARIES = {
    "customers.customer_type": "CUSTOMER_TYPE_SYNONYMS",
    "customers.status (a churn flag or status)": "CUSTOMER_STATUS_SYNONYMS",
    "orders.status": "ORDER_STATUS_SYNONYMS",
    "deals.outcome (from the stage)": "DEAL_OUTCOME_SYNONYMS",
    "interactions.kind": "INTERACTION_KIND_SYNONYMS",
    "interactions.status": "INTERACTION_STATUS_SYNONYMS",
    "leads.status": "LEAD_STATUS_SYNONYMS",
}


def reference() -> str:
    """The page's markdown."""
    lines = [
        "# Canonical tables",
        "",
        "What ingest makes of every source: the columns of each table, which are required, the",
        "headers recognised without a `column_map`, and the vocabularies values are read through.",
        "Written by `scripts/write_reference.py` from the code; do not edit by hand.",
        "",
        "A header is matched after folding: full-width to half-width, case, spaces, `*` and `:`",
        "ignored, a unit in brackets set aside (`金额(万元)` is `金额` times 10,000). A header no",
        "alias knows is kept as an extra column `x_<header>`. Map any other header in",
        "`params/sources.yaml`:",
        "",
        "```yaml",
        "sources:",
        "  - name: orders",
        "    path: data/raw/orders.csv",
        "    table: orders",
        "    column_map: {成交客户: customer_name, Net Sales: amount}",
        "```",
        "",
        "Lineage columns (`source`, `source_sheet`, `source_row`) are filled by ingest on every table.",
        "The snapshot's lineage table adds `source_file` and, for a database source, `source_key`",
        "(the row's key, `id=42`; its table or `query` is the file, its place in key order the row).",
        "Ingest also fills `phone_type` (mobile, landline, service) and, on customers, `phone_invalid`",
        "and `email_invalid`: a phone or email as typed when it is no number or address (the cleaned",
        "column is then empty; the owner's fix list shows what was typed).",
        "",
    ]
    for table in schema.TABLES:
        lines += [f"## `{table}`", "", _sentence(TABLE_PURPOSE.get(table, "")), "",
                  "| column | type | required | meaning | example | recognised headers |", "|---|---|---|---|---|---|"]
        aliases = headers.ALIASES.get(table, {})
        for column, dtype in schema.COLUMNS[table].items():
            if column in MADE_BY_INGEST or column in schema.LINEAGE:
                continue
            required = "**required**" if column in schema.REQUIRED[table] else ""
            known = ", ".join(alias for alias in aliases.get(column, ()))
            meaning, example = meaning_of(table, column)
            lines.append(f"| `{column}` | {TYPE_NAMES.get(dtype, dtype)} | {required} | {meaning} | {example} | {known} |")
        for column, known_aliases in aliases.items():
            if column not in schema.COLUMNS[table]:
                lines.append(f"| `{column}` | text | | the customer's name, to attach the row when it has no "
                             f"customer id | 华信科技 | {', '.join(known_aliases)} |")
        lines.append("")
    lines += ["## Vocabularies", "",
              "Values are folded like headers (case, width, spaces, `-` and `_` ignored) and looked up",
              "in these lists; the README (\"Sources\") says how to add your own words.", ""]
    for where, name in VOCABULARIES.items():
        synonyms = getattr(standardize, name, None)
        if not synonyms:
            continue
        lines += [f"### `{where}`", "", "| value | also read as |", "|---|---|"]
        lines += [f"| `{value}` | {', '.join(words)} |" for value, words in synonyms.items()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def meaning_of(table: str, column: str) -> tuple[str, str]:
    """(meaning, example) of a canonical column; KeyError for a column nobody described."""
    return MEANING.get(f"{table}.{column}") or MEANING[column]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


def main(argv: list[str]) -> int:
    text = reference()
    if "--check" in argv:
        if not PAGE.is_file() or PAGE.read_text(encoding="utf-8") != text:
            print(f"{PAGE} is stale: run .venv/bin/python scripts/write_reference.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
