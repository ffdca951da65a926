"""params/stages.yaml: the sales processes deals move through, and the English names of
stages, channels and lead sources.

>>> load_stages().for_source("sales_pipeline", []).open   # the list params/stages.yaml names for that source
['Prospecting', 'Engaging']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from custreport.config import fold_text, required_params


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


def load_stages(path: Path | None = None) -> StageCatalog:
    """Load params/stages.yaml (cached while the file is unchanged)."""
    return required_params(StageCatalog, "stages.yaml", path)
