"""render.csv_download: a frame as a CSV Excel opens in Chinese, with no cell run as a formula."""

from __future__ import annotations

import pandas as pd

from custreport.render.csv_download import write_csv


def test_text_that_excel_would_run_gets_an_apostrophe_and_numbers_stay_numbers(tmp_path):
    frame = pd.DataFrame({"name": pd.Series(["=HYPERLINK(\"x\")", "@a", "-b", "甲公司", None], dtype="string"),
                          "amount": [-5.0, 1.5, 0.0, 2.0, None]})
    text = write_csv(tmp_path / "c.csv", frame).read_bytes()
    assert text.startswith("\ufeff".encode())   # Excel reads UTF-8 only with its byte-order mark
    assert text.decode("utf-8-sig").splitlines() == [
        '"name","amount"', '"\'=HYPERLINK(""x"")",-5', '"\'@a",1.5', '"\'-b",0', '"甲公司",2', ',']


def test_dates_are_days(tmp_path):
    frame = pd.DataFrame({"created_at": pd.to_datetime(["2025-03-01", None]).astype("datetime64[ms]")})
    assert write_csv(tmp_path / "c.csv", frame).read_text(encoding="utf-8-sig").splitlines() == [
        '"created_at"', '"2025-03-01"', '']
