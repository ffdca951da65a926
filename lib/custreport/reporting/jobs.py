"""What a worker's kernel runs for a region beside its report notebooks: metrics.json, the
workbook, the fix lists of its reps and the revenue trend chart, from the context the notebooks
loaded (so nothing is read or analysed twice). Called with plain JSON arguments (see
kernel.WarmKernel.call); the files are written by files.py and render/.

>>> write_region_files("east", "2025-Q4@2025-12-31", "data/clean", "zh", "", "outputs/2025-Q4/east",
...                    "east.xlsx")   # doctest: +SKIP
['metrics.json', 'trend.png', 'front_charts.json', 'east.xlsx', 'east_customers.csv', 'fix_lists/S0001.xlsx', ...]
"""

from __future__ import annotations

import json
from pathlib import Path

from custreport.files import write_atomically
from custreport.render.excel import write_workbook
from custreport.render.images import write_described_png
from custreport.reporting.context import load
from custreport.reporting.metrics import METRICS_FILE, TREND_CHART, customer_list_name, metrics
from custreport.reporting.fix_lists import write_fix_lists
from custreport.reporting.front_page import FRONT_CHARTS, front_charts_json
from custreport.reporting.sections.summary import front_page, revenue_trend
from custreport.reporting.workbook import customer_sheet_frame, workbook_contacts_masked, workbook_sheets
from custreport.render.csv_download import write_csv

def write_region_files(region: str, period: str, store: str, locale: str, snapshot: str, folder: str,
                       workbook: str | None) -> list[str]:
    """Write the region's metrics.json, trend chart and (when ``workbook`` names it) workbook, its
    full customer list (customer_list_name) and its fix lists (fix_lists/) into ``folder``; return
    the names written."""
    ctx = load(region, period, store, locale, snapshot=snapshot)
    place = Path(folder)
    write_atomically(place / METRICS_FILE, json.dumps(metrics(ctx), ensure_ascii=False, indent=2))
    chart = revenue_trend(ctx)
    write_described_png(place / TREND_CHART, chart.png, chart.alt)
    page = front_page(ctx)   # the mail shows the front page: its small charts go beside metrics.json
    write_atomically(place / FRONT_CHARTS,
                     front_charts_json({rank: (small.png, small.alt) for rank, small in page.charts.items()}))
    written = [METRICS_FILE, TREND_CHART, FRONT_CHARTS]
    if workbook:
        masked = workbook_contacts_masked(ctx)
        customers = customer_sheet_frame(ctx, mask_contacts=masked)
        write_csv(place / customer_list_name(region), customers)
        write_workbook(place / workbook, workbook_sheets(ctx, customers=customers), contacts_masked=masked)
        written += [workbook, customer_list_name(region)]
        written += write_fix_lists(ctx.snapshot, ctx.period, ctx.settings, ctx.regions, ctx.region, locale, place)
    return written
