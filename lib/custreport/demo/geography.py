"""Where the demo companies are: regions, provinces and cities from the project's regions table.

The names come from params/regions.yaml (:func:`custreport.config.load_regions`): each
region's code and Chinese name (sheet names, the 所属区域 columns), and each province's
name, English name (the Salesforce state picklist), full name (浙江省) and one-character
abbreviation (浙), the last two read off its aliases, in the table's order. What the table
does not hold stays here: how customers spread over regions and provinces, which of a
province's cities they sit in (capital first) and each city's telephone area code. Every
city named here must be one of its province's cities in the table.

Outside a project (no params/regions.yaml found, or ``CUSTREPORT_HOME`` naming a folder
without one) the regions.yaml at the root of this package's repository is read instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from custreport.config import _PROVINCE_SUFFIXES, Province, RegionTable, load_regions, project_root
from custreport.errors import UserError

#: The regions table read outside a project: the one at the root of this package's repository.
SHIPPED_REGIONS_YAML = Path(__file__).resolve().parents[3] / "params" / "regions.yaml"

# Customers concentrate in the coastal economies (by region code).
_REGION_WEIGHTS = {"east": 0.34, "south": 0.20, "north": 0.16, "central": 0.12, "southwest": 0.09,
                   "northwest": 0.05, "northeast": 0.04}

# Per province: its share within its region, and the cities the demo's companies sit in with
# their telephone area codes, capital first. Provinces the table has beyond these get no customers.
_PROVINCE_SPREAD: dict[str, tuple[float, tuple[tuple[str, str], ...]]] = {
    "上海": (0.18, (("上海", "021"),)),
    "江苏": (0.22, (("南京", "025"), ("苏州", "0512"), ("无锡", "0510"), ("常州", "0519"))),
    "浙江": (0.22, (("杭州", "0571"), ("宁波", "0574"), ("温州", "0577"), ("绍兴", "0575"))),
    "安徽": (0.08, (("合肥", "0551"), ("芜湖", "0553"), ("蚌埠", "0552"))),
    "福建": (0.10, (("福州", "0591"), ("厦门", "0592"), ("泉州", "0595"))),
    "江西": (0.05, (("南昌", "0791"), ("赣州", "0797"), ("九江", "0792"))),
    "山东": (0.15, (("济南", "0531"), ("青岛", "0532"), ("烟台", "0535"), ("潍坊", "0536"))),
    "广东": (0.80, (("广州", "020"), ("深圳", "0755"), ("东莞", "0769"), ("佛山", "0757"))),
    "广西": (0.13, (("南宁", "0771"), ("柳州", "0772"), ("桂林", "0773"))),
    "海南": (0.07, (("海口", "0898"), ("三亚", "0898"))),
    "北京": (0.40, (("北京", "010"),)),
    "天津": (0.15, (("天津", "022"),)),
    "河北": (0.25, (("石家庄", "0311"), ("唐山", "0315"), ("保定", "0312"))),
    "山西": (0.10, (("太原", "0351"), ("大同", "0352"), ("长治", "0355"))),
    "内蒙古": (0.10, (("呼和浩特", "0471"), ("包头", "0472"), ("鄂尔多斯", "0477"))),
    "河南": (0.35, (("郑州", "0371"), ("洛阳", "0379"), ("新乡", "0373"))),
    "湖北": (0.35, (("武汉", "027"), ("宜昌", "0717"), ("襄阳", "0710"))),
    "湖南": (0.30, (("长沙", "0731"), ("株洲", "0731"), ("岳阳", "0730"))),
    "重庆": (0.25, (("重庆", "023"),)),
    "四川": (0.45, (("成都", "028"), ("绵阳", "0816"), ("宜宾", "0831"))),
    "贵州": (0.12, (("贵阳", "0851"), ("遵义", "0851"))),
    "云南": (0.15, (("昆明", "0871"), ("曲靖", "0874"), ("大理", "0872"))),
    "西藏": (0.03, (("拉萨", "0891"), ("日喀则", "0892"))),
    "陕西": (0.50, (("西安", "029"), ("宝鸡", "0917"), ("咸阳", "029"))),
    "甘肃": (0.15, (("兰州", "0931"), ("天水", "0938"))),
    "青海": (0.07, (("西宁", "0971"), ("海东", "0972"))),
    "宁夏": (0.08, (("银川", "0951"), ("吴忠", "0953"))),
    "新疆": (0.20, (("乌鲁木齐", "0991"), ("克拉玛依", "0990"), ("喀什", "0998"))),
    "辽宁": (0.45, (("沈阳", "024"), ("大连", "0411"), ("鞍山", "0412"))),
    "吉林": (0.25, (("长春", "0431"), ("吉林", "0432"), ("四平", "0434"))),
    "黑龙江": (0.30, (("哈尔滨", "0451"), ("大庆", "0459"), ("齐齐哈尔", "0452"))),
}
# Capitals and big cities take most companies of a province.
_CITY_RANK_WEIGHTS = (0.5, 0.25, 0.15, 0.1)


@dataclass(frozen=True)
class _Province:
    short: str  # 浙江
    full: str  # 浙江省
    abbr: str  # 浙
    pinyin: str  # Zhejiang, as in the Salesforce state picklist
    region: int  # index into Geography.regions
    weight: float  # share within the region
    cities: tuple[tuple[str, str], ...]  # (city, telephone area code), capital first


@dataclass(frozen=True)
class Geography:
    """The demo's regions, provinces and flattened city table."""

    region_codes: tuple[str, ...]  # east, south, ... in the table's order
    regions: tuple[str, ...]  # 华东, 华南, ...: sheet names and 所属区域 labels
    provinces: tuple[_Province, ...]
    city: tuple[str, ...]
    area_code: tuple[str, ...]
    city_province: np.ndarray  # province index per city
    city_weight: np.ndarray
    province_region: np.ndarray  # region index per province


def demo_geography(table: RegionTable | None = None) -> Geography:
    """The demo's geography over ``table``, by default the one :func:`demo_regions_yaml` names."""
    if table is not None:
        return geography(table, "the regions table")
    path = demo_regions_yaml()
    return geography(load_regions(path), str(path))


def demo_regions_yaml() -> Path:
    """The project's params/regions.yaml, else (no project, or a project folder without one)
    the one shipped at the root of this package's repository."""
    try:
        path = project_root() / "params" / "regions.yaml"
    except UserError:
        path = None
    if path is None or not path.is_file():
        if not SHIPPED_REGIONS_YAML.is_file():
            raise UserError("no params/regions.yaml found for the demo data: run it in a project folder "
                            "or set CUSTREPORT_HOME")
        path = SHIPPED_REGIONS_YAML
    return path


def geography(table: RegionTable, source: str) -> Geography:
    """The demo's geography over the regions of ``table`` (read from ``source``) that it spreads
    customers over; a UserError naming ``source`` when the table lacks what the demo needs."""
    codes, names, provinces = [], [], []
    for region in table.regions:
        if region.code not in _REGION_WEIGHTS or region.code in codes:
            continue
        codes.append(region.code)
        names.append(region.zh)
        for province in region.provinces:
            if province.name in _PROVINCE_SPREAD and all(p.short != province.name for p in provinces):
                provinces.append(_demo_province(province, len(codes) - 1, source))
    missing = [code for code in _REGION_WEIGHTS if code not in codes]
    missing += [name for name in _PROVINCE_SPREAD if all(p.short != name for p in provinces)]
    if missing:
        named = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        raise UserError(f"{source}: no {named}: the demo data needs the regions {', '.join(_REGION_WEIGHTS)} "
                        f"and {len(_PROVINCE_SPREAD)} of their provinces")
    return _flatten(tuple(codes), tuple(names), tuple(provinces))


def _demo_province(province: Province, region: int, source: str) -> _Province:
    weight, cities = _PROVINCE_SPREAD[province.name]
    unknown = [city for city, _ in cities if city not in province.cities]
    if unknown:
        raise UserError(f"{source}: no city {'、'.join(unknown)} in {province.name}, "
                        "where the demo data places customers")
    full = [alias for alias in province.aliases
            if alias.startswith(province.name) and alias[len(province.name):] in _PROVINCE_SUFFIXES]
    abbr = [alias for alias in province.aliases if len(alias) == 1 and not alias.isascii()]
    if not (province.en and full and abbr):
        raise UserError(f"{source}: {province.name} needs an English name, a full name among its aliases "
                        "(such as 浙江省) and a one-character abbreviation (such as 浙): the demo data writes all three")
    return _Province(province.name, full[0], abbr[0], province.en, region, weight, cities)


def _flatten(codes: tuple[str, ...], names: tuple[str, ...], provinces: tuple[_Province, ...]) -> Geography:
    cities, area_codes, city_province, weights = [], [], [], []
    for p_idx, prov in enumerate(provinces):
        region_weight = _REGION_WEIGHTS[codes[prov.region]]
        rank_weights = np.array(_CITY_RANK_WEIGHTS[: len(prov.cities)])
        rank_weights /= rank_weights.sum()
        for (city, code), w in zip(prov.cities, rank_weights):
            cities.append(city)
            area_codes.append(code)
            city_province.append(p_idx)
            weights.append(region_weight * prov.weight * w)
    region_totals = {}
    for prov in provinces:
        region_totals[prov.region] = region_totals.get(prov.region, 0.0) + prov.weight
    # Province weights need not sum to one per region; normalise them there.
    weights = [
        w / region_totals[provinces[p].region] for w, p in zip(weights, city_province)
    ]
    return Geography(
        region_codes=codes,
        regions=names,
        provinces=provinces,
        city=tuple(cities),
        area_code=tuple(area_codes),
        city_province=np.array(city_province),
        city_weight=np.array(weights) / sum(weights),
        province_region=np.array([p.region for p in provinces]),
    )
