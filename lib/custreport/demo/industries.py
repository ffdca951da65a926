"""The trades demo companies work in, with the words that put a trade into a company name."""

from __future__ import annotations

from dataclasses import dataclass


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
