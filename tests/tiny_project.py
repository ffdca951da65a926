"""A tiny project on disk: the real params, the real notebooks and a hand-made store.

The store holds two regions' worth of customers, orders and deals whose figures are
small enough to check by hand (see the comments on each frame).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from custreport import schema, store
from demo_project import copy_params

PROJECT = Path(__file__).resolve().parents[1]


def customers() -> pd.DataFrame:
    # east: A (created 2024-01-05), B (2025-10-20, new in 2025-Q4); south: C; unknown: D (no creation date)
    return schema.conform(pd.DataFrame({
        "customer_id": ["A", "B", "C", "D"],
        "name": ["杭州甲科技有限公司", "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "丁公司"],
        "region": ["east", "east", "south", "unknown"],
        "province": ["浙江", "上海", "广东", None],
        "phone": ["+8613812345678", None, "+8613900001111", None],
        "email": ["boss@jia.com", None, None, None],
        "created_at": pd.to_datetime(["2024-01-05", "2025-10-20", "2023-06-01", None]),
        "source": "test", "source_row": [2, 3, 4, 5],
    }), "customers")


def orders() -> pd.DataFrame:
    # 2025-Q4 completed: A 100 + A 300 + B 50 + C 200 = 650 over 4 orders; A's 80 was returned.
    # 2025-Q3 completed: A 120, C 40 -> 160. 2024-Q4 completed: C 500.
    return schema.conform(pd.DataFrame({
        "order_id": [f"O{i}" for i in range(1, 9)],
        "customer_id": ["A", "A", "A", "B", "C", "A", "C", "C"],
        "order_date": pd.to_datetime(format="ISO8601", arg=["2025-10-02", "2025-11-15", "2025-12-01", "2025-12-31 18:00",
                                      "2025-10-09", "2025-08-01", "2025-09-30", "2024-11-11"]),
        "amount": [100.0, 80.0, 300.0, 50.0, 200.0, 120.0, 40.0, 500.0],
        "status": ["completed", "returned", "completed", "completed", "completed", "completed",
                   "completed", "completed"],
        "region": ["east", "east", "east", "east", "south", "east", "south", "south"],
        "source": "test", "source_row": list(range(2, 10)),
    }), "orders")


def deals() -> pd.DataFrame:
    # Closed in 2025-Q4: won D1 (east, 30 days, 1000), lost D2 (south). Open at the end: D3 (east, 500).
    return schema.conform(pd.DataFrame({
        "deal_id": ["D1", "D2", "D3"],
        "stage": ["赢单", "输单", "方案报价"],
        "created_at": pd.to_datetime(["2025-09-15", "2025-08-01", "2025-11-01"]),
        "closed_at": pd.to_datetime(["2025-10-15", "2025-11-20", None]),
        "customer_id": ["A", "C", "B"],
        "amount": [1000.0, 700.0, 500.0],
        "outcome": ["won", "lost", "open"],
        "region": ["east", "south", "east"],
        "source": "test", "source_row": [2, 3, 4],
    }), "deals")


def make_project(root: Path) -> Path:
    """Write params/, notebooks/ and a one-snapshot store under ``root``; returns the store folder."""
    copy_params(root)
    shutil.copytree(PROJECT / "notebooks", root / "notebooks")
    accounting = pd.DataFrame([{"source": "test", "table": "customers", "files": 1, "rows_read": 6,
                                "loaded": 4, "merged": 1, "non_data": 0, "quarantined": 1}])
    tables = {"customers": customers(), "orders": orders(), "deals": deals(),
              "interactions": schema.empty_frame("interactions"), "reps": schema.empty_frame("reps")}
    manifest = {"data_range": {"orders": ["2024-11-11T00:00:00", "2025-12-31T18:00:00"]}}
    folder = root / "data" / "clean"
    store.write_snapshot(folder, tables, {"accounting": accounting}, manifest)
    return folder
