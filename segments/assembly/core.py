"""The whole assembly: runs of parts, the words between them, and `assemble`.

`Assembly` is made of the readers in the sibling modules on top of its state (state.py: the
current run's items, a "not" or an "or" still to apply, times and event words said early), one
`on_<rule>` method per grammar rule, found by name in `part`. Here a run is closed into one
condition, the runs and the structure words between them are combined (`grouping`), and
`assemble` turns a parse tree into a definition: the joins are checked first, and a definition's
bounds are put in the user's words.
"""

from __future__ import annotations

from decimal import Decimal

from lark import Token, Tree
from pydantic import ValidationError

from segments import presets
from segments.assembly.amounts import Amounts
from segments.assembly.events import Events
from segments.assembly.items import AssemblyError, Clause, Pending
from segments.assembly.people import People
from segments.assembly.preset_parts import PresetParts
from segments.assembly.times import WINDOW_KINDS, Times
from segments.assembly.trees import TreeReader, leaves, position, subtree
from segments.assembly.values import Values
from segments.currencies import PhraseMoney
from segments.definition import (
    Aggregate,
    All,
    Attribute,
    Condition,
    Definition,
    Event,
    Not,
    Rank,
    Scalar,
    conjoin,
)
from segments.grouping import GroupingError, Run, combine, structure
from segments.grouping import either as any_of
from segments.normalize import number_text
from segments.tagger import Tag


class Assembly(People, Events, Amounts, Values, Times, PresetParts, TreeReader):
    """Reads one parse tree into a definition: the state, and the readers of every part (the bases)."""

    def part(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        handler = getattr(self, f"on_{tree.data}", None)
        if handler is None:
            raise AssemblyError(f"cannot read {' '.join(self.words(tree))!r} yet")
        handler(tree, following)

    def on_filler(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        if "only" in self.words(tree) and following is not None and following.data == "clause":
            self.only_next = True

    def on_negation(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.negate_next = not self.negate_next  # "not not in Germany": in Germany

    def on_or_(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.or_next = True

    def on_with_part(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        what = subtree(tree, -1)
        getattr(self, f"with_{what.data}")(what)

    def on_bare_count(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.with_event_count(tree)  # "3+ orders": "with 3+ orders" without its "with"

    def on_bare_goods_count(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.with_event_count(tree, goods=True)  # "2+ running orders": orders in running

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

    def touch(self, part: Tree[Token]) -> None:
        positions = [position(t) for t in leaves(part)]
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
            thing = item.thing
            condition = thing.condition() if isinstance(thing, Clause | Pending) else thing
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
    if not (isinstance(first, Attribute) and isinstance(second, Attribute) and _same_field(first, second)):
        return any_of(first, second)
    return Attribute(field=first.field, op="in", values=_listed(first) + _listed(second), custom=first.custom)


def _same_field(first: Attribute, second: Attribute) -> bool:
    """Both say which values one field holds."""
    return (
        first.field == second.field
        and first.custom == second.custom
        and {first.op, second.op} <= {"eq", "in"}
    )


def _listed(attribute: Attribute) -> list[Scalar]:
    """The values an "eq" or an "in" attribute matches."""
    if attribute.op != "eq":
        return list(attribute.values)
    assert attribute.value is not None  # an "eq" always has its value (values._eq)
    return [attribute.value]


def _about_purchases(condition: Condition) -> bool:
    """A positive purchase condition of the phrase's own, which "customers" then leaves alone. A
    count that a contact with no purchase passes ("customers with at most 2 orders") says nothing
    of the kind: the customers are still the buyers among them."""
    match condition:
        case Event(type="purchase", count=count):
            return not count.admits_zero()
        case Aggregate(type="purchase"):
            return True
        case Rank():
            return True
        case All(of=parts) if parts:
            return (
                condition.label in presets.LABELS.values() and any(_about_purchases(p) for p in parts)
            ) or any(_about_purchases(p) for p in parts)
    return False


def assemble(
    tree: Tree[Token], tags: list[Tag], money: PhraseMoney | None = None
) -> tuple[Definition, list[str]]:
    """The definition the tree means, its amounts in `money`'s currency; a number or a date past
    a definition's bounds is an AssemblyError in the user's words."""
    try:
        return _assemble(tree, tags, money)
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


def _assemble(tree: Tree[Token], tags: list[Tag], money: PhraseMoney | None) -> tuple[Definition, list[str]]:
    assembly = Assembly(tags, money)
    parts = [part for part in tree.children if isinstance(part, Tree)]
    kinds = [_kind(assembly, part) for part in parts]
    _check_joins(assembly, parts, kinds)
    assembly.consumed.clear()  # the words looked at to tell the parts apart are not yet read
    for index, (part, mark) in enumerate(zip(parts, structure(kinds), strict=True)):
        following = parts[index + 1] if index + 1 < len(parts) else None
        structural = mark is not None or kinds[index] in JOINS or part.data in STRUCTURE
        assembly.consume(part, keywords_only=not structural)
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
    definition = assembly.definition()
    _check_read(assembly)
    return definition, assembly.notes


#: Parts whose words are structure, read by their place: fillers are the grammar's glue words.
STRUCTURE = {"filler", "negation", "or_", "open", "close", "np_or", "np_not", "np_and"}


def _check_read(assembly: Assembly) -> None:
    """Every word of the phrase was read by some part of the assembly, or the phrase is refused:
    a word passed over would be a narrower or wider segment than the one asked for."""
    unread = [tag for index, tag in enumerate(assembly.tags) if index not in assembly.consumed]
    if unread:
        words = " ".join(tag.text for tag in unread)
        raise AssemblyError(f"I would pass over {words!r} here: say it another way")


JOINS = ("join", "but", "np_and")


def _check_joins(assembly: Assembly, parts: list[Tree[Token]], kinds: list[str]) -> None:
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


def _kind(assembly: Assembly, part: Tree[Token]) -> str:
    """The part's rule name; a filler that only joins what stands beside it ("and", ",") is a
    "join", and one with "but" a "but" (grouping.structure)."""
    if part.data == "negation" and assembly.words(part) != ["not"]:
        return "exclusion"  # "excluding", "except", "other than"
    said = set(assembly.words(part)) if part.data == "filler" else set()
    if not said or not said <= {"and", "but", ","}:
        return part.data
    return "but" if "but" in said else "join"
