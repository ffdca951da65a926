"""The deliberate mess: phones in every layout, blanks, province and city labels as typed, money in mixed formats."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from custreport.demo.draws import _categories
from custreport.demo.geography import Geography

if TYPE_CHECKING:
    from custreport.demo.companies import _Entities


_GARBAGE_PROVINCES = ("未知", "-", "--", "N/A", "其他", "待定")


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


def _blank_some(rng: np.random.Generator, values: list, share: float) -> list:
    blank = rng.random(len(values)) < share
    return [("" if b else v) for v, b in zip(values, blank)]


def _province_labels(rng: np.random.Generator, geo: Geography, province: np.ndarray,
                     spec: dict[str, float]) -> list[str]:
    """Province as typed: keys of ``spec`` are pinyin/full/short/abbr/garbage."""
    style = _categories(rng, province.size, spec).tolist()
    garbage = rng.integers(len(_GARBAGE_PROVINCES), size=province.size).tolist()
    return [
        _GARBAGE_PROVINCES[g] if st == "garbage" else getattr(geo.provinces[p], st)
        for p, st, g in zip(province.tolist(), style, garbage)
    ]


def _city_labels(rng: np.random.Generator, geo: Geography, city: np.ndarray, with_shi: float,
                 missing: float) -> list[str]:
    names = geo.city
    u = rng.random(city.size).tolist()
    return [
        "" if x < missing else (names[c] + "市" if x < missing + with_shi else names[c])
        for c, x in zip(city.tolist(), u)
    ]
