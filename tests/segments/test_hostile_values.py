"""Hostile values in definitions: quotes, LIKE wildcards, SQL, emoji and control characters.

Every value the user gave must travel as a bound parameter: the compiled SQL text holds none of
it, the databases answer without an error, and the answer is the reference evaluator's (empty,
where the value is nowhere in the data).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from segments.compiler import CompileError, Compiler, count_query, members_query
from segments.definition import (
    Aggregate,
    Attribute,
    Condition,
    Count,
    Definition,
    Event,
    EventFilter,
    Last,
    Span,
)
from tests.segments.dataset import CUSTOM_CONTACT_TYPES, DATA_AS_OF
from tests.segments.oracle import Oracle

HOSTILE = [
    'O\'Brien "the quoted"',
    "100% off_everything",
    "%_%",
    "'; drop table contacts; --",
    "Robert'); DROP TABLE events;--",
    "' OR '1'='1",
    "$1; select pg_sleep(10)",
    "back\\slash and /slash",
    "golfer 🏌️‍♀️ émoji",
    "tab\tnewline\nreturn\rbell\x07escape\x1b[31m",
    "nul\x00byte",
]
DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}

#: Conditions that a value found nowhere in the data matches for no contact.
NOTHING: dict[str, Callable[[str], Condition]] = {
    "city eq": lambda v: Attribute(field="city", op="eq", value=v),
    "last_name in": lambda v: Attribute(field="last_name", op="in", values=[v, "nobody"]),
    "job_title contains": lambda v: Attribute(field="job_title", op="contains", value=v),
    "interests has": lambda v: Attribute(field="interests", op="has", values=[v]),
    "custom eq": lambda v: Attribute(field="plan", op="eq", value=v, custom=True),
    "custom contains": lambda v: Attribute(field="plan", op="contains", value=v, custom=True),
    "category": lambda v: Event(type="purchase", where=[EventFilter(field="category", values=[v])]),
    "product contains": lambda v: Event(
        type="purchase", where=[EventFilter(field="product", op="contains", values=[v])]
    ),
    "campaign": lambda v: Event(type="email_opened", where=[EventFilter(field="campaign", values=[v])]),
    "custom event property": lambda v: Event(
        type="purchase", where=[EventFilter(field="channel", op="in", values=[v, "none"])]
    ),
    "topic contains": lambda v: Event(
        type="webinar_attended", where=[EventFilter(field="topic", op="contains", values=[v])]
    ),
    "event type": lambda v: Event(type=v),
    "aggregate currency": lambda v: Aggregate(
        fn="sum",
        op="ge",
        value=Decimal(0),
        window=Last(span=Span(n=1, unit="year")),
        where=[EventFilter(field="currency", values=[v])],
    ),
}
#: Conditions that hold for many contacts whatever the value.
SOME: dict[str, Callable[[str], Condition]] = {
    "city ne": lambda v: Attribute(field="city", op="ne", value=v),
    "custom ne": lambda v: Attribute(field="plan", op="ne", values=[v], custom=True),
    "no purchase after": lambda v: Event(type="purchase", count=Count(op="eq", n=0), after_latest=v),
}
#: Typed attributes, which a text value cannot be compared with.
TYPED: dict[str, Callable[[str], Condition]] = {
    "company_size": lambda v: Attribute(field="company_size", op="gt", value=v),
    "birth_date": lambda v: Attribute(field="birth_date", op="eq", value=v),
    "signed_up_at": lambda v: Attribute(field="signed_up_at", op="lt", value=v),
    "age": lambda v: Attribute(field="age", op="ge", value=v),
    "custom integer": lambda v: Attribute(field="score", op="le", value=v, custom=True),
    "custom date": lambda v: Attribute(field="renewal", op="eq", value=v, custom=True),
    "custom date/time": lambda v: Attribute(field="last_login", op="ge", value=v, custom=True),
}


def compiler() -> Compiler:
    return Compiler(DATA_AS_OF, custom_types=CUSTOM_CONTACT_TYPES)


def sql_texts(definition: Definition) -> list[str]:
    """The SQL of the members and count queries, as each database would receive it."""
    queries = (members_query(compiler(), definition), count_query(compiler(), definition))
    return [str(query.compile(dialect=dialect)) for query in queries for dialect in DIALECTS.values()]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("condition", NOTHING.values(), ids=NOTHING)
def test_a_hostile_value_found_nowhere_selects_nobody(
    oracle: Oracle, condition: Callable[[str], Condition], value: str
) -> None:
    definition = Definition(where=condition(value))
    assert oracle.check(definition, DATA_AS_OF) == set()
    assert not [sql for sql in sql_texts(definition) if value in sql]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("condition", SOME.values(), ids=SOME)
def test_a_hostile_value_in_a_negation_selects_the_reference_members(
    oracle: Oracle, condition: Callable[[str], Condition], value: str
) -> None:
    definition = Definition(where=condition(value))
    assert oracle.check(definition, DATA_AS_OF)
    assert not [sql for sql in sql_texts(definition) if value in sql]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("condition", TYPED.values(), ids=TYPED)
def test_a_hostile_value_for_a_typed_attribute_does_not_compile(
    condition: Callable[[str], Condition], value: str
) -> None:
    with pytest.raises(CompileError, match="cannot be compared with"):
        compiler().where(Definition(where=condition(value)))


@settings(max_examples=60, deadline=None)
@given(value=st.text(min_size=1, max_size=12), shape=st.sampled_from([*NOTHING.values(), *SOME.values()]))
def test_any_text_value_selects_the_reference_members(
    oracle: Oracle, value: str, shape: Callable[[str], Condition]
) -> None:
    definition = Definition(where=shape(value))
    note(f"JSON: {definition.model_dump_json(exclude_none=True)}")
    oracle.check(definition, DATA_AS_OF)
