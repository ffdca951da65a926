"""Tests for custreport.privacy masks."""

from __future__ import annotations

import pandas as pd

from custreport.privacy import mask_addresses, mask_emails, mask_phones


def text(*values) -> pd.Series:
    return pd.Series(list(values), dtype="string")


def test_mask_phones():
    masked = mask_phones(text("+8613812345678", "13812345678", "+862162345678", None))
    # Country code, first three and last four digits kept.
    assert masked.tolist() == ["+86138****5678", "138****5678", "+86216****5678", pd.NA]


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
