"""Raw files to canonical tables: read, map headers, standardise, deduplicate, quarantine, account."""
