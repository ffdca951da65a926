"""Company names: drawn with a unique comparable key, and re-typed the ways people re-type them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from custreport.demo.draws import _choice
from custreport.demo.geography import Geography
from custreport.demo.industries import _INDUSTRIES
from custreport.demo.mess import _FULL_WIDTH, _HALF_WIDTH_PARENS
from custreport.demo.people import _pinyin_pairs

if TYPE_CHECKING:
    from custreport.demo.companies import _Entities


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


def _draw_names(rng: np.random.Generator, geo: Geography, city: np.ndarray, industry: np.ndarray, taken: set[str]):
    """Company names whose comparable key is unique, also against ``taken``."""
    n = city.shape[0]
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
    city = ent.geo.city[ent.city[i]]
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
