"""docs/params.md is the manual's list of settings: every key the code reads, with a meaning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "scripts"))

import write_params_reference  # noqa: E402


def test_the_page_is_current():
    result = subprocess.run([sys.executable, str(PROJECT / "scripts" / "write_params_reference.py"), "--check"])
    assert result.returncode == 0, "docs/params.md is stale: run `make docs`"


@pytest.mark.parametrize("file, model", [(f, m) for f, m, *_ in write_params_reference.FILES])
def test_every_key_has_a_meaning_and_every_shipped_file_is_listed(file, model):
    for key, field in write_params_reference.keys(model):
        assert write_params_reference.meaning(file, key, field), f"{file}: {key} has no meaning"
    shipped = {p.name for p in (PROJECT / "params").glob("*.yaml")}
    assert shipped <= {f for f, *_ in write_params_reference.FILES}


@pytest.mark.parametrize("file, model, example", [(f, m, e) for f, m, _, _, e in write_params_reference.FILES])
def test_every_example_is_read_by_its_own_model(file, model, example, tmp_path):
    from custreport.config import read_yaml, validated

    path = tmp_path / file
    path.write_text(example, encoding="utf-8")
    validated(model, read_yaml(path), path)


def test_a_key_added_to_a_model_without_a_meaning_is_caught():
    from pydantic import BaseModel

    class Settings(BaseModel):
        documented: int = 1
        forgotten: int = 2

    write_params_reference.MEANING["x.yaml:documented"] = "has one"
    try:
        missing = [key for key, field in write_params_reference.keys(Settings)
                   if not write_params_reference.meaning("x.yaml", key, field)]
    finally:
        del write_params_reference.MEANING["x.yaml:documented"]
    assert missing == ["forgotten"]
