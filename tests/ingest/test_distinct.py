"""on_distinct: a parser runs once per distinct text and its results reach every row."""

import numpy as np
import pandas as pd
from custreport.ingest.distinct import on_distinct
from custreport.ingest.phones import normalize_phones
from custreport.ingest.standardize import parse_dates

T = pd.Timestamp

def test_on_distinct_keeps_index_and_na_rows():
    series = pd.Series(["2024-01-02", None, "x", "2024-01-02", ""], index=[10, 3, 7, 99, 4], dtype="string")
    dates, invalid = parse_dates(series)
    assert list(dates.index) == [10, 3, 7, 99, 4]
    assert list(invalid.index) == [10, 3, 7, 99, 4]
    assert dates.tolist() == [T("2024-01-02"), pd.NaT, pd.NaT, T("2024-01-02"), pd.NaT]
    assert invalid.tolist() == [False, False, True, False, False]


def test_on_distinct_object_input_and_string_outputs():
    series = pd.Series(["13800138000", None, "13800138000"], index=["a", "b", "c"], dtype=object)
    e164, kind, invalid = normalize_phones(series)
    assert list(e164.index) == ["a", "b", "c"]
    assert e164.tolist() == ["+8613800138000", pd.NA, "+8613800138000"]
    assert kind.tolist() == ["mobile", pd.NA, "mobile"]
    assert invalid.tolist() == [False, False, False]


def test_on_distinct_parses_each_value_once():
    seen = []

    @on_distinct
    def upper(series: pd.Series):
        seen.append(series.tolist())
        return (series.str.upper(),)

    (out,) = upper(pd.Series(["a", "b", "a", None, "a"], index=[5, 4, 3, 2, 1], dtype="string"))
    assert seen == [["a", "b"]]
    assert out.tolist() == ["A", "B", "A", pd.NA, "A"]
    assert list(out.index) == [5, 4, 3, 2, 1]


def test_on_distinct_all_missing_and_empty():
    dates, invalid = parse_dates(pd.Series([None, None], index=["a", "b"], dtype="string"))
    assert dates.isna().all() and not invalid.any()
    assert dates.dtype == "datetime64[ms]" and invalid.dtype == bool
    dates, invalid = parse_dates(pd.Series([], dtype="string"))
    assert len(dates) == 0 and len(invalid) == 0


def test_on_distinct_spreads_floats_and_flags_with_missing_rows_missing():
    @on_distinct
    def lengths(series: pd.Series):
        return series.str.len().astype("float64"), series.eq("bb").astype(bool)

    values, flags = lengths(pd.Series(["bb", None, "a", "bb"], dtype="string"))
    assert values.tolist()[0] == 2.0 and np.isnan(values.tolist()[1]) and values.tolist()[2:] == [1.0, 2.0]
    assert flags.tolist() == [True, False, False, True]


def test_on_distinct_unchanged_texts_come_back_as_the_rows_were():
    series = pd.Series(["x", "y", None, "x"], index=[9, 8, 7, 6], dtype="string")
    out = on_distinct(lambda texts: texts)(series)
    assert out.tolist() == ["x", "y", pd.NA, "x"] and list(out.index) == [9, 8, 7, 6]


def test_on_distinct_a_parser_finding_nothing_gives_all_missing():
    out = on_distinct(lambda texts: pd.Series(pd.NA, index=texts.index, dtype="string"))(
        pd.Series(["a", "b", "a"], dtype="string"))
    assert out.isna().all() and len(out) == 3 and out.dtype == "string"
