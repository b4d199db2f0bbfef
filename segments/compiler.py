"""From a definition to one SQLAlchemy Core select over the store, the same for SQLite and PostgreSQL.

Every value the user gave travels as a bound parameter; nothing user-written becomes SQL text.
The shapes are chosen so that both planners find the event indexes:

- "has such an event" is a correlated EXISTS: PostgreSQL turns it into a semi or anti join, SQLite
  answers it with one probe of the primary key (contact, type, time) per contact.
- counts, sums and rankings are a grouped subquery used with IN, computed once for all contacts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    UnaryExpression,
    and_,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)

from segments.definition import (
    COMPARE,
    Aggregate,
    All,
    AnyOf,
    Attribute,
    Condition,
    Count,
    Definition,
    Event,
    EventFilter,
    LastEmails,
    Not,
    Rank,
    Reachability,
    Saved,
    Span,
)
from segments.purchase_summary import TOTALS, PurchaseSummary, measures, money
from segments.windows import Bounds, back, resolve
from store.models import Campaign, Contact, SuppressedContact
from store.models import Event as EventRow
from store.pricing import priced

contacts = Contact.__table__
events = EventRow.__table__
campaigns = Campaign.__table__

#: Event columns a filter may name directly; any other name is a custom event property.
EVENT_COLUMNS = ("category", "product", "topic", "currency", "campaign_id")
#: Contact columns compared as numbers or dates rather than text.
TYPED_COLUMNS = {"company_size": int, "birth_date": date, "signed_up_at": datetime}


#: Attributes whose values each hold a large share of the contacts: naming one narrows little.
BROAD_FIELDS = frozenset({"email_consent", "gender", "device", "language"})
RANK_MEASURES = {"spend": "sum", "orders": "count", "order_value": "avg"}

SavedLookup = Callable[[str], Definition | None]


class CompileError(ValueError):
    """The definition cannot be compiled: an unknown saved segment, a cycle, a bad field."""


@dataclass
class Compiler:
    """Compiles conditions for one `as_of`, time zone and store catalog."""

    as_of: datetime
    zone: tzinfo = UTC
    #: Custom contact properties and their value types (`custom_properties`).
    custom_types: dict[str, str] = field(default_factory=dict)
    saved: SavedLookup = lambda name: None
    #: The store's latest purchase. When it is not after `as_of`, "a purchase since X" is
    #: "the last purchase after X", which the purchase summary answers.
    latest_purchase: datetime | None = None
    _using: tuple[str, ...] = ()
    #: Within an `all` that also names a contact attribute's value (see `count_of`).
    _narrowed: bool = False

    @property
    def summary(self) -> PurchaseSummary:
        return PurchaseSummary(self.as_of, self.zone, self.latest_purchase)

    def where(self, definition: Definition) -> ColumnElement[bool]:
        return true() if definition.where is None else self.condition(definition.where)

    def condition(self, node: Condition) -> ColumnElement[bool]:
        match node:
            case All(of=parts):
                within = replace(self, _narrowed=True) if any(map(_narrows, parts)) else self
                return and_(true(), *(within.condition(part) for part in parts))
            case AnyOf(of=parts):
                return or_(false(), *(self.condition(part) for part in parts))
            case Not(of=Event(count=Count(op="ge", n=1)) as event):
                # NOT EXISTS: an anti join on PostgreSQL, one probe per contact on SQLite
                if found := self.summary.has(event):
                    rows, condition = found
                    return not_(rows.exists(condition))
                return not_(self.has_event(event))
            case Not(of=part):
                return not_(self.condition(part))
            case Attribute():
                return self.attribute(node)
            case Event():
                return self.event(node)
            case Aggregate():
                summarized = self.summary.aggregate(node)
                return contacts.c.id.in_(self.aggregate(node)) if summarized is None else summarized
            case Rank():
                return contacts.c.id.in_(self.rank(node))
            case LastEmails():
                return self.last_emails(node)
            case Reachability(state="reachable"):
                return reachable()
            case Reachability(state="suppressed"):
                return contacts.c.id.in_(select(SuppressedContact.__table__.c.contact_id))
            case Saved(name=name):
                return self.saved_segment(name)
        raise CompileError(f"cannot compile {node!r}")

    # -- contact attributes ---------------------------------------------------------------------

    def attribute(self, node: Attribute) -> ColumnElement[bool]:
        if node.field == "age":
            return self.age(node)
        column, cast = self.attribute_column(node)
        condition = self.compare(column, cast, node)
        if node.window is None and node.op in ("ne", "empty", "present"):
            return condition
        # A missing value fails the comparison rather than making it unknown (NULL), so that
        # Not() holds for the contacts without the attribute: "not in Berlin" includes no city.
        return and_(column.is_not(None), condition)

    def compare(self, column: ColumnElement, cast: Callable, node: Attribute) -> ColumnElement[bool]:
        if node.window is not None:
            return self.within(column, resolve(node.window, self.as_of, self.zone), cast)
        given = [node.value] if node.value is not None else node.values
        try:
            values = [cast(v) for v in given]
        except (ValueError, ArithmeticError):
            raise CompileError(f"{node.field} cannot be compared with {given!r}") from None
        matchable = _storable(values)
        match node.op:
            case "eq" | "in":
                return column == matchable[0] if len(matchable) == 1 else column.in_(matchable)
            case "ne":
                return or_(column.is_(None), column.not_in(matchable))
            case "gt" | "ge" | "lt" | "le" | "between" if matchable != values:
                raise CompileError(f"{node.field} cannot be compared with {given!r}")
            case "gt" | "ge" | "lt" | "le":
                return COMPARE[node.op](column, values[0])
            case "between":
                return column.between(min(values), max(values))
            case "contains":
                needles = [str(v).lower() for v in matchable]  # lowered here: see `event_filter`
                return or_(false(), *(column.icontains(needle, autoescape=True) for needle in needles))
            case "has":
                tags = literal(";") + column + literal(";")
                # ';' separates the tags: a value holding one is no tag, and matches nothing.
                wanted = [str(v).lower() for v in matchable if ";" not in str(v)]
                return or_(false(), *(tags.contains(f";{tag};", autoescape=True) for tag in wanted))
            case "empty":
                return or_(column.is_(None), column == "") if cast is str else column.is_(None)
            case "present":
                return and_(column.is_not(None), column != "") if cast is str else column.is_not(None)
        raise CompileError(f"unknown operator {node.op!r}")

    def attribute_column(self, node: Attribute) -> tuple[ColumnElement, Callable]:
        if not node.custom:
            if node.field not in contacts.c or node.field in ("id", "properties"):
                raise CompileError(f"contacts have no attribute {node.field!r}")
            return contacts.c[node.field], _caster(TYPED_COLUMNS.get(node.field, str), self.zone)
        kind = self.custom_types.get(node.field, "text")
        value = contacts.c.properties[node.field]
        accessors = {
            "integer": (value.as_integer(), _caster(int)),
            "decimal": (value.as_float(), _caster(float)),
            "boolean": (value.as_boolean(), _boolean),
            # Dates and date/times are stored as ISO text (date/times in UTC), which sorts in time
            # order; values (and window bounds) are written the same way to be compared with them.
            "date": (value.as_string(), lambda v: _caster(date)(v).isoformat()),
            "datetime": (value.as_string(), lambda v: _caster(datetime, self.zone)(v).isoformat()),
        }
        return accessors.get(kind, (value.as_string(), str))

    def age(self, node: Attribute) -> ColumnElement[bool]:
        """Age on `as_of`'s date as a range of birth dates, so that an index on birth_date serves it."""
        born = contacts.c.birth_date
        today = self.as_of.astimezone(self.zone).date()
        given = [node.value] if node.value is not None else node.values
        try:
            values = [int(v) for v in given]
        except ValueError:
            raise CompileError(f"age cannot be compared with {given!r}") from None
        low, high = min(values), max(values)
        oldest = {"ge": None, "gt": None, "eq": low, "between": high, "le": low, "lt": low - 1}
        youngest = {"ge": low, "gt": low + 1, "eq": low, "between": low, "le": None, "lt": None}
        if node.op not in oldest:
            raise CompileError(f"age cannot be compared with {node.op!r}")
        conditions: list[ColumnElement[bool]] = [born.is_not(None)]
        young, old = youngest[node.op], oldest[node.op]
        if young is not None:  # at least this old: born on or before the birthday
            conditions.append(born <= _years_before(today, young))
        if old is not None:  # at most this old: born after the next birthday's year
            conditions.append(born > _years_before(today, old + 1))
        return and_(*conditions)

    # -- events ---------------------------------------------------------------------------------

    def event(self, node: Event) -> ColumnElement[bool]:
        count = node.count
        if count == Count() and (found := self.summary.has(node)):
            rows, condition = found
            return contacts.c.id.in_(rows.contacts(condition))
        if count != Count() and (counted := self.summary.counted(node)) is not None:
            return counted
        if (count.op, count.n) in (("ge", 1), ("gt", 0)):
            # A window narrows the events enough to read them once; without one, probing each
            # contact's own events (the primary key) is cheaper than reading every such event.
            if node.window is None:
                return self.has_event(node)
            return contacts.c.id.in_(self.event_contacts(node))
        if (count.op, count.n) in (("eq", 0), ("lt", 1), ("le", 0)):
            # NOT EXISTS: an anti join that probes the primary key (read alone once vacuumed)
            return not_(self.has_event(node))
        if count.admits_zero():
            return not_(contacts.c.id.in_(self.counted(node, count.negated())))
        if count.op in ("ge", "gt") and self._narrowed:
            return COMPARE[count.op](self.count_of(node), count.n)
        return contacts.c.id.in_(self.counted(node, count))

    def event_contacts(self, node: Event) -> Select:
        """Contacts with such an event, found once for all: an index range, not a probe per contact."""
        e = events.alias("e")
        return select(e.c.contact_id).where(*self.event_terms(e, node))

    def has_event(self, node: Event) -> ColumnElement[bool]:
        e = events.alias("e")
        return select(literal(1)).where(e.c.contact_id == contacts.c.id, *self.event_terms(e, node)).exists()

    def count_of(self, node: Event) -> ColumnElement[int]:
        """How many such events the contact has, counted down its own events (the primary key).

        Used when a sibling condition names a value (`_narrows`): "at least n" is then asked of the
        few contacts it leaves, instead of grouping every event of the window by contact.
        """
        e = events.alias("e")
        terms = self.event_terms(e, node)
        return select(func.count()).where(e.c.contact_id == contacts.c.id, *terms).scalar_subquery()

    def counted(self, node: Event, count: Count) -> Select:
        e = events.alias("e")
        having = COMPARE[count.op](func.count(), count.n)
        return (
            select(e.c.contact_id).where(*self.event_terms(e, node)).group_by(e.c.contact_id).having(having)
        )

    def event_terms(self, e, node: Event | Aggregate) -> list[ColumnElement[bool]]:
        terms = [_equals(e.c.type, node.type)]
        if node.window is not None:
            terms.append(self.within(e.c.occurred_at, resolve(node.window, self.as_of, self.zone)))
        terms.extend(self.event_filter(e, f) for f in node.where)
        if isinstance(node, Event) and node.after_latest:
            latest = events.alias("latest")
            terms.append(
                e.c.occurred_at
                > select(func.max(latest.c.occurred_at))
                .where(
                    latest.c.contact_id == e.c.contact_id,
                    _equals(latest.c.type, node.after_latest),
                    *(self.event_filter(latest, f) for f in node.after_where),
                )
                .scalar_subquery()
            )
        return terms

    def event_filter(self, e, f: EventFilter) -> ColumnElement[bool]:
        if f.negated:  # no such property, or none at all: a purchase with no category is outside golf
            matched = self.event_filter(e, f.model_copy(update={"negated": False}))
            column = e.c.campaign_id if f.field == "campaign" else _event_column(e, f.field)
            return or_(column.is_(None), not_(matched))
        values = [str(v) for v in _storable(f.values)]
        # Needles lowered by Python: SQLite's lower() folds only ASCII letters ('SÃO' stays 'sÃo').
        needles = [v.lower() for v in values]
        if f.field == "campaign":
            named = or_(false(), *(campaigns.c.name.icontains(n, autoescape=True) for n in needles))
            return e.c.campaign_id.in_(select(campaigns.c.external_id).where(named))
        column = _event_column(e, f.field)
        if f.op == "contains":
            return or_(false(), *(column.icontains(n, autoescape=True) for n in needles))
        return column == values[0] if len(values) == 1 else column.in_(values)

    def within(
        self, column: ColumnElement, bounds: Bounds, cast: Callable = lambda moment: moment
    ) -> ColumnElement[bool]:
        """`column` within the bounds, each written by `cast` as the column stores time."""
        terms = []
        if bounds.start is not None:
            start = cast(bounds.start)
            terms.append(column >= start if bounds.start_inclusive else column > start)
        if bounds.end is not None:
            end = cast(bounds.end)
            terms.append(column <= end if bounds.end_inclusive else column < end)
        return and_(true(), *terms)

    # -- aggregates and rankings -----------------------------------------------------------------

    def aggregate(self, node: Aggregate) -> Select:
        e = events.alias("e")
        functions: dict[str, Callable[[ColumnElement[Any]], ColumnElement[Any]]] = {
            "sum": func.sum, "avg": func.avg, "max": func.max, "min": func.min
        }  # fmt: skip
        joined, value = priced(e)  # amounts in the store's currency
        measure = func.count() if node.fn == "count" else money(functions[node.fn](value))
        having = COMPARE[node.op](measure, node.value)
        return (
            select(e.c.contact_id)
            .select_from(e if node.fn == "count" else joined)
            .where(*self.event_terms(e, node))
            .group_by(e.c.contact_id)
            .having(having)
        )

    def rank(self, node: Rank) -> Select:
        """The first ceil(p% x purchasers) by the measure, in exact integer arithmetic."""
        e = events.alias("e")
        joined, value = priced(e)
        from_events = {
            "spend": money(func.sum(value)),
            "order_value": money(func.avg(value)),
            "orders": func.count(),
        }
        order: tuple[UnaryExpression[Any], ...]
        if node.by == "rfm":
            scored = self.rfm_scores(node.type)
            order, source = (scored.c.score.desc(), scored.c.monetary.desc().nulls_last()), scored
        elif node.type == "purchase":
            measure = measures(TOTALS)[RANK_MEASURES[node.by]]
            source = select(TOTALS.c.contact_id, measure.label("measure")).subquery("measured")
            order = (source.c.measure.desc().nulls_last(),)
        else:
            source = (
                select(e.c.contact_id, from_events[node.by].label("measure"))
                .select_from(joined)
                .where(_equals(e.c.type, node.type))
                .group_by(e.c.contact_id)
                .subquery("measured")
            )
            # No amount, no measure: last on both databases (PostgreSQL puts NULL first in DESC).
            order = (source.c.measure.desc().nulls_last(),)
        ranked = select(
            source.c.contact_id,
            func.row_number().over(order_by=(*order, source.c.contact_id)).label("place"),
            func.count().over().label("ranked"),
        ).subquery("ranked")
        share = Fraction(str(node.percent)) / 100
        # place <= ceil(ranked * p/q)  <=>  (place - 1) * q < ranked * p
        keep = (ranked.c.place - 1) * share.denominator < ranked.c.ranked * share.numerator
        return select(ranked.c.contact_id).where(keep)

    def rfm_scores(self, event_type: str):
        """Recency, frequency and monetary quintiles (`r`, `f`, `m`: 1-5 each, 5 best) and their sum
        (`score`) per purchaser, beside the purchaser's spend (`monetary`)."""
        e = events.alias("e")
        joined, value = priced(e)
        per_contact = (
            select(
                e.c.contact_id,
                func.max(e.c.occurred_at).label("latest"),
                func.count().label("orders"),
                money(func.sum(value)).label("monetary"),
            )
            .select_from(joined)
            .where(_equals(e.c.type, event_type))
            .group_by(e.c.contact_id)
            .subquery("per_contact")
        )
        if event_type == "purchase":
            per_contact = select(
                TOTALS.c.contact_id,
                TOTALS.c.last_at.label("latest"),
                TOTALS.c.orders,
                money(TOTALS.c.spend).label("monetary"),
            ).subquery("per_contact")
        # Equal values fall in quintiles by contact id, the same on every database and every run.
        quintile = {
            name: func.ntile(5).over(
                order_by=(per_contact.c[name].asc().nulls_first(), per_contact.c.contact_id)
            )
            for name in ("latest", "orders", "monetary")
        }
        # Each quintile by its own name too: a template shows r, f and m, a ranking their sum.
        r, f, m = quintile["latest"], quintile["orders"], quintile["monetary"]
        return select(
            per_contact.c.contact_id,
            per_contact.c.monetary,
            r.label("r"),
            f.label("f"),
            m.label("m"),
            (r + f + m).label("score"),
        ).subquery("scored")

    def last_emails(self, node: LastEmails) -> ColumnElement[bool]:
        """At least n sends, and none of the n most recent without an open (or click) of its campaign.

        Per contact, down the primary key (contact, type, time) from the newest send: it reads n
        sends and their opens instead of ranking every send of every contact.
        """
        sent, action = events.alias("sent"), events.alias("action")
        sends = (
            select(sent.c.campaign_id)
            .where(sent.c.contact_id == contacts.c.id, sent.c.type == "email_sent")
            .order_by(sent.c.occurred_at.desc())
            .correlate(contacts)
        )
        enough = select(literal(1)).select_from(sends.limit(1).offset(node.n - 1).subquery("nth")).exists()
        recent = sends.limit(node.n).subquery("recent")
        acted = (
            select(literal(1))
            .where(
                action.c.contact_id == contacts.c.id,
                action.c.type == f"email_{node.action}",
                action.c.campaign_id == recent.c.campaign_id,
            )
            .correlate(contacts, recent)
        )
        missed = select(literal(1)).select_from(recent).where(~acted.exists())
        return and_(enough, ~missed.exists())

    # -- saved segments ---------------------------------------------------------------------------

    def saved_segment(self, name: str) -> ColumnElement[bool]:
        if name in self._using:
            chain = " -> ".join((*self._using, name))
            raise CompileError(f"saved segment {name!r} refers to itself ({chain})")
        definition = self.saved(name)
        if definition is None:
            raise CompileError(f"no saved segment named {name!r}")
        inner = replace(self, _using=(*self._using, name))
        return inner.where(definition)


# -- whole queries --------------------------------------------------------------------------------


def _event_column(e, name: str) -> ColumnElement:
    """An event's column, or its custom property as text."""
    return e.c[name] if name in EVENT_COLUMNS else e.c.properties[name].as_string()


def reachable() -> ColumnElement[bool]:
    """Subscribed and not suppressed (the import keeps `suppressed_contacts`)."""
    suppressed = select(SuppressedContact.__table__.c.contact_id)
    return and_(contacts.c.email_consent == "subscribed", contacts.c.id.not_in(suppressed))


def count_query(compiler: Compiler, definition: Definition) -> Select:
    """Members and reachable members in one query."""
    return (
        select(
            func.count().label("count"),
            func.count().filter(reachable()).label("reachable"),
        )
        .select_from(contacts)
        .where(compiler.where(definition))
    )


def members_query(compiler: Compiler, definition: Definition) -> Select:
    """The members' external ids, in order."""
    return select(contacts.c.external_id).where(compiler.where(definition)).order_by(contacts.c.external_id)


# -- helpers --------------------------------------------------------------------------------------


def _caster(kind, zone: tzinfo = UTC) -> Callable:
    if kind is date:
        return lambda v: v if isinstance(v, date) else date.fromisoformat(str(v))
    if kind is datetime:
        return lambda v: _instant(v if isinstance(v, datetime) else datetime.fromisoformat(str(v)), zone)
    if kind in (int, float):
        return lambda v: kind(Decimal(str(v)))
    return kind


def _storable(values: list) -> list:
    """The values that stored text can equal: import refuses NUL characters (and PostgreSQL cannot
    even bind them), so a value with one equals, contains and matches nothing."""
    return [v for v in values if not (isinstance(v, str) and "\x00" in v)]


def _equals(column: ColumnElement, text: str) -> ColumnElement[bool]:
    return column == text if _storable([text]) else false()


def _instant(moment: datetime, zone: tzinfo) -> datetime:
    """In UTC; a time without an offset is in the workspace's zone, as import reads it."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def _boolean(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("true", "yes", "1")


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes the 28th."""
    return back(datetime.combine(day, datetime.min.time()), Span(n=years, unit="year")).date()


def _narrows(node: Condition) -> bool:
    """An attribute equal to one or a few values (an industry, a city): few contacts pass it."""
    return isinstance(node, Attribute) and node.op in ("eq", "in") and node.field not in BROAD_FIELDS
