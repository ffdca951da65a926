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
