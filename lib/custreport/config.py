"""Project parameters: find the project, load and validate ``params/*.yaml`` once.

Every YAML file is read into a typed pydantic model, so a typo in a parameter
file is reported as one line naming the file and the key, not as a traceback
deep inside ingest or a notebook.

>>> root = project_root()            # the folder holding params/ (or $CUSTREPORT_HOME)
>>> regions = load_regions()         # RegionTable from params/regions.yaml
>>> regions.resolve("沪")
'east'

The files with a job of their own have their own module: stages.py (stages.yaml),
recipients.py (recipients.yaml), schedule.py (schedule.yaml), analysis_settings.py
(analysis.yaml) and fx.py (fx.yaml); this one holds what they share and the project's
sources, regions and industries.
"""

from __future__ import annotations

import os
import unicodedata
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from custreport.errors import UserError  # noqa: F401 (re-exported: older code imports it from here)

TableName = Literal["customers", "orders", "deals", "interactions", "leads", "reps"]
DateOrder = Literal["year-first", "month-first", "day-first"]


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


def notebooks_folder(root: Path) -> Path:
    """Where the project's report notebooks are: ``<root>/notebooks``."""
    return root / "notebooks"


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


def load_regions(path: Path | None = None) -> RegionTable:
    """Load params/regions.yaml (cached while the file is unchanged)."""
    return required_params(RegionTable, "regions.yaml", path)


# --------------------------------------------------------------------------- shared by the params models


class StrictModel(BaseModel):
    """A params model that refuses keys it does not know (a typo is an error, not ignored)."""

    model_config = ConfigDict(extra="forbid")


def required_params(model: type[BaseModel], name: str, path: Path | None):
    """``model`` from params/<name> (or ``path``); a one-line error when there is no such file."""
    path = Path(path) if path else project_root() / "params" / name
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    return _params_cached(model, path.resolve(), path.stat().st_mtime)


def optional_params(model: type[BaseModel], name: str, path: Path | None):
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


class Industry(StrictModel):
    """One industry of params/industries.yaml: its names in reports and every other spelling."""

    code: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class IndustryTable(StrictModel):
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
    return optional_params(IndustryTable, "industries.yaml", path)


# params files that say who gets mail, when, and how runs go, not what the data or the reports
# hold: changing them re-ingests and re-renders nothing.
DELIVERY_PARAMS = frozenset({"recipients.yaml", "schedule.yaml", "run.yaml"})


def content_params(folder: Path) -> list[Path]:
    """The params/*.yaml files data and reports depend on (all but DELIVERY_PARAMS), sorted."""
    return sorted(p for p in Path(folder).glob("*.yaml") if p.name not in DELIVERY_PARAMS)


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
    type: Literal["file", "sql"] = Field(default="file", description="file (CSV or Excel) or sql (a database)")
    path: str | None = Field(default=None, description="a file source's file path or glob, relative to the project "
                                                     "folder (required unless type is sql)")
    table: TableName
    url_env: str | None = Field(
        default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="sql: the environment variable holding the connection URL (never the URL itself)")
    db_table: str | None = Field(default=None, min_length=1,
                                 description="sql: the table or view to read (schema.table allowed)")
    query: str | None = Field(default=None, min_length=1, description="sql: a SELECT whose rows are read")
    key: list[str] | None = Field(
        default=None, description="sql: the column(s) that identify a row: its lineage, and incremental reads")
    watermark: str | None = Field(
        default=None, min_length=1,
        description="sql: a column that grows when a row changes (updated_at): later reads fetch only changed rows")
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

    @field_validator("key", mode="before")
    @classmethod
    def _key_as_list(cls, key: object) -> object:
        return [key] if isinstance(key, str) else key

    @model_validator(mode="after")
    def _file_or_sql(self) -> "SourceSpec":
        given = self.model_fields_set
        if self.type == "file":
            sql_keys = sorted(given & SQL_ONLY_KEYS)
            if sql_keys:
                raise ValueError(f"source {self.name!r}: {', '.join(sql_keys)}: a database source's settings; "
                                 "add `type: sql`")
            if not self.path:
                raise ValueError(f"source {self.name!r}: `path:` is missing (a file or glob such as "
                                 "data/raw/customers.xlsx; a database source says `type: sql`)")
            return self
        file_keys = sorted(given & FILE_ONLY_KEYS)
        if file_keys:
            raise ValueError(f"source {self.name!r}: {', '.join(file_keys)}: settings of a file source, not of a "
                             "database source (type: sql)")
        if not self.url_env:
            raise ValueError(f"source {self.name!r}: a database source names the environment variable holding "
                             "its connection URL: `url_env: CRM_DATABASE_URL`")
        if (self.db_table is None) == (self.query is None):
            raise ValueError(f"source {self.name!r}: a database source reads either `db_table:` or `query:` "
                             "(one of them)")
        if not self.key:
            raise ValueError(f"source {self.name!r}: name the column(s) that identify a row with `key:` "
                             "(e.g. key: id): lineage and incremental reads need them")
        return self


SQL_ONLY_KEYS = frozenset({"url_env", "db_table", "query", "key", "watermark"})
FILE_ONLY_KEYS = frozenset({"path", "sheets", "encoding", "delimiter", "header_row", "columns"})


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
