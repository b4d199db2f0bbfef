"""Hypothesis strategies of segment definitions over the real values of the test data set.

Values are drawn from the data (with a few that match nothing), so that most conditions select
some contacts and boundaries fall on stored values: thresholds equal to real sums, `as_of` on an
event's time stamp, needles cut out of real names in any case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import cache
from typing import get_args
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from segments.definition import (
    Aggregate,
    All,
    AnyOf,
    Attribute,
    Calendar,
    CalendarName,
    Comparison,
    Condition,
    Count,
    Dates,
    DayRef,
    Days,
    Definition,
    Event,
    EventFilter,
    Last,
    LastEmails,
    MonthRef,
    Months,
    Not,
    OlderThan,
    Quarter,
    Rank,
    Reachability,
    Saved,
    Scalar,
    Span,
    Window,
)
from tests.segments.dataset import DATA_AS_OF
from tests.segments.reference import Dataset

TEXT_FIELDS = (
    "first_name", "last_name", "gender", "city", "country", "timezone", "language", "industry",
    "company", "job_title", "signup_source", "device", "loyalty_tier", "email_consent",
)  # fmt: skip
#: Ordered attributes that are not time stamps: (field, custom).
ORDERED_FIELDS = (
    ("company_size", False),
    ("birth_date", False),
    ("score", True),
    ("ltv", True),
    ("renewal", True),
)
#: Time stamp attributes: (field, custom).
TIMESTAMP_FIELDS = (("signed_up_at", False), ("last_login", True))
EVENT_FILTER_FIELDS = ("category", "product", "topic", "currency", "campaign_id", "channel")
COMPARISONS: tuple[Comparison, ...] = get_args(Comparison)
ZONES: tuple[tzinfo, ...] = (
    UTC,
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
)
#: Moments where calendars turn: local dates differ from UTC ones, months and years end.
AS_OF_MOMENTS = (
    DATA_AS_OF,
    datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
    datetime(2026, 1, 1, 0, 30, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
    datetime(2026, 2, 28, 23, 0, tzinfo=UTC),
    datetime(2026, 6, 29, 22, 15, tzinfo=UTC),
)
#: `as_of` this long after an event puts the event on the edge of a window of that span.
SHIFTS = (timedelta(0), timedelta(hours=1), timedelta(days=1), timedelta(days=7), timedelta(days=30))
SPANS = (
    Span(n=0, unit="day"),
    Span(n=1, unit="hour"),
    Span(n=1, unit="day"),
    Span(n=7, unit="day"),
    Span(n=1, unit="week"),
    Span(n=30, unit="day"),
    Span(n=1, unit="month"),
)
PERCENTS = tuple(Decimal(p) for p in ("0.5", "1", "5", "10", "12.5", "20", "33.3", "50", "99", "100"))
RANKED_TYPES = ("purchase", "purchase", "cart_abandoned", "email_opened")
NOWHERE = "Nowhere at all"

#: Saved segments the definitions may name.
SAVED = {
    "buyers": Definition(where=Event(type="purchase")),
    "berliners": Definition(where=Attribute(field="city", op="eq", value="Berlin")),
    "berlin buyers": Definition(
        where=All(of=[Saved(name="buyers"), Saved(name="berliners")], label="berlin buyers")
    ),
}


@dataclass(frozen=True, eq=False)
class Pools:
    """The distinct real values of the data set that definitions draw on.

    Compared by identity, so that the strategies made from it are made once (`cache`): hypothesis
    prepares every new strategy object anew, which costs more than drawing from it.
    """

    contact_values: dict[str, list]  #: by attribute (known or custom), sorted, no empties
    tags: list[str]
    event_types: list[str]
    event_values: dict[str, list[str]]  #: by event filter field
    campaign_names: list[str]
    thresholds: list[Decimal]  #: amounts, sums and averages of purchases, rounded to cents
    event_times: list[datetime]

    @classmethod
    def of(cls, data: Dataset) -> Pools:
        contacts = list(data.contacts.values())
        names = {*contacts[0].values, *contacts[0].custom}
        values = {
            name: sorted({v for c in contacts if (v := c.values.get(name, c.custom.get(name))) is not None})
            for name in names
        }
        events = [e for rows in data.events.values() for e in rows]
        event_values = {
            f: sorted({v for e in events if (v := e.fields.get(f)) is not None}) for f in EVENT_FILTER_FIELDS
        }
        return cls(
            contact_values=values,
            tags=sorted({tag for c in contacts for tag in c.tags}),
            event_types=sorted({e.type for e in events}),
            event_values=event_values,
            campaign_names=sorted(data.campaigns.values()),
            thresholds=_thresholds(data),
            event_times=sorted({e.at for e in events})[::7],
        )


def _thresholds(data: Dataset) -> list[Decimal]:
    found: set[Decimal] = {Decimal(0), Decimal(50), Decimal(100), Decimal(500)}
    for rows in data.events.values():
        amounts = [e.amount for e in rows if e.type == "purchase" and e.amount is not None]
        if amounts:
            found |= {amounts[0], max(amounts), sum(amounts), round(sum(amounts) / len(amounts), 2)}
    return sorted(found)


# -- the parts of a definition ------------------------------------------------------------------


def needles(values: Sequence[str]) -> st.SearchStrategy[str]:
    """A piece of a real value, in any case."""

    def cut(value: str) -> st.SearchStrategy[str]:
        return st.tuples(st.integers(0, len(value)), st.integers(1, len(value))).map(
            lambda ends: value[min(ends) : max(ends)] or value
        )

    case = st.sampled_from([str, str.lower, str.upper, str.title])
    return st.tuples(st.sampled_from(values).flatmap(cut), case).map(lambda pair: pair[1](pair[0]))


def scalar(value: object) -> Scalar:
    """A stored value as a definition writes it: dates in ISO form, decimals as floats."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    assert isinstance(value, bool | int | float | str), value
    return value


def values_of(pool: Sequence[object], extra: Scalar) -> st.SearchStrategy[Scalar]:
    return st.one_of(st.sampled_from(pool).map(scalar), st.just(extra))


def text_attributes(pools: Pools, field: str, custom: bool = False) -> st.SearchStrategy[Attribute]:
    pool = pools.contact_values[field]
    value = values_of(pool, NOWHERE)
    some = st.lists(value, min_size=1, max_size=3)
    return st.one_of(
        st.builds(Attribute, field=st.just(field), op=st.sampled_from(["eq", "ne"]), value=value),
        st.builds(Attribute, field=st.just(field), op=st.sampled_from(["in", "ne"]), values=some),
        st.builds(Attribute, field=st.just(field), op=st.sampled_from(["empty", "present"])),
        st.builds(
            Attribute,
            field=st.just(field),
            op=st.just("contains"),
            values=st.lists(needles(pool), max_size=2, min_size=1),
        ),
    ).map(lambda node: node.model_copy(update={"custom": custom}))


def interests(pools: Pools) -> st.SearchStrategy[Attribute]:
    tag = st.one_of(
        needles(pools.tags).filter(lambda t: t.lower() in pools.tags),
        st.just("knitting"),
        st.lists(st.sampled_from(pools.tags), min_size=2, max_size=2, unique=True).map(";".join),
    )
    return st.one_of(
        st.builds(
            Attribute,
            field=st.just("interests"),
            op=st.just("has"),
            values=st.lists(tag, min_size=1, max_size=2),
        ),
        st.builds(Attribute, field=st.just("interests"), op=st.sampled_from(["empty", "present"])),
    )


def ordered_attributes(pools: Pools, field: str, custom: bool) -> st.SearchStrategy[Attribute]:
    value = st.sampled_from(pools.contact_values[field]).map(scalar)
    return st.one_of(
        st.builds(Attribute, field=st.just(field), op=st.sampled_from(COMPARISONS), value=value),
        st.builds(
            Attribute,
            field=st.just(field),
            op=st.sampled_from(["in", "between"]),
            values=st.lists(value, min_size=2, max_size=3),
        ),
        st.builds(Attribute, field=st.just(field), op=st.sampled_from(["empty", "present"])),
    ).map(lambda node: node.model_copy(update={"custom": custom}))


def timestamp_texts(moments: Sequence[datetime]) -> st.SearchStrategy[str]:
    """A stored time stamp written with Z, with another offset, without one, or as a date."""
    forms: list[Callable[[datetime], str]] = [
        lambda m: m.isoformat().replace("+00:00", "Z"),
        lambda m: m.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat(),
        lambda m: m.replace(tzinfo=None).isoformat(),
        lambda m: m.date().isoformat(),
    ]
    return st.tuples(st.sampled_from(moments), st.sampled_from(forms)).map(lambda pair: pair[1](pair[0]))


def timestamp_attributes(pools: Pools, field: str, custom: bool) -> st.SearchStrategy[Attribute]:
    value = timestamp_texts(pools.contact_values[field])
    return st.one_of(
        st.builds(Attribute, field=st.just(field), op=st.sampled_from(COMPARISONS), value=value),
        st.builds(
            Attribute,
            field=st.just(field),
            op=st.just("between"),
            values=st.lists(value, min_size=2, max_size=2),
        ),
        st.builds(Attribute, field=st.just(field), op=st.just("eq"), window=windows()),
    ).map(lambda node: node.model_copy(update={"custom": custom}))


def ages() -> st.SearchStrategy[Attribute]:
    age = st.integers(15, 80)
    return st.one_of(
        st.builds(
            Attribute, field=st.just("age"), op=st.sampled_from(["eq", "gt", "ge", "lt", "le"]), value=age
        ),
        st.builds(
            Attribute,
            field=st.just("age"),
            op=st.just("between"),
            values=st.lists(age, min_size=2, max_size=2),
        ),
    )


def booleans() -> st.SearchStrategy[Attribute]:
    return st.one_of(
        st.builds(
            Attribute,
            field=st.just("newsletter"),
            op=st.sampled_from(["eq", "ne"]),
            value=st.booleans(),
            custom=st.just(True),
        ),
        st.builds(
            Attribute,
            field=st.just("newsletter"),
            op=st.sampled_from(["empty", "present"]),
            custom=st.just(True),
        ),
    )


def attributes(pools: Pools) -> st.SearchStrategy[Attribute]:
    return st.one_of(
        st.sampled_from(TEXT_FIELDS).flatmap(lambda field: text_attributes(pools, field)),
        text_attributes(pools, "plan", custom=True),
        interests(pools),
        *(ordered_attributes(pools, *spec) for spec in ORDERED_FIELDS),
        *(timestamp_attributes(pools, *spec) for spec in TIMESTAMP_FIELDS),
        ages(),
        booleans(),
    )


# -- windows, events, aggregates ----------------------------------------------------------------


def spans() -> st.SearchStrategy[Span]:
    return st.one_of(
        st.sampled_from(SPANS),
        st.builds(Span, n=st.integers(0, 72), unit=st.just("hour")),
        st.builds(Span, n=st.integers(0, 400), unit=st.just("day")),
        st.builds(Span, n=st.integers(0, 60), unit=st.just("week")),
        st.builds(Span, n=st.integers(0, 40), unit=st.just("month")),
        st.builds(Span, n=st.integers(0, 4), unit=st.just("year")),
    )


def windows() -> st.SearchStrategy[Window]:
    month = st.builds(MonthRef, month=st.integers(1, 12), year=st.none() | st.integers(2024, 2026))
    day = st.none() | st.dates(date(2023, 6, 1), date(2026, 12, 31))
    day_ref = st.dates(date(2024, 1, 1), date(2024, 12, 31)).map(lambda d: DayRef(month=d.month, day=d.day))
    return st.one_of(
        st.builds(Last, span=spans()),
        st.builds(OlderThan, span=spans()),
        st.builds(Calendar, period=st.sampled_from(get_args(CalendarName))),
        st.builds(Months, first=st.none() | month, last=st.none() | month),
        st.builds(Months, before=month),
        st.builds(Months, after=month),
        st.builds(Dates, start=day, end=day),
        st.builds(Days, first=st.none() | day_ref, last=st.none() | day_ref),
        st.builds(Days, first=st.none() | day_ref, before=day_ref),
        st.builds(Quarter, quarter=st.integers(1, 4), year=st.none() | st.integers(2024, 2026)),
    )


def event_filters(pools: Pools) -> st.SearchStrategy[EventFilter]:
    def on(field: str) -> st.SearchStrategy[EventFilter]:
        pool = pools.event_values[field]
        value = values_of(pool, NOWHERE)
        return st.one_of(
            st.builds(
                EventFilter,
                field=st.just(field),
                op=st.just("eq"),
                values=st.lists(value, min_size=1, max_size=1),
            ),
            st.builds(
                EventFilter,
                field=st.just(field),
                op=st.just("in"),
                values=st.lists(value, min_size=1, max_size=3),
            ),
            st.builds(
                EventFilter,
                field=st.just(field),
                op=st.just("contains"),
                values=st.lists(needles(pool), min_size=1, max_size=2),
            ),
        )

    campaign = st.builds(
        EventFilter,
        field=st.just("campaign"),
        values=st.lists(needles(pools.campaign_names), min_size=1, max_size=2),
    )
    return st.one_of(campaign, *(on(field) for field in EVENT_FILTER_FIELDS))


def events(pools: Pools) -> st.SearchStrategy[Event]:
    event_type = st.sampled_from([*pools.event_types, "never_happened"])
    return st.builds(
        Event,
        type=event_type,
        window=st.none() | windows(),
        where=st.lists(event_filters(pools), max_size=2),
        count=st.builds(Count, op=st.sampled_from(COMPARISONS), n=st.integers(0, 4)),
        after_latest=st.none() | st.none() | event_type,
        after_where=st.just([]) | st.lists(event_filters(pools), max_size=1),
    )


def aggregates(pools: Pools) -> st.SearchStrategy[Aggregate]:
    def build(fn: str) -> st.SearchStrategy[Aggregate]:
        value = st.integers(0, 6).map(Decimal) if fn == "count" else st.sampled_from(pools.thresholds)
        return st.builds(
            Aggregate,
            type=st.sampled_from(RANKED_TYPES),
            fn=st.just(fn),
            op=st.sampled_from(COMPARISONS),
            value=value,
            window=st.none() | windows(),
            where=st.lists(event_filters(pools), max_size=1),
        )

    return st.sampled_from(["sum", "avg", "count", "max", "min"]).flatmap(build)


def ranks() -> st.SearchStrategy[Rank]:
    by = st.sampled_from(["spend", "order_value", "orders", "rfm"])
    return st.builds(Rank, by=by, percent=st.sampled_from(PERCENTS), type=st.sampled_from(RANKED_TYPES))


def leaves(pools: Pools) -> st.SearchStrategy[Condition]:
    return st.one_of(
        attributes(pools),
        events(pools),
        aggregates(pools),
        ranks(),
        st.builds(LastEmails, n=st.integers(1, 6), action=st.sampled_from(["opened", "clicked"])),
        st.builds(Reachability, state=st.sampled_from(["reachable", "suppressed"])),
        st.builds(Saved, name=st.sampled_from(sorted(SAVED))),
    )


def conditions(pools: Pools) -> st.SearchStrategy[Condition]:
    def groups(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
        parts = st.lists(children, max_size=3)
        label = st.none() | st.just("a preset")
        return st.one_of(
            st.builds(All, of=parts, label=label),
            st.builds(AnyOf, of=parts, label=label),
            st.builds(Not, of=children),
        )

    return st.recursive(leaves(pools), groups, max_leaves=6)


@cache
def definitions(pools: Pools) -> st.SearchStrategy[Definition]:
    return st.builds(Definition, where=st.none() | conditions(pools))


@cache
def moments(pools: Pools) -> st.SearchStrategy[datetime]:
    """An `as_of`: where calendars turn, or just after an event, on the edge of a window."""
    after_event = st.tuples(st.sampled_from(pools.event_times), st.sampled_from(SHIFTS))
    return st.one_of(st.sampled_from(AS_OF_MOMENTS), after_event.map(lambda pair: pair[0] + pair[1]))


def zones() -> st.SearchStrategy[tzinfo]:
    return st.sampled_from(ZONES)
