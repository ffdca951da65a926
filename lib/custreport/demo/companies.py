"""The true companies (entities): place, trade, name, phone, e-mail, owner and lifecycle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from custreport.demo.dates import _FIRST_DAY, _N_DAYS, _sample_business_days
from custreport.demo.draws import _choice, _stream
from custreport.demo.geography import Geography
from custreport.demo.industries import _INDUSTRIES
from custreport.demo.names import _BRAND_CHARS, _draw_names, _draw_variant_kinds, _name_variant
from custreport.demo.people import _GIVEN_CHARS, _Reps, _SURNAMES, _assign_reps, _make_reps


_GENERIC_MAILBOXES = ("info", "sales", "service", "contact", "admin", "office", "market", "hr", "caiwu", "purchase")
_MAIL_TLDS = (".com", ".com.cn", ".cn", ".net")
_MAIL_TLD_WEIGHTS = (0.5, 0.3, 0.15, 0.05)
_DIRECT, _DEALER, _ONLINE = 0, 1, 2
_CHANNEL_PREF_WEIGHTS = (0.5, 0.35, 0.15)

# Entity lifecycle.
_PROSPECT, _ACTIVE, _CHURNED = 0, 1, 2
_STATUS_NAMES = ("prospect", "active", "churned")


@dataclass
class _Entities:
    n: int
    geo: Geography  # where the companies are: city, province and region index into it
    city: np.ndarray
    province: np.ndarray
    region: np.ndarray
    industry: np.ndarray
    brand: list[str]
    word: list[str]
    suffix: list[str]
    bracketed_city: np.ndarray  # name shaped "华信科技（杭州）有限公司"
    name: list[str]
    key: list[str]
    phone_kind: np.ndarray  # 0 mobile, 1 landline, 2 400 hotline
    phone_digits: list[str]
    email: list[str]  # "" when the company never gave one
    owner: np.ndarray  # rep index
    unowned: np.ndarray  # a new account nobody has been given yet: its owner is never written
    created: np.ndarray  # day index
    status: np.ndarray
    order_end: np.ndarray  # last day the company may order (churn date or end of range)
    channel_pref: np.ndarray
    potential_value: np.ndarray  # 万元
    alt_name: list[str]  # the variant this company goes by in orders and deals


# Accounts created in the last two quarters wait for a rep now and then; older ones all have one.
_UNASSIGNED_SINCE = (dt.date(2025, 7, 1) - _FIRST_DAY).days
_UNASSIGNED_SHARE_OF_RECENT = 0.25

_MOBILE_PREFIXES = np.array(
    [130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 145, 147, 150, 151, 152, 153, 155, 156,
     157, 158, 159, 166, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188,
     189, 191, 198, 199]
)


def _make_entities(seed: int, n: int, geo: Geography) -> tuple[_Entities, _Reps]:
    rng = _stream(seed, "entities")

    city = _choice(rng, n, geo.city_weight)
    province = geo.city_province[city]
    region = geo.province_region[province]
    industry = _choice(rng, n, [ind.weight for ind in _INDUSTRIES])
    brand, word, suffix, bracketed, name, key = _draw_names(_stream(seed, "names"), geo, city, industry, set())

    # Phones: mostly mobiles, some switchboard landlines, a few 400 hotlines.
    phone_kind = _choice(rng, n, (0.84, 0.15, 0.01))
    mobile = _MOBILE_PREFIXES[rng.integers(_MOBILE_PREFIXES.size, size=n)] * 10**8 + rng.integers(10**8, size=n)
    local8 = rng.integers(2, 9, size=n) * 10**7 + rng.integers(10**7, size=n)
    seven_digit = rng.random(n) < 0.1
    hotline = rng.integers(10**7, size=n)
    phone_digits = []
    for kind, c, mob, local, short, hot in zip(
        phone_kind.tolist(), city.tolist(), mobile.tolist(), local8.tolist(), seven_digit.tolist(), hotline.tolist()
    ):
        if kind == 0:
            phone_digits.append(str(mob))
        elif kind == 1:
            code = geo.area_code[c]
            # Some prefecture cities still have 7-digit local numbers.
            phone_digits.append(f"{code}{local // 10 if short and len(code) == 4 else local}")
        else:
            phone_digits.append(f"400{hot:07d}")

    email = _make_emails(rng, brand, industry)

    # A quarter of the accounts were imported from the old system at go-live.
    imported = rng.random(n) < 0.25
    created = np.where(
        imported,
        rng.integers(0, 45, size=n),
        _sample_business_days(rng, np.zeros(n, dtype=np.int64), np.full(n, _N_DAYS - 1)),
    ).astype(np.int32)

    status = np.where(rng.random(n) < 0.25, _PROSPECT, _ACTIVE)
    # Only accounts old enough to show a gap can look churned.
    can_churn = (status == _ACTIVE) & (created < _N_DAYS - 365)
    churned = can_churn & (rng.random(n) < 0.2)
    status = np.where(churned, _CHURNED, status)
    churn_lo = created + 60
    churn_hi = _N_DAYS - 200
    churn_day = churn_lo + (rng.random(n) * np.maximum(churn_hi - churn_lo, 1)).astype(np.int32)
    order_end = np.where(churned, churn_day, _N_DAYS - 1).astype(np.int32)

    channel_pref = _choice(rng, n, _CHANNEL_PREF_WEIGHTS)
    potential_value = np.round(rng.lognormal(np.log(25.0), 1.0, size=n), 1)

    region_counts = np.bincount(region, minlength=len(geo.regions))
    reps = _make_reps(_stream(seed, "reps"), region_counts)
    owner = _assign_reps(rng, reps, region)
    # Its own stream, so leaving accounts unassigned reshuffles nothing else.
    recent = created >= _UNASSIGNED_SINCE
    unowned = recent & (_stream(seed, "unowned").random(n) < _UNASSIGNED_SHARE_OF_RECENT)

    entities = _Entities(
        n=n, geo=geo, city=city, province=province, region=region, industry=industry,
        brand=brand, word=word, suffix=suffix, bracketed_city=bracketed, name=name, key=key,
        phone_kind=phone_kind, phone_digits=phone_digits, email=email, owner=owner, unowned=unowned,
        created=created, status=status, order_end=order_end, channel_pref=channel_pref,
        potential_value=potential_value, alt_name=[],
    )
    alt_rng = _stream(seed, "alt-names")
    alt_kinds = _draw_variant_kinds(alt_rng, entities, np.arange(n))
    alt_u = alt_rng.random(n).tolist()
    entities.alt_name = [_name_variant(entities, i, alt_kinds[i], alt_u[i]) for i in range(n)]
    return entities, reps


def _make_emails(rng: np.random.Generator, brand: list[str], industry: np.ndarray) -> list[str]:
    n = len(brand)
    pinyin = dict(_BRAND_CHARS)
    has_email = (rng.random(n) >= 0.4).tolist()
    domain_style = rng.random(n).tolist()
    mailbox_style = rng.random(n).tolist()
    tld = _choice(rng, n, _MAIL_TLD_WEIGHTS).tolist()
    mailbox = rng.integers(len(_GENERIC_MAILBOXES), size=n).tolist()
    surname = rng.integers(len(_SURNAMES), size=n).tolist()
    given = rng.integers(len(_GIVEN_CHARS), size=(n, 2)).tolist()
    digits = rng.integers(1, 99, size=n).tolist()
    trade = [_INDUSTRIES[i].en.split()[0][:4].lower() for i in industry.tolist()]
    out = []
    for i in range(n):
        if not has_email[i]:
            out.append("")
            continue
        b = brand[i]
        spelled = [b.lower()] if b.isascii() else [pinyin[c] for c in b]
        if domain_style[i] < 0.5:
            domain = "".join(spelled)
        elif domain_style[i] < 0.75:
            domain = "".join(s[0] for s in spelled) + trade[i]
        else:
            domain = "".join(spelled) + "-group"
        sur = _SURNAMES[surname[i]][1]
        giv, giv2 = _GIVEN_CHARS[given[i][0]][1], _GIVEN_CHARS[given[i][1]][1]
        style = mailbox_style[i]
        if style < 0.45:
            local = _GENERIC_MAILBOXES[mailbox[i]]
        elif style < 0.7:
            local = f"{sur}{giv}"
        elif style < 0.85:
            local = f"{sur}.{giv}{giv2}"
        else:
            local = f"{giv}{sur}{digits[i]}"
        out.append(f"{local}@{domain}{_MAIL_TLDS[tld[i]]}")
    return out
