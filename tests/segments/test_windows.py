"""`segments.windows.resolve` at the edges: month ends, leap days, week and year turns, time zones.

Every case states the exact UTC bounds. Spans count back from the instant `as_of` (hours, days and
weeks as durations; months and years by the workspace's calendar); calendar periods start at
midnight in the workspace's zone, so a Berlin day starts at 23:00 UTC (22:00 in summer) the day
before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from segments.compiler import Compiler, members_query
from segments.definition import (
    Attribute,
    AttributeOp,
    Calendar,
    CalendarName,
    Dates,
    Definition,
    Last,
    MonthRef,
    Months,
    OlderThan,
    Span,
    Unit,
    Window,
)
from segments.windows import Bounds, resolve
from tests.conftest import WriteCsv
from tests.store.helpers import fetch, load

BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
MICROSECOND = timedelta(microseconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def last(n: int, unit: Unit) -> Last:
    return Last(span=Span(n=n, unit=unit))


def older_than(n: int, unit: Unit) -> OlderThan:
    return OlderThan(span=Span(n=n, unit=unit))


def months(first: tuple[int, int | None] | None, last: tuple[int, int | None] | None = None) -> Months:
    """`months((11, None), (2, None))`: "between November and February"; (month, year) pairs."""

    def ref(pair: tuple[int, int | None] | None) -> MonthRef | None:
        return None if pair is None else MonthRef(month=pair[0], year=pair[1])

    return Months(first=ref(first), last=ref(last))


def assert_bounds(window: Window, as_of: datetime, zone: tzinfo, expected: Bounds) -> None:
    bounds = resolve(window, as_of, zone)
    assert bounds == expected
    for moment in (bounds.start, bounds.end):
        assert moment is None or moment.tzinfo is UTC


def span_bounds(start: datetime, as_of: datetime) -> Bounds:
    """`start < t <= as_of`: the bounds of "in the last ..."."""
    return Bounds(start, as_of, start_inclusive=False, end_inclusive=True)


def since(start: datetime, as_of: datetime) -> Bounds:
    """`start <= t <= as_of`: a calendar period still running."""
    return Bounds(start, as_of, end_inclusive=True)


# -- spans: months by the calendar, the day clamped to the month's last ---------------------------


@pytest.mark.parametrize(
    ("window", "as_of", "start"),
    [
        (last(1, "month"), utc(2026, 3, 31, 12), utc(2026, 2, 28, 12)),
        (last(1, "month"), utc(2026, 5, 31, 12), utc(2026, 4, 30, 12)),
        (last(3, "month"), utc(2026, 5, 31, 12), utc(2026, 2, 28, 12)),
        (last(1, "month"), utc(2028, 3, 31, 12), utc(2028, 2, 29, 12)),
        (last(12, "month"), utc(2026, 1, 31, 9), utc(2025, 1, 31, 9)),
        (last(1, "month"), utc(2026, 1, 15, 9), utc(2025, 12, 15, 9)),
        (last(1, "year"), utc(2028, 2, 29, 12), utc(2027, 2, 28, 12)),
        (last(4, "year"), utc(2028, 2, 29, 12), utc(2024, 2, 29, 12)),
        (last(0, "month"), utc(2026, 6, 30, 12), utc(2026, 6, 30, 12)),
    ],
    ids=[
        "1 month from 31 March",
        "1 month from 31 May",
        "3 months from 31 May",
        "1 month from 31 March, leap year",
        "12 months from 31 January",
        "1 month across new year",
        "1 year from 29 February",
        "4 years from 29 February",
        "0 months",
    ],
)
def test_the_last_months_and_years_count_calendar_months(
    window: Last, as_of: datetime, start: datetime
) -> None:
    assert_bounds(window, as_of, UTC, span_bounds(start, as_of))


@pytest.mark.parametrize(
    ("window", "start"),
    [
        (last(24, "hour"), utc(2026, 3, 28, 12)),
        (last(1, "day"), utc(2026, 3, 28, 12)),
        (last(7, "day"), utc(2026, 3, 22, 12)),
        (last(2, "week"), utc(2026, 3, 15, 12)),
    ],
    ids=["24 hours", "1 day", "7 days", "2 weeks"],
)
def test_hours_days_and_weeks_are_durations_even_across_a_clock_change(window: Last, start: datetime) -> None:
    """Berlin moves its clocks on 29 March 2026; a day back is still 24 hours back."""
    as_of = utc(2026, 3, 29, 12)
    assert_bounds(window, as_of, BERLIN, span_bounds(start, as_of))


def test_the_last_month_counts_back_in_the_workspace_calendar() -> None:
    """22:30 UTC on 31 March is 1 April 00:30 in Berlin: a month back is 1 March 00:30 there."""
    as_of = utc(2026, 3, 31, 22, 30)
    assert_bounds(last(1, "month"), as_of, BERLIN, span_bounds(utc(2026, 2, 28, 23, 30), as_of))
    assert_bounds(last(1, "month"), as_of, UTC, span_bounds(utc(2026, 2, 28, 22, 30), as_of))


def test_more_than_six_months_ago_ends_before_the_clamped_day() -> None:
    assert_bounds(older_than(6, "month"), utc(2026, 8, 31, 12), UTC, Bounds(end=utc(2026, 2, 28, 12)))


# -- inclusivity -------------------------------------------------------------------------------------


def test_the_last_30_days_exclude_their_start_and_include_as_of() -> None:
    as_of = utc(2026, 6, 30, 12)
    bounds = resolve(last(30, "day"), as_of)
    start = utc(2026, 5, 31, 12)
    assert bounds == span_bounds(start, as_of)
    assert not bounds.contains(start)
    assert bounds.contains(start + MICROSECOND)
    assert bounds.contains(as_of)
    assert not bounds.contains(as_of + MICROSECOND)


def test_older_than_is_strictly_before() -> None:
    bounds = resolve(older_than(365, "day"), utc(2026, 6, 30, 12))
    end = utc(2025, 6, 30, 12)
    assert bounds == Bounds(end=end)
    assert not bounds.contains(end)
    assert bounds.contains(end - MICROSECOND)
    assert bounds.contains(datetime.min.replace(tzinfo=UTC))


def test_a_finished_period_includes_its_start_and_excludes_its_end() -> None:
    bounds = resolve(Calendar(period="yesterday"), utc(2026, 6, 30, 12))
    assert bounds == Bounds(utc(2026, 6, 29), utc(2026, 6, 30))
    assert bounds.contains(utc(2026, 6, 29))
    assert not bounds.contains(utc(2026, 6, 30))
    assert bounds.contains(utc(2026, 6, 30) - MICROSECOND)


# -- calendar periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "as_of", "expected"),
    [
        ("last_month", utc(2026, 1, 15, 12), Bounds(utc(2025, 12, 1), utc(2026, 1, 1))),
        ("last_month", utc(2026, 3, 31, 23), Bounds(utc(2026, 2, 1), utc(2026, 3, 1))),
        ("last_year", utc(2026, 1, 1, 0), Bounds(utc(2025, 1, 1), utc(2026, 1, 1))),
        ("this_month", utc(2026, 1, 1, 0), since(utc(2026, 1, 1), utc(2026, 1, 1, 0))),
        ("this_year", utc(2026, 6, 30, 12), since(utc(2026, 1, 1), utc(2026, 6, 30, 12))),
        ("today", utc(2026, 6, 30, 12), since(utc(2026, 6, 30), utc(2026, 6, 30, 12))),
        ("this_week", utc(2026, 6, 29, 8), since(utc(2026, 6, 29), utc(2026, 6, 29, 8))),
        ("this_week", utc(2026, 6, 28, 20), since(utc(2026, 6, 22), utc(2026, 6, 28, 20))),
        ("last_week", utc(2026, 6, 29, 8), Bounds(utc(2026, 6, 22), utc(2026, 6, 29))),
        ("last_week", utc(2026, 6, 28, 20), Bounds(utc(2026, 6, 15), utc(2026, 6, 22))),
        ("last_week", utc(2026, 1, 1, 12), Bounds(utc(2025, 12, 22), utc(2025, 12, 29))),
    ],
    ids=[
        "last month in January",
        "last month on 31 March",
        "last year on 1 January",
        "this month at its first instant",
        "this year",
        "today",
        "this week on a Monday",
        "this week on a Sunday",
        "last week on a Monday",
        "last week on a Sunday",
        "last week across new year",
    ],
)
def test_calendar_periods(period: CalendarName, as_of: datetime, expected: Bounds) -> None:
    assert_bounds(Calendar(period=period), as_of, UTC, expected)


# -- months by name ----------------------------------------------------------------------------------

JUNE_15 = utc(2026, 6, 15, 12)
DECEMBER_7 = utc(2026, 12, 7, 12)


@pytest.mark.parametrize(
    ("window", "as_of", "expected"),
    [
        (months((12, None), (12, None)), JUNE_15, Bounds(utc(2025, 12, 1), utc(2026, 1, 1))),
        (months((6, None), (6, None)), JUNE_15, Bounds(utc(2026, 6, 1), utc(2026, 7, 1))),
        (months((7, None), (7, None)), JUNE_15, Bounds(utc(2025, 7, 1), utc(2025, 8, 1))),
        (months((12, 2026), (12, 2026)), JUNE_15, Bounds(utc(2026, 12, 1), utc(2027, 1, 1))),
        (months((11, None), (2, None)), JUNE_15, Bounds(utc(2025, 11, 1), utc(2026, 3, 1))),
        (months((11, None), (2, None)), utc(2026, 1, 10), Bounds(utc(2024, 11, 1), utc(2025, 3, 1))),
        (months((11, None), (2, None)), utc(2026, 2, 1), Bounds(utc(2025, 11, 1), utc(2026, 3, 1))),
        (months((3, None), (5, 2026)), utc(2026, 12, 1), Bounds(utc(2026, 3, 1), utc(2026, 6, 1))),
        (months((11, 2025), (2, 2026)), JUNE_15, Bounds(utc(2025, 11, 1), utc(2026, 3, 1))),
        (months((3, None), None), JUNE_15, since(utc(2026, 3, 1), JUNE_15)),
        (months((9, None), None), JUNE_15, since(utc(2025, 9, 1), JUNE_15)),
        (months(None, (2, None)), JUNE_15, Bounds(None, utc(2026, 3, 1))),
        (Months(before=MonthRef(month=3)), JUNE_15, Bounds(None, utc(2026, 3, 1))),
        (Months(before=MonthRef(month=1)), DECEMBER_7, Bounds(None, utc(2026, 1, 1))),
        (Months(before=MonthRef(month=12)), DECEMBER_7, Bounds(None, utc(2026, 12, 1))),
        (Months(before=MonthRef(month=1, year=2027)), DECEMBER_7, Bounds(None, utc(2027, 1, 1))),
        (Months(after=MonthRef(month=12)), DECEMBER_7, since(utc(2027, 1, 1), DECEMBER_7)),
        (Months(after=MonthRef(month=11)), DECEMBER_7, since(utc(2026, 12, 1), DECEMBER_7)),
    ],
    ids=[
        "in December, in June",
        "in June, in June",
        "in July, in June",
        "in December 2026",
        "between November and February, in June",
        "between November and February, in January",
        "between November and February, on 1 February",
        "between March and May 2026",
        "between November 2025 and February 2026",
        "since March",
        "since September, in June",
        "before March",
        "before March, the Months(before=) way",
        "before January, in December: this year's January",
        "before December, in December",
        "before January 2027",
        "after December, in December: nothing yet",
        "after November, in December",
    ],
)
def test_months_by_name(window: Months, as_of: datetime, expected: Bounds) -> None:
    assert_bounds(window, as_of, UTC, expected)


def test_dates_run_from_the_start_day_to_before_the_end_day() -> None:
    window = Dates(start=date(2026, 3, 1), end=date(2026, 4, 1))
    assert_bounds(window, JUNE_15, UTC, Bounds(utc(2026, 3, 1), utc(2026, 4, 1)))
    assert_bounds(Dates(end=date(2026, 4, 1)), JUNE_15, UTC, Bounds(None, utc(2026, 4, 1)))


# -- time zones ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "as_of", "zone", "expected"),
    [
        (
            Calendar(period="today"),
            utc(2026, 6, 30, 12),
            BERLIN,
            since(utc(2026, 6, 29, 22), utc(2026, 6, 30, 12)),
        ),
        (
            Calendar(period="today"),
            utc(2026, 1, 15, 12),
            BERLIN,
            since(utc(2026, 1, 14, 23), utc(2026, 1, 15, 12)),
        ),
        (
            Calendar(period="today"),
            utc(2026, 6, 30, 22, 30),
            BERLIN,
            since(utc(2026, 6, 30, 22), utc(2026, 6, 30, 22, 30)),
        ),
        (
            Calendar(period="yesterday"),
            utc(2026, 3, 30, 10),
            BERLIN,
            Bounds(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
        ),
        (
            Calendar(period="yesterday"),
            utc(2026, 10, 26, 10),
            BERLIN,
            Bounds(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)),
        ),
        (
            Calendar(period="this_month"),
            utc(2026, 6, 30, 22, 30),
            BERLIN,
            since(utc(2026, 6, 30, 22), utc(2026, 6, 30, 22, 30)),
        ),
        (
            Calendar(period="last_month"),
            utc(2026, 6, 30, 22, 30),
            BERLIN,
            Bounds(utc(2026, 5, 31, 22), utc(2026, 6, 30, 22)),
        ),
        (
            Calendar(period="last_year"),
            utc(2026, 6, 30, 12),
            BERLIN,
            Bounds(utc(2024, 12, 31, 23), utc(2025, 12, 31, 23)),
        ),
        (
            Calendar(period="this_week"),
            utc(2026, 6, 28, 22, 30),
            BERLIN,
            since(utc(2026, 6, 28, 22), utc(2026, 6, 28, 22, 30)),
        ),
        (
            Calendar(period="today"),
            utc(2026, 6, 30, 12),
            KOLKATA,
            since(utc(2026, 6, 29, 18, 30), utc(2026, 6, 30, 12)),
        ),
        (
            months((12, None), (12, None)),
            JUNE_15,
            BERLIN,
            Bounds(utc(2025, 11, 30, 23), utc(2025, 12, 31, 23)),
        ),
        (months((3, None), (3, None)), JUNE_15, BERLIN, Bounds(utc(2026, 2, 28, 23), utc(2026, 3, 31, 22))),
        (Dates(start=date(2026, 7, 1)), JUNE_15, BERLIN, Bounds(utc(2026, 6, 30, 22))),
    ],
    ids=[
        "today in summer",
        "today in winter",
        "today begun in Berlin, not yet in UTC",
        "yesterday of 23 hours",
        "yesterday of 25 hours",
        "this month begun in Berlin",
        "last month seen from Berlin's 1 July",
        "last year",
        "this week begun in Berlin on Sunday evening UTC",
        "today in Kolkata",
        "in December",
        "in March, across the clock change",
        "from 1 July",
    ],
)
def test_calendar_days_begin_at_midnight_in_the_workspace_zone(
    window: Window, as_of: datetime, zone: tzinfo, expected: Bounds
) -> None:
    assert_bounds(window, as_of, zone, expected)


# -- age: whole years on as_of's date, 29 February birthdays -----------------------------------------

BIRTHDAYS = {"leapling": "2008-02-29", "eve": "2008-02-28", "march": "2008-03-01"}


@pytest.mark.parametrize(
    ("as_of", "zone", "eighteen"),
    [
        (utc(2026, 2, 28, 12), UTC, {"eve"}),
        (utc(2026, 3, 1, 12), UTC, {"eve", "leapling", "march"}),
        (utc(2026, 2, 28, 23, 30), BERLIN, {"eve", "leapling", "march"}),
        (utc(2026, 2, 27, 12), UTC, set()),
    ],
    ids=["28 February", "1 March", "1 March in Berlin", "27 February"],
)
def test_a_29_february_birthday_comes_on_1_march_in_other_years(
    engine: Engine, write_csv: WriteCsv, as_of: datetime, zone: tzinfo, eighteen: set[str]
) -> None:
    contacts = [
        ["id", "email", "birth_date"],
        *([c, f"{c}@example.com", born] for c, born in BIRTHDAYS.items()),
    ]
    load(engine, contacts=write_csv("contacts.csv", contacts))
    compiler = Compiler(as_of, zone)

    def aged(op: AttributeOp, age: int) -> set[str]:
        definition = Definition(where=Attribute(field="age", op=op, value=age))
        return {external_id for (external_id,) in fetch(engine, members_query(compiler, definition))}

    assert aged("ge", 18) == aged("eq", 18) == eighteen
    assert aged("le", 17) == aged("lt", 18) == set(BIRTHDAYS) - eighteen


def test_a_leapling_is_20_on_29_february_2028(engine: Engine, write_csv: WriteCsv) -> None:
    contacts = [["id", "email", "birth_date"], ["leapling", "leapling@example.com", "2008-02-29"]]
    load(engine, contacts=write_csv("contacts.csv", contacts))
    for as_of, age in ((utc(2028, 2, 28, 12), 19), (utc(2028, 2, 29, 12), 20)):
        definition = Definition(where=Attribute(field="age", op="eq", value=age))
        assert fetch(engine, members_query(Compiler(as_of), definition)) == [("leapling",)]
