"""params/run.yaml: how runs go. Nothing in it changes a figure, so editing it renders nothing again.

>>> RunSettings().report_timeout_seconds
600
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from custreport.config import StrictModel, optional_params


class RunSettings(StrictModel):
    """Limits of `custreport run` and `update` (each also a command-line option)."""

    report_timeout_seconds: int = Field(
        600, ge=5, description="a report notebook, or a region's workbook and metrics, still running after this "
                               "many seconds is stopped and marked failed (its kernel is killed); the region's "
                               "other reports and the other regions publish. --timeout overrides it for one run")


def load_run_settings(path: Path | None = None) -> RunSettings:
    """params/run.yaml, or every default when the project has none."""
    return optional_params(RunSettings, "run.yaml", path)
