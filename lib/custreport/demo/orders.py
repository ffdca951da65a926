"""orders.csv: the GBK ERP export of orders, with products, channels, dealers and orders from unknown companies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from custreport.demo.companies import _DIRECT, _Entities, _ONLINE, _PROSPECT
from custreport.demo.dates import _N_DAYS, _calendar, _sample_business_days
from custreport.demo.draws import _choice, _stream
from custreport.demo.files import ORDERS_FILE, TRUTH_ORDER_ROWS, _CsvStyle, _CsvWriter, _int_text
from custreport.demo.geography import Geography
from custreport.demo.industries import _INDUSTRIES
from custreport.demo.mess import _currency_money, _format_by_value, _plain_money, _wan_money
from custreport.demo.names import _draw_names


@dataclass(frozen=True)
class _Product:
    name: str
    list_price: int  # yuan
    mean_qty: float
    max_qty: int
    weight: float


_PRODUCTS: tuple[_Product, ...] = (
    _Product("云ERP标准版（年费）", 12800, 1.3, 5, 0.16),
    _Product("云ERP专业版（年费）", 29800, 1.2, 3, 0.08),
    _Product("CRM销售云（用户/年）", 1200, 18.0, 300, 0.20),
    _Product("数据分析平台", 45000, 1.0, 1, 0.05),
    _Product("智能客服系统", 36000, 1.1, 2, 0.06),
    _Product("实施服务（人天）", 2500, 8.0, 60, 0.17),
    _Product("培训服务（场）", 6000, 1.6, 6, 0.10),
    _Product("扫码终端设备", 1680, 12.0, 200, 0.18),
)
_DISCOUNTS = (1.0, 0.98, 0.95, 0.92, 0.9, 0.88, 0.85, 0.8, 0.75, 0.7)
_DISCOUNT_WEIGHTS = (0.22, 0.06, 0.16, 0.06, 0.16, 0.08, 0.12, 0.08, 0.04, 0.02)

# Dealers by region code.
_DEALERS = {
    "east": ("经销商-华东鑫达", "经销商-华东恒信"),
    "south": ("经销商-华南粤通",),
    "north": ("经销商-华北京联",),
    "central": ("经销商-华中楚天",),
    "southwest": ("经销商-西南蜀海",),
    "northwest": ("经销商-西北长安",),
    "northeast": ("经销商-东北辽沈",),
}
_ORDER_STATUSES = ("已完成", "退货", "已取消")
_ORDER_STATUS_WEIGHTS = (0.94, 0.04, 0.02)


ORDERS_HEADER = ("订单号", "下单日期", "客户名称", "产品", "数量", "单价", "金额", "销售渠道", "订单状态")
_ORDERS_PER_CUSTOMER = 10.0
_GHOST_ORDER_SHARE = 0.002
_ORDER_CHUNK = 1_000_000
# The ERP was fed by several front ends over the years, each with its own date layout.
_ORDER_DATE_STYLES = {"iso": 0.45, "slash": 0.2, "chinese": 0.1, "compact": 0.1, "iso_time": 0.15}


@dataclass
class _Orders:
    entity: np.ndarray  # -1 for a customer that exists nowhere else
    day: np.ndarray
    seq_in_day: np.ndarray
    product: np.ndarray
    qty: np.ndarray
    price_cents: np.ndarray
    channel: np.ndarray  # index into _channel_names(geo)
    status: np.ndarray
    date_style: np.ndarray
    minute: np.ndarray
    amount_style: np.ndarray  # 0 plain, 1 blank, 2 ￥1,234.50, 3 1.2万
    use_alt_name: np.ndarray
    ghost_name: np.ndarray  # index into the ghost name list, -1 if none
    ghost_names: list[str]


def _channel_names(geo: Geography) -> list[str]:
    names = ["直销", "电商"]
    for code in geo.region_codes:
        names.extend(_DEALERS[code])
    return names


def _make_orders(seed: int, ent: _Entities) -> _Orders:
    rng = _stream(seed, "orders")
    buyers = np.flatnonzero(ent.status != _PROSPECT)
    window_years = (ent.order_end[buyers] - ent.created[buyers] + 1) / 365.0
    appetite = rng.lognormal(0.0, 1.0, size=buyers.size) * window_years
    target_total = _ORDERS_PER_CUSTOMER * ent.n
    scale = max(target_total - buyers.size, 0.0) / max(appetite.sum(), 1e-9)
    counts = 1 + rng.poisson(appetite * scale)
    entity = np.repeat(buyers.astype(np.int32), counts)
    n = entity.size

    day = _sample_business_days(rng, ent.created[entity].astype(np.int64), ent.order_end[entity].astype(np.int64))
    product = _choice(rng, n, [p.weight for p in _PRODUCTS]).astype(np.int8)
    mean_qty = np.array([p.mean_qty for p in _PRODUCTS])[product]
    max_qty = np.array([p.max_qty for p in _PRODUCTS])[product]
    qty = np.minimum(rng.geometric(1.0 / mean_qty), max_qty).astype(np.int32)
    list_cents = np.array([p.list_price * 100 for p in _PRODUCTS], dtype=np.int64)[product]
    discount = np.array(_DISCOUNTS)[_choice(rng, n, _DISCOUNT_WEIGHTS)]
    price_cents = np.rint(list_cents * discount).astype(np.int64)

    channel_names = _channel_names(ent.geo)
    dealer_index = {name: i for i, name in enumerate(channel_names)}
    region_dealers = [np.array([dealer_index[d] for d in _DEALERS[code]]) for code in ent.geo.region_codes]
    dealer_pick = rng.integers(0, 2, size=n)
    region = ent.region[entity]
    dealer = np.empty(n, dtype=np.int16)
    for r, options in enumerate(region_dealers):
        rows = region == r
        dealer[rows] = options[dealer_pick[rows] % options.size]
    pref = ent.channel_pref[entity]
    preferred = np.select([pref == _DIRECT, pref == _ONLINE], [0, 1], default=dealer)
    stray = rng.random(n) < 0.1
    channel = np.where(stray, rng.integers(len(channel_names), size=n), preferred).astype(np.int16)

    status = _choice(rng, n, _ORDER_STATUS_WEIGHTS).astype(np.int8)
    date_style = _choice(rng, n, list(_ORDER_DATE_STYLES.values())).astype(np.int8)
    minute = (rng.integers(8 * 60, 21 * 60, size=n)).astype(np.int16)
    amount_style = _choice(rng, n, (0.84, 0.05, 0.07, 0.04)).astype(np.int8)
    use_alt_name = rng.random(n) < 0.15

    ghost = rng.random(n) < _GHOST_ORDER_SHARE
    n_ghost_names = max(3, int(ghost.sum() // 4))
    ghost_names = _ghost_names(seed, ent, n_ghost_names)
    ghost_name = np.where(ghost, rng.integers(n_ghost_names, size=n), -1).astype(np.int32)
    entity = np.where(ghost, -1, entity).astype(np.int32)

    # Order numbers run with the calendar: sort by day, ties in random order.
    shuffle = rng.permutation(n)
    order = shuffle[np.argsort(day[shuffle], kind="stable")]
    day = day[order]
    first_of_day = np.searchsorted(day, np.arange(_N_DAYS))
    seq_in_day = (np.arange(n) - first_of_day[day]).astype(np.int32)
    return _Orders(
        entity=entity[order], day=day, seq_in_day=seq_in_day, product=product[order], qty=qty[order],
        price_cents=price_cents[order], channel=channel[order], status=status[order],
        date_style=date_style[order], minute=minute[order], amount_style=amount_style[order],
        use_alt_name=use_alt_name[order], ghost_name=ghost_name[order], ghost_names=ghost_names,
    )


def _ghost_names(seed: int, ent: _Entities, count: int) -> list[str]:
    """Names of companies that appear in no customer table at all."""
    rng = _stream(seed, "ghosts")
    geo = ent.geo
    city = _choice(rng, count, geo.city_weight)
    industry = _choice(rng, count, [ind.weight for ind in _INDUSTRIES])
    *_, names, _ = _draw_names(rng, geo, city, industry, set(ent.key))
    return names


def _write_orders(out_dir: Path, ent: _Entities, orders: _Orders) -> int:
    cal = _calendar()
    # Lookup tables turn most columns into a single take per chunk.
    date_text = np.array(
        [getattr(cal, "iso" if style == "iso_time" else style) for style in _ORDER_DATE_STYLES], dtype=object
    )
    time_style = list(_ORDER_DATE_STYLES).index("iso_time")
    clock = np.array([f" {m // 60:02d}:{m % 60:02d}:00" for m in range(24 * 60)], dtype=object)
    compact = np.array(cal.compact, dtype=object)
    seq_width = max(4, len(str(int(orders.seq_in_day.max(initial=0)) + 1)))
    seq_text = np.array(
        [str(i).zfill(seq_width) for i in range(1, int(orders.seq_in_day.max(initial=0)) + 2)], dtype=object
    )
    canonical = np.array(ent.name, dtype=object)
    alternative = np.array(ent.alt_name, dtype=object)
    ghosts = np.array(orders.ghost_names, dtype=object)
    products = np.array([p.name for p in _PRODUCTS], dtype=object)
    channels = np.array(_channel_names(ent.geo), dtype=object)
    statuses = np.array(_ORDER_STATUSES, dtype=object)
    qty_text = _int_text(np.arange(int(orders.qty.max(initial=0)) + 1))
    entity_text = np.concatenate([_int_text(np.arange(1, ent.n + 1)), np.array([""], dtype=object)])

    # Windows ERP export: GBK, CRLF, no BOM.
    style = _CsvStyle(encoding="gbk", newline="\r\n")
    truth_header = ("file", "source_row", "entity_id")
    with _CsvWriter(out_dir / ORDERS_FILE, ORDERS_HEADER, style) as writer, _CsvWriter(
        out_dir / TRUTH_ORDER_ROWS, truth_header
    ) as truth:
        for start in range(0, orders.entity.size, _ORDER_CHUNK):
            sl = slice(start, start + _ORDER_CHUNK)
            day = orders.day[sl]
            rows = day.size
            order_no = ("SO" + compact[day]) + seq_text[orders.seq_in_day[sl]]
            date_style = orders.date_style[sl]
            date = date_text[date_style, day]
            timed = date_style == time_style
            date[timed] = date[timed] + clock[orders.minute[sl][timed]]

            entity = orders.entity[sl]
            known = entity >= 0
            safe_entity = np.where(known, entity, 0)
            name = np.where(orders.use_alt_name[sl], alternative[safe_entity], canonical[safe_entity])
            name[~known] = ghosts[orders.ghost_name[sl][~known]]

            qty = orders.qty[sl]
            price = orders.price_cents[sl]
            amount_cents = qty.astype(np.int64) * price
            amount = _format_by_value(amount_cents, _plain_money)
            amount_style = orders.amount_style[sl]
            amount[amount_style == 1] = ""
            currency = amount_style == 2
            amount[currency] = _format_by_value(amount_cents[currency], _currency_money)
            wan = (amount_style == 3) & (amount_cents >= 1_000_000)
            amount[wan] = _format_by_value(amount_cents[wan], _wan_money)

            writer.append([
                order_no, date, name, products[orders.product[sl]], qty_text[qty],
                _format_by_value(price, _plain_money), amount, channels[orders.channel[sl]],
                statuses[orders.status[sl]],
            ])
            truth.append([
                [ORDERS_FILE] * rows,
                _int_text(np.arange(start + 2, start + 2 + rows)),
                entity_text[entity],  # -1 picks the trailing blank
            ])
        return writer.rows
