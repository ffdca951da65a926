"""runner: request validation, atomic publishing, failure isolation, index and manifest."""

from __future__ import annotations

import json

import pytest

from custreport import runner
from custreport.config import UserError
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


@pytest.mark.parametrize("kwargs, message", [
    ({"period": "2025-Q9"}, "unknown period"),
    ({"period": "2025-Q4", "regions": "atlantis"}, "unknown region 'atlantis'"),
    ({"period": "2025-Q4", "reports": "summary,nope"}, "unknown report 'nope': available are summary"),
    ({"period": "2025-Q4", "formats": "html,docx"}, "unknown format 'docx'"),
    ({"period": "2025-Q4", "locale": "de"}, "unknown locale 'de'"),
])
def test_bad_requests_fail_before_anything_is_rendered(project, kwargs, message):
    with pytest.raises(UserError, match=message):
        runner.RunRequest.build(**kwargs)
    assert not (project / "outputs").exists()


def test_publish_replaces_the_old_result_only_when_the_new_one_is_complete(tmp_path):
    target = tmp_path / "east"
    target.mkdir()
    (target / "old.txt").write_text("old")
    staging = tmp_path / ".staging-east-1"
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    runner._publish(staging, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["east"]
    assert [p.name for p in target.iterdir()] == ["new.txt"]


def test_a_failing_region_is_reported_and_leaves_no_partial_output(project, monkeypatch):
    request = runner.RunRequest.build(period="2025-Q4", regions="east", formats="html")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(runner, "_render_into", broken)
    result = runner.render_region(request, "east")
    assert not result.ok and "disk full" in result.error
    folder = project / "outputs" / "2025-Q4"
    assert not (folder / "east").exists() and not list(folder.glob(".staging-*"))


def test_run_matrix_renders_files_index_and_manifest(project):
    request = runner.RunRequest.build(period="2025-Q4", regions="east,south", formats="html,xlsx", workers=1)
    summary = runner.run_matrix(request)
    assert summary.ok, summary.lines()
    folder = project / "outputs" / "2025-Q4"
    assert sorted(p.name for p in (folder / "east").iterdir()) == [
        "east.xlsx", "metrics.json", "summary.html", "summary.ipynb"]
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert [job["region"] for job in manifest["jobs"]] == ["east", "south"]
    assert 'href="south/summary.html"' in (folder / "index.html").read_text(encoding="utf-8")
    east = json.loads((folder / "east" / "metrics.json").read_text(encoding="utf-8"))
    assert east["revenue"] == 450.0  # 100 + 300 + 50, see tiny_project
    html = (folder / "east" / "summary.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
