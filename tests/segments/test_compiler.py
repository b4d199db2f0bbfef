"""The compiled SQL against the reference evaluator, on random definitions over a generated data set.

Each database (SQLite, and PostgreSQL when TAILOR_TEST_POSTGRES_URL is set) is loaded once with
`../shared/eval/gen_dataset.py`'s data through the real import; hypothesis then draws definitions,
an `as_of` and a time zone, and the members and counts that the database returns must be those
that `tests/segments/reference.py` finds in the CSV rows.
"""

from __future__ import annotations

import os
from datetime import UTC, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select

from segments.compiler import CompileError, Compiler
from segments.definition import (
    Aggregate,
    All,
    AnyOf,
    Attribute,
    Calendar,
    CalendarName,
    Comparison,
    Count,
    Definition,
    Event,
    Last,
    LastEmails,
    Not,
    Rank,
    RankMeasure,
    Saved,
    Span,
)
from store.models import CustomProperty
from tests.segments.dataset import CUSTOM_CONTACT_TYPES, CUSTOM_EVENT_TYPES, DATA_AS_OF
from tests.segments.oracle import Oracle
from tests.segments.strategies import definitions, moments, zones

BERLIN = ZoneInfo("Europe/Berlin")
#: Random definitions per database; raise it for a deeper search, e.g. TAILOR_SEGMENT_EXAMPLES=5000.
EXAMPLES = int(os.environ.get("TAILOR_SEGMENT_EXAMPLES", "150"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_definitions_select_the_reference_members(oracle: Oracle, data: st.DataObject) -> None:
    definition = data.draw(definitions(oracle.pools), label="definition")
    as_of = data.draw(moments(oracle.pools), label="as_of")
    zone = data.draw(zones(), label="zone")
    note(f"JSON: {definition.model_dump_json(exclude_none=True)}")
    oracle.check(definition, as_of, zone)


# -- fixed cases: the data set's shape, and edges that random draws rarely hit ------------------------


def test_import_infers_the_custom_types_that_the_reference_assumes(oracle: Oracle) -> None:
    with oracle.engine.connect() as conn:
        stored = conn.execute(select(CustomProperty.entity, CustomProperty.name, CustomProperty.type)).all()
    assert {(entity, name): kind for entity, name, kind in stored} == {
        **{("contact", name): kind for name, kind in CUSTOM_CONTACT_TYPES.items()},
        **{("event", name): kind for name, kind in CUSTOM_EVENT_TYPES.items()},
    }


def test_no_condition_is_every_contact(oracle: Oracle) -> None:
    assert len(oracle.check(Definition(), DATA_AS_OF)) == len(oracle.data.contacts)


def test_not_of_an_attribute_includes_contacts_without_the_attribute(oracle: Oracle) -> None:
    berlin = Attribute(field="city", op="eq", value="Berlin")
    without_city = {c for c, row in oracle.data.contacts.items() if row.values["city"] is None}
    members = oracle.check(Definition(where=Not(of=berlin)), DATA_AS_OF)
    assert without_city and without_city <= members


@pytest.mark.parametrize("shift", [timedelta(days=30), timedelta(0)], ids=["start", "end"])
def test_an_event_on_the_edge_of_the_last_30_days(oracle: Oracle, shift: timedelta) -> None:
    """An event exactly 30 days before `as_of` is out; one exactly at `as_of` is in."""
    contact, event = next((c, rows[-1]) for c, rows in oracle.data.events.items() if rows)
    definition = Definition(where=Event(type=event.type, window=Last(span=Span(n=30, unit="day"))))
    members = oracle.check(definition, event.at + shift)
    assert (contact in members) is (shift == timedelta(0))


@pytest.mark.parametrize(("zone", "period"), [(UTC, "yesterday"), (BERLIN, "today")])
def test_a_calendar_day_follows_the_workspace_zone(
    oracle: Oracle, zone: tzinfo, period: CalendarName
) -> None:
    """An event at 22:xx UTC in summer is on the next day in Berlin."""
    contact, event = next(
        (c, e) for c, rows in oracle.data.events.items() for e in rows if e.at.hour == 22 and e.at.month == 6
    )
    as_of = (event.at + timedelta(days=1)).replace(hour=12, minute=0)
    definition = Definition(where=Event(type=event.type, window=Calendar(period=period)))
    assert contact in oracle.check(definition, as_of, zone)


@pytest.mark.parametrize("op", ["ge", "gt"])
@pytest.mark.parametrize("window", [None, Last(span=Span(n=90, unit="day"))], ids=["all time", "windowed"])
def test_event_counts_beside_an_attribute_are_counted_per_contact(
    oracle: Oracle, op: Comparison, window: Last | None
) -> None:
    """A city beside "at least n opens" counts each of its contacts' events (`Compiler.count_of`)."""
    city = next(row.values["city"] for row in oracle.data.contacts.values() if row.values["city"])
    opens = Event(type="email_opened", window=window, count=Count(op=op, n=2))
    for where in (All(of=[Attribute(field="city", op="eq", value=city), opens]), opens):
        oracle.check(Definition(where=where), DATA_AS_OF)


def test_no_event_in_a_window_is_none_said_either_way(oracle: Oracle) -> None:
    """No click in a window, said as a negation or as a count of zero."""
    clicks = Event(type="email_clicked", window=Last(span=Span(n=60, unit="day")))
    for where in (Not(of=clicks), Event(**{**clicks.model_dump(), "count": Count(op="eq", n=0)})):
        assert oracle.check(Definition(where=where), DATA_AS_OF)


@pytest.mark.parametrize("by", ["spend", "order_value", "orders", "rfm"])
@pytest.mark.parametrize("percent", ["1", "20", "100"])
def test_rankings_break_ties_by_contact_id(oracle: Oracle, by: RankMeasure, percent: str) -> None:
    definition = Definition(where=Rank(by=by, percent=Decimal(percent)))
    assert oracle.check(definition, DATA_AS_OF)


def test_aggregates_and_last_emails(oracle: Oracle) -> None:
    spenders = Aggregate(fn="sum", op="ge", value=Decimal(300))
    openers = LastEmails(n=3)
    for where in (spenders, openers, All(of=[spenders, Not(of=openers)])):
        assert oracle.check(Definition(where=where), DATA_AS_OF)


@pytest.mark.parametrize(
    ("field", "needle"), [("city", "SÃO"), ("last_name", "GARCÍA"), ("last_name", "MÜLL")]
)
def test_contains_ignores_the_case_of_accented_letters(oracle: Oracle, field: str, needle: str) -> None:
    definition = Definition(where=Attribute(field=field, op="contains", value=needle))
    assert oracle.check(definition, DATA_AS_OF)


def priced_purchases(oracle: Oracle) -> dict[str, list[Decimal]]:
    """The amounts of every contact with two or more purchases that carry one."""
    amounts = {
        contact: [e.amount for e in rows if e.type == "purchase" and e.amount is not None]
        for contact, rows in oracle.data.events.items()
    }
    return {contact: found for contact, found in amounts.items() if len(found) >= 2}


@pytest.mark.parametrize("op", ["eq", "ge", "le"])
@pytest.mark.parametrize("window", [None, Last(span=Span(n=10, unit="year"))], ids=["all time", "windowed"])
def test_a_threshold_equal_to_a_sum_or_average_holds_for_its_contact(
    oracle: Oracle, op: Comparison, window: Last | None
) -> None:
    """Amounts add up exactly: 100.10 + 200.20 is 300.30, on SQLite's floats too."""
    thresholds = [
        Aggregate(fn=fn, op=op, value=value, window=window)
        for found in priced_purchases(oracle).values()
        for fn, value in (("sum", sum(found)), ("avg", sum(found) / len(found)))
        if value == round(value, 2)
    ]
    members = oracle.check(Definition(where=AnyOf(of=thresholds)), DATA_AS_OF)
    assert set(priced_purchases(oracle)) <= members


@pytest.mark.parametrize("window", [None, Last(span=Span(n=10, unit="year"))], ids=["all time", "windowed"])
def test_an_order_without_an_amount_does_not_lower_the_average(oracle: Oracle, window: Last | None) -> None:
    unpriced = {
        contact
        for contact, rows in oracle.data.events.items()
        if any(e.type == "purchase" and e.amount is None for e in rows)
        and any(e.type == "purchase" and e.amount is not None for e in rows)
    }
    assert unpriced
    for value in (Decimal(50), Decimal(100), Decimal(200)):
        oracle.check(Definition(where=Aggregate(fn="avg", op="ge", value=value, window=window)), DATA_AS_OF)


def test_saved_segments_are_expanded(oracle: Oracle) -> None:
    assert oracle.check(Definition(where=Saved(name="berlin buyers")), DATA_AS_OF)


@pytest.mark.parametrize("name", ["nobody", "loop"])
def test_a_missing_or_cyclic_saved_segment_does_not_compile(name: str) -> None:
    saved = {"loop": Definition(where=All(of=[Saved(name="loop")]))}
    compiler = Compiler(DATA_AS_OF, UTC, {}, saved.get)
    with pytest.raises(CompileError, match=name):
        compiler.where(Definition(where=Saved(name=name)))
