"""Write customers.csv: a subscription list shaped like the IBM "Telco Customer Churn" export.

Synthetic (no real customer): the column names, id format and value kinds of that export
(customerID, tenure in months, MonthlyCharges, TotalCharges blank for a customer in its first
month, Churn Yes/No), drawn from a seeded generator, so running it again writes the same file.

    .venv/bin/python tests/data/exports/telco_churn/generate.py
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pandas as pd

ROWS = 60


def telco(rows: int = ROWS, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    letters = np.array(list(string.ascii_uppercase))
    ids = [f"{rng.integers(1000, 9999)}-{''.join(rng.choice(letters, 5))}" for _ in range(rows)]
    tenure = rng.integers(0, 73, rows)
    monthly = np.round(rng.uniform(18.25, 118.75, rows), 2)
    total = np.round(monthly * np.maximum(tenure, 1) * rng.uniform(0.95, 1.05, rows), 2)
    churn = np.where(rng.random(rows) < 0.27, "Yes", "No")
    contract = rng.choice(["Month-to-month", "One year", "Two year"], rows)
    return pd.DataFrame({
        "customerID": ids,
        "gender": rng.choice(["Female", "Male"], rows),
        "SeniorCitizen": rng.integers(0, 2, rows),
        "Partner": rng.choice(["Yes", "No"], rows),
        "tenure": tenure,
        "PhoneService": rng.choice(["Yes", "No"], rows),
        "InternetService": rng.choice(["DSL", "Fiber optic", "No"], rows),
        "Contract": contract,
        "PaperlessBilling": rng.choice(["Yes", "No"], rows),
        "PaymentMethod": rng.choice(["Electronic check", "Mailed check", "Bank transfer (automatic)",
                                     "Credit card (automatic)"], rows),
        "MonthlyCharges": monthly,
        # the real export leaves TotalCharges blank (a space) for customers with tenure 0
        "TotalCharges": [" " if t == 0 else f"{v:.2f}" for t, v in zip(tenure, total)],
        "Churn": churn,
    })


if __name__ == "__main__":
    telco().to_csv(Path(__file__).with_name("customers.csv"), index=False)
