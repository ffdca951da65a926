"""Deterministic generator of messy, multi-source raw customer data.

The data imitates what a Chinese B2B company really has lying around: a
Salesforce-style CRM export, a hand-kept Excel workbook with one sheet per
sales region, a GBK-encoded order export from the ERP, an opportunity list, a
sales-rep roster and the service desk's log of inquiries, complaints, visits
and calls. The same companies appear across these sources under slightly
different names, phones are typed in every format, dates are mixed, provinces
are abbreviated, some values are missing or garbage, and a few of the newest
accounts have no owner yet.

Everything is drawn from ``numpy.random.default_rng`` streams derived from the
seed, and every date lies in 2023-01-01..2025-12-31, so the same
``(customers, seed)`` and regions table always yield byte-identical files. Per-order work is
vectorised, which keeps a million customers (about ten million orders) within
a couple of minutes.

Files written (see :data:`FILE_NAMES`), plus a ``_truth/`` folder that maps
every raw customer, order, deal and service row to the entity it belongs to, so
that cleaning and matching code can be scored.

Regions, provinces and cities are those of the project's params/regions.yaml
(geography.py says what it reads there and what the demo keeps itself). One module
per job: files (names and CSV/xlsx writing), draws (random streams), dates,
geography, industries, people (names, reps, reps.csv), names (company names and
how they get re-typed), companies (the true entities), mess (phones, blanks and
labels as typed), customers (crm_accounts.csv), workbook, orders, deals,
interactions (服务记录.csv) and truth.
"""

from __future__ import annotations

from pathlib import Path

from custreport.config import RegionTable
from custreport.demo.companies import _make_entities
from custreport.demo.customers import CRM_HEADER, _split_sources, _write_crm
from custreport.demo.deals import DEALS_HEADER, _write_deals
from custreport.demo.files import (CRM_FILE, DEALS_FILE, FILE_NAMES, ORDERS_FILE, REPS_FILE, SERVICE_FILE,
                                   TRUTH_DEAL_ROWS, TRUTH_ORDER_ROWS, TRUTH_SERVICE_ROWS, WORKBOOK_FILE)
from custreport.demo.geography import demo_geography
from custreport.demo.interactions import SERVICE_HEADER, _write_service
from custreport.demo.orders import ORDERS_HEADER, _make_orders, _write_orders
from custreport.demo.people import REPS_HEADER, _write_reps
from custreport.demo.truth import _write_truth
from custreport.demo.workbook import _write_workbook

__all__ = [
    "CRM_HEADER",
    "DEALS_HEADER",
    "FILE_NAMES",
    "ORDERS_HEADER",
    "REPS_HEADER",
    "SERVICE_HEADER",
    "generate",
]


def generate(out_dir: Path, customers: int = 3000, seed: int = 7, regions: RegionTable | None = None) -> dict[str, int]:
    """Write the raw demo files into ``out_dir`` (created if needed).

    Regions, provinces and cities come from ``regions``, by default the project's
    params/regions.yaml (see :func:`custreport.demo.geography.demo_regions_yaml`).

    Returns the number of data rows per file (header, title and total rows not
    counted; for the workbook, the customer rows over all sheets).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     counts = generate(Path(tmp), customers=200, seed=1)
    >>> sorted(counts) == sorted(FILE_NAMES)
    True
    >>> counts["_truth/entities.csv"]
    200
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    out_dir = Path(out_dir)
    (out_dir / "_truth").mkdir(parents=True, exist_ok=True)

    geo = demo_geography(regions)
    ent, reps = _make_entities(seed, customers, geo)
    crm_rows, workbook_rows = _split_sources(seed, ent, reps)

    counts = {CRM_FILE: _write_crm(seed, out_dir, ent, reps, crm_rows)}
    sheets = _write_workbook(seed, out_dir, ent, reps, workbook_rows)
    counts[WORKBOOK_FILE] = int(sum(s.size for s in sheets.values()))
    counts.update(_write_truth(out_dir, ent, reps, crm_rows, sheets))
    del crm_rows, workbook_rows

    orders = _make_orders(seed, ent)
    counts[ORDERS_FILE] = _write_orders(out_dir, ent, orders)
    counts[TRUTH_ORDER_ROWS] = counts[ORDERS_FILE]
    del orders

    counts[DEALS_FILE] = _write_deals(seed, out_dir, ent, reps)
    counts[TRUTH_DEAL_ROWS] = counts[DEALS_FILE]
    counts[SERVICE_FILE] = _write_service(seed, out_dir, ent, reps)
    counts[TRUTH_SERVICE_ROWS] = counts[SERVICE_FILE]
    counts[REPS_FILE] = _write_reps(seed, out_dir, ent, reps)
    return {name: counts[name] for name in FILE_NAMES}
