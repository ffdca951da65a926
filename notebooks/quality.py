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
# # Quality: what ingest made of the raw files
#
# The ingest report of the snapshot the report reads: per source rows read = loaded + merged +
# non-data + quarantined, the fixes applied while standardising, the duplicates merged, and
# the quarantined rows by reason with a sample to find them in the raw files. Change the
# parameters below and Run All; every number comes from a function in `custreport.report` you
# can call yourself. Cells tagged `notes` (like this one) are for analysts and are left out of
# rendered reports.
#
# A regional report shows the region's rows only: those loaded, merged and quarantined per
# source, the fixes made on them, its merged customers and quarantined rows (with their values
# as read). A quarantined row belongs to a region when its place cells, its owner rep or the
# customer it names tell one; rows whose region cannot be told (an order naming an unknown
# customer, an unreadable line), rows read per source file, non-data rows and the warnings
# about ingest as a whole are in the company report (`region = "all"`) only, and a regional
# report says how many there are.

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
report.header(ctx, "quality")

# %%
report.section(ctx, "accounting")

# %%
report.ingest_accounting(ctx)

# %% [markdown] tags=["notes"]
# Fixes are named as ingest counts them: values parsed or normalised, and values that could
# not be read and were left empty (the row itself is kept).

# %%
report.section(ctx, "fixes")

# %%
report.ingest_fixes(ctx)

# %% [markdown] tags=["notes"]
# Merged rows are duplicates joined into another record: customer rows by the dedupe scoring,
# order rows repeating another exactly. The second table lists the report's customers built
# from the most raw rows, to check the deduplication by eye.

# %%
report.section(ctx, "duplicates")

# %%
report.duplicates_merged(ctx)

# %%
report.merged_customers(ctx)

# %% [markdown] tags=["notes"]
# Quarantined rows could not be used (no customer name, an order for an unknown customer, an
# unreadable required date or amount ...). The sample shows the first rows of each source and
# reason with file, sheet, row and column; `store.read_side_table(ctx.snapshot, "quarantine")`
# has them all.

# %%
report.section(ctx, "quarantine")

# %%
report.quarantine_reasons(ctx)

# %%
report.quarantine_sample(ctx)

# %% [markdown] tags=["notes"]
# Ingest warnings are limits ingest hit, each with what it may have missed and the setting that
# lifts it (for instance customer matching comparing a very large block of one name by sorted
# neighbourhood rather than every pair).

# %%
report.section(ctx, "ingest_warnings")

# %%
report.ingest_warnings(ctx)

# %% [markdown] tags=["notes"]
# Fix lists: each rep gets a workbook of their own customers' data problems to fix at the source
# (`fix_lists/<rep ID>.xlsx` in the region's folder; customers without a known owner in
# `fix_lists/unassigned.xlsx`): merged or suspected duplicates, invalid or missing phones and
# emails, no region or industry, no contact for `fix_lists.no_contact_months` months
# (params/analysis.yaml), no owner, and reps over their capacity. Each period's lists are kept in
# the store, so the next period shows what was fixed since; `report.fix_kinds_frame(ctx)` and
# `report.fix_owners_frame(ctx)` hold the figures below.

# %%
report.section(ctx, "fix_lists")

# %%
report.fix_list_kinds(ctx)

# %%
report.fix_list_owners(ctx)
