"""Tests for custreport.ingest.phones: E.164 and the kind of a number."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport.ingest.phones import normalize_phones


def text(*values) -> pd.Series:
    return pd.Series(list(values), dtype="string")


@pytest.mark.parametrize("value", [
    "13800138000", "138-0013-8000", "138 0013 8000", "13800138000 ", "+86 138 0013 8000", "+8613800138000",
    "(+86)13800138000", "008613800138000", "0086-138-0013-8000", "86-13800138000", "86 13800138000",
    "１３８００１３８０００",
])
def test_normalize_phones_mobile(value):
    e164, kind, invalid = normalize_phones(text(value))
    assert (e164.iloc[0], kind.iloc[0], bool(invalid.iloc[0])) == ("+8613800138000", "mobile", False)


@pytest.mark.parametrize("value, expected, expected_kind", [
    ("021-62345678", "+862162345678", "landline"),
    ("021-6234 5678", "+862162345678", "landline"),
    ("(021)62345678", "+862162345678", "landline"),
    ("010-12345678", "+861012345678", "landline"),
    ("400-123-4567", "+864001234567", "service"),
    ("4001234567", "+864001234567", "service"),
    ("800-820-8820", "+868008208820", "service"),
    ("+852 2123 4567", "+85221234567", "landline"),
])
def test_normalize_phones_other_kinds(value, expected, expected_kind):
    e164, kind, invalid = normalize_phones(text(value))
    assert (e164.iloc[0], kind.iloc[0], bool(invalid.iloc[0])) == (expected, expected_kind, False)


def test_normalize_phones_region_default():
    e164, _, _ = normalize_phones(text("2123 4567"), "HK")
    assert e164.tolist() == ["+85221234567"]


def test_normalize_phones_invalid_and_blank():
    e164, kind, invalid = normalize_phones(text("12345", "abc", "", "-", None))
    assert e164.isna().all() and kind.isna().all()
    assert invalid.tolist() == [True, True, False, False, False]
    assert str(e164.dtype) == "string" and invalid.dtype == bool
