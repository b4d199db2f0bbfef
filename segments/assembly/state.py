"""What `Assembly` holds while it reads: the current run's items and the words said ahead of theirs.

Every reader of the package builds on `State`: it adds a part to the run (`add`) and finds the
clause before (`last_clause`). The two readers that `add` and the times need from modules built on
top of this one are declared here and written there: a window is put on its part in times.py, and
the event a "since" refers to is found in events.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from lark import Token, Tree

from segments.assembly.items import Clause, Item, Pending
from segments.currencies import PhraseMoney
from segments.definition import Condition, EventFilter
from segments.grouping import Piece
from segments.tagger import Tag


class State(ABC):
    """The state of `Assembly` (core.py): what is being read, and what was said early."""

    def __init__(self, tags: list[Tag], money: PhraseMoney | None = None) -> None:
        self.tags = tags
        #: The store's currency, which amounts said in another are converted into.
        self.money = money or PhraseMoney()
        #: Positions of the tags a reader looked at: the rest were passed over (`unread`).
        self.consumed: set[int] = set()
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
        #: "who only ever bought golf": an "only" read as a filler before the clause it belongs to.
        self.only_next = False
        #: Windows said before anything that happens ("last month's buyers").
        self.early_windows: list[Tree[Token]] = []
        #: Event properties said before the event ("Black Friday openers").
        self.carried: list[EventFilter] = []

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

    def last_clause(self, before: Clause | None = None) -> Clause | None:
        for item in reversed(self.items):
            if isinstance(item.thing, Clause) and item.thing is not before:
                return item.thing
        return None

    @abstractmethod
    def window_part(self, tree: Tree[Token], target: Clause | Item | None) -> None:
        """The time `tree` says, put on the part it belongs to (times.Times)."""

    @abstractmethod
    def event_before(self, clause: Clause) -> tuple[str, list[EventFilter]]:
        """The event named before the clause, for a "since" (events.Events)."""
