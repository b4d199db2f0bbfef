"""Phrases to definitions: marketers' wordings, read over a lexicon that the test store feeds.

The phrases here are the project's own, not the evaluation corpus': each checks one rule of
segment-semantics.md or of the grammar (places, heads, negation, windows that clauses share,
counts, presets, rankings, the last N emails, money, ages), and the hostile ones check that bad
input is an error with suggestions, never a wider segment or a database error.
"""

from __future__ import annotations

import pytest

from segments.definition import (
    Aggregate,
    All,
    AnyOf,
    Attribute,
    Calendar,
    Count,
    Event,
    EventFilter,
    Last,
    LastEmails,
    MonthRef,
    Months,
    Not,
    OlderThan,
    Rank,
    Span,
)
from segments.lexicon import load_lexicon
from segments.parser import ParseError, Parser
from segments.presets import expand
from tests.reference_money import dollars_now


@pytest.fixture(scope="module")
def parser(oracle) -> Parser:
    with oracle.engine.connect() as conn:
        return Parser(load_lexicon(conn))


def days(n: int) -> Last:
    return Last(span=Span(n=n, unit="day"))


def read(parser: Parser, text: str):
    return parser.parse(text).definition.where


def purchase(**kwargs) -> Event:
    return Event(type="purchase", **kwargs)


def category(name: str) -> list[EventFilter]:
    return [EventFilter(field="category", values=[name])]


february = MonthRef(month=2)
december = MonthRef(month=12)
CASES = [
    # places, values and heads
    ("people living in Hamburg", Attribute(field="city", op="eq", value="Hamburg")),
    ("contacts in sao paulo", Attribute(field="city", op="eq", value="São Paulo")),
    ("subscribers in the USA", Attribute(field="country", op="eq", value="United States")),
    ("users in Lyon or Paris", Attribute(field="city", op="in", values=["Lyon", "Paris"])),
    ("Instagram leads", Attribute(field="signup_source", op="eq", value="instagram")),
    ("manufacturing companies", Attribute(field="industry", op="eq", value="manufacturing")),
    ("Spanish speakers", Attribute(field="language", op="eq", value="es")),
    ("users on tablet", Attribute(field="device", op="eq", value="tablet")),
    ("designers", Attribute(field="job_title", op="contains", values=["Designer"])),
    ("contacts without a city", Attribute(field="city", op="empty")),
    ("contacts interested in yoga", Attribute(field="interests", op="has", values=["yoga"])),
    ("women", Attribute(field="gender", op="eq", value="female")),
    ("men between 30 and 40 years old", All(of=[
        Attribute(field="gender", op="eq", value="male"),
        Attribute(field="age", op="between", values=[30, 40])])),
    ("contacts younger than 25", Attribute(field="age", op="lt", value=25)),
    ("companies with at most 50 employees", Attribute(field="company_size", op="le", value=50)),
    # events, their objects and counts
    ("people who bought cycling gear", purchase(where=category("cycling"))),
    ("customers who ordered 4 or more times", purchase(count=Count(op="ge", n=4))),
    ("contacts who clicked more than 3 emails", Event(type="email_clicked", count=Count(op="gt", n=3))),
    ("contacts with 3 orders", purchase(count=Count(op="ge", n=3))),  # a bare count: at least
    # a count with no "with" before it counts events, never an age
    ("3+ orders", purchase(count=Count(op="ge", n=3))),
    ("5 or more opens", Event(type="email_opened", count=Count(op="ge", n=5))),
    ("2+ running orders", purchase(where=category("running"), count=Count(op="ge", n=2))),
    # "of" or "in" after an order names the goods, though a campaign is named like them too
    ("custs w/ 2+ orders of running gear", purchase(where=category("running"), count=Count(op="ge", n=2))),
    ("custs w/ orders in running", purchase(where=category("running"))),
    ("contacts with 0 orders", purchase(count=Count(op="eq", n=0))),  # but 0 is none, not "at least 0"
    ("contacts who opened 0 emails", Event(type="email_opened", count=Count(op="eq", n=0))),
    ("contacts with at least 0 orders", purchase(count=Count(op="ge", n=0))),  # as said
    ("people who got the Spring Sale email", Event(
        type="email_sent", where=[EventFilter(field="campaign", op="contains", values=["Spring Sale"])])),
    ("people who never made a purchase", Not(of=purchase())),
    ("contacts with no purchases", Not(of=purchase())),
    # windows
    ("people who purchased in the past 2 weeks", purchase(window=Last(span=Span(n=2, unit="week")))),
    ("people who purchased last week", purchase(window=Calendar(period="last_week"))),
    ("people who purchased in February", purchase(window=Months(first=february, last=february))),
    # "before January" is before the latest January begun, never the coming one
    ("custs who bought before Jan", purchase(window=Months(before=MonthRef(month=1)))),
    # the time after "in December" starts when December ends, whatever month it is now
    ("custs whose last order was in Dec", All(of=[
        purchase(window=Months(first=december, last=december)),
        Not(of=purchase(window=Months(after=december)))])),
    ("people who purchased more than 2 years ago", purchase(window=OlderThan(span=Span(n=2, unit="year")))),
    ("buyers who haven't ordered in over 6 months", All(of=[
        purchase(), Not(of=purchase(window=Last(span=Span(n=6, unit="month"))))])),
    # one window shared by the bare clauses before it, or named again by "in that time"
    ("people who clicked but didn't buy in the last 10 days", All(of=[
        Event(type="email_clicked", window=days(10)), Not(of=purchase(window=days(10)))])),
    ("contacts who viewed products in the last 5 days and bought nothing in that time", All(of=[
        Event(type="product_viewed", window=days(5)), Not(of=purchase(window=days(5)))])),
    # the verb of the clause before, for "but never X"
    ("people who bought golf gear but never outdoor gear", All(of=[
        purchase(where=category("golf")), Not(of=purchase(where=category("outdoor")))])),
    # money, rankings, the last N emails
    ("customers who spent at least $250", Aggregate(fn="sum", op="ge", value=250)),
    (
        "buyers with an average order value above 80 euros",
        Aggregate(fn="avg", op="gt", value=dollars_now(80, "EUR")),  # in dollars, the store's currency
    ),
    ("the top 15% of customers by spend", Rank(by="spend", percent=15)),
    ("contacts who opened their last 4 emails", LastEmails(n=4, action="opened")),
    # presets, and a preset's own window
    ("lapsed buyers", expand("lapsed")),
    ("new subscribers from the last 7 days", expand("new", days(7))),
    ("dormant users", expand("inactive")),
    # "or" between clauses, "except"
    ("contacts who bounced or complained", AnyOf(of=[
        Event(type="email_bounced"), Event(type="email_complained")])),
    ("contacts except those in Berlin", Not(of=Attribute(field="city", op="eq", value="Berlin"))),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_phrases_read_as_the_semantics_say(parser: Parser, text: str, expected) -> None:
    assert read(parser, text) == expected


def test_customers_means_purchasers_unless_the_phrase_says_more(parser: Parser) -> None:
    assert read(parser, "customers in Berlin") == All(
        of=[purchase(), Attribute(field="city", op="eq", value="Berlin")]
    )
    assert read(parser, "customers who bought in the last 30 days") == purchase(window=days(30))


def test_an_interest_noun_is_read_as_the_interest_and_says_so(parser: Parser) -> None:
    parsed = parser.parse("golfers in London")
    golf = Attribute(field="interests", op="has", values=["golf"])
    assert parsed.definition.where == All(of=[golf, Attribute(field="city", op="eq", value="London")])
    assert any("interest golf" in note and "who bought golf" in note for note in parsed.notes)


def test_an_unknown_word_is_an_error_with_corrected_phrases(parser: Parser) -> None:
    with pytest.raises(ParseError) as caught:
        parser.parse("contacts in Berl who bought golf")
    assert "Berl" in caught.value.message
    assert "contacts in Berlin who bought golf" in caught.value.suggestions


def test_a_word_out_of_place_is_an_error_not_a_wider_segment(parser: Parser) -> None:
    with pytest.raises(ParseError):
        parser.parse("contacts in Berlin banana")


HOSTILE = [
    "contacts in 'Berlin'; DROP TABLE contacts; --",
    'contacts in "Berlin" OR 1=1',
    "contacts in Berlin\x00\x1b[31m",
    "people who bought 🏌️ golf",
    "Robert'); DELETE FROM events;--",
    "x" * 5000,
    "",
    "   ",
    "%_%",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_an_answer_or_a_clear_error(parser: Parser, text: str) -> None:
    try:
        parsed = parser.parse(text)
    except ParseError as error:
        assert error.message
        return
    assert parsed.definition.where is not None
