"""Time windows resolved to UTC bounds, relative to `as_of` (segment-semantics.md, "Time").

Calendar periods (today, last month, in March) start at midnight in the workspace's time
zone; spans (the last 30 days) count back from the instant `as_of`. Months are calendar
months of the workspace's calendar: "the last 3 months" from 31 May starts on 28 (or 29)
February, the last day that month has.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from segments.definition import (
    Calendar,
    Dates,
    DayRef,
    Days,
    Last,
    MonthRef,
    Months,
    OlderThan,
    Quarter,
    Span,
    Window,
)

FIXED_UNITS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


@dataclass(frozen=True)
class Bounds:
    """`start < t` (or `<=` when `start_inclusive`) and `t < end` (or `<=` when `end_inclusive`)."""

    start: datetime | None = None
    end: datetime | None = None
    start_inclusive: bool = True
    end_inclusive: bool = False

    def contains(self, moment: datetime) -> bool:
        if self.start is not None and (
            moment < self.start or (moment == self.start and not self.start_inclusive)
        ):
            return False
        return self.end is None or moment < self.end or (moment == self.end and self.end_inclusive)


def back(moment: datetime, span: Span) -> datetime:
    """`moment` moved back by `span`; months and years by the calendar, the day clamped to the month."""
    if span.unit in FIXED_UNITS:
        return moment - span.n * FIXED_UNITS[span.unit]
    months = span.n * (12 if span.unit == "year" else 1)
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def resolve(window: Window, as_of: datetime, zone: tzinfo = UTC) -> Bounds:
    """The UTC bounds of `window` at `as_of` (an aware datetime)."""
    as_of = as_of.astimezone(UTC)
    match window:
        case Last(span=span):
            return Bounds(_span_start(as_of, span, zone), as_of, start_inclusive=False, end_inclusive=True)
        case OlderThan(span=span):
            return Bounds(end=_span_start(as_of, span, zone))
        case Calendar(period=period):
            return _calendar(period, as_of.astimezone(zone).date(), as_of, zone)
        case Months(before=MonthRef() as before):
            return Bounds(end=midnight(month_start(before, as_of.astimezone(zone).date()), zone))
        case Months(after=MonthRef() as after):
            ended = _next_month(month_start(after, as_of.astimezone(zone).date()))
            return Bounds(midnight(ended, zone), as_of, end_inclusive=True)
        case Months(first=first, last=last):
            today = as_of.astimezone(zone).date()
            last_start = month_start(last, today) if last else today.replace(day=1)
            end = midnight(_next_month(last_start), zone) if last else as_of
            start = midnight(month_start(first, last_start), zone) if first else None
            return Bounds(start, end, end_inclusive=last is None)
        case Days(first=first, last=last, before=before):
            today = as_of.astimezone(zone).date()
            ending = last or before
            end_day = day_on_or_before(ending, today) if ending else None
            if end_day is None:
                end, inclusive = as_of, True
            else:
                end, inclusive = midnight(end_day + timedelta(days=1) if last else end_day, zone), False
            start = midnight(day_on_or_before(first, end_day or today), zone) if first else None
            return Bounds(start, end, end_inclusive=inclusive)
        case Quarter(quarter=quarter, year=year):
            first_day = quarter_start(quarter, year, as_of.astimezone(zone).date())
            return Bounds(midnight(first_day, zone), midnight(_next_quarter(first_day), zone))
        case Dates(start=start, end=end):
            return Bounds(start and midnight(start, zone), end and midnight(end, zone))
    raise TypeError(f"not a window: {window!r}")


def month_start(ref: MonthRef, today: date) -> date:
    """The first day of the month `ref` names: its own year, or the most recent one begun by `today`."""
    if ref.year is not None:
        return date(ref.year, ref.month, 1)
    year = today.year if ref.month <= today.month else today.year - 1
    return date(year, ref.month, 1)


def day_on_or_before(ref: DayRef, today: date) -> date:
    """The most recent date that is `ref`'s day and month, on or before `today` (29 February: the
    latest leap year's)."""
    year = today.year
    while True:
        if ref.day <= calendar.monthrange(year, ref.month)[1] and date(year, ref.month, ref.day) <= today:
            return date(year, ref.month, ref.day)
        year -= 1


def quarter_start(quarter: int, year: int | None, today: date) -> date:
    """The first day of the quarter: of `year`, or the most recent such quarter begun by `today`."""
    month = 3 * quarter - 2
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    return date(year, month, 1)


def _quarter_of(day: date) -> date:
    """The first day of the quarter that `day` falls in."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(day: date) -> date:
    return date(day.year + (day.month > 9), (day.month + 2) % 12 + 1, 1)


def midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _span_start(as_of: datetime, span: Span, zone: tzinfo) -> datetime:
    """`as_of` less `span`: a duration, or months and years back by the workspace's calendar
    (1 April 00:30 in Berlin is 31 March 22:30 UTC; a month back is 1 March 00:30 in Berlin)."""
    moment = as_of if span.unit in FIXED_UNITS else as_of.astimezone(zone)
    return back(moment, span).astimezone(UTC)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _calendar(period: str, today: date, as_of: datetime, zone: tzinfo) -> Bounds:
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    january = today.replace(month=1, day=1)
    quarter = _quarter_of(today)
    starts = {
        "today": (today, None),
        "yesterday": (today - timedelta(days=1), today),
        "this_week": (monday, None),
        "this_month": (first, None),
        "this_quarter": (quarter, None),
        "this_year": (january, None),
        "last_week": (monday - timedelta(weeks=1), monday),
        "last_month": ((first - timedelta(days=1)).replace(day=1), first),
        "last_quarter": (_quarter_of(quarter - timedelta(days=1)), quarter),
        "last_year": (january.replace(year=january.year - 1), january),
    }
    start, end = starts[period]
    if end is None:
        # A period that is still running ends at `as_of`, like "the last N days".
        return Bounds(midnight(start, zone), as_of, end_inclusive=True)
    return Bounds(midnight(start, zone), midnight(end, zone))
