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
# # Funnel: how far deals get, where they stall, how many are won
#
# The stage funnel of the deals in play in the period with step and cumulative conversion and
# drop-off, the bottleneck, win rate and sales cycle with their changes, wins by owner and lead
# source, and the deals in play by their current stage. Change the parameters below and Run
# All; every number comes from a function in `custreport.report` you can call yourself
# (`ctx.funnel`, `ctx.deals`). Cells tagged `notes` (like this one) are for analysts and are
# left out of rendered reports; docs/metrics.md section 2.6 defines the funnel.

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
report.header(ctx, "funnel")

# %% [markdown] tags=["notes"]
# The stage list is that of the source holding most of the report's deals (params/stages.yaml).
# A deal is in play when created before the period end and not closed before its start; won
# deals reached every stage, lost deals the list's `lost_reached` stage. The bottleneck is the
# stage with the lowest step conversion.

# %%
report.section(ctx, "funnel_stages")

# %%
report.funnel_chart(ctx)

# %%
report.funnel_summary(ctx)

# %%
report.funnel_stages(ctx)

# %% [markdown] tags=["notes"]
# Win rate = won / (won + lost) among deals closed in the period; the sales cycle counts whole
# days from creation to close. Changes compare with the previous period and a year ago.

# %%
report.section(ctx, "deal_outcomes")

# %%
report.deal_kpis(ctx)

# %%
report.sales_cycle(ctx)

# %%
report.section(ctx, "win_rate_by_owner")

# %%
report.win_rates(ctx, "owner_rep")

# %%
report.section(ctx, "win_rate_by_source")

# %%
report.win_rates(ctx, "lead_source")

# %% [markdown] tags=["notes"]
# The lead funnel (only when the data holds a leads source): leads first contacted in the
# period, how many became deals and were won by the period end, by lead source and by month.
# docs/metrics.md section 2.13 defines it.

# %%
report.section(ctx, "lead_funnel_by_source", when=ctx.has_leads)

# %%
report.lead_funnel_table(ctx, "lead_source")

# %%
report.section(ctx, "lead_funnel_by_month", when=ctx.has_leads)

# %%
report.lead_funnel_chart(ctx)

# %%
report.lead_funnel_table(ctx, "month")

# %% [markdown] tags=["notes"]
# Deals in play by the stage they were exported with (aliases folded), the list's stages first,
# then unknown stage names; without stage history an open deal sits where it is now.

# %%
report.section(ctx, "deals_by_stage")

# %%
report.deals_by_stage(ctx)
