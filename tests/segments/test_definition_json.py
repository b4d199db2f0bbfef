"""Definitions travel as JSON (Slack, saved segments, `--json`): the round trip gives the same definition."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import get_args

from hypothesis import given, settings
from hypothesis import strategies as st

from segments.definition import (
    MAX_NUMBER,
    Aggregate,
    All,
    AnyOf,
    Attribute,
    AttributeOp,
    Condition,
    Count,
    Definition,
    Event,
    EventFilter,
    LastEmails,
    Not,
    Rank,
    Reachability,
    Saved,
)
from tests.segments.strategies import COMPARISONS, Pools, definitions, windows

# Any number a definition accepts: up to MAX_NUMBER either side (ages and sizes have their own bounds).
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-MAX_NUMBER, MAX_NUMBER),
    st.floats(-MAX_NUMBER, MAX_NUMBER, allow_nan=False),
    st.text(),
)
BOUNDED_FIELDS = {"age", "company_size"}
DECIMALS = st.decimals(-MAX_NUMBER, MAX_NUMBER, allow_nan=False, allow_infinity=False)


def free_leaves() -> st.SearchStrategy[Condition]:
    """Conditions with any text and numbers, whether or not they mean something in the store."""
    text = st.text(max_size=20)
    filters = st.builds(
        EventFilter,
        field=text,
        op=st.sampled_from(["eq", "in", "contains"]),
        values=st.lists(SCALARS, max_size=3),
    )
    return st.one_of(
        st.builds(
            Attribute,
            field=text.filter(lambda field: field not in BOUNDED_FIELDS),
            op=st.sampled_from(get_args(AttributeOp)),
            value=st.none() | SCALARS,
            values=st.lists(SCALARS, max_size=3),
            custom=st.booleans(),
            window=st.none() | windows(),
        ),
        st.builds(
            Event,
            type=text,
            window=st.none() | windows(),
            where=st.lists(filters, max_size=2),
            count=st.builds(Count, op=st.sampled_from(COMPARISONS), n=st.integers(0, 10**9)),
            after_latest=st.none() | text,
            after_where=st.lists(filters, max_size=1),
        ),
        st.builds(
            Aggregate,
            type=text,
            fn=st.sampled_from(["sum", "avg", "count", "max", "min"]),
            op=st.sampled_from(COMPARISONS),
            value=DECIMALS,
            window=st.none() | windows(),
            where=st.lists(filters, max_size=2),
        ),
        st.builds(
            Rank,
            by=st.sampled_from(["spend", "order_value", "orders", "rfm"]),
            percent=st.decimals(min_value=0, max_value=100, places=4).filter(lambda p: p > 0),
            type=text,
        ),
        st.builds(LastEmails, n=st.integers(1, 10**6), action=st.sampled_from(["opened", "clicked"])),
        st.builds(Reachability, state=st.sampled_from(["reachable", "suppressed"])),
        st.builds(Saved, name=text),
    )


def free_definitions() -> st.SearchStrategy[Definition]:
    def groups(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
        label = st.none() | st.text(max_size=10)
        return st.one_of(
            st.builds(All, of=st.lists(children, max_size=3), label=label),
            st.builds(AnyOf, of=st.lists(children, max_size=3), label=label),
            st.builds(Not, of=children),
        )

    return st.builds(Definition, where=st.none() | st.recursive(free_leaves(), groups, max_leaves=8))


def assert_round_trip(definition: Definition) -> None:
    text = json.dumps(definition.as_json())
    assert Definition.model_validate_json(text) == definition
    assert json.loads(text)["version"] == 1


@settings(max_examples=300, deadline=None)
@given(definition=free_definitions())
def test_any_definition_survives_its_json_form(definition: Definition) -> None:
    assert_round_trip(definition)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_definitions_over_the_data_survive_their_json_form(segment_pools: Pools, data: st.DataObject) -> None:
    assert_round_trip(data.draw(definitions(segment_pools)))


def test_the_json_form_leaves_out_what_is_unset() -> None:
    definition = Definition(where=Aggregate(fn="avg", op="gt", value=Decimal("12.50")))
    assert definition.as_json() == {
        "version": 1,
        "where": {
            "kind": "aggregate",
            "type": "purchase",
            "fn": "avg",
            "op": "gt",
            "value": "12.50",
            "where": [],
        },
    }
