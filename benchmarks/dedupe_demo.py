"""Score deduplication and order attachment on generated demo data against its ground truth.

    .venv/bin/python benchmarks/dedupe_demo.py [--customers 3000] [--seed 7]

Generates demo data into benchmarks/_work/dedupe/, ingests it with the project's
params, then compares what each raw customer row became (the lineage table) with
_truth/customer_rows.csv: pairwise precision and recall over rows of the same
customer. Targets: precision >= 0.98, recall >= 0.95.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from custreport import store
from custreport.analysis.quality import pairwise_scores
from custreport.demo import generate
from custreport.ingest.pipeline import ingest_to_store
from scratch import scratch_project



def lineage_with_truth(snapshot: store.Snapshot, truth: pd.DataFrame, files: set[str]) -> pd.DataFrame:
    """Truth rows joined to the record each became (missing when quarantined)."""
    lineage = store.read_side_table(snapshot, "lineage")
    lineage = lineage[lineage["source_file"].isin(files)]
    lineage = lineage.assign(sheet=lineage["source_sheet"].fillna(""), row=lineage["source_row"].astype("int64"))
    truth = truth.assign(sheet=truth["sheet"].fillna(""), row=truth["source_row"].astype("int64"))
    return truth.merge(lineage[["source_file", "sheet", "row", "status", "record_id"]],
                       left_on=["file", "sheet", "row"], right_on=["source_file", "sheet", "row"], how="left")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    work = scratch_project("dedupe")
    generate(work / "data" / "raw", customers=args.customers, seed=args.seed)

    started = time.perf_counter()
    _, snapshot = ingest_to_store(work / "params" / "sources.yaml", work / "data" / "clean")
    seconds = time.perf_counter() - started

    truth = pd.read_csv(work / "data" / "raw" / "_truth" / "customer_rows.csv", dtype={"sheet": "string"})
    rows = lineage_with_truth(snapshot, truth, set(truth["file"]))
    used = rows[rows["status"].isin(["loaded", "merged"])]
    scores = pairwise_scores(used["record_id"], used["entity_id"])
    print(f"demo data: {args.customers:,} customers (seed {args.seed}), ingest {seconds:.1f} s")
    print(f"  customer rows scored {len(used):,} (quarantined {int((rows['status'] == 'quarantined').sum())})")
    print(f"  deduplication  precision {scores['precision']:.4f}  recall {scores['recall']:.4f}  "
          f"F1 {scores['f1']:.4f}  (true pairs {scores['true_pairs']:,}, predicted {scores['predicted_pairs']:,})")

    # Orders: is each attached to the customer its truth entity became?
    order_truth = pd.read_csv(work / "data" / "raw" / "_truth" / "order_rows.csv")
    entity_of_customer = used.groupby("record_id")["entity_id"].agg(lambda s: s.mode().iloc[0])
    orders = store.read_table(snapshot, "orders", columns=["customer_id", "source_row"])
    attached = order_truth.merge(orders, on="source_row", how="left")
    attached["entity_found"] = attached["customer_id"].map(entity_of_customer)
    right = int((attached["entity_found"] == attached["entity_id"]).sum())
    wrong = int((attached["entity_found"].notna() & (attached["entity_found"] != attached["entity_id"])).sum())
    print(f"  orders attached to the right customer {right:,} / {len(attached):,}, to a wrong one {wrong:,}, "
          f"not attached {len(attached) - right - wrong:,}")


if __name__ == "__main__":
    main()
