"""What was asked, kept so that it can be answered again: a private answer's *Share in channel*
button carries it as its value.

It holds the words and which way in asked them, never a figure or a contact of the answer: the
value goes to Slack and back, and the shared answer is worked out afresh where everyone sees it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

#: Slack refuses a button whose value is longer.
MAX_VALUE = 2000


class Question(BaseModel):
    text: str
    #: "phrase": the words as typed (a segment or a report); "performance": the Performance button's
    #: segment, over every campaign.
    kind: Literal["phrase", "performance"] = "phrase"

    def as_value(self) -> str | None:
        """The button value; None when the words do not fit in one (a clipped phrase would be
        another question)."""
        value = self.model_dump_json(exclude_defaults=True)
        return value if len(value) <= MAX_VALUE else None

    @classmethod
    def from_value(cls, value: str) -> Question:
        return cls.model_validate_json(value)
