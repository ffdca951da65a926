"""Masking of personal contact data for outputs that leave the analytics team.

>>> mask_phones(pd.Series(["+8613812345678", None], dtype="string")).tolist()
['+86138****5678', <NA>]
>>> mask_emails(pd.Series(["zhang.wei@huaxin.com"], dtype="string")).tolist()
['z***@huaxin.com']
"""

from __future__ import annotations

import pandas as pd


def mask_phones(phones: pd.Series) -> pd.Series:
    """Keep the country code, the first three and the last four digits: +86138****5678."""
    text = phones.astype("string")
    return text.str.replace(r"^(\+\d{2})?(\d{3})\d+(\d{4})$", r"\1\2****\3", regex=True)


def mask_emails(emails: pd.Series) -> pd.Series:
    """Keep the first character of the mailbox and the domain: z***@huaxin.com."""
    text = emails.astype("string")
    return text.str.replace(r"^(.)[^@]*@", r"\1***@", regex=True)


def mask_addresses(addresses: pd.Series, keep: int = 6) -> pd.Series:
    """Keep the first characters (province, city, district); hide the street and number."""
    text = addresses.astype("string")
    return text.where(text.str.len() <= keep, text.str.slice(0, keep) + "****")
