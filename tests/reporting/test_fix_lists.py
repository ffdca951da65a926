"""reporting.fix_lists: a period's fix lists found over the whole company, kept in the store, and
written as one workbook per list; and the acceptance test: a generated project with problems planted
on specific reps' customers, through the real `custreport ingest` and `run`, whose workbooks (read
with openpyxl) name exactly the problems planted for each rep and nothing of anyone else's."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest
from custreport import schema, store
from custreport.analysis_settings import AnalysisSettings
from custreport.periods import parse_period
from custreport.render.excel import has_masked_contacts
from custreport.reporting import fix_lists
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tiny_project import customers, deals, make_project, orders

Q4, Q3 = parse_period("2025-Q4"), parse_period("2025-Q3")


def reps() -> pd.DataFrame:
    # R1 sells in the east with room for one customer; nobody owns the tiny project's customers yet
    return schema.conform(pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["王芳", "陈静"], "region": ["east", "south"],
                                        "capacity": [1.0, None]}), "reps")


def write_store(folder: Path, owners: dict[str, str] | None = None, **changes) -> store.Snapshot:
    """The tiny project's tables with reps, owners given to some customers and a lineage that has
    A typed twice in one source."""
    people = customers().assign(industry="制造业")
    if owners:
        people = people.assign(owner_rep=people["customer_id"].map(owners).astype("string"))
    for column, values in changes.items():
        people[column] = values
    lineage = pd.DataFrame({
        "source": ["test"] * 5, "source_file": ["c.csv"] * 5, "source_sheet": pd.array([pd.NA] * 5, dtype="string"),
        "source_row": pd.array([2, 3, 4, 5, 6], dtype="Int64"),
        "status": ["loaded", "loaded", "loaded", "loaded", "merged"], "record_id": ["A", "B", "C", "D", "A"]})
    accounting = pd.DataFrame([{"source": "test", "table": "customers", "files": 1, "rows_read": 5, "loaded": 4,
                                "merged": 1, "non_data": 0, "quarantined": 0}])
    tables = {"customers": schema.conform(people, "customers"), "orders": orders(), "deals": deals(),
              "interactions": schema.empty_frame("interactions"), "reps": reps()}
    return store.write_snapshot(folder, tables, {"accounting": accounting, "lineage": lineage},
                                {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}})


@pytest.fixture
def project(tmp_path, monkeypatch):
    folder = make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    return folder


def kinds(problems: pd.DataFrame) -> list[tuple]:
    return sorted({(None if pd.isna(o) else o, r, k, None if pd.isna(c) else c)
                   for o, r, k, c in zip(problems["owner_rep"], problems["region"], problems["kind"],
                                         problems["customer_id"])}, key=str)


def test_the_periods_problems_are_found_over_the_whole_company_and_kept_for_the_next_period(project):
    snapshot = write_store(project, {"A": "R1", "B": "王芳", "D": "R1"})
    settings = AnalysisSettings()
    assert fix_lists.previous_problems(project, Q4) is None
    found = fix_lists.period_problems(project, snapshot, Q4, settings, keep=True)
    # A, B and D are R1's (D in the unknown region, on R1's east list): two over R1's capacity of 1;
    # C is nobody's; A was typed twice; D never bought
    assert kinds(found) == [
        ("R1", "east", "duplicate_merged", "A"), ("R1", "east", "email_missing", "B"),
        ("R1", "east", "email_missing", "D"), ("R1", "east", "no_contact", "D"), ("R1", "east", "over_capacity", None),
        ("R1", "east", "phone_missing", "B"), ("R1", "east", "phone_missing", "D"),
        ("R1", "east", "region_missing", "D"), (None, "south", "email_missing", "C"), (None, "south", "unassigned", "C")]
    kept, meta = store.read_fix_list(project, "2025-Q4")
    assert meta["period"] == "2025-Q4" and len(kept) == len(found)
    assert (project / "fix_lists" / "2025-Q4.parquet").is_file()
    # the next period reads them as its previous lists, reasons in its own language
    previous = fix_lists.previous_problems(project, parse_period("2026-Q1"), "en")
    assert list(previous["problem_key"]) == list(found["problem_key"])
    assert previous.loc[previous["kind"] == "unassigned", "reason"].tolist() == ["no owner: name one at the source"]


def test_kept_lists_are_reused_only_when_made_from_the_same_data_rules_and_period(project, monkeypatch):
    snapshot = write_store(project)
    settings = AnalysisSettings()
    fix_lists.period_problems(project, snapshot, Q4, settings, keep=True)
    calls = []
    monkeypatch.setattr(fix_lists, "find_problems", lambda *args, **kwargs: calls.append(args) or pd.DataFrame())
    fix_lists.period_problems(project, snapshot, Q4, settings)
    assert not calls                                          # the kept list
    fix_lists.period_problems(project, snapshot, Q4, AnalysisSettings(fix_lists={"no_contact_months": 3}))
    fix_lists.period_problems(project, snapshot, parse_period("2025-Q4@2025-11-30"), settings)
    fix_lists.period_problems(project, write_store(project), Q4, settings)   # new data
    assert len(calls) == 3


def test_a_list_a_later_period_was_compared_with_is_never_replaced(project):
    settings = AnalysisSettings()
    fix_lists.period_problems(project, write_store(project), Q3, settings, keep=True)
    before = store.read_fix_list(project, "2025-Q3")
    fix_lists.period_problems(project, write_store(project), Q4, settings, keep=True)   # compared with Q3's
    # Q3 run again on data fixed since: its kept list stays what Q4 was compared with
    again = fix_lists.period_problems(project, write_store(project, {"C": "R2"}), Q3, settings, keep=True)
    kept = store.read_fix_list(project, "2025-Q3")
    assert kept[1] == before[1] and len(kept[0]) == len(before[0])
    # the regions still get the lists of today's data: C has an owner now
    assert ("unassigned", "C") not in set(zip(again["kind"], again["customer_id"]))
    assert ("unassigned", "C") in set(zip(before[0]["kind"], before[0]["customer_id"]))


def test_a_store_that_may_not_be_written_leaves_the_lists_to_each_region(project, monkeypatch):
    snapshot = write_store(project)

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store, "write_fix_list", refused)
    said = fix_lists.keep_period_problems(project, snapshot.id, Q4, AnalysisSettings(), "zh")
    assert said == (f"fix lists: {project / 'fix_lists' / '2025-Q4.parquet'} not written (Permission denied): next "
                    "period's lists cannot say what was fixed since this one")
    # each region finds them itself
    assert len(fix_lists.period_problems(project, snapshot, Q4, AnalysisSettings())) > 0


def test_each_region_gets_its_reps_lists_and_its_unassigned_list(project, tmp_path):
    snapshot = write_store(project, {"A": "R1", "B": "R1", "C": "R2"},
                           name=["=HYPERLINK(\"http://x\")", "乙公司", "丙公司", "丁公司"],
                           phone=["138-0013", None, "+8613900001111", None])
    settings = AnalysisSettings()
    fix_lists.period_problems(project, snapshot, Q3, settings, keep=True)      # last period's lists
    regions = store.snapshot_regions(snapshot)
    assert fix_lists.snapshot_fix_list_files(snapshot, "east") == ["fix_lists/R1.xlsx", "fix_lists/unassigned.xlsx"]
    assert fix_lists.snapshot_fix_list_files(snapshot, "north") == ["fix_lists/unassigned.xlsx"]
    # the whole company's folder: its unassigned customers only, each rep's list is in their region's
    assert fix_lists.snapshot_fix_list_files(snapshot, "all") == ["fix_lists/unassigned.xlsx"]
    out = tmp_path / "east"
    when = dt.datetime(2026, 1, 2, 6, 0, tzinfo=dt.UTC)
    written = fix_lists.write_fix_lists(snapshot, Q4, settings, regions, "east", "zh", out, when)
    assert written == ["fix_lists/R1.xlsx", "fix_lists/unassigned.xlsx"]
    assert has_masked_contacts(out / "fix_lists" / "R1.xlsx")
    book = load_workbook(out / "fix_lists" / "R1.xlsx")
    assert book.sheetnames == ["封面", "待修正", "汇总", "已修正"]
    cover = [row for row in book["封面"].iter_rows(values_only=True)]
    assert cover[0][0] == "待修正数据清单 · 王芳（R1） · 2025-Q4" and ("生成时间", "2026-01-02 06:00 UTC") in cover
    assert ("上期清单", "与上期（2025-Q3）清单相比：已修正 0 个，仍未修正 5 个，新增 0 个。") in cover
    sheet = book["待修正"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:K{sheet.max_row}"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert header == ("问题", "客户编号", "客户名称", "问题值", "说明", "数据源", "文件", "工作表", "行号", "上期清单",
                      "问题代码")
    assert [(row[1], row[10], row[3], row[8]) for row in rows] == [
        ("A", "duplicate_merged", None, 2), ("A", "duplicate_merged", None, 6),
        ("A", "phone_invalid", "138-**13", 2), ("A", "phone_invalid", "138-**13", 6),
        ("B", "phone_missing", None, 3), ("B", "email_missing", None, 3), (None, "over_capacity", "2/1", None)]
    name = sheet.cell(row=2, column=3)
    assert name.value == "=HYPERLINK(\"http://x\")" and name.data_type == "s"      # text, never a formula
    assert all(row[9] == "上期已有" for row in rows)
    # the unassigned list of the east is empty (C is R2's, in the south; D is in the unknown region)
    unassigned = load_workbook(out / "fix_lists" / "unassigned.xlsx")["待修正"]
    assert [row for row in unassigned.iter_rows(min_row=2, values_only=True)][0][0] == "没有待修正的数据。"
    company = fix_lists.write_fix_lists(snapshot, Q4, settings, regions, "all", "zh", tmp_path / "all", when)
    assert company == ["fix_lists/unassigned.xlsx"]
    everyone = load_workbook(tmp_path / "all" / "fix_lists" / "unassigned.xlsx")["待修正"]
    assert {row[1] for row in everyone.iter_rows(min_row=2, values_only=True)} == {"D"}   # C is R2's now
    english = fix_lists.write_fix_lists(snapshot, Q4, settings, regions, "south", "en", tmp_path / "south", when)
    assert english == ["fix_lists/R2.xlsx", "fix_lists/unassigned.xlsx"]
    r2 = load_workbook(tmp_path / "south" / "fix_lists" / "R2.xlsx")
    assert r2.sheetnames == ["Cover", "To fix", "Summary", "Fixed"]
    assert [row[4] for row in r2["To fix"].iter_rows(min_row=2, values_only=True)] == [
        "no email typed: add one at the source"]


def test_without_a_last_list_the_workbook_says_so_and_shows_no_zeros_for_fixed(project, tmp_path):
    snapshot = write_store(project, {"A": "R1"})
    settings = AnalysisSettings()
    fix_lists.write_fix_lists(snapshot, Q4, settings, store.snapshot_regions(snapshot), "east", "en", tmp_path)
    book = load_workbook(tmp_path / "fix_lists" / "R1.xlsx")
    assert book.sheetnames == ["Cover", "To fix", "Summary"]
    facts = dict(row for row in book["Cover"].iter_rows(min_row=3, max_row=10, values_only=True) if row[0])
    assert facts["Last list"].startswith("There is no fix list of the period before (2025-Q3) to compare with")
    assert next(book["Summary"].iter_rows(max_row=1, values_only=True)) == ("Problem", "Open now")


# --------------------------------------------------------------------------- acceptance: a real project, real runs


def sheet_problems(path: Path) -> set[tuple[str, str]]:
    """(kind code, customer name) of every problem row of a fix list workbook."""
    book = load_workbook(path)
    sheet = book.worksheets[1]
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    code, name = header.index("问题代码"), header.index("客户名称")
    return {(row[code], row[name] or "") for row in sheet.iter_rows(min_row=2, values_only=True) if row[code]}


@pytest.mark.slow
def test_each_reps_fix_list_names_exactly_the_problems_planted_on_their_customers(tmp_path):
    from demo_project import cli
    from fix_list_project import (
        PLANTED,
        REGIONS,
        UNASSIGNED,
        fix_planted_problems,
        make_fix_list_project,
    )

    make_fix_list_project(tmp_path)
    cli(tmp_path, "ingest")
    run = cli(tmp_path, "run", "--period", "2025-Q4", "--reports", "quality", "--formats", "html,xlsx",
              "--workers", "1")
    assert "9/9 regions rendered" in run.stdout
    period = tmp_path / "outputs" / "2025-Q4"
    for rep, planted in PLANTED.items():
        assert sheet_problems(period / REGIONS[rep] / "fix_lists" / f"{rep}.xlsx") == planted, rep
    assert sheet_problems(period / "east" / "fix_lists" / "unassigned.xlsx") == UNASSIGNED
    assert sheet_problems(period / "all" / "fix_lists" / "unassigned.xlsx") == UNASSIGNED
    assert [p.name for p in (period / "all" / "fix_lists").iterdir()] == ["unassigned.xlsx"]
    for region in ("south", "north", "unknown", "central"):
        assert sheet_problems(period / region / "fix_lists" / "unassigned.xlsx") == set()
    assert sorted(p.name for p in (period / "east" / "fix_lists").iterdir()) == ["E01.xlsx", "E02.xlsx",
                                                                                 "unassigned.xlsx"]
    assert sorted(p.name for p in (period / "central" / "fix_lists").iterdir()) == ["unassigned.xlsx"]
    assert (tmp_path / "data" / "clean" / "fix_lists" / "2025-Q4.parquet").is_file()
    import json

    listed = {o["path"] for job in json.loads((period / "run.json").read_text(encoding="utf-8"))["jobs"]
              for o in job["outputs"]}
    assert {"east/fix_lists/E01.xlsx", "south/fix_lists/S01.xlsx", "all/fix_lists/unassigned.xlsx"} <= listed
    quality = (period / "east" / "quality.html").read_text(encoding="utf-8")
    assert "没有上期（2025-Q3）的待修正清单" in quality and "王芳（E01）" in quality and "陈静（S01）" not in quality
    again = cli(tmp_path, "run", "--period", "2025-Q4", "--reports", "quality", "--formats", "html,xlsx",
                "--workers", "1")
    assert "9 up to date, skipped" in again.stdout

    # E01 gives 嘉兴联创 an email, 宁波启航 gets E01 as its owner; the next quarter says so
    fix_planted_problems(tmp_path)
    cli(tmp_path, "ingest")
    # the east alone: its lists and quality report are what the next quarter is checked by
    cli(tmp_path, "run", "--period", "2026-Q1", "--regions", "east", "--reports", "quality", "--formats",
        "html,xlsx", "--workers", "1")
    following = tmp_path / "outputs" / "2026-Q1"
    assert sheet_problems(following / "east" / "fix_lists" / "E01.xlsx") == \
        PLANTED["E01"] - {("email_missing", "嘉兴联创包装有限公司")}
    assert sheet_problems(following / "east" / "fix_lists" / "unassigned.xlsx") == set()
    book = load_workbook(following / "east" / "fix_lists" / "E01.xlsx")
    assert [row for row in book.worksheets[3].iter_rows(min_row=2, values_only=True)][0][:3] == \
        ("缺少邮箱", row_id(book), "嘉兴联创包装有限公司")
    assert list(book.worksheets[2].iter_rows(values_only=True))[-1] == ("合计", 2, 3, 1, 0)
    quality = (following / "east" / "quality.html").read_text(encoding="utf-8")
    assert "与上期（2025-Q4）清单相比：已修正 2 个，仍未修正 4 个，新增 0 个。" in quality


def row_id(book) -> str:
    """The customer id of 嘉兴联创 on the list (ids are made by ingest)."""
    return next(row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)
                if row[2] == "嘉兴联创包装有限公司")
