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
# The key points in words first (customers still buying, purchases and 12-month value ahead,
# who is worth most, who is slipping away, who is probably gone), then the spread of 12-month
# customer lifetime value, the high-value, at-risk and lost customers, and the fitted models'
# parameters in an appendix for analysts. Change the parameters below and Run All; every number
# comes from a function in `custreport.report` you can call yourself (`ctx.customer_value` gives
# every customer's figures and the fitted models, `ctx.at_risk` and `ctx.lost_customers` the
# whole lists). Cells tagged `notes` (like this one) are for analysts and are left out of
# rendered reports; docs/metrics.md section 2.7 has the formulas and references, and its
# section "At-risk and lost customers" the rules of those lists.

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
# BG/NBD (how many more purchases, is the customer still alive) and Gamma-Gamma (how much per
# purchase) are fitted per report on completed orders up to the period end, in weeks by default
# (params/analysis.yaml `value`). A small region may get no fit; the key points say so and the
# appendix says why.

# %%
report.section(ctx, "value_summary")

# %%
report.value_summary(ctx)

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
# At risk: valuable customers (the top 80 % of revenue to date) still probably customers
# (P(alive) at least 30 %) whose P(alive) is under 80 % or who have been silent for more than
# 1.5 times their own mean gap between purchases; ranked by value at stake = 12-month value if
# still a customer × (1 − P(alive)). Under 30 % they are probably lost and listed apart.

# %%
report.section(ctx, "at_risk")

# %%
report.at_risk_rule(ctx)

# %%
report.at_risk_customers(ctx)

# %%
report.section(ctx, "lost_customers")

# %%
report.lost_rule(ctx)

# %%
report.lost_customers(ctx)

# %%
report.section(ctx, "model_appendix")

# %%
report.model_parameters(ctx)
