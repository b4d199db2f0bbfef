"""Event clauses: what the contacts did, to what, how often, and when they last did it.

A verb and its object make a `Clause` ("bought golf products", "opened the Black Friday email"):
the event from the verb or the nouns, the object's values as the event's filters (or, "purchased
on desktop", the contact's own), its modifiers (counts, amounts, campaigns, topics, times). An
elided verb repeats the clause before ("opened but never clicked"); "whose last purchase was ..."
reads the latest event; "since" after a clause finds the event named before it.
"""

from __future__ import annotations

from lark import Token, Tree

from segments.assembly.amounts import Amounts
from segments.assembly.items import ENGAGEMENT, AssemblyError, Clause, Item, Pending
from segments.assembly.preset_parts import PRESET_EVENTS, PresetParts
from segments.assembly.times import WINDOW_KINDS, Times
from segments.assembly.trees import _child, subtree
from segments.assembly.values import _fits
from segments.definition import (
    Calendar,
    CalendarName,
    Condition,
    EmailAction,
    Event,
    EventFilter,
    LastEmails,
    MonthRef,
    Months,
    Not,
    OlderThan,
    Window,
    all_of,
)
from segments.definition import Last as LastWindow
from segments.suggestions import PRODUCT_EVENTS

#: A calendar period, and the one right after it: "whose last order was last month" has none since.
FOLLOWING_PERIOD: dict[CalendarName, CalendarName] = {
    "yesterday": "today", "last_week": "this_week", "last_month": "this_month", "last_year": "this_year"
}  # fmt: skip


class Events(Amounts, Times, PresetParts):
    """The parts of `Assembly` (core.py) that say what the contacts did."""

    def on_clause(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        clause = self.clause(tree, previous=None)
        item = self.add(clause)
        only, self.only_next = "only" in self.words(tree) or self.only_next, False
        self.modifiers(tree, clause, only=only)
        if only and clause.count is None:  # "only (ever) bought golf": nothing but golf
            if not clause.where or clause.negated or clause.amount is not None:
                raise AssemblyError(
                    f"'only' {' '.join(self.said(tree))}: only what? Say e.g. 'only bought golf'"
                )
            clause.exclusive = True
        self.share_window(clause)
        self.distribute_negation(tree, item)
        self.restating_preset(item)

    def on_we_clause(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        """ "people we emailed last week": what we did to them is what they received."""
        if self.verb_type(tree) != "email_sent":
            raise AssemblyError("say what the contacts did, e.g. 'who opened' or 'who received'")
        self.on_clause(tree, following)

    def on_elided_or(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.on_elided_clause(tree, following)

    def on_elided_clause(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
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
                    self.window_part(subtree(child, 0), None)
            return
        item = self.add(clause)
        item.alternative = item.alternative or "or" in [w for w in self.words(tree)[:1]]
        self.modifiers(tree, clause)

    def on_last_did(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
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

    def on_last_event(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        """ "whose last purchase was more than 3 months ago"."""
        kind = self.event_type(tree)
        window = next((w for w in _windows(tree)), None)
        if window is None:
            raise AssemblyError("when was it? Say e.g. 'whose last purchase was over 90 days ago'")
        self.add(self.latest_event(kind, window))

    def latest_event(self, kind: str, tree: Tree[Token]) -> Condition:
        """The contact's latest such event fell in the window: one in it, and none after it."""
        window = self.window(tree, negated=False)
        match window:
            case OlderThan(span=span):
                return all_of(Event(type=kind), Not(of=Event(type=kind, window=LastWindow(span=span))))
            case LastWindow():
                return Event(type=kind, window=window)
            case Calendar(period=period) if period in FOLLOWING_PERIOD:
                return _none_after(kind, window, Calendar(period=FOLLOWING_PERIOD[period]))
            case Calendar():
                return Event(type=kind, window=window)
            case Months(last=MonthRef() as last):
                return _none_after(kind, window, Months(after=last))
        raise AssemblyError(f"cannot read when the last {kind.replace('_', ' ')} was")

    def on_no_event(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.with_no_event(tree)

    def with_event_count(self, tree: Tree[Token], goods: bool = False) -> None:
        quantity = _child(tree, "quantity")
        clause = Clause(type=self.event_type(tree), count=self.quantity(quantity) if quantity else None)
        self.add(clause)
        if goods:  # the value before the noun is what the events were of: "2+ running orders"
            tags = [self.tag(t) for t in tree.children if isinstance(t, Token) and t.type == "VALUE"]
            if clause.type not in PRODUCT_EVENTS or not all(_fits(tag, "purchase") for tag in tags):
                raise AssemblyError(f"'{' '.join(self.said(tree))}': say what the events were of, e.g. "
                                    "'3+ orders of running gear'")  # fmt: skip
            shared, each = self.event_filters(tags, "purchase", "")
            clause.where.extend(shared)
            clause.each.extend(each)
            clause.bare = False
        self.modifiers(tree, clause)

    def with_no_event(self, tree: Tree[Token]) -> None:
        clause = Clause(type=self.event_type(tree), negated=True)
        self.add(clause)
        self.modifiers(tree, clause)

    def on_last_emails(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        verb = self.verb_type(tree)
        numbers = self.whole(tree)
        nouns = self.tokens(tree, "NOUN") + self.tokens(tree, "VN")
        if verb not in ("email_opened", "email_clicked") or any(
            (tag.meaning or "").split("|")[-1] != "email" for tag in nouns
        ):
            said = " ".join(self.said(tree))
            raise AssemblyError(
                f"'{said}': Tailor reads the last emails opened or clicked, e.g. 'opened their last 3 emails'"
            )
        action: EmailAction = "clicked" if verb == "email_clicked" else "opened"
        if self.negated(tree):
            # "didn't open their last 3 emails": none of them, or not all? Ask rather than guess.
            raise AssemblyError(
                "Tailor can read 'opened their last 3 emails' (all of them), not its negation yet",
                ["contacts who opened their last 3 emails", "contacts with no opens in the last 30 days"],
            )
        self.add(LastEmails(n=numbers[0] if numbers else 1, action=action))

    def distribute_negation(self, tree: Tree[Token], item: Item) -> None:
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

    def event_type(self, tree: Tree[Token]) -> str:
        """ "3 abandoned carts", "no email opens", "a purchase": the verb's event, else the nouns'
        (not those of a time after them: "no purchases since abandoning their cart")."""
        said = [c for c in tree.children if not (isinstance(c, Tree) and c.data == "modifier")]
        own = Tree(tree.data, said)
        verbs = [(t.meaning or "").split("|")[0] for t in self.tokens(own, "VERB")]
        return next((v for v in verbs if v), None) or self.noun_type(own) or "purchase"

    def clause(self, tree: Tree[Token], previous: Clause | None) -> Clause:
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

    def read_object(self, obj: Tree[Token], clause: Clause, previous: Clause | None) -> None:
        if obj.data == "pronoun":  # "it", "one", "any": the thing of the clause before, in its time
            source = previous or self.last_clause(before=clause)
            named = set(self.said(obj)) & {"it", "them", "those", "these"}
            if source is None and named:  # "people who opened it": it refers to nothing said
                word = sorted(named)[0]
                raise AssemblyError(
                    f"'{word}' refers to nothing said before: name it, e.g. 'opened the Black Friday email'"
                )
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
            clause.extra.append(self.value_condition(values, "place", conj=self.conjunction(obj)))
            return
        if values:
            shared, each = self.event_filters(values, role, self.conjunction(obj))
            clause.where.extend(shared)
            clause.each.extend(each)

    def modifiers(self, tree: Tree[Token], clause: Clause, only: bool = False) -> None:
        for child in tree.children:
            if not isinstance(child, Tree) or child.data != "modifier":
                continue
            inner = subtree(child, 0)
            if inner.data == "count":
                clause.count = self.count(inner, only=only)
            elif inner.data == "amount_filter":
                clause.amount = self.amount_filter(inner)
            elif inner.data in ("about", "via_campaign", "in_category"):
                role = {"about": "about", "via_campaign": "email", "in_category": "purchase"}[inner.data]
                if inner.data == "via_campaign" and clause.type in PRODUCT_EVENTS:
                    role = "purchase"  # "2+ orders of running gear": the goods first, then a campaign
                tags = self.tokens(inner, "VALUE")
                if not all(_fits(tag, role) for tag in tags) and all(_fits(tag, "place") for tag in tags):
                    # "bought golf in Germany": the contact's place, not the event's campaign
                    place = "from" if self.words(inner)[0] == "from" else "place"
                    clause.extra.append(self.value_condition(tags, place, conj=self.conjunction(inner)))
                    continue
                shared, each = self.event_filters(tags, role, self.conjunction(inner))
                clause.where.extend(shared)
                clause.each.extend(each)
                clause.bare = False
            else:
                self.window_part(inner, clause)

    def event_before(self, clause: Clause) -> tuple[str, list[EventFilter]]:
        """The event named before the clause, with its properties (the latest *such* event,
        segment-semantics.md): an earlier clause's, or a preset's own."""
        for item in reversed(self.items):
            thing = item.thing
            if isinstance(thing, Clause) and thing is not clause:
                return thing.type, list(thing.where)
            if isinstance(thing, Pending) and thing.name in PRESET_EVENTS:
                return PRESET_EVENTS[thing.name or ""], []
        raise AssemblyError("since what? Say e.g. 'since their last abandoned cart'")


def _is_modifier(node: Tree[Token] | Token, but: Tree[Token]) -> bool:
    return isinstance(node, Tree) and node.data == "modifier" and node.children[0] is not but


def _windows(tree: Tree[Token]) -> list[Tree[Token]]:
    return [t for t in tree.iter_subtrees_topdown() if t.data in WINDOW_KINDS]


def _none_after(kind: str, window: Window, after: Window) -> Condition:
    """One such event in the window, and none in the time after it: the latest fell in the window."""
    return all_of(Event(type=kind, window=window), Not(of=Event(type=kind, window=after)))
