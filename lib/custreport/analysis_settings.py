"""params/analysis.yaml: the rules and thresholds of the analyses (docs/metrics.md defines the
figures they feed). Every key is optional.

>>> AnalysisSettings().classification.active_days
365
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StrictBool, field_validator, model_validator

from custreport.config import StrictModel, optional_params

Share = Annotated[float, Field(gt=0, le=1)]
Score = Annotated[int, Field(ge=1, le=5)]


class ClassificationSettings(StrictModel):
    active_days: int = Field(365, gt=0)      # active = a completed order within this many days of the period end


class SegmentRuleSettings(StrictModel):
    name: str = Field(min_length=1)
    r: tuple[Score, Score]
    f: tuple[Score, Score]
    m: tuple[Score, Score]

    @model_validator(mode="after")
    def _ranges_ascend(self):
        for key in ("r", "f", "m"):
            low, high = getattr(self, key)
            if low > high:
                raise ValueError(f"{self.name}: {key} range [{low}, {high}] runs backwards")
        return self


class RfmSettings(StrictModel):
    lookback_days: int | None = Field(None, gt=0)   # None: all history up to the period end
    segments: list[SegmentRuleSettings] | None = None  # None: the shipped eleven, in their order


class AbcSettings(StrictModel):
    a_share: Share = 0.80
    b_share: Share = 0.95

    @model_validator(mode="after")
    def _a_below_b(self):
        if not self.a_share < self.b_share:
            raise ValueError(f"a_share ({self.a_share}) must be below b_share ({self.b_share})")
        return self


class ValueSettings(StrictModel):
    time_unit_days: float = Field(7.0, gt=0)     # 7: weeks, the unit of the published BG/NBD figures
    horizon: float = Field(13.0, gt=0)           # expected purchases over this many time units
    monthly_discount: float = Field(0.01, ge=0, lt=1)
    # At risk: a valuable customer probably still buying (P(alive) >= at_risk_p_alive_min) whose
    # P(alive) is under at_risk_p_alive or who is overdue (silent longer than at_risk_gap_factor
    # times their own mean gap between purchases); under at_risk_p_alive_min: lost.
    at_risk_p_alive: Share = 0.8
    at_risk_p_alive_min: float = Field(0.3, ge=0, lt=1)
    at_risk_gap_factor: float = Field(1.5, gt=0)
    at_risk_revenue_share: Share = 0.8
    list_size: int = Field(20, gt=0)

    @model_validator(mode="after")
    def _risk_band_ascends(self):
        if not self.at_risk_p_alive_min < self.at_risk_p_alive:
            raise ValueError(f"at_risk_p_alive_min ({self.at_risk_p_alive_min}) must be below "
                             f"at_risk_p_alive ({self.at_risk_p_alive})")
        return self


class AllocationSettings(StrictModel):
    value_weight: float = Field(0.5, ge=0)
    intent_weight: float = Field(0.3, ge=0)
    recency_weight: float = Field(0.2, ge=0)
    recency_days: int = Field(365, gt=0)
    industry_match: bool = True
    default_capacity: float | None = Field(None, gt=0)
    include_orphaned: bool = True
    intent_scores: dict[str, Annotated[float, Field(ge=0, le=1)]] | None = None

    @model_validator(mode="after")
    def _some_weight(self):
        if self.value_weight + self.intent_weight + self.recency_weight <= 0:
            raise ValueError("at least one of value_weight, intent_weight, recency_weight must be above 0")
        return self


class PrivacySettings(StrictModel):
    """Where customers' full phone numbers and email addresses may appear (elsewhere: 138****5678).

    >>> PrivacySettings().show_full_contacts_in_workbook
    False
    """

    # Only the analyst workbook on disk honours this. Reports (HTML, PDF), metrics.json and
    # everything emailed stay masked; an emailed workbook is a masked copy. Strict: only a
    # YAML true opens the workbook, never a string or a number that happens to coerce.
    show_full_contacts_in_workbook: StrictBool = False


class WorkbookSettings(StrictModel):
    """What a region's Excel workbook holds.

    >>> WorkbookSettings().customer_rows
    10000
    """

    # The customers sheet holds the customers with the most revenue in the period, this many;
    # every customer is in <region>_customers.csv beside the workbook (a million rows take
    # Excel writers minutes and Excel itself a long time to open).
    customer_rows: int = Field(10000, gt=0)


class FixListSettings(StrictModel):
    """What goes on each rep's fix list (analysis/fixlists.py; the capacity of a rep without one is
    ``allocation.default_capacity``).

    >>> FixListSettings().no_contact_months
    6
    """

    # a customer with no order line and no interaction in this many months up to the period end
    no_contact_months: int = Field(6, gt=0, le=120)
    # two customers kept apart whose name keys are at least this alike (rapidfuzz ratio, 0-100)
    name_similarity: float = Field(90, ge=50, le=100)
    # kinds of problem left off the lists (e.g. email_missing where customers give no email)
    leave_out: list[str] = Field(default_factory=list)

    @field_validator("leave_out")
    @classmethod
    def _known_kinds(cls, kinds: list[str]) -> list[str]:
        from custreport.analysis.fixlists import KINDS

        unknown = [kind for kind in kinds if kind not in KINDS]
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r}; known: {', '.join(KINDS)}")
        return kinds


class AnalysisSettings(StrictModel):
    """params/analysis.yaml: the rules and thresholds of the analyses (every key optional)."""

    # What "revenue" is: completed order lines, or the value of deals won; auto = orders when
    # the store holds order lines, else won deals (a CRM's deals-only export).
    revenue: Literal["auto", "orders", "won_deals"] = "auto"
    classification: ClassificationSettings = ClassificationSettings()
    rfm: RfmSettings = RfmSettings()
    abc: AbcSettings = AbcSettings()
    value: ValueSettings = ValueSettings()
    allocation: AllocationSettings = AllocationSettings()
    privacy: PrivacySettings = PrivacySettings()
    # What the region's workbook holds: its customers sheet's rows (the full list is a CSV beside it).
    workbook: WorkbookSettings = WorkbookSettings()
    # Each rep's own customers' data problems, to fix at the source (outputs/<period>/<region>/fix_lists/).
    fix_lists: FixListSettings = FixListSettings()
    # Which way is good for a figure (up, down, or neutral: its changes shown grey); figures not
    # named keep custreport's direction (docs/metrics.md, Directions).
    kpi_directions: dict[str, Literal["up", "down", "neutral"]] = Field(default_factory=dict)

    @field_validator("kpi_directions")
    @classmethod
    def _known_figures(cls, directions: dict) -> dict:
        from custreport.figures import DIRECTIONS

        unknown = [name for name in directions if name not in DIRECTIONS]
        if unknown:
            raise ValueError(f"unknown figure {unknown[0]!r}; known: {', '.join(DIRECTIONS)}")
        return directions

    def direction(self, figure: str) -> str:
        """The way that is good for ``figure``: params' kpi_directions, else custreport's.

        >>> AnalysisSettings(kpi_directions={"aov": "neutral"}).direction("aov"), AnalysisSettings().direction("deals_lost")
        ('neutral', 'down')
        """
        from custreport.figures import DIRECTIONS

        return self.kpi_directions.get(figure, DIRECTIONS.get(figure, "up"))


def load_analysis(path: Path | None = None) -> AnalysisSettings:
    """Load params/analysis.yaml (defaults when the project has none; cached while unchanged)."""
    return optional_params(AnalysisSettings, "analysis.yaml", path)
