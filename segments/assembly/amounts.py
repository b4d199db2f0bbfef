"""Amounts and comparisons: money spent, top shares, counts of events, and their bounds.

"over $500", "$100 to $300", "at least 3 times", "500 or more", "top 10% by spend": the words that
compare (`COMPARISONS`, `OR_MORE`, `OR_LESS`) and the numbers they bound are read the same way
wherever they are said.
"""

from __future__ import annotations

from lark import Token, Tree

from segments.assembly.items import AssemblyError, Pending
from segments.assembly.times import WINDOW_KINDS
from segments.assembly.trees import _child
from segments.assembly.values import Values, _fits
from segments.currencies import NoRate
from segments.definition import (
    Aggregate,
    AggregateFn,
    Comparison,
    Condition,
    Count,
    EventFilter,
    Rank,
    RankMeasure,
    Window,
    all_of,
    conjoin,
    decimal,
)

COMPARISONS: dict[str, Comparison] = {
    "at least": "ge", "minimum": "ge", "min": "ge", "more than": "gt", "over": "gt", "above": "gt",
    "greater than": "gt", "at most": "le", "no more than": "le", "not more than": "le", "up to": "le",
    "maximum": "le", "max": "le", "under": "lt", "below": "lt", "less than": "lt", "fewer than": "lt",
    "exactly": "eq", "larger than": "gt", "bigger than": "gt", "higher than": "gt", "smaller than": "lt",
    "lower than": "lt", "greater than or equal to": "ge", "less than or equal to": "le", "no less than": "ge",
    "no fewer than": "ge", "not less than": "ge", "not fewer than": "ge",
    "in excess of": "gt", "upwards of": "gt", "north of": "gt",
}  # fmt: skip
#: Bounds written after the number: "500 or more", "65 and older", "10 or fewer".
OR_MORE = ("or more", "plus", "and up", "or above", "and above", "or over", "and over", "or older",
           "and older")  # fmt: skip
OR_LESS = ("or fewer", "or less", "and under", "or under", "and below", "or below", "or younger",
           "and younger")  # fmt: skip


class Amounts(Values):
    """The parts of `Assembly` (core.py) that say how much or how many."""

    def on_rank(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        for head in self.tokens(tree, "HEAD"):
            if head.meaning not in ("customer", "contact"):
                # "top 10% of women": of all purchasers, or among women? A ranking has no group yet.
                raise AssemblyError(f"a top share ranks all purchasers, not only {head.text}")
        measure = next((c for c in tree.children if isinstance(c, Tree) and c.data == "rank_measure"), None)
        by: RankMeasure = "spend"
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
        self.add(Rank(by=by, percent=decimal(self.numbers(tree)[0])))

    def on_spend(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        texts = set(self.texts(tree))
        per_order = {"per", "an", "a", "each"} & texts and {"order", "purchase", "transaction"} & texts
        fn: AggregateFn = "avg" if "average" in texts or per_order else "sum"
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

    def amount_bounds(self, tree: Tree[Token] | None, default: Comparison) -> list[tuple[Comparison, float]]:
        """ "over $500" -> [(gt, 500)], "$100 to $300" -> [(ge, 100), (le, 300)]."""
        if tree is None:
            raise AssemblyError("how much? Say 'more than $500'")
        numbers = self.in_store_currency(tree, self.numbers(tree))
        if len(numbers) == 2:
            low, high = sorted(numbers)
            return [("ge", low), ("le", high)]
        return [(bound(self.words(tree), default), numbers[0])]

    def in_store_currency(self, tree: Tree[Token], numbers: list[float]) -> list[float]:
        """The amounts of `tree` in the store's currency, from the one its money words name."""
        codes = {self.money.code(tag.text) for tag in self.tokens(tree, "MONEY")} - {None}
        if len(codes) > 1:
            raise AssemblyError(f"one currency per amount, please: {' or '.join(sorted(map(str, codes)))}?")
        code = next(iter(codes), None)
        converted = []
        for number in numbers:
            try:
                value, note = self.money.convert(number, code)
            except NoRate as error:
                raise AssemblyError(str(error)) from None
            converted.append(value)
            if note:
                self.notes.append(note)
        return converted

    def with_measure(self, tree: Tree[Token]) -> None:
        texts = set(self.texts(_child(tree, "measure") or tree))
        fn: AggregateFn = (
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

    def amount_filter(self, tree: Tree[Token]) -> tuple[Comparison, float]:
        op = comparison(self.words(tree), default="ge")
        if op == "ge" and not {"least", "minimum", "min"} & set(self.words(tree)):
            self.notes.append(f"read '{' '.join(self.texts(tree))}' as at least that amount")
        return op, self.in_store_currency(tree, self.numbers(tree))[0]

    def on_count(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        target = self.last_clause()
        if target is None:
            raise AssemblyError(f"{' '.join(self.words(tree))!r}: how often what?")
        target.count = self.count(tree)

    def count(self, tree: Tree[Token], only: bool = False) -> Count:
        words, numbers = self.words(tree), self.whole(tree)
        many = {"multiple", "several", "many", "repeatedly"} & set(words)
        n = numbers[0] if numbers else (2 if "twice" in words or many else 1)
        if ("more" in words and "or" in words) or "plus" in words or many:
            return Count(op="ge", n=n)
        if only or {"only", "just"} & set(words):  # "only bought once": exactly
            return Count(op="eq", n=n)
        op = comparison(words, default=_bare(n))
        if op == "ge" and words[:1] != ["at"]:
            self.notes.append(f"read '{' '.join(self.said(tree))}' as at least {n} times")
        return Count(op=op, n=n)

    def quantity(self, tree: Tree[Token]) -> Count:
        words, numbers = self.words(tree), self.whole(tree)
        if "single" in words:  # "a single order": exactly one (segment-semantics.md, Values)
            return Count(op="eq", n=1)
        if not numbers:  # several, multiple, many, a few
            return Count(op="ge", n=2)
        n = numbers[0]
        if {"only", "just"} & set(words):  # "with only one order"
            return Count(op="eq", n=n)
        if "or" in words and ("fewer" in words or "less" in words):
            return Count(op="le", n=n)
        if "plus" in words or ("more" in words and "or" in words):
            return Count(op="ge", n=n)
        return Count(op=comparison(words, default=_bare(n)), n=n)


def _bare(n: int) -> Comparison:
    """A count said without a comparison: "3 orders" is at least 3, and "0 orders" none (at
    least 0 would be every contact)."""
    return "eq" if n == 0 else "ge"


def comparison(words: list[str], default: Comparison = "eq") -> Comparison:
    text = " ".join(words)
    for phrase, op in sorted(COMPARISONS.items(), key=lambda kv: -len(kv[0])):
        if phrase in text:
            return op
    return default


def bound(words: list[str], default: Comparison = "eq") -> Comparison:
    """A comparison before the number, or a bound after it ("500 or more", "30 and older")."""
    text = " ".join(words)
    if any(phrase in text for phrase in OR_MORE):
        return "ge"
    if any(phrase in text for phrase in OR_LESS):
        return "le"
    return comparison(words, default)


def int_or_float(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _aggregates(
    fn: AggregateFn, bounds: list[tuple[Comparison, float]], window: Window | None, where: list[EventFilter]
) -> Condition:
    return all_of(
        *(Aggregate(fn=fn, op=op, value=decimal(value), window=window, where=where) for op, value in bounds)
    )
