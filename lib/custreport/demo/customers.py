"""Raw customer rows: which company lands in the CRM export, the workbook or both, and crm_accounts.csv."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from custreport.demo.companies import _CHURNED, _DEALER, _Entities, _PROSPECT
from custreport.demo.dates import _N_DAYS, _calendar
from custreport.demo.draws import _stream
from custreport.demo.files import CRM_FILE, _CsvStyle, _write_csv
from custreport.demo.industries import _INDUSTRIES
from custreport.demo.mess import _blank_some, _city_labels, _format_phones, _province_labels
from custreport.demo.names import _draw_variant_kinds, _name_variant
from custreport.demo.people import _Reps, _assign_reps, _owner_names


_WB_TYPES = ("潜在客户", "意向客户", "成交客户", "老客户", "流失客户")
_CRM_TYPES = ("Prospect", "Customer - Direct", "Customer - Channel", "Other", "")


_CRM_ONLY_SHARE = 0.55
_WORKBOOK_ONLY_SHARE = 0.30  # the rest (~15%) is in both sources
_WORKBOOK_TWICE_SHARE = 0.03  # of all companies, typed a second time in the workbook
_BLANK_NAME_SHARE = 0.003
_GARBAGE_PROVINCE_SHARE = 0.01


@dataclass
class _CustomerRows:
    """One raw row per element; ``name`` already carries the row's spelling."""

    entity: np.ndarray
    region: np.ndarray  # region of the sheet (workbook) or of the company (CRM)
    owner: np.ndarray
    day: np.ndarray  # entry date
    name: list[str]


def _split_sources(seed: int, ent: _Entities, reps: _Reps) -> tuple[_CustomerRows, _CustomerRows]:
    rng = _stream(seed, "sources")
    n = ent.n
    u = rng.random(n)
    in_crm = (u < _CRM_ONLY_SHARE) | (u >= _CRM_ONLY_SHARE + _WORKBOOK_ONLY_SHARE)
    in_workbook = u >= _CRM_ONLY_SHARE
    in_both = in_crm & in_workbook

    crm_entities = np.flatnonzero(in_crm)
    crm_order = np.lexsort((crm_entities, ent.created[crm_entities]))
    crm_entities = crm_entities[crm_order]
    crm = _CustomerRows(
        entity=crm_entities,
        region=ent.region[crm_entities],
        owner=ent.owner[crm_entities],
        day=ent.created[crm_entities],
        name=[ent.name[i] for i in crm_entities],
    )

    wb_first = np.flatnonzero(in_workbook)
    # Regions keep their own sheet; a company already in the CRM was typed into
    # the workbook separately, a little later.
    first_day = ent.created[wb_first] + np.where(
        in_both[wb_first], rng.integers(0, 90, size=wb_first.size), 0
    )
    twice = rng.random(wb_first.size) < _WORKBOOK_TWICE_SHARE / (1 - _CRM_ONLY_SHARE)
    wb_second = wb_first[twice]
    second_day = first_day[twice] + rng.integers(1, 400, size=wb_second.size)
    # A third of the second entries land in another region's sheet.
    other_sheet = rng.random(wb_second.size) < 0.33
    n_regions = len(ent.geo.regions)
    shift = rng.integers(1, n_regions, size=wb_second.size)
    second_region = np.where(other_sheet, (ent.region[wb_second] + shift) % n_regions, ent.region[wb_second])

    entity = np.concatenate([wb_first, wb_second])
    region = np.concatenate([ent.region[wb_first], second_region])
    day = np.minimum(np.concatenate([first_day, second_day]), _N_DAYS - 1).astype(np.int32)
    is_second = np.concatenate([np.zeros(wb_first.size, bool), np.ones(wb_second.size, bool)])
    # Rows within a sheet are in the order they were typed.
    order = np.lexsort((is_second, entity, day, region))
    entity, region, day, is_second = entity[order], region[order], day[order], is_second[order]

    owner = ent.owner[entity].copy()
    foreign = region != ent.region[entity]
    if foreign.any():
        owner[foreign] = _assign_reps(rng, reps, region[foreign])

    # The first workbook entry of a CRM company and every second entry are
    # re-typed; a lone entry keeps the proper name, sometimes padded.
    retyped = is_second | in_both[entity]
    kinds = _draw_variant_kinds(rng, ent, entity)
    detail = rng.random(entity.size)
    light_noise = rng.random(entity.size) < 0.05
    names = []
    for e, kind, again, padded, u in zip(
        entity.tolist(), kinds, retyped.tolist(), light_noise.tolist(), detail.tolist()
    ):
        if again:
            names.append(_name_variant(ent, e, kind, u))
        elif padded:
            names.append(_name_variant(ent, e, "padded", u))
        else:
            names.append(ent.name[e])
    workbook = _CustomerRows(entity=entity, region=region, owner=owner, day=day, name=names)
    return crm, workbook


def _customer_type_labels(rng: np.random.Generator, ent: _Entities, entity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Workbook type (index into _WB_TYPES) and CRM type (index into _CRM_TYPES)."""
    n = entity.size
    status = ent.status[entity]
    old_account = ent.created[entity] < 365
    u = rng.random(n)
    wb_type = np.select(
        [status == _PROSPECT, status == _CHURNED, old_account],
        [np.where(u < 0.65, 0, 1), 4, 3],
        default=2,
    )
    # Labels are maintained by hand and lag behind reality now and then.
    stale = rng.random(n) < 0.05
    wb_type = np.where(stale, rng.integers(len(_WB_TYPES), size=n), wb_type)

    channel = ent.channel_pref[entity]
    crm_type = np.where(status == _PROSPECT, 0, np.where(channel == _DEALER, 2, 1))
    v = rng.random(n)
    crm_type = np.where(v < 0.04, 4, np.where(v < 0.07, 3, crm_type))
    return wb_type, crm_type


def _intent_labels(rng: np.random.Generator, wb_type: np.ndarray) -> list[str]:
    # Interest level tracks the type label: 意向客户 high/medium, 流失客户 low.
    table = {
        0: (0.1, 0.4, 0.5),
        1: (0.45, 0.45, 0.1),
        2: (0.6, 0.3, 0.1),
        3: (0.55, 0.35, 0.1),
        4: (0.05, 0.25, 0.7),
    }
    u = rng.random(wb_type.size).tolist()
    out = []
    for t, x in zip(wb_type.tolist(), u):
        hi, mid, _ = table[t]
        out.append("高" if x < hi else ("中" if x < hi + mid else "低"))
    return out


CRM_HEADER = (
    "Account ID", "Account Name", "Phone", "Email", "Billing State/Province",
    "Billing City", "Industry", "Account Owner", "Type", "Created Date",
)
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base36(value: int, width: int) -> str:
    digits = []
    while value:
        value, r = divmod(value, 36)
        digits.append(_BASE36[r])
    return "".join(reversed(digits)).rjust(width, "0")


def _write_crm(seed: int, out_dir: Path, ent: _Entities, reps: _Reps, rows: _CustomerRows) -> int:
    rng = _stream(seed, "crm")
    cal = _calendar()
    n = rows.entity.size
    e = rows.entity
    account_id = [f"001A0000{_base36(i + 1, 7)}" for i in range(n)]
    names = _blank_some(rng, rows.name, _BLANK_NAME_SHARE)
    phones = _format_phones(rng, ent, e)
    emails = _blank_some(rng, [ent.email[i] for i in e], 0.03)
    # Salesforce keeps the state picklist in English; some users typed Chinese.
    province = _province_labels(
        rng, ent.geo, ent.province[e], {"pinyin": 0.85, "full": 0.07, "short": 0.07, "garbage": _GARBAGE_PROVINCE_SHARE}
    )
    city = _city_labels(rng, ent.geo, ent.city[e], with_shi=0.25, missing=0.06)
    industry = _blank_some(rng, [_INDUSTRIES[i].en for i in ent.industry[e]], 0.07)
    owner = _owner_names(ent, reps, e, rows.owner)
    _, crm_type = _customer_type_labels(rng, ent, e)
    created = _blank_some(rng, [cal.us[d] for d in rows.day], 0.02)
    columns = [
        account_id, names, phones, emails, province, city, industry, owner,
        [_CRM_TYPES[t] for t in crm_type], created,
    ]
    # Salesforce data exports quote every field.
    return _write_csv(out_dir / CRM_FILE, CRM_HEADER, columns, _CsvStyle(quote_all=True))
