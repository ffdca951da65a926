"""The reports: requests, contexts, figures, sections and workbooks (report.py re-exports what notebooks use)."""
