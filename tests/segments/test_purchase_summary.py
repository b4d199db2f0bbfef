"""The purchase summary answers exactly what the events answer.

The compiler reads `contact_purchases` for purchase conditions without property filters (and
`contact_category_purchases` for one category), and,
when no purchase lies after `as_of`, for "a purchase since X" too. Each such condition must
select the same contacts as the event path (which the reference evaluator checks).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from segments.compiler import Compiler, members_query
from segments.definition import (
    Aggregate,
    Calendar,
    Condition,
    Count,
    Definition,
    Event,
    EventFilter,
    Last,
    MonthRef,
    Months,
    Not,
    OlderThan,
    Rank,
    Span,
)
from store.models import ContactPurchases
from store.models import Event as EventRow
from tests.segments.dataset import DATA_AS_OF


def days(n: int) -> Last:
    return Last(span=Span(n=n, unit="day"))


yoga = [EventFilter(field="category", values=["yoga"])]
running = [EventFilter(field="category", op="in", values=["running"])]


CONDITIONS: list[Condition] = [
    Event(type="purchase"),
    Not(of=Event(type="purchase")),
    Event(type="purchase", count=Count(op="ge", n=3)),
    Event(type="purchase", count=Count(op="lt", n=2)),
    Event(type="purchase", window=days(30)),
    Not(of=Event(type="purchase", window=days(90))),
    Event(type="purchase", window=Calendar(period="this_year")),
    Event(type="purchase", window=Months(first=MonthRef(month=3))),
    Event(type="purchase", window=OlderThan(span=Span(n=6, unit="month"))),
    Not(of=Event(type="purchase", window=OlderThan(span=Span(n=1, unit="year")))),
    Aggregate(fn="sum", op="gt", value=300),
    Aggregate(fn="avg", op="lt", value=60),
    Aggregate(fn="count", op="ge", value=4),
    Rank(by="spend", percent=10),
    Rank(by="order_value", percent=25),
    Rank(by="orders", percent=20),
    Rank(by="rfm", percent=5),
    # one category: `contact_category_purchases`
    Event(type="purchase", where=yoga),
    Not(of=Event(type="purchase", where=running)),
    Event(type="purchase", where=running, count=Count(op="ge", n=2)),
    Event(type="purchase", where=yoga, count=Count(op="le", n=1)),
    Event(type="purchase", where=running, window=days(120)),
    Not(of=Event(type="purchase", where=yoga, window=days(60))),
    Aggregate(fn="sum", op="gt", value=150, where=running),
    Aggregate(fn="avg", op="lt", value=50, where=yoga),
]


def members(engine, compiler: Compiler, condition: Condition) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(members_query(compiler, Definition(where=condition))).scalars())


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: c.kind)
def test_the_summary_selects_what_the_events_select(oracle, condition: Condition) -> None:
    with oracle.engine.connect() as conn:
        latest = conn.execute(
            select(func.max(EventRow.occurred_at)).where(EventRow.type == "purchase")
        ).scalar_one()
        assert conn.execute(select(func.count()).select_from(ContactPurchases)).scalar_one() > 0
    as_of = max(DATA_AS_OF, latest + timedelta(seconds=1))
    summarized = members(oracle.engine, Compiler(as_of, UTC, latest_purchase=latest), condition)
    with_events = oracle.compiled(Definition(where=condition), as_of)[0]
    assert summarized == with_events
    assert summarized  # the condition selects someone, so the comparison says something


def test_with_purchases_after_as_of_the_window_reads_the_events(oracle) -> None:
    """A past as-of: "since X" cannot be read from the last purchase, which may be later."""
    past = datetime(2026, 3, 1, tzinfo=UTC)
    condition = Event(type="purchase", window=days(30))
    latest = datetime(2026, 6, 30, tzinfo=UTC)
    summarized = members(oracle.engine, Compiler(past, UTC, latest_purchase=latest), condition)
    assert summarized == oracle.compiled(Definition(where=condition), past)[0]
