"""Tests for custreport.analysis.quality: deduplication scores and completeness."""

from __future__ import annotations

import pandas as pd

from custreport.analysis.quality import completeness_table, pairwise_scores


def test_pairwise_scores_by_hand():
    # predicted {1,2} {3} vs truth {1,2,3}: one predicted pair, correct; three true pairs.
    scores = pairwise_scores(pd.Series([1, 1, 2]), pd.Series(["a", "a", "a"]))
    assert scores == {"precision": 1.0, "recall": 0.3333, "f1": 0.5, "true_pairs": 3, "predicted_pairs": 1,
                      "correct_pairs": 1}


def test_completeness_table_pivots_share_by_column_and_source():
    completeness = pd.DataFrame({"source": ["a", "b"], "column": ["phone", "phone"], "share": [0.5, 1.0]})
    assert completeness_table(completeness).loc["phone"].to_dict() == {"a": 0.5, "b": 1.0}
    assert completeness_table(pd.DataFrame()).empty
