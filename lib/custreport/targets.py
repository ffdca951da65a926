"""params/targets.yaml: what each region (and optionally each rep) aims for in a period.

Each entry names a region (code, name or alias, or ``all``), a period (2025-Q4, 2025-10,
2025-H2, 2025) and, optionally, a rep (their name or id); its other keys are figures (the
names of data alerts and KPI cards, docs/params.md) and their targets. Rates are fractions
or percentages (``win_rate: 25%``). A report compares its figures with the targets of its
own region and period: a period still running (2025-Q4 up to today) is compared with the
share of each count and amount target its elapsed days make; the whole company, when it has
no target of its own, with the sum of its regions' counts and amounts when every region with
revenue in the period has one.

>>> table = TargetTable.model_validate({"targets": [
...     {"region": "east", "period": "2025-Q4", "revenue": 3e7, "win_rate": "25%"}]})
>>> table.entries[0].figures
{'revenue': 30000000.0, 'win_rate': 0.25}
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from custreport.config import RegionTable, optional_params
from custreport.errors import UserError
from custreport.figures import CARDS
from custreport.periods import PeriodError, parse_period

# The figures a target may be set for, and how each is shown (count, money, percent).
TARGET_KINDS = {name: kind for name, _, kind in CARDS}
# Counts and amounts add up over regions and days; rates do not.
ADDITIVE_KINDS = ("count", "money")


class TargetEntry(BaseModel):
    """One line of params/targets.yaml: region, period, optional rep, and figure: target pairs."""

    model_config = ConfigDict(extra="allow")
    region: str = Field(min_length=1)
    period: str = Field(min_length=1)
    rep: str | None = None
    _figures: dict[str, float] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _figures_known(self):
        figures = {}
        for name, value in (self.model_extra or {}).items():
            if name not in TARGET_KINDS:
                raise ValueError(f"{name!r} is not a figure a target can be set for; known: {', '.join(TARGET_KINDS)}")
            figures[name] = _target_number(name, value)
        if not figures:
            raise ValueError("names no figure to aim for (e.g. revenue: 30000000)")
        try:
            period = parse_period(str(self.period))
        except PeriodError as exc:
            raise ValueError(f"period {self.period!r}: {exc}") from None
        if period.partial or "@" in period.token or ".." in period.token:
            raise ValueError(f"period {self.period!r} is still running; name it whole (2025-Q4, 2025-10, 2025)")
        self.period = period.token
        self._figures = figures
        return self

    @property
    def figures(self) -> dict[str, float]:
        return dict(self._figures)


def _target_number(name: str, value: object) -> float:
    """A target's number: a rate may be written 25% or 0.25; nothing may be negative."""
    text = str(value).strip()
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a number") from None
    if number < 0 or number != number:
        raise ValueError(f"{name}: {value!r} must be a number of zero or more")
    if TARGET_KINDS[name] == "percent" and number > 1:
        raise ValueError(f"{name}: {value!r} is a rate: write 25% or 0.25")
    return number


class TargetTable(BaseModel):
    """params/targets.yaml (empty when the project has none)."""

    model_config = ConfigDict(extra="forbid")
    targets: list[TargetEntry] = Field(default_factory=list)

    @property
    def entries(self) -> list[TargetEntry]:
        return self.targets

    def checked(self, regions: RegionTable, path: Path | str = "params/targets.yaml") -> TargetTable:
        """The table with every region as its code; one line naming the entry for a region
        params/regions.yaml does not know, or a target given twice."""
        seen = set()
        for number, entry in enumerate(self.targets, start=1):
            code = entry.region if entry.region == "all" else regions.resolve(entry.region)
            if code is None or (code != "all" and code not in regions.codes):
                raise UserError(f"{path}: targets entry {number}: region {entry.region!r} is not in params/regions.yaml")
            entry.region = code
            for name in entry.figures:
                key = (code, entry.period, entry.rep, name)
                if key in seen:
                    raise UserError(f"{path}: targets entry {number}: {name} for {code} {entry.period}"
                                    f"{' ' + entry.rep if entry.rep else ''} is given twice")
                seen.add(key)
        return self

    def for_region(self, region: str, period_token: str, region_codes: list[str]) -> dict[str, float]:
        """The targets of ``region`` (a code, or all) for the period ``period_token`` (whole);
        for ``all``, a figure without its own target is the sum of the regions' targets when
        it adds up and every region of ``region_codes`` (those with revenue) has one.

        >>> t = TargetTable.model_validate({"targets": [{"region": "east", "period": "2025-Q4", "revenue": 10},
        ...                                             {"region": "west", "period": "2025-Q4", "revenue": 5}]})
        >>> t.for_region("all", "2025-Q4", ["east", "west"]), t.for_region("all", "2025-Q4", ["east", "north"])
        ({'revenue': 15.0}, {})
        """
        own = self._figures_of(region, period_token)
        if region != "all":
            return own
        by_region = [self._figures_of(code, period_token) for code in region_codes]
        summed = {}
        for name, kind in TARGET_KINDS.items():
            if name in own or kind not in ADDITIVE_KINDS or not by_region:
                continue
            if all(name in figures for figures in by_region):
                summed[name] = float(sum(figures[name] for figures in by_region))
        return {**summed, **own}

    def for_reps(self, region: str, period_token: str) -> dict[str, dict[str, float]]:
        """Each rep's targets in ``region`` for the period: {rep: {figure: target}}."""
        found: dict[str, dict[str, float]] = {}
        for entry in self.targets:
            if entry.rep and entry.period == period_token and (region == "all" or entry.region == region):
                found.setdefault(entry.rep, {}).update(entry.figures)
        return found

    def _figures_of(self, region: str, period_token: str) -> dict[str, float]:
        found: dict[str, float] = {}
        for entry in self.targets:
            if entry.rep is None and entry.region == region and entry.period == period_token:
                found.update(entry.figures)
        return found


def load_targets(regions: RegionTable, path: Path | None = None) -> TargetTable:
    """params/targets.yaml checked against ``regions``; an empty table when there is none."""
    table = optional_params(TargetTable, "targets.yaml", path)
    return table.checked(regions, path or "params/targets.yaml") if table.targets else table
