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
import phonenumbers

def _country_codes() -> str:
    # E.164 country codes are prefix-free, so the alternation finds the one code a number has.
    codes = sorted(map(str, phonenumbers.COUNTRY_CODE_TO_REGION_CODE), key=len, reverse=True)
    return "|".join(codes)


_PHONE_VALUE = re.compile(rf"(\+(?:{_country_codes()}))?(\d+)")
# An email address held as one value: keep the first character of the mailbox and the domain.
_EMAIL_VALUE = r"^(.)[^@]*@"
_EMAIL_MASK = r"\1***@"

# Contacts typed into free text (service notes, raw values of quarantined rows). Deliberately
# narrow, so that dates (20240305, 2024-03-05), amounts and ids stay readable: Chinese mobiles
# (optionally +86) and landlines with their area code, in any grouping (138 1234 5678,
# 021-6234-5678, (0571)88886666, 138.1234.5678), and international numbers written with their
# +country code. Never inside a longer run of letters or digits.
_SEPARATOR = r"[ .-]?"
_PHONE_IN_TEXT = re.compile(
    r"(?<![A-Za-z\d+])(?:"
    rf"(?:\+?86{_SEPARATOR})?1[3-9]\d(?:{_SEPARATOR}\d){{8}}"            # mobile
    rf"|(?:\(0\d{{2,3}}\)|0\d{{2,3}}){_SEPARATOR}\d{{3,4}}{_SEPARATOR}\d{{4}}"  # landline with area code
    rf"|\+\d{{1,3}}(?:{_SEPARATOR}\(?\d{{1,4}}\)?){{2,5}}"                 # international
    r")(?![A-Za-z\d])")
# Also addresses written to dodge harvesters: name(at)domain.com, name [at] domain [dot] com.
_AT = r"(?:\s*[(\[{<]\s*at\s*[)\]}>]\s*|@)"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\.)"
_EMAIL_IN_TEXT = re.compile(rf"([A-Za-z0-9._%+-]+){_AT}([A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)+)", re.IGNORECASE)
# Input methods type digits, brackets and dashes full-width: read them as their ASCII forms.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９（）－＋．　＠", "0123456789()-+. @")


def mask_phones(phones: pd.Series) -> pd.Series:
    """Keep the country code, the first three and the last four digits: +86138****5678.

    >>> mask_phones(pd.Series(["+14155550100", "+85291234567"], dtype="string")).tolist()
    ['+141****0100', '+852****4567']
    """
    return phones.astype("string").map(_mask_phone, na_action="ignore").astype("string")


def mask_emails(emails: pd.Series) -> pd.Series:
    """Keep the first character of the mailbox and the domain: z***@huaxin.com."""
    return emails.astype("string").str.replace(_EMAIL_VALUE, _EMAIL_MASK, regex=True)


def mask_invalid_contacts(values: pd.Series) -> pd.Series:
    """A phone or email typed wrongly, masked whatever it holds (a phone typed into the email
    column, an address into the phone's): addresses in it keep their first character and domain,
    a run of more than five digits its first three and last two, and text with neither (an
    address missing its @) its first and last three characters.

    >>> mask_invalid_contacts(pd.Series(["1234567", "13812345678", "zhang.wei@163.com", "zhangwei#163.com", "12345"],
    ...                                 dtype="string")).tolist()
    ['123**67', '138******78', 'z***@163.com', 'z***.com', '12345']
    """
    return values.astype("string").map(_mask_invalid_contact, na_action="ignore").astype("string")


def _mask_invalid_contact(text: str) -> str:
    text = str(text).translate(_FULL_WIDTH)
    masked = _EMAIL_IN_TEXT.sub(_masked_email, text)
    digits = sum(ch.isdigit() for ch in masked)
    if digits > 5:
        seen, shown = 0, []
        for ch in masked:
            if ch.isdigit():
                seen += 1
                ch = ch if seen <= 3 or seen > digits - 2 else "*"
            shown.append(ch)
        masked = "".join(shown)
    if masked == text and digits <= 5 and len(text) > 6 and any(ch.isalpha() for ch in text):
        masked = f"{text[0]}***{text[-4:]}"
    return masked


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
    >>> mask_contacts_in_text("zhang.wei(at)huaxin.com, li [AT] jia [dot] com, wang＠jia.cn")
    'z***@huaxin.com, l***@jia.com, w***@jia.cn'
    """
    text = _PHONE_IN_TEXT.sub(lambda found: _mask_phone(re.sub(r"[^\d+]", "", found.group(0))),
                              text.translate(_FULL_WIDTH))
    return _EMAIL_IN_TEXT.sub(_masked_email, text)


def _masked_email(found: re.Match) -> str:
    domain = re.sub(_DOT, ".", found.group(2), flags=re.IGNORECASE)
    return f"{found.group(1)[0]}***@{domain}"


def mask_contacts_in_texts(texts: pd.Series) -> pd.Series:
    """``mask_contacts_in_text`` over a column of free text; missing values stay missing."""
    text = texts.astype("string")
    return text.map(mask_contacts_in_text, na_action="ignore").astype("string")


def mask_contacts_in_notebook(notebook: dict) -> dict:
    """A copy of an executed notebook (nbformat JSON as a dict) whose outputs (errors and their
    tracebacks, printed text, displayed values) have every contact masked: a failed report's
    notebook is kept for whoever mends it, not for whoever owns the customers' data.

    >>> mask_contacts_in_notebook({"cells": [{"cell_type": "code", "outputs": [
    ...     {"output_type": "error", "ename": "ValueError", "evalue": "bad 13812345678",
    ...      "traceback": ["ValueError: bad 13812345678"]}]}]})["cells"][0]["outputs"][0]["evalue"]
    'bad 138****5678'
    """
    def masked(value):
        if isinstance(value, str):
            return mask_contacts_in_text(value)
        if isinstance(value, list):
            return [masked(item) for item in value]
        if isinstance(value, dict):
            return {key: masked(item) if key != "image/png" else item for key, item in value.items()}
        return value

    cells = [{**cell, "outputs": masked(cell["outputs"])} if cell.get("outputs") else cell
             for cell in notebook.get("cells", [])]
    return {**notebook, "cells": cells}


def _mask_phone(number: str) -> str:
    """One number (digits, optionally +country code) masked; at least four digits stay hidden,
    so shorter national numbers show fewer leading digits. Seven digits or fewer are left."""
    found = _PHONE_VALUE.fullmatch(number)
    if not found or len(found.group(2)) <= 7:
        return number
    country, digits = found.group(1) or "", found.group(2)
    shown = 3 if len(digits) >= 11 else len(digits) - 8
    return f"{country}{digits[:shown]}****{digits[-4:]}"
