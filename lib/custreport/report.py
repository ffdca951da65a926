"""What a report notebook imports: one context per region and period, one call per section.

>>> ctx = load(region="华东", period="2025-Q4", locale="zh")   # doctest: +SKIP
>>> kpis(ctx)                                                  # doctest: +SKIP
"""

# What notebooks call: one context per region and period, one call per section.
from custreport.reporting.context import (  # noqa: F401
    ORDER_COLUMNS, ORDER_KEYS, ReportContext, load)
from custreport.reporting.request import (  # noqa: F401
    resolve_period, ACTIVITY_RANGES, data_coverage, cover_period, data_through)
from custreport.reporting.provenance import (  # noqa: F401
    snapshot_text, partial_warning, data_statement, provenance_line, comparison_text, period_text)
from custreport.reporting.metrics import (  # noqa: F401
    ADDITIVE, period_figures, metrics, compute_metrics, value_figures, funnel_figures, lead_figures, allocation_figures, segment_figures, quality_totals, ORDER_CARDS, DEAL_CARDS, RECURRING_CARDS, CUSTOMER_CARDS, headline_cards, kpi_table, figures_currency)
from custreport.reporting.insights import (  # noqa: F401
    revenue_lines, target_period, following_period, targets_of, compute_insights, insight_records, headline, by_region)
from custreport.reporting.front_page import (  # noqa: F401
    chosen_insights, front_page_model, card_model, region_rows)
from custreport.reporting.notes import (  # noqa: F401
    revenue_note, currency_note, pipeline_note, summary_note)
from custreport.reporting.sections.common import (  # noqa: F401
    header, section, KpiCards, kpis, report_title)
from custreport.reporting.sections.summary import (  # noqa: F401
    FrontPage, front_page, front_page_charts, trend_months, trend_title, revenue_trend, customers_by_type_frame, customers_by_type, customer_types_chart, top_customers, top_movers_frame, top_movers, customer_movement_frame, customer_movement)
from custreport.reporting.sections.segments import (  # noqa: F401
    pivot_frame, pivot, place_pivot, place_revenue_chart, rfm_grid_frame, rfm_map, rfm_segments, abc_table, rfm_frame, abc_frame)
from custreport.reporting.sections.funnel import (  # noqa: F401
    funnel_chart, funnel_stages, funnel_summary, deal_kpis, sales_cycle_frame, sales_cycle, win_rates_frame, lead_months, lead_funnel_frame, lead_funnel_table, lead_funnel_chart, win_rates, deals_by_stage_frame, deals_by_stage, funnel_frame)
from custreport.reporting.sections.value import (  # noqa: F401
    value_summary, clv_distribution, clv_bands_frame, clv_bands, high_value_customers, high_value_frame, at_risk_rule, at_risk_customers, at_risk_frame, lost_rule, lost_customers, lost_frame, model_parameters)
from custreport.reporting.sections.allocation import (  # noqa: F401
    allocation_overview_frame, allocation_overview, allocation_table, unassigned_reasons_frame, unassigned_reasons, unassigned_customers, rep_workload, workload_chart, workload_frame)
from custreport.reporting.sections.quality import (  # noqa: F401
    accounting_frame, ingest_accounting, fixes_frame, ingest_fixes, duplicates_frame, duplicates_merged, merged_customers_frame, merged_customers, quarantine_reasons_frame, quarantine_reasons, ingest_warnings_frame, ingest_warnings, quarantine_sample_frame, quarantine_sample, fix_kinds_frame, fix_list_kinds, fix_owners_frame, fix_list_owners)
from custreport.reporting.workbook import (  # noqa: F401
    customer_sheet_frame, allocation_frame, open_complaints_frame, workbook_contacts_masked, about_frame, workbook_sheets)
