"""From the grammar's parts to a definition: each part becomes a condition, all of them ANDed.

The grammar says which words belong together; this module says what they mean. Values are
read by the role the grammar gives them ("in X" is a place, "bought X" a category), time
windows attach to the clause they follow and are shared by the bare clauses before it
("opened but didn't click in the last 30 days"), and "not", "excluding" and "or" join the
next part to the one before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lark import Token, Tree

from segments import presets
from segments.definition import (
    Aggregate,
    All,
    AnyOf,
    Attribute,
    Calendar,
    Condition,
    Count,
    Dates,
    Definition,
    Event,
    EventFilter,
    LastEmails,
    MonthRef,
    Months,
    Not,
    OlderThan,
    Rank,
    Saved,
    Span,
    Window,
    conjoin,
)
from segments.definition import Last as LastWindow
from segments.lexicon import Sense
from segments.tagger import Tag

COMPARISONS = {
    "at least": "ge", "minimum": "ge", "min": "ge", "more than": "gt", "over": "gt", "above": "gt",
    "greater than": "gt", "at most": "le", "no more than": "le", "not more than": "le", "up to": "le",
    "maximum": "le", "max": "le", "under": "lt", "below": "lt", "less than": "lt", "fewer than": "lt",
    "exactly": "eq",
}  # fmt: skip
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
HEAD_ROLES = {
    "lead": ("signup_source",),
    "company": ("industry",),
    "speaker": ("language",),
    "fan": ("interest",),
}
EVENT_FIELDS = {"category", "product", "topic", "campaign"}
GENDERS = {"male": "male", "female": "female"}


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
    over: Span | None = None
    ever: bool = False

    def condition(self) -> Condition:
        window = self.window
        if self.over is not None:  # "not in over a year": none in the last year
            window = LastWindow(span=self.over) if self.negated else OlderThan(span=self.over)
        event = Event(
            type=self.type,
            window=window,
            where=self.where,
            count=self.count or Count(),
            after_latest=self.after_latest,
        )
        return Not(of=event) if self.negated else event


@dataclass
class Pending:
    """A part whose window may still come: a preset, a signup, a spend."""

    build: object  # Callable[[Window | None], Condition]
    window: Window | None = None

    def condition(self) -> Condition:
        return self.build(self.window)


@dataclass
class Item:
    thing: Condition | Clause | Pending
    negated: bool = False
    alternative: bool = False  # joined to the previous item by "or"


class Assembly:
    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        self.items: list[Item] = []
        self.notes: list[str] = []
        self.head: str | None = None
        self.negate_next = False
        self.or_next = False

    # -- helpers over the tree ----------------------------------------------------------------

    def tag(self, token: Token) -> Tag:
        return self.tags[token.start_pos]

    def words(self, tree: Tree | Token) -> list[str]:
        """The keywords and classes of a subtree, in order (values as VALUE, numbers as NUMBER)."""
        if isinstance(tree, Token):
            tag = self.tag(tree)
            return [tag.meaning if tag.meaning is not None and tag.type not in ("VERB", "VN") else tag.type]
        return [word for child in tree.children for word in self.words(child)]

    def tokens(self, tree: Tree, kind: str) -> list[Tag]:
        return [
            self.tag(t) for t in tree.scan_values(lambda v: isinstance(v, Token)) if self.tag(t).type == kind
        ]

    def numbers(self, tree: Tree) -> list[float]:
        return [t.number for t in self.tokens(tree, "NUMBER")]

    def add(self, thing: Condition | Clause | Pending) -> Item:
        item = Item(thing, negated=self.negate_next, alternative=self.or_next)
        self.negate_next = self.or_next = False
        self.items.append(item)
        return item

    # -- values -------------------------------------------------------------------------------

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

    def value_condition(self, tags: list[Tag], role: str, context: tuple[str, ...] = ()) -> Condition | None:
        """Values of one field become one condition ("in Toronto and Madrid": city in both)."""
        senses = [self.sense(tag, role, context) for tag in tags]
        senses = [s for s in senses if s.field not in ("property", "field")] or senses
        by_field: dict[str, list[str]] = {}
        for sense in senses:
            by_field.setdefault(sense.field, []).append(sense.value)
        return conjoin(*(self.attribute(name, values) for name, values in by_field.items()))

    def attribute(self, name: str, values: list[str]) -> Condition:
        if name == "saved":
            return conjoin(*(Saved(name=v) for v in values))
        if name in ("fan", "interest"):
            return Attribute(field="interests", op="has", values=values)
        if name.startswith("custom:"):
            return _eq(name.removeprefix("custom:"), values, custom=True)
        if name == "job_title":
            return Attribute(field="job_title", op="contains", values=values)
        if name in ("property", "field"):
            return conjoin(*(Attribute(field=v, op="present", custom=name == "property") for v in values))
        if name == "event":
            return conjoin(*(Event(type=v) for v in values))
        if name in EVENT_FIELDS:
            return Event(type="purchase", where=[EventFilter(field=name, values=values)])
        return _eq(name, values)

    # -- parts --------------------------------------------------------------------------------

    def part(self, tree: Tree, following: Tree | None) -> None:
        handler = getattr(self, f"on_{tree.data}", None)
        if handler is None:
            raise AssemblyError(f"cannot read {' '.join(self.words(tree))!r} yet")
        handler(tree, following)

    def on_filler(self, tree: Tree, following: Tree | None) -> None:
        pass

    def on_negation(self, tree: Tree, following: Tree | None) -> None:
        self.negate_next = True

    def on_or_(self, tree: Tree, following: Tree | None) -> None:
        self.or_next = True

    def on_head(self, tree: Tree, following: Tree | None) -> None:
        kind = self.tokens(tree, "HEAD")[0].meaning
        if kind in GENDERS:
            self.add(_eq("gender", [GENDERS[kind]]))
        elif self.head is None or self.head == "contact":
            self.head = kind

    def on_values(self, tree: Tree, following: Tree | None) -> None:
        context: tuple[str, ...] = ()
        if following is not None and following.data == "head":
            context = HEAD_ROLES.get(self.tokens(following, "HEAD")[0].meaning or "", ())
        condition = self.value_condition(self.tokens(tree, "VALUE"), "adjective", context)
        self.add(condition)

    def on_place(self, tree: Tree, following: Tree | None) -> None:
        role = "from" if self.words(tree)[0] == "from" else "place"
        values = self.tokens(tree, "VALUE")
        previous = self.items[-1].thing if self.items else None
        if isinstance(previous, Clause) and all(_names_event_property(tag) for tag in values):
            # "attended the webinar on automation": a property of the event before, not a place
            for tag in values:
                sense = self.sense(tag, "about")
                op = "contains" if sense.field == "campaign" else "eq"
                previous.where.append(EventFilter(field=sense.field, op=op, values=[sense.value]))
            previous.bare = False
            return
        self.add(self.value_condition(values, role))

    def on_interest(self, tree: Tree, following: Tree | None) -> None:
        values = [self.sense(tag, "interest").value for tag in self.tokens(tree, "VALUE")]
        self.add(Attribute(field="interests", op="has", values=values))

    def on_speaks(self, tree: Tree, following: Tree | None) -> None:
        self.add(self.value_condition(self.tokens(tree, "VALUE"), "language"))

    def on_origin(self, tree: Tree, following: Tree | None) -> None:
        self.add(self.value_condition(self.tokens(tree, "VALUE"), "source"))

    def on_signup(self, tree: Tree, following: Tree | None) -> None:
        values = self.tokens(tree, "VALUE")
        if values:
            self.add(self.value_condition(values, "source"))
        windows = [child for child in tree.children if isinstance(child, Tree) and child.data in WINDOW_KINDS]
        item = self.add(Pending(lambda window: Attribute(field="signed_up_at", op="present", window=window)))
        item.negated = item.negated or any(isinstance(c, Tree) and c.data == "neg" for c in tree.children)
        for window in windows:
            self.window_part(window, item)

    def on_age(self, tree: Tree, following: Tree | None) -> None:
        words, numbers = self.words(tree), [int(n) for n in self.numbers(tree)]
        if "s" in words and "their" in words:
            self.add(Attribute(field="age", op="between", values=[numbers[0], numbers[0] + 9]))
        elif len(numbers) == 2:
            self.add(Attribute(field="age", op="between", values=sorted(numbers)))
        else:
            op = {"older": "gt", "younger": "lt"}.get(words[0], comparison(words))
            self.add(Attribute(field="age", op=op, value=numbers[0]))

    def on_rank(self, tree: Tree, following: Tree | None) -> None:
        measure = next((c for c in tree.children if isinstance(c, Tree) and c.data == "rank_measure"), None)
        by = "spend"
        if measure is not None:
            words = self.words(measure)
            by = (
                "rfm"
                if "rfm" in words
                else "order_value"
                if "average" in words or ("value" in words and "order" in words)
                else "orders"
                if "number" in words or "count" in words or words == ["purchase"]
                else "spend"
            )
        self.add(Rank(by=by, percent=self.numbers(tree)[0]))

    def on_last_emails(self, tree: Tree, following: Tree | None) -> None:
        verb = self.verb_type(tree)
        numbers = self.numbers(tree)
        action = "clicked" if verb == "email_clicked" else "opened"
        condition = LastEmails(n=int(numbers[0]) if numbers else 1, action=action)
        self.add(Not(of=condition) if self.negated(tree) else condition)

    def on_spend(self, tree: Tree, following: Tree | None) -> None:
        words = self.words(tree)
        fn = (
            "avg"
            if {"average", "order"} & set(words) and ("per" in words or "average" in words or "an" in words)
            else "sum"
        )
        op = comparison(words, default="ge")
        value = self.numbers(tree)[0]
        negated = self.negated(tree)
        item = self.add(Pending(lambda window: Aggregate(fn=fn, op=op, value=value, window=window)))
        item.negated = item.negated or negated
        for child in tree.children:
            if isinstance(child, Tree) and child.data not in ("neg", "comparison", "amount", "measure_word"):
                self.window_part(child, item)

    def on_with_part(self, tree: Tree, following: Tree | None) -> None:
        what = tree.children[-1]
        getattr(self, f"with_{what.data}")(what)

    def on_without_part(self, tree: Tree, following: Tree | None) -> None:
        values = self.tokens(tree, "VALUE")
        if values:
            fields = [s for s in values[0].senses if s.field in ("field", "property")]
            if fields:
                self.add(Attribute(field=fields[0].value, op="empty", custom=fields[0].field == "property"))
                return
            self.negate_next = True
            self.add(self.value_condition(values, "adjective"))
            return
        clause = Clause(type=self.noun_type(tree) or "purchase", negated=True)
        self.add(clause)
        self.modifiers(tree, clause)

    def on_clause(self, tree: Tree, following: Tree | None) -> None:
        clause = self.clause(tree, previous=None)
        self.add(clause)
        self.modifiers(tree, clause)
        self.share_window(clause)

    def on_elided_clause(self, tree: Tree, following: Tree | None) -> None:
        previous = self.last_clause()
        if previous is None:
            raise AssemblyError(
                f"{' '.join(self.words(tree))!r}: of what? Say what they did, e.g. 'never bought'"
            )
        clause = self.clause(tree, previous=previous)
        self.add(clause)
        self.modifiers(tree, clause)

    def on_window(self, tree: Tree, following: Tree | None) -> None:
        self.window_part(tree, None)

    def on_count(self, tree: Tree, following: Tree | None) -> None:
        target = self.last_clause()
        if target is None:
            raise AssemblyError(f"{' '.join(self.words(tree))!r}: how often what?")
        target.count = self.count(tree)

    def with_employees(self, tree: Tree) -> None:
        numbers = [int(n) for n in self.numbers(tree)]
        if len(numbers) == 2:
            self.add(Attribute(field="company_size", op="between", values=sorted(numbers)))
        else:
            self.add(Attribute(field="company_size", op=comparison(self.words(tree)), value=numbers[0]))

    def with_event_count(self, tree: Tree) -> None:
        clause = Clause(type=self.noun_type(tree) or "purchase", count=self.quantity(tree))
        self.add(clause)
        self.modifiers(tree, clause)

    def with_no_event(self, tree: Tree) -> None:
        clause = Clause(type=self.noun_type(tree) or "purchase", negated=True)
        self.add(clause)
        self.modifiers(tree, clause)

    def with_measure(self, tree: Tree) -> None:
        words = self.words(tree)
        fn = "avg" if "average" in words or "aov" in words else "sum"
        self.add(Aggregate(fn=fn, op=comparison(words, default="ge"), value=self.numbers(tree)[0]))

    def with_with_value(self, tree: Tree) -> None:
        tag = self.tokens(tree, "VALUE")[0]
        fields = [s for s in tag.senses if s.field in ("field", "property")]
        if fields:
            self.add(Attribute(field=fields[0].value, op="present", custom=fields[0].field == "property"))
        else:
            self.add(self.value_condition([tag], "adjective"))

    def with_with_preset(self, tree: Tree) -> None:
        name = self.tokens(tree, "PRESET")[0].meaning or ""
        self.add(Pending(lambda window: presets.expand(name, window)))

    def on_preset(self, tree: Tree, following: Tree | None) -> None:
        self.with_with_preset(tree)

    # -- clauses --------------------------------------------------------------------------------

    def negated(self, tree: Tree) -> bool:
        return any(isinstance(c, Tree) and c.data == "neg" for c in tree.children)

    def verb_type(self, tree: Tree) -> str | None:
        for kind in ("VERB", "VN"):
            for tag in self.tokens(tree, kind):
                meaning = (tag.meaning or "").split("|")[0]
                return meaning or None
        return None

    def noun_type(self, tree: Tree) -> str | None:
        """The event a noun names: "purchases" is purchase, "opens" email_opened, "carts" cart_abandoned."""
        for tag in [*self.tokens(tree, "NOUN"), *self.tokens(tree, "VN")]:
            noun = (tag.meaning or "").split("|")[-1]
            if noun in ("email",):
                return "email_sent"
            if noun and noun != "product":
                return noun
        for tag in self.tokens(tree, "VALUE"):
            for sense in tag.senses:
                if sense.field == "event":
                    return sense.value
        return None

    def clause(self, tree: Tree, previous: Clause | None) -> Clause:
        obj = next((c for c in tree.children if isinstance(c, Tree) and c.data == "object"), None)
        verb = self.verb_type(tree) if previous is None else previous.type
        event_object = self.object_event(obj)
        kind = event_object or verb or (self.noun_type(obj) if obj is not None else None)
        if kind is None:
            raise AssemblyError(
                f"{' '.join(self.words(tree))!r}: did what? Say 'bought', 'opened', 'clicked'..."
            )
        clause = Clause(type=kind, negated=self.negated(tree))
        if obj is not None:
            self.read_object(obj, clause, previous)
        return clause

    def object_event(self, obj: Tree | None) -> str | None:
        if obj is None:
            return None
        for tag in self.tokens(obj, "VALUE"):
            events = [s.value for s in tag.senses if s.field == "event"]
            if events:
                return events[0]
        return None

    def read_object(self, obj: Tree, clause: Clause, previous: Clause | None) -> None:
        words = self.words(obj)
        if "it" in words or "them" in words or "one" in words:
            source = previous or self.last_clause(before=clause)
            clause.where = list(source.where) if source else []
            return
        clause.bare = False
        if any(tag.text == "nothing" for tag in self.tokens(obj, "NOUN")):  # "bought nothing in that time"
            clause.negated = not clause.negated
        quantity = next((c for c in obj.children if isinstance(c, Tree) and c.data == "quantity"), None)
        if quantity is not None:
            clause.count = self.quantity(quantity)
        role = {"purchase": "purchase", "product_viewed": "viewed", "cart_abandoned": "viewed"}.get(
            clause.type, "email" if clause.type.startswith("email_") else "about"
        )
        for tag in self.tokens(obj, "VALUE"):
            if any(s.field == "event" and s.value == clause.type for s in tag.senses):
                continue
            sense = self.sense(tag, role)
            name = "category" if sense.field in ("fan", "interest") else sense.field
            if name not in EVENT_FIELDS:
                raise AssemblyError(
                    f"{tag.text!r} is a {_describe(sense)}, not something one can {clause.type}"
                )
            clause.where.append(
                EventFilter(field=name, op="contains" if name == "campaign" else "eq", values=[sense.value])
            )

    def modifiers(self, tree: Tree, clause: Clause) -> None:
        for child in tree.children:
            if not isinstance(child, Tree) or child.data != "modifier":
                continue
            inner = child.children[0]
            if inner.data == "count":
                clause.count = self.count(inner)
            elif inner.data in ("about", "via_campaign", "in_category"):
                role = {"about": "about", "via_campaign": "email", "in_category": "purchase"}[inner.data]
                tag = self.tokens(inner, "VALUE")[0]
                sense = self.sense(tag, role)
                op = "contains" if sense.field == "campaign" else "eq"
                clause.where.append(EventFilter(field=sense.field, op=op, values=[sense.value]))
                clause.bare = False
            else:
                self.window_part(inner, clause)

    def last_clause(self, before: Clause | None = None) -> Clause | None:
        for item in reversed(self.items):
            if isinstance(item.thing, Clause) and item.thing is not before:
                return item.thing
        return None

    def share_window(self, clause: Clause) -> None:
        """ "opened but didn't click in the last 30 days": the bare clauses before share the window."""
        if clause.window is None and clause.over is None:
            return
        for item in reversed(self.items[:-1]):
            earlier = item.thing
            if not isinstance(earlier, Clause) or earlier.window or earlier.over or earlier.ever:
                break
            if earlier.bare:
                earlier.window, earlier.over = clause.window, clause.over

    # -- counts and windows -----------------------------------------------------------------------

    def count(self, tree: Tree) -> Count:
        words, numbers = self.words(tree), self.numbers(tree)
        n = int(numbers[0]) if numbers else (2 if "twice" in words else 1)
        if ("more" in words and "or" in words) or "plus" in words:
            return Count(op="ge", n=n)
        op = comparison(words, default="ge")
        if op == "ge" and words[:1] != ["at"]:
            self.notes.append(f"read '{' '.join(w.lower() for w in words)}' as at least {n} times")
        return Count(op=op, n=n)

    def quantity(self, tree: Tree) -> Count:
        words, numbers = self.words(tree), self.numbers(tree)
        if not numbers:  # several, multiple, many, a few
            return Count(op="ge", n=2)
        n = int(numbers[0])
        if "or" in words and ("fewer" in words or "less" in words):
            return Count(op="le", n=n)
        if "plus" in words or ("more" in words and "or" in words):
            return Count(op="ge", n=n)
        return Count(op=comparison(words, default="ge"), n=n)

    def window_part(self, tree: Tree, target: Clause | Item | None) -> None:
        if target is None:
            found = next((i for i in reversed(self.items) if isinstance(i.thing, (Clause, Pending))), None)
            if found is None:
                raise AssemblyError(f"{' '.join(self.words(tree))!r}: when what happened?")
            target = found.thing if isinstance(found.thing, Clause) else found
            if isinstance(target, Clause):
                self.set_window(target, tree)
                self.share_window(target)
                return
        if isinstance(target, Clause):
            self.set_window(target, tree)
        else:
            pending = target.thing if isinstance(target, Item) else target
            pending.window = self.window(tree, negated=False)

    def set_window(self, clause: Clause, tree: Tree) -> None:
        if tree.data == "ever":
            clause.ever = True
        elif tree.data == "since_latest":
            clause.after_latest = self.noun_type(tree) or self.object_event(tree) or clause.type
        elif tree.data == "over":
            clause.over = span(
                self.words(tree), self.numbers(tree), self.tokens(tree, "UNIT")[0].meaning or "day"
            )
        elif tree.data == "same":
            source = self.last_clause(before=clause)
            clause.window = source.window if source else None
            clause.over = source.over if source else None
        else:
            clause.window = self.window(tree, negated=clause.negated)

    def window(self, tree: Tree, negated: bool) -> Window | None:
        kind, words, numbers = tree.data, self.words(tree), self.numbers(tree)
        units = [t.meaning or "day" for t in self.tokens(tree, "UNIT")]
        if kind in ("last", "first"):
            return LastWindow(span=span(words, numbers, units[0]))
        if kind in ("ago", "older"):
            return OlderThan(span=span(words, numbers, units[0]))
        if kind == "over":
            length = span(words, numbers, units[0])
            return LastWindow(span=length) if negated else OlderThan(span=length)
        if kind in ("today", "yesterday"):
            return Calendar(period=kind)
        if kind in ("this_period", "last_period"):
            unit = units[0]
            if unit not in ("week", "month", "year"):
                raise AssemblyError(f"'{kind.split('_')[0]} {unit}' is not a calendar period Tailor knows")
            return Calendar(period=f"{kind.split('_')[0]}_{unit}")
        return self.dated_window(tree, kind)

    def dated_window(self, tree: Tree, kind: str) -> Window | None:
        tags = [self.tag(t) for t in tree.scan_values(lambda v: isinstance(v, Token))]
        refs = month_refs(tags)
        if kind == "months":
            return Months(first=refs[0], last=refs[-1])
        if kind == "since_month":
            return Months(first=refs[0])
        if kind == "before_month":
            before = refs[0]
            previous = MonthRef(
                month=12 if before.month == 1 else before.month - 1,
                year=None if before.year is None else before.year - (before.month == 1),
            )
            return Months(last=previous)
        dates = [iso_date(t) for t in tags if t.type == "DATE"]
        if kind == "since_date":
            return Dates(start=dates[0])
        if kind == "before_date":
            return Dates(end=dates[0])
        if kind == "between_dates":
            return Dates(start=min(dates), end=max(dates))
        if kind == "year":
            year = int(self.numbers(tree)[0])
            return Months(first=MonthRef(month=1, year=year), last=MonthRef(month=12, year=year))
        if kind == "ever":
            return None
        raise AssemblyError(f"cannot read the time {' '.join(self.words(tree))!r}")

    # -- the whole ---------------------------------------------------------------------------------

    def definition(self) -> Definition:
        parts: list[Condition] = []
        for item in self.items:
            condition = item.thing if isinstance(item.thing, Condition.__args__) else item.thing.condition()  # type: ignore[attr-defined]
            if item.negated:
                condition = Not(of=condition)
            if item.alternative and parts:
                condition = either(parts.pop(), condition)
            parts.append(condition)
        if self.head == "customer" and not any(_about_purchases(p) for p in parts):
            parts.insert(0, Event(type="purchase"))
        return Definition(where=conjoin(*parts))


def either(first: Condition, second: Condition) -> Condition:
    """ "in Lyon or Paris": one attribute in both values, rather than two conditions."""
    same = (
        isinstance(first, Attribute)
        and isinstance(second, Attribute)
        and first.field == second.field
        and first.custom == second.custom
        and {first.op, second.op} <= {"eq", "in"}
    )
    if not same:
        return AnyOf(of=[first, second])
    values = [
        *([first.value] if first.op == "eq" else first.values),
        *([second.value] if second.op == "eq" else second.values),
    ]
    return Attribute(field=first.field, op="in", values=values, custom=first.custom)


def _names_event_property(tag: Tag) -> bool:
    """The value can only be a property of an event (a topic, a product), not of the contact."""
    return bool(tag.senses) and all(s.field in EVENT_FIELDS or s.field == "event" for s in tag.senses)


def _eq(name: str, values: list[str], custom: bool = False) -> Attribute:
    if len(values) == 1:
        return Attribute(field=name, op="eq", value=values[0], custom=custom)
    return Attribute(field=name, op="in", values=values, custom=custom)


def _rank(name: str, order: tuple[str, ...]) -> int:
    key = "custom" if name.startswith("custom:") else name
    return order.index(key) if key in order else len(order)


def _describe(sense: Sense) -> str:
    return sense.field.replace("custom:", "").replace("_", " ")


def _ambiguity_note(tag: Tag, chosen: Sense) -> str:
    if chosen.field == "fan":
        return f"{tag.text}: read as interest {chosen.value}; say 'who bought {chosen.value}' for purchases"
    return f"{tag.text}: read as {_describe(chosen)} {chosen.value}"


def comparison(words: list[str], default: str = "eq") -> str:
    text = " ".join(words)
    for phrase, op in sorted(COMPARISONS.items(), key=lambda kv: -len(kv[0])):
        if phrase in text:
            return op
    return default


def span(words: list[str], numbers: list[float], unit: str) -> Span:
    n = int(numbers[0]) if numbers else 1
    if unit == "quarter":
        return Span(n=3 * n, unit="month")
    return Span(n=n, unit=unit)


def month_refs(tags: list[Tag]) -> list[MonthRef]:
    """MONTH [year] [MONTH [year]]: a year after a month belongs to it."""
    refs: list[MonthRef] = []
    for tag in tags:
        if tag.type == "MONTH":
            refs.append(MonthRef(month=int(tag.meaning or 0)))
        elif tag.type == "NUMBER" and refs and 1900 < (tag.number or 0) < 2200:
            refs[-1] = MonthRef(month=refs[-1].month, year=int(tag.number))
    if len(refs) == 2 and refs[0].year is None and refs[1].year is not None:
        year = refs[1].year - (refs[0].month > refs[1].month)
        refs[0] = MonthRef(month=refs[0].month, year=year)
    return refs


def iso_date(tag: Tag) -> date:
    try:
        return date.fromisoformat(tag.meaning or "")
    except ValueError:
        raise AssemblyError(f"{tag.text!r} is not a date") from None


def _about_purchases(condition: Condition) -> bool:
    """A positive purchase condition of the phrase's own, which "customers" then leaves alone."""
    match condition:
        case Event(type="purchase", count=count):
            return count.n > 0 or count.op in ("ge", "gt")
        case Aggregate() | Rank():
            return True
        case All(of=parts) if parts:
            return (
                condition.label in presets.LABELS.values() and any(_about_purchases(p) for p in parts)
            ) or any(_about_purchases(p) for p in parts)
    return False


WINDOW_KINDS = {
    "last", "ago", "older", "over", "today", "yesterday", "this_period", "last_period", "months",
    "since_month",
    "before_month", "since_date", "before_date", "between_dates", "year", "same", "ever",
    "since_latest", "first",
}  # fmt: skip


def assemble(tree: Tree, tags: list[Tag]) -> tuple[Definition, list[str]]:
    assembly = Assembly(tags)
    parts = list(tree.children)
    for index, part in enumerate(parts):
        following = parts[index + 1] if index + 1 < len(parts) else None
        if isinstance(part, Token):
            continue
        if part.data in WINDOW_KINDS:
            assembly.window_part(part, None)
        else:
            assembly.part(part, following if isinstance(following, Tree) else None)
    return assembly.definition(), assembly.notes
