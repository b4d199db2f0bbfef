"""Conditions that certainly contradict each other, so that no contact could ever be a member.

"customers who never purchased" asks for at least one purchase ("customers") and for none: an
answer of 0 members would hide the slip. Only the direct cases are looked for, never a proof: in
one group of conditions that must all hold, a condition that needs an event ("customers", "bought
golf", "at least 2 orders", "spent over $500", "VIP") and one that rules the same event out
altogether ("never purchased", "0 orders", "but not buyers"), where every event the first needs
is one the second forbids: the same type, the second's properties among the first's, and the
same time window and "since" or none at all (no purchase ever leaves none last month either).
Such a group refuses the phrase when it leaves the whole segment empty.

    found = clash(definition.where)   # Clash(required=Event(...), excluded=Event(...)) | None
    refusal(found, head="customers")  # "this contradicts itself: 'customers' means ..."
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product
from typing import Literal

from segments.definition import Aggregate, All, AnyOf, Condition, Count, Event, Not, Rank
from segments.reading import UndatedReader

#: What a condition says of an event: there is one ("some") or none ("none"), and the condition.
Claim = tuple[Literal["some", "none"], Event, Condition]
#: Counts that only a contact with no such event passes: "0 orders", "fewer than 1", "at most 0".
NONE_COUNTS = (Count(op="eq", n=0), Count(op="lt", n=1), Count(op="le", n=0))


@dataclass(frozen=True)
class Clash:
    """A condition that requires an event (`required`, as said) and the same event ruled out (`excluded`)."""

    required: Condition
    excluded: Event

    @property
    def of_head(self) -> bool:
        """Whether the required purchase is the bare one a head like "customers" stands for."""
        return self.required == Event(type="purchase")


def clash(where: Condition | None) -> Clash | None:
    """A contradiction that leaves the whole segment empty, or None: one in a group that must all
    hold, or one in each side of an "or". (One side of an "or" alone leaves the other's members.)"""
    match where:
        case All(of=parts):
            return _within(where) or next((found for part in parts if (found := clash(part))), None)
        case AnyOf(of=parts):
            sides = [clash(part) for part in parts]
            return sides[0] if sides and all(sides) else None
    return None


def _within(group: All) -> Clash | None:
    """The first condition of the group that needs an event another of its conditions rules out."""
    claims = [claim for part in _parts(group) if (claim := _claim(part)) is not None]
    required = [(event, said) for kind, event, said in claims if kind == "some"]
    excluded = [event for kind, event, _ in claims if kind == "none"]
    for (event, said), none in product(required, excluded):
        if _rules_out(none, event):
            return Clash(required=said, excluded=none)
    return None


def _parts(group: All) -> Iterator[Condition]:
    """The group's conditions, those of the groups inside it too (a preset's, "lapsed customers")."""
    for part in group.of:
        if isinstance(part, All):
            yield from _parts(part)
        else:
            yield part


def _claim(part: Condition) -> Claim | None:
    """ "some" for a condition met only with such an event, "none" for one met only without any.
    A sum, an average or a ranking is of contacts with such events (`compiler`: IN their group)."""
    match part:
        case Event(count=count):
            return _by_count(part, count, part)
        case Not(of=Event(count=count) as event):
            return _by_count(event, count.negated(), part)
        case Aggregate(type=kind, window=window, where=where):
            return "some", Event(type=kind, window=window, where=where), part
        case Rank(type=kind):
            return "some", Event(type=kind), part
    return None


def _by_count(event: Event, count: Count, said: Condition) -> Claim | None:
    if not count.admits_zero():
        return "some", event, said
    if count in NONE_COUNTS:
        return "none", event.model_copy(update={"count": Count()}), said  # read back as "with no ..."
    return None  # "at most 2 orders" holds with none and with some


def _rules_out(none: Event, some: Event) -> bool:
    """Whether every event that `some` requires is one that `none` forbids."""
    since = (none.after_latest, none.after_where)
    return (
        none.type == some.type
        and (since == (None, []) or since == (some.after_latest, some.after_where))
        and all(f in some.where for f in none.where)
        and (none.window is None or none.window == some.window)
    )


#: How every refusal of a contradiction begins.
REFUSED = "this contradicts itself"


def refusal(found: Clash, head: str | None = None) -> str:
    """The contradiction in words; `head` is the word that made the required event ("customers")."""
    reader = UndatedReader()
    excluded = reader.event(found.excluded, negated=True)
    if head is not None and found.of_head:
        said = f"'{head}' means contacts with at least one purchase, and the phrase also asks for contacts"
        return (
            f"{REFUSED}: {said} {excluded}; no contact is both. For the contacts "
            f"{excluded}, say 'contacts' where it says '{head}'."
        )
    required = reader.condition(found.required)
    return (
        f"{REFUSED}: it asks for contacts {required} and for contacts {excluded}; "
        "no contact is both, so the segment would always be empty."
    )
