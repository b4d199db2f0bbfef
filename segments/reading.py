"""A definition read back in plain English, with its dates resolved ("since 1 Apr 2026").

The reading is generated from the definition, never from the words typed, so a wrong reading
shows at once: "runners" comes back as "interested in running", not as "runners".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from segments.currencies import shown
from segments.definition import (
    Aggregate,
    All,
    AnyOf,
    Attribute,
    Calendar,
    Condition,
    Count,
    Definition,
    Event,
    EventFilter,
    Last,
    LastEmails,
    Not,
    OlderThan,
    Quarter,
    Rank,
    Reachability,
    Saved,
    Window,
)
from segments.normalize import fold
from segments.windows import resolve
from store.pricing import DEFAULT_CURRENCY

OPS = {"eq": "", "ne": "not ", "gt": "more than ", "ge": "at least ", "lt": "under ", "le": "at most "}
FIELDS = {"signup_source": "signup source", "loyalty_tier": "loyalty tier", "job_title": "job title",
          "company_size": "company size", "email_consent": "email consent",
          "birth_date": "birth date"}  # fmt: skip
EVENTS = {
    "purchase": ("purchase", "purchases"), "email_opened": ("email opened", "emails opened"),
    "email_clicked": ("email clicked", "emails clicked"), "email_sent": ("email received", "emails received"),
    "email_bounced": ("bounce", "bounces"), "email_unsubscribed": ("unsubscribe", "unsubscribes"),
    "email_complained": ("spam complaint", "spam complaints"), "cart_abandoned": ("abandoned cart",
    "abandoned carts"),
    "product_viewed": ("product view", "product views"),
}  # fmt: skip
RANKINGS = {
    "spend": "lifetime spend",
    "order_value": "average order value",
    "orders": "number of orders",
    "rfm": "RFM score (recency, frequency and monetary quintiles)",
}
MEASURES = {"sum": "total", "avg": "average", "count": "number", "max": "largest", "min": "smallest"}


class Reader:
    def __init__(self, as_of: datetime, zone: tzinfo = UTC, currency: str = DEFAULT_CURRENCY) -> None:
        """`currency`: the store's, which the definition's amounts are in."""
        self.as_of, self.zone, self.currency = as_of, zone, currency

    def read(self, definition: Definition) -> str:
        if definition.where is None:
            return "All contacts"
        return "Contacts " + self.condition(definition.where)

    def condition(self, node: Condition) -> str:
        match node:
            case All(of=parts, label=label):
                text = _join([self.grouped(p, AnyOf) for p in parts], "and")
                return f"who are {label} [{text}]" if label else text
            case AnyOf(of=parts, label=label):
                text = _join([self.grouped(p, All) for p in parts], "or")
                return f"{label} [{text}]" if label else f"either {text}"
            case Not(of=Event() as event):
                return self.event(event, negated=True)
            case Not(of=inner):
                return f"not ({self.condition(inner)})"
            case Attribute():
                return self.attribute(node)
            case Event():
                return self.event(node)
            case Aggregate():
                details = "".join(self.filter(f) for f in node.where)
                measure = f"{MEASURES[node.fn]} {_noun(node.type, 1)} amount{details}{self.when(node.window)}"
                value = _amount(node.value) if node.fn == "count" else shown(float(node.value), self.currency)
                return f"whose {measure} is {OPS[node.op] or 'exactly '}{value}"
            case Rank(by=by, percent=percent):
                return f"in the top {_amount(percent)}% of purchasers by {RANKINGS[by]}"
            case LastEmails(n=n, action=action):
                return (
                    f"who {action} each of their last {n} emails"
                    if n > 1
                    else f"who {action} their last email"
                )
            case Reachability(state="reachable"):
                return "who can be emailed (subscribed, and neither complained nor bounced twice)"
            case Reachability(state="suppressed"):
                return "who are suppressed (complained, or bounced on two or more sends)"
            case Saved(name=name):
                return f"in the saved segment '{name}'"
        return repr(node)

    def grouped(self, part: Condition, other: type[All | AnyOf]) -> str:
        """A part of a group, in parentheses when it is an unlabelled group of the other kind, so
        that "golfers or (runners in Germany)" and "(golfers or runners) in Germany" read apart."""
        text = self.condition(part)
        return f"({text})" if isinstance(part, other) and part.label is None else text

    def attribute(self, node: Attribute) -> str:
        name = FIELDS.get(node.field, node.field.replace("_", " "))
        values = [node.value] if node.value is not None else node.values
        shown = _join(_spelled(values), "or")
        if node.window is not None:
            verb = "who signed up" if node.field == "signed_up_at" else f"with {name}"
            return f"{verb}{self.when(node.window)}"
        match node.op:
            case "eq" | "in":
                if node.field in ("city", "country"):
                    return f"in {shown}"
                if node.field == "gender":
                    return f"who are {shown}"
                return f"with {name} {shown}"
            case "ne":
                return f"whose {name} is not {shown}"
            case "between":
                return f"with {name} between {values[0]} and {values[-1]}"
            case "contains":
                return f"whose {name} contains {_join([repr(v) for v in _spelled(values)], 'or')}"
            case "has":
                return f"interested in {shown}" if node.field == "interests" else f"with {name} {shown}"
            case "empty":
                return f"without {_article(name)} {name}"
            case "present":
                return f"with {_article(name)} {name}"
        return f"with {name} {OPS[node.op]}{shown}"

    def event(self, node: Event, negated: bool = False) -> str:
        count = node.count if node.count != Count() else None
        what = _noun(node.type, 1)
        details = "".join(self.filter(f) for f in node.where)
        when = self.when(node.window)
        anchor = "".join(self.filter(f) for f in node.after_where)
        since = f" after their latest {_noun(node.after_latest, 1)}{anchor}" if node.after_latest else ""
        if negated and count is not None:  # "did not open more than 3 emails": at most 3
            return self.event(node.model_copy(update={"count": count.negated()}))
        if negated:
            return f"with no {what}{details}{when}{since}"
        if count is None:
            return f"with at least one {what}{details}{when}{since}"
        many = _noun(node.type, count.n)
        return f"with {OPS[count.op] or 'exactly '}{count.n} {many}{details}{when}{since}"

    def filter(self, f: EventFilter) -> str:
        if f.negated:
            return (
                self.filter(f.model_copy(update={"negated": False}))
                .replace(" in ", " outside ", 1)
                .replace(" from a campaign named like", " from no campaign named like", 1)
            )
        values = _join(_spelled(f.values), "or")
        if f.field == "campaign":
            return f" from a campaign named like '{values}'"
        return f" in {f.field} {values}"

    def when(self, window: Window | None) -> str:
        if window is None:
            return ""
        bounds = resolve(window, self.as_of, self.zone)
        start, end = bounds.start, bounds.end
        if window.kind == "last":
            return f" in the last {_span(window.span)} (since {self.day(start, exact=True)})"
        if window.kind == "older_than":
            return f" more than {_span(window.span)} ago (before {self.day(end, exact=True)})"
        if window.kind == "months" and window.after and start:  # the month may not have ended yet
            return f" after {(start - timedelta(days=1)).astimezone(self.zone):%b %Y}"
        if start and end and (bounds.end_inclusive and end == self.as_of.astimezone(UTC)):
            return f" since {self.day(start)}"
        if start and end and end - start == timedelta(days=1):
            return f" on {self.day(start)}"
        if start and end:
            return f" from {self.day(start)} to {self.day(end - timedelta(microseconds=1))}"
        return f" since {self.day(start)}" if start else f" before {self.day(end)}"

    def day(self, moment: datetime | None, exact: bool = False) -> str:
        local = (moment or self.as_of).astimezone(self.zone)
        text = f"{local.day} {local:%b %Y}"
        return f"{text} {local:%H:%M}" if exact and (local.hour or local.minute) else text


class UndatedReader(Reader):
    """The reading with time windows said as the phrase says them ("in the last 30 days", "last
    month"), no dates resolved: for what is told before there is an `as_of` (a refusal)."""

    def __init__(self, zone: tzinfo = UTC) -> None:
        super().__init__(UNDATED, zone)

    def when(self, window: Window | None) -> str:
        match window:
            case None:
                return ""
            case Last(span=span):
                return f" in the last {_span(span)}"
            case OlderThan(span=span):
                return f" more than {_span(span)} ago"
            case Calendar(period=period):
                return f" {period.replace('_', ' ')}"
            case Quarter(quarter=quarter, year=year):
                return f" in Q{quarter}{f' {year}' if year else ''}"
        return " in the time the phrase names"


#: The moment an UndatedReader stands on: it resolves no window, so none is ever read from it.
UNDATED = datetime(2000, 1, 1, tzinfo=UTC)


def counted(count: int, noun: str) -> str:
    """'1 contact', '3,000 contacts': a count and its noun, in the number the count wants."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _noun(event_type: str | None, n: int) -> str:
    singular, plural = EVENTS.get(event_type or "", ((event_type or "").replace("_", " "),) * 2)
    return singular if n == 1 else plural


def _span(span) -> str:
    return span.unit if span.n == 1 else f"{span.n} {span.unit}s"


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _amount(value) -> str:
    number = float(value)
    return f"{int(number):,}" if number == int(number) else f"{number:,.2f}"


def _spelled(values: list) -> list[str]:
    """Each value once, however many spellings the store holds: "Berlin" for Berlin, BERLIN and
    berlin (the spelling in mixed case if there is one, as people write names)."""
    by_folded: dict[str, list[str]] = {}
    for value in map(str, values):
        by_folded.setdefault(fold(value), []).append(value)
    return [next((v for v in spellings if not (v.islower() or v.isupper())), spellings[0])
            for spellings in by_folded.values()]  # fmt: skip


def _join(parts: list[str], word: str) -> str:
    if len(parts) <= 2:
        return f" {word} ".join(parts)
    return ", ".join(parts[:-1]) + f" {word} {parts[-1]}"
