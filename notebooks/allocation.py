# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["notes"]
# # Allocation: unowned customers matched to reps, and why
#
# Customers without an owner (or whose owner is no longer a rep) are ranked by priority and
# given a rep of their region, industry specialists first, least loaded first. The report lists
# each assignment with its reason, the customers left unassigned and why, and every rep's
# workload before and after. Change the parameters below and Run All; every number comes from
# a function in `custreport.report` you can call yourself (`ctx.allocation` is the full table).
# Cells tagged `notes` (like this one) are for analysts and are left out of rendered reports;
# docs/metrics.md section 5 has the rules.

# %% tags=["parameters"]
region: str = "all"  # region code, name or alias from params/regions.yaml, or all for the whole company
period: str = "latest"  # 2025-Q4, 2025-09, 2025-H2, 2025, last-quarter, ytd (ytd@2026-11-22: as of a day), or latest for the latest full quarter
locale: str = "zh"  # report language, zh or en
store: str = ""  # store folder, empty for the data/clean folder of this project
snapshot: str = ""  # snapshot id (custreport store list), empty for the current one

# %%
from custreport import report

ctx = report.load(region=region, period=period, locale=locale, store_path=store or None,
                  snapshot=snapshot or None)
report.header(ctx, "allocation")

# %%
report.section(ctx, "allocation_overview")

# %%
report.allocation_overview(ctx)

# %% [markdown] tags=["notes"]
# Priority = weighted mean of potential value rank, intent and recency of the last order
# (weights in params/analysis.yaml `allocation`). The report lists the first 50 assignments;
# `report.allocation_table(ctx, limit=None)` or the workbook's allocation sheet has them all.

# %%
report.section(ctx, "allocation_table")

# %%
report.allocation_table(ctx)

# %%
report.section(ctx, "unassigned_customers")

# %%
report.unassigned_reasons(ctx)

# %%
report.unassigned_customers(ctx)

# %% [markdown] tags=["notes"]
# Workload counts the customers of the report's region each rep owns now, plus this run's
# assignments; utilisation = customers after / capacity and can exceed 100 % (allocation never
# assigns past a capacity: a rep over it owned that many before). The chart has one bar per rep,
# most loaded on top, each rep's capacity marked, reps over it in red and counted.

# %%
report.section(ctx, "workload")

# %%
report.workload_chart(ctx)

# %%
report.rep_workload(ctx)
