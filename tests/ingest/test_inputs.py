"""Tests for custreport.ingest.inputs: which files a source's path names, and links out of the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from custreport.errors import UserError
from custreport.ingest.inputs import links_out_of_project, source_files


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "raw" / "a.csv").write_text("x\n")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "b.csv").write_text("x\n")
    return root


@pytest.mark.hostile(expect="clear error", risk="hang")
@pytest.mark.parametrize("pattern", ["/**/*.csv", "/*/*.csv", "../**/*.csv", "../../*/project/data/raw/*.csv",
                                     "data/../../**/*.csv"])
def test_a_glob_starting_in_a_folder_that_holds_the_project_is_refused(project, pattern):
    with pytest.raises(UserError, match=r"source 'crm': path .* would search all of .*start the glob"):
        source_files(pattern, project, "crm")


@pytest.mark.parametrize("pattern, names", [
    ("data/raw/*.csv", ["a.csv"]), ("data/**/*.csv", ["a.csv"]), ("../exports/*.csv", ["b.csv"]),
    ("../exports/b.csv", ["b.csv"]), ("data/raw/a.csv", ["a.csv"]),
])
def test_globs_in_the_project_or_in_a_folder_named_outside_it_are_read(project, pattern, names):
    assert [path.name for path in source_files(pattern, project, "crm")] == names
    assert [path.name for path in source_files(str((project / pattern).resolve()) if "*" not in pattern
                                               else str(project.resolve() / pattern), project, "crm")] == names


def test_a_link_from_the_project_to_outside_is_reported_and_a_path_named_outside_is_not(project):
    link = project / "data" / "raw" / "linked.csv"
    link.symlink_to(project.parent / "exports" / "b.csv")
    found = source_files("data/raw/*.csv", project, "crm")
    assert links_out_of_project(found, "data/raw/*.csv", project) == [(link, (project.parent / "exports" / "b.csv").resolve())]
    outside = source_files("../exports/*.csv", project, "crm")
    assert links_out_of_project(outside, "../exports/*.csv", project) == []


def test_a_recorded_digest_is_reused_only_while_size_and_time_are_as_recorded(tmp_path):
    from custreport.files import file_sha256
    from custreport.ingest.inputs import input_record, known_digest

    path = tmp_path / "orders.csv"
    path.write_text("a,b\n1,2\n")
    recorded = {"orders.csv": {**input_record("orders", path, tmp_path, "recorded-digest")}}
    assert known_digest(path, "orders.csv", recorded) == "recorded-digest"   # not read again
    path.write_text("a,b\n1,3\n")                                            # same size, rewritten
    os.utime(path, ns=(recorded["orders.csv"]["mtime_ns"] + 10**9,) * 2)
    assert known_digest(path, "orders.csv", recorded) == file_sha256(path)
    assert known_digest(path, "other.csv", recorded) == file_sha256(path)    # never recorded
