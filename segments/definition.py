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

import calendar
import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, TypeGuard, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

VERSION: Final = 1

# Bounds past which a number means nothing in a segment, and would overflow a date or a column:
# the parser says so in the user's words, and these validators refuse a definition from elsewhere.
MAX_COUNT = 1_000_000_000
MAX_SPAN_YEARS = 200
MAX_AGE = 150
MAX_NUMBER = 10**12
FIRST_YEAR, LAST_YEAR = 1900, 2200
#: The longest each unit can be, in days, to hold a span to MAX_SPAN_YEARS.
UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 31, "year": 366}


def _at_most(limit: int, what: str) -> AfterValidator:
    def check(n: int) -> int:
        if n > limit:
            raise ValueError(f"{what} of more than {limit:,} means nothing here")
        return n

    return AfterValidator(check)


def _in_years(day: date | None) -> date | None:
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(
            f"a date in {day.year} means nothing here: say a year from {FIRST_YEAR} to {LAST_YEAR}"
        )
    return day


Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Number = Annotated[int, Field(ge=0), _at_most(MAX_COUNT, "a count")]
Day = Annotated[date | None, AfterValidator(_in_years)]

#: An attribute's value as the user gave it; the compiler casts it to the column's type.
Scalar = bool | int | float | str
Unit = Literal["hour", "day", "week", "month", "year"]
Comparison = Literal["eq", "ne", "gt", "ge", "lt", "le"]
FilterOp = Literal["eq", "in", "contains"]
AggregateFn = Literal["sum", "avg", "count", "max", "min"]
RankMeasure = Literal["spend", "order_value", "orders", "rfm"]
EmailAction = Literal["opened", "clicked"]
ReachabilityState = Literal["reachable", "suppressed"]
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

    @model_validator(mode="after")
    def _bounded(self) -> Span:
        if self.n * UNIT_DAYS[self.unit] > MAX_SPAN_YEARS * 366:
            raise ValueError(f"{self.n:,} {self.unit}s is longer than {MAX_SPAN_YEARS} years")
        return self


class Last(Node):
    """`as_of - span < t <= as_of`: "in the last 30 days"."""

    kind: Literal["last"] = "last"
    span: Span


class OlderThan(Node):
    """`t < as_of - span`: "more than 6 months ago"."""

    kind: Literal["older_than"] = "older_than"
    span: Span


CalendarName = Literal[
    "today", "yesterday", "this_week", "this_month", "this_quarter", "this_year", "last_week", "last_month",
    "last_quarter", "last_year",
]  # fmt: skip


def is_calendar_name(name: str) -> TypeGuard[CalendarName]:
    return name in get_args(CalendarName)


class Calendar(Node):
    """A calendar period around `as_of` in the workspace's time zone: "last month", "this year"."""

    kind: Literal["calendar"] = "calendar"
    period: CalendarName


class MonthRef(Node):
    month: int = Field(ge=1, le=12)
    #: None: the most recent such month that has begun on or before `as_of`.
    year: Year | None = None


class Months(Node):
    """From the first day of `first` up to the end of `last`: "in March", "between March and May 2026".

    No `first`: from the beginning; no `last`: up to `as_of` ("since March"). A month without a
    year is the latest one begun by `as_of`. `before` alone is up to the start of that month
    ("before January" in December: before this year's January, not the coming one); `after` alone
    is from the end of that month to `as_of` (the time after "in December", which has not ended).
    """

    kind: Literal["months"] = "months"
    first: MonthRef | None = None
    last: MonthRef | None = None
    before: MonthRef | None = None
    after: MonthRef | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Months:
        if (self.before or self.after) and (self.first or self.last or (self.before and self.after)):
            raise ValueError("a 'before' or 'after' month stands alone")
        return self


class DayRef(Node):
    """A day of the year without a year: "3 March", "nov 1st" (29 February is a day of leap years)."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _exists(self) -> DayRef:
        if self.day > calendar.monthrange(2024, self.month)[1]:  # 2024: a leap year
            raise ValueError(f"{calendar.month_name[self.month]} has no day {self.day}")
        return self


class Days(Node):
    """Calendar days named without a year: "on 3 March", "since feb 28", "before nov 1st".

    Each day is the most recent such date on or before `as_of` (`first`: on or before the end).
    From the start of `first` (none: from the beginning) up to the end of `last`, or up to the
    start of `before`; neither: up to `as_of`.
    """

    kind: Literal["days"] = "days"
    first: DayRef | None = None
    last: DayRef | None = None
    before: DayRef | None = None

    @model_validator(mode="after")
    def _one_end(self) -> Days:
        if self.last is not None and self.before is not None:
            raise ValueError("a span of days ends once: 'until' a day or 'before' it")
        return self


class Quarter(Node):
    """A calendar quarter (Q1 = January to March): of `year`, or the most recent one begun by `as_of`."""

    kind: Literal["quarter"] = "quarter"
    quarter: int = Field(ge=1, le=4)
    year: Year | None = None


class Dates(Node):
    """`start <= t < end` by calendar dates in the workspace's time zone; either end may be open."""

    kind: Literal["dates"] = "dates"
    start: Day = None
    end: Day = None


Window = Annotated[Last | OlderThan | Calendar | Months | Days | Quarter | Dates, Field(discriminator="kind")]


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

    @model_validator(mode="after")
    def _bounded(self) -> Attribute:
        numbers = [
            v for v in [self.value, *self.values] if isinstance(v, int | float) and not isinstance(v, bool)
        ]
        limit, what = {"age": (MAX_AGE, "an age"), "company_size": (MAX_COUNT, "a size")}.get(
            self.field, (MAX_NUMBER, "a number")
        )
        for number in numbers:
            if abs(number) > limit:
                raise ValueError(f"{what} of more than {limit:,} means nothing here")
        if self.field == "age" and any(n < 0 for n in numbers):
            raise ValueError("an age below 0 means nothing here")
        return self


class Count(Node):
    op: Comparison = "ge"
    n: Number = 1

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
    op: FilterOp = "eq"
    values: list[Scalar]
    #: The event does not have the property (or has none): "a purchase outside golf", for "only golf".
    negated: bool = False


class Event(Node):
    """The contact has events of `type` (within the window, with the properties) `count` times."""

    kind: Literal["event"] = "event"
    type: str
    window: Window | None = None
    where: list[EventFilter] = []
    count: Count = Count()
    #: Only events after the contact's latest event of this type ("no purchase since").
    after_latest: str | None = None
    #: ... and of these properties: the latest *such* event ("opened Black Friday but not bought since").
    after_where: list[EventFilter] = []


class Aggregate(Node):
    """A sum, average, count, maximum or minimum of `amount` over the contact's events of `type`."""

    kind: Literal["aggregate"] = "aggregate"
    type: str = "purchase"
    fn: AggregateFn
    op: Comparison
    value: Annotated[Decimal, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)]
    window: Window | None = None
    where: list[EventFilter] = []


class Rank(Node):
    """The first ceil(percent% of purchasers) purchasers, best first, by a measure of their orders."""

    kind: Literal["rank"] = "rank"
    by: RankMeasure = "spend"
    percent: Decimal = Field(gt=0, le=100)
    type: str = "purchase"


class LastEmails(Node):
    """The contact's `n` most recent `email_sent` were all opened (or clicked)."""

    kind: Literal["last_emails"] = "last_emails"
    n: Annotated[Number, Field(ge=1)]
    action: EmailAction = "opened"


class Reachability(Node):
    """Whether the contact can be emailed (segment-semantics.md, Consent): `reachable` is subscribed
    and not suppressed; `suppressed` complained (any `email_complained`) or bounced on two or more
    sends. The same test the answers' reachable counts use."""

    kind: Literal["reachability"] = "reachability"
    state: ReachabilityState = "reachable"


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
    All | AnyOf | Not | Attribute | Event | Aggregate | Rank | LastEmails | Reachability | Saved,
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


def all_of(first: Condition, *rest: Condition) -> Condition:
    """All of one condition or more: `conjoin` where none is missing, so there is one to return
    (an empty group, which holds for everyone as no condition does, stays itself)."""
    found = conjoin(first, *rest)
    return first if found is None else found


def decimal(number: float) -> Decimal:
    """A number of the phrase as an amount or a share: the Decimal a definition makes of the float
    (by its shortest spelling, `str`: 0.1 is Decimal("0.1"))."""
    return Decimal(str(number))
