"""Tests for custreport.analysis.fixlists: each kind of problem on tiny hand-made frames, which list
it goes on, where it is at the source, its key, reasons in both languages, and the summary against
the last period's lists."""

from __future__ import annotations

import pandas as pd
import pytest
from custreport.analysis.fixlists import (
    DETAIL_COLUMNS,
    KINDS,
    PROBLEM_COLUMNS,
    SHARED_WIDELY,
    FixListRules,
    find_rep,
    list_file_names,
    owner_problems,
    owner_summary,
    problem_reasons,
    reps_listed_in,
)

T = pd.Timestamp
END = T("2025-12-31 23:59:59.999")      # the last moment of 2025-Q4
REPS = pd.DataFrame({"rep_id": ["R1", "R2", "R3"], "name": ["王芳", "李强", "Zhao Min"],
                     "region": ["east", "east", "south"], "capacity": [10.0, 10.0, None]})


def customer(cid: str, owner: str | None = "R1", region: str = "east", **fields) -> dict:
    """A customer with nothing to fix unless ``fields`` say otherwise (its name is unlike any other's)."""
    number = int(cid[1:])
    clean = {"customer_id": cid, "name": f"{'甲乙丙丁戊己庚辛壬癸'[number % 10]}{number}号{cid}集团",
             "region": region, "industry": "制造业", "owner_rep": owner,
             "phone": f"+86138{number:08d}", "email": f"{cid.lower()}@example.com"}
    return {**clean, **fields}


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def problems(customers, reps=REPS, activity=None, lineage=None, rules=FixListRules(), locale="zh", as_of=END):
    return owner_problems(customers, reps, activity, lineage, as_of, rules, locale)


def found(result: pd.DataFrame, *columns: str) -> list[tuple]:
    columns = columns or ("owner_rep", "kind", "customer_id")
    return [tuple(None if pd.isna(v) else v for v in row) for row in result[list(columns)].itertuples(index=False)]


def test_a_clean_customer_has_nothing_to_fix_and_the_columns_are_always_there():
    result = problems(frame(customer("C1"), customer("C2", "R2")))
    assert result.empty and list(result.columns) == [*PROBLEM_COLUMNS, *DETAIL_COLUMNS]
    assert str(result["source_row"].dtype) == "Int64" and str(result["problem_key"].dtype) == "string"


def test_missing_and_invalid_contacts_are_masked_and_each_on_its_owners_list():
    customers = frame(customer("C1", phone=None, email=None),
                      customer("C2", "R2", phone="138-0013", email="zhang.wei@huaxin"),          # stored wrongly
                      customer("C3", phone=None, phone_invalid="1380013800", email=None,
                               email_invalid="li.na(at)jia"),                                   # as ingest typed them
                      # a phone typed into the email column, an address into the phone's
                      customer("C4", "R2", phone=None, phone_invalid="zhang.wei@163.com", email=None,
                               email_invalid="13812345678"))
    result = problems(customers)
    assert found(result, "owner_rep", "kind", "customer_id", "value") == [
        ("R1", "phone_invalid", "C3", "138*****00"),       # first three and last two digits
        ("R1", "phone_missing", "C1", None),
        ("R1", "email_invalid", "C3", "l***)jia"),         # no address: first and last characters
        ("R1", "email_missing", "C1", None),
        ("R2", "phone_invalid", "C2", "138-**13"),
        ("R2", "phone_invalid", "C4", "z***@163.com"),
        ("R2", "email_invalid", "C2", "z***axin"),
        ("R2", "email_invalid", "C4", "138******78"),
    ]
    assert found(result, "problem_key")[0] == ("phone_invalid|C3|138*****00",)
    assert result.loc[1, "reason"] == "没有填写电话：请在源头补上"


def test_without_any_order_or_interaction_every_older_customer_is_out_of_contact():
    # a deals-only business: no dated activity at all
    activity = pd.DataFrame({"customer_id": pd.Series(dtype="string"), "date": pd.Series(dtype="datetime64[ns]")})
    customers = frame(customer("C1", created_at=T("2024-01-01")), customer("C2", created_at=T("2025-11-01")))
    result = problems(customers, activity=activity, rules=FixListRules(leave_out=frozenset({"over_capacity"})))
    assert found(result, "customer_id", "kind", "value") == [("C1", "no_contact", None)]


def test_no_region_and_no_industry_show_what_was_typed():
    customers = frame(customer("C1", region="unknown", province="火星"), customer("C2", industry="  "))
    assert found(problems(customers), "owner_rep", "region", "kind", "customer_id", "value") == [
        ("R1", "east", "region_missing", "C1", "火星"),       # on its owner's list, in the owner's region
        ("R1", "east", "industry_missing", "C2", None)]


def test_no_contact_counts_orders_and_interactions_in_the_months_up_to_the_period_end():
    customers = frame(customer("C1"), customer("C2"), customer("C3"), customer("C4"),
                      customer("C5", created_at=T("2025-07-01")),      # created within the six months
                      customer("C6", status="churned"),                # already marked gone
                      customer("C7", created_at=T("2025-06-30")))      # older, and never contacted
    activity = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C3", "C4"],
                             "date": pd.to_datetime(["2025-07-01", "2025-06-30 18:00", "2025-01-05", "2026-01-02",
                                                     "2024-03-01"], format="ISO8601")})
    # the six months to 2025-12-31 start on 2025-07-01: C1 was contacted then; C2 the evening before;
    # C3's contact of 2026-01-02 is after the period and does not count
    result = problems(customers, activity=activity, rules=FixListRules(leave_out=frozenset({"over_capacity"})))
    assert found(result, "customer_id", "value") == [("C2", "2025-06-30"), ("C3", "2025-01-05"), ("C4", "2024-03-01"),
                                                     ("C7", None)]
    assert result.loc[0, "reason"] == "最近一次订单或服务记录在 2025-06-30：截至 2025-12-31 已超过 6 个月没有联系"
    english = problem_reasons(result, "en")
    assert english.iloc[3] == "no order or interaction on record (to 2025-12-31)"
    three = problems(customers, activity=activity, rules=FixListRules(no_contact_months=12))
    assert found(three, "customer_id") == [("C4",)]    # since 2025-01-01; C7 was created within them


def test_customers_without_a_known_owner_go_to_their_regions_unassigned_list_with_all_their_problems():
    reps = pd.concat([REPS, pd.DataFrame({"rep_id": ["R4"], "name": ["王芳"], "region": ["north"]})])
    customers = frame(customer("C1", None, "south", industry=None), customer("C2", "张三"),
                      customer("C3", "王芳", "south"),    # two reps are called 王芳, neither in the south
                      customer("C4", "王芳"))             # one of them sells in the east: R1
    result = problems(customers, reps)
    assert found(result, "owner_rep", "region", "kind", "customer_id", "value", "detail") == [
        (None, "east", "unassigned", "C2", "张三", "unknown"),     # C4 is R1's: nothing to fix
        (None, "south", "industry_missing", "C1", None, None),
        (None, "south", "unassigned", "C1", None, "none"),
        (None, "south", "unassigned", "C3", "王芳", "ambiguous")]
    assert list(result["reason"][result["kind"] == "unassigned"]) == [
        "负责人「张三」不在销售名单中", "没有负责人：请在源头填写", "负责人「王芳」对应多位销售，无法确定是谁"]


def test_a_rep_over_capacity_gets_one_row_and_default_capacity_fills_in():
    customers = frame(*[customer(f"C{n}", "R1") for n in range(1, 4)], *[customer(f"C{n}", "R3", "south")
                                                                          for n in range(4, 6)])
    reps = REPS.assign(capacity=[2.0, 10.0, None])
    result = problems(customers, reps)
    assert found(result, "owner_rep", "region", "kind", "customer_id", "value") == [
        ("R1", "east", "over_capacity", None, "3/2")]
    assert result.loc[0, "problem_key"] == "over_capacity|R1"
    assert result.loc[0, "reason"] == "负责 3 个客户，超出客户容量 2"
    # R3 has no capacity: no limit, unless allocation's default_capacity gives one
    limited = problems(customers, reps, rules=FixListRules(default_capacity=1.5))
    assert found(limited, "owner_rep", "value") == [("R1", "3/2"), ("R3", "2/1.5")]
    assert problem_reasons(limited, "en").tolist()[1] == "owns 2 customers, over their capacity of 1.5"


def test_customers_sharing_a_phone_or_email_in_a_region_or_of_an_owner_are_suspected_duplicates():
    customers = frame(customer("C1", "R1", phone="+8613800000001"),
                      customer("C2", "R2", phone="+8613800000001"),            # same region, another owner
                      customer("C3", "R3", "south", phone="+8613800000002"),
                      customer("C4", "R1", phone="+8613800000002"),            # another region and owner
                      customer("C5", "R3", "south", email="boss@jia.com"),
                      customer("C6", "R3", "unknown", email="BOSS@jia.com"))   # same owner, another region
    result = problems(customers, rules=FixListRules(leave_out=frozenset({"region_missing"})))
    assert found(result, "owner_rep", "customer_id", "other_id", "value") == [
        ("R1", "C1", "C2", "+86138****0001"), ("R2", "C2", "C1", "+86138****0001"),
        ("R3", "C5", "C6", "b***@jia.com"), ("R3", "C6", "C5", "b***@jia.com")]
    assert result.loc[0, "reason"] == f"与 C2 {customers.loc[1, 'name']}（负责人：李强）电话相同：若是同一客户，在源头只保留一条"
    assert problem_reasons(result, "en").iloc[2] == \
        f"same email as C6 {customers.loc[5, 'name']}: if they are one customer, keep one at the source"
    assert result.loc[0, "problem_key"] == "duplicate_suspected|C1|C2"


def test_near_identical_names_are_suspected_and_evidence_adds_up():
    customers = frame(customer("C1", name="杭州华信精密机械制造有限公司", name_key="杭州华信精密机械制造"),
                      customer("C2", None, name="杭州华信精密机械制造厂", name_key="杭州华信精密机械制造厂",
                               phone="+8613900000009"),
                      customer("C3", name="杭州华新精密机械制造有限公司", name_key="杭州华新精密机械制造",
                               phone="+8613900000009"),
                      customer("C4", name="宁波华信精密", name_key="宁波华信精密"))
    result = problems(customers, rules=FixListRules(leave_out=frozenset({"unassigned"})))
    shown = found(result, "owner_rep", "customer_id", "other_id", "detail", "figure")
    # 杭州华信精密机械制造 vs ...制造厂: 2*10/21 = 95.2; vs 杭州华新...: 9 of 10 alike = 90; 杭州华新精密机械制造 vs
    # 杭州华信精密机械制造厂: 2*9/21 = 85.7, under 90, but C2 and C3 share a phone (listed first: stronger evidence);
    # 宁波华信精密 is like none of them
    assert shown == [("R1", "C1", "C2", "name", 95.0), ("R1", "C1", "C3", "name", 90.0),
                     ("R1", "C3", "C2", "phone", None), ("R1", "C3", "C1", "name", 90.0),
                     (None, "C2", "C3", "phone", None), (None, "C2", "C1", "name", 95.0)]
    assert result.loc[0, "reason"] == "与 C2 杭州华信精密机械制造厂（无负责人）名称相近（95%）：若是同一客户，在源头只保留一条"
    assert result.loc[4, "reason"] == "与 C3 杭州华新精密机械制造有限公司（负责人：王芳）电话相同：若是同一客户，在源头只保留一条"
    assert result.loc[0, "value"] == "杭州华信精密机械制造厂"     # a name match shows the other's name
    assert result.loc[2, "value"] == "+86139****0009"
    strict = problems(customers, rules=FixListRules(name_similarity=95, leave_out=frozenset({"unassigned"})))
    assert found(strict, "customer_id", "other_id") == [("C1", "C2"), ("C3", "C2"), ("C2", "C3"), ("C2", "C1")]
    both = problems(customers.assign(phone=["+8613900000009"] * 4), rules=FixListRules(
        leave_out=frozenset({"unassigned"})))
    assert both.loc[0, "detail"] == "phone,name" and both.loc[0, "reason"].startswith(
        "与 C2 杭州华信精密机械制造厂（无负责人）电话相同、名称相近（95%）")


def test_a_phone_shared_widely_is_one_problem_per_customer_and_counterparts_are_capped():
    many = [customer(f"C{n}", phone="+8640080000000") for n in range(1, SHARED_WIDELY + 2)]
    result = problems(frame(*many), rules=FixListRules(leave_out=frozenset({"over_capacity"})))
    assert len(result) == SHARED_WIDELY + 1 and set(result["detail"]) == {"shared_phone"}
    first = result.iloc[0]
    assert (first["customer_id"], first["other_id"], first["figure"]) == ("C1", "C2", SHARED_WIDELY + 1)
    assert first["problem_key"] == "duplicate_suspected|C1|shared_phone:+86400****0000"
    assert first["reason"].startswith(f"该电话被 {SHARED_WIDELY + 1} 个客户共用（如 C2 ")
    five = [customer(f"C{n}", email="sales@jia.com") for n in range(1, 6)]
    capped = problems(frame(*five))
    c1 = capped[capped["customer_id"] == "C1"]
    assert list(c1["other_id"]) == ["C2", "C3", "C4"] and list(c1["limit"]) == [0.0, 0.0, 1.0]
    assert c1["reason"].iloc[2].endswith("；另有 1 个相似客户")


def test_rows_merged_from_one_source_are_a_duplicate_and_every_problem_lists_the_customers_rows():
    customers = frame(customer("C1", industry=None), customer("C2"))
    lineage = pd.DataFrame({
        "source": ["crm", "crm", "xlsx", "crm", "xlsx", "orders"],
        "source_file": ["crm.csv", "crm.csv", "客户表.xlsx", "crm.csv", "客户表.xlsx", "o.csv"],
        "source_sheet": [None, None, "华东", None, "华东", None], "source_row": [12, 45, 7, 13, 9, 2],
        "status": ["loaded", "merged", "merged", "loaded", "merged", "loaded"],
        "record_id": ["C1", "C1", "C1", "C2", "C2", "O1"]})
    result = problems(customers, lineage=lineage)
    assert found(result, "kind", "customer_id", "source", "source_sheet", "source_row", "source_key") == [
        ("duplicate_merged", "C1", "crm", None, 12, None), ("duplicate_merged", "C1", "crm", None, 45, None),
        ("industry_missing", "C1", "crm", None, 12, None), ("industry_missing", "C1", "crm", None, 45, None),
        ("industry_missing", "C1", "xlsx", "华东", 7, None)]   # C2: once in the CRM, once in the workbook: fine
    assert result.loc[0, "reason"] == "这 2 行（crm）是同一个客户，导入时已合并：在源头只保留一行"
    assert set(result["problem_key"]) == {"duplicate_merged|C1|crm", "industry_missing|C1"}
    keyed = problems(customers, lineage=lineage.assign(source_key=["id=12", "id=45", None, None, None, None]))
    assert list(keyed["source_key"][:2]) == ["id=12", "id=45"]


def test_kinds_left_out_are_not_listed():
    customers = frame(customer("C1", phone=None, email=None, industry=None))
    rules = FixListRules(leave_out=frozenset({"email_missing", "industry_missing"}))
    assert found(problems(customers, rules=rules), "kind") == [("phone_missing",)]
    with pytest.raises(ValueError, match="leave_out: unknown kinds \\['mail'\\]"):
        FixListRules(leave_out=frozenset({"mail"}))


def test_the_same_problem_has_the_same_key_and_reasons_read_in_both_languages():
    customers = frame(customer("C1", phone=None), customer("C2", None))
    zh, en = problems(customers), problems(customers, locale="en")
    assert list(zh["problem_key"]) == list(en["problem_key"]) == ["phone_missing|C1", "unassigned|C2"]
    assert list(problem_reasons(zh, "en")) == list(en["reason"])
    assert list(en["reason"]) == ["no phone typed: add one at the source",
                                  "no owner: name one at the source"]


def test_owner_summary_says_what_was_fixed_and_what_is_new_per_list_and_kind():
    now = problems(frame(customer("C1", phone=None), customer("C2", phone=None), customer("C3", None, email=None)))
    before = problems(frame(customer("C1", phone=None), customer("C4", phone=None, email=None),
                            customer("C3", None, email=None)))
    summary = owner_summary(now, before)
    assert found(summary, "owner_rep", "region", "kind", "open", "previous", "fixed", "new") == [
        ("R1", "east", "phone_missing", 2, 2, 1, 1),      # C1 still open, C4 fixed, C2 new
        ("R1", "east", "email_missing", 0, 1, 1, 0),      # C4's email: fixed
        (None, "east", "email_missing", 1, 1, 0, 0), (None, "east", "unassigned", 1, 1, 0, 0)]
    first = owner_summary(now, None)
    assert first["previous"].isna().all() and first["fixed"].isna().all() and first["new"].isna().all()
    assert list(first["open"]) == [2, 1, 1]
    # a customer given to another rep: fixed on the first list, new on the other
    moved = owner_summary(problems(frame(customer("C1", "R2", phone=None))),
                          problems(frame(customer("C1", "R1", phone=None))))
    assert found(moved, "owner_rep", "open", "previous", "fixed", "new") == [("R1", 0, 1, 1, 0), ("R2", 1, 0, 0, 1)]


def test_a_merged_customers_rows_count_as_one_problem():
    lineage = pd.DataFrame({"source": ["crm", "xlsx"], "source_file": ["crm.csv", "x.xlsx"], "source_sheet": [None, "华东"],
                            "source_row": [2, 3], "status": ["loaded", "merged"], "record_id": ["C1", "C1"]})
    result = problems(frame(customer("C1", phone=None)), lineage=lineage)
    assert len(result) == 2 and owner_summary(result)["open"].tolist() == [1]


def test_files_regions_and_reps_of_the_lists():
    assert list_file_names(["S2", "s2", "王芳"]) == {"S2": "S2.xlsx", "s2": "s2-2.xlsx", "王芳": "王芳.xlsx"}
    assert reps_listed_in(REPS, "east") == ["R1", "R2"] and reps_listed_in(REPS, "all") == []   # in their regions
    assert reps_listed_in(REPS, "north") == []
    assert find_rep(REPS, "zhao min") == ["R3"] and find_rep(REPS, " r2 ") == ["R2"]


def test_every_kind_has_a_name_in_both_languages():
    from custreport import i18n

    for kind in KINDS:
        assert i18n.label(f"fix_{kind}", "zh") != f"fix_{kind}" and i18n.label(f"fix_{kind}", "en") != f"fix_{kind}"
