"""_truth/: which real company every raw customer, order, deal and service row belongs to."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from custreport.demo.companies import _Entities, _STATUS_NAMES
from custreport.demo.dates import _calendar
from custreport.demo.files import (CRM_FILE, TRUTH_CUSTOMER_ROWS, TRUTH_ENTITIES, TRUTH_README, WORKBOOK_FILE,
                                   _int_text, _write_csv)
from custreport.demo.industries import _INDUSTRIES
from custreport.demo.people import _Reps, _owner_names
from custreport.demo.workbook import WORKBOOK_FIRST_DATA_ROW

if TYPE_CHECKING:
    from custreport.demo.customers import _CustomerRows


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
    geo = ent.geo
    entity_rows = _write_csv(
        out_dir / TRUTH_ENTITIES,
        ("entity_id", "name", "name_key", "region", "province", "city", "industry", "owner", "created", "status"),
        [
            _int_text(np.arange(1, ent.n + 1)), ent.name, ent.key,
            [geo.regions[r] for r in ent.region], [geo.provinces[p].short for p in ent.province],
            [geo.city[c] for c in ent.city], [_INDUSTRIES[i].zh for i in ent.industry],
            _owner_names(ent, reps, np.arange(ent.n), ent.owner), [cal.iso[d] for d in ent.created],
            [_STATUS_NAMES[s] for s in ent.status],
        ],
    )
    (out_dir / TRUTH_README).write_text(_TRUTH_README_TEXT, encoding="utf-8")
    return {TRUTH_CUSTOMER_ROWS: rows, TRUTH_ENTITIES: entity_rows}
