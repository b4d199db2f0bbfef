"""A reference evaluator of segment definitions: plain Python over the rows of the CSV files.

It is written from `../shared/spec/segment-semantics.md` and the docstrings of
`segments/definition.py`, and shares no code with `segments.compiler` or `segments.windows`:
windows are tested here by calendar dates and month numbers, not by resolved bounds. Where the
spec is silent, the readings chosen are these:

- A missing attribute value satisfies `ne` and `empty` and no other operator, and `Not` is the
  plain complement: "not in Berlin" includes the contacts without a city.
- Naive time stamps in attribute values are read in the workspace's time zone, as import does.
- `contains` ignores case (but not accents); `has` is one whole tag of `interests`, any case.
- An aggregate holds only for contacts with at least one matching event (the spec's
  "customers ... where the phrase adds a purchase condition of its own, that condition alone");
  `count` counts the events, the other functions the amounts given, and no amount is no value.
- `after_latest`: when the contact has no event of that type, no event counts.
- Rankings list purchasers (contacts with an event of the type) best first; a purchaser with no
  amount has no measure and comes last; ties go to the lower contact id (`contacts.id`, the
  order of import), as in the compiler. RFM quintiles are SQL's `ntile(5)` over the ascending
  measure (no measure first), ties again in contact id order, so a run of equal values can
  straddle two quintiles.
- `last_emails`: an email counts as opened (clicked) when an `email_opened` (`email_clicked`)
  event has its campaign id.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path

from segments.definition import (
    COMPARE,
    Aggregate,
    All,
    AnyOf,
    Attribute,
    Calendar,
    Condition,
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
    Span,
    Window,
)

#: Known contact columns that are not text.
KNOWN_TYPES = {"company_size": "integer", "birth_date": "date", "signed_up_at": "datetime"}
#: The known contact columns of the data contract, but `id` (the external id).
CONTACT_COLUMNS = (
    "email", "first_name", "last_name", "gender", "birth_date", "city", "country", "timezone",
    "language", "industry", "company", "company_size", "job_title", "signup_source", "signed_up_at",
    "device", "loyalty_tier", "interests", "email_consent",
)  # fmt: skip
LOWERCASE = ("email", "language", "email_consent")
EVENT_REQUIRED = ("contact_id", "type", "occurred_at")
FIXED_UNITS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}

Value = str | int | Decimal | bool | date | datetime | None
#: A value that a definition gives, as its attribute's type (`Oracle.user_value`).
Given = str | Decimal | bool | date | datetime


# -- the rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactRow:
    external_id: str
    values: dict[str, Value]  #: known columns, typed; None when empty
    custom: dict[str, Value]  #: custom columns, typed; None when empty

    @cached_property
    def tags(self) -> frozenset[str]:
        interests = self.values.get("interests")
        return frozenset(str(interests).split(";")) if interests else frozenset()


@dataclass(frozen=True)
class EventRow:
    type: str
    at: datetime
    amount: Decimal | None
    fields: dict[str, str | None]  #: the known optional text columns and custom properties

    @property
    def campaign_id(self) -> str | None:
        return self.fields["campaign_id"]


@dataclass(frozen=True)
class Dataset:
    contacts: dict[str, ContactRow]  #: by external id
    events: dict[str, list[EventRow]]  #: by contact external id, in time order
    campaigns: dict[str, str]  #: names by external id


def read_dataset(paths: Mapping[str, Path], custom_types: Mapping[str, str]) -> Dataset:
    """The rows of the files, typed the way the data contract describes them."""
    contacts = {}
    for row in _records(paths["contacts"]):
        values = {name: _typed(KNOWN_TYPES.get(name, "text"), row[name]) for name in CONTACT_COLUMNS}
        for name in LOWERCASE:
            values[name] = values[name] and str(values[name]).lower()
        values["interests"] = _tags(row["interests"])
        custom = {name: _typed(kind, row[name]) for name, kind in custom_types.items()}
        external_id = row["id"] or str(values["email"])
        contacts[external_id] = ContactRow(external_id, values, custom)
    events: dict[str, list[EventRow]] = {external_id: [] for external_id in contacts}
    for row in _records(paths["events"]):
        fields = {name: text or None for name, text in row.items() if name not in EVENT_REQUIRED}
        fields["currency"] = fields["currency"] and fields["currency"].upper()
        amount = fields.pop("amount")
        at = _instant(row["occurred_at"], UTC)
        event = EventRow(row["type"].lower(), at, Decimal(amount) if amount else None, fields)
        events[row["contact_id"]].append(event)
    for rows in events.values():
        rows.sort(key=lambda event: event.at)
    campaigns = {row["id"]: row["name"] for row in _records(paths["campaigns"])}
    return Dataset(contacts, events, campaigns)


def _records(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return [{name: text.strip() for name, text in row.items()} for row in csv.DictReader(file)]


def _tags(text: str) -> str | None:
    tags = dict.fromkeys(tag.strip().lower() for tag in text.split(";") if tag.strip())
    return ";".join(tags) or None


def _typed(kind: str, text: str) -> Value:
    if not text:
        return None
    parsers: dict[str, Callable[[str], Value]] = {
        "integer": int,
        "decimal": Decimal,
        "boolean": lambda t: t.lower() in ("true", "yes"),
        "date": date.fromisoformat,
        "datetime": lambda t: _instant(t, UTC),
    }
    return parsers.get(kind, str)(text)


def _instant(text: str, zone: tzinfo) -> datetime:
    """An ISO 8601 time stamp as an aware UTC datetime; without an offset it is read in `zone`."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


# -- the evaluator --------------------------------------------------------------------------------


@dataclass
class Reference:
    """The members of definitions over `data`, at `as_of` in the workspace's `zone`."""

    data: Dataset
    #: contacts.id of every external id: the rankings' tie-breaker.
    ids: Mapping[str, int]
    as_of: datetime
    zone: tzinfo
    custom_types: Mapping[str, str]
    saved: Mapping[str, Definition] = field(default_factory=dict)

    def members(self, definition: Definition) -> set[str]:
        if definition.where is None:
            return set(self.data.contacts)
        return self.condition(definition.where)

    def counts(self, definition: Definition) -> tuple[int, int]:
        """Members, and members that are subscribed and not suppressed."""
        members = self.members(definition)
        return len(members), len(members & self.reachable())

    def reachable(self) -> set[str]:
        contacts = self.data.contacts
        subscribed = {c for c, row in contacts.items() if row.values["email_consent"] == "subscribed"}
        return subscribed - self.suppressed()

    def suppressed(self) -> set[str]:
        """Complained once, or bounced on two or more sends."""
        return {
            contact
            for contact, events in self.data.events.items()
            if any(e.type == "email_complained" for e in events)
            or sum(e.type == "email_bounced" for e in events) >= 2
        }

    def condition(self, node: Condition) -> set[str]:
        match node:
            case All(of=parts):
                return set(self.data.contacts).intersection(*(self.condition(p) for p in parts))
            case AnyOf(of=parts):
                return set().union(*(self.condition(p) for p in parts))
            case Not(of=part):
                return set(self.data.contacts) - self.condition(part)
            case Attribute():
                return self._contacts_where(lambda c: self.attribute(c, node))
            case Event():
                return self._contacts_where(lambda c: self.event(c.external_id, node))
            case Aggregate():
                return self._contacts_where(lambda c: self.aggregate(c.external_id, node))
            case Rank():
                return self.rank(node)
            case LastEmails():
                return self._contacts_where(lambda c: self.last_emails(c.external_id, node))
            case Reachability(state=state):
                return (
                    self.reachable() if state == "reachable" else self.suppressed() & set(self.data.contacts)
                )
            case Saved(name=name):
                return self.members(self.saved[name])
        raise TypeError(f"not a condition: {node!r}")

    def _contacts_where(self, holds: Callable[[ContactRow], bool]) -> set[str]:
        return {external_id for external_id, row in self.data.contacts.items() if holds(row)}

    # -- attributes -------------------------------------------------------------------------------

    def attribute(self, contact: ContactRow, node: Attribute) -> bool:
        if node.field == "age":
            return self.age(contact, node)
        kind = self.custom_types[node.field] if node.custom else KNOWN_TYPES.get(node.field, "text")
        value = (contact.custom if node.custom else contact.values).get(node.field)
        if node.window is not None:
            return isinstance(value, datetime) and self.in_window(node.window, value)
        given = [self.user_value(kind, v) for v in ([node.value] if node.value is not None else node.values)]
        match node.op:
            case "empty":
                return value is None
            case "present":
                return value is not None
            case "ne":
                return value is None or value not in given
        if value is None:
            return False
        match node.op:
            case "eq" | "in":
                return value in given
            case "between":
                # Through COMPARE, as the other comparisons: the values are all of the attribute's
                # one type, which the type of `given` cannot say.
                return COMPARE["le"](min(given), value) and COMPARE["le"](value, max(given))
            case "contains":
                return any(str(v).lower() in str(value).lower() for v in given)
            case "has":
                return any(str(v).lower() in contact.tags for v in given)
        return COMPARE[node.op](value, given[0])

    def user_value(self, kind: str, value: object) -> Given:
        """A value of a definition, as the attribute's type."""
        match kind:
            case "integer" | "decimal":
                return Decimal(str(value))
            case "date":
                return date.fromisoformat(str(value))
            case "datetime":
                return _instant(str(value), self.zone)
            case "boolean":
                assert isinstance(value, bool), value
                return value
        return str(value)

    def age(self, contact: ContactRow, node: Attribute) -> bool:
        """Age in whole years on `as_of`'s date; a 29 February birthday comes on 1 March."""
        born = contact.values["birth_date"]
        if not isinstance(born, date):
            return False
        today = self.today
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        given = [int(v) for v in ([node.value] if node.value is not None else node.values)]
        if node.op == "between":
            return min(given) <= age <= max(given)
        return COMPARE[node.op](age, given[0])

    # -- events -----------------------------------------------------------------------------------

    def event(self, contact: str, node: Event) -> bool:
        return COMPARE[node.count.op](len(self.matching(contact, node)), node.count.n)

    def matching(self, contact: str, node: Event | Aggregate) -> list[EventRow]:
        events = self.data.events[contact]
        since = None
        if isinstance(node, Event) and node.after_latest:
            anchors = [e for e in events if e.type == node.after_latest]
            anchors = [e for e in anchors if all(self.event_filter(e, f) for f in node.after_where)]
            since = max((e.at for e in anchors), default=None)
            if since is None:
                return []
        return [
            e
            for e in events
            if e.type == node.type
            and (since is None or e.at > since)
            and (node.window is None or self.in_window(node.window, e.at))
            and all(self.event_filter(e, f) for f in node.where)
        ]

    def event_filter(self, event: EventRow, condition: EventFilter) -> bool:
        if condition.negated:
            return not self.event_filter(event, condition.model_copy(update={"negated": False}))
        wanted = [str(v) for v in condition.values]
        if condition.field == "campaign":
            return event.campaign_id in self.campaigns_named(wanted)
        value = event.fields.get(condition.field)
        if value is None:
            return False
        if condition.op == "contains":
            return any(w.lower() in value.lower() for w in wanted)
        return value in wanted

    def campaigns_named(self, parts: list[str]) -> set[str]:
        """Every campaign whose name contains one of the parts, ignoring case."""
        return {
            campaign
            for campaign, name in self.data.campaigns.items()
            if any(part.lower() in name.lower() for part in parts)
        }

    def aggregate(self, contact: str, node: Aggregate) -> bool:
        events = self.matching(contact, node)
        if not events:
            return False
        measure = len(events) if node.fn == "count" else self.measure(node.fn, events)
        return measure is not None and COMPARE[node.op](measure, node.value)

    @staticmethod
    def measure(fn: str, events: list[EventRow]) -> Decimal | None:
        amounts = [e.amount for e in events if e.amount is not None]
        if not amounts:
            return None
        functions: dict[str, Callable[[list[Decimal]], Decimal]] = {
            "sum": lambda a: sum(a, Decimal(0)),
            "avg": lambda a: sum(a, Decimal(0)) / len(a),
            "max": max,
            "min": min,
        }
        return functions[fn](amounts)

    def last_emails(self, contact: str, node: LastEmails) -> bool:
        events = self.data.events[contact]
        sends = sorted((e for e in events if e.type == "email_sent"), key=lambda e: e.at, reverse=True)
        if len(sends) < node.n:
            return False
        acted = {e.campaign_id for e in events if e.type == f"email_{node.action}"} - {None}
        return all(send.campaign_id in acted for send in sends[: node.n])

    # -- rankings ---------------------------------------------------------------------------------

    def rank(self, node: Rank) -> set[str]:
        """The first ceil(percent% x purchasers) purchasers, best first."""
        ranked = self.rfm_order(node.type) if node.by == "rfm" else self.measure_order(node.by, node.type)
        keep = math.ceil(Fraction(str(node.percent)) * len(ranked) / 100)
        return set(ranked[:keep])

    def purchasers(self, event_type: str) -> dict[str, list[EventRow]]:
        """The events of `event_type` of every contact that has one."""
        of_type = {c: [e for e in events if e.type == event_type] for c, events in self.data.events.items()}
        return {c: events for c, events in of_type.items() if events}

    def measure_order(self, by: str, event_type: str) -> list[str]:
        def measure(events: list[EventRow]) -> Decimal | None:
            if by == "orders":
                return Decimal(len(events))
            return self.measure("sum" if by == "spend" else "avg", events)

        measured = {c: measure(events) for c, events in self.purchasers(event_type).items()}
        return sorted(measured, key=lambda c: (*_descending(measured[c]), self.ids[c]))

    def rfm_order(self, event_type: str) -> list[str]:
        """Purchasers by the sum of their recency, frequency and monetary quintiles, then spend."""
        purchasers = self.purchasers(event_type)
        metrics: dict[str, dict[str, object]] = {
            "recency": {c: max(e.at for e in events) for c, events in purchasers.items()},
            "frequency": {c: len(events) for c, events in purchasers.items()},
            "monetary": {c: self.measure("sum", events) for c, events in purchasers.items()},
        }
        score = dict.fromkeys(purchasers, 0)
        for values in metrics.values():
            ascending = sorted(purchasers, key=lambda c, v=values: (*_ascending(v[c]), self.ids[c]))
            for contact, tile in zip(ascending, ntile(len(ascending), 5), strict=True):
                score[contact] += tile
        monetary = metrics["monetary"]
        return sorted(purchasers, key=lambda c: (-score[c], *_descending(monetary[c]), self.ids[c]))

    # -- time windows -----------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.as_of.astimezone(self.zone).date()

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def in_window(self, window: Window, moment: datetime) -> bool:
        match window:
            case Last(span=span):
                return self.back(span) < moment <= self.as_of
            case OlderThan(span=span):
                return moment < self.back(span)
            case Calendar(period=period):
                return self.in_period(period, moment)
            case Months(before=MonthRef() as before):
                return _month_number(self.local_date(moment)) < _latest(before, _month_number(self.today))
            case Months(after=MonthRef() as after):
                month = _month_number(self.local_date(moment))
                return month > _latest(after, _month_number(self.today)) and moment <= self.as_of
            case Months(first=first, last=last):
                return self.in_months(first, last, moment)
            case Days(first=first, last=last, before=before):
                return self.in_days(first, last, before, moment)
            case Quarter(quarter=quarter, year=year):
                day, today = self.local_date(moment), self.today
                if year is None:  # the latest such quarter begun by today
                    year = (
                        today.year
                        if _quarter_number(date(today.year, 3 * quarter, 1)) <= _quarter_number(today)
                        else today.year - 1
                    )
                return day.year == year and _quarter_number(day) % 4 == quarter - 1
            case Dates(start=start, end=end):
                day = self.local_date(moment)
                return (start is None or start <= day) and (end is None or day < end)
        raise TypeError(f"not a window: {window!r}")

    def back(self, span: Span) -> datetime:
        """`as_of` less the span: hours, days and weeks as durations; months and years by the
        workspace's calendar, the day of the month kept where the month has it, else its last."""
        if span.unit in FIXED_UNITS:
            return self.as_of - span.n * FIXED_UNITS[span.unit]
        local = self.as_of.astimezone(self.zone)
        month = _month_number(local.date()) - span.n * (12 if span.unit == "year" else 1)
        year, month_of_year = divmod(month, 12)
        day = min(local.day, _month_length(year, month_of_year + 1))
        return local.replace(year=year, month=month_of_year + 1, day=day).astimezone(UTC)

    def in_period(self, period: str, moment: datetime) -> bool:
        """The calendar periods of the spec, by the local date of `moment`."""
        day, today = self.local_date(moment), self.today
        monday = today - timedelta(days=today.weekday())
        last_month = _month_number(today) - 1
        ongoing = moment <= self.as_of
        holds = {
            "today": day == today and ongoing,
            "yesterday": day == today - timedelta(days=1),
            "this_week": monday <= day and ongoing,
            "this_month": _month_number(day) == _month_number(today) and ongoing,
            "this_quarter": _quarter_number(day) == _quarter_number(today) and ongoing,
            "last_quarter": _quarter_number(day) == _quarter_number(today) - 1,
            "this_year": day.year == today.year and ongoing,
            "last_week": monday - timedelta(weeks=1) <= day < monday,
            "last_month": _month_number(day) == last_month,
            "last_year": day.year == today.year - 1,
        }
        return holds[period]

    def in_months(self, first: MonthRef | None, last: MonthRef | None, moment: datetime) -> bool:
        """From the first day of `first` to the end of `last`; a month without a year is the latest
        one begun by `as_of` (for `first`: by `last`). No `first`: from the beginning; no `last`:
        up to `as_of`."""
        this_month = _month_number(self.today)
        last_number = this_month if last is None else _latest(last, this_month)
        month = _month_number(self.local_date(moment))
        after_first = first is None or _latest(first, last_number) <= month
        before_end = moment <= self.as_of if last is None else month <= last_number
        return after_first and before_end

    def in_days(
        self, first: DayRef | None, last: DayRef | None, before: DayRef | None, moment: datetime
    ) -> bool:
        """From the day `first` to the end of the day `last` (or to the start of `before`); each the
        latest such day on or before `as_of` (`first`: on or before the end). Neither end: to `as_of`."""
        day, end = self.local_date(moment), last or before
        end_day = _latest_day(end, self.today) if end else None
        if end_day is None:
            before_end = moment <= self.as_of
        elif last:
            before_end = day <= end_day
        else:
            before_end = day < end_day
        return before_end and (first is None or _latest_day(first, end_day or self.today) <= day)


def _latest_day(ref: DayRef, by: date) -> date:
    """Walking back a day at a time from `by` to the first date with `ref`'s month and day."""
    day = by
    while (day.month, day.day) != (ref.month, ref.day):
        day -= timedelta(days=1)
    return day


def _quarter_number(day: date) -> int:
    """Quarters counted from year 0: consecutive quarters differ by one."""
    return day.year * 4 + (day.month - 1) // 3


def ntile(rows: int, buckets: int) -> list[int]:
    """SQL's `ntile(buckets)` over `rows` ordered rows: as equal groups as can be, larger first."""
    size, larger = divmod(rows, buckets)
    tiles: list[int] = []
    for tile in range(1, buckets + 1):
        tiles += [tile] * (size + (tile <= larger))
    return tiles[:rows]


def _ascending(value: object) -> tuple[bool, object]:
    """A sort key: no value first, then ascending."""
    return (value is not None, value if value is not None else 0)


def _descending(value: Decimal | None) -> tuple[bool, Decimal]:
    """A sort key: descending, no value last."""
    return (value is None, -value if value is not None else Decimal(0))


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _latest(ref: MonthRef, by: int) -> int:
    """The month number of `ref`: its own year, or the latest such month not after month `by`."""
    if ref.year is not None:
        return ref.year * 12 + ref.month - 1
    return by - (by % 12 - (ref.month - 1)) % 12


def _month_length(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day
