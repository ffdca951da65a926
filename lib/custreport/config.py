"""Project parameters: find the project, load and validate ``params/*.yaml`` once.

Every YAML file is read into a typed pydantic model, so a typo in a parameter
file is reported as one line naming the file and the key, not as a traceback
deep inside ingest or a notebook.

>>> root = project_root()            # the folder holding params/ (or $CUSTREPORT_HOME)
>>> regions = load_regions()         # RegionTable from params/regions.yaml
>>> regions.resolve("沪")
'east'
>>> load_stages().for_source("sales_pipeline", []).open   # StageCatalog from params/stages.yaml
['Prospecting', 'Engaging']
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, StrictBool, ValidationError,
                      ValidationInfo, field_validator, model_validator)

TableName = Literal["customers", "orders", "deals", "interactions", "leads", "reps"]
DateOrder = Literal["year-first", "month-first", "day-first"]


class UserError(Exception):
    """A mistake in the user's files or parameters: shown as one line, exit code 2."""


def project_root(start: Path | None = None) -> Path:
    """The project folder: ``$CUSTREPORT_HOME``, else the nearest ancestor holding ``params/``.

    Notebooks run with their own folder as working directory (JupyterLab) or the
    caller's (papermill), so the store and params are found by walking up.
    """
    env = os.environ.get("CUSTREPORT_HOME")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "params" / "regions.yaml").is_file():
            return folder
    raise UserError(f"no custreport project found from {here}: expected a params/regions.yaml "
                    "in this folder or a parent, or set CUSTREPORT_HOME")


def default_store(root: Path | None = None) -> Path:
    """Where ingest writes snapshots and reports read them: ``<root>/data/clean``."""
    return (root or project_root()) / "data" / "clean"


# libyaml's parser with PyYAML's safe constructors: the same values, parsed ten times faster
# (a report loads its parameter files each time it runs).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict:
    """Parse a YAML mapping, turning every failure into a one-line UserError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise UserError(f"{path}:{where} invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping at the top level, found {type(data).__name__}")
    return data


def validated(model: type[BaseModel], data: dict, path: Path) -> BaseModel:
    """Build ``model`` from ``data``; a validation error becomes one line naming file and key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise UserError(f"{path}: {key}: {first['msg']}{more}") from None


# --------------------------------------------------------------------------- regions


def fold_text(value: str) -> str:
    """Fold a hand-typed label for lookup: full-width to half-width, trimmed, lower-case, no spaces.

    >>> fold_text(" Ｓｈａｎｇｈａｉ ")
    'shanghai'
    """
    return "".join(unicodedata.normalize("NFKC", value).split()).lower()


class Province(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    en: str = ""
    aliases: list[str] = Field(default_factory=list)
    cities: list[str] = Field(default_factory=list)


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    zh: str
    en: str
    aliases: list[str] = Field(default_factory=list)
    provinces: list[Province] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _code_is_path_safe(cls, code: str) -> str:
        return path_safe_code(code)


def path_safe_code(code: str) -> str:
    """A region code as given, if it can name a folder and nothing else; else ValueError.

    >>> path_safe_code("north-east_2")
    'north-east_2'
    """
    # Codes name output folders, so they must never be able to escape them.
    if not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        raise ValueError(f"region code {code!r} must be ASCII letters, digits, - or _")
    return code


class UnknownRegion(BaseModel):
    code: str = "unknown"
    zh: str = "未知区域"
    en: str = "Unknown region"

    @field_validator("code")
    @classmethod
    def _code_is_path_safe(cls, code: str) -> str:
        return path_safe_code(code)


# Province names are often typed with their administrative suffix; stripping it
# lets one alias list serve 浙江, 浙江省 and 广西壮族自治区 alike.
_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")


class RegionTable(BaseModel):
    """The regions of params/regions.yaml and a resolver from any typed place name."""

    model_config = ConfigDict(extra="forbid")
    unknown: UnknownRegion = Field(default_factory=UnknownRegion)
    regions: list[Region]

    def model_post_init(self, __context) -> None:
        region_index: dict[str, str] = {}
        province_index: dict[str, tuple[str, str]] = {}
        city_index: dict[str, tuple[str, str]] = {}
        for region in self.regions:
            for label in (region.code, region.zh, region.en, *region.aliases):
                region_index.setdefault(fold_text(label), region.code)
            for province in region.provinces:
                for label in (province.name, province.en, *province.aliases):
                    province_index.setdefault(fold_text(label), (region.code, province.name))
                for city in province.cities:
                    city_index.setdefault(fold_text(city), (region.code, province.name))
        self._region_index = region_index
        self._province_index = province_index
        self._city_index = city_index
        self._province_en = {p.name: p.en for r in self.regions for p in r.provinces if p.en}

    def place_names(self) -> frozenset[str]:
        """Folded province and city names of two characters or more (for stripping from company names)."""
        names = set()
        for region in self.regions:
            for province in region.provinces:
                for label in (province.name, *province.aliases, *province.cities):
                    folded = fold_text(label)
                    if len(folded) >= 2 and not folded.isascii():
                        names.add(folded)
        return frozenset(names)

    @property
    def codes(self) -> list[str]:
        return [region.code for region in self.regions]

    def province_name(self, name: object, locale: str) -> object:
        """A province as readers of ``locale`` see it: its ``en`` name in English where the
        table gives one, else as stored.

        >>> table = RegionTable(regions=[Region(code="east", zh="华东", en="East China",
        ...                              provinces=[Province(name="浙江", en="Zhejiang")])])
        >>> table.province_name("浙江", "en"), table.province_name("浙江", "zh"), table.province_name("火星", "en")
        ('Zhejiang', '浙江', '火星')
        """
        if locale != "en" or not isinstance(name, str):
            return name
        return self._province_en.get(name, name)

    def by_code(self, code: str) -> Region | UnknownRegion:
        for region in self.regions:
            if region.code == code:
                return region
        if code == self.unknown.code:
            return self.unknown
        raise KeyError(code)

    def display_name(self, code: str, locale: str = "zh") -> str:
        """Region name for readers; ``all`` is the whole company."""
        if code == "all":
            return "全公司" if locale == "zh" else "Company-wide"
        entry = self.by_code(code)
        return entry.zh if locale == "zh" else entry.en

    def resolve(self, value: object) -> str | None:
        """Region code for a region, province or city name, or None when nothing matches.

        >>> load_regions().resolve("广东省"), load_regions().resolve("杭州市")
        ('south', 'east')
        """
        province = self.resolve_province(value)
        if province:
            return province[0]
        if not isinstance(value, str) or not value.strip():
            return None
        return self._region_index.get(fold_text(value))

    def resolve_province(self, value: object) -> tuple[str, str] | None:
        """(region code, province name) for a province or city name, else None."""
        if not isinstance(value, str) or not value.strip():
            return None
        key = fold_text(value)
        for candidate in _suffix_variants(key):
            if candidate in self._province_index:
                return self._province_index[candidate]
            if candidate in self._city_index:
                return self._city_index[candidate]
        return None

    def region_param(self, value: str) -> str:
        """Validate a report's region parameter: a code, a name or an alias, or ``all``."""
        key = fold_text(value)
        if key in ("all", "全公司", "全部"):
            return "all"
        if key in (fold_text(self.unknown.code), fold_text(self.unknown.zh), fold_text(self.unknown.en)):
            return self.unknown.code
        code = self._region_index.get(key)
        if code is None:
            known = ", ".join(f"{r.code} ({r.zh})" for r in self.regions)
            raise UserError(f"unknown region {value!r}: use all, {self.unknown.code} or one of {known}")
        return code


def _suffix_variants(key: str) -> list[str]:
    variants = [key]
    for suffix in _PROVINCE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            variants.append(key[: -len(suffix)])
    return variants


@lru_cache(maxsize=8)
def _load_regions_cached(path: Path, mtime: float) -> RegionTable:
    return validated(RegionTable, read_yaml(path), path)


def load_regions(path: Path | None = None) -> RegionTable:
    """Load params/regions.yaml (cached while the file is unchanged)."""
    path = Path(path) if path else project_root() / "params" / "regions.yaml"
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    return _load_regions_cached(path.resolve(), path.stat().st_mtime)


# --------------------------------------------------------------------------- analysis settings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Share = Annotated[float, Field(gt=0, le=1)]
Score = Annotated[int, Field(ge=1, le=5)]


class ClassificationSettings(_Strict):
    active_days: int = Field(365, gt=0)      # active = a completed order within this many days of the period end


class SegmentRuleSettings(_Strict):
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


class RfmSettings(_Strict):
    lookback_days: int | None = Field(None, gt=0)   # None: all history up to the period end
    segments: list[SegmentRuleSettings] | None = None  # None: the shipped eleven, in their order


class AbcSettings(_Strict):
    a_share: Share = 0.80
    b_share: Share = 0.95

    @model_validator(mode="after")
    def _a_below_b(self):
        if not self.a_share < self.b_share:
            raise ValueError(f"a_share ({self.a_share}) must be below b_share ({self.b_share})")
        return self


class ValueSettings(_Strict):
    time_unit_days: float = Field(7.0, gt=0)     # 7: weeks, the unit of the published BG/NBD figures
    horizon: float = Field(13.0, gt=0)           # expected purchases over this many time units
    monthly_discount: float = Field(0.01, ge=0, lt=1)
    at_risk_p_alive: Share = 0.5
    at_risk_revenue_share: Share = 0.8
    list_size: int = Field(20, gt=0)


class AllocationSettings(_Strict):
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


class PrivacySettings(_Strict):
    """Where customers' full phone numbers and email addresses may appear (elsewhere: 138****5678).

    >>> PrivacySettings().show_full_contacts_in_workbook
    False
    """

    # Only the analyst workbook on disk honours this. Reports (HTML, PDF), metrics.json and
    # everything emailed stay masked; an emailed workbook is a masked copy. Strict: only a
    # YAML true opens the workbook, never a string or a number that happens to coerce.
    show_full_contacts_in_workbook: StrictBool = False


class AnalysisSettings(_Strict):
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


def load_analysis(path: Path | None = None) -> AnalysisSettings:
    """Load params/analysis.yaml (defaults when the project has none; cached while unchanged)."""
    return _optional_params(AnalysisSettings, "analysis.yaml", path)


def _optional_params(model: type[BaseModel], name: str, path: Path | None):
    """``model`` from params/<name> (or ``path``), its defaults when there is no such file."""
    path = Path(path) if path else project_root() / "params" / name
    if not path.is_file():
        return model()
    return _params_cached(model, path.resolve(), path.stat().st_mtime)


@lru_cache(maxsize=16)
def _params_cached(model: type[BaseModel], path: Path, mtime: float):
    # keyed by modification time: an edited file is read again
    return validated(model, read_yaml(path), path)


# --------------------------------------------------------------------------- industries


class Industry(_Strict):
    """One industry of params/industries.yaml: its names in reports and every other spelling."""

    code: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class IndustryTable(_Strict):
    """params/industries.yaml: one name per industry, whatever language or spelling a source used.

    >>> table = IndustryTable(industries=[Industry(code="manufacturing", zh="制造业", en="Manufacturing",
    ...                                            aliases=["制造", "Industrial"])])
    >>> table.name_for(" ＭＡＮＵＦＡＣＴＵＲＩＮＧ ", "zh"), table.name_for("制造", "en"), table.name_for("Mining", "zh")
    ('制造业', 'Manufacturing', 'Mining')
    """

    industries: list[Industry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_industry_per_spelling(self):
        seen: dict[str, str] = {}
        for industry in self.industries:
            for spelling in (industry.code, industry.zh, industry.en, *industry.aliases):
                key = fold_text(spelling)
                if seen.get(key, industry.code) != industry.code:
                    raise ValueError(f"{spelling!r} names two industries: {seen[key]} and {industry.code}")
                seen[key] = industry.code
        return self

    @cached_property
    def _by_spelling(self) -> dict[str, Industry]:
        return {fold_text(spelling): industry for industry in self.industries
                for spelling in (industry.code, industry.zh, industry.en, *industry.aliases)}

    def name_for(self, text: str, locale: str) -> str:
        """The report name of the industry ``text`` spells, in ``locale``; ``text`` itself
        (trimmed) when no industry of the table has that spelling."""
        industry = self._by_spelling.get(fold_text(text))
        if industry is None:
            return text.strip()
        return industry.zh if locale == "zh" else industry.en


def load_industries(path: Path | None = None) -> IndustryTable:
    """Load params/industries.yaml (an empty table, names as typed, when the project has none)."""
    return _optional_params(IndustryTable, "industries.yaml", path)


# params files that say who gets mail and when, not what the data or the reports hold: changing
# them re-ingests and re-renders nothing.
DELIVERY_PARAMS = frozenset({"recipients.yaml", "schedule.yaml"})


def content_params(folder: Path) -> list[Path]:
    """The params/*.yaml files data and reports depend on (all but DELIVERY_PARAMS), sorted."""
    return sorted(p for p in Path(folder).glob("*.yaml") if p.name not in DELIVERY_PARAMS)


# --------------------------------------------------------------------------- recipients


class Recipient(_Strict):
    """One reader of params/recipients.yaml: who, which region, which language, what to attach."""

    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
    region: str = Field(min_length=1, description="a region code, name or alias, or all for the whole company")
    language: Literal["zh", "en"] = "zh"
    reports: list[str] = Field(default_factory=lambda: ["summary"], min_length=1)
    attach: list[Literal["pdf", "xlsx"]] = Field(default_factory=lambda: ["pdf"])
    when: str | None = Field(default=None, description="a data alert: mail only when it holds, "
                                                        "e.g. revenue_change < -10% or win_rate < 0.2")

    @field_validator("name", "region")
    @classmethod
    def _one_line(cls, value: str) -> str:
        # these go into mail headers: a line break there would inject headers of its own
        if "\r" in value or "\n" in value:
            raise ValueError("must be one line (no line breaks)")
        return value.strip()

    @field_validator("when")
    @classmethod
    def _an_alert(cls, value: str | None) -> str | None:
        from custreport.figures import parse_alert

        return None if value is None else parse_alert(value).text

    @property
    def alert(self):
        """The parsed ``when:`` (figures.Alert), or None: the recipient gets every period's mail."""
        from custreport.figures import parse_alert

        return parse_alert(self.when) if self.when else None


class Operator(_Strict):
    """Someone of params/recipients.yaml ``operators:``: gets one message naming each failure of
    `custreport send` or `update`, never reports."""

    name: str = Field(min_length=1, pattern=r"^[^\r\n]+$")
    email: str = Field(pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


class RecipientList(_Strict):
    """params/recipients.yaml."""

    recipients: list[Recipient] = Field(default_factory=list)
    operators: list[Operator] = Field(default_factory=list)


def load_recipients(path: Path | None = None) -> RecipientList:
    """Load params/recipients.yaml; a missing file is a one-line UserError."""
    path = Path(path) if path else project_root() / "params" / "recipients.yaml"
    if not path.is_file():
        raise UserError(f"{path}: file not found (list who gets which region's reports there)")
    return validated(RecipientList, read_yaml(path), path)


# --------------------------------------------------------------------------- schedule

class ScheduledJob(_Strict):
    """One line of params/schedule.yaml: when to render (and send) which relative period."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    period: Literal["last-month", "last-quarter", "last-year", "mtd", "qtd", "ytd"]
    at: str = Field(description="a five-field cron expression, in the machine's time zone")
    regions: str = "all"
    reports: str = "all"
    formats: str = "html,pdf,xlsx"
    locale: Literal["zh", "en"] = "zh"
    send: bool = True

    @field_validator("at")
    @classmethod
    def _cron(cls, value: str) -> str:
        from cronsim import CronSim, CronSimError

        try:
            CronSim(value, dt.datetime(2000, 1, 1))
        except CronSimError as exc:
            raise ValueError(f"{value!r} is not a cron expression ({exc})") from None
        return " ".join(value.split())

    @field_validator("regions", "reports", "formats")
    @classmethod
    def _plain_list(cls, value: str) -> str:
        # these go into a shell command line: names and commas only
        if not re.fullmatch(r"[\w,\- ]+", value):
            raise ValueError(f"{value!r}: use names separated by commas")
        return value.replace(" ", "")


class Schedule(_Strict):
    """params/schedule.yaml."""

    jobs: list[ScheduledJob] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self):
        names = [job.name for job in self.jobs]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"job name {name!r} is used twice")
        return self


def load_schedule(path: Path | None = None) -> Schedule:
    """Load params/schedule.yaml; a missing file is a one-line UserError."""
    path = Path(path) if path else project_root() / "params" / "schedule.yaml"
    if not path.is_file():
        raise UserError(f"{path}: file not found (list when to render and send there)")
    return validated(Schedule, read_yaml(path), path)


# --------------------------------------------------------------------------- sources


class Vocabulary(BaseModel):
    """Synonyms added to the built-in vocabularies: source label -> canonical value.

    >>> Vocabulary(order_status={"Disputed": "cancelled"}).order_status
    {'Disputed': 'cancelled'}
    """

    model_config = ConfigDict(extra="forbid")
    order_status: dict[str, Literal["completed", "returned", "cancelled"]] = Field(default_factory=dict)
    customer_type: dict[str, Literal["prospect", "active", "churned"]] = Field(default_factory=dict)
    customer_status: dict[str, Literal["prospect", "active", "churned"]] = Field(default_factory=dict)
    deal_outcome: dict[str, Literal["won", "lost", "open"]] = Field(default_factory=dict)
    interaction_kind: dict[str, Literal["inquiry", "complaint", "feedback", "visit", "call", "other"]] = Field(
        default_factory=dict)
    interaction_status: dict[str, Literal["resolved", "open"]] = Field(default_factory=dict)
    lead_status: dict[str, Literal["open", "converted", "disqualified"]] = Field(default_factory=dict)

    def merged(self, own: "Vocabulary") -> "Vocabulary":
        """This project-wide vocabulary with a source's own entries added (the source's win)."""
        return Vocabulary(**{key: {**getattr(self, key), **getattr(own, key)} for key in type(self).model_fields})


class MatchSpec(BaseModel):
    """How a customer source takes part in deduplication."""

    model_config = ConfigDict(extra="forbid")
    evidence: list[str] = Field(
        default_factory=list, description="extra source columns (date of birth, national id) used as match evidence")


def _share_or_percent(value: object) -> object:
    """0.05 or "5%" -> 0.05 (a share written either way in params)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1]) / 100
        except ValueError:
            raise ValueError(f"{value!r} is not a percentage such as 5%") from None
    return value


# The quarantined rows a source may have, as a share of its data rows, before ingest stops.
QuarantineShare = Annotated[float, BeforeValidator(_share_or_percent), Field(ge=0, le=1)]


def _iso_currency(value: object) -> object:
    """ "usd" -> "USD"; anything not an ISO 4217 code is refused with the code to write instead."""
    from custreport.i18n import is_currency_code

    if not isinstance(value, str):
        raise ValueError(f"currency {value!r} must be an ISO 4217 code such as CNY, USD, EUR")
    code = value.strip().upper()
    if not is_currency_code(code):
        hint = " (write CNY)" if code in ("RMB", "元", "人民币") else ""
        raise ValueError(f"currency {value!r} is not an ISO 4217 code such as CNY, USD, EUR, GBP, BRL{hint}")
    return code


# An ISO 4217 currency code, upper case ("usd" is read as USD).
CurrencyCode = Annotated[str, BeforeValidator(_iso_currency)]


class SourceSpec(BaseModel):
    """One input in params/sources.yaml: where it is, which table it feeds, how to read it."""

    model_config = ConfigDict(extra="forbid")
    name: str
    path: str = Field(description="file path or glob, relative to the project folder")
    table: TableName
    sheets: list[str] | Literal["all"] = "all"
    encoding: str = "auto"
    delimiter: str = ","
    header_row: int | None = Field(default=None, ge=1, description="1-based; found automatically when absent")
    columns: list[str] | None = Field(default=None, description="column names for a file without a header row")
    column_map: dict[str, str] = Field(default_factory=dict, description="source header -> canonical column")
    date_order: DateOrder | None = None
    phone_region: str | None = None
    currency: CurrencyCode | None = Field(default=None, description="ISO 4217 code of the amounts (USD, EUR ...)")
    cancellation_prefix: str | None = Field(
        default=None, min_length=1,
        description="orders: an order id starting with it is a cancellation (C for the Online Retail export)")
    combine: dict[str, list[str]] = Field(
        default_factory=dict, description="canonical column -> source headers joined with a space")
    match: MatchSpec = Field(default_factory=MatchSpec)
    max_quarantined: QuarantineShare | None = Field(
        default=None, description="share of data rows (0.05 or 5%) quarantined before ingest stops")
    na_values: list[str] | None = Field(
        default=None, description="cell texts that mean missing in every column of this source (TBD, NA ...)")
    vocabulary: Vocabulary = Field(default_factory=Vocabulary,
                                   description="this source's synonyms, over the project-wide vocabulary")

    @field_validator("delimiter")
    @classmethod
    def _one_character_or_whitespace(cls, delimiter: str) -> str:
        if delimiter not in ("whitespace", r"\s+") and len(delimiter) != 1:
            raise ValueError(f"delimiter {delimiter!r} must be one character or 'whitespace'")
        return delimiter

    @field_validator("name")
    @classmethod
    def _name_is_simple(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("source name must not be empty")
        return name.strip()


class SourceDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date_order: DateOrder = "year-first"
    phone_region: str = "CN"
    currency: CurrencyCode = "CNY"
    max_quarantined: QuarantineShare = 0.01
    na_values: list[str] = Field(default_factory=list)


class SourcesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    regions: str | None = Field(default=None, description="regions file, relative to the project folder")
    dedupe: dict[str, float] = Field(default_factory=dict, description="overrides of ingest.match.MatchRules")
    defaults: SourceDefaults = Field(default_factory=SourceDefaults)
    vocabulary: Vocabulary = Field(default_factory=Vocabulary, description="synonyms for every source")
    keep_snapshots: int = Field(default=5, ge=1)
    mapped_copies: bool = Field(default=True, description="keep the Arrow copies reports load fast (store.py)")
    sources: list[SourceSpec]

    def model_post_init(self, __context) -> None:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"source name {source.name!r} is used twice")
            seen.add(source.name)
        for source in self.sources:
            source.date_order = source.date_order or self.defaults.date_order
            source.phone_region = source.phone_region or self.defaults.phone_region
            source.currency = source.currency or self.defaults.currency
            if source.max_quarantined is None:
                source.max_quarantined = self.defaults.max_quarantined
            if source.na_values is None:
                source.na_values = list(self.defaults.na_values)
            source.vocabulary = self.vocabulary.merged(source.vocabulary)


def load_sources(path: Path | None = None) -> tuple[SourcesConfig, Path]:
    """Load params/sources.yaml; returns the config and the folder its relative paths start from.

    Relative source paths are taken from the project folder (the parent of the params/
    folder the file sits in, at any depth, e.g. params/examples/), so the same file works
    whatever the working directory.
    """
    path = Path(path) if path else project_root() / "params" / "sources.yaml"
    try:
        config = validated(SourcesConfig, read_yaml(path), path)
    except ValueError as exc:  # model_post_init checks surface as ValueError
        raise UserError(f"{path}: {exc}") from None
    resolved = path.resolve()
    params = next((folder for folder in resolved.parents if folder.name == "params"), None)
    base = params.parent if params is not None else resolved.parent
    return config, base


# --------------------------------------------------------------------------- deal stages


def _keyed_by_stage(mapping: dict[str, str], info: ValidationInfo, stage_is_key: bool, error: str) -> dict[str, str]:
    """``mapping`` checked against the list's stages, each stage spelt as the list spells it: the
    keys are stages (``stage_is_key``) or the values are; a stage the list lacks is ``error``."""
    if not all(key in info.data for key in ("open", "won", "lost")):
        return mapping
    stages = {fold_text(stage): stage for key in ("open", "won", "lost") for stage in info.data[key]}
    resolved = {}
    for key, value in mapping.items():
        stage = key if stage_is_key else value
        if fold_text(stage) not in stages:
            raise ValueError(error.format(key=key, stage=stage, stages=", ".join(stages.values())))
        if stage_is_key:
            resolved[stages[fold_text(stage)]] = str(value)
        else:
            resolved[key] = stages[fold_text(stage)]
    return resolved


class StageList(BaseModel):
    """One sales process of params/stages.yaml: ordered open stages, won and lost stage names.

    >>> stages = StageList(name="demo", open=["Lead", "Offer"], won=["Won"], lost=["Lost"],
    ...                    aliases={"signed": "Won"})
    >>> [stages.position(s) for s in ["offer ", "SIGNED", "Lost", "Paused"]]
    [1, 2, -1, None]
    """

    model_config = ConfigDict(extra="forbid")
    name: str = ""
    open: list[str] = Field(min_length=1, description="open stages, first to last")
    won: list[str] = Field(min_length=1, description="stage names of a won deal")
    lost: list[str] = Field(default_factory=list, description="stage names of a lost deal")
    lost_reached: str | None = Field(
        default=None, description="open stage lost deals are taken to have reached; default the first")
    aliases: dict[str, str] = Field(default_factory=dict, description="other spelling -> stage of this list")
    en: dict[str, str] = Field(default_factory=dict, description="stage -> its name in English reports")
    _index: dict[str, tuple[str, int]] = PrivateAttr(default_factory=dict)

    @field_validator("lost_reached")
    @classmethod
    def _lost_reached_is_open(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or "open" not in info.data:
            return value
        for stage in info.data["open"]:
            if fold_text(stage) == fold_text(value):
                return stage
        raise ValueError(f"{value!r} is not one of the open stages {info.data['open']}")

    @field_validator("aliases")
    @classmethod
    def _aliases_name_stages(cls, aliases: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        return _keyed_by_stage(aliases, info, False,
                               "alias {key!r} points to {stage!r}, which is not a stage of this list")

    @field_validator("en")
    @classmethod
    def _english_names_name_stages(cls, names: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        return _keyed_by_stage(names, info, True, "en: {stage!r} is not a stage of this list (its stages: {stages})")

    def display(self, stage: object, locale: str) -> object:
        """A stage as readers of ``locale`` see it: its ``en`` name in English reports, if given.

        >>> StageList(open=["初步接触"], won=["赢单"], en={"赢单": "Won"}).display("赢单", "en")
        'Won'
        """
        if locale != "en" or not isinstance(stage, str):
            return stage
        return self.en.get(self.canonical(stage) or stage, stage)

    @model_validator(mode="after")
    def _names_are_unique(self) -> StageList:
        index: dict[str, tuple[str, int]] = {}
        ranked = ([(stage, i) for i, stage in enumerate(self.open)]
                  + [(stage, len(self.open)) for stage in self.won] + [(stage, -1) for stage in self.lost])
        for stage, position in ranked:
            if fold_text(stage) in index:
                raise ValueError(f"stage {stage!r} is listed twice")
            index[fold_text(stage)] = (stage, position)
        for alias, target in self.aliases.items():
            known = index.get(fold_text(alias))
            if known is not None and known[0] != target:
                raise ValueError(f"alias {alias!r} is already the stage {known[0]!r}")
            index.setdefault(fold_text(alias), index[fold_text(target)])
        self._index = index
        return self

    @property
    def labels(self) -> list[str]:
        """Funnel row labels: the open stages, then the first won name."""
        return [*self.open, self.won[0]]

    @property
    def lost_reached_position(self) -> int:
        """Open-stage index a lost deal is taken to have reached."""
        return self.open.index(self.lost_reached) if self.lost_reached else 0

    def canonical(self, stage_text: object) -> str | None:
        """This list's name for a typed stage (aliases applied), or None when unknown."""
        if not isinstance(stage_text, str):
            return None
        hit = self._index.get(fold_text(stage_text))
        return hit[0] if hit else None

    def position(self, stage_text: object) -> int | None:
        """Index among the open stages; ``len(open)`` for won, -1 for lost, None when unknown."""
        if not isinstance(stage_text, str):
            return None
        hit = self._index.get(fold_text(stage_text))
        return hit[1] if hit else None


class EnglishNames(BaseModel):
    """params/stages.yaml ``english:``: names English reports show for values typed in Chinese
    (or any other way) in the data; values not listed are shown as typed."""

    model_config = ConfigDict(extra="forbid")
    channels: dict[str, str] = Field(default_factory=dict, description="order channel -> English name")
    lead_sources: dict[str, str] = Field(default_factory=dict, description="lead source -> English name")

    def of(self, vocabulary: str, value: object, locale: str) -> object:
        """``value`` of ``vocabulary`` (channels or lead_sources) as readers of ``locale`` see it.

        >>> EnglishNames(channels={"直销": "Direct"}).of("channels", "直销", "en")
        'Direct'
        """
        if locale != "en" or not isinstance(value, str):
            return value
        return getattr(self, vocabulary).get(value, value)


class StageCatalog(BaseModel):
    """params/stages.yaml: the stage lists, the default one and per-source choices."""

    model_config = ConfigDict(extra="forbid")
    lists: dict[str, StageList] = Field(min_length=1)
    default: str
    sources: dict[str, str] = Field(default_factory=dict, description="deals source name -> list name")
    english: EnglishNames = Field(default_factory=EnglishNames)

    @model_validator(mode="before")
    @classmethod
    def _name_lists_by_key(cls, data: object) -> object:
        # A list's name is its key in the file; writing it twice would invite disagreement.
        if isinstance(data, dict) and isinstance(data.get("lists"), dict):
            lists = {key: {**body, "name": str(key)} if isinstance(body, dict) else body
                     for key, body in data["lists"].items()}
            data = {**data, "lists": lists}
        return data

    @field_validator("default")
    @classmethod
    def _default_is_a_list(cls, default: str, info: ValidationInfo) -> str:
        if "lists" in info.data and default not in info.data["lists"]:
            raise ValueError(f"{default!r} is not one of the lists {list(info.data['lists'])}")
        return default

    @field_validator("sources")
    @classmethod
    def _sources_name_lists(cls, sources: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        if "lists" in info.data:
            for source, name in sources.items():
                if name not in info.data["lists"]:
                    raise ValueError(f"source {source!r} names {name!r}, not one of the lists "
                                     f"{list(info.data['lists'])}")
        return sources

    def for_source(self, source: str, stages: Iterable[object]) -> StageList:
        """The list for a deals source: its override, else the one recognising most of ``stages``.

        Recognition counts distinct stage names; a tie goes to the default list if it is among
        the best, else to the first of them in file order. Nothing recognised: the default.
        """
        if source in self.sources:
            return self.lists[self.sources[source]]
        names = {value for value in stages if isinstance(value, str)}
        scores = {key: sum(stage_list.position(name) is not None for name in names)
                  for key, stage_list in self.lists.items()}
        best = max(scores.values())
        if best == 0 or scores[self.default] == best:
            return self.lists[self.default]
        return self.lists[next(key for key, score in scores.items() if score == best)]


@lru_cache(maxsize=8)
def _load_stages_cached(path: Path, mtime: float) -> StageCatalog:
    return validated(StageCatalog, read_yaml(path), path)


def load_stages(path: Path | None = None) -> StageCatalog:
    """Load params/stages.yaml (cached while the file is unchanged)."""
    path = Path(path) if path else project_root() / "params" / "stages.yaml"
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    return _load_stages_cached(path.resolve(), path.stat().st_mtime)


# --------------------------------------------------------------------------- exchange rates

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
