"""The typed segment definition: the contract between the parser, the compiler and the bot.

A definition is a tree of conditions on one contact. The parser writes it, the compiler turns
it into SQL, the reading explains it, and Slack and the console show and edit it; it travels
as JSON (`Definition.model_dump_json()` / `Definition.model_validate_json()`) and carries a
version, so that a saved segment stays readable after the schema grows.

Time windows are kept relative ("the last 30 days") and resolved against `as_of` when the
definition is compiled, so a saved segment means the same thing every day it is used.
Lifecycle presets are expanded into plain conditions under a labelled group, so the reading
shows what "lapsed customers" means rather than repeating the name.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VERSION = 1

#: An attribute's value as the user gave it; the compiler casts it to the column's type.
Scalar = bool | int | float | str
Unit = Literal["hour", "day", "week", "month", "year"]
Comparison = Literal["eq", "ne", "gt", "ge", "lt", "le"]
#: Each comparison as its operator: on numbers here, on columns in the compiler.
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_OPPOSITE: dict[str, Comparison] = {"eq": "ne", "ne": "eq", "gt": "le", "ge": "lt", "lt": "ge", "le": "gt"}


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# -- time windows ------------------------------------------------------------------------------


class Span(Node):
    n: int = Field(ge=0)
    unit: Unit


class Last(Node):
    """`as_of - span < t <= as_of`: "in the last 30 days"."""

    kind: Literal["last"] = "last"
    span: Span


class OlderThan(Node):
    """`t < as_of - span`: "more than 6 months ago"."""

    kind: Literal["older_than"] = "older_than"
    span: Span


CalendarName = Literal[
    "today", "yesterday", "this_week", "this_month", "this_year", "last_week", "last_month", "last_year"
]


class Calendar(Node):
    """A calendar period around `as_of` in the workspace's time zone: "last month", "this year"."""

    kind: Literal["calendar"] = "calendar"
    period: CalendarName


class MonthRef(Node):
    month: int = Field(ge=1, le=12)
    #: None: the most recent such month that has begun on or before `as_of`.
    year: int | None = None


class Months(Node):
    """From the first day of `first` up to the end of `last`: "in March", "between March and May 2026".

    No `first`: from the beginning ("before March" is up to the end of February); no `last`: up
    to `as_of` ("since March").
    """

    kind: Literal["months"] = "months"
    first: MonthRef | None = None
    last: MonthRef | None = None


class Dates(Node):
    """`start <= t < end` by calendar dates in the workspace's time zone; either end may be open."""

    kind: Literal["dates"] = "dates"
    start: date | None = None
    end: date | None = None


Window = Annotated[Last | OlderThan | Calendar | Months | Dates, Field(discriminator="kind")]


# -- conditions on the contact -----------------------------------------------------------------

AttributeOp = Literal[
    "eq", "in", "ne", "gt", "ge", "lt", "le", "between", "contains", "has", "empty", "present"
]


class Attribute(Node):
    """A condition on one attribute of the contact: a known column, `age`, or a custom property.

    `eq`/`in` match stored values exactly (the parser has already mapped the user's words to
    them); `contains` is a case-insensitive word match (job titles); `has` is a tag of a list
    (interests); `between` includes both ends; `empty`/`present` test for a value.
    """

    kind: Literal["attribute"] = "attribute"
    field: str
    op: AttributeOp
    value: Scalar | None = None
    values: list[Scalar] = []
    #: The field is a custom property (kept in `contacts.properties`).
    custom: bool = False
    #: For time-stamped attributes (signed_up_at): a window instead of a value.
    window: Window | None = None


class Count(Node):
    op: Comparison = "ge"
    n: int = Field(default=1, ge=0)

    def admits_zero(self) -> bool:
        """Whether a contact with no such event passes ("fewer than 3", "not 2")."""
        return COMPARE[self.op](0, self.n)

    def negated(self) -> Count:
        """The count that exactly the others pass: "at least 3" for "fewer than 3"."""
        return Count(op=_OPPOSITE[self.op], n=self.n)


EventField = str  # category | product | topic | campaign | currency | a custom event property


class EventFilter(Node):
    """A property of the event. `campaign` matches every campaign whose name contains the value."""

    field: EventField
    op: Literal["eq", "in", "contains"] = "eq"
    values: list[Scalar]


class Event(Node):
    """The contact has events of `type` (within the window, with the properties) `count` times."""

    kind: Literal["event"] = "event"
    type: str
    window: Window | None = None
    where: list[EventFilter] = []
    count: Count = Count()
    #: Only events after the contact's latest event of this type ("no purchase since").
    after_latest: str | None = None


class Aggregate(Node):
    """A sum, average, count, maximum or minimum of `amount` over the contact's events of `type`."""

    kind: Literal["aggregate"] = "aggregate"
    type: str = "purchase"
    fn: Literal["sum", "avg", "count", "max", "min"]
    op: Comparison
    value: Decimal
    window: Window | None = None
    where: list[EventFilter] = []


class Rank(Node):
    """The first ceil(percent% of purchasers) purchasers, best first, by a measure of their orders."""

    kind: Literal["rank"] = "rank"
    by: Literal["spend", "order_value", "orders", "rfm"] = "spend"
    percent: Decimal = Field(gt=0, le=100)
    type: str = "purchase"


class LastEmails(Node):
    """The contact's `n` most recent `email_sent` were all opened (or clicked)."""

    kind: Literal["last_emails"] = "last_emails"
    n: int = Field(ge=1)
    action: Literal["opened", "clicked"] = "opened"


class Saved(Node):
    """A saved segment, evaluated afresh each time it is used."""

    kind: Literal["saved"] = "saved"
    name: str


class All(Node):
    kind: Literal["all"] = "all"
    of: list[Condition]
    #: The preset or saved name this group spells out ("lapsed customers"), for the reading.
    label: str | None = None


class AnyOf(Node):
    kind: Literal["any"] = "any"
    of: list[Condition]
    label: str | None = None


class Not(Node):
    kind: Literal["not"] = "not"
    of: Condition


Condition = Annotated[
    All | AnyOf | Not | Attribute | Event | Aggregate | Rank | LastEmails | Saved,
    Field(discriminator="kind"),
]

for _model in (All, AnyOf, Not):
    _model.model_rebuild()


class Definition(Node):
    """A segment: the contacts for which `where` holds (every contact when it is None)."""

    version: Literal[1] = VERSION
    where: Condition | None = None

    def as_json(self) -> dict:
        """The JSON form: every node with its `kind`, unset optional parts left out."""
        return self.model_dump(mode="json", exclude_none=True)


def conjoin(*conditions: Condition | None) -> Condition | None:
    """All of the conditions given, flattening nested unlabelled groups and dropping None."""
    parts: list[Condition] = []
    for condition in conditions:
        if isinstance(condition, All) and condition.label is None:
            parts.extend(condition.of)
        elif condition is not None:
            parts.append(condition)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else All(of=parts)
