"""deals.csv: the opportunity list, with stages, outcomes, expected amounts and lead sources."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from custreport.demo.companies import _Entities, _PROSPECT
from custreport.demo.dates import _N_DAYS, _calendar, _sample_business_days
from custreport.demo.draws import _choice, _stream
from custreport.demo.files import DEALS_FILE, TRUTH_DEAL_ROWS, _CsvStyle, _int_text, _write_csv
from custreport.demo.orders import _PRODUCTS
from custreport.demo.people import _Reps, _assign_reps


_DEAL_OPEN_STAGES = ("初步接触", "需求确认", "方案报价", "商务谈判")
_DEAL_WON, _DEAL_LOST = "赢单", "输单"
_LEAD_SOURCES = ("官网", "展会", "电话营销", "客户转介绍", "合作伙伴", "线上广告", "老客户复购")
_LEAD_SOURCE_WEIGHTS = (0.22, 0.14, 0.18, 0.16, 0.12, 0.1, 0.08)


DEALS_HEADER = ("商机编号", "客户名称", "商机阶段", "创建日期", "关闭日期", "预计金额", "负责人", "线索来源", "产品", "所属区域")
_DEALS_PER_CUSTOMER = 0.8
# Chance to move on from each open stage to the next, and to win at 商务谈判.
_STAGE_ADVANCE = (0.75, 0.75, 0.75)
_WIN_RATE_BUYER, _WIN_RATE_PROSPECT = 0.6, 0.08
_DAYS_PER_STAGE = 18.0


def _write_deals(seed: int, out_dir: Path, ent: _Entities, reps: _Reps) -> int:
    rng = _stream(seed, "deals")
    cal = _calendar()
    counts = rng.poisson(_DEALS_PER_CUSTOMER, size=ent.n)
    entity = np.repeat(np.arange(ent.n), counts)
    n = entity.size

    created = _sample_business_days(rng, ent.created[entity].astype(np.int64), np.full(n, _N_DAYS - 1))
    reached = np.zeros(n, dtype=np.int64)
    for stage, p in enumerate(_STAGE_ADVANCE):
        reached += (reached == stage) & (rng.random(n) < p)
    win_rate = np.where(ent.status[entity] == _PROSPECT, _WIN_RATE_PROSPECT, _WIN_RATE_BUYER)
    won = (reached == len(_DEAL_OPEN_STAGES) - 1) & (rng.random(n) < win_rate)
    stage_days = rng.lognormal(np.log(_DAYS_PER_STAGE), 0.6, size=(n, len(_DEAL_OPEN_STAGES)))
    elapsed = np.cumsum(stage_days, axis=1)
    duration = np.ceil(elapsed[np.arange(n), reached]).astype(np.int64) + 1
    close = created + duration
    # Still running at the end of the range, or simply never closed in the CRM.
    stale = rng.random(n) < 0.03
    open_deal = (close > _N_DAYS - 1) | stale
    days_so_far = (_N_DAYS - 1) - created
    current = np.minimum(reached, (elapsed < days_so_far[:, None]).sum(axis=1))
    current = np.where(stale, reached, current)

    stage = np.where(open_deal, np.array(_DEAL_OPEN_STAGES, dtype=object)[current],
                     np.where(won, _DEAL_WON, _DEAL_LOST))
    product = _choice(rng, n, [p.weight for p in _PRODUCTS])
    list_price = np.array([p.list_price for p in _PRODUCTS])[product]
    expected = np.rint(list_price * rng.lognormal(np.log(3.0), 0.8, size=n) / 100).astype(np.int64) * 100
    expected_txt = np.where(rng.random(n) < 0.03, "", _int_text(expected))

    owner = ent.owner[entity].copy()
    reassigned = rng.random(n) < 0.1
    owner[reassigned] = _assign_reps(rng, reps, ent.region[entity[reassigned]])
    region_txt = np.where(rng.random(n) < 0.3, "", np.array(ent.geo.regions, dtype=object)[reps.region[owner]])
    names = np.where(rng.random(n) < 0.2, np.array(ent.alt_name, dtype=object)[entity],
                     np.array(ent.name, dtype=object)[entity])
    lead = np.array(_LEAD_SOURCES, dtype=object)[_choice(rng, n, _LEAD_SOURCE_WEIGHTS)]

    order = np.lexsort((np.arange(n), created))
    iso = np.array(cal.iso, dtype=object)
    close_txt = np.where(open_deal, "", iso[np.minimum(close, _N_DAYS - 1)])
    deal_no = [f"OPP-{i + 1:07d}" for i in range(n)]
    columns = [
        deal_no, names[order], stage[order], iso[created[order]], close_txt[order], expected_txt[order],
        np.array(reps.names, dtype=object)[owner[order]], lead[order],
        np.array([p.name for p in _PRODUCTS], dtype=object)[product[order]], region_txt[order],
    ]
    # Saved from Excel as "CSV UTF-8": with BOM and CRLF.
    rows = _write_csv(out_dir / DEALS_FILE, DEALS_HEADER, columns, _CsvStyle(bom=True, newline="\r\n"))
    _write_csv(
        out_dir / TRUTH_DEAL_ROWS,
        ("file", "source_row", "entity_id"),
        [[DEALS_FILE] * n, _int_text(np.arange(n) + 2), _int_text(entity[order] + 1)],
    )
    return rows
