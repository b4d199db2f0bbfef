"""A phrase no contact could meet is refused in words, naming both parts, not answered with 0.

`clash` on definitions first (what is and is not a certain contradiction), then phrases through
the segment service on both databases.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from segments.contradictions import REFUSED, clash
from segments.definition import (
    Aggregate,
    All,
    AnyOf,
    Condition,
    Count,
    Event,
    EventFilter,
    Last,
    Not,
    Rank,
    Span,
)
from segments.presets import expand
from segments.service import Answer, Failure, SegmentService
from tests.segments.dataset import DATA_AS_OF

GOLF = EventFilter(field="category", values=["golf"])
YOGA = EventFilter(field="category", values=["yoga"])
DAYS_30 = Last(span=Span(n=30, unit="day"))
DAYS_90 = Last(span=Span(n=90, unit="day"))


def bought(**kwargs) -> Event:
    return Event(type="purchase", **kwargs)


def never(**kwargs) -> Not:
    return Not(of=bought(**kwargs))


@pytest.mark.parametrize(
    ("required", "excluded"),
    [
        (bought(), never()),  # customers who never purchased
        (bought(count=Count(op="ge", n=3)), never()),  # at least 3 orders, and none
        (bought(), bought(count=Count(op="eq", n=0))),  # customers with 0 orders
        (bought(), bought(count=Count(op="lt", n=1))),  # customers with fewer than 1 order
        (bought(where=[GOLF]), never(where=[GOLF])),  # bought golf but never golf
        (bought(where=[GOLF]), never()),  # bought golf, never bought anything
        (bought(window=DAYS_30), never(window=DAYS_30)),  # the same window on both sides
        (bought(window=DAYS_30), never()),  # in the last 30 days, and never
        (Aggregate(fn="sum", op="gt", value=Decimal(500)), never()),  # spent over 500, never bought
        (Rank(by="rfm", percent=Decimal(5)), never()),  # VIP who never bought
        (Not(of=bought(count=Count(op="lt", n=2))), never()),  # not fewer than 2 orders: 2 or more
    ],
)
def test_an_event_required_and_ruled_out_is_a_clash(required: Condition, excluded: Condition) -> None:
    found = clash(All(of=[required, Event(type="email_opened"), excluded]))
    assert found is not None and found.required == required
    assert found.excluded.type == "purchase" and found.excluded.count == Count()


@pytest.mark.parametrize(
    "where",
    [
        All(of=[bought(), never(window=DAYS_90)]),  # lapsed: none lately, some before
        expand("lapsed"),
        expand("first_time", DAYS_30),  # the first purchase in the window, none before it
        All(of=[bought(where=[GOLF]), never(where=[YOGA])]),  # golf but never yoga
        All(of=[bought(), never(where=[GOLF])]),  # buyers who never bought golf
        All(of=[bought(window=DAYS_30), never(window=DAYS_90)]),  # windows apart: not certain
        All(of=[bought(), bought(count=Count(op="le", n=2))]),  # at most 2 orders: none or some
        All(of=[bought(), never(after_latest="email_opened")]),  # no purchase since their last open
        All(of=[Event(type="email_opened"), never()]),  # other events
        AnyOf(of=[Event(type="email_opened"), All(of=[bought(), never()])]),  # one side of an "or"
        Not(of=All(of=[bought(), never()])),  # everyone
        None,
    ],
)
def test_what_may_hold_is_no_clash(where: Condition | None) -> None:
    assert clash(where) is None


def test_a_clash_on_each_side_of_an_or_empties_the_segment() -> None:
    sides = AnyOf(of=[All(of=[bought(), never()]), All(of=[Rank(by="rfm", percent=Decimal(5)), never()])])
    found = clash(sides)
    assert found is not None and found.required == bought()


def refused(service: SegmentService, phrase: str) -> Failure:
    answer = service.answer(phrase, DATA_AS_OF)
    assert isinstance(answer, Failure), f"{phrase!r} answered: {answer.explanation}, {answer.count}"
    assert answer.error.startswith(REFUSED)
    return answer


def members(service: SegmentService, phrase: str) -> set[str]:
    answer = service.answer(phrase, DATA_AS_OF, members=True)
    assert isinstance(answer, Answer), answer
    return set(answer.members or [])


@pytest.mark.parametrize(
    ("phrase", "head", "instead"),
    [
        ("customers who never purchased", "customers", "contacts who never purchased"),
        ("customers w/o orders", "customers", "contacts w/o orders"),
        ("buyers who never bought", "buyers", "contacts who never bought"),
        ("custs with 0 orders", "custs", "contacts with 0 orders"),
        (
            "purchasers in Germany who never purchased",
            "purchasers",
            "contacts in Germany who never purchased",
        ),
    ],
)
def test_buyers_who_never_bought_are_refused_naming_both_parts(
    service: SegmentService, phrase: str, head: str, instead: str
) -> None:
    failure = refused(service, phrase)
    assert f"'{head}' means contacts with at least one purchase" in failure.error
    assert "also asks for contacts with no purchase; no contact is both" in failure.error
    assert failure.suggestions == [instead]
    assert members(service, instead)  # the suggestion answers: contacts without a purchase


def test_contradictions_not_made_by_the_head_read_both_conditions(service: SegmentService) -> None:
    golf = refused(service, "people who bought golf but never bought anything")
    assert golf.error == (
        f"{REFUSED}: it asks for contacts with at least one purchase in category golf and for contacts "
        "with no purchase; no contact is both, so the segment would always be empty."
    )
    assert golf.suggestions == []
    vip = refused(service, "VIP customers who never bought")
    assert "contacts in the top 5% of purchasers by RFM score" in vip.error
    said = "people who opened an email in the last 30 days but didn't open an email in the last 30 days"
    lately = refused(service, said)
    opened = "with at least one email opened in the last 30 days"
    assert f"{opened} and for contacts with no email opened in the last 30 days;" in lately.error


def test_what_may_hold_is_still_answered(service: SegmentService) -> None:
    nobody = members(service, "contacts who never purchased")
    assert nobody and members(service, "contacts with 0 orders") == nobody  # a bare 0 is none
    assert members(service, "customers") == members(service, "contacts") - nobody
    assert members(service, "lapsed customers") and members(service, "customers who never bought yoga")
    assert members(service, "golfers or customers") == members(service, "golfers") | members(
        service, "customers"
    )
