"""Presets said in a phrase: "VIPs", "lapsed customers", "repeat buyers", "active subscribers".

`segments.presets` spells a preset out once its window is known, so a preset is added as a
`Pending`. Some need a word more: "repeat" and "one-time" are counts of orders; "active" before
"subscribers" is about emails; a clause that restates what the preset says ("browsers who haven't
purchased") is folded into it. Which presets read a time as "none in it" and which event each one
is about are kept here for the time windows that ask (times.py, events.py).
"""

from __future__ import annotations

from lark import Token, Tree

from segments import presets
from segments.assembly.items import ENGAGEMENT_TYPES, AssemblyError, Clause, Item, Pending
from segments.assembly.trees import TreeReader
from segments.definition import AnyOf, Condition, Count, Event, Window
from segments.definition import Last as LastWindow
from segments.normalize import key

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


#: Presets by the words that are their own names, and what any other word for them is read as.
SYNONYMS = {
    "lapsed": ({"lapsed"}, "lapsed customers (bought before, not in the last 90 days)"),
    "repeat": ({"repeat"}, "repeat buyers (two or more orders)"),
    "one_time": ({"one time", "1 time"}, "one-time buyers (exactly one order)"),
    "reachable": ({"reachable"}, "reachable (subscribed, and neither complained nor bounced twice)"),
}


def _expanded(name: str, window: Window | None) -> Condition:
    try:
        return presets.expand(name, window)
    except ValueError as error:
        raise AssemblyError(str(error)) from None


class PresetParts(TreeReader):
    """The parts of `Assembly` (core.py) that name a preset."""

    def with_with_preset(self, tree: Tree[Token]) -> None:
        name = self.tokens(tree, "PRESET")[0].meaning or ""
        if name in ORDER_COUNTS:  # "repeat customers": buyers with two or more orders
            self.preset_synonym(name, self.tokens(tree, "PRESET")[0].text)
            self.add(Clause(type="purchase", count=ORDER_COUNTS[name], bare=False))
            return
        self.preset_synonym(name, self.tokens(tree, "PRESET")[0].text)
        self.add(Pending(lambda window: _expanded(name, window), name=name))

    def preset_synonym(self, name: str, said: str) -> None:
        """ "loyal customers": said so that the marketer sees which built-in segment it stands for."""
        if name in SYNONYMS and said not in SYNONYMS[name][0]:
            self.notes.append(f"read '{said}' as {SYNONYMS[name][1]}")

    def on_preset(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        name = self.tokens(tree, "PRESET")[0].meaning
        heads = self.tokens(following, "HEAD") if following is not None and following.data == "head" else []
        if name == "active" and heads and key(heads[0].text) in EMAIL_HEADS:
            # "active subscribers": the opposite of "inactive subscribers", not "active buyers"
            self.add(Pending(_emailed_recently, name="active_subscribers"))
            return
        self.with_with_preset(tree)

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


def _emailed_recently(window: Window | None) -> Condition:
    """An open or a click in the window (the "inactive" preset's, 60 days by default)."""
    window = window or presets.days(presets.DEFAULT_DAYS["inactive"])
    return AnyOf(of=[Event(type=kind, window=window) for kind in ENGAGEMENT_TYPES])
