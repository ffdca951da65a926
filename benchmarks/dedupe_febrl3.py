"""Score deduplication on the public FEBRL3 benchmark (5,000 records, 6,538 true pairs).

    .venv/bin/python benchmarks/dedupe_febrl3.py

Ingests tests/data/febrl3/febrl3.csv through params/examples/febrl3.yaml and compares
the customers the records became with the true links in tests/data/febrl3/true_links.csv.
Target: pairwise F1 >= 0.99 (0.9912: precision 1.0000, recall 0.9825).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from custreport import store
from custreport.analysis.quality import pairwise_scores
from custreport.ingest.pipeline import ingest_to_store

PROJECT = Path(__file__).resolve().parents[1]


def febrl3_scores(store_folder: Path) -> tuple[dict, float, int]:
    """Ingest FEBRL3 into ``store_folder``; returns the pairwise scores, the seconds taken and
    how many records were quarantined (records with neither given name nor surname)."""
    started = time.perf_counter()
    _, snapshot = ingest_to_store(PROJECT / "params" / "examples" / "febrl3.yaml", store_folder)
    seconds = time.perf_counter() - started
    lineage = store.read_side_table(snapshot, "lineage")
    records = pd.read_csv(PROJECT / "tests" / "data" / "febrl3" / "febrl3.csv", usecols=["rec_id"], dtype=str)
    # CSV record n (header = 1) is rec_id records[n - 2]; the entity is the number in rec-<n>-...
    records["source_row"] = range(2, len(records) + 2)
    records["entity"] = records["rec_id"].str.extract(r"rec-(\d+)-")[0]
    joined = records.merge(lineage[lineage["status"].isin(["loaded", "merged"])], on="source_row")
    quarantined = int((lineage["status"] == "quarantined").sum())
    return pairwise_scores(joined["record_id"], joined["entity"]), seconds, quarantined


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        scores, seconds, quarantined = febrl3_scores(Path(folder))
    truth = pd.read_csv(PROJECT / "tests" / "data" / "febrl3" / "true_links.csv")
    print(f"FEBRL3: 5,000 records, {len(truth):,} true pairs, ingest {seconds:.1f} s; "
          f"{quarantined} records without any name quarantined and left out of the pairs")
    print(f"  precision {scores['precision']:.4f}  recall {scores['recall']:.4f}  F1 {scores['f1']:.4f}  "
          f"(predicted pairs {scores['predicted_pairs']:,}, correct {scores['correct_pairs']:,})")


if __name__ == "__main__":
    main()
