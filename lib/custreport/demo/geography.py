"""Regions, provinces and cities the demo companies are placed in, with their weights and telephone area codes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


REGIONS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北")
# Customers concentrate in the coastal economies.
_REGION_WEIGHTS = (0.34, 0.20, 0.16, 0.12, 0.09, 0.05, 0.04)


@dataclass(frozen=True)
class _Province:
    short: str  # 浙江
    full: str  # 浙江省
    abbr: str  # 浙
    pinyin: str  # Zhejiang, as in the Salesforce state picklist
    region: str
    weight: float  # share within the region
    cities: tuple[tuple[str, str], ...]  # (city, telephone area code), capital first


_PROVINCES: tuple[_Province, ...] = (
    _Province("上海", "上海市", "沪", "Shanghai", "华东", 0.18, (("上海", "021"),)),
    _Province("江苏", "江苏省", "苏", "Jiangsu", "华东", 0.22,
              (("南京", "025"), ("苏州", "0512"), ("无锡", "0510"), ("常州", "0519"))),
    _Province("浙江", "浙江省", "浙", "Zhejiang", "华东", 0.22,
              (("杭州", "0571"), ("宁波", "0574"), ("温州", "0577"), ("绍兴", "0575"))),
    _Province("安徽", "安徽省", "皖", "Anhui", "华东", 0.08,
              (("合肥", "0551"), ("芜湖", "0553"), ("蚌埠", "0552"))),
    _Province("福建", "福建省", "闽", "Fujian", "华东", 0.10,
              (("福州", "0591"), ("厦门", "0592"), ("泉州", "0595"))),
    _Province("江西", "江西省", "赣", "Jiangxi", "华东", 0.05,
              (("南昌", "0791"), ("赣州", "0797"), ("九江", "0792"))),
    _Province("山东", "山东省", "鲁", "Shandong", "华东", 0.15,
              (("济南", "0531"), ("青岛", "0532"), ("烟台", "0535"), ("潍坊", "0536"))),
    _Province("广东", "广东省", "粤", "Guangdong", "华南", 0.80,
              (("广州", "020"), ("深圳", "0755"), ("东莞", "0769"), ("佛山", "0757"))),
    _Province("广西", "广西壮族自治区", "桂", "Guangxi", "华南", 0.13,
              (("南宁", "0771"), ("柳州", "0772"), ("桂林", "0773"))),
    _Province("海南", "海南省", "琼", "Hainan", "华南", 0.07, (("海口", "0898"), ("三亚", "0898"))),
    _Province("北京", "北京市", "京", "Beijing", "华北", 0.40, (("北京", "010"),)),
    _Province("天津", "天津市", "津", "Tianjin", "华北", 0.15, (("天津", "022"),)),
    _Province("河北", "河北省", "冀", "Hebei", "华北", 0.25,
              (("石家庄", "0311"), ("唐山", "0315"), ("保定", "0312"))),
    _Province("山西", "山西省", "晋", "Shanxi", "华北", 0.10,
              (("太原", "0351"), ("大同", "0352"), ("长治", "0355"))),
    _Province("内蒙古", "内蒙古自治区", "蒙", "Inner Mongolia", "华北", 0.10,
              (("呼和浩特", "0471"), ("包头", "0472"), ("鄂尔多斯", "0477"))),
    _Province("河南", "河南省", "豫", "Henan", "华中", 0.35,
              (("郑州", "0371"), ("洛阳", "0379"), ("新乡", "0373"))),
    _Province("湖北", "湖北省", "鄂", "Hubei", "华中", 0.35,
              (("武汉", "027"), ("宜昌", "0717"), ("襄阳", "0710"))),
    _Province("湖南", "湖南省", "湘", "Hunan", "华中", 0.30,
              (("长沙", "0731"), ("株洲", "0731"), ("岳阳", "0730"))),
    _Province("重庆", "重庆市", "渝", "Chongqing", "西南", 0.25, (("重庆", "023"),)),
    _Province("四川", "四川省", "川", "Sichuan", "西南", 0.45,
              (("成都", "028"), ("绵阳", "0816"), ("宜宾", "0831"))),
    _Province("贵州", "贵州省", "黔", "Guizhou", "西南", 0.12, (("贵阳", "0851"), ("遵义", "0851"))),
    _Province("云南", "云南省", "滇", "Yunnan", "西南", 0.15,
              (("昆明", "0871"), ("曲靖", "0874"), ("大理", "0872"))),
    _Province("西藏", "西藏自治区", "藏", "Tibet", "西南", 0.03, (("拉萨", "0891"), ("日喀则", "0892"))),
    _Province("陕西", "陕西省", "陕", "Shaanxi", "西北", 0.50,
              (("西安", "029"), ("宝鸡", "0917"), ("咸阳", "029"))),
    _Province("甘肃", "甘肃省", "甘", "Gansu", "西北", 0.15, (("兰州", "0931"), ("天水", "0938"))),
    _Province("青海", "青海省", "青", "Qinghai", "西北", 0.07, (("西宁", "0971"), ("海东", "0972"))),
    _Province("宁夏", "宁夏回族自治区", "宁", "Ningxia", "西北", 0.08, (("银川", "0951"), ("吴忠", "0953"))),
    _Province("新疆", "新疆维吾尔自治区", "新", "Xinjiang", "西北", 0.20,
              (("乌鲁木齐", "0991"), ("克拉玛依", "0990"), ("喀什", "0998"))),
    _Province("辽宁", "辽宁省", "辽", "Liaoning", "东北", 0.45,
              (("沈阳", "024"), ("大连", "0411"), ("鞍山", "0412"))),
    _Province("吉林", "吉林省", "吉", "Jilin", "东北", 0.25,
              (("长春", "0431"), ("吉林", "0432"), ("四平", "0434"))),
    _Province("黑龙江", "黑龙江省", "黑", "Heilongjiang", "东北", 0.30,
              (("哈尔滨", "0451"), ("大庆", "0459"), ("齐齐哈尔", "0452"))),
)
# Capitals and big cities take most companies of a province.
_CITY_RANK_WEIGHTS = (0.5, 0.25, 0.15, 0.1)


@dataclass(frozen=True)
class _Geo:
    city: tuple[str, ...]
    area_code: tuple[str, ...]
    city_province: np.ndarray  # province index per city
    city_weight: np.ndarray
    province_region: np.ndarray  # region index per province


@lru_cache(maxsize=1)
def _geo() -> _Geo:
    cities, codes, provinces, weights = [], [], [], []
    for p_idx, prov in enumerate(_PROVINCES):
        region_weight = _REGION_WEIGHTS[REGIONS.index(prov.region)]
        rank_weights = np.array(_CITY_RANK_WEIGHTS[: len(prov.cities)])
        rank_weights /= rank_weights.sum()
        for (city, code), w in zip(prov.cities, rank_weights):
            cities.append(city)
            codes.append(code)
            provinces.append(p_idx)
            weights.append(region_weight * prov.weight * w)
    region_totals = {}
    for prov in _PROVINCES:
        region_totals[prov.region] = region_totals.get(prov.region, 0.0) + prov.weight
    # Province weights need not sum to one per region; normalise them there.
    weights = [
        w / region_totals[_PROVINCES[p].region] for w, p in zip(weights, provinces)
    ]
    return _Geo(
        city=tuple(cities),
        area_code=tuple(codes),
        city_province=np.array(provinces),
        city_weight=np.array(weights) / sum(weights),
        province_region=np.array([REGIONS.index(p.region) for p in _PROVINCES]),
    )
