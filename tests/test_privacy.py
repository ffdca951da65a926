"""Tests for custreport.privacy masks."""

from __future__ import annotations

import pandas as pd
import pytest

from custreport.privacy import mask_addresses, mask_contacts_in_text, mask_contacts_in_texts, mask_emails, mask_phones


def text(*values) -> pd.Series:
    return pd.Series(list(values), dtype="string")


def test_mask_phones():
    masked = mask_phones(text("+8613812345678", "13812345678", "+862162345678", None))
    # Country code, the last four digits and as many leading ones as leave four hidden (three at most).
    assert masked.tolist() == ["+86138****5678", "138****5678", "+8621****5678", pd.NA]


def test_mask_phones_leaves_short_values():
    # Too short to hold 3 + 4 digits with something between: nothing to hide.
    assert mask_phones(text("12", "1234567")).tolist() == ["12", "1234567"]


def test_mask_emails():
    masked = mask_emails(text("zhang.wei@huaxin.com", "a@b.cn", "no-at-sign", None))
    assert masked.tolist() == ["z***@huaxin.com", "a***@b.cn", "no-at-sign", pd.NA]


def test_mask_addresses():
    masked = mask_addresses(text("浙江省杭州市西湖区文三路100号", "杭州市", "浙江省杭州市", None))
    # Longer than six characters: the first six kept; six or fewer: unchanged.
    assert masked.tolist() == ["浙江省杭州市****", "杭州市", "浙江省杭州市", pd.NA]
    assert mask_addresses(text("浙江省杭州市西湖区"), keep=3).tolist() == ["浙江省****"]


def test_masks_keep_index_and_input():
    phones = pd.Series(["+8613812345678"], index=[42], dtype="string")
    masked = mask_phones(phones)
    assert list(masked.index) == [42]
    assert phones.iloc[0] == "+8613812345678"


def test_contacts_in_free_text_are_masked_the_way_the_columns_are():
    phone, email = "+8613812345678", "zhang.wei@huaxin.com"
    note = f"客户要求回电 {phone}，或发邮件至 {email}。"
    assert mask_contacts_in_text(note) == (f"客户要求回电 {mask_phones(text(phone))[0]}，"
                                           f"或发邮件至 {mask_emails(text(email))[0]}。")


@pytest.mark.parametrize("typed, masked", [
    ("13812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("+86 138 1234 5678", "+86138****5678"),
    ("+862162345678", "+8621****5678"),
    ("0571-88886666", "057****6666"),
    ("021-6234-5678", "021****5678"),
    ("(0571)88886666", "057****6666"),
    ("0571 8888 6666", "057****6666"),
    ("１３８１２３４５６７８", "138****5678"),      # typed full-width by an input method
    ("138 123 45678", "138****5678"),
    ("138.1234.5678", "138****5678"),
    ("+1 415 555 0100", "+141****0100"),
    ("+852 9123 4567", "+852****4567"),
    ("a@b.cn", "a***@b.cn"),
])
def test_phone_and_email_spellings_in_text(typed, masked):
    assert mask_contacts_in_text(f"见 {typed} 。") == f"见 {masked} 。"


@pytest.mark.parametrize("kept", ["2024-03-05", "20240305", "2024年3月5日", "¥1,234.50", "1.2万", "SO202301150001",
                                  "OPP-0000001", "001A00000000001", "第3季度", "=HYPERLINK(\"x\")", "a@b"])
def test_dates_amounts_and_ids_in_text_are_left_alone(kept):
    assert mask_contacts_in_text(kept) == kept


def test_masking_text_twice_changes_nothing():
    once = mask_contacts_in_text("13812345678 / boss@jia.com / +8613900001111")
    assert mask_contacts_in_text(once) == once and "****" in once


def test_masking_a_text_column_keeps_missing_values_and_index():
    notes = pd.Series(["回电 13812345678", None], index=[7, 9], dtype="string")
    masked = mask_contacts_in_texts(notes)
    assert masked.tolist() == ["回电 138****5678", pd.NA] and list(masked.index) == [7, 9]
    assert notes.iloc[0] == "回电 13812345678"


def test_dates_amounts_and_ids_in_text_are_left_alone():
    text = "2024-03-05 20240305 SO0571888866661 金额1,234.50 订单 123456789 2024.03.05"
    assert mask_contacts_in_text(text) == text


@pytest.mark.hostile(expect="ok", risk="leak")
@pytest.mark.parametrize("typed, masked", [
    ("zhang.wei(at)huaxin.com", "z***@huaxin.com"),
    ("zhang.wei [at] huaxin [dot] com", "z***@huaxin.com"),
    ("Zhang.Wei{AT}huaxin.com.cn", "Z***@huaxin.com.cn"),
    ("zhang.wei＠huaxin．com", "z***@huaxin.com"),
    ("联系 zhang.wei<at>huaxin.com 或 １３８１２３４５６７８", "联系 z***@huaxin.com 或 138****5678"),
])
def test_emails_written_to_dodge_harvesters_are_masked_too(typed, masked):
    assert mask_contacts_in_text(typed) == masked
    assert mask_contacts_in_text(masked) == masked


def test_a_failed_notebook_keeps_its_code_and_pictures_and_loses_the_contacts_in_its_outputs():
    from custreport.privacy import mask_contacts_in_notebook

    notebook = {"cells": [
        {"cell_type": "markdown", "source": "call 13812345678"},
        {"cell_type": "code", "source": "load()", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["reached boss@jia.com\n"]},
            {"output_type": "display_data", "data": {"text/plain": "13812345678", "image/png": "iVBOR13812345678"}},
            {"output_type": "error", "ename": "ValueError", "evalue": "13812345678",
             "traceback": ["\x1b[31mValueError\x1b[0m: 13812345678"]}]}]}
    masked = mask_contacts_in_notebook(notebook)
    outputs = masked["cells"][1]["outputs"]
    assert outputs[0]["text"] == ["reached b***@jia.com\n"]
    assert outputs[1]["data"] == {"text/plain": "138****5678", "image/png": "iVBOR13812345678"}
    assert outputs[2]["evalue"] == "138****5678" and outputs[2]["traceback"][0].endswith("138****5678")
    assert masked["cells"][0] == notebook["cells"][0] and notebook["cells"][1]["outputs"][2]["evalue"] == "13812345678"
