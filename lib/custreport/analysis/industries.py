"""Industries by one name each: the spellings sources use, named as params/industries.yaml says.

Sources type the same industry in several ways (制造业, Manufacturing, 制造); the industry
table maps each spelling to one name per report language, so pivots, lists and allocation
see one industry. Values no entry spells are kept as typed (trimmed).

>>> from custreport.config import Industry, IndustryTable
>>> table = IndustryTable(industries=[Industry(code="retail", zh="零售", en="Retail", aliases=["商贸"])])
>>> industry_names(pd.Series(["Retail", "商贸", None, "Mining "], dtype="string"), table, "zh").tolist()
['零售', '零售', <NA>, 'Mining']
>>> listed_industry_names(pd.Series(["Retail, 商贸/Mining"], dtype="string"), table, "en").tolist()
['Retail, Mining']
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from custreport.analysis.frames import each_distinct
from custreport.config import IndustryTable

# Between the industries a rep lists: 制造业、零售 / Retail, Finance / 金融;保险
INDUSTRY_SEPARATORS = re.compile(r"[、,;/|]+")


def industry_names(values: pd.Series, table: IndustryTable, locale: str) -> pd.Series:
    """Each industry in ``values`` by its name in ``locale``; missing and blank values become NA."""
    return each_distinct(values, lambda text: table.name_for(str(text), locale) or None)


def listed_industry_names(values: pd.Series, table: IndustryTable, locale: str) -> pd.Series:
    """Lists of industries (a rep's expertise) with each industry named as industry_names
    names it, duplicates dropped, joined with 、 (zh) or a comma (en)."""
    joiner = "、" if locale == "zh" else ", "

    def rename(text: str) -> str | None:
        phrases = INDUSTRY_SEPARATORS.split(unicodedata.normalize("NFKC", text))
        names = dict.fromkeys(name for name in (table.name_for(p, locale) for p in phrases) if name)
        return joiner.join(names) or None

    return each_distinct(values, lambda text: rename(str(text)))

