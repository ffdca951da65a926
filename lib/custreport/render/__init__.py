"""Rendering: HTML tables and pages, PDF, Excel workbooks. The only modules that write report files."""
