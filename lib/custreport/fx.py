"""params/fx.yaml: exchange rates into one reporting currency (see analysis/currency.py for their use)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from custreport.config import CurrencyCode, project_root, read_yaml, validated


_RATE_KEY = re.compile(r"\d{4}-\d{2}(-\d{2})?")


class FxTable(BaseModel):
    """params/fx.yaml: what one unit of each currency is worth in the reporting currency, by
    month (2024-03) or by day (2024-03-15, which wins over its month).

    >>> import pandas as pd
    >>> fx = FxTable(reporting_currency="CNY", rates={"USD": {"2024-01": 7.1, "2024-02-15": 7.2}})
    >>> fx.rates_on("USD", pd.Series(pd.to_datetime(["2024-01-31", "2024-02-15", "2024-02-16"]))).tolist()
    [7.1, 7.2, nan]
    >>> fx.rates_on("CNY", pd.Series(pd.to_datetime(["2024-01-31"]))).tolist()
    [1.0]
    """

    model_config = ConfigDict(extra="forbid")
    reporting_currency: CurrencyCode
    rates: dict[CurrencyCode, dict[str, Annotated[float, Field(gt=0)]]] = Field(default_factory=dict)

    @field_validator("rates", mode="before")
    @classmethod
    def _dates_as_text(cls, rates: object) -> object:
        # YAML reads 2024-03-15 as a date and 2024-03 as text: both become text here.
        if not isinstance(rates, dict):
            return rates
        out = {}
        for currency, by_date in rates.items():
            if not isinstance(by_date, dict):
                raise ValueError(f"{currency}: give rates by month or day (2024-03: 7.1), not {by_date!r}")
            for key in by_date:
                if not _RATE_KEY.fullmatch(str(key)):
                    raise ValueError(f"{currency}: {key!r} is not a month (2024-03) or a day (2024-03-15)")
            out[currency] = {str(key): value for key, value in by_date.items()}
        return out

    def rates_on(self, currency: str, dates: pd.Series) -> pd.Series:
        """Reporting-currency units per unit of ``currency`` on each date: the day's rate, else
        its month's; NaN where neither is given (and for a missing date). 1 for the reporting
        currency itself."""
        import pandas as pd

        if currency == self.reporting_currency:
            return pd.Series(1.0, index=dates.index)
        table = self.rates.get(currency, {})
        days = dates.dt.strftime("%Y-%m-%d")
        by_day = days.map({k: v for k, v in table.items() if len(k) == 10})
        by_month = days.str.slice(0, 7).map({k: v for k, v in table.items() if len(k) == 7})
        return by_day.astype("float64").fillna(by_month.astype("float64")).astype("float64")

    def latest_rate(self, currency: str) -> float | None:
        """The rate of the last month or day given (for amounts without a date)."""
        if currency == self.reporting_currency:
            return 1.0
        table = self.rates.get(currency, {})
        return table[max(table, key=lambda k: (k[:7], len(k), k))] if table else None


def load_fx(path: Path | None = None) -> FxTable | None:
    """Load params/fx.yaml, or None when the project has none (each currency is then reported apart)."""
    path = Path(path) if path else project_root() / "params" / "fx.yaml"
    if not path.is_file():
        return None
    return validated(FxTable, read_yaml(path), path)
