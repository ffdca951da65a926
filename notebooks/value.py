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
# # Value: what customers are worth ahead, and who is slipping away
#
# BG/NBD (how many more purchases, is the customer still alive) and Gamma-Gamma (how much per
# purchase) fitted on the report's customers, described in words; the spread of 12-month
# customer lifetime value; the high-value and at-risk customers. Change the parameters below
# and Run All; every number comes from a function in `custreport.report` you can call yourself
# (`ctx.customer_value` gives every customer's figures and the fitted models). Cells tagged
# `notes` (like this one) are for analysts and are left out of rendered reports;
# docs/metrics.md section 2.7 has the formulas and references.

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
report.header(ctx, "value")

# %% [markdown] tags=["notes"]
# The models are fitted per report on completed orders up to the period end, in weeks by
# default (params/analysis.yaml `value`). A small region may get no fit; the note says why.

# %%
report.section(ctx, "value_models")

# %%
report.value_models(ctx)

# %%
report.section(ctx, "clv_distribution")

# %%
report.clv_distribution(ctx)

# %%
report.clv_bands(ctx)

# %%
report.section(ctx, "high_value")

# %%
report.high_value_customers(ctx)

# %% [markdown] tags=["notes"]
# At risk: among the customers making the top 80 % of revenue to date, those whose P(alive) is
# under 50 %, ordered by the value at stake = revenue to date × (1 − P(alive)).

# %%
report.section(ctx, "at_risk")

# %%
report.at_risk_customers(ctx)
