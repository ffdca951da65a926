"""Masking of personal contact data for outputs that leave the analytics team.

Reports (HTML, PDF), metrics and everything emailed show contacts masked; only the analyst
workbook shows them in full, and only when params/analysis.yaml says
``privacy: {show_full_contacts_in_workbook: true}``.

>>> mask_phones(pd.Series(["+8613812345678", None], dtype="string")).tolist()
['+86138****5678', <NA>]
>>> mask_emails(pd.Series(["zhang.wei@huaxin.com"], dtype="string")).tolist()
['z***@huaxin.com']
>>> mask_contacts_in_text("请回电 138 1234 5678 或发邮件 zhang.wei@huaxin.com")
'请回电 138****5678 或发邮件 z***@huaxin.com'
"""

from __future__ import annotations

import re

import pandas as pd

# A phone held as one value (E.164 after ingest): keep the country code, the first three and
# the last four digits. Seven digits or fewer leave nothing to hide between them.
_PHONE_VALUE = r"^(\+\d{2})?(\d{3})\d+(\d{4})$"
_PHONE_MASK = r"\1\2****\3"
# An email address held as one value: keep the first character of the mailbox and the domain.
_EMAIL_VALUE = r"^(.)[^@]*@"
_EMAIL_MASK = r"\1***@"

# Contacts typed into free text (service notes, raw values of quarantined rows). Deliberately
# narrow, so that dates (20240305), amounts and ids stay readable: E.164 numbers, Chinese
# mobiles (optionally +86, spaced or dashed) and landlines written with their area code and a
# separator. Never inside a longer run of digits.
_PHONE_IN_TEXT = re.compile(
    r"(?<![\d+])(?:\+\d{8,15}|(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}|0\d{2,3}[ -]\d{7,8})(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def mask_phones(phones: pd.Series) -> pd.Series:
    """Keep the country code, the first three and the last four digits: +86138****5678."""
    return phones.astype("string").str.replace(_PHONE_VALUE, _PHONE_MASK, regex=True)


def mask_emails(emails: pd.Series) -> pd.Series:
    """Keep the first character of the mailbox and the domain: z***@huaxin.com."""
    return emails.astype("string").str.replace(_EMAIL_VALUE, _EMAIL_MASK, regex=True)


def mask_addresses(addresses: pd.Series, keep: int = 6) -> pd.Series:
    """Keep the first characters (province, city, district); hide the street and number."""
    text = addresses.astype("string")
    return text.where(text.str.len() <= keep, text.str.slice(0, keep) + "****")


def mask_contacts_in_text(text: str) -> str:
    """``text`` with every phone number and email address in it masked the way the columns are.

    Separators inside a number go, so the result reads like a masked phone column; masking
    twice changes nothing.

    >>> mask_contacts_in_text("+86 138-1234-5678, 0571-88886666; boss@jia.com 2024-03-05 20240305")
    '+86138****5678, 057****6666; b***@jia.com 2024-03-05 20240305'
    >>> mask_contacts_in_text(mask_contacts_in_text("boss@jia.com 13812345678"))
    'b***@jia.com 138****5678'
    """
    text = _PHONE_IN_TEXT.sub(lambda found: _mask_phone(re.sub(r"[ -]", "", found.group(0))), text)
    return _EMAIL_IN_TEXT.sub(lambda found: re.sub(_EMAIL_VALUE, _EMAIL_MASK, found.group(0)), text)


def mask_contacts_in_texts(texts: pd.Series) -> pd.Series:
    """``mask_contacts_in_text`` over a column of free text; missing values stay missing."""
    text = texts.astype("string")
    return text.map(mask_contacts_in_text, na_action="ignore").astype("string")


def _mask_phone(number: str) -> str:
    return re.sub(_PHONE_VALUE, _PHONE_MASK, number)
