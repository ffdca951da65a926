"""params/recipients.yaml: who gets which region's reports, in which language, on which alert;
and the operators told of failures.

>>> Recipient(name="华东区经理", email="east@example.com", region="east").reports
['summary']
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from custreport.config import StrictModel, project_root, read_yaml, validated
from custreport.errors import UserError


class Recipient(StrictModel):
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


class Operator(StrictModel):
    """Someone of params/recipients.yaml ``operators:``: gets one message naming each failure of
    `custreport send` or `update`, never reports."""

    name: str = Field(min_length=1, pattern=r"^[^\r\n]+$")
    email: str = Field(pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


class RecipientList(StrictModel):
    """params/recipients.yaml."""

    recipients: list[Recipient] = Field(default_factory=list)
    operators: list[Operator] = Field(default_factory=list)


def load_recipients(path: Path | None = None) -> RecipientList:
    """Load params/recipients.yaml; a missing file is a one-line UserError."""
    path = Path(path) if path else project_root() / "params" / "recipients.yaml"
    if not path.is_file():
        raise UserError(f"{path}: file not found (list who gets which region's reports there)")
    return validated(RecipientList, read_yaml(path), path)
