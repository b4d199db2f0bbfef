"""The contact's own parts: who they are, where, what they like, and attributes named outright.

Heads ("customers", "leads", "non-openers"), values before a head ("Berlin golfers"), places,
interests, languages, where they came from and when they signed up, attributes by name ("whose
city is ...", "with a job title"), age, company size, and what they lack ("without a city").
"""

from __future__ import annotations

from lark import Token, Tree

from segments.assembly.amounts import bound, int_or_float
from segments.assembly.events import Events
from segments.assembly.items import AssemblyError, Clause, Pending
from segments.assembly.times import WINDOW_KINDS
from segments.assembly.trees import TreeReader, _child, subtree
from segments.assembly.values import _eq, _field_label, _filter_op, _fits, _names_event_property
from segments.definition import Attribute, Comparison, Condition, EventFilter, Not, Scalar
from segments.lexicon import Sense
from segments.normalize import key
from segments.tagger import Tag

HEAD_ROLES = {
    "lead": ("signup_source",),
    "company": ("industry",),
    "speaker": ("language",),
    "fan": ("interest",),
    # "golf customers" bought golf; "Berlin customers" still live in Berlin
    "customer": ("category", "product"),
}
GENDERS = {"male": "male", "female": "female"}
#: "older than 30", "younger than 25".
AGE_COMPARISONS: dict[str, Comparison] = {"older": "gt", "younger": "lt"}
#: The people a number of staff may be counted in ("companies with 100+ people").
STAFF_HEADS = {"people", "person", "employee", "staff", "worker", "member"}


#: "subscribers" are every contact (segment-semantics.md, Who): said, since many read it as consent.
SUBSCRIBERS_NOTE = (
    "'subscribers' are all contacts, whatever their consent: say 'subscribed' or 'reachable' for "
    "those who can be emailed"
)


class People(Events):
    """The parts of `Assembly` (core.py) said of the contact: its `on_<rule>` and `with_<rule>` readers."""

    def on_head(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        heads = self.tokens(tree, "HEAD")
        kind = (heads[0].meaning or "contact") if heads else "contact"
        non = "non" in self.words(tree)
        if heads and key(heads[0].text) == "subscriber" and SUBSCRIBERS_NOTE not in self.notes:
            self.notes.append(SUBSCRIBERS_NOTE)
        if kind.startswith("event:"):
            self.event_head(kind.removeprefix("event:"), negated=non)
        elif non:
            self.non_head(kind, heads[0])
        elif kind in GENDERS:
            self.add(_eq("gender", [GENDERS[kind]]))
        elif self.head is None or self.head == "contact":
            self.head = kind

    def on_email_head(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        """ "email subscribers", "newsletter recipients": subscribers (consent is not implied)."""
        noun = self.tokens(tree, "NOUN")[0]
        if (noun.meaning or "") != "email":
            raise AssemblyError(f"{noun.text!r} before people: say what they did, e.g. 'who bought ...'")
        self.on_head(Tree("head", [c for c in tree.children if c is not tree.children[0]]), following)

    def on_at_head(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
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

    def on_values(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
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
            filters.append(EventFilter(field=sense.field, op=_filter_op(sense.field), values=[sense.value]))
        self.carried.extend(filters)
        return True

    def on_place(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
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

    def on_outside(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.negate_next = not self.negate_next
        self.add(self.value_condition(self.tokens(tree, "VALUE"), "place", conj=self.conjunction(tree)))

    def on_interest(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        tags = self.tokens(tree, "VALUE")
        values = [s for tag in tags for s in self.alike(tag, self.sense(tag, "interest"))]
        interests = [Sense("interest", s.value) for s in values]
        self.add(self.senses_condition(interests, self.conjunction(tree)))

    def on_speaks(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.negate_next = self.negate_next != self.negated(tree)  # "who don't speak English"
        self.add(self.value_condition(self.tokens(tree, "VALUE"), "language"))

    def on_origin(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.add(self.source_condition(self.tokens(tree, "VALUE")))

    def source_condition(self, values: list[Tag]) -> Condition:
        """ "came from Google": the signup source; "signed up on mobile": the contact's own device."""
        role = "source" if all(_fits(tag, "source") for tag in values) else "adjective"
        return self.value_condition(values, role)

    def on_signup(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        values = self.tokens(tree, "VALUE")
        if values:
            self.add(self.source_condition(values))
        windows = [child for child in tree.children if isinstance(child, Tree) and child.data in WINDOW_KINDS]
        item = self.add(Pending(lambda window: Attribute(field="signed_up_at", op="present", window=window)))
        item.negated = item.negated or any(isinstance(c, Tree) and c.data == "neg" for c in tree.children)
        for window in windows:
            self.window_part(window, item)

    def on_field_value(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        named = self.field_sense(tree)
        assert named is not None
        self.add(self.named_values(self.tokens(tree, "VALUE"), named, self.conjunction(tree)))

    def on_field_compare(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        named = self.numeric_field(tree)
        op = bound(self.words(tree), default="eq")
        self.add(Attribute(field=named.value, op=op, value=int_or_float(self.numbers(tree)[0]),
                           custom=named.field == "property"))  # fmt: skip

    def on_field_range(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        named = self.numeric_field(tree)
        values: list[Scalar] = sorted(int_or_float(n) for n in self.numbers(tree))
        self.add(Attribute(field=named.value, op="between", values=values, custom=named.field == "property"))

    def on_field_contains(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        named = self.field_sense(tree)
        assert named is not None
        values: list[Scalar] = []
        for tag in self.tokens(tree, "VALUE"):
            try:
                values.append(self.named_field(tag, named).value)
            except AssemblyError:
                values.append(tag.text)
        self.add(Attribute(field=named.value, op="contains", values=values, custom=named.field == "property"))

    def on_field_empty(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        named = self.field_sense(tree)
        assert named is not None
        self.add(Attribute(field=named.value, op="empty", custom=named.field == "property"))

    def numeric_field(self, tree: Tree[Token]) -> Sense:
        named = self.field_sense(tree)
        assert named is not None
        if named.field == "field" and named.value != "company_size":
            raise AssemblyError(f"{_field_label(named)} is not a number to compare")
        return named

    def on_age(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        words, numbers = self.words(tree), self.whole(tree)
        if "s" in words and "their" in words:
            self.add(Attribute(field="age", op="between", values=[numbers[0], numbers[0] + 9]))
        elif len(numbers) == 2:
            self.add(Attribute(field="age", op="between", values=sorted(numbers)))
        elif words[0] in AGE_COMPARISONS:
            self.add(Attribute(field="age", op=AGE_COMPARISONS[words[0]], value=numbers[0]))
        else:
            self.add(Attribute(field="age", op=bound(words, default="eq"), value=numbers[0]))

    def on_bare_age(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        """ "women between 30 and 40": after a person, two small numbers are ages."""
        numbers = sorted(self.whole(tree))
        if numbers[-1] > 120 or self.head == "company":
            raise AssemblyError(f"between {numbers[0]} and {numbers[1]} what? Say 'aged' or 'employees'")
        self.add(Attribute(field="age", op="between", values=list(numbers)))

    def on_size(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.with_employees(tree)

    def with_employees(self, tree: Tree[Token]) -> None:
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

    def with_with_value(self, tree: Tree[Token]) -> None:
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

    def with_with_field(self, tree: Tree[Token]) -> None:
        named = self.field_sense(tree)
        assert named is not None
        self.add(Attribute(field=named.value, op="present", custom=named.field == "property"))

    def on_without_part(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
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
                    self.window_part(subtree(child, 0), None)
            return
        clause = Clause(type=(events[0] if events else None) or self.event_type(tree), negated=True)
        self.add(clause)
        self.modifiers(tree, clause)

    def lacked_attribute(self, tree: Tree[Token]) -> Condition | None:
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


def _event_head(assembly: TreeReader, following: Tree[Token] | None) -> str | None:
    """The event a following head names ("attendees": webinar_attended), if it names one."""
    if following is None or following.data != "head":
        return None
    heads = assembly.tokens(following, "HEAD")
    meaning = (heads[0].meaning or "") if heads else ""
    return meaning.removeprefix("event:") if meaning.startswith("event:") else None


def _consent(tags: list[Tag]) -> bool:
    return all(any(s.field == "email_consent" for s in tag.senses) for tag in tags)
