"""runner: request validation, atomic publishing, failure isolation, index and manifest."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from custreport import runner
from custreport.errors import UserError
from custreport.run_outputs import JOB_FILE
from tiny_project import make_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    return tmp_path


def test_all_means_every_region_unknown_and_the_company(project):
    request = runner.RunRequest.build(period="2025-Q4")
    assert request.regions == ["east", "south", "north", "central", "southwest", "northwest", "northeast",
                               "unknown", "all"]
    assert runner.RunRequest.build(period="2025-Q4", regions="华东, 华东区,south").regions == ["east", "south"]


def test_all_reports_is_the_default_in_reading_order_with_other_notebooks_after(project):
    import nbformat

    summary_plus(project, "churn", "print('a report of our own')")
    scratch = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(scratch, project / "notebooks" / "Untitled.ipynb")              # no parameters cell
    (project / "notebooks" / "broken.ipynb").write_text("{not json", encoding="utf-8")
    assert runner.RunRequest.build(period="2025-Q4").reports == [
        "summary", "segments", "funnel", "value", "allocation", "quality", "churn"]
    assert runner.RunRequest.build(period="2025-Q4", reports="funnel, summary,funnel").reports == ["funnel", "summary"]


def test_a_project_without_report_notebooks_says_where_it_looked(project):
    for notebook in (project / "notebooks").glob("*.ipynb"):
        notebook.unlink()
    with pytest.raises(UserError, match=r"no report notebooks in .*notebooks: a report is a \.ipynb whose"):
        runner.RunRequest.build(period="2025-Q4")


@pytest.mark.parametrize("kwargs, message", [
    ({"period": "2025-Q9"}, "unknown period"),
    ({"period": "2025-Q4", "regions": "atlantis"}, "unknown region 'atlantis'"),
    ({"period": "2025-Q4", "reports": "summary,nope"}, "unknown report 'nope': available are .*summary"),
    ({"period": "2025-Q4", "formats": "html,docx"}, "unknown format 'docx'"),
    ({"period": "2025-Q4", "locale": "de"}, "unknown locale 'de'"),
])
def test_bad_requests_fail_before_anything_is_rendered(project, kwargs, message):
    with pytest.raises(UserError, match=message):
        runner.RunRequest.build(**kwargs)
    assert not (project / "outputs").exists()


def test_a_failing_region_is_reported_and_leaves_no_partial_output(project, monkeypatch):
    request = runner.RunRequest.build(period="2025-Q4", reports="summary", regions="east", formats="html")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(runner, "_render_into", broken)
    result = runner.render_region(request, "east")
    assert not result.ok and "disk full" in result.error
    folder = project / "outputs" / "2025-Q4"
    assert not (folder / "east").exists() and not list(folder.glob(".staging-*"))


def test_run_matrix_renders_files_index_and_manifest(project):
    request = runner.RunRequest.build(period="2025-Q4", reports="summary", regions="east,south",
                                      formats="html,xlsx", workers=1)
    summary = runner.run_matrix(request)
    assert summary.ok, summary.lines()
    folder = project / "outputs" / "2025-Q4"
    assert sorted(p.name for p in (folder / "east").iterdir()) == [
        "east.xlsx", "east_customers.csv", "fix_lists", "front_charts.json", "job.json", "metrics.json",
        "summary.html", "summary.ipynb", "trend.png"]
    assert [p.name for p in (folder / "east" / "fix_lists").iterdir()] == ["unassigned.xlsx"]   # no reps
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert [job["region"] for job in manifest["jobs"]] == ["east", "south"]
    assert manifest["ok"] and manifest["snapshot"] == request.snapshot and manifest["code"]["source"]
    assert manifest["parameters"]["reports"] == ["summary"] and manifest["parameters"]["formats"] == ["html", "xlsx"]
    outputs = {o["path"]: o for job in manifest["jobs"] for o in job["outputs"]}
    workbook = folder / "east" / "east.xlsx"
    assert outputs["east/east.xlsx"]["sha256"] == hashlib.sha256(workbook.read_bytes()).hexdigest()
    assert [r["name"] for r in manifest["jobs"][0]["reports"]] == ["summary", "metrics+workbook"]
    assert all(r["ok"] and r["seconds"] > 0 for r in manifest["jobs"][0]["reports"])
    assert 'href="south/summary.html"' in (folder / "index.html").read_text(encoding="utf-8")
    east = json.loads((folder / "east" / "metrics.json").read_text(encoding="utf-8"))
    assert east["revenue"] == 450.0  # 100 + 300 + 50, see tiny_project
    html = (folder / "east" / "summary.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


def test_up_to_date_regions_are_skipped_until_an_input_or_a_file_changes(project):
    request = runner.RunRequest.build(period="2025-Q4", reports="summary", regions="east", formats="html", workers=1)
    first = runner.run_matrix(request)
    assert first.ok and not first.jobs[0].skipped
    page = project / "outputs" / "2025-Q4" / "east" / "summary.html"
    rendered_at = page.stat().st_mtime_ns
    again = runner.run_matrix(request)
    assert again.ok and again.jobs[0].skipped and page.stat().st_mtime_ns == rendered_at
    assert "up to date" in "\n".join(again.lines())
    forced = runner.run_matrix(runner.RunRequest.build(period="2025-Q4", reports="summary", regions="east",
                                                       formats="html", workers=1, force=True))
    assert not forced.jobs[0].skipped
    # a hand-edited output is not "up to date"; nor is anything after the notebook changes
    page.write_text("edited", encoding="utf-8")
    assert not runner.run_matrix(request).jobs[0].skipped
    notebook = project / "notebooks" / "summary.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("executive front page", "front page"),
                        encoding="utf-8")
    assert not runner.run_matrix(request).jobs[0].skipped
    # other parameters are other outputs
    english = runner.RunRequest.build(period="2025-Q4", reports="summary", regions="east", formats="html",
                                      workers=1, locale="en")
    assert not runner.run_matrix(english).jobs[0].skipped


def summary_plus(project, name: str, source: str) -> None:
    """notebooks/<name>.ipynb: the summary report with one more code cell at the end."""
    nb = json.loads((project / "notebooks" / "summary.ipynb").read_text(encoding="utf-8"))
    nb["cells"].append({"id": name, "cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                        "source": source})
    (project / "notebooks" / f"{name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def test_a_report_sees_none_of_the_variables_of_the_report_before_it_in_the_shared_kernel(project):
    summary_plus(project, "first", "leaked = 'from the first report'")
    summary_plus(project, "second", "assert 'leaked' not in globals(), leaked")
    request = runner.RunRequest.build(period="2025-Q4", regions="east", reports="first,second", formats="html",
                                      workers=1)
    summary = runner.run_matrix(request)
    assert summary.ok, summary.lines()


def test_a_report_that_kills_the_kernel_fails_alone_and_the_next_report_gets_a_new_kernel(project):
    summary_plus(project, "crash", "import os\nos._exit(1)")
    request = runner.RunRequest.build(period="2025-Q4", regions="east", reports="crash,summary", formats="html",
                                      workers=1)
    job = runner.run_matrix(request).jobs[0]
    assert not job.ok and "crash:" in job.error and "Kernel died" in job.error
    assert [(r.name, r.ok) for r in job.reports] == [("crash", False), ("summary", True), ("metrics+workbook", True)]
    assert (project / "outputs" / "2025-Q4" / "east" / "summary.html").is_file()


@pytest.mark.hostile(expect="ok", risk="hang")
def test_a_report_that_hangs_is_stopped_at_its_time_limit_and_the_others_publish(project):
    summary_plus(project, "hang", "import time\nwhile True:\n    time.sleep(1)")
    (project / "params" / "run.yaml").write_text("report_timeout_seconds: 8\n", encoding="utf-8")
    request = runner.RunRequest.build(period="2025-Q4", regions="east", reports="hang,summary", formats="html",
                                      workers=1)
    assert request.timeout == 8
    started = time.monotonic()
    job = runner.run_matrix(request).jobs[0]
    assert time.monotonic() - started < 120   # a hang costs its limit, not the run
    assert [(r.name, r.ok) for r in job.reports] == [("hang", False), ("summary", True), ("metrics+workbook", True)]
    assert "hang: stopped after 8 s, its time limit (report_timeout_seconds in params/run.yaml" in job.error
    assert (project / "outputs" / "2025-Q4" / "east" / "summary.html").is_file()


def test_a_kernel_that_will_not_start_fails_that_report_only(project, monkeypatch):
    from custreport import kernel

    real, calls = kernel.warm_kernel, []

    def second_start_fails(cwd):
        calls.append(cwd)
        if len(calls) == 2:
            raise RuntimeError("the notebook kernel did not start with the report libraries: TimeoutError")
        return real(cwd)

    monkeypatch.setattr(kernel, "warm_kernel", second_start_fails)
    request = runner.RunRequest.build(period="2025-Q4", regions="east", reports="summary,segments", formats="html",
                                      workers=1)
    job = runner.run_matrix(request).jobs[0]
    assert [(r.name, r.ok) for r in job.reports] == [("summary", True), ("segments", False),
                                                      ("metrics+workbook", True)]
    assert "segments: the notebook kernel did not start" in job.error
    assert (project / "outputs" / "2025-Q4" / "east" / "summary.html").is_file()


def test_a_failing_report_keeps_its_notebook_and_spares_the_other_reports(project):
    summary_plus(project, "broken", "raise ValueError('the broken report')")
    request = runner.RunRequest.build(period="2025-Q4", regions="east,south", reports="broken,summary",
                                      formats="html", workers=1)
    summary = runner.run_matrix(request)
    assert not summary.ok
    folder = project / "outputs" / "2025-Q4"
    for region in ("east", "south"):
        job = next(j for j in summary.jobs if j.region == region)
        assert not job.ok and "broken: ValueError: the broken report" in job.error
        assert (folder / region / "summary.html").is_file() and not (folder / region / "broken.html").exists()
        kept = folder / "_failed" / region / "broken.ipynb"
        assert kept.is_file() and "the broken report" in kept.read_text(encoding="utf-8")
    text = "\n".join(summary.lines())
    assert "FAILED" in text and "_failed/east/broken.ipynb" in text
    # a failed region is never taken as up to date
    assert not runner.run_matrix(request).jobs[0].skipped


def test_the_matrix_on_a_dask_cluster_gives_the_same_outputs_as_the_local_pool(project):
    from distributed import LocalCluster
    from openpyxl import load_workbook

    def build(out: str, scheduler: str | None = None) -> runner.RunRequest:
        return runner.RunRequest.build(period="2025-Q4", regions="east,south,all", reports="summary",
                                       formats="html,xlsx", workers=2, out=project / out, scheduler=scheduler)

    local = runner.run_matrix(build("local"))
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        remote = runner.run_matrix(build("dask", cluster.scheduler_address))
    assert local.ok and remote.ok, remote.lines()
    for region in ("east", "south", "all"):
        ours, theirs = project / "local" / "2025-Q4" / region, project / "dask" / "2025-Q4" / region
        assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())
        assert json.loads((ours / "metrics.json").read_text()) == json.loads((theirs / "metrics.json").read_text())
        sheets = [load_workbook(folder / f"{region}.xlsx") for folder in (ours, theirs)]
        for name in sheets[0].sheetnames:
            # the cover says when each workbook was generated: the one value two runs never share
            rows = [[list(r) for r in sheet[name].values if not (r and r[0] == "生成时间")] for sheet in sheets]
            assert rows[0] == rows[1], name


def test_an_unreachable_dask_scheduler_is_one_line(project, monkeypatch):
    monkeypatch.setattr(runner, "DASK_CONNECT_TIMEOUT", "2s")
    request = runner.RunRequest.build(period="2025-Q4", regions="east", reports="summary", formats="html",
                                      scheduler="tcp://127.0.0.1:9")
    with pytest.raises(UserError, match="cannot reach the Dask scheduler tcp://127.0.0.1:9"):
        runner.run_matrix(request)


def _visible_files(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file() and not any(part.startswith(".")
                                                                       for part in p.relative_to(folder).parts)]


def _assert_complete(folder) -> None:
    """Every visible file of a period folder is whole: listed with its hash by its region's job
    record, or a manifest/index that parses to its end."""
    import openpyxl
    import pypdf

    listed = {}
    for job_file in folder.glob(f"*/{JOB_FILE}"):
        job = json.loads(job_file.read_text(encoding="utf-8"))
        for output in job["outputs"]:
            listed[job_file.parent / output["path"]] = output["sha256"]
        listed[job_file] = None
    for path in _visible_files(folder):
        if path.name == "run.json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.name == "index.html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
        else:
            assert path in listed, f"{path} belongs to no finished region"
            if listed[path] is not None:
                assert hashlib.sha256(path.read_bytes()).hexdigest() == listed[path], path
            if path.suffix == ".pdf":
                assert len(pypdf.PdfReader(path).pages) >= 1
            elif path.suffix == ".xlsx":
                openpyxl.load_workbook(path, read_only=True).close()


def test_a_run_killed_mid_way_leaves_no_partial_report_and_the_next_run_completes(project):
    cli = str(Path(sys.executable).with_name("custreport"))
    command = [cli, "run", "--period", "2025-Q4", "--regions", "east,south,all", "--reports", "summary,segments",
               "--formats", "html,pdf,xlsx", "--workers", "1", "--force"]
    folder = project / "outputs" / "2025-Q4"
    first = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    deadline = time.monotonic() + 180
    # Kill once the second region is half-way: the first region is published, one file of
    # the second is written in its staging folder.
    while time.monotonic() < deadline and first.poll() is None:
        # east first: its publishing must not land between the two looks
        if (folder / "east").is_dir() and [p for p in folder.glob(".staging-*/*") if p.suffix in (".html", ".pdf")]:
            break
        time.sleep(0.02)
    assert first.poll() is None, first.communicate()
    family = [first.pid, *(child.pid for child in psutil.Process(first.pid).children(recursive=True))]
    os.killpg(first.pid, signal.SIGKILL)
    for pid in family:          # kernels run in sessions of their own
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    first.wait(timeout=30)

    assert list(folder.glob(".staging-*")), "the kill was meant to land mid-way through a region"
    _assert_complete(folder)
    assert not (folder / "south").exists() or (folder / "south" / JOB_FILE).is_file()

    again = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert manifest["ok"] and [job["region"] for job in manifest["jobs"]] == ["east", "south", "all"]
    assert [p.name for p in folder.iterdir() if p.name.startswith(".") and "lock" not in p.name] == []
    _assert_complete(folder)
    for region in ("east", "south", "all"):
        assert {p.name for p in (folder / region).iterdir()} >= {"summary.html", "summary.pdf", "segments.pdf",
                                                                 "metrics.json"}


# --------------------------------------------------------------------------- partial reruns, languages, files


def test_a_rerun_of_one_report_and_format_replaces_only_those_files_and_the_index_keeps_every_region(project):
    full = runner.RunRequest.build(period="2025-Q4", regions="east,south", reports="summary,funnel",
                                   formats="html,pdf,xlsx", workers=1, recipient_locales=False)
    assert runner.run_matrix(full).ok
    east = project / "outputs" / "2025-Q4" / "east"
    before = {p.name: p.stat().st_mtime_ns for p in east.iterdir()}
    funnel_only = runner.RunRequest.build(period="2025-Q4", regions="east", reports="funnel", formats="html",
                                          workers=1, force=True, recipient_locales=False)
    summary = runner.run_matrix(funnel_only)
    assert summary.ok and summary.jobs[0].carried
    after = {p.name: p.stat().st_mtime_ns for p in east.iterdir()}
    assert set(after) == set(before)                       # summary.pdf and the workbook are still there
    for kept in ("summary.pdf", "summary.html", "funnel.pdf", "east.xlsx"):
        assert after[kept] == before[kept], kept
    assert after["funnel.html"] != before["funnel.html"]
    record = json.loads((east / JOB_FILE).read_text(encoding="utf-8"))
    assert "summary.pdf" in record["files"] and all(o["fingerprint"] for o in record["outputs"])
    index = (project / "outputs" / "2025-Q4" / "index.html").read_text(encoding="utf-8")
    assert 'href="south/summary.pdf"' in index and 'href="east/summary.pdf"' in index
    # the first request is still up to date: nothing of it was lost
    assert runner.run_matrix(full).jobs[0].skipped


def test_a_report_that_renders_again_clears_its_failed_notebook(project):
    summary_plus(project, "flaky", "raise ValueError('not today')")
    request = runner.RunRequest.build(period="2025-Q4", regions="east", reports="flaky,summary", formats="html",
                                      workers=1, recipient_locales=False)
    assert not runner.run_matrix(request).ok
    failed = project / "outputs" / "2025-Q4" / "_failed"
    assert (failed / "east" / "flaky.ipynb").is_file()
    summary_plus(project, "flaky", "print('fine today')")
    assert runner.run_matrix(request).ok
    assert not failed.exists()


def test_folders_and_files_follow_the_umask(project):
    old = os.umask(0o022)
    try:
        request = runner.RunRequest.build(period="2025-Q4", regions="east", reports="summary", formats="html",
                                          workers=1, recipient_locales=False)
        assert runner.run_matrix(request).ok
    finally:
        os.umask(old)
    east = project / "outputs" / "2025-Q4" / "east"
    assert east.stat().st_mode & 0o777 == 0o755
    assert (east / "summary.html").stat().st_mode & 0o777 == 0o644
    snapshot = next((project / "data" / "clean" / "snapshots").iterdir())
    assert snapshot.stat().st_mode & 0o777 == 0o755


def test_each_recipient_language_is_rendered_beside_the_run_s_own(project):
    # params/recipients.yaml: north's director reads English; east's manager Chinese
    request = runner.RunRequest.build(period="2025-Q4", regions="east,north", reports="summary", formats="html",
                                      workers=1)
    assert request.other_locales == {"north": ["en"]} and request.locales("north") == ["zh", "en"]
    summary = runner.run_matrix(request)
    assert summary.ok, summary.lines()
    north = project / "outputs" / "2025-Q4" / "north"
    assert (north / "summary.html").is_file() and (north / "en" / "summary.html").is_file()
    assert 'lang="en"' in (north / "en" / "summary.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in (north / "summary.html").read_text(encoding="utf-8")
    assert (north / "en" / "metrics.json").is_file() and not (project / "outputs" / "2025-Q4" / "east" / "en").exists()
    record = json.loads((north / JOB_FILE).read_text(encoding="utf-8"))
    assert record["locale"] == "zh" and record["locales"] == ["en", "zh"]


def test_the_notebooks_get_the_period_token_and_the_snapshot_of_the_run(project):
    from custreport import store

    request = runner.RunRequest.build(period="2025-10-01..2026-03-31", regions="east", reports="summary",
                                      formats="html", workers=1, recipient_locales=False)
    assert request.period.token == "2025-10-01..2026-03-31@2025-12-31"
    # an ingest during the run makes another snapshot current: the run still reads its own
    current = store.current_snapshot(project / "data" / "clean")
    store.write_snapshot(project / "data" / "clean", {"customers": store.read_table(current, "customers").iloc[:0]},
                         {}, {"data_range": {}})
    summary = runner.run_matrix(request)
    assert summary.ok, summary.lines()
    assert "partial period" in "\n".join(summary.lines())
    east = project / "outputs" / request.period.label / "east"
    nb = json.loads((east / "summary.ipynb").read_text(encoding="utf-8"))
    injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    source = "".join(injected["source"])
    assert 'period = "2025-10-01..2026-03-31@2025-12-31"' in source and f'snapshot = "{request.snapshot}"' in source
    figures = json.loads((east / "metrics.json").read_text(encoding="utf-8"))
    assert figures["snapshot"] == request.snapshot and figures["period"]["partial"]
    page = (east / "summary.html").read_text(encoding="utf-8")
    assert "不完整期间：数字仅覆盖 2025-10-01 – 2025-12-31" in page and "running-provenance" in page


def test_workers_take_the_whole_company_first_so_the_run_never_waits_for_it_alone():
    assert runner.largest_first(["east", "south", "unknown", "all"]) == ["all", "east", "south", "unknown"]
