"""Phone numbers to E.164 with their kind (mobile, landline, service, voip), by phonenumbers;
a sheet's distinct numbers are matched against its metadata patterns first, for speed.
"""

from __future__ import annotations

import pandas as pd
import phonenumbers

from custreport.ingest.distinct import on_distinct
from custreport.ingest.standardize import WS_CHARS, blank_to_na

_PHONE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "landline",
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
    phonenumbers.PhoneNumberType.TOLL_FREE: "service",
    phonenumbers.PhoneNumberType.SHARED_COST: "service",
    phonenumbers.PhoneNumberType.PREMIUM_RATE: "service",
    phonenumbers.PhoneNumberType.VOIP: "voip",
}


def _one_phone(value: str, region: str) -> tuple[str | None, str | None]:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None, None
    if not phonenumbers.is_valid_number(number):
        return None, None
    kind = _PHONE_TYPES.get(phonenumbers.number_type(number), "other")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind


# phonenumbers' own type order: the special types first, then fixed line (or mobile), then mobile.
_SPECIAL_TYPES = (("premium_rate", "service"), ("toll_free", "service"), ("shared_cost", "service"),
                  ("voip", "voip"), ("personal_number", None), ("pager", None), ("uan", None), ("voicemail", None))


def _pattern(desc) -> str | None:
    return f"(?:{desc.national_number_pattern})" if desc is not None and desc.national_number_pattern else None


def _metadata_fast_path(text: pd.Series, region: str) -> tuple[pd.Series, pd.Series] | None:
    """Numbers written the usual ways, typed with phonenumbers' own published patterns.

    Parsing costs about 100 µs a number; for plain national or +CC numbers the region's
    metadata patterns decide validity and type the same way, vectorised. Anything the
    patterns leave open (odd forms, other countries, rare types) still goes through parse.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or _pattern(metadata.general_desc) is None:
        return None
    code = str(metadata.country_code)
    digits = text.str.replace(f"[{WS_CHARS}\\-().]", "", regex=True)
    international = digits.str.fullmatch(f"(?:\\+|00){code}\\d+").fillna(False).astype(bool)
    bare_code = digits.str.fullmatch(f"{code}1\\d{{10}}").fillna(False).astype(bool)  # 8613800138000
    national = digits.str.replace(f"^(?:\\+|00){code}", "", regex=True).where(international, digits)
    national = national.str.slice(len(code)).where(bare_code, national)
    trunk = metadata.national_prefix or ""
    if trunk:
        dialled = national.str.fullmatch(f"{trunk}[1-9]\\d+").fillna(False).astype(bool) & ~international
        national = national.str.slice(len(trunk)).where(dialled, national)
    plain = national.str.fullmatch("[1-9]\\d{5,14}").fillna(False).astype(bool)
    valid = plain & national.str.fullmatch(_pattern(metadata.general_desc)).fillna(False).astype(bool)

    def matches(desc) -> pd.Series:
        pattern = _pattern(desc)
        if pattern is None:
            return pd.Series(False, index=text.index)
        return valid & national.str.fullmatch(pattern).fillna(False).astype(bool)

    kind = pd.Series(pd.NA, index=text.index, dtype="string")
    decided = pd.Series(False, index=text.index)
    for attribute, label in _SPECIAL_TYPES:
        hit = matches(getattr(metadata, attribute, None)) & ~decided
        if label is None:
            decided |= hit  # a rare type: leave the number to the full parser
            continue
        kind = kind.mask(hit, label)
        decided |= hit
    fixed = matches(metadata.fixed_line) & ~decided
    mobile = matches(metadata.mobile) & ~decided
    kind = kind.mask(fixed, "landline").mask(mobile & ~fixed, "mobile")
    e164 = ("+" + code + national).where(kind.notna()).astype("string")
    return e164, kind


@on_distinct
def normalize_phones(series: pd.Series, region: str = "CN") -> tuple[pd.Series, pd.Series, pd.Series]:
    """Phones to E.164 with their kind (mobile, landline, service for 400/800, voip, other).

    Returns (e164, kind, invalid mask). Invalid numbers become missing, never guessed.

    >>> normalize_phones(pd.Series(["138-0013-8000", "021-6234 5678", "12345"], dtype="string"))[0].tolist()
    ['+8613800138000', '+862162345678', <NA>]
    """
    raw = blank_to_na(series)
    text = raw.str.normalize("NFKC")
    e164 = pd.Series(pd.NA, index=series.index, dtype="string")
    kind = pd.Series(pd.NA, index=series.index, dtype="string")
    fast = _metadata_fast_path(text, region)
    if fast is not None:
        e164, kind = fast
    slow = text.notna() & e164.isna()
    parsed = [_one_phone(v, region) for v in text[slow]]
    e164[slow] = pd.array([p[0] for p in parsed], dtype="string")
    kind[slow] = pd.array([p[1] for p in parsed], dtype="string")
    invalid = raw.notna() & e164.isna()
    return e164, kind, invalid.astype(bool)
