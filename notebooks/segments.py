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
# # Segments: who the customers are and where the revenue comes from
#
# Customer types and how customers moved over the period, the period's sales by place,
# industry, channel and owner (each with a total row), the RFM segment map and the ABC tiers.
# Change the parameters below and Run All; every number comes from a function in
# `custreport.report` you can call yourself (`report.pivot(ctx, "city")` for another dimension,
# `ctx.rfm` for every customer's scores). Cells tagged `notes` (like this one) are for analysts
# and are left out of rendered reports; docs/metrics.md defines every figure.

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
report.header(ctx, "segments")

# %%
report.section(ctx, "by_type")

# %%
report.customers_by_type(ctx)

# %%
report.customer_types_chart(ctx)

# %% [markdown] tags=["notes"]
# Movement compares each customer's type at the end of the day before the period with its type
# at the period end: newly active + retained + reactivated = active at the end.

# %%
report.customer_movement(ctx)

# %% [markdown] tags=["notes"]
# Sales pivots count completed orders dated in the period. By a customer column (place,
# industry, owner) `customers` counts every customer with that value, buyers or not; by an
# order column (channel) it counts the buyers. The total row counts buyers and orders once.

# %%
report.section(ctx, "by_place")

# %%
report.place_pivot(ctx)

# %%
report.place_revenue_chart(ctx)

# %%
report.section(ctx, "by_industry")

# %%
report.pivot(ctx, "industry")

# %%
report.section(ctx, "by_channel")

# %%
report.pivot(ctx, "channel")

# %%
report.section(ctx, "by_owner")

# %%
report.pivot(ctx, "owner_rep")

# %% [markdown] tags=["notes"]
# RFM scores recency, frequency and monetary value 1–5 by quintile over the customers who
# bought by the period end; the segment rules of params/analysis.yaml name each combination.
# The map counts customers per R × F cell and names the segment most of them fall in
# (segments also depend on M, so a cell can hold several).

# %%
report.section(ctx, "rfm_map")

# %%
report.rfm_map(ctx)

# %%
report.section(ctx, "rfm_segments")

# %%
report.rfm_segments(ctx)

# %% [markdown] tags=["notes"]
# ABC tiers rank the customers by the period's revenue: A makes the first 80 %, B the next
# 15 %, C the rest and everyone without revenue (shares in params/analysis.yaml).

# %%
report.section(ctx, "abc_tiers")

# %%
report.abc_table(ctx)
