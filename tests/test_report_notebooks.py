"""Every report notebook as the demo job renders it (`custreport run` with its defaults, papermill
through the runner, on a small demo store), read for one region as a reader would: HTML, PDF.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from custreport import i18n, runner, store

from demo_project import PROJECT

REPORTS = runner.available_reports(PROJECT)
REGION, REGION_ZH = "east", "华东"


@pytest.fixture(scope="module")
def project(demo_run) -> Path:
    return demo_run


@pytest.fixture(scope="module")
def folder(project) -> Path:
    """The region's output folder."""
    folders = [p for p in (project / "outputs").iterdir() if p.is_dir()]
    assert len(folders) == 1
    return folders[0] / REGION


@pytest.fixture(scope="module")
def customers(project) -> dict[str, tuple[set[str], set[str]]]:
    """Ids and names of the region's customers and of everyone else's."""
    table = store.read_table(store.current_snapshot(project / "data" / "clean"), "customers")
    own = table["region"] == REGION
    return {"own": (set(table.loc[own, "customer_id"]), set(table.loc[own, "name"].dropna())),
            "other": (set(table.loc[~own, "customer_id"]), set(table.loc[~own, "name"].dropna()))}


def test_every_report_is_run_for_every_region_by_default(folder):
    assert REPORTS[:6] == ["summary", "segments", "funnel", "value", "allocation", "quality"]
    manifest = json.loads((folder.parent / "run.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["reports"] == REPORTS and manifest["ok"]
    for job in manifest["jobs"]:
        main = [r["name"] for r in job["reports"] if not r["extra_locale"]]
        assert main == [*REPORTS, "metrics+workbook"], job["region"]
        # params/recipients.yaml: north's director reads English, so north is rendered in English too
        other = [(r["locale"], r["name"]) for r in job["reports"] if r["extra_locale"]]
        assert other == ([("en", name) for name in [*REPORTS, "metrics+workbook"]] if job["region"] == "north"
                         else []), job["region"]


@pytest.mark.parametrize("name", REPORTS)
def test_report_renders_html_without_code(folder, name):
    page = (folder / f"{name}.html").read_text(encoding="utf-8")
    assert (folder / f"{name}.ipynb").is_file()
    assert "report.load(" not in page and "jp-InputPrompt" not in page   # no input cells
    assert "<script" not in page and not re.search(r"https?://", page)
    assert "output-error" not in page and "Traceback" not in page
    title = i18n.report_name(name, "zh")
    assert f"<h1>{title} · {REGION_ZH} · " in page
    assert page.count("<h2") >= 2   # the sections' headings


@pytest.mark.parametrize("name", REPORTS)
def test_report_pdf_shows_the_region_in_chinese(folder, name):
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(folder / f"{name}.pdf").pages)
    assert REGION_ZH in text and i18n.report_name(name, "zh") in text


@pytest.mark.parametrize("name", REPORTS)
def test_report_shows_no_customer_of_another_region(folder, customers, name):
    page = html.unescape((folder / f"{name}.html").read_text(encoding="utf-8"))
    other_ids, other_names = customers["other"]
    own_ids, own_names = customers["own"]
    assert not [c for c in other_ids if c in page]
    # a name counts when no own customer's name contains it (杭州华信科技 contains 华信科技)
    assert not [n for n in other_names if n in page and not any(n in own for own in own_names)]
    if name in ("value", "allocation"):
        assert any(c in page for c in own_ids)   # the lists do name the region's own customers


def test_every_notebook_runs_with_its_defaults_from_the_notebooks_folder(project, tmp_path, monkeypatch):
    """As an analyst's Run All in JupyterLab after the demo job: no parameters, the kernel in
    notebooks/, the project found from there (the whole company, the latest full quarter)."""
    from custreport.kernel import warm_kernel

    monkeypatch.delenv("CUSTREPORT_HOME", raising=False)
    notebooks = project / "notebooks"
    kernel = warm_kernel(notebooks)
    for name in REPORTS:
        nb = runner._with_fresh_namespace(notebooks / f"{name}.ipynb")
        executed = kernel.execute_notebook(nb, str(tmp_path / f"{name}.ipynb"), {}, cwd=str(notebooks))
        shown = "".join(str(output.get("data", {}).get("text/html", "")) for cell in executed.cells
                        for output in cell.get("outputs", []))
        assert f"<h1>{i18n.report_name(name, 'zh')} · 全公司 · 2025-Q4</h1>" in shown, name
        assert not [o for cell in executed.cells for o in cell.get("outputs", []) if o["output_type"] == "error"]
        assert (tmp_path / f"{name}.ipynb").is_file()
