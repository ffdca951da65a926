"""Tests for custreport.errors: what a disk refuses is one line with its remedy."""

from __future__ import annotations

import pytest

from custreport.errors import os_refusal


@pytest.mark.parametrize("exc, fragments", [
    (OSError(28, "No space left on device", "data/clean/x.parquet"), ("data/clean/x.parquet: no space", "free space")),
    (OSError(30, "Read-only file system", "outputs/2025-Q4"), ("outputs/2025-Q4: read-only", "--out")),
    (PermissionError(13, "Permission denied", "data/clean"), ("data/clean: permission denied", "write access")),
    (OSError("IOError: No space left on device"), ("a file being written: no space",)),   # pyarrow's, no errno
])
def test_what_the_disk_refuses_is_one_line_with_its_remedy(exc, fragments):
    line = str(os_refusal(exc))
    assert all(fragment in line for fragment in fragments) and "\n" not in line


def test_other_os_errors_are_not_taken_for_the_user_s(tmp_path):
    assert os_refusal(OSError(5, "Input/output error")) is None and os_refusal(ValueError("x")) is None
