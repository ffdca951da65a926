"""The demo's targets: params/targets.yaml for a generated demo, scaled to its number of customers.

The figures of lib/custreport/demo/targets.yaml were set for the default 3,000 customers;
a smaller or larger demo gets its counts and amounts scaled the same way, so its attainment
reads like a real business's (some targets met, some missed). Rates are not scaled.

>>> text = demo_targets(300)
>>> "revenue: 3000000" in text and "win_rate: 20%" in text
True
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATE = Path(__file__).with_name("targets.yaml")
DEFAULT_CUSTOMERS = 3000
_SCALED = re.compile(r"\b(revenue|won_value|customers_new): (\d+)")


def demo_targets(customers: int) -> str:
    """The demo targets file's text for a demo of ``customers`` customers."""
    factor = customers / DEFAULT_CUSTOMERS
    return _SCALED.sub(lambda m: f"{m.group(1)}: {max(1, round(int(m.group(2)) * factor))}",
                       TEMPLATE.read_text(encoding="utf-8"))


def write_demo_targets(params: Path, customers: int) -> Path | None:
    """params/targets.yaml for the demo, unless the project has one already (never overwritten)
    or regions other than the shipped ones (the demo's targets name those): the path written, or None."""
    target = params / "targets.yaml"
    regions = params / "regions.yaml"
    shipped = Path(__file__).resolve().parents[3] / "params" / "regions.yaml"
    if target.exists() or not regions.is_file() or (shipped.is_file() and
                                                     regions.read_bytes() != shipped.read_bytes()):
        return None
    target.write_text(demo_targets(customers), encoding="utf-8")
    return target
