"""Amounts in several currencies: converted to one reporting currency with params/fx.yaml, or
kept apart and never added.

Order and deal rows carry the ISO 4217 code of their source (``currency``).

>>> import pandas as pd
>>> from custreport.fx import FxTable
>>> orders = pd.DataFrame({"order_date": pd.to_datetime(["2024-01-05", "2024-01-09"]), "amount": [10.0, 10.0],
...                        "currency": pd.array(["USD", "CNY"], dtype="string")})
>>> fx = FxTable(reporting_currency="CNY", rates={"USD": {"2024-01": 7.1}})
>>> to_reporting_currency(orders, fx, ["order_date"], "orders")["amount"].tolist()
[71.0, 10.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from custreport.errors import UserError
from custreport.fx import FxTable
from custreport.schema import MONEY_COLUMNS


def to_reporting_currency(frame: pd.DataFrame, fx: FxTable, date_columns: Sequence[str], what: str) -> pd.DataFrame:
    """``frame`` with its money columns in ``fx.reporting_currency``: each row at the rate of its
    date (the first of ``date_columns`` it has; the latest rate given when it has none).

    A rate missing for a date is never taken as 0 or 1: UserError names the currency, the months
    and the line to add to params/fx.yaml.
    """
    if "currency" not in frame or frame.empty:
        return frame
    currency = frame["currency"].astype("string")
    foreign = currency.notna() & currency.ne(fx.reporting_currency)
    if not foreign.any():
        return frame
    dates = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ms]")
    for column in date_columns:
        if column in frame:
            dates = dates.fillna(frame[column].astype("datetime64[ms]"))
    rates = pd.Series(1.0, index=frame.index)
    for code in currency[foreign].unique():
        rows = (currency == code).fillna(False).astype(bool)
        these = fx.rates_on(code, dates[rows])
        latest = fx.latest_rate(code)
        undated = dates[rows].isna()
        if latest is not None:
            these = these.mask(undated, latest)
        missing = these.isna()
        if missing.any():
            months = sorted(dates[rows][missing].dt.strftime("%Y-%m").dropna().unique())
            shown = ", ".join(months[:6]) + (f" and {len(months) - 6} more" if len(months) > 6 else "")
            raise UserError(
                f"params/fx.yaml has no {code} rate for {shown or 'undated amounts'} ({what}: {int(missing.sum()):,} row{'s' if missing.sum() != 1 else ''}): "
                f"add under rates: {code}: a line such as '{months[0] if months else '2024-01'}: <{fx.reporting_currency} "
                f"per 1 {code}>'")
        rates[rows] = these.to_numpy()
    money = [c for c in MONEY_COLUMNS.get(what, ("amount",)) if c in frame]
    return frame.assign(**{c: frame[c] * rates for c in money},
                        currency=currency.mask(foreign, fx.reporting_currency))


def split_by_currency(frame: pd.DataFrame, currencies: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The rows of ``frame`` in each of ``currencies`` (in that order), to total each apart.

    >>> frame = pd.DataFrame({"amount": [1.0, 2.0], "currency": ["USD", "EUR"]})
    >>> {code: part["amount"].sum() for code, part in split_by_currency(frame, ["EUR", "USD"]).items()}
    {'EUR': np.float64(2.0), 'USD': np.float64(1.0)}
    """
    return {code: frame[(frame["currency"] == code).fillna(False).astype(bool)] for code in currencies}
