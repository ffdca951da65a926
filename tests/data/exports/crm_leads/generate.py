"""Write leads.csv: a Salesforce-shaped lead export whose converted leads became Maven CRM deals.

Synthetic leads (no real person or company beyond the Maven accounts) over the real Maven CRM
opportunities in tests/data/maven_crm/sales_pipeline.csv: 300 opportunities drawn at random
each get the lead they came from (first contacted 3 to 40 days before the deal was engaged,
Closed - Converted, converted on the engage date, the opportunity's id and account, owned by
its sales agent); 700 more leads never became a deal. Seeded: running it again writes the
same file.

    .venv/bin/python tests/data/exports/crm_leads/generate.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
MAVEN = HERE.parents[1] / "maven_crm"
SOURCES = ["Web", "Trade Show", "Partner Referral", "Email Campaign", "Webinar"]
OPEN_STATUSES = ["Open - Not Contacted", "Working - Contacted", "Closed - Not Converted", "Recycled"]


def leads(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pipeline = pd.read_csv(MAVEN / "sales_pipeline.csv", dtype=str)
    engaged = pipeline[pipeline["engage_date"].notna()]
    chosen = engaged.iloc[np.sort(rng.choice(len(engaged), 300, replace=False))]
    engage = pd.to_datetime(chosen["engage_date"])
    created = engage - pd.to_timedelta(rng.integers(3, 41, len(chosen)), unit="D")
    converted = pd.DataFrame({
        "Company": chosen["account"].to_numpy(),
        "Lead Source": rng.choice(SOURCES, len(chosen), p=[0.35, 0.2, 0.25, 0.1, 0.1]),
        "Created Date": created.to_numpy(),
        "Lead Status": "Closed - Converted",
        "Converted Date": engage.to_numpy(),
        "Converted Opportunity ID": chosen["opportunity_id"].to_numpy(),
        "Lead Owner": chosen["sales_agent"].to_numpy(),
    })
    agents = pd.read_csv(MAVEN / "sales_teams.csv", dtype=str)["sales_agent"].to_numpy()
    others = 700
    start = pd.Timestamp("2016-10-01")
    unconverted = pd.DataFrame({
        "Company": [f"Prospect {i:04d} Ltd" for i in range(others)],
        "Lead Source": rng.choice(SOURCES, others, p=[0.45, 0.15, 0.1, 0.2, 0.1]),
        "Created Date": (start + pd.to_timedelta(rng.integers(0, 456, others), unit="D")).to_numpy(),
        "Lead Status": rng.choice(OPEN_STATUSES, others, p=[0.3, 0.3, 0.3, 0.1]),
        "Converted Date": pd.NaT,
        "Converted Opportunity ID": None,
        "Lead Owner": rng.choice(agents, others),
    })
    frame = pd.concat([converted, unconverted], ignore_index=True)
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    frame.insert(0, "Lead ID", [f"00Q5g00000{i:05d}" for i in range(len(frame))])
    # Salesforce's report export writes dates month first
    for column in ("Created Date", "Converted Date"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%-m/%-d/%Y").where(frame[column].notna(), "")
    return frame


if __name__ == "__main__":
    leads().to_csv(HERE / "leads.csv", index=False)
