"""params/recipients.yaml: who gets which region's reports, in which language, on which alert,
which rep's fix list; and the operators told of failures.

>>> Recipient(name="华东区经理", email="east@example.com", region="east").reports
['summary']
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from custreport.config import StrictModel, project_root, read_yaml, validated
from custreport.errors import UserError


class Recipient(StrictModel):
    """One reader of params/recipients.yaml: who, which region, which language, what to attach."""

    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
    region: str = Field(min_length=1, description="a region code, name or alias, or all for the whole company")
    language: Literal["zh", "en"] = "zh"
    reports: list[str] = Field(default_factory=lambda: ["summary"], min_length=1)
    attach: list[Literal["pdf", "xlsx", "fix_list"]] = Field(default_factory=lambda: ["pdf"])
    rep: str | None = Field(default=None, min_length=1,
                            description="the rep (rep_id or name in the reps table) whose own fix list "
                                        "attach: [fix_list] sends; unassigned: the region's customers without "
                                        "an owner")
    when: str | None = Field(default=None, description="a data alert: mail only when it holds, "
                                                        "e.g. revenue_change < -10% or win_rate < 0.2")
    # where the entry is (params/recipients.yaml: recipients.3), for errors found when sending
    _entry: str = PrivateAttr(default="")

    @field_validator("name", "region", "rep")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        # these go into mail headers: a line break there would inject headers of its own
        if value is None:
            return None
        if "\r" in value or "\n" in value:
            raise ValueError("must be one line (no line breaks)")
        return value.strip()

    @model_validator(mode="after")
    def _fix_list_names_its_rep(self):
        if "fix_list" in self.attach and not self.rep:
            raise ValueError("attach: fix_list needs rep: the rep (rep_id or name) whose own fix list this "
                             "recipient gets, or rep: unassigned for the region's customers without an owner")
        return self

    @property
    def entry(self) -> str:
        """The entry as errors name it: the file and its place in it, else the address."""
        return self._entry or f"recipient {self.email}"

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
    listed = validated(RecipientList, read_yaml(path), path)
    for number, recipient in enumerate(listed.recipients):
        recipient._entry = f"{path}: recipients.{number} ({recipient.email})"
    return listed
