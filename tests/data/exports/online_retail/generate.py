"""Write invoices.csv: invoice lines shaped like the UCI "Online Retail" export.

Synthetic: the columns and conventions of that export (InvoiceNo, StockCode, Description,
Quantity, InvoiceDate as month/day/year hour:minute, UnitPrice, CustomerID, Country), where a
cancellation is an invoice numbered "C" + digits with negative quantities, drawn from a seeded
generator, so running it again writes the same file. One customer's only invoice is a
cancellation (of a sale before the export began).

    .venv/bin/python tests/data/exports/online_retail/generate.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

PRODUCTS = [("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 2.55), ("71053", "WHITE METAL LANTERN", 3.39),
            ("84406B", "CREAM CUPID HEARTS COAT HANGER", 2.75), ("22752", "SET 7 BABUSHKA NESTING BOXES", 7.65),
            ("21730", "GLASS STAR FROSTED T-LIGHT HOLDER", 4.25), ("22633", "HAND WARMER UNION JACK", 1.85)]
CUSTOMERS = [(17850, "United Kingdom"), (13047, "United Kingdom"), (12583, "France"), (13748, "United Kingdom"),
             (15100, "United Kingdom"), (12662, "Germany"), (14688, "United Kingdom"), (17809, "United Kingdom")]


def online_retail(invoices: int = 40, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows, number = [], 536365
    days = np.sort(rng.integers(0, 330, invoices))
    for day in days:
        customer, country = CUSTOMERS[rng.integers(len(CUSTOMERS))]
        when = pd.Timestamp("2011-01-04 08:26") + pd.Timedelta(days=int(day), minutes=int(rng.integers(0, 480)))
        lines = [PRODUCTS[i] for i in rng.choice(len(PRODUCTS), rng.integers(1, 4), replace=False)]
        sale = [(str(number), code, text, int(rng.integers(1, 13)), when, price, customer, country)
                for code, text, price in lines]
        rows += sale
        number += 1
        if rng.random() < 0.2:   # part of the invoice cancelled a little later
            code, text, quantity, price = sale[0][1], sale[0][2], sale[0][3], sale[0][5]
            rows.append((f"C{number}", code, text, -quantity, when + pd.Timedelta(hours=2), price, customer, country))
            number += 1
    rows.append((f"C{number}", "22633", "HAND WARMER UNION JACK", -6, pd.Timestamp("2011-03-01 10:00"), 1.85,
                 12347, "Iceland"))
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                                        "UnitPrice", "CustomerID", "Country"])
    frame = frame.sort_values("InvoiceDate", kind="stable")
    frame["InvoiceDate"] = [f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}" for t in frame["InvoiceDate"]]
    return frame


if __name__ == "__main__":
    online_retail().to_csv(Path(__file__).with_name("invoices.csv"), index=False)
