"""Deterministic generator of messy, multi-source raw customer data.

The data imitates what a Chinese B2B company really has lying around: a
Salesforce-style CRM export, a hand-kept Excel workbook with one sheet per
sales region, a GBK-encoded order export from the ERP, an opportunity list, a
sales-rep roster and the service desk's log of inquiries, complaints, visits
and calls. The same companies appear across these sources under slightly
different names, phones are typed in every format, dates are mixed, provinces
are abbreviated, some values are missing or garbage, and a few of the newest
accounts have no owner yet.

Everything is drawn from ``numpy.random.default_rng`` streams derived from the
seed, and every date lies in 2023-01-01..2025-12-31, so the same
``(customers, seed)`` always yields byte-identical files. Per-order work is
vectorised, which keeps a million customers (about ten million orders) within
a couple of minutes.

Files written (see :data:`FILE_NAMES`), plus a ``_truth/`` folder that maps
every raw customer, order, deal and service row to the entity it belongs to, so
that cleaning and matching code can be scored.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = [
    "CRM_HEADER",
    "DEALS_HEADER",
    "FILE_NAMES",
    "ORDERS_HEADER",
    "REGIONS",
    "REPS_HEADER",
    "SERVICE_HEADER",
    "generate",
]

CRM_FILE = "crm_accounts.csv"
WORKBOOK_FILE = "客户管理表.xlsx"
ORDERS_FILE = "orders.csv"
DEALS_FILE = "deals.csv"
REPS_FILE = "reps.csv"
SERVICE_FILE = "服务记录.csv"
TRUTH_CUSTOMER_ROWS = "_truth/customer_rows.csv"
TRUTH_ORDER_ROWS = "_truth/order_rows.csv"
TRUTH_DEAL_ROWS = "_truth/deal_rows.csv"
TRUTH_SERVICE_ROWS = "_truth/service_rows.csv"
TRUTH_ENTITIES = "_truth/entities.csv"
TRUTH_README = "_truth/README.md"

#: Every data file :func:`generate` writes, relative to ``out_dir``.
FILE_NAMES = (
    CRM_FILE,
    WORKBOOK_FILE,
    ORDERS_FILE,
    DEALS_FILE,
    REPS_FILE,
    SERVICE_FILE,
    TRUTH_CUSTOMER_ROWS,
    TRUTH_ORDER_ROWS,
    TRUTH_DEAL_ROWS,
    TRUTH_SERVICE_ROWS,
    TRUTH_ENTITIES,
)

# ---------------------------------------------------------------------------
# Reference tables
# ---------------------------------------------------------------------------

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
_GARBAGE_PROVINCES = ("未知", "-", "--", "N/A", "其他", "待定")


@dataclass(frozen=True)
class _Industry:
    zh: str
    en: str  # Salesforce industry picklist value
    weight: float
    name_words: tuple[str, ...]  # words that put the trade into a company name


_INDUSTRIES: tuple[_Industry, ...] = (
    _Industry("制造业", "Manufacturing", 0.24,
              ("机械", "电子", "精密机械", "五金制品", "新材料", "汽车配件", "电气", "模具", "3D打印")),
    _Industry("零售", "Retail", 0.11, ("商贸", "百货", "超市", "贸易", "商业")),
    _Industry("金融", "Finance", 0.06, ("投资", "金融服务", "资产管理", "融资租赁", "保险代理")),
    _Industry("互联网", "Technology", 0.10, ("网络科技", "信息技术", "科技", "软件", "数据科技")),
    _Industry("医疗", "Healthcare", 0.07, ("医疗器械", "医药", "生物科技", "健康管理")),
    _Industry("教育", "Education", 0.05, ("教育科技", "培训", "文化传播")),
    _Industry("物流", "Transportation", 0.08, ("物流", "供应链管理", "货运代理", "仓储")),
    _Industry("能源", "Energy", 0.05, ("能源", "新能源", "电力", "石化", "光伏科技")),
    _Industry("房地产", "Real Estate", 0.05, ("置业", "房地产开发", "物业管理", "地产")),
    _Industry("餐饮", "Food & Beverage", 0.07, ("餐饮管理", "食品", "餐饮", "酒店管理")),
    _Industry("化工", "Chemicals", 0.06, ("化工", "化学", "涂料", "塑胶")),
    _Industry("建筑", "Construction", 0.06, ("建设", "建筑工程", "装饰工程", "建材")),
)

def _pinyin_pairs(spec: str) -> tuple[tuple[str, str], ...]:
    """``"华:hua 信:xin"`` -> ``(("华", "hua"), ("信", "xin"))``."""
    return tuple(tuple(item.split(":")) for item in spec.split())  # type: ignore[misc]


# Brand characters with a pinyin spelling, used for brands and e-mail domains.
_BRAND_CHARS = _pinyin_pairs(
    "华:hua 信:xin 金:jin 鼎:ding 立:li 达:da 恒:heng 通:tong 宏:hong 远:yuan "
    "盛:sheng 泰:tai 安:an 康:kang 瑞:rui 祥:xiang 德:de 福:fu 佳:jia 美:mei "
    "新:xin 世:shi 纪:ji 天:tian 宇:yu 海:hai 洋:yang 光:guang 明:ming 东:dong "
    "方:fang 中:zhong 国:guo 嘉:jia 和:he 利:li 源:yuan 丰:feng 汇:hui 聚:ju "
    "博:bo 创:chuang 智:zhi 联:lian 合:he 兴:xing 隆:long 昌:chang 荣:rong 益:yi "
    "鑫:xin 万:wan 发:fa 建:jian 永:yong 长:chang 久:jiu 正:zheng 大:da 成:cheng "
    "广:guang 诚:cheng 凯:kai 捷:jie 迅:xun 飞:fei 腾:teng 龙:long 凤:feng 麒:qi "
    "麟:lin 云:yun 峰:feng 山:shan 川:chuan 江:jiang 河:he 湖:hu 润:run 泽:ze "
    "晨:chen 阳:yang 星:xing 辰:chen 月:yue 春:chun 秋:qiu 冠:guan 卓:zhuo 越:yue "
    "优:you 精:jing 君:jun 悦:yue 欣:xin 乐:le 友:you 邦:bang 亚:ya 太:tai "
    "环:huan 球:qiu 百:bai 千:qian 圣:sheng 贤:xian 宝:bao 玉:yu 银:yin 铭:ming "
    "雅:ya 致:zhi 振:zhen 威:wei 力:li 强:qiang 顺:shun 景:jing 青:qing 蓝:lan "
    "奥:ao 普:pu 森:sen 林:lin 豪:hao 俊:jun 锦:jin 绿:lv 翔:xiang 彩:cai"
)
_ASCII_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"

# Suffix, share; "集团有限公司" and "集团" exercise repeated suffix stripping.
_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "集团")
_SUFFIX_WEIGHTS = (0.68, 0.09, 0.14, 0.06, 0.03)

_SURNAMES = _pinyin_pairs(
    "张:zhang 王:wang 李:li 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou "
    "徐:xu 孙:sun 马:ma 朱:zhu 胡:hu 郭:guo 何:he 高:gao 林:lin 罗:luo 郑:zheng "
    "梁:liang 谢:xie 宋:song 唐:tang 许:xu 韩:han 冯:feng 邓:deng 曹:cao 彭:peng "
    "曾:zeng 肖:xiao 田:tian 董:dong 袁:yuan 潘:pan 于:yu 蒋:jiang 蔡:cai 余:yu "
    "杜:du 叶:ye 程:cheng 苏:su 魏:wei 吕:lv 丁:ding 任:ren 沈:shen"
)
_GIVEN_CHARS = _pinyin_pairs(
    "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong "
    "艳:yan 杰:jie 娟:juan 涛:tao 明:ming 超:chao 秀:xiu 霞:xia 平:ping 刚:gang "
    "英:ying 华:hua 玉:yu 萍:ping 红:hong 建:jian 文:wen 辉:hui 鹏:peng 斌:bin "
    "宇:yu 浩:hao 凯:kai 晨:chen 欣:xin 婷:ting 雪:xue 琳:lin 颖:ying 倩:qian "
    "帆:fan 峰:feng 波:bo 亮:liang 佳:jia 怡:yi 思:si 梦:meng 晓:xiao 志:zhi "
    "海:hai 东:dong 俊:jun 慧:hui 鑫:xin 宁:ning 博:bo 瑶:yao"
)
_GENERIC_MAILBOXES = ("info", "sales", "service", "contact", "admin", "office", "market", "hr", "caiwu", "purchase")
_MAIL_TLDS = (".com", ".com.cn", ".cn", ".net")
_MAIL_TLD_WEIGHTS = (0.5, 0.3, 0.15, 0.05)


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

_DEALERS = {
    "华东": ("经销商-华东鑫达", "经销商-华东恒信"),
    "华南": ("经销商-华南粤通",),
    "华北": ("经销商-华北京联",),
    "华中": ("经销商-华中楚天",),
    "西南": ("经销商-西南蜀海",),
    "西北": ("经销商-西北长安",),
    "东北": ("经销商-东北辽沈",),
}
_DIRECT, _DEALER, _ONLINE = 0, 1, 2
_CHANNEL_PREF_WEIGHTS = (0.5, 0.35, 0.15)
_ORDER_STATUSES = ("已完成", "退货", "已取消")
_ORDER_STATUS_WEIGHTS = (0.94, 0.04, 0.02)

_DEAL_OPEN_STAGES = ("初步接触", "需求确认", "方案报价", "商务谈判")
_DEAL_WON, _DEAL_LOST = "赢单", "输单"
_LEAD_SOURCES = ("官网", "展会", "电话营销", "客户转介绍", "合作伙伴", "线上广告", "老客户复购")
_LEAD_SOURCE_WEIGHTS = (0.22, 0.14, 0.18, 0.16, 0.12, 0.1, 0.08)

# Entity lifecycle.
_PROSPECT, _ACTIVE, _CHURNED = 0, 1, 2
_STATUS_NAMES = ("prospect", "active", "churned")

_WB_TYPES = ("潜在客户", "意向客户", "成交客户", "老客户", "流失客户")
_CRM_TYPES = ("Prospect", "Customer - Direct", "Customer - Channel", "Other", "")

# ---------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------

_FIRST_DAY = dt.date(2023, 1, 1)
_LAST_DAY = dt.date(2025, 12, 31)
_N_DAYS = (_LAST_DAY - _FIRST_DAY).days + 1
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Monthly demand: Spring Festival slump in February, year-end budget rush.
_MONTH_FACTORS = (0.95, 0.6, 1.05, 1.0, 1.0, 1.1, 0.95, 0.95, 1.05, 0.95, 1.15, 1.3)


@dataclass(frozen=True)
class _Calendar:
    dates: tuple[dt.date, ...]
    iso: tuple[str, ...]  # 2024-03-05
    slash: tuple[str, ...]  # 2024/3/5
    chinese: tuple[str, ...]  # 2024年3月5日
    compact: tuple[str, ...]  # 20240305
    us: tuple[str, ...]  # 3/5/2024
    excel_serial: np.ndarray
    business_cum_weight: np.ndarray  # cumulative day weights, length _N_DAYS + 1


@lru_cache(maxsize=1)
def _calendar() -> _Calendar:
    dates = tuple(_FIRST_DAY + dt.timedelta(days=i) for i in range(_N_DAYS))
    weights = np.array(
        [
            # Business grows ~25% a year; weekends see little B2B activity.
            (1.0 + 0.25 * (d.year - _FIRST_DAY.year + (d.month - 1) / 12))
            * _MONTH_FACTORS[d.month - 1]
            * (0.3 if d.weekday() >= 5 else 1.0)
            for d in dates
        ]
    )
    return _Calendar(
        dates=dates,
        iso=tuple(d.isoformat() for d in dates),
        slash=tuple(f"{d.year}/{d.month}/{d.day}" for d in dates),
        chinese=tuple(f"{d.year}年{d.month}月{d.day}日" for d in dates),
        compact=tuple(d.strftime("%Y%m%d") for d in dates),
        us=tuple(f"{d.month}/{d.day}/{d.year}" for d in dates),
        excel_serial=np.array([(d - _EXCEL_EPOCH).days for d in dates], dtype=np.int64),
        business_cum_weight=np.concatenate([[0.0], np.cumsum(weights)]),
    )


def _sample_business_days(rng: np.random.Generator, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Draw one day per (first, last) window, following the business-day weights."""
    cum = _calendar().business_cum_weight
    lo = cum[first]
    hi = cum[last + 1]
    target = lo + rng.random(first.shape[0]) * (hi - lo)
    days = np.searchsorted(cum, target, side="right") - 1
    return np.clip(days, first, last).astype(np.int32)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per component, so editing one part of the
    generator does not reshuffle the data of the others."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _choice(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _categories(rng: np.random.Generator, n: int, spec: dict[str, float]) -> np.ndarray:
    """Per-row category labels drawn from ``{label: share}``."""
    labels = np.array(list(spec), dtype=object)
    return labels[_choice(rng, n, list(spec.values()))]


def _int_text(values: np.ndarray) -> np.ndarray:
    """Integers as an object array of decimal strings."""
    return np.array(list(map(str, values.tolist())), dtype=object)


def _format_by_value(values: np.ndarray, fmt) -> np.ndarray:
    """Apply ``fmt`` once per distinct value; amounts repeat a lot."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.array([fmt(int(v)) for v in distinct], dtype=object)[inverse.reshape(-1)]


def _plain_money(cents: int) -> str:
    """An amount as Excel's General format shows it: 10880, 10880.5, 10880.55."""
    yuan, frac = divmod(cents, 100)
    if frac == 0:
        return str(yuan)
    return f"{yuan}.{frac // 10}" if frac % 10 == 0 else f"{yuan}.{frac:02d}"


def _currency_money(cents: int) -> str:
    # GBK has no U+00A5, so the full-width yuan sign is what such exports carry.
    return f"￥{cents // 100:,}.{cents % 100:02d}"


def _wan_money(cents: int) -> str:
    return f"{cents / 1_000_000:.1f}".rstrip("0").rstrip(".") + "万"


_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
_HALF_WIDTH_PARENS = str.maketrans({"（": "(", "）": ")"})


# ---------------------------------------------------------------------------
# CSV writing
# ---------------------------------------------------------------------------


def _csv_text(columns: Sequence[Sequence[str] | np.ndarray], *, quote_all: bool, newline: str) -> str:
    """Render equally long string columns as CSV lines (RFC 4180 quoting)."""
    fields = []
    for column in columns:
        values = column.tolist() if isinstance(column, np.ndarray) else list(column)
        # One scan of the whole column spares a per-value check in the common case.
        joined = "\x00".join(values)
        has_quote = '"' in joined
        if quote_all:
            if has_quote:
                values = ['"' + v.replace('"', '""') + '"' for v in values]
            else:
                values = ['"' + v + '"' for v in values]
        elif _NEEDS_QUOTES.search(joined):
            values = ['"' + v.replace('"', '""') + '"' if _NEEDS_QUOTES.search(v) else v for v in values]
        fields.append(values)
    if not fields or not fields[0]:
        return ""
    return newline.join(map(",".join, zip(*fields))) + newline


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


@dataclass(frozen=True)
class _CsvStyle:
    encoding: str = "utf-8"
    bom: bool = False
    quote_all: bool = False
    newline: str = "\n"


_PLAIN = _CsvStyle()


class _CsvWriter:
    """Append-only CSV file written in column blocks."""

    def __init__(self, path: Path, header: Sequence[str], style: _CsvStyle = _PLAIN, title: str = ""):
        self.style = style
        self.rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("wb")
        if style.bom:
            self._file.write("\ufeff".encode(style.encoding))
        if title:
            self._write([[title]])
        self._write([[h] for h in header])

    def _write(self, columns: Sequence[Sequence[str] | np.ndarray]) -> None:
        text = _csv_text(columns, quote_all=self.style.quote_all, newline=self.style.newline)
        self._file.write(text.encode(self.style.encoding))

    def append(self, columns: Sequence[Sequence[str] | np.ndarray]) -> None:
        self._write(columns)
        self.rows += len(columns[0])

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> _CsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_csv(path: Path, header: Sequence[str], columns: Sequence, style: _CsvStyle = _PLAIN,
               title: str = "") -> int:
    with _CsvWriter(path, header, style, title) as writer:
        writer.append(columns)
        return writer.rows


# ---------------------------------------------------------------------------
# Geography lookups (flattened city table)
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Sales reps
# ---------------------------------------------------------------------------

_CUSTOMERS_PER_REP = 170
_MIN_REPS_PER_REGION = 3
_MAX_REPS_PER_REGION = 60


@dataclass
class _Reps:
    names: list[str]
    region: np.ndarray  # region index per rep
    weight: np.ndarray  # relative share of the region's accounts a rep takes

    def of_region(self, region: int) -> np.ndarray:
        return np.flatnonzero(self.region == region)


def _make_reps(rng: np.random.Generator, region_counts: np.ndarray) -> _Reps:
    per_region = np.clip(
        np.rint(region_counts / _CUSTOMERS_PER_REP), _MIN_REPS_PER_REGION, _MAX_REPS_PER_REGION
    ).astype(int)
    total = int(per_region.sum())
    names: list[str] = []
    taken: set[str] = set()
    while len(names) < total:
        surname = _SURNAMES[rng.integers(len(_SURNAMES))][0]
        given_len = 1 if rng.random() < 0.3 else 2
        given = "".join(_GIVEN_CHARS[i][0] for i in rng.integers(len(_GIVEN_CHARS), size=given_len))
        name = surname + given
        if name not in taken:
            taken.add(name)
            names.append(name)
    region = np.repeat(np.arange(len(REGIONS)), per_region)
    weight = rng.lognormal(0.0, 0.45, size=total)
    # The first rep of each region is its manager and keeps a small book.
    first_of_region = np.concatenate([[0], np.cumsum(per_region)[:-1]])
    weight[first_of_region] *= 0.3
    return _Reps(names=names, region=region, weight=weight)


def _assign_reps(rng: np.random.Generator, reps: _Reps, region: np.ndarray) -> np.ndarray:
    """A rep of the given region for every row, favouring busier reps."""
    out = np.empty(region.shape[0], dtype=np.int32)
    for r in range(len(REGIONS)):
        rows = np.flatnonzero(region == r)
        members = reps.of_region(r)
        w = reps.weight[members]
        out[rows] = members[rng.choice(members.size, size=rows.size, p=w / w.sum())]
    return out


# ---------------------------------------------------------------------------
# Entities (the true companies)
# ---------------------------------------------------------------------------


@dataclass
class _Entities:
    n: int
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


def _name_key(city: str, brand: str, word: str, bracketed: bool) -> str:
    """Comparable form of a generated name: what is left after NFKC (which
    turns （） into ()), dropping spaces and stripping the legal-form suffix."""
    return f"{brand}{word}({city})" if bracketed else f"{city}{brand}{word}"


def _compose_name(city: str, brand: str, word: str, suffix: str, bracketed: bool, sep: str = "") -> str:
    if bracketed:
        return f"{brand}{word}{sep}（{city}）{sep}{suffix}"
    return f"{city}{sep}{brand}{word}{sep}{suffix}"


def _draw_brands(rng: np.random.Generator, n: int) -> list[str]:
    chars = [c for c, _ in _BRAND_CHARS]
    first = rng.integers(len(chars), size=n)
    # Second character differs from the first: "华华" is not a brand.
    second = (first + 1 + rng.integers(len(chars) - 1, size=n)) % len(chars)
    ascii_brand = rng.random(n) < 0.05
    letter_counts = rng.integers(2, 4, size=n)
    letters = rng.integers(len(_ASCII_UPPER), size=(n, 3))
    brands = []
    for i in range(n):
        if ascii_brand[i]:
            brands.append("".join(_ASCII_UPPER[j] for j in letters[i, : letter_counts[i]]))
        else:
            brands.append(chars[first[i]] + chars[second[i]])
    return brands


def _draw_names(rng: np.random.Generator, city: np.ndarray, industry: np.ndarray, taken: set[str]):
    """Company names whose comparable key is unique, also against ``taken``."""
    n = city.shape[0]
    geo = _geo()
    suffix_idx = _choice(rng, n, _SUFFIX_WEIGHTS)
    bracketed = (rng.random(n) < 0.08) & (suffix_idx <= 2)
    suffix = [_SUFFIXES[i] for i in suffix_idx]
    brand = [""] * n
    word = [""] * n
    name = [""] * n
    key = [""] * n
    city_names = [geo.city[c] for c in city.tolist()]
    industry_words = [_INDUSTRIES[i].name_words for i in industry.tolist()]
    is_bracketed = bracketed.tolist()
    pending = list(range(n))
    for _ in range(1000):
        if not pending:
            break
        new_brands = _draw_brands(rng, len(pending))
        word_u = rng.random(len(pending)).tolist()
        still = []
        for i, b, u in zip(pending, new_brands, word_u):
            words = industry_words[i]
            w = words[int(u * len(words))]
            k = _name_key(city_names[i], b, w, is_bracketed[i])
            if k in taken:
                still.append(i)
                continue
            taken.add(k)
            brand[i], word[i], key[i] = b, w, k
            name[i] = _compose_name(city_names[i], b, w, suffix[i], is_bracketed[i])
        pending = still
    else:
        raise RuntimeError("could not draw enough distinct company names")
    return brand, word, suffix, bracketed, name, key


def _make_entities(seed: int, n: int) -> tuple[_Entities, _Reps]:
    geo = _geo()
    rng = _stream(seed, "entities")

    city = _choice(rng, n, geo.city_weight)
    province = geo.city_province[city]
    region = geo.province_region[province]
    industry = _choice(rng, n, [ind.weight for ind in _INDUSTRIES])
    brand, word, suffix, bracketed, name, key = _draw_names(_stream(seed, "names"), city, industry, set())

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

    region_counts = np.bincount(region, minlength=len(REGIONS))
    reps = _make_reps(_stream(seed, "reps"), region_counts)
    owner = _assign_reps(rng, reps, region)
    # Its own stream, so leaving accounts unassigned reshuffles nothing else.
    recent = created >= _UNASSIGNED_SINCE
    unowned = recent & (_stream(seed, "unowned").random(n) < _UNASSIGNED_SHARE_OF_RECENT)

    entities = _Entities(
        n=n, city=city, province=province, region=region, industry=industry,
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


# ---------------------------------------------------------------------------
# Name variants
# ---------------------------------------------------------------------------

_VARIANT_KINDS = ("no_suffix", "spaced", "width", "padded", "no_suffix_spaced", "no_city", "typo")
# Hard variants (no_city, typo) are rare, as in real data.
_VARIANT_WEIGHTS = (0.33, 0.22, 0.2, 0.13, 0.1, 0.01, 0.01)


def _draw_variant_kinds(rng: np.random.Generator, ent: _Entities, entity: np.ndarray) -> list[str]:
    kinds = [_VARIANT_KINDS[k] for k in _choice(rng, entity.size, _VARIANT_WEIGHTS)]
    # Latin letters and digits are where a Chinese IME slips into full width.
    slips = rng.random(entity.size) < 0.4
    return [
        "width" if slips[j] and not ent.name[e].isascii() and any(c.isascii() for c in ent.name[e]) else kind
        for j, (e, kind) in enumerate(zip(entity, kinds))
    ]


def _name_variant(ent: _Entities, i: int, kind: str, u: float) -> str:
    """How a person might re-type company ``i``'s name; ``u`` in [0, 1) picks
    the details so the result is a pure function of the drawn numbers."""
    city = _geo().city[ent.city[i]]
    brand, word, suffix = ent.brand[i], ent.word[i], ent.suffix[i]
    bracketed = bool(ent.bracketed_city[i])
    if kind == "no_suffix":
        return _compose_name(city, brand, word, "", bracketed)
    if kind in ("spaced", "no_suffix_spaced"):
        sep = "\u3000" if u < 0.15 else ("  " if u < 0.3 else " ")
        sfx = "" if kind == "no_suffix_spaced" else suffix
        return _compose_name(city, brand, word, sfx, bracketed, sep=sep).strip()
    if kind == "width":
        name = ent.name[i]
        if any(c.isascii() for c in name):
            return name.translate(_FULL_WIDTH)
        if bracketed:
            return name.translate(_HALF_WIDTH_PARENS)
        kind = "padded"
    if kind == "padded":
        name = ent.name[i]
        pads = (" " + name, name + " ", "  " + name + " ", name + "\u3000", name + "  ")
        return pads[int(u * len(pads))]
    if kind == "no_city":
        return f"{brand}{word}{suffix}"
    if kind == "typo":
        chars = [c for c, _ in _BRAND_CHARS]
        pos = int(u * len(brand))
        if brand.isascii():
            replacement = _ASCII_UPPER[(_ASCII_UPPER.find(brand[pos]) + 1 + int(u * 1000) % 20) % len(_ASCII_UPPER)]
        else:
            current = chars.index(brand[pos]) if brand[pos] in chars else 0
            replacement = chars[(current + 1 + int(u * 10_000) % (len(chars) - 1)) % len(chars)]
        new_brand = brand[:pos] + replacement + brand[pos + 1 :]
        return _compose_name(city, new_brand, word, suffix, bracketed)
    raise ValueError(f"unknown name variant {kind!r}")


# ---------------------------------------------------------------------------
# Raw customer rows (CRM export and regional workbook)
# ---------------------------------------------------------------------------

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
    shift = rng.integers(1, len(REGIONS), size=wb_second.size)
    second_region = np.where(other_sheet, (ent.region[wb_second] + shift) % len(REGIONS), ent.region[wb_second])

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


def _format_phones(rng: np.random.Generator, ent: _Entities, entity: np.ndarray) -> list[str]:
    """Each row's phone as typed: same number, many layouts, some broken or blank."""
    n = entity.size
    style = rng.random(n).tolist()
    fate = rng.random(n).tolist()
    cut = rng.integers(1, 4, size=n).tolist()
    letter_pos = rng.integers(3, 10, size=n).tolist()
    ext = rng.integers(800, 900, size=n).tolist()
    kinds = ent.phone_kind[entity].tolist()
    all_digits = ent.phone_digits
    out = []
    for j, e in enumerate(entity.tolist()):
        if fate[j] < 0.08:
            out.append("")
            continue
        digits = all_digits[e]
        kind = kinds[j]
        s = style[j]
        if fate[j] < 0.11:  # broken: truncated or a letter typed for a digit
            if s < 0.6:
                out.append(digits[: -cut[j]])
            else:
                p = letter_pos[j]
                out.append(digits[:p] + "OlI"[j % 3] + digits[p + 1 :])
            continue
        if kind == 0:
            a, b, c = digits[:3], digits[3:7], digits[7:]
            if s < 0.5:
                out.append(digits)
            elif s < 0.64:
                out.append(f"{a}-{b}-{c}")
            elif s < 0.76:
                out.append(f"{a} {b} {c}")
            elif s < 0.88:
                out.append(f"+86 {a} {b} {c}")
            else:
                out.append(f"86-{digits}")
        elif kind == 1:
            code_len = 3 if digits[1] in "12" else 4
            code, local = digits[:code_len], digits[code_len:]
            half = len(local) - 4
            if s < 0.35:
                out.append(f"{code}-{local[:half]} {local[half:]}")
            elif s < 0.7:
                out.append(f"{code}-{local}")
            elif s < 0.82:
                out.append(f"({code}){local}")
            elif s < 0.92:
                out.append(digits)
            else:
                out.append(f"{code}-{local}-{ext[j]}")
        else:
            if s < 0.6:
                out.append(f"{digits[:3]}-{digits[3:6]}-{digits[6:]}")
            elif s < 0.85:
                out.append(digits)
            else:
                out.append(f"{digits[:3]} {digits[3:6]} {digits[6:]}")
    return out


def _owner_names(ent: _Entities, reps: _Reps, entity: np.ndarray, owner: np.ndarray) -> list[str]:
    """The owning rep of each row as written: blank for accounts not yet assigned."""
    unowned = ent.unowned[entity].tolist()
    return ["" if none else reps.names[r] for r, none in zip(owner.tolist(), unowned)]


def _blank_some(rng: np.random.Generator, values: list, share: float) -> list:
    blank = rng.random(len(values)) < share
    return [("" if b else v) for v, b in zip(values, blank)]


def _province_labels(rng: np.random.Generator, province: np.ndarray, spec: dict[str, float]) -> list[str]:
    """Province as typed: keys of ``spec`` are pinyin/full/short/abbr/garbage."""
    style = _categories(rng, province.size, spec).tolist()
    garbage = rng.integers(len(_GARBAGE_PROVINCES), size=province.size).tolist()
    return [
        _GARBAGE_PROVINCES[g] if st == "garbage" else getattr(_PROVINCES[p], st)
        for p, st, g in zip(province.tolist(), style, garbage)
    ]


def _city_labels(rng: np.random.Generator, city: np.ndarray, with_shi: float, missing: float) -> list[str]:
    names = _geo().city
    u = rng.random(city.size).tolist()
    return [
        "" if x < missing else (names[c] + "市" if x < missing + with_shi else names[c])
        for c, x in zip(city.tolist(), u)
    ]


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


# ---------------------------------------------------------------------------
# crm_accounts.csv
# ---------------------------------------------------------------------------

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
        rng, ent.province[e], {"pinyin": 0.85, "full": 0.07, "short": 0.07, "garbage": _GARBAGE_PROVINCE_SHARE}
    )
    city = _city_labels(rng, ent.city[e], with_shi=0.25, missing=0.06)
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


# ---------------------------------------------------------------------------
# 客户管理表.xlsx
# ---------------------------------------------------------------------------

# Each regional team built its own sheet: labels and column order drift.
_SHEET_LAYOUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "华东": (("seq", "序号"), ("name", "客户名称"), ("phone", "联系电话"), ("province", "所在省份"),
             ("city", "城市"), ("industry", "所属行业"), ("type", "客户类型"), ("owner", "负责人"),
             ("created", "建档日期"), ("email", "邮箱"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
    "华南": (("name", "公司名称"), ("phone", "手机号"), ("province", "省份"), ("city", "所在城市"),
             ("industry", "行业"), ("type", "客户类型"), ("owner", "销售负责人"), ("created", "创建日期"),
             ("email", "电子邮件"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
    "华北": (("name", "客户名称"), ("province", "所在省份"), ("city", "城市"), ("phone", "联系电话"),
             ("email", "邮箱"), ("industry", "所属行业"), ("type", "客户类型"), ("intent", "意向度"),
             ("value", "潜在价值(万元)"), ("owner", "负责人"), ("created", "建档日期")),
    "华中": (("seq", "序号"), ("name", "公司名称"), ("phone", "联系电话"), ("province", "省份"),
             ("city", "城市"), ("industry", "行业"), ("type", "客户类型"), ("owner", "负责人"),
             ("created", "创建日期"), ("email", "邮箱"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
    "西南": (("name", "客户名称"), ("phone", "手机号"), ("province", "所在省份"), ("city", "所在城市"),
             ("industry", "所属行业"), ("type", "客户类型"), ("owner", "销售负责人"), ("created", "建档日期"),
             ("email", "电子邮件"), ("intent", "意向度"), ("value", "潜在价值(万元)")),
    "西北": (("name", "公司名称"), ("phone", "联系电话"), ("province", "省份"), ("city", "城市"),
             ("industry", "所属行业"), ("type", "客户类型"), ("owner", "负责人"), ("created", "建档日期"),
             ("email", "邮箱"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
    "东北": (("name", "客户名称"), ("phone", "联系电话"), ("province", "省份"), ("city", "所在城市"),
             ("industry", "行业"), ("type", "客户类型"), ("owner", "销售负责人"), ("created", "创建日期"),
             ("email", "电子邮件"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
}
# Row 1 merged title, row 2 note, row 3 header, data from row 4, then a 合计 row.
WORKBOOK_FIRST_DATA_ROW = 4
_WORKBOOK_NOTE = "说明：本表由各区域销售录入，如有疑问请联系市场部"
_FIXED_TIMESTAMP = dt.datetime(2025, 12, 31, 18, 0, 0)


def _workbook_dates(rng: np.random.Generator, days: np.ndarray) -> list:
    """Entry dates as different people typed them into Excel."""
    cal = _calendar()
    style = _categories(
        rng, days.size,
        {"date": 0.45, "slash": 0.2, "chinese": 0.12, "iso": 0.1, "serial": 0.11, "blank": 0.02},
    )
    out: list = []
    for d, st in zip(days.tolist(), style.tolist()):
        if st == "date":
            out.append(cal.dates[d])
        elif st == "serial":
            out.append(int(cal.excel_serial[d]))  # a date pasted as a number
        elif st == "blank":
            out.append(None)
        else:
            out.append(getattr(cal, st)[d])
    return out


def _workbook_columns(seed: int, ent: _Entities, reps: _Reps, rows: _CustomerRows) -> dict[str, list]:
    rng = _stream(seed, "workbook")
    e = rows.entity
    n = e.size
    names = _blank_some(rng, rows.name, _BLANK_NAME_SHARE)
    phones: list = _format_phones(rng, ent, e)
    # Excel turns a typed mobile number into a number cell.
    as_number = (rng.random(n) < 0.25).tolist()
    for j, p in enumerate(phones):
        if as_number[j] and len(p) == 11 and p.isdigit() and p[0] == "1":
            phones[j] = int(p)
    province = _province_labels(
        rng, ent.province[e],
        {"full": 0.45, "short": 0.44, "abbr": 0.10, "garbage": _GARBAGE_PROVINCE_SHARE},
    )
    wb_type, _ = _customer_type_labels(rng, ent, e)
    value_blank = (rng.random(n) < 0.05).tolist()
    # Each rep estimates the value on their own; the figures scatter.
    value = np.round(ent.potential_value[e] * rng.lognormal(0.0, 0.2, size=n), 1).tolist()
    return {
        "name": [v if v else None for v in names],
        "phone": [v if v != "" else None for v in phones],
        "province": province,
        "city": [v or None for v in _city_labels(rng, ent.city[e], with_shi=0.3, missing=0.06)],
        "industry": [v or None for v in _blank_some(rng, [_INDUSTRIES[i].zh for i in ent.industry[e]], 0.07)],
        "type": [v or None for v in _blank_some(rng, [_WB_TYPES[t] for t in wb_type], 0.02)],
        "owner": [v or None for v in _blank_some(rng, _owner_names(ent, reps, e, rows.owner), 0.02)],
        "created": _workbook_dates(rng, rows.day),
        "email": [v or None for v in _blank_some(rng, [ent.email[i] for i in e], 0.03)],
        "value": [None if blank else v for v, blank in zip(value, value_blank)],
        "intent": _intent_labels(rng, wb_type),
    }


def _write_workbook(seed: int, out_dir: Path, ent: _Entities, reps: _Reps, rows: _CustomerRows) -> dict[str, np.ndarray]:
    """Write the regional workbook; return each sheet's entity ids in row order."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = _workbook_columns(seed, ent, reps, rows)
    wb = Workbook(write_only=True)
    wb.properties.creator = "市场部"
    wb.properties.lastModifiedBy = "市场部"
    wb.properties.created = _FIXED_TIMESTAMP
    sheet_entities: dict[str, np.ndarray] = {}
    title_font = Font(bold=True, size=14)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for r, region in enumerate(REGIONS):
        layout = _SHEET_LAYOUTS[region]
        ws = wb.create_sheet(region)
        last_col = get_column_letter(len(layout))
        ws.merged_cells.add(f"A1:{last_col}1")
        for c, (field, _) in enumerate(layout, start=1):
            ws.column_dimensions[get_column_letter(c)].width = 30 if field == "name" else 14

        title = WriteOnlyCell(ws, value=f"{region}区客户管理表（2025年）")
        title.font = title_font
        title.alignment = Alignment(horizontal="center")
        ws.append([title])
        ws.append([_WORKBOOK_NOTE])
        header = []
        for _, label in layout:
            cell = WriteOnlyCell(ws, value=label)
            cell.font = header_font
            cell.fill = header_fill
            header.append(cell)
        ws.append(header)

        idx = np.flatnonzero(rows.region == r)
        sheet_entities[region] = rows.entity[idx]
        fields = [field for field, _ in layout]
        for seq, j in enumerate(idx, start=1):
            ws.append([seq if f == "seq" else columns[f][j] for f in fields])
        total = ["合计", idx.size] + [None] * (len(layout) - 2)
        value_col = fields.index("value")
        total[value_col] = float(round(sum(columns["value"][j] or 0.0 for j in idx), 1))
        ws.append(total)
    path = out_dir / WORKBOOK_FILE
    wb.save(path)
    _freeze_zip_metadata(path)
    return sheet_entities


def _freeze_zip_metadata(path: Path) -> None:
    """Rewrite an xlsx with fixed timestamps so identical content gives identical bytes."""
    stamp = _FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            if info.filename == "docProps/core.xml":
                xml = src.read(info).decode("utf-8")
                xml = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rf"\g<1>{stamp}", xml)
                dst.writestr(fixed, xml.encode("utf-8"))
                continue
            with src.open(info) as fin, dst.open(fixed, "w", force_zip64=True) as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)
    tmp.replace(path)


# ---------------------------------------------------------------------------
# orders.csv
# ---------------------------------------------------------------------------

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
    channel: np.ndarray  # index into _channel_names()
    status: np.ndarray
    date_style: np.ndarray
    minute: np.ndarray
    amount_style: np.ndarray  # 0 plain, 1 blank, 2 ￥1,234.50, 3 1.2万
    use_alt_name: np.ndarray
    ghost_name: np.ndarray  # index into the ghost name list, -1 if none
    ghost_names: list[str]


def _channel_names() -> list[str]:
    names = ["直销", "电商"]
    for region in REGIONS:
        names.extend(_DEALERS[region])
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

    channel_names = _channel_names()
    dealer_index = {name: i for i, name in enumerate(channel_names)}
    region_dealers = [np.array([dealer_index[d] for d in _DEALERS[r]]) for r in REGIONS]
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
    geo = _geo()
    city = _choice(rng, count, geo.city_weight)
    industry = _choice(rng, count, [ind.weight for ind in _INDUSTRIES])
    *_, names, _ = _draw_names(rng, city, industry, set(ent.key))
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
    channels = np.array(_channel_names(), dtype=object)
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


# ---------------------------------------------------------------------------
# deals.csv
# ---------------------------------------------------------------------------

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
    region_txt = np.where(rng.random(n) < 0.3, "", np.array(REGIONS, dtype=object)[reps.region[owner]])
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


# ---------------------------------------------------------------------------
# 服务记录.csv
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# reps.csv
# ---------------------------------------------------------------------------

REPS_HEADER = ("工号", "姓名", "所属区域", "经理", "擅长行业", "客户容量")


def _write_reps(seed: int, out_dir: Path, ent: _Entities, reps: _Reps) -> int:
    rng = _stream(seed, "reps-table")
    n = len(reps.names)
    load = np.bincount(ent.owner[~ent.unowned], minlength=n)
    # Capacity is set per head by the manager: some reps are over-booked.
    capacity = np.maximum(50, np.rint(load * rng.uniform(0.75, 1.5, size=n) / 10) * 10).astype(np.int64)
    manager = {}
    for i in range(n):
        manager.setdefault(int(reps.region[i]), i)
    skills = []
    for i in range(n):
        k = int(rng.integers(1, 4))
        picks = rng.choice(len(_INDUSTRIES), size=k, replace=False)
        skills.append("、".join(_INDUSTRIES[p].zh for p in sorted(picks)))
    columns = [
        [f"S{i + 1:04d}" for i in range(n)],
        reps.names,
        [REGIONS[r] for r in reps.region],
        ["" if manager[int(r)] == i else reps.names[manager[int(r)]] for i, r in enumerate(reps.region)],
        skills,
        _int_text(capacity),
    ]
    return _write_csv(out_dir / REPS_FILE, REPS_HEADER, columns)


# ---------------------------------------------------------------------------
# _truth/
# ---------------------------------------------------------------------------

_TRUTH_README_TEXT = """\
# Ground truth for the generated raw files

These files are not part of the raw data. They record which real company every
raw row belongs to, so that cleaning, de-duplication and matching can be scored.
`entity_id` is an integer; the same id means the same company in every file.

- `customer_rows.csv` (`file, sheet, source_row, entity_id`): one line per
  customer data row in `crm_accounts.csv` and `客户管理表.xlsx`. `source_row` is
  the row number a person sees: for the CSV the line number with the header as
  line 1 (first data row = 2, `sheet` blank); for the workbook the Excel row
  number in `sheet` (first data row = 4; title, note, header and the closing
  合计 row are not listed). Rows with a blank company name are listed too.
- `order_rows.csv` (`file, source_row, entity_id`): one line per data row of
  `orders.csv`; `entity_id` is blank where the order names a company that
  exists in no customer table.
- `deal_rows.csv` (`file, source_row, entity_id`): the same for `deals.csv`.
- `service_rows.csv` (`file, source_row, entity_id`): the same for `服务记录.csv`,
  whose line 1 is the export's title and line 2 the header (first data row = 3).
- `entities.csv`: one line per real company with its proper name, comparable
  key (NFKC, no spaces, legal-form suffix removed; unique), region, province,
  city, industry, owning rep (blank for a new account not yet assigned: its
  customer rows show no owner either), account creation date and lifecycle
  status (`prospect` never ordered, `active`, `churned` stopped ordering).
"""


def _write_truth(
    out_dir: Path, ent: _Entities, reps: _Reps, crm: _CustomerRows, sheets: dict[str, np.ndarray]
) -> dict[str, int]:
    files, sheet_col, source_row, entity_id = [], [], [], []
    files.append(np.full(crm.entity.size, CRM_FILE, dtype=object))
    sheet_col.append(np.full(crm.entity.size, "", dtype=object))
    source_row.append(np.arange(crm.entity.size) + 2)
    entity_id.append(crm.entity + 1)
    for region, entities in sheets.items():
        files.append(np.full(entities.size, WORKBOOK_FILE, dtype=object))
        sheet_col.append(np.full(entities.size, region, dtype=object))
        source_row.append(np.arange(entities.size) + WORKBOOK_FIRST_DATA_ROW)
        entity_id.append(entities + 1)
    rows = _write_csv(
        out_dir / TRUTH_CUSTOMER_ROWS,
        ("file", "sheet", "source_row", "entity_id"),
        [np.concatenate(files), np.concatenate(sheet_col),
         _int_text(np.concatenate(source_row)), _int_text(np.concatenate(entity_id))],
    )
    cal = _calendar()
    geo = _geo()
    entity_rows = _write_csv(
        out_dir / TRUTH_ENTITIES,
        ("entity_id", "name", "name_key", "region", "province", "city", "industry", "owner", "created", "status"),
        [
            _int_text(np.arange(1, ent.n + 1)), ent.name, ent.key,
            [REGIONS[r] for r in ent.region], [_PROVINCES[p].short for p in ent.province],
            [geo.city[c] for c in ent.city], [_INDUSTRIES[i].zh for i in ent.industry],
            _owner_names(ent, reps, np.arange(ent.n), ent.owner), [cal.iso[d] for d in ent.created],
            [_STATUS_NAMES[s] for s in ent.status],
        ],
    )
    (out_dir / TRUTH_README).write_text(_TRUTH_README_TEXT, encoding="utf-8")
    return {TRUTH_CUSTOMER_ROWS: rows, TRUTH_ENTITIES: entity_rows}


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------


def generate(out_dir: Path, customers: int = 3000, seed: int = 7) -> dict[str, int]:
    """Write the raw demo files into ``out_dir`` (created if needed).

    Returns the number of data rows per file (header, title and total rows not
    counted; for the workbook, the customer rows over all sheets).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     counts = generate(Path(tmp), customers=200, seed=1)
    >>> sorted(counts) == sorted(FILE_NAMES)
    True
    >>> counts["_truth/entities.csv"]
    200
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    out_dir = Path(out_dir)
    (out_dir / "_truth").mkdir(parents=True, exist_ok=True)

    ent, reps = _make_entities(seed, customers)
    crm_rows, workbook_rows = _split_sources(seed, ent, reps)

    counts = {CRM_FILE: _write_crm(seed, out_dir, ent, reps, crm_rows)}
    sheets = _write_workbook(seed, out_dir, ent, reps, workbook_rows)
    counts[WORKBOOK_FILE] = int(sum(s.size for s in sheets.values()))
    counts.update(_write_truth(out_dir, ent, reps, crm_rows, sheets))
    del crm_rows, workbook_rows

    orders = _make_orders(seed, ent)
    counts[ORDERS_FILE] = _write_orders(out_dir, ent, orders)
    counts[TRUTH_ORDER_ROWS] = counts[ORDERS_FILE]
    del orders

    counts[DEALS_FILE] = _write_deals(seed, out_dir, ent, reps)
    counts[TRUTH_DEAL_ROWS] = counts[DEALS_FILE]
    counts[SERVICE_FILE] = _write_service(seed, out_dir, ent, reps)
    counts[TRUTH_SERVICE_ROWS] = counts[SERVICE_FILE]
    counts[REPS_FILE] = _write_reps(seed, out_dir, ent, reps)
    return {name: counts[name] for name in FILE_NAMES}
