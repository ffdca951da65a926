"""客户管理表.xlsx: the hand-kept workbook with one sheet per sales region, each team's own layout."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from custreport.demo.customers import (_BLANK_NAME_SHARE, _CustomerRows, _GARBAGE_PROVINCE_SHARE, _WB_TYPES,
                                       _customer_type_labels, _intent_labels)
from custreport.demo.dates import _calendar
from custreport.demo.draws import _categories, _stream
from custreport.demo.files import WORKBOOK_FILE, _FIXED_TIMESTAMP, _freeze_zip_metadata
from custreport.demo.industries import _INDUSTRIES
from custreport.demo.mess import _blank_some, _city_labels, _format_phones, _province_labels
from custreport.demo.people import _Reps, _owner_names

if TYPE_CHECKING:
    from custreport.demo.companies import _Entities


# Each regional team built its own sheet: labels and column order drift (by region code).
_SHEET_LAYOUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "east": (("seq", "序号"), ("name", "客户名称"), ("phone", "联系电话"), ("province", "所在省份"),
             ("city", "城市"), ("industry", "所属行业"), ("type", "客户类型"), ("owner", "负责人"),
             ("created", "建档日期"), ("email", "邮箱"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
    "south": (("name", "公司名称"), ("phone", "手机号"), ("province", "省份"), ("city", "所在城市"),
              ("industry", "行业"), ("type", "客户类型"), ("owner", "销售负责人"), ("created", "创建日期"),
              ("email", "电子邮件"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
    "north": (("name", "客户名称"), ("province", "所在省份"), ("city", "城市"), ("phone", "联系电话"),
              ("email", "邮箱"), ("industry", "所属行业"), ("type", "客户类型"), ("intent", "意向度"),
              ("value", "潜在价值(万元)"), ("owner", "负责人"), ("created", "建档日期")),
    "central": (("seq", "序号"), ("name", "公司名称"), ("phone", "联系电话"), ("province", "省份"),
                ("city", "城市"), ("industry", "行业"), ("type", "客户类型"), ("owner", "负责人"),
                ("created", "创建日期"), ("email", "邮箱"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
    "southwest": (("name", "客户名称"), ("phone", "手机号"), ("province", "所在省份"), ("city", "所在城市"),
                  ("industry", "所属行业"), ("type", "客户类型"), ("owner", "销售负责人"), ("created", "建档日期"),
                  ("email", "电子邮件"), ("intent", "意向度"), ("value", "潜在价值(万元)")),
    "northwest": (("name", "公司名称"), ("phone", "联系电话"), ("province", "省份"), ("city", "城市"),
                  ("industry", "所属行业"), ("type", "客户类型"), ("owner", "负责人"), ("created", "建档日期"),
                  ("email", "邮箱"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
    "northeast": (("name", "客户名称"), ("phone", "联系电话"), ("province", "省份"), ("city", "所在城市"),
                  ("industry", "行业"), ("type", "客户类型"), ("owner", "销售负责人"), ("created", "创建日期"),
                  ("email", "电子邮件"), ("value", "潜在价值(万元)"), ("intent", "意向度")),
}
# Row 1 merged title, row 2 note, row 3 header, data from row 4, then a 合计 row.
WORKBOOK_FIRST_DATA_ROW = 4
_WORKBOOK_NOTE = "说明：本表由各区域销售录入，如有疑问请联系市场部"


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
        rng, ent.geo, ent.province[e],
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
        "city": [v or None for v in _city_labels(rng, ent.geo, ent.city[e], with_shi=0.3, missing=0.06)],
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
    for r, (code, region) in enumerate(zip(ent.geo.region_codes, ent.geo.regions)):
        layout = _SHEET_LAYOUTS[code]
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
