"""One module per report, plus what they share (common)."""
