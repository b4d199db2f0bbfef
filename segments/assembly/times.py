"""Time windows: which part a time belongs to, and the window it means.

A time attaches to the clause or pending part before it, or waits for the next one ("last month's
buyers"); the bare clauses before a clause share its time ("opened but didn't click in the last
30 days"). A window counts back a span ("in the last 30 days"), names a calendar period ("last
month") or dates it ("since March", "between 2026-01-01 and 2026-02-01", "in 2025"); "since
their latest ..." ties the clause to an event rather than a date.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import cast

from lark import Token, Tree
from pydantic import ValidationError

from segments import presets
from segments.assembly.items import AssemblyError, Clause, Item, Pending
from segments.assembly.preset_parts import NEGATIVE_PRESETS
from segments.assembly.trees import TreeReader, leaves
from segments.definition import (
    FIRST_YEAR,
    LAST_YEAR,
    Calendar,
    Dates,
    DayRef,
    Days,
    LastEmails,
    MonthRef,
    Months,
    Not,
    OlderThan,
    Quarter,
    Rank,
    Span,
    Unit,
    Window,
    is_calendar_name,
)
from segments.definition import Last as LastWindow
from segments.tagger import Tag

WINDOW_KINDS = {
    "last", "ago", "older", "over", "today", "yesterday", "this_period", "last_period", "months",
    "since_month", "before_month", "since_date", "before_date", "until_date", "between_dates", "on_date",
    "month_list", "year",
    "since_year", "before_year", "same",
    "ever", "since_latest", "since_doing", "since_then", "first", "quarter",
}  # fmt: skip
#: Windows that count back a span of time ("in the last 30 days", "over a year ago").
SPANS = frozenset({"last", "first", "ago", "older", "over"})
#: Windows that say when (rather than "ever" or "since their latest ...").
TIMES = WINDOW_KINDS - {"ever", "since_latest", "since_doing", "since_then"}


class Times(TreeReader):
    """The parts of `Assembly` (core.py) that say when, and where a time goes."""

    def on_window(self, tree: Tree[Token], following: Tree[Token] | None) -> None:
        self.window_part(tree, None)

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

    def window_part(self, tree: Tree[Token], target: Clause | Item | None) -> None:
        if target is None:
            last = self.last_clause()
            if (self.negate_next or self.or_next) and last is not None:
                # "bought in the last 30 days but not in the last 7": the same event, negated
                target = self.again(last)
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
            if pending.name in presets.LABELS and pending.name not in presets.TAKES_WINDOW:
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

    def span_of(self, tree: Tree[Token]) -> Span:
        return span(self.words(tree), self.whole(tree), self.tokens(tree, "UNIT")[0].meaning or "day")

    def set_window(self, clause: Clause, tree: Tree[Token]) -> None:
        if tree.data in TIMES:
            if clause.timed:  # "bought in March and last week": which one?
                raise AssemblyError("two times for one event; say one, or 'between March and May'")
            clause.timed = True
        if tree.data == "ever":
            clause.ever = True
        elif tree.data == "since_latest":
            clause.after_latest = self.noun_type(tree) or self.object_event(tree) or clause.type
            clause.presupposed = True
        elif tree.data == "since_doing":  # "since abandoning their cart": the verb says, the noun agrees
            verb, noun = self.verb_type(tree), self.noun_type(tree)
            clause.after_latest = verb or noun or clause.type
            clause.presupposed = True
        elif tree.data == "since_then":  # "haven't bought since": after the event named before
            clause.after_latest, clause.after_where = self.event_before(clause)
        elif tree.data == "over":
            clause.over = self.span_of(tree)
        elif tree.data == "same":
            source = self.last_clause(before=clause)
            clause.window = source.window if source else None
            clause.over = source.over if source else None
        else:
            clause.window = self.window(tree, negated=clause.negated)

    def window(self, tree: Tree[Token], negated: bool) -> Window | None:
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
            return Calendar(period="today" if kind == "today" else "yesterday")
        if kind in ("this_period", "last_period"):
            which, unit = kind.split("_")[0], units[0]
            period = f"{which}_{unit}"  # this_week, last_quarter...
            if not is_calendar_name(period):  # "this day", "last hour"
                raise AssemblyError(f"'{which} {unit}' is not a calendar period Tailor knows")
            return Calendar(period=period)
        if kind in ("since_latest", "since_doing", "since_then", "same"):
            raise AssemblyError(f"{' '.join(self.words(tree))!r}: since what happened?")
        return self.dated_window(tree, kind)

    def dated_window(self, tree: Tree[Token], kind: str) -> Window | None:
        tags = [self.tag(t) for t in leaves(tree)]
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
            return Months(before=refs[0])
        if kind == "quarter":  # "Q3", "Q3 2025"
            years = [int(t.number or 0) for t in tags if t.type == "NUMBER"]
            quarter = int(next(t.meaning for t in tags if t.type == "QUARTER") or 0)
            return Quarter(quarter=quarter, year=_year(years[0]) if years else None)
        dated = [t for t in tags if t.type == "DATE"]
        if any(t.meaning and t.meaning.startswith("--") for t in dated):
            return _days_window(kind, dated)
        dates = [iso_date(t) for t in dated]
        if kind == "since_date":
            return Dates(start=dates[0])
        if kind == "before_date":
            return Dates(end=dates[0])
        if kind in ("between_dates", "until_date"):  # "between A and B", "until B": B included
            return Dates(start=min(dates) if len(dates) > 1 else None, end=_next_day(max(dates)))
        if kind == "on_date":
            return Dates(start=dates[0], end=_next_day(dates[0]))
        if kind in ("year", "since_year", "before_year"):
            year = _year(self.whole(tree)[0])
            first, last = MonthRef(month=1, year=year), MonthRef(month=12, year=year)
            if kind == "since_year":
                return Months(first=first)
            if kind == "before_year":
                return Months(last=MonthRef(month=12, year=year - 1))
            return Months(first=first, last=last)
        if kind == "ever":
            return None
        raise AssemblyError(f"cannot read the time {' '.join(self.words(tree))!r}")


def span(words: list[str], numbers: list[int], unit: str) -> Span:
    n = numbers[0] if numbers else 1
    if unit == "quarter":
        return Span(n=3 * n, unit="month")
    # a UNIT tag's meaning is a value of vocabulary.UNITS, a Unit but for "quarter" (read above)
    return Span(n=n, unit=cast(Unit, unit))


def month_refs(tags: list[Tag]) -> list[MonthRef]:
    """MONTH [year] [MONTH [year]]: a year after a month belongs to it."""
    refs: list[MonthRef] = []
    for tag in tags:
        if tag.type == "MONTH":
            refs.append(MonthRef(month=int(tag.meaning or 0)))
        elif tag.type == "NUMBER" and refs and 1900 < (number := tag.number or 0) < 2200:
            refs[-1] = MonthRef(month=refs[-1].month, year=int(number))
        elif tag.type == "NUMBER" and refs:
            raise AssemblyError(f"a day of the month ({tag.text}): write the date as YYYY-MM-DD")
    if len(refs) == 2 and refs[0].year is None and refs[1].year is not None:
        year = refs[1].year - (refs[0].month > refs[1].month)
        refs[0] = MonthRef(month=refs[0].month, year=year)
    return refs


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise AssemblyError(f"{year} is not a year Tailor reads: say one from {FIRST_YEAR} to {LAST_YEAR}")
    return year


def _days_window(kind: str, dated: list[Tag]) -> Days:
    """Days named without a year ("since feb 28", "on 3 March"): each the most recent such day."""
    if len(dated) > 1 and any(not (t.meaning or "").startswith("--") for t in dated):
        raise AssemblyError("give both dates a year, or neither")
    days = [day_ref(t) for t in dated]
    if kind == "since_date":
        return Days(first=days[0])
    if kind == "before_date":
        return Days(before=days[0])
    if kind in ("between_dates", "until_date"):
        return Days(first=days[0] if len(days) > 1 else None, last=days[-1])
    if kind == "on_date":
        return Days(first=days[0], last=days[0])
    raise AssemblyError(f"cannot read the time {' '.join(t.text for t in dated)!r}")


def day_ref(tag: Tag) -> DayRef:
    month, day = (int(part) for part in (tag.meaning or "--0-0")[2:].split("-"))
    try:
        return DayRef(month=month, day=day)
    except ValidationError:
        raise AssemblyError(f"{tag.text!r} is not a date") from None


def iso_date(tag: Tag) -> date:
    try:
        return date.fromisoformat(tag.meaning or "")
    except ValueError:
        raise AssemblyError(f"{tag.text!r} is not a date") from None


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
