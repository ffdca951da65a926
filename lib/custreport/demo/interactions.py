"""服务记录.csv: the service desk's log of inquiries, complaints, feedback, visits and calls."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from custreport.demo.companies import _CHURNED, _Entities, _PROSPECT
from custreport.demo.dates import _N_DAYS, _calendar, _sample_business_days
from custreport.demo.draws import _categories, _choice, _stream
from custreport.demo.files import SERVICE_FILE, TRUTH_SERVICE_ROWS, _CsvStyle, _int_text, _write_csv
from custreport.demo.names import _draw_variant_kinds, _name_variant
from custreport.demo.people import _GIVEN_CHARS, _Reps, _SURNAMES


SERVICE_HEADER = ("工单号", "受理时间", "客户名称", "服务类型", "问题描述", "满意度", "处理状态", "处理人")
# The service desk's ticket system puts a title line above the header of its export.
_SERVICE_TITLE = "客户服务记录导出（2023-01-01 至 2025-12-31）"
SERVICE_FIRST_DATA_LINE = 3
_SERVICE_KINDS = ("咨询", "投诉", "反馈", "拜访", "电话")
_INQUIRY, _COMPLAINT, _FEEDBACK, _VISIT, _CALL = range(5)
_SERVICE_KIND_WEIGHTS = (0.32, 0.12, 0.14, 0.16, 0.26)
# Other words agents type for the same kind, and a catch-all nobody mapped.
_SERVICE_KIND_ALIASES = (("询价", "问询"), ("客诉",), ("建议", "回访"), ("上门",), ("来电", "去电"))
_SERVICE_OTHER_KIND = "其他"
_SERVICE_SHARE_BUYERS, _SERVICE_SHARE_PROSPECTS = 0.6, 0.25  # customers who ever get in touch
_SERVICE_CONTACTS_PER_YEAR = 1.5
# Satisfaction 1..5 as surveyed after a contact: complaints score low.
_RATED_SHARE = (0.4, 0.6, 0.7, 0.3, 0.3)
_SCORE_WEIGHTS_COMPLAINT = (0.3, 0.3, 0.25, 0.1, 0.05)
_SCORE_WEIGHTS_OTHER = (0.02, 0.05, 0.18, 0.4, 0.35)
_COMPLAINT_DAYS_TO_RESOLVE = 4.0  # median; a long tail stays open for weeks
_COMPLAINT_STUCK_SHARE = 0.04  # never closed in the system
_COMPLAINT_NO_STATUS_SHARE = 0.04
_RESOLVED_LABELS = {"已解决": 0.6, "已处理": 0.25, "关闭": 0.15}
_OPEN_LABELS = {"处理中": 0.5, "未解决": 0.3, "待处理": 0.2}
_SERVICE_NOTES = (
    ("咨询续费价格", "询问发票开具流程", "咨询新版本功能", "询问培训安排", "咨询接口对接", "询问合同条款"),
    ("发货延迟", "系统登录异常", "实施进度慢", "发票信息有误", "售后响应慢", "扫码终端故障", "数据导出报错",
     "账单金额有误"),
    ("建议增加报表导出", "对培训效果满意", "希望优化移动端", "反馈界面卡顿", "满意度回访"),
    ("季度回访", "上门演示新版本", "需求调研", "续约沟通", "现场培训"),
    ("确认付款进度", "跟进合同签署", "电话回访", "确认发货地址", "预约上门时间"),
)
# Ticket times come from the system; visit records are typed in by hand, dates only.
_SERVICE_DATE_STYLES = {"system": 0.6, "excel": 0.2, "slash": 0.08, "chinese": 0.08, "iso": 0.04}
_SERVICE_AGENTS = 8


@dataclass
class _Service:
    entity: np.ndarray
    day: np.ndarray
    seq_in_day: np.ndarray
    kind: np.ndarray  # index into _SERVICE_KINDS
    kind_alias: np.ndarray  # 0 the plain label, 1.. an alias, -1 the unmapped catch-all
    score: np.ndarray  # 0 unrated, else 1..5
    status: np.ndarray  # "" or the label typed
    note: np.ndarray
    date_style: np.ndarray
    minute: np.ndarray
    name_style: np.ndarray  # 0 proper name, 1 the usual variant, 2 a fresh re-typing
    agent: np.ndarray


def _make_service(seed: int, ent: _Entities) -> _Service:
    rng = _stream(seed, "service")
    buyer = ent.status != _PROSPECT
    in_touch = rng.random(ent.n) < np.where(buyer, _SERVICE_SHARE_BUYERS, _SERVICE_SHARE_PROSPECTS)
    # A churned company keeps calling (and complaining) for a while after its last order.
    last = np.where(ent.status == _CHURNED, np.minimum(ent.order_end + 90, _N_DAYS - 1), _N_DAYS - 1)
    years = (last - ent.created + 1) / 365.0
    appetite = rng.lognormal(0.0, 0.8, size=ent.n) * _SERVICE_CONTACTS_PER_YEAR * years
    counts = np.where(in_touch, 1 + rng.poisson(appetite), 0)
    entity = np.repeat(np.arange(ent.n, dtype=np.int32), counts)
    n = entity.size

    day = _sample_business_days(rng, ent.created[entity].astype(np.int64), last[entity].astype(np.int64))
    kind = _choice(rng, n, _SERVICE_KIND_WEIGHTS).astype(np.int8)
    lifecycle = ent.status[entity]
    u = rng.random(n)
    # Companies that stopped buying complained more; prospects have little to complain about.
    kind = np.where((lifecycle == _CHURNED) & (u < 0.15), _COMPLAINT, kind)
    kind = np.where((lifecycle == _PROSPECT) & (kind == _COMPLAINT) & (u < 0.7), _INQUIRY, kind).astype(np.int8)
    alias_u = rng.random(n)
    alias_pick = rng.integers(0, 2, size=n)
    alias_count = np.array([len(a) for a in _SERVICE_KIND_ALIASES])[kind]
    kind_alias = np.where(alias_u < 0.08, 1 + alias_pick % alias_count, 0)
    kind_alias = np.where(alias_u > 0.992, -1, kind_alias).astype(np.int8)

    complaint = kind == _COMPLAINT
    rated = rng.random(n) < np.array(_RATED_SHARE)[kind]
    score = 1 + np.where(complaint, _choice(rng, n, _SCORE_WEIGHTS_COMPLAINT), _choice(rng, n, _SCORE_WEIGHTS_OTHER))
    score = np.where(rated, score, 0).astype(np.int8)

    resolve_days = np.ceil(rng.lognormal(np.log(_COMPLAINT_DAYS_TO_RESOLVE), 0.9, size=n))
    still_open = (rng.random(n) < _COMPLAINT_STUCK_SHARE) | (day + resolve_days > _N_DAYS - 1)
    resolved_label = _categories(rng, n, _RESOLVED_LABELS)
    open_label = _categories(rng, n, _OPEN_LABELS)
    no_status = rng.random(n) < _COMPLAINT_NO_STATUS_SHARE
    status_text = np.where(still_open, open_label, resolved_label)
    status_text = np.where(complaint & ~no_status, status_text, "").astype(object)

    note_pick = rng.random(n)
    notes = [np.array(options, dtype=object) for options in _SERVICE_NOTES]
    note = np.empty(n, dtype=object)
    for k, options in enumerate(notes):
        rows = kind == k
        note[rows] = options[(note_pick[rows] * options.size).astype(np.int64)]
    forwarded = complaint & (rng.random(n) < 0.2)
    note[forwarded] = note[forwarded] + "，已转技术部"
    note[rng.random(n) < 0.1] = ""

    date_style = _choice(rng, n, list(_SERVICE_DATE_STYLES.values())).astype(np.int8)
    styles = list(_SERVICE_DATE_STYLES)
    by_hand = np.array([styles.index(style) for style in ("slash", "chinese", "iso")])
    timed = date_style < by_hand.min()  # the system and Excel styles carry a time
    date_style = np.where((kind == _VISIT) & timed, by_hand[rng.integers(by_hand.size, size=n)], date_style)
    minute = rng.integers(8 * 60 + 30, 18 * 60, size=n).astype(np.int16)
    name_style = _choice(rng, n, (0.7, 0.2, 0.1)).astype(np.int8)
    agent = rng.integers(_SERVICE_AGENTS, size=n).astype(np.int8)

    # Ticket numbers run with the calendar: sort by day, ties in random order.
    shuffle = rng.permutation(n)
    order = shuffle[np.argsort(day[shuffle], kind="stable")]
    day = day[order]
    first_of_day = np.searchsorted(day, np.arange(_N_DAYS))
    return _Service(
        entity=entity[order], day=day, seq_in_day=(np.arange(n) - first_of_day[day]).astype(np.int32),
        kind=kind[order], kind_alias=kind_alias[order], score=score[order], status=status_text[order],
        note=note[order], date_style=date_style[order], minute=minute[order], name_style=name_style[order],
        agent=agent[order],
    )


def _service_agents(seed: int, reps: _Reps) -> list[str]:
    rng = _stream(seed, "service-agents")
    names: list[str] = []
    while len(names) < _SERVICE_AGENTS:
        name = _SURNAMES[rng.integers(len(_SURNAMES))][0] + "".join(
            _GIVEN_CHARS[i][0] for i in rng.integers(len(_GIVEN_CHARS), size=2))
        if name not in names and name not in reps.names:
            names.append(name)
    return names


def _write_service(seed: int, out_dir: Path, ent: _Entities, reps: _Reps) -> int:
    service = _make_service(seed, ent)
    cal = _calendar()
    n = service.entity.size
    entity = service.entity

    # A fresh re-typing per row that asks for one; the rest use the proper name or the usual variant.
    name_rng = _stream(seed, "service-names")
    retyped = np.flatnonzero(service.name_style == 2)
    kinds = _draw_variant_kinds(name_rng, ent, entity[retyped])
    detail = name_rng.random(retyped.size).tolist()
    name = np.where(service.name_style == 1, np.array(ent.alt_name, dtype=object)[entity],
                    np.array(ent.name, dtype=object)[entity])
    name[retyped] = [_name_variant(ent, e, k, u) for e, k, u in zip(entity[retyped].tolist(), kinds, detail)]

    labels = [np.array((label, *aliases), dtype=object)
              for label, aliases in zip(_SERVICE_KINDS, _SERVICE_KIND_ALIASES)]
    kind = np.empty(n, dtype=object)
    for k, options in enumerate(labels):
        rows = service.kind == k
        kind[rows] = options[np.maximum(service.kind_alias[rows], 0)]
    kind[service.kind_alias < 0] = _SERVICE_OTHER_KIND

    clock = np.array([f" {m // 60}:{m % 60:02d}" for m in range(24 * 60)], dtype=object)
    padded_clock = np.array([f" {m // 60:02d}:{m % 60:02d}:00" for m in range(24 * 60)], dtype=object)
    texts = {"system": np.array(cal.iso, dtype=object), "excel": np.array(cal.slash, dtype=object),
             "slash": np.array(cal.slash, dtype=object), "chinese": np.array(cal.chinese, dtype=object),
             "iso": np.array(cal.iso, dtype=object)}
    date = np.empty(n, dtype=object)
    for s, style in enumerate(_SERVICE_DATE_STYLES):
        rows = service.date_style == s
        date[rows] = texts[style][service.day[rows]]
        if style == "system":
            date[rows] = date[rows] + padded_clock[service.minute[rows]]
        elif style == "excel":  # how Excel re-saves a timestamp it has parsed
            date[rows] = date[rows] + clock[service.minute[rows]]

    compact = np.array(cal.compact, dtype=object)
    days, seqs = service.day.tolist(), service.seq_in_day.tolist()
    ticket = np.array([f"FW{compact[d]}{q + 1:04d}" for d, q in zip(days, seqs)], dtype=object)
    ticket[service.kind == _VISIT] = ""  # visits are logged by the rep, outside the ticket system
    agents = np.array(_service_agents(seed, reps), dtype=object)
    handler = agents[service.agent]
    owned = ~ent.unowned[entity]
    visit = (service.kind == _VISIT) & owned
    handler[visit] = np.array(reps.names, dtype=object)[ent.owner[entity[visit]]]
    score = np.array(["", "1", "2", "3", "4", "5"], dtype=object)[service.score]

    # Saved from Excel as "CSV UTF-8": with BOM and CRLF.
    rows = _write_csv(out_dir / SERVICE_FILE, SERVICE_HEADER,
                      [ticket, date, name, kind, service.note, score, service.status, handler],
                      _CsvStyle(bom=True, newline="\r\n"), _SERVICE_TITLE)
    _write_csv(
        out_dir / TRUTH_SERVICE_ROWS,
        ("file", "source_row", "entity_id"),
        [[SERVICE_FILE] * n, _int_text(np.arange(n) + SERVICE_FIRST_DATA_LINE), _int_text(entity + 1)],
    )
    return rows
