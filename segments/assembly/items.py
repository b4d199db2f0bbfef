"""What a run of parts is made of while it is read, and the error every reader raises.

A run's items (`Item`) are conditions, event clauses still open to later words (`Clause`: its
window, count or filters may come after the verb, "bought golf ... in the last 30 days"), or parts
whose window may still come (`Pending`: a preset, a signup, a spend). Every other module of the
package builds or amends these, so they stand apart from all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from segments.definition import (
    Aggregate,
    AggregateFn,
    AnyOf,
    Comparison,
    Condition,
    Count,
    Event,
    EventFilter,
    Not,
    OlderThan,
    Span,
    Window,
    all_of,
    decimal,
)
from segments.definition import Last as LastWindow

#: Clause type for "engaged", "interacted": an open or a click (segment-semantics.md, "inactive").
ENGAGEMENT = "engagement"
ENGAGEMENT_TYPES = ("email_opened", "email_clicked")


class AssemblyError(ValueError):
    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


@dataclass
class Clause:
    """An event condition being built: its window and count may still arrive from later words."""

    type: str
    where: list[EventFilter] = field(default_factory=list)
    window: Window | None = None
    count: Count | None = None
    negated: bool = False
    bare: bool = True
    after_latest: str | None = None
    #: The properties of that latest event: "since" after "opened the Black Friday email".
    after_where: list[EventFilter] = field(default_factory=list)
    over: Span | None = None
    ever: bool = False
    #: Filters each needing an event of their own: "bought golf and yoga products".
    each: list[EventFilter] = field(default_factory=list)
    #: "an order over $200": (comparison, amount) of one event.
    amount: tuple[Comparison, float] | None = None
    #: Conditions on the contact said inside the clause ("bought golf in Germany").
    extra: list[Condition] = field(default_factory=list)
    #: "no purchase since abandoning their cart" says they abandoned one: that event is required too.
    presupposed: bool = False
    #: A time was said of this clause (not shared from another): a second one is an error.
    timed: bool = False
    #: "only bought golf": every such event has the clause's properties (none without them).
    exclusive: bool = False

    def condition(self) -> Condition:
        window = self.window
        if self.over is not None:  # "not in over a year": none in the last year
            window = LastWindow(span=self.over) if self.negated else OlderThan(span=self.over)
        groups = [[*self.where, extra] for extra in self.each] or [self.where]
        found = all_of(*(self.single(window, where) for where in groups))
        if self.exclusive:  # "only bought golf": and no purchase outside golf, in the same time
            outside = [
                Not(of=self.single(window, [f.model_copy(update={"negated": True})])) for f in self.where
            ]
            found = all_of(found, *outside)
        event = Not(of=found) if self.negated else found
        if self.negated and self.presupposed and self.after_latest:
            anchor = Event(type=self.after_latest, where=self.after_where)
            event = all_of(anchor, event)
        return all_of(*self.extra, event) if self.extra else event

    def single(self, window: Window | None, where: list[EventFilter]) -> Condition:
        if self.type == ENGAGEMENT:
            if self.count not in (None, Count()) or self.amount:
                raise AssemblyError("say 'opened' or 'clicked' to count emails")
            return AnyOf(of=[Event(type=kind, window=window, where=where) for kind in ENGAGEMENT_TYPES])
        if self.amount is not None:
            op, value = self.amount
            if op in ("eq", "ne") or self.count not in (None, Count()):
                raise AssemblyError("an amount of one order reads as 'over $X' or 'under $X'")
            # one order over X <=> the largest is over X; one under X <=> the smallest is under X
            fn: AggregateFn = "max" if op in ("gt", "ge") else "min"
            return Aggregate(type=self.type, fn=fn, op=op, value=decimal(value), window=window, where=where)
        count = self.count or Count()
        return Event(
            type=self.type,
            window=window,
            where=where,
            count=count,
            after_latest=self.after_latest,
            after_where=self.after_where,
        )


@dataclass
class Pending:
    """A part whose window may still come: a preset, a signup, a spend."""

    build: Callable[[Window | None], Condition | None]
    window: Window | None = None
    #: The preset it spells out, if any.
    name: str | None = None

    def condition(self) -> Condition | None:
        return self.build(self.window)


@dataclass
class Item:
    thing: Condition | Clause | Pending
    negated: bool = False
    alternative: bool = False  # joined to the previous item by "or"
