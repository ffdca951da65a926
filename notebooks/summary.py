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
# # Summary: the executive front page
#
# What changed and why (the headline and ranked insights), the key figures with change against
# the previous period and a year ago and against targets (params/targets.yaml), the monthly revenue
# trend, the top customers and the top movers (customers by type are in the segments report). Revenue is completed orders,
# or the value of deals won for a deals-only business (`revenue:` in params/analysis.yaml; a line
# under the cards says which, and a store without order lines never shows a revenue of 0 from
# orders: won value, pipeline, win rate and deals won lead instead). Change the parameters below and Run All;
# every number comes from a function in `custreport.report` you can call yourself.
# Cells tagged `notes` (like this one) are for analysts and are left out of rendered reports.

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
figures = report.metrics(ctx)
report.header(ctx)

# %% [markdown] tags=["notes"]
# The front page: a headline sentence, the ranked insights that explain the period (each with
# its small chart), the key figures with their changes (green or red by which way is good for
# the figure; rates change in percentage points) and targets, and for the whole company a table
# by region. docs/metrics.md, Insights, says how each insight is found and ranked.

# %%
report.front_page(ctx, figures)

# %%
report.section(ctx, "trend")

# %%
report.revenue_trend(ctx)

# %%
report.section(ctx, "top_customers")

# %%
report.top_customers(ctx)

# %% [markdown] tags=["notes"]
# Top movers compare each customer's completed revenue in the period with the period just
# before it (of the same length): the five biggest rises, then the five biggest falls; a
# customer who bought in only one of the two counts zero in the other.

# %%
report.section(ctx, "top_movers")

# %%
report.top_movers(ctx)
