"""Data-quality figures: deduplication scored against a truth, completeness.

>>> pairwise_scores(pd.Series([1, 1, 2, 3]), pd.Series(["a", "a", "a", "b"]))
{'precision': 1.0, 'recall': 0.3333, 'f1': 0.5, 'true_pairs': 3, 'predicted_pairs': 1, 'correct_pairs': 1}
"""

from __future__ import annotations

import pandas as pd


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> dict:
    """Pairwise precision, recall and F1 of a clustering against the true entities.

    A pair of records counts as predicted when both got the same cluster, as true when
    both belong to the same entity; ``predicted`` and ``truth`` are aligned per record.
    """
    frame = pd.DataFrame({"predicted": predicted.to_numpy(), "truth": truth.to_numpy()}).dropna()
    predicted_pairs = _pairs(frame.groupby("predicted").size())
    true_pairs = _pairs(frame.groupby("truth").size())
    correct = _pairs(frame.groupby(["predicted", "truth"]).size())
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "true_pairs": true_pairs, "predicted_pairs": predicted_pairs, "correct_pairs": correct}


def completeness_table(completeness: pd.DataFrame) -> pd.DataFrame:
    """Share filled per column (rows) and source (columns), as the quality report shows it."""
    if completeness.empty:
        return pd.DataFrame()
    return completeness.pivot_table(index="column", columns="source", values="share", aggfunc="first")
