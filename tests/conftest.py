"""Shared fixtures: the real regions table and small helpers for building inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from custreport.config import RegionTable, SourceSpec, load_regions

PROJECT = Path(__file__).resolve().parents[1]
REGIONS_YAML = PROJECT / "params" / "regions.yaml"


@pytest.fixture(scope="session")
def regions() -> RegionTable:
    """The regions of the project's own params/regions.yaml."""
    return load_regions(REGIONS_YAML)


@pytest.fixture
def make_spec():
    """Build a SourceSpec with the defaults load_sources would fill in."""

    def build(table: str = "customers", **overrides) -> SourceSpec:
        values = {"name": "src", "path": "unused", "table": table, "date_order": "year-first",
                  "phone_region": "CN", "currency": "CNY"}
        values.update(overrides)
        return SourceSpec(**values)

    return build
