"""Person names, the sales reps (drawn, assigned to accounts, and written to reps.csv) and service-desk agents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from custreport.demo.draws import _stream
from custreport.demo.files import REPS_FILE, _int_text, _write_csv
from custreport.demo.industries import _INDUSTRIES

if TYPE_CHECKING:
    from custreport.demo.companies import _Entities


def _pinyin_pairs(spec: str) -> tuple[tuple[str, str], ...]:
    """``"华:hua 信:xin"`` -> ``(("华", "hua"), ("信", "xin"))``."""
    return tuple(tuple(item.split(":")) for item in spec.split())  # type: ignore[misc]


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


_CUSTOMERS_PER_REP = 170
_MIN_REPS_PER_REGION = 3
_MAX_REPS_PER_REGION = 60


@dataclass
class _Reps:
    names: list[str]
    region: np.ndarray  # region index per rep
    n_regions: int
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
    region = np.repeat(np.arange(per_region.size), per_region)
    weight = rng.lognormal(0.0, 0.45, size=total)
    # The first rep of each region is its manager and keeps a small book.
    first_of_region = np.concatenate([[0], np.cumsum(per_region)[:-1]])
    weight[first_of_region] *= 0.3
    return _Reps(names=names, region=region, n_regions=per_region.size, weight=weight)


def _assign_reps(rng: np.random.Generator, reps: _Reps, region: np.ndarray) -> np.ndarray:
    """A rep of the given region for every row, favouring busier reps."""
    out = np.empty(region.shape[0], dtype=np.int32)
    for r in range(reps.n_regions):
        rows = np.flatnonzero(region == r)
        members = reps.of_region(r)
        w = reps.weight[members]
        out[rows] = members[rng.choice(members.size, size=rows.size, p=w / w.sum())]
    return out


def _owner_names(ent: _Entities, reps: _Reps, entity: np.ndarray, owner: np.ndarray) -> list[str]:
    """The owning rep of each row as written: blank for accounts not yet assigned."""
    unowned = ent.unowned[entity].tolist()
    return ["" if none else reps.names[r] for r, none in zip(owner.tolist(), unowned)]


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
        [ent.geo.regions[r] for r in reps.region],
        ["" if manager[int(r)] == i else reps.names[manager[int(r)]] for i, r in enumerate(reps.region)],
        skills,
        _int_text(capacity),
    ]
    return _write_csv(out_dir / REPS_FILE, REPS_HEADER, columns)
