"""From the grammar's parts to a definition: each run of parts becomes one condition.

The grammar says which words belong together; this module says what they mean. Values are
read by the role the grammar gives them ("in X" is a place, "bought X" a category), time
windows attach to the clause they follow and are shared by the bare clauses before it
("opened but didn't click in the last 30 days"), and within a run "not", "excluding" and "or"
join the next part to the one before. Runs (one noun phrase each) are joined by the structure
words between them, in `grouping`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise

from lark import Token, Tree
from pydantic import ValidationError

from segments import presets
from segments.definition import (
    FIRST_YEAR,
    LAST_YEAR,
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
from segments.grouping import GroupingError, Piece, Run, combine, structure
from segments.grouping import either as any_of
from segments.lexicon import Sense
from segments.normalize import fold, key, number_text
from segments.tagger import FIELD_SENSES, Tag

COMPARISONS = {
    "at least": "ge", "minimum": "ge", "min": "ge", "more than": "gt", "over": "gt", "above": "gt",
    "greater than": "gt", "at most": "le", "no more than": "le", "not more than": "le", "up to": "le",
    "maximum": "le", "max": "le", "under": "lt", "below": "lt", "less than": "lt", "fewer than": "lt",
    "exactly": "eq", "larger than": "gt", "bigger than": "gt", "higher than": "gt", "smaller than": "lt",
    "lower than": "lt", "greater than or equal to": "ge", "less than or equal to": "le", "no less than": "ge",
    "no fewer than": "ge", "in excess of": "gt", "upwards of": "gt", "north of": "gt",
}  # fmt: skip
#: Bounds written after the number: "500 or more", "65 and older", "10 or fewer".
OR_MORE = ("or more", "plus", "and up", "or above", "and above", "or over", "and over", "or older",
           "and older")  # fmt: skip
OR_LESS = ("or fewer", "or less", "and under", "or under", "and below", "or below", "or younger",
           "and younger")  # fmt: skip
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
    # "golf customers" bought golf; "Berlin customers" still live in Berlin
    "customer": ("category", "product"),
}
EVENT_FIELDS = {"category", "product", "topic", "campaign"}
#: Fields a contact holds several values of: "interested in golf and running" means both.
MULTI_VALUED = {"interest", "fan", *EVENT_FIELDS}
GENDERS = {"male": "male", "female": "female"}
#: Clause type for "engaged", "interacted": an open or a click (segment-semantics.md, "inactive").
ENGAGEMENT = "engagement"
ENGAGEMENT_TYPES = ("email_opened", "email_clicked")
#: Buyers by their number of orders: "repeat customers", "one-time buyers".
ORDER_COUNTS = {"repeat": Count(op="ge", n=2), "one_time": Count(op="eq", n=1)}
#: Presets whose window is a "no such event in" window: "lapsed for over 6 months" is none in 6 months.
NEGATIVE_PRESETS = {"lapsed", "inactive"}
#: Presets that already say "and no purchase": "browsers who haven't purchased" restates the preset;
#: True where the restating clause's window becomes the preset's ("... in the last 14 days").
NO_PURCHASE_PRESETS = {"browsers": True, "lapsed": True, "cart_abandoners": False, "passive": False}
#: The event a preset is about, for "since" after it ("cart abandoners who haven't bought since").
PRESET_EVENTS = {"cart_abandoners": "cart_abandoned", "browsers": "product_viewed", "lapsed": "purchase",
                 "active": "purchase", "passive": "email_opened"}  # fmt: skip
#: Heads that name people by the emails they get: "active subscribers" opened or clicked lately.
EMAIL_HEADS = {"subscriber", "reader", "recipient"}
#: The people a number of staff may be counted in ("companies with 100+ people").
STAFF_HEADS = {"people", "person", "employee", "staff", "worker", "member"}
#: A calendar period, and the one right after it: "whose last order was last month" has none since.
FOLLOWING_PERIOD = {"yesterday": "today", "last_week": "this_week", "last_month": "this_month",
                    "last_year": "this_year"}  # fmt: skip


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
    #: Filters each needing an event of their own: "bought golf and yoga products".
    each: list[EventFilter] = field(default_factory=list)
    #: "an order over $200": (comparison, amount) of one event.
    amount: tuple[str, float] | None = None
    #: Conditions on the contact said inside the clause ("bought golf in Germany").
    extra: list[Condition] = field(default_factory=list)
    #: "no purchase since abandoning their cart" says they abandoned one: that event is required too.
    presupposed: bool = False
    #: A time was said of this clause (not shared from another): a second one is an error.
    timed: bool = False

    def condition(self) -> Condition:
        window = self.window
        if self.over is not None:  # "not in over a year": none in the last year
            window = LastWindow(span=self.over) if self.negated else OlderThan(span=self.over)
        groups = [[*self.where, extra] for extra in self.each] or [self.where]
        found = conjoin(*(self.single(window, where) for where in groups))
        assert found is not None
        event = Not(of=found) if self.negated else found
        if self.negated and self.presupposed and self.after_latest:
            event = conjoin(Event(type=self.after_latest), event)  # type: ignore[assignment]
        return conjoin(*self.extra, event) if self.extra else event  # type: ignore[return-value]

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
            fn = "max" if op in ("gt", "ge") else "min"
            return Aggregate(type=self.type, fn=fn, op=op, value=value, window=window, where=where)
        count = self.count or Count()
        return Event(type=self.type, window=window, where=where, count=count, after_latest=self.after_latest)


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


class Assembly:
    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        #: The parts of the current run (grouping.py): lookups for a window, a count or an elided
        #: verb never reach past an "or", a "not" or a parenthesis between noun phrases.
        self.items: list[Item] = []
        self.notes: list[str] = []
        self.head: str | None = None
        #: The runs read so far and the structure words between them, for grouping.combine.
        self.stream: list[Piece] = []
        #: Tag positions of the current run's first and last part, for its text in notes.
        self.span: tuple[int, int] | None = None
        #: A "not" before a noun phrase covers it up to the next "and", "but" or ",".
        self.negating = False
        self.negate_next = False
        self.or_next = False
        #: Windows said before anything that happens ("last month's buyers").
        self.early_windows: list[Tree] = []
        #: Event properties said before the event ("Black Friday openers").
        self.carried: list[EventFilter] = []

    # -- helpers over the tree ----------------------------------------------------------------

    def tag(self, token: Token) -> Tag:
        return self.tags[token.start_pos]

    def words(self, tree: Tree | Token) -> list[str]:
        """The keywords and classes of a subtree, in order (values as VALUE, numbers as NUMBER)."""
        if isinstance(tree, Token):
            tag = self.tag(tree)
            return [tag.meaning if tag.meaning is not None and tag.type not in ("VERB", "VN") else tag.type]
        return [word for child in tree.children for word in self.words(child)]

    def said(self, tree: Tree) -> list[str]:
        """The words of a subtree as the user wrote them (folded), numbers too."""
        return [self.tag(t).text for t in tree.scan_values(lambda v: isinstance(v, Token))]

    def texts(self, tree: Tree) -> list[str]:
        """The words of a subtree as typed, without plural endings ("orders" -> order)."""
        return [key(self.tag(t).text) for t in tree.scan_values(lambda v: isinstance(v, Token))]

    def tokens(self, tree: Tree, kind: str) -> list[Tag]:
        return [
            self.tag(t) for t in tree.scan_values(lambda v: isinstance(v, Token)) if self.tag(t).type == kind
        ]

    def numbers(self, tree: Tree) -> list[float]:
        return [t.number for t in self.tokens(tree, "NUMBER")]

    def whole(self, tree: Tree) -> list[int]:
        """The numbers of a count, a span, an age or a size: whole ones, or the phrase is refused
        ("at least 1.5 emails" is no count to round)."""
        numbers = self.numbers(tree)
        for n in numbers:
            if n != int(n):
                raise AssemblyError(
                    f"{number_text(n)} is not a whole number: say a whole number of times, days, years "
                    "or employees"
                )
        return [int(n) for n in numbers]

    def add(self, thing: Condition | Clause | Pending) -> Item:
        item = Item(thing, negated=self.negate_next, alternative=self.or_next)
        self.negate_next = self.or_next = False
        self.items.append(item)
        if isinstance(thing, Clause | Pending) and self.early_windows:
            windows, self.early_windows = self.early_windows, []
            for window in windows:
                self.window_part(window, thing if isinstance(thing, Clause) else item)
        if isinstance(thing, Clause) and self.carried:
            thing.where.extend(self.carried)
            thing.bare, self.carried = False, []
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

    def value_condition(
        self, tags: list[Tag], role: str, context: tuple[str, ...] = (), conj: str = ""
    ) -> Condition | None:
        """Values of one field become one condition ("in Toronto and Madrid": city in both);
        of a field with several values per contact, "and" asks for each ("golf and running")."""
        senses = [s for tag in tags for s in self.alike(tag, self.sense(tag, role, context))]
        senses = [s for s in senses if s.field not in FIELD_SENSES] or senses
        return self.senses_condition(senses, conj)

    @staticmethod
    def alike(tag: Tag, chosen: Sense) -> list[Sense]:
        """Every stored spelling of the chosen value: "Berlin" is also the "BERLIN" and "berlin" that
        an import may hold. (They fold alike, so the tag holds them all.)"""
        return [s for s in tag.senses if s.field == chosen.field]

    def senses_condition(self, senses: list[Sense], conj: str = "") -> Condition | None:
        """One condition per field; values of several fields joined by "or" are alternatives
        ("in Germany or instagram leads"), side by side or by "and" all must hold."""
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
        return conjoin(*parts)

    def attribute(self, name: str, values: list[str]) -> Condition:
        if name == "saved":
            return conjoin(*(Saved(name=v) for v in values))
        if name in ("fan", "interest"):
            return Attribute(field="interests", op="has", values=values)
        if name.startswith("custom:"):
            return _eq(name.removeprefix("custom:"), values, custom=True)
        if name == "job_title":
            return Attribute(field="job_title", op="contains", values=values)
        if name in FIELD_SENSES:
            return conjoin(*(Attribute(field=v, op="present", custom=name == "property") for v in values))
        if name == "event":
            return conjoin(*(Event(type=v) for v in values))
        if name in EVENT_FIELDS:
            op = "contains" if name == "campaign" else "eq"
            return Event(type="purchase", where=[EventFilter(field=name, op=op, values=values)])
        return _eq(name, values)

    def conjunction(self, tree: Tree) -> str:
        """How a list of values is joined: "or" when any join is "or" ("golf, yoga or running"),
        "and" by "and" or "plus", "" when the values stand side by side ("Berlin golfers")."""
        joins = {self.tag(t).text for t in tree.scan_values(lambda v: isinstance(v, Token))}
        if "or" in joins:
            return "or"
        return "and" if joins & {"and", "plus", "well"} else ""

    def field_sense(self, tree: Tree) -> Sense | None:
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
            op = "contains" if name == "campaign" else "eq"
            if conj == "and" and len(groups[name]) > 1:
                each.extend(EventFilter(field=name, op=op, values=v) for v in groups[name])
            else:
                shared.append(EventFilter(field=name, op=op, values=values))
        return shared, each

    # -- parts --------------------------------------------------------------------------------

    def part(self, tree: Tree, following: Tree | None) -> None:
        handler = getattr(self, f"on_{tree.data}", None)
        if handler is None:
            raise AssemblyError(f"cannot read {' '.join(self.words(tree))!r} yet")
        handler(tree, following)

    def on_filler(self, tree: Tree, following: Tree | None) -> None:
        pass

    def on_negation(self, tree: Tree, following: Tree | None) -> None:
        self.negate_next = not self.negate_next  # "not not in Germany": in Germany

    def on_or_(self, tree: Tree, following: Tree | None) -> None:
        self.or_next = True

    def on_head(self, tree: Tree, following: Tree | None) -> None:
        heads = self.tokens(tree, "HEAD")
        kind = (heads[0].meaning or "contact") if heads else "contact"
        non = "non" in self.words(tree)
        if kind.startswith("event:"):
            self.event_head(kind.removeprefix("event:"), negated=non)
        elif non:
            self.non_head(kind, heads[0])
        elif kind in GENDERS:
            self.add(_eq("gender", [GENDERS[kind]]))
        elif self.head is None or self.head == "contact":
            self.head = kind

    def on_email_head(self, tree: Tree, following: Tree | None) -> None:
        """ "email subscribers", "newsletter recipients": subscribers (consent is not implied)."""
        noun = self.tokens(tree, "NOUN")[0]
        if (noun.meaning or "") != "email":
            raise AssemblyError(f"{noun.text!r} before people: say what they did, e.g. 'who bought ...'")
        self.on_head(Tree("head", [c for c in tree.children if c is not tree.children[0]]), following)

    def on_at_head(self, tree: Tree, following: Tree | None) -> None:
        """ "contacts at companies with 500+ employees": the companies are what follows describes."""
        inner = next(c for c in tree.children if isinstance(c, Tree) and c.data == "head")
        self.on_head(inner, following)

    def event_head(self, kind: str, negated: bool) -> None:
        """ "openers", "webinar attendees": people who did it; "non-openers": who never did. (The
        words before, "webinar", "Black Friday", were carried to it by `before_event_head`.)"""
        self.add(Clause(type=kind, negated=negated, bare=False))

    def non_head(self, kind: str, tag: Tag) -> None:
        """ "non-buyers": never purchased; "non-subscribers": not subscribed."""
        if kind == "customer":
            self.add(Clause(type="purchase", negated=True, bare=False))
        elif key(tag.text) == "subscriber":
            self.add(Not(of=_eq("email_consent", ["subscribed"])))
        else:
            raise AssemblyError(f"'non-{tag.text}': say what they have not done, e.g. 'never bought'")

    def on_values(self, tree: Tree, following: Tree | None) -> None:
        tags = self.tokens(tree, "VALUE")
        said = [*self.tokens(tree, "NOUN"), *self.tokens(tree, "VN")]
        nouns = [(t.meaning or "").split("|")[-1] for t in said]
        if any(noun != "email" for noun in nouns) or (nouns and not _consent(tags)):
            raise AssemblyError(f"'{' '.join(self.texts(tree))}': say what they did, e.g. 'who bought ...'")
        named = self.field_sense(tree)
        if named is not None:
            self.add(self.named_values(tags, named, self.conjunction(tree)))
            return
        event_kind = _event_head(self, following)
        if event_kind is not None and self.before_event_head(tags, event_kind):
            return
        context: tuple[str, ...] = ()
        if following is not None and following.data == "head":
            heads = self.tokens(following, "HEAD")
            context = HEAD_ROLES.get((heads[0].meaning or "") if heads else "", ())
        listed = _child(tree, "value_list")
        beside = [self.tag(t) for t in tree.children if isinstance(t, Token) and self.tag(t).type == "VALUE"]
        if listed is None or not beside:
            self.add(self.value_condition(tags, "adjective", context, self.conjunction(tree)))
            return
        # "German or French golfers": the list's "or" is between the countries; the golfers are all of them
        self.add(
            self.value_condition(self.tokens(listed, "VALUE"), "adjective", context, self.conjunction(listed))
        )
        self.add(self.value_condition(beside, "adjective", context))

    def before_event_head(self, tags: list[Tag], kind: str) -> bool:
        """ "automation webinar attendees", "Black Friday openers": the event's own words."""
        own = [tag for tag in tags if not any(s.field == "event" and s.value == kind for s in tag.senses)]
        if not all(_names_event_property(tag) for tag in own):
            return False
        filters = []
        for tag in own:
            sense = self.sense(tag, "about")
            op = "contains" if sense.field == "campaign" else "eq"
            filters.append(EventFilter(field=sense.field, op=op, values=[sense.value]))
        self.carried.extend(filters)
        return True

    def named_values(self, tags: list[Tag], named: Sense, conj: str = "") -> Condition | None:
        senses = [s for tag in tags for s in self.alike(tag, self.named_field(tag, named))]
        return self.senses_condition(senses, conj)

    def on_place(self, tree: Tree, following: Tree | None) -> None:
        role = "from" if self.words(tree)[0] == "from" else "place"
        values = self.tokens(tree, "VALUE")
        named = self.field_sense(tree)
        if named is not None:  # "in the finance industry", "in the city of London"
            self.add(self.named_values(values, named, self.conjunction(tree)))
            return
        previous = self.items[-1].thing if self.items else None
        if isinstance(previous, Clause) and all(_names_event_property(tag) for tag in values):
            # "attended the webinar on automation": a property of the event before, not a place
            shared, each = self.event_filters(values, "about", self.conjunction(tree))
            previous.where.extend(shared)
            previous.each.extend(each)
            previous.bare = False
            return
        self.add(self.value_condition(values, role, conj=self.conjunction(tree)))

    def on_outside(self, tree: Tree, following: Tree | None) -> None:
        self.negate_next = not self.negate_next
        self.add(self.value_condition(self.tokens(tree, "VALUE"), "place", conj=self.conjunction(tree)))

    def on_interest(self, tree: Tree, following: Tree | None) -> None:
        tags = self.tokens(tree, "VALUE")
        values = [s for tag in tags for s in self.alike(tag, self.sense(tag, "interest"))]
        interests = [Sense("interest", s.value) for s in values]
        self.add(self.senses_condition(interests, self.conjunction(tree)))

    def on_speaks(self, tree: Tree, following: Tree | None) -> None:
        self.negate_next = self.negate_next != self.negated(tree)  # "who don't speak English"
        self.add(self.value_condition(self.tokens(tree, "VALUE"), "language"))

    def on_origin(self, tree: Tree, following: Tree | None) -> None:
        self.add(self.source_condition(self.tokens(tree, "VALUE")))

    def source_condition(self, values: list[Tag]) -> Condition | None:
        """ "came from Google": the signup source; "signed up on mobile": the contact's own device."""
        role = "source" if all(_fits(tag, "source") for tag in values) else "adjective"
        return self.value_condition(values, role)

    def on_signup(self, tree: Tree, following: Tree | None) -> None:
        values = self.tokens(tree, "VALUE")
        if values:
            self.add(self.source_condition(values))
        windows = [child for child in tree.children if isinstance(child, Tree) and child.data in WINDOW_KINDS]
        item = self.add(Pending(lambda window: Attribute(field="signed_up_at", op="present", window=window)))
        item.negated = item.negated or any(isinstance(c, Tree) and c.data == "neg" for c in tree.children)
        for window in windows:
            self.window_part(window, item)

    # -- attributes by name -------------------------------------------------------------------

    def on_field_value(self, tree: Tree, following: Tree | None) -> None:
        named = self.field_sense(tree)
        assert named is not None
        self.add(self.named_values(self.tokens(tree, "VALUE"), named, self.conjunction(tree)))

    def on_field_compare(self, tree: Tree, following: Tree | None) -> None:
        named = self.numeric_field(tree)
        op = bound(self.words(tree), default="eq")
        self.add(Attribute(field=named.value, op=op, value=int_or_float(self.numbers(tree)[0]),
                           custom=named.field == "property"))  # fmt: skip

    def on_field_range(self, tree: Tree, following: Tree | None) -> None:
        named = self.numeric_field(tree)
        values = sorted(int_or_float(n) for n in self.numbers(tree))
        self.add(Attribute(field=named.value, op="between", values=values, custom=named.field == "property"))

    def on_field_contains(self, tree: Tree, following: Tree | None) -> None:
        named = self.field_sense(tree)
        assert named is not None
        values = []
        for tag in self.tokens(tree, "VALUE"):
            try:
                values.append(self.named_field(tag, named).value)
            except AssemblyError:
                values.append(tag.text)
        self.add(Attribute(field=named.value, op="contains", values=values, custom=named.field == "property"))

    def on_field_empty(self, tree: Tree, following: Tree | None) -> None:
        named = self.field_sense(tree)
        assert named is not None
        self.add(Attribute(field=named.value, op="empty", custom=named.field == "property"))

    def numeric_field(self, tree: Tree) -> Sense:
        named = self.field_sense(tree)
        assert named is not None
        if named.field == "field" and named.value != "company_size":
            raise AssemblyError(f"{_field_label(named)} is not a number to compare")
        return named

    # -- people -------------------------------------------------------------------------------

    def on_age(self, tree: Tree, following: Tree | None) -> None:
        words, numbers = self.words(tree), self.whole(tree)
        if "s" in words and "their" in words:
            self.add(Attribute(field="age", op="between", values=[numbers[0], numbers[0] + 9]))
        elif len(numbers) == 2:
            self.add(Attribute(field="age", op="between", values=sorted(numbers)))
        elif words[0] in ("older", "younger"):
            self.add(Attribute(field="age", op={"older": "gt", "younger": "lt"}[words[0]], value=numbers[0]))
        else:
            self.add(Attribute(field="age", op=bound(words, default="eq"), value=numbers[0]))

    def on_bare_age(self, tree: Tree, following: Tree | None) -> None:
        """ "women between 30 and 40": after a person, two small numbers are ages."""
        numbers = sorted(self.whole(tree))
        if numbers[-1] > 120 or self.head == "company":
            raise AssemblyError(f"between {numbers[0]} and {numbers[1]} what? Say 'aged' or 'employees'")
        self.add(Attribute(field="age", op="between", values=numbers))

    def on_size(self, tree: Tree, following: Tree | None) -> None:
        self.with_employees(tree)

    def on_rank(self, tree: Tree, following: Tree | None) -> None:
        for head in self.tokens(tree, "HEAD"):
            if head.meaning not in ("customer", "contact"):
                # "top 10% of women": of all purchasers, or among women? A ranking has no group yet.
                raise AssemblyError(f"a top share ranks all purchasers, not only {head.text}")
        measure = next((c for c in tree.children if isinstance(c, Tree) and c.data == "rank_measure"), None)
        by = "spend"
        if measure is not None:
            texts = self.texts(measure)
            orders = {"order", "purchase", "transaction", "sale"}
            by = (
                "rfm"
                if "rfm" in texts
                else "order_value"
                if {"average", "aov", "basket"} & set(texts) or ("value" in texts and orders & set(texts))
                else "orders"
                if {"number", "count", "frequency"} & set(texts) or (len(texts) == 1 and texts[0] in orders)
                else "spend"
            )
        self.add(Rank(by=by, percent=self.numbers(tree)[0]))

    def on_last_emails(self, tree: Tree, following: Tree | None) -> None:
        verb = self.verb_type(tree)
        numbers = self.whole(tree)
        action = "clicked" if verb == "email_clicked" else "opened"
        if self.negated(tree):
            # "didn't open their last 3 emails": none of them, or not all? Ask rather than guess.
            raise AssemblyError(
                "Tailor can read 'opened their last 3 emails' (all of them), not its negation yet",
                ["contacts who opened their last 3 emails", "contacts with no opens in the last 30 days"],
            )
        self.add(LastEmails(n=numbers[0] if numbers else 1, action=action))

    # -- money ----------------------------------------------------------------------------------

    def on_spend(self, tree: Tree, following: Tree | None) -> None:
        texts = set(self.texts(tree))
        per_order = {"per", "an", "a", "each"} & texts and {"order", "purchase", "transaction"} & texts
        fn = "avg" if "average" in texts or per_order else "sum"
        amounts = [c for c in tree.children if isinstance(c, Tree) and c.data == "spend_amount"]
        if len(amounts) > 1:  # "spent $200 on golf over 60": an age, or a second amount?
            raise AssemblyError("one amount per spend, please: say e.g. 'spent over $200 on golf'")
        bounds = self.amount_bounds(_child(tree, "spend_amount"), default="ge")
        where: list[EventFilter] = []
        places: list[Condition] = []
        for on in (c for c in tree.children if isinstance(c, Tree) and c.data == "spend_on"):
            values = self.tokens(on, "VALUE")
            if all(_fits(t, "purchase") for t in values):  # "spent $200 on golf": in that category
                shared, each = self.event_filters(values, "purchase", "or")
                where.extend(shared + each)
            elif (found := self.value_condition(values, "place")) is not None:  # "... in Germany"
                places.append(found)
        item = self.add(Pending(lambda window: conjoin(*places, _aggregates(fn, bounds, window, where))))
        item.negated = item.negated != self.negated(tree)
        for child in tree.children:
            if isinstance(child, Tree) and child.data in WINDOW_KINDS:
                self.window_part(child, item)

    def amount_bounds(self, tree: Tree | None, default: str) -> list[tuple[str, float]]:
        """ "over $500" -> [(gt, 500)], "$100 to $300" -> [(ge, 100), (le, 300)]."""
        if tree is None:
            raise AssemblyError("how much? Say 'more than $500'")
        numbers = self.numbers(tree)
        if len(numbers) == 2:
            low, high = sorted(numbers)
            return [("ge", low), ("le", high)]
        return [(bound(self.words(tree), default), numbers[0])]

    # -- "with ..." -----------------------------------------------------------------------------

    def on_with_part(self, tree: Tree, following: Tree | None) -> None:
        what = tree.children[-1]
        getattr(self, f"with_{what.data}")(what)

    def with_employees(self, tree: Tree) -> None:
        for head in self.tokens(tree, "HEAD"):
            if key(head.text) not in STAFF_HEADS:
                raise AssemblyError(f"companies with a number of {head.text}? Say 'employees'")
        numbers = self.whole(tree)
        if len(numbers) == 2:
            self.add(Attribute(field="company_size", op="between", values=sorted(numbers)))
        else:
            self.add(
                Attribute(field="company_size", op=bound(self.words(tree), default="eq"), value=numbers[0])
            )

    def with_event_count(self, tree: Tree) -> None:
        quantity = _child(tree, "quantity")
        clause = Clause(type=self.event_type(tree), count=self.quantity(quantity) if quantity else None)
        self.add(clause)
        self.modifiers(tree, clause)

    def with_no_event(self, tree: Tree) -> None:
        clause = Clause(type=self.event_type(tree), negated=True)
        self.add(clause)
        self.modifiers(tree, clause)

    def with_measure(self, tree: Tree) -> None:
        texts = set(self.texts(_child(tree, "measure") or tree))
        fn = (
            "max"
            if {"biggest", "largest", "highest"} & texts
            else "min"
            if {"smallest", "lowest"} & texts
            else "avg"
            if {"average", "aov", "basket"} & texts
            else "sum"
        )
        bounds = self.amount_bounds(_child(tree, "spend_amount"), default="ge")
        self.add(Pending(lambda window: _aggregates(fn, bounds, window, [])))  # "... in 2025"

    def with_with_value(self, tree: Tree) -> None:
        tag = self.tokens(tree, "VALUE")[0]
        events = [s.value for s in tag.senses if s.field == "event"]
        if events:  # "with a support ticket in the last week"
            clause = Clause(type=events[0])
            self.add(clause)
            self.modifiers(tree, clause)
            return
        if any(isinstance(c, Tree) and c.data == "modifier" for c in tree.children):
            raise AssemblyError(f"'with {tag.text}' and a time: say what they did, e.g. 'who bought it'")
        self.add(self.value_condition([tag], "adjective"))

    def with_with_field(self, tree: Tree) -> None:
        named = self.field_sense(tree)
        assert named is not None
        self.add(Attribute(field=named.value, op="present", custom=named.field == "property"))

    def with_with_preset(self, tree: Tree) -> None:
        name = self.tokens(tree, "PRESET")[0].meaning or ""
        if name in ORDER_COUNTS:  # "repeat customers": buyers with two or more orders
            self.add(Clause(type="purchase", count=ORDER_COUNTS[name], bare=False))
            return
        self.add(Pending(lambda window: presets.expand(name, window), name=name))

    def on_preset(self, tree: Tree, following: Tree | None) -> None:
        name = self.tokens(tree, "PRESET")[0].meaning
        heads = self.tokens(following, "HEAD") if following is not None and following.data == "head" else []
        if name == "active" and heads and key(heads[0].text) in EMAIL_HEADS:
            # "active subscribers": the opposite of "inactive subscribers", not "active buyers"
            self.add(Pending(_emailed_recently, name="active_subscribers"))
            return
        self.with_with_preset(tree)

    def on_without_part(self, tree: Tree, following: Tree | None) -> None:
        values = self.tokens(tree, "VALUE")
        events = [s.value for tag in values for s in tag.senses if s.field == "event"]
        lacked = self.lacked_attribute(tree)
        if lacked is None and values and not events:
            self.negate_next = not self.negate_next
            lacked = self.value_condition(values, "adjective")
        if lacked is not None:
            self.add(lacked)
            # "with no interests in 2025": the time is no part of the attribute; it is said of what
            # comes before or after, like a window on its own
            for child in tree.children:
                if isinstance(child, Tree) and child.data == "modifier":
                    self.window_part(child.children[0], None)
            return
        clause = Clause(type=(events[0] if events else None) or self.event_type(tree), negated=True)
        self.add(clause)
        self.modifiers(tree, clause)

    def lacked_attribute(self, tree: Tree) -> Condition | None:
        """ "without a city", "with no age", "with no interests", "without a company": empty."""
        named = self.field_sense(tree)
        words = self.words(tree)
        if named is not None:
            return Attribute(field=named.value, op="empty", custom=named.field == "property")
        if "age" in words:
            return Attribute(field="birth_date", op="empty")
        if "interest" in words:
            return Attribute(field="interests", op="empty")
        heads = self.tokens(tree, "HEAD")
        if heads:
            if heads[0].meaning != "company":
                raise AssemblyError(f"without {heads[0].text}? Say what they lack, e.g. 'without a city'")
            return Attribute(field="company", op="empty")
        return None

    # -- clauses --------------------------------------------------------------------------------

    def on_clause(self, tree: Tree, following: Tree | None) -> None:
        clause = self.clause(tree, previous=None)
        item = self.add(clause)
        self.modifiers(tree, clause, only="only" in self.words(tree))
        self.share_window(clause)
        self.distribute_negation(tree, item)
        self.restating_preset(item)

    def on_we_clause(self, tree: Tree, following: Tree | None) -> None:
        """ "people we emailed last week": what we did to them is what they received."""
        if self.verb_type(tree) != "email_sent":
            raise AssemblyError("say what the contacts did, e.g. 'who opened' or 'who received'")
        self.on_clause(tree, following)

    def on_elided_or(self, tree: Tree, following: Tree | None) -> None:
        self.on_elided_clause(tree, following)

    def on_elided_clause(self, tree: Tree, following: Tree | None) -> None:
        """ "but never outdoor gear", "or yoga products in the last 60 days": the verb before, again."""
        previous = self.last_clause()
        values = self.tokens(tree, "VALUE")
        plain = bool(values) and not self.tokens(tree, "NOUN") and not self.tokens(tree, "VN")
        try:
            if previous is None:
                raise AssemblyError(
                    f"{' '.join(self.words(tree))!r}: of what? Say what they did, e.g. 'never bought'"
                )
            clause = self.clause(tree, previous=previous)
            if clause.extra:  # "bought golf but not tablet users": the contact's, not the event's
                raise AssemblyError(f"{values[0].text!r} is not something one can {previous.type}")
        except AssemblyError:
            if not (plain and all(_fits(tag, "adjective") for tag in values)):
                raise
            # "who are not subscribed": a value of the contact, negated
            self.negate_next = self.negate_next != self.negated(tree)
            self.or_next = self.or_next or "or" in self.words(tree)[:1]
            self.add(self.value_condition(values, "adjective", conj=self.conjunction(tree)))
            for child in tree.children:  # a time said after the values is said of what they did
                if isinstance(child, Tree) and child.data == "modifier":
                    self.window_part(child.children[0], None)
            return
        item = self.add(clause)
        item.alternative = item.alternative or "or" in [w for w in self.words(tree)[:1]]
        self.modifiers(tree, clause)

    def on_last_did(self, tree: Tree, following: Tree | None) -> None:
        """ "who last purchased over 90 days ago"."""
        kind = self.verb_type(tree)
        window = next((w for w in _windows(tree)), None)
        if kind is None or window is None:
            raise AssemblyError("last did what, when? Say e.g. 'who last purchased over 90 days ago'")
        self.add(self.latest_event(kind, window))
        probe = Clause(type=kind)
        self.modifiers(Tree("modifiers", [c for c in tree.children if _is_modifier(c, but=window)]), probe)
        if probe.where or probe.each or probe.count or probe.amount or probe.window or probe.over:
            raise AssemblyError("'last ...' reads a time only; say e.g. 'whose last purchase was in May'")
        for extra in probe.extra:  # "who last purchased over 90 days ago on mobile"
            self.add(extra)

    def on_last_event(self, tree: Tree, following: Tree | None) -> None:
        """ "whose last purchase was more than 3 months ago"."""
        kind = self.event_type(tree)
        window = next((w for w in _windows(tree)), None)
        if window is None:
            raise AssemblyError("when was it? Say e.g. 'whose last purchase was over 90 days ago'")
        self.add(self.latest_event(kind, window))

    def latest_event(self, kind: str, tree: Tree) -> Condition:
        """The contact's latest such event fell in the window: one in it, and none after it."""
        window = self.window(tree, negated=False)
        match window:
            case OlderThan(span=span):
                return conjoin(Event(type=kind), Not(of=Event(type=kind, window=LastWindow(span=span))))  # type: ignore[return-value]
            case LastWindow():
                return Event(type=kind, window=window)
            case Calendar(period=period) if period in FOLLOWING_PERIOD:
                after = Calendar(period=FOLLOWING_PERIOD[period])  # type: ignore[arg-type]
                return conjoin(Event(type=kind, window=window), Not(of=Event(type=kind, window=after)))  # type: ignore[return-value]
            case Calendar():
                return Event(type=kind, window=window)
            case Months(last=MonthRef() as last):
                after = Months(first=_next_month(last))
                return conjoin(Event(type=kind, window=window), Not(of=Event(type=kind, window=after)))  # type: ignore[return-value]
        raise AssemblyError(f"cannot read when the last {kind.replace('_', ' ')} was")

    def on_no_event(self, tree: Tree, following: Tree | None) -> None:
        self.with_no_event(tree)

    def on_window(self, tree: Tree, following: Tree | None) -> None:
        self.window_part(tree, None)

    def on_count(self, tree: Tree, following: Tree | None) -> None:
        target = self.last_clause()
        if target is None:
            raise AssemblyError(f"{' '.join(self.words(tree))!r}: how often what?")
        target.count = self.count(tree)

    def distribute_negation(self, tree: Tree, item: Item) -> None:
        """ "haven't opened or clicked": neither, so the "not" covers the bare verb after "or"."""
        clause = item.thing
        previous = self.items[-2] if len(self.items) > 1 else None
        bare_verb = isinstance(tree.children[0], Tree) and tree.children[0].data == "verb"
        if (
            isinstance(clause, Clause)
            and item.alternative
            and bare_verb
            and previous is not None
            and isinstance(previous.thing, Clause)
            and previous.thing.negated
            and not clause.negated
        ):
            clause.negated, item.alternative = True, False

    def restating_preset(self, item: Item) -> None:
        """ "browsers who haven't purchased": the preset already says it (its window may come here)."""
        clause = item.thing
        previous = self.items[-2].thing if len(self.items) > 1 else None
        if not isinstance(clause, Clause) or not isinstance(previous, Pending):
            return
        if previous.name not in NO_PURCHASE_PRESETS:
            return
        plain = clause.type == "purchase" and not clause.where and not clause.each and clause.amount is None
        if not (plain and clause.negated and not item.negated and clause.count in (None, Count())):
            return
        window = LastWindow(span=clause.over) if clause.over else clause.window
        if clause.after_latest and clause.after_latest != "cart_abandoned":
            return
        if window is not None:
            if not NO_PURCHASE_PRESETS[previous.name or ""] or previous.window is not None:
                return
            previous.window = window
        self.items.pop()
        for extra in clause.extra:  # "browsers who haven't purchased in Berlin": still in Berlin
            self.add(extra)

    def negated(self, tree: Tree) -> bool:
        return any(isinstance(c, Tree) and c.data == "neg" for c in tree.children)

    def verb_type(self, tree: Tree) -> str | None:
        for kind in ("VERB", "VN"):
            for tag in self.tokens(tree, kind):
                meaning = (tag.meaning or "").split("|")[0]
                return meaning or None
        return None

    def noun_type(self, tree: Tree) -> str | None:
        """The event nouns name: "purchases" is purchase, "email opens" email_opened, "product views"
        product_viewed; a bare "email" is one received."""
        generic = None
        for tag in [*self.tokens(tree, "NOUN"), *self.tokens(tree, "VN")]:
            noun = (tag.meaning or "").split("|")[-1]
            if noun == "email":
                generic = "email_sent"
            elif noun and noun != "product":
                return noun
        for tag in self.tokens(tree, "VALUE"):
            for sense in tag.senses:
                if sense.field == "event":
                    return sense.value
        return generic

    def event_type(self, tree: Tree) -> str:
        """ "3 abandoned carts", "no email opens", "a purchase": the verb's event, else the nouns'
        (not those of a time after them: "no purchases since abandoning their cart")."""
        said = [c for c in tree.children if not (isinstance(c, Tree) and c.data == "modifier")]
        own = Tree(tree.data, said)
        verbs = [(t.meaning or "").split("|")[0] for t in self.tokens(own, "VERB")]
        return next((v for v in verbs if v), None) or self.noun_type(own) or "purchase"

    def clause(self, tree: Tree, previous: Clause | None) -> Clause:
        obj = _child(tree, "object") or _child(tree, "pronoun")
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
        if obj.data == "pronoun":  # "it", "one", "any": the thing of the clause before, in its time
            source = previous or self.last_clause(before=clause)
            if source is not None:
                clause.where, clause.each = list(source.where), list(source.each)
                clause.window, clause.over = source.window, source.over
            return
        clause.bare = False
        if any(tag.text == "nothing" for tag in self.tokens(obj, "NOUN")):  # "bought nothing in that time"
            clause.negated = not clause.negated
        quantity = _child(obj, "quantity")
        if quantity is not None:
            clause.count = self.quantity(quantity)
        amount = _child(obj, "amount_filter")
        if amount is not None:
            clause.amount = self.amount_filter(amount)
        role = {"purchase": "purchase", "product_viewed": "viewed", "cart_abandoned": "viewed"}.get(
            clause.type, "email" if clause.type.startswith("email_") or clause.type == ENGAGEMENT else "about"
        )
        values = [
            tag
            for tag in self.tokens(obj, "VALUE")
            if not any(s.field == "event" and s.value == clause.type for s in tag.senses)
        ]
        if values and not any(_fits(tag, role) for tag in values) and all(_fits(t, "place") for t in values):
            # "purchased on desktop", "ordered from London": the contact's, not the event's
            found = self.value_condition(values, "place", conj=self.conjunction(obj))
            clause.extra.extend([found] if found is not None else [])
            return
        if values:
            shared, each = self.event_filters(values, role, self.conjunction(obj))
            clause.where.extend(shared)
            clause.each.extend(each)

    def amount_filter(self, tree: Tree) -> tuple[str, float]:
        op = comparison(self.words(tree), default="ge")
        if op == "ge" and not {"least", "minimum", "min"} & set(self.words(tree)):
            self.notes.append(f"read '{' '.join(self.texts(tree))}' as at least that amount")
        return op, self.numbers(tree)[0]

    def modifiers(self, tree: Tree, clause: Clause, only: bool = False) -> None:
        for child in tree.children:
            if not isinstance(child, Tree) or child.data != "modifier":
                continue
            inner = child.children[0]
            if inner.data == "count":
                clause.count = self.count(inner, only=only)
            elif inner.data == "amount_filter":
                clause.amount = self.amount_filter(inner)
            elif inner.data in ("about", "via_campaign", "in_category"):
                role = {"about": "about", "via_campaign": "email", "in_category": "purchase"}[inner.data]
                tags = self.tokens(inner, "VALUE")
                if not all(_fits(tag, role) for tag in tags) and all(_fits(tag, "place") for tag in tags):
                    # "bought golf in Germany": the contact's place, not the event's campaign
                    place = "from" if self.words(inner)[0] == "from" else "place"
                    found = self.value_condition(tags, place, conj=self.conjunction(inner))
                    clause.extra.extend([found] if found is not None else [])
                    continue
                shared, each = self.event_filters(tags, role, self.conjunction(inner))
                clause.where.extend(shared)
                clause.each.extend(each)
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

    def count(self, tree: Tree, only: bool = False) -> Count:
        words, numbers = self.words(tree), self.whole(tree)
        many = {"multiple", "several", "many", "repeatedly"} & set(words)
        n = numbers[0] if numbers else (2 if "twice" in words or many else 1)
        if ("more" in words and "or" in words) or "plus" in words or many:
            return Count(op="ge", n=n)
        if only or {"only", "just"} & set(words):  # "only bought once": exactly
            return Count(op="eq", n=n)
        op = comparison(words, default="ge")
        if op == "ge" and words[:1] != ["at"]:
            self.notes.append(f"read '{' '.join(w.lower() for w in words)}' as at least {n} times")
        return Count(op=op, n=n)

    def quantity(self, tree: Tree) -> Count:
        words, numbers = self.words(tree), self.whole(tree)
        if not numbers:  # several, multiple, many, a few
            return Count(op="ge", n=2)
        n = numbers[0]
        if "or" in words and ("fewer" in words or "less" in words):
            return Count(op="le", n=n)
        if "plus" in words or ("more" in words and "or" in words):
            return Count(op="ge", n=n)
        return Count(op=comparison(words, default="ge"), n=n)

    def window_part(self, tree: Tree, target: Clause | Item | None) -> None:
        if target is None:
            if (self.negate_next or self.or_next) and self.last_clause() is not None:
                # "bought in the last 30 days but not in the last 7": the same event, negated
                target = self.again(self.last_clause())  # type: ignore[arg-type]
            else:
                found = self.window_target()
                if found is None:
                    self.early_windows.append(tree)
                    return
                target = found.thing if isinstance(found.thing, Clause) else found
            if isinstance(target, Clause):
                self.set_window(target, tree)
                self.share_window(target)
                return
        if isinstance(target, Clause):
            self.set_window(target, tree)
        else:
            pending = target.thing if isinstance(target, Item) else target
            assert isinstance(pending, Pending)
            if pending.name in presets.LABELS and pending.name not in presets.DEFAULT_DAYS:
                # "VIPs last year": the preset has no window of its own to put the time in
                label = presets.LABELS[pending.name or ""]
                raise AssemblyError(f"'{label}' takes no time; say what they did then, e.g. 'who bought ...'")
            negative = pending.name in NEGATIVE_PRESETS
            if negative and tree.data in ("older", "ago"):  # "lapsed more than 6 months ago"
                pending.window = LastWindow(span=self.span_of(tree))
            else:
                pending.window = self.window(tree, negated=negative)

    def window_target(self) -> Item | None:
        """The latest part a time can belong to, past attributes ("bought golf, in Berlin, last month")
        but not past a part that takes no time ("opened their last 3 emails in the last 30 days")."""
        for item in reversed(self.items):
            if isinstance(item.thing, Clause | Pending):
                return item
            if isinstance(item.thing, LastEmails | Rank) or (
                isinstance(item.thing, Not) and isinstance(item.thing.of, LastEmails | Rank)
            ):
                raise AssemblyError("the last N emails and the top shares take no time window")
        return None

    def again(self, clause: Clause) -> Clause:
        """The clause's event once more, for a window of its own after "but not" or "or"."""
        negated = self.negate_next
        self.negate_next = False
        copy = Clause(type=clause.type, where=list(clause.where), each=list(clause.each), negated=negated)
        copy.bare = False
        self.add(copy)
        return copy

    def event_before(self, clause: Clause) -> str:
        """The event named before the clause: an earlier clause's, or a preset's own."""
        for item in reversed(self.items):
            thing = item.thing
            if isinstance(thing, Clause) and thing is not clause:
                return thing.type
            if isinstance(thing, Pending) and thing.name in PRESET_EVENTS:
                return PRESET_EVENTS[thing.name or ""]
        raise AssemblyError("since what? Say e.g. 'since their last abandoned cart'")

    def span_of(self, tree: Tree) -> Span:
        return span(self.words(tree), self.whole(tree), self.tokens(tree, "UNIT")[0].meaning or "day")

    def set_window(self, clause: Clause, tree: Tree) -> None:
        if tree.data in TIMES:
            if clause.timed:  # "bought in March and last week": which one?
                raise AssemblyError("two times for one event; say one, or 'between March and May'")
            clause.timed = True
        if tree.data == "ever":
            clause.ever = True
        elif tree.data == "since_latest":
            clause.after_latest = self.noun_type(tree) or self.object_event(tree) or clause.type
            clause.presupposed = True
        elif tree.data == "since_doing":  # "since abandoning their cart"
            clause.after_latest = self.verb_type(tree) or self.noun_type(tree) or clause.type
            clause.presupposed = True
        elif tree.data == "since_then":  # "haven't bought since": after the event named before
            clause.after_latest = self.event_before(clause)
        elif tree.data == "over":
            clause.over = self.span_of(tree)
        elif tree.data == "same":
            source = self.last_clause(before=clause)
            clause.window = source.window if source else None
            clause.over = source.over if source else None
        else:
            clause.window = self.window(tree, negated=clause.negated)

    def window(self, tree: Tree, negated: bool) -> Window | None:
        kind, words = tree.data, self.words(tree)
        units = [t.meaning or "day" for t in self.tokens(tree, "UNIT")]
        numbers = self.whole(tree) if kind in SPANS else []
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
            return Calendar(period=f"{kind.split('_')[0]}_{unit}")  # type: ignore[arg-type]
        if kind in ("since_latest", "since_doing", "since_then", "same"):
            raise AssemblyError(f"{' '.join(self.words(tree))!r}: since what happened?")
        return self.dated_window(tree, kind)

    def dated_window(self, tree: Tree, kind: str) -> Window | None:
        tags = [self.tag(t) for t in tree.scan_values(lambda v: isinstance(v, Token))]
        refs = month_refs(tags)
        if kind == "months":
            return Months(first=refs[0], last=refs[-1])
        if kind == "month_list":  # "in March and April": one span, if the months follow one another
            if not all(_follows(a, b) for a, b in pairwise(refs)):
                raise AssemblyError("months apart are two times; say 'between March and May', or one month")
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
        if kind in ("between_dates", "until_date"):  # "between A and B", "until B": B included
            return Dates(start=min(dates) if len(dates) > 1 else None, end=_next_day(max(dates)))
        if kind == "on_date":
            return Dates(start=dates[0], end=_next_day(dates[0]))
        if kind in ("year", "since_year", "before_year"):
            year = self.whole(tree)[0]
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise AssemblyError(
                    f"{year} is not a year Tailor reads: say one from {FIRST_YEAR} to {LAST_YEAR}"
                )
            first, last = MonthRef(month=1, year=year), MonthRef(month=12, year=year)
            if kind == "since_year":
                return Months(first=first)
            if kind == "before_year":
                return Months(last=MonthRef(month=12, year=year - 1))
            return Months(first=first, last=last)
        if kind == "ever":
            return None
        raise AssemblyError(f"cannot read the time {' '.join(self.words(tree))!r}")

    # -- the whole ---------------------------------------------------------------------------------

    def marker(self, word: str) -> None:
        """A structure word between noun phrases: the run before it is complete."""
        self.close_run()
        self.stream.append(word)
        self.negating = word == "not"  # a run right after "not" ends at the next "and", "but" or ","

    def end_noun_phrase(self) -> None:
        self.close_run()
        self.negating = False

    def join(self) -> None:
        """ "and", "but", ",": the end of what a "not" before a noun phrase covers."""
        if self.negating:
            self.close_run()
            self.negating = False

    def touch(self, part: Tree) -> None:
        positions = [t.start_pos for t in part.scan_values(lambda v: isinstance(v, Token))]
        if positions:
            first, last = min(positions), max(positions)
            self.span = (first, last) if self.span is None else (self.span[0], last)

    def close_run(self) -> None:
        if self.early_windows and self.head == "customer":  # "last month's buyers": who bought then
            self.add(Clause(type="purchase"))
        if self.early_windows and self.head == "lead":  # "TikTok leads from 2025": who signed up then
            self.add(Pending(lambda window: Attribute(field="signed_up_at", op="present", window=window)))
        if self.early_windows:
            raise AssemblyError(f"{' '.join(self.said(self.early_windows[0]))!r}: when what happened?")
        if self.carried:
            raise AssemblyError("which event? Say e.g. 'who opened the Black Friday email'")
        if self.negate_next:
            raise AssemblyError("'not' what? Say what to leave out, e.g. 'golfers but not in Germany'")
        if self.or_next:
            raise AssemblyError("'or' what? Say both sides, e.g. 'golfers or runners'")
        if self.items or self.head is not None:
            text = " ".join(t.text for t in self.tags[self.span[0] : self.span[1] + 1]) if self.span else ""
            self.stream.append(Run(self.run_condition(), text, len(self.items)))
        self.items, self.head, self.span = [], None, None

    def run_condition(self) -> Condition | None:
        parts: list[Condition] = []
        for item in self.items:
            condition = item.thing if isinstance(item.thing, Condition.__args__) else item.thing.condition()  # type: ignore[attr-defined]
            if condition is None:
                continue
            if item.negated:
                condition = Not(of=condition)
            if item.alternative:
                if not parts:
                    raise AssemblyError("'or' what? Say both sides, e.g. 'opened or clicked'")
                condition = either(parts.pop(), condition)
            parts.append(condition)
        if self.head == "customer" and not any(_about_purchases(p) for p in parts):
            parts.insert(0, Event(type="purchase"))
        return conjoin(*parts)

    def definition(self) -> Definition:
        self.close_run()
        if not any(isinstance(token, Run) for token in self.stream):
            raise AssemblyError(
                "nothing here says whom: say who, e.g. 'contacts in Berlin' or 'lapsed customers'",
                ["contacts in Berlin", "lapsed customers"],
            )
        try:
            return Definition(where=combine(self.stream, self.notes))
        except GroupingError as error:
            raise AssemblyError(str(error)) from None


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
        return any_of(first, second)
    values = [
        *([first.value] if first.op == "eq" else first.values),
        *([second.value] if second.op == "eq" else second.values),
    ]
    return Attribute(field=first.field, op="in", values=values, custom=first.custom)


def _alike_groups(values: list[str]) -> list[list[str]]:
    """Values by what they fold to: ["Golf", "golf", "Running"] -> [["Golf", "golf"], ["Running"]]."""
    groups: dict[str, list[str]] = {}
    for value in values:
        groups.setdefault(fold(str(value)), []).append(value)
    return list(groups.values())


def _aggregates(
    fn: str, bounds: list[tuple[str, float]], window: Window | None, where: list[EventFilter]
) -> Condition | None:
    return conjoin(
        *(Aggregate(fn=fn, op=op, value=value, window=window, where=where) for op, value in bounds)  # type: ignore[arg-type]
    )


def _emailed_recently(window: Window | None) -> Condition:
    """An open or a click in the window (the "inactive" preset's, 60 days by default)."""
    window = window or presets.days(presets.DEFAULT_DAYS["inactive"])
    return AnyOf(of=[Event(type=kind, window=window) for kind in ENGAGEMENT_TYPES])


def _is_modifier(node: Tree | Token, but: Tree) -> bool:
    return isinstance(node, Tree) and node.data == "modifier" and node.children[0] is not but


def _child(tree: Tree, name: str) -> Tree | None:
    return next((c for c in tree.children if isinstance(c, Tree) and c.data == name), None)


def _windows(tree: Tree) -> list[Tree]:
    return [t for t in tree.iter_subtrees_topdown() if t.data in WINDOW_KINDS]


def _event_head(assembly: Assembly, following: Tree | None) -> str | None:
    """The event a following head names ("attendees": webinar_attended), if it names one."""
    if following is None or following.data != "head":
        return None
    heads = assembly.tokens(following, "HEAD")
    meaning = (heads[0].meaning or "") if heads else ""
    return meaning.removeprefix("event:") if meaning.startswith("event:") else None


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _follows(first: MonthRef, then: MonthRef) -> bool:
    """ "March and April" follow one another; so do "December and January"."""
    step = _next_month(first)
    return step.month == then.month and (then.year is None or step.year in (None, then.year))


def _next_month(ref: MonthRef) -> MonthRef:
    if ref.month == 12:
        return MonthRef(month=1, year=None if ref.year is None else ref.year + 1)
    return MonthRef(month=ref.month + 1, year=ref.year)


def _consent(tags: list[Tag]) -> bool:
    return all(any(s.field == "email_consent" for s in tag.senses) for tag in tags)


def _fits(tag: Tag, role: str) -> bool:
    """The value has a sense that the role can read."""
    return any(_rank(s.field, ROLES[role]) < len(ROLES[role]) for s in tag.senses)


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


def _field_label(sense: Sense) -> str:
    return sense.value.replace("_", " ")


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


def bound(words: list[str], default: str = "eq") -> str:
    """A comparison before the number, or a bound after it ("500 or more", "30 and older")."""
    text = " ".join(words)
    if any(phrase in text for phrase in OR_MORE):
        return "ge"
    if any(phrase in text for phrase in OR_LESS):
        return "le"
    return comparison(words, default)


def int_or_float(value: float) -> int | float:
    return int(value) if value == int(value) else value


def span(words: list[str], numbers: list[int], unit: str) -> Span:
    n = numbers[0] if numbers else 1
    if unit == "quarter":
        return Span(n=3 * n, unit="month")
    return Span(n=n, unit=unit)  # type: ignore[arg-type]


def month_refs(tags: list[Tag]) -> list[MonthRef]:
    """MONTH [year] [MONTH [year]]: a year after a month belongs to it."""
    refs: list[MonthRef] = []
    for tag in tags:
        if tag.type == "MONTH":
            refs.append(MonthRef(month=int(tag.meaning or 0)))
        elif tag.type == "NUMBER" and refs and 1900 < (tag.number or 0) < 2200:
            refs[-1] = MonthRef(month=refs[-1].month, year=int(tag.number))
        elif tag.type == "NUMBER" and refs:
            raise AssemblyError(f"a day of the month ({tag.text}): write the date as YYYY-MM-DD")
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
        case Aggregate(type="purchase"):
            return True
        case Rank():
            return True
        case All(of=parts) if parts:
            return (
                condition.label in presets.LABELS.values() and any(_about_purchases(p) for p in parts)
            ) or any(_about_purchases(p) for p in parts)
    return False


WINDOW_KINDS = {
    "last", "ago", "older", "over", "today", "yesterday", "this_period", "last_period", "months",
    "since_month", "before_month", "since_date", "before_date", "until_date", "between_dates", "on_date",
    "month_list", "year",
    "since_year", "before_year", "same",
    "ever", "since_latest", "since_doing", "since_then", "first",
}  # fmt: skip


#: Windows that count back a span of time ("in the last 30 days", "over a year ago").
SPANS = frozenset({"last", "first", "ago", "older", "over"})
#: Windows that say when (rather than "ever" or "since their latest ...").
TIMES = WINDOW_KINDS - {"ever", "since_latest", "since_doing", "since_then"}


def assemble(tree: Tree, tags: list[Tag]) -> tuple[Definition, list[str]]:
    """The definition the tree means; a number or a date past a definition's bounds is an
    AssemblyError in the user's words."""
    try:
        return _assemble(tree, tags)
    except ValidationError as error:  # a number or a date out of a definition's bounds
        raise AssemblyError(_plain(error)) from None


def _plain(error: ValidationError) -> str:
    """A definition's refusal in the user's words: its own message, or what the bound says."""
    first = error.errors()[0]
    if first["type"] == "value_error":
        return str(first["ctx"]["error"])
    if first["type"] == "int_from_float":
        return f"{number_text(first['input'])} is not a whole number"
    said = first["msg"].removeprefix("Input should be ")
    given = first["input"]
    shown = number_text(float(given)) if isinstance(given, int | float | Decimal) else given
    return f"{shown} means nothing here: it should be {said}"


def _assemble(tree: Tree, tags: list[Tag]) -> tuple[Definition, list[str]]:
    assembly = Assembly(tags)
    parts = [part for part in tree.children if isinstance(part, Tree)]
    kinds = [_kind(assembly, part) for part in parts]
    _check_joins(assembly, parts, kinds)
    for index, (part, mark) in enumerate(zip(parts, structure(kinds), strict=True)):
        following = parts[index + 1] if index + 1 < len(parts) else None
        if mark is not None:
            for word in mark.split():  # "but not"
                assembly.marker(word)
            continue
        if kinds[index] == "np_and":  # "golfers and lapsed customers": two noun phrases, both
            assembly.end_noun_phrase()
            continue
        if kinds[index] in ("join", "but"):
            assembly.join()
        elif part.data != "filler":
            assembly.touch(part)
        if part.data in WINDOW_KINDS:
            assembly.window_part(part, None)
        else:
            assembly.part(part, following)
    return assembly.definition(), assembly.notes


JOINS = ("join", "but", "np_and")


def _check_joins(assembly: Assembly, parts: list[Tree], kinds: list[str]) -> None:
    """An "and" or "but" with nothing on one side, or said twice, is no slip to pass over."""
    # a join's words, commas aside ("," alone joins loosely: "golfers,, runners" is no slip)
    said = [
        set(assembly.words(part)) - {","} if kind in JOINS else set()
        for part, kind in zip(parts, kinds, strict=True)
    ]
    for index, words in enumerate(said):
        if not words:
            continue
        before = kinds[index - 1] if index > 0 else "open"
        after = kinds[index + 1] if index + 1 < len(kinds) else "close"
        if before in ("open", "or_", "np_or") or after in ("close", "or_", "np_or"):
            word = "but" if "but" in words else "and"
            example = "golfers but not runners" if word == "but" else "golfers and runners"
            raise AssemblyError(f"'{word}' joins nothing on one side: say both, e.g. '{example}'")
        if index > 0 and said[index - 1]:
            raise AssemblyError("'and' or 'but' twice in a row: say it once, e.g. 'golfers and runners'")


def _kind(assembly: Assembly, part: Tree) -> str:
    """The part's rule name; a filler that only joins what stands beside it ("and", ",") is a
    "join", and one with "but" a "but" (grouping.structure)."""
    if part.data == "negation" and assembly.words(part) != ["not"]:
        return "exclusion"  # "excluding", "except", "other than"
    said = set(assembly.words(part)) if part.data == "filler" else set()
    if not said or not said <= {"and", "but", ","}:
        return part.data
    return "but" if "but" in said else "join"
