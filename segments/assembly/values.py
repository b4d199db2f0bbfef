"""Values and the fields they name: the sense of a word a role reads, and the condition it makes.

A word the store holds ("Berlin", "golf", "instagram") may be a value of several fields; the role
the grammar gives it ("in X" is a place, "bought X" a category) picks one (`ROLES`). Values of one
field make one condition, values of several are joined by what joined the words, and values said
of an event become its filters rather than the contact's.
"""

from __future__ import annotations

from lark import Token, Tree

from segments.assembly.items import AssemblyError
from segments.assembly.trees import TreeReader, leaves
from segments.definition import Attribute, Condition, Event, EventFilter, FilterOp, Saved, all_of
from segments.grouping import either as any_of
from segments.lexicon import Sense
from segments.normalize import fold
from segments.tagger import FIELD_SENSES, Tag

#: Which field a value names, by the role the grammar gives it; earlier is preferred.
ROLES = {
    "adjective": ("saved", "city", "country", "loyalty_tier", "device", "industry", "signup_source", "gender",
                  "email_consent", "fan", "interest", "job_title", "language", "custom", "property"),
    "place": ("saved", "city", "country", "industry", "loyalty_tier", "custom", "signup_source", "device",
              "language", "interest"),
    "from": ("city", "country", "signup_source", "custom", "industry"),
    "source": ("signup_source", "custom", "city", "country"),
    "interest": ("interest", "fan", "category"),
    "purchase": ("category", "product", "fan", "interest", "campaign"),
    "viewed": ("category", "product", "fan", "interest"),
    "email": ("campaign",),
    "language": ("language",),
    "about": ("topic", "category", "product", "campaign"),
}  # fmt: skip
EVENT_FIELDS = {"category", "product", "topic", "campaign"}
#: Fields a contact holds several values of: "interested in golf and running" means both.
MULTI_VALUED = {"interest", "fan", *EVENT_FIELDS}


class Values(TreeReader):
    """How `Assembly` (core.py) reads values: their senses, the attributes and the event filters."""

    def sense(self, tag: Tag, role: str, context: tuple[str, ...] = ()) -> Sense:
        order = (*context, *ROLES[role])
        ranked = sorted(tag.senses, key=lambda s: _rank(s.field, order))
        best = ranked[0]
        if _rank(best.field, order) >= len(order):
            raise AssemblyError(f"{tag.text!r} is a {_describe(best)}, which doesn't fit here")
        plausible = [
            s for s in ranked[1:] if _rank(s.field, order) < len(order) and s.field not in ("campaign",)
        ]
        if best.field == "fan" or (plausible and plausible[0].field != best.field and role == "adjective"):
            self.notes.append(_ambiguity_note(tag, best))
        return best

    def value_condition(
        self, tags: list[Tag], role: str, context: tuple[str, ...] = (), conj: str = ""
    ) -> Condition:
        """Values of one field become one condition ("in Toronto and Madrid": city in both);
        of a field with several values per contact, "and" asks for each ("golf and running").
        (There is a tag at least: the grammar's rules hold a value.)"""
        senses = [s for tag in tags for s in self.alike(tag, self.sense(tag, role, context))]
        senses = [s for s in senses if s.field not in FIELD_SENSES] or senses
        return self.senses_condition(senses, conj)

    @staticmethod
    def alike(tag: Tag, chosen: Sense) -> list[Sense]:
        """Every stored spelling of the chosen value: "Berlin" is also the "BERLIN" and "berlin" that
        an import may hold. (They fold alike, so the tag holds them all.)"""
        return [s for s in tag.senses if s.field == chosen.field]

    def senses_condition(self, senses: list[Sense], conj: str = "") -> Condition:
        """One condition per field; values of several fields joined by "or" are alternatives
        ("in Germany or instagram leads"), side by side or by "and" all must hold. (Each tag
        read has a sense at least, so there is one.)"""
        by_field: dict[str, list[str]] = {}
        for sense in senses:
            by_field.setdefault(sense.field, []).append(sense.value)
        parts: list[Condition] = []
        for name, values in by_field.items():
            if conj == "and" and name in MULTI_VALUED:
                parts.extend(self.attribute(name, group) for group in _alike_groups(values))
            else:
                parts.append(self.attribute(name, values))
        if conj == "or" and len(parts) > 1:
            return any_of(*parts)
        return all_of(*parts)

    def attribute(self, name: str, values: list[str]) -> Condition:
        if name == "saved":
            return all_of(*(Saved(name=v) for v in values))
        if name in ("fan", "interest"):
            return Attribute(field="interests", op="has", values=list(values))
        if name.startswith("custom:"):
            return _eq(name.removeprefix("custom:"), values, custom=True)
        if name == "job_title":
            return Attribute(field="job_title", op="contains", values=list(values))
        if name in FIELD_SENSES:
            return all_of(*(Attribute(field=v, op="present", custom=name == "property") for v in values))
        if name == "event":
            return all_of(*(Event(type=v) for v in values))
        if name in EVENT_FIELDS:
            return Event(
                type="purchase", where=[EventFilter(field=name, op=_filter_op(name), values=list(values))]
            )
        return _eq(name, values)

    def conjunction(self, tree: Tree[Token]) -> str:
        """How a list of values is joined: "or" when any join is "or" ("golf, yoga or running"),
        "and" by "and" or "plus", "" when the values stand side by side ("Berlin golfers")."""
        joins = {self.tag(t).text for t in leaves(tree)}
        if "or" in joins:
            return "or"
        return "and" if joins & {"and", "plus", "well"} else ""

    def field_sense(self, tree: Tree[Token]) -> Sense | None:
        """The attribute a FIELD word names ("city", "job title", a custom property)."""
        fields = self.tokens(tree, "FIELD")
        if not fields:
            return None
        return sorted(fields[0].senses, key=lambda s: (s.field != "field", s.value))[0]

    def named_field(self, tag: Tag, named: Sense) -> Sense:
        """The value's sense in the named field: "whose language is German" is the language."""
        wanted = named.value if named.field == "field" else f"custom:{named.value}"
        aliases = {"interests": ("interest", "fan")}.get(wanted, (wanted,))
        for sense in tag.senses:
            if sense.field in aliases:
                return sense
        raise AssemblyError(f"{tag.text!r} is not a {_field_label(named)} Tailor knows")

    def named_values(self, tags: list[Tag], named: Sense, conj: str = "") -> Condition:
        senses = [s for tag in tags for s in self.alike(tag, self.named_field(tag, named))]
        return self.senses_condition(senses, conj)

    def event_filters(
        self, tags: list[Tag], role: str, conj: str
    ) -> tuple[list[EventFilter], list[EventFilter]]:
        """Event properties from values: one filter per field, or (values joined by "and" of one
        field) one filter each, every one needing an event of its own."""
        by_field: dict[str, list[str]] = {}
        groups: dict[str, list[list[str]]] = {}
        for tag in tags:
            sense = self.sense(tag, role)
            name = "category" if sense.field in ("fan", "interest") else sense.field
            if name not in EVENT_FIELDS:
                raise AssemblyError(f"{tag.text!r} is a {_describe(sense)}, not a property of an event")
            spellings = [s.value for s in self.alike(tag, sense)]
            by_field.setdefault(name, []).extend(spellings)
            groups.setdefault(name, []).append(spellings)
        if conj == "or" and len(by_field) > 1:
            # one event's properties are all of its filters: an "or" across two would read as "and"
            named = " or ".join(tag.text for tag in tags)
            raise AssemblyError(f"'{named}' names a {' and a '.join(by_field)}: say the verb for each, "
                                f"e.g. 'bought {tags[0].text} or bought {tags[-1].text}'")  # fmt: skip
        shared: list[EventFilter] = []
        each: list[EventFilter] = []
        for name, values in by_field.items():
            op = _filter_op(name)
            if conj == "and" and len(groups[name]) > 1:
                each.extend(EventFilter(field=name, op=op, values=list(v)) for v in groups[name])
            else:
                shared.append(EventFilter(field=name, op=op, values=list(values)))
        return shared, each


def _alike_groups(values: list[str]) -> list[list[str]]:
    """Values by what they fold to: ["Golf", "golf", "Running"] -> [["Golf", "golf"], ["Running"]]."""
    groups: dict[str, list[str]] = {}
    for value in values:
        groups.setdefault(fold(str(value)), []).append(value)
    return list(groups.values())


def _fits(tag: Tag, role: str) -> bool:
    """The value has a sense that the role can read."""
    return any(_rank(s.field, ROLES[role]) < len(ROLES[role]) for s in tag.senses)


def _names_event_property(tag: Tag) -> bool:
    """The value can only be a property of an event (a topic, a product), not of the contact."""
    return bool(tag.senses) and all(s.field in EVENT_FIELDS or s.field == "event" for s in tag.senses)


def _eq(name: str, values: list[str], custom: bool = False) -> Attribute:
    if len(values) == 1:
        return Attribute(field=name, op="eq", value=values[0], custom=custom)
    return Attribute(field=name, op="in", values=list(values), custom=custom)


def _filter_op(name: str) -> FilterOp:
    """A campaign is matched by any part of its name (segment-semantics.md), the rest exactly."""
    return "contains" if name == "campaign" else "eq"


def _rank(name: str, order: tuple[str, ...]) -> int:
    key = "custom" if name.startswith("custom:") else name
    return order.index(key) if key in order else len(order)


def _describe(sense: Sense) -> str:
    return sense.field.replace("custom:", "").replace("_", " ")


def _field_label(sense: Sense) -> str:
    return sense.value.replace("_", " ")


def _ambiguity_note(tag: Tag, chosen: Sense) -> str:
    if chosen.field == "fan":
        return f"{tag.text}: read as interest {chosen.value}; say 'who bought {chosen.value}' for purchases"
    return f"{tag.text}: read as {_describe(chosen)} {chosen.value}"
