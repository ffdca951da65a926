"""run_outputs: what a run leaves in a period folder; publishing a region's result, clearing what killed runs left."""

from __future__ import annotations

from custreport import run_outputs


def test_publish_replaces_the_old_result_only_when_the_new_one_is_complete(tmp_path):
    target = tmp_path / "east"
    target.mkdir()
    (target / "old.txt").write_text("old")
    staging = tmp_path / ".staging-east-1"
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    run_outputs.publish(staging, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["east"]
    assert [p.name for p in target.iterdir()] == ["new.txt"]


def test_leftovers_of_killed_runs_are_cleared_and_a_cut_swap_is_put_back(tmp_path):
    folder = tmp_path / "2025-Q4"
    (folder / ".old-east-1a2b3c4d").mkdir(parents=True)       # killed between the swap's two renames
    (folder / ".old-east-1a2b3c4d" / "summary.html").write_text("east before", encoding="utf-8")
    (folder / "south").mkdir()
    (folder / ".old-south-5e6f7a8b").mkdir()                   # killed before removing the old result
    (folder / ".staging-south-x1y2z3").mkdir()
    (folder / ".staging-south-x1y2z3" / "summary.html").write_text("<html><body>half", encoding="utf-8")
    (folder / ".index.html.4242.tmp").write_text("<html>", encoding="utf-8")
    (folder / "outbox").mkdir()
    (folder / "outbox" / ".east-summary.eml.4242.tmp").write_text("Subject: half", encoding="utf-8")
    run_outputs.remove_leftovers(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["east", "outbox", "south"]
    assert not list((folder / "outbox").iterdir())
    assert (folder / "east" / "summary.html").read_text(encoding="utf-8") == "east before"


def test_a_region_writes_its_reps_fix_lists_and_its_comparison_follows_the_last_periods_lists(tmp_path, monkeypatch):
    import pandas as pd

    from custreport import schema, store
    from custreport.runner import RunRequest
    from tiny_project import customers, deals, make_project, orders

    folder = make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    reps = schema.conform(pd.DataFrame({"rep_id": ["S2", "S1", "N1"], "name": ["甲", "乙", "丙"],
                                        "region": ["east", "east", "north"]}), "reps")
    store.write_snapshot(folder, {"customers": customers(), "orders": orders(), "deals": deals(), "reps": reps}, {},
                         {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}})
    request = RunRequest.build(period="2025-Q4", reports="quality,summary", regions="east", formats="html,xlsx")
    assert run_outputs.region_file_names(request, "east")[-3:] == ["fix_lists/S1.xlsx", "fix_lists/S2.xlsx",
                                                                  "fix_lists/unassigned.xlsx"]
    html_only = RunRequest.build(period="2025-Q4", reports="quality", regions="east", formats="html")
    assert not [name for name in run_outputs.region_file_names(html_only, "east") if "fix_lists" in name]
    before = run_outputs.expected_files(request, "east")
    assert before["fix_lists/S1.xlsx"] == before["east.xlsx"]
    # the last period's lists kept since: what says "fixed" changes, the summary does not
    store.write_fix_list(folder, "2025-Q3", pd.DataFrame({"problem_key": ["x"]}), {})
    after = run_outputs.expected_files(request, "east")
    assert after["quality.html"] != before["quality.html"] and after["fix_lists/S1.xlsx"] != before["fix_lists/S1.xlsx"]
    assert after["summary.html"] == before["summary.html"]


def test_a_job_record_counts_only_language_folders_as_languages(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "fix_lists").mkdir()
    record = run_outputs.write_job_record(tmp_path, "east", "zh", [], [], [])
    assert record["locales"] == ["en", "zh"]
