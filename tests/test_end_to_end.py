"""demo-data -> ingest -> run through the real command line, on a small generated set.

The reports are opened and inspected as a reader's tools would: the PDF's fonts and
text, a page rendered to pixels, the workbook's sheets, the HTML's references.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from custreport.report import ADDITIVE
from custreport.runner import REPORT_ORDER

from demo_project import PROJECT


@pytest.fixture(scope="module")
def project(demo_run) -> Path:
    return demo_run


@pytest.fixture(scope="module")
def period_folder(project) -> Path:
    folders = [p for p in (project / "outputs").iterdir() if p.is_dir()]
    assert len(folders) == 1
    return folders[0]


def _region_codes() -> list[str]:
    regions = yaml.safe_load((PROJECT / "params" / "regions.yaml").read_text(encoding="utf-8"))
    return [r["code"] for r in regions["regions"]] + [regions["unknown"]["code"]]


def test_every_region_and_the_company_have_all_outputs(period_folder):
    assert period_folder.name == "2025-Q4"  # demo data ends 2025-12-31: the latest full quarter
    for code in [*_region_codes(), "all"]:
        folder = period_folder / code
        reports = [f"{report}.{ext}" for report in REPORT_ORDER for ext in ("html", "pdf", "ipynb")]
        for name in (*reports, f"{code}.xlsx", "metrics.json"):
            assert (folder / name).is_file(), f"missing {code}/{name}"
    index = (period_folder / "index.html").read_text(encoding="utf-8")
    assert 'href="east/summary.pdf"' in index and 'href="all/all.xlsx"' in index
    assert 'href="south/quality.html"' in index
    run = json.loads((period_folder / "run.json").read_text(encoding="utf-8"))
    assert all(job["ok"] for job in run["jobs"])
    assert not list(period_folder.glob(".staging-*"))


def test_html_has_no_code_and_no_external_references(period_folder):
    page = (period_folder / "east" / "summary.html").read_text(encoding="utf-8")
    assert "report.load(" not in page and "import " not in page  # no input cells
    assert "jp-InputPrompt" not in page and "In&nbsp;[" not in page
    assert not re.search(r"https?://", page)  # nothing fetched from the network
    assert "<script" not in page
    assert "data:image/png;base64," in page  # the chart travels inside the page
    assert 'class="front-page"' in page and "客户总数" in page and "华东" in page


def test_pdf_embeds_a_cjk_font_and_shows_chinese(period_folder):
    from pypdf import PdfReader

    reader = PdfReader(period_folder / "east" / "summary.pdf")
    embedded = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    embedded.add(str(descriptor["/FontName"]))
    assert any("CJK" in name for name in embedded), embedded
    text = "".join(page.extract_text() for page in reader.pages)
    assert "经营概览" in text and "华东" in text


def test_pdf_page_renders_ink(period_folder):
    import pypdfium2

    document = pypdfium2.PdfDocument(str(period_folder / "east" / "summary.pdf"))
    image = document[0].render(scale=1).to_pil().convert("L")
    dark = sum(1 for value in image.tobytes() if value < 128)
    assert dark > 2000  # title, KPI cards and tables put real glyphs on the page


def test_workbook_has_frozen_filtered_customer_sheet_and_pivot(period_folder):
    from openpyxl import load_workbook

    workbook = load_workbook(period_folder / "east" / "east.xlsx")
    assert workbook.sheetnames[:3] == ["封面", "客户总表", "透视汇总"]
    about = {row[0]: row[1] for row in workbook["封面"].iter_rows(min_row=2, values_only=True)}
    snapshot = json.loads((period_folder / "run.json").read_text(encoding="utf-8"))["snapshot"]
    assert about["数据截至"] == "2025-12-31" and about["数据快照"] == snapshot
    assert about["快照时间"].endswith(" UTC") and about["生成时间"].endswith(" UTC")
    customers = workbook["客户总表"]
    assert customers.freeze_panes == "A2"
    assert customers.auto_filter.ref.startswith("A1:")
    header = [cell.value for cell in customers[1]]
    assert header[:2] == ["客户编号", "客户名称"]
    metrics = json.loads((period_folder / "east" / "metrics.json").read_text(encoding="utf-8"))
    assert customers.max_row - 1 == metrics["customers"]["total"]
    phones = [row[8] for row in customers.iter_rows(min_row=2, values_only=True) if row[8]]
    assert phones and all("****" in phone for phone in phones)  # contact data masked


def test_workbook_has_the_pivots_funnel_value_tiers_allocation_and_a_quarantine_sample(period_folder):
    from openpyxl import load_workbook

    east = load_workbook(period_folder / "east" / "east.xlsx")
    assert {"销售-省份", "销售-行业", "销售-渠道", "销售-负责人", "销售漏斗", "价值分层", "ABC分级", "客户分配",
            "隔离样本"} <= set(east.sheetnames)
    industries = [row[0] for row in east["销售-行业"].iter_rows(min_row=2, values_only=True)]
    assert "制造业" in industries and "Manufacturing" not in industries   # one row per industry, either spelling
    assert len(industries) == len(set(industries))
    by_province = east["销售-省份"]
    header = [cell.value for cell in by_province[1]]
    assert header[0] == "省份" and "销售额" in header
    revenue = by_province.cell(row=2, column=header.index("销售额") + 1)
    assert isinstance(revenue.value, float) and revenue.number_format == '"¥"#,##0.00'   # the store is in CNY
    assert by_province.cell(row=by_province.max_row, column=1).value == "合计"
    tiers = [row for row in east["价值分层"].iter_rows(min_row=2, values_only=True)]
    assert tiers[0][0] == "前10%" and tiers[-1][0] == "合计"
    # a region's sample holds its own quarantined rows only, so their values as read too
    quarantine = [cell.value for cell in east["隔离样本"][1]]
    assert quarantine == ["数据源", "文件", "工作表", "行号", "列", "原因", "原值"]
    company = load_workbook(period_folder / "all" / "all.xlsx")
    assert "销售-区域" in company.sheetnames and [c.value for c in company["隔离样本"][1]][-1] == "原值"
    assert company["隔离样本"].max_row > east["隔离样本"].max_row   # the rows of no region are the company's


def _get(figures: dict, dotted: str):
    for part in dotted.split("."):
        figures = figures[part]
    return figures


def test_company_figures_equal_the_sum_of_the_regions(period_folder):
    company = json.loads((period_folder / "all" / "metrics.json").read_text(encoding="utf-8"))
    regional = [json.loads((period_folder / code / "metrics.json").read_text(encoding="utf-8"))
                for code in _region_codes()]
    assert company["customers"]["total"] > 0 and company["revenue"] > 0
    for key in ADDITIVE:
        total = sum(_get(m, key) for m in regional)
        assert total == pytest.approx(_get(company, key)), key
    assert set(company) >= {"region", "period", "customers", "revenue", "orders", "aov", "deals", "quality"}
    assert company["period"] == {"label": "2025-Q4", "token": "2025-Q4", "start": "2025-10-01", "end": "2025-12-31",
                                 "partial": False, "full_end": "2025-12-31"}
