"""Money in one currency: purchases in five currencies (and one no source has a rate for) are
compared, summed and ranked in dollars, each at its own day's rate, and the answers say what
could not be converted. The expected members are computed again in Python, straight from the
ECB's rates (tests/reference_money.py)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from segments.service import Answer, SegmentService
from store.importer import ImportSources, run_import
from store.pricing import Pricing
from tests.reference_money import ECB, NEWEST, in_dollars
from tests.store.helpers import load

AS_OF = datetime(2026, 12, 1, 12, tzinfo=UTC)
CURRENCIES = ("USD", "EUR", "JPY", "GBP", "SEK")
#: What an order typically costs in each currency, so that totals straddle the thresholds.
TYPICAL = {"USD": 300, "EUR": 280, "JPY": 45_000, "GBP": 240, "SEK": 3_200}
#: A currency no source publishes: its purchases are left out of money, and said to be.
NO_RATE = "XAG"


def purchases(rng: random.Random) -> list[list[str]]:
    rows = []
    for n in range(60):
        currency = CURRENCIES[n % len(CURRENCIES)]
        for _ in range(rng.randint(1, 5)):
            # Days over two years: weekends (no ECB rate: the rate between), and days after the
            # newest rate shipped (that rate).
            at = AS_OF - timedelta(days=rng.randint(0, 700), hours=rng.randint(0, 23))
            amount = TYPICAL[currency] * rng.uniform(0.2, 2.0)
            rows.append([f"c{n}", "purchase", at.isoformat(), f"{amount:.2f}", currency])
    for n in range(60, 64):  # rich in a currency without a rate: never counted as spenders
        rows.append([f"c{n}", "purchase", (AS_OF - timedelta(days=3)).isoformat(), "99999", NO_RATE])
    return rows


@pytest.fixture
def store(engine: Engine, write_csv) -> Engine:
    contacts = [
        ["id", "email", "email_consent"],
        *([f"c{n}", f"c{n}@example.com", "subscribed"] for n in range(64)),
    ]
    events = [["contact_id", "type", "occurred_at", "amount", "currency"], *purchases(random.Random(19))]
    load(engine, contacts=write_csv("contacts.csv", contacts), events=write_csv("events.csv", events))
    return engine


def dollars_by_contact(rows: list[list[str]]) -> dict[str, list[float]]:
    spent: dict[str, list[float]] = defaultdict(list)
    for contact, _, at, amount, currency in rows:
        dollars = in_dollars(float(amount), currency, at)
        if dollars is not None:
            spent[contact].append(dollars)
    return spent


def members(service: SegmentService, phrase: str) -> tuple[set[str], Answer]:
    answer = service.answer(phrase, AS_OF, members=True)
    assert isinstance(answer, Answer), answer
    return set(answer.members or []), answer


def test_spent_more_than_1000_dollars_matches_the_independent_conversion(store: Engine) -> None:
    spent = dollars_by_contact(purchases(random.Random(19)))
    want = {contact for contact, amounts in spent.items() if sum(amounts) > 1000}

    got, answer = members(SegmentService(store), "custs who spent more than $1,000")

    assert got == want and 5 < len(want) < 55  # the threshold splits the contacts
    assert "$1,000" in answer.explanation


def test_an_amount_in_euros_is_converted_at_the_newest_rate(store: Engine) -> None:
    threshold = 900 * ECB.convert(1, "EUR", "USD", NEWEST)
    spent = dollars_by_contact(purchases(random.Random(19)))
    want = {contact for contact, amounts in spent.items() if sum(amounts) > round(threshold, 2)}

    got, answer = members(SegmentService(store), "custs w/ spend over €900")

    assert got == want
    assert any(note.startswith("read €900 as $") for note in answer.warnings), answer.warnings


def test_an_order_over_an_amount_in_yen_compares_each_order_in_dollars(store: Engine) -> None:
    threshold = round(40_000 * ECB.convert(1, "JPY", "USD", NEWEST), 2)
    spent = dollars_by_contact(purchases(random.Random(19)))
    want = {contact for contact, amounts in spent.items() if max(amounts) > threshold}

    got, _ = members(SegmentService(store), "custs w/ an order over ¥40k")

    assert got == want


def test_purchases_without_a_rate_are_left_out_and_counted_in_the_answer(store: Engine) -> None:
    got, answer = members(SegmentService(store), "top 10% by spend")

    assert not got & {"c60", "c61", "c62", "c63"}  # 99,999 silver each: never summed raw
    said = [w for w in answer.warnings if NO_RATE in w]
    assert said == [
        f"4 purchases (4 in {NO_RATE}) have no rate to USD for their day, so their amounts are left out "
        "(TAILOR_RATES_FILE can give the rates)."
    ]


def test_an_answer_without_money_does_not_mention_the_rates(store: Engine) -> None:
    _, answer = members(SegmentService(store), "custs w/ 3+ orders")

    assert not [w for w in answer.warnings if NO_RATE in w]


def test_a_new_workspace_currency_converts_the_store_again(store: Engine) -> None:
    euros: dict[str, float] = defaultdict(float)
    for contact, _, at, amount, currency in purchases(random.Random(19)):
        dollars = in_dollars(float(amount), currency, at)
        if dollars is not None:
            day = min(datetime.fromisoformat(at).date(), NEWEST)
            euros[contact] += dollars / ECB.convert(1, "EUR", "USD", day)
    want = {contact for contact, total in euros.items() if total > 1000}

    got, answer = members(SegmentService(store, pricing=Pricing("EUR")), "custs who spent over 1000 euros")

    assert got == want
    assert "€1,000" in answer.explanation


def test_a_rates_file_gives_the_currencies_the_ecb_does_not_publish(engine: Engine, write_csv) -> None:
    rates = write_csv("rates.csv", [["Date", NO_RATE], ["2020-01-01", "0.05"], ["2027-01-01", "0.05"]])
    contacts = [["id", "email"], ["rich", "rich@example.com"], ["poor", "poor@example.com"]]
    events = [
        ["contact_id", "type", "occurred_at", "amount", "currency"],
        ["rich", "purchase", "2026-11-02T10:00:00Z", "100", NO_RATE],  # 2,000 euros
        ["poor", "purchase", "2026-11-02T10:00:00Z", "1", NO_RATE],
    ]
    pricing = Pricing("EUR", Pricing().rates.also([rates]))
    run_import(
        engine,
        ImportSources(contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", events)),
        pricing=pricing,
    )
    got, answer = members(SegmentService(engine, pricing=pricing), "custs who spent more than 1,500 euros")

    assert got == {"rich"}
    assert not [w for w in answer.warnings if "no rate" in w]


def test_the_import_names_the_purchases_it_could_not_convert(engine: Engine, write_csv) -> None:
    contacts = [["id", "email"], ["c1", "c1@example.com"]]
    events = [
        ["contact_id", "type", "occurred_at", "amount", "currency"],
        ["c1", "purchase", "2026-11-02T10:00:00Z", "100", NO_RATE],
        ["c1", "purchase", "2026-11-03T10:00:00Z", "100", "EUR"],
    ]
    report = load(engine, contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", events))

    assert report.unconverted == {NO_RATE: 1}
    assert report.lines()[-1] == (
        f"note: 1 purchase (1 in {NO_RATE}) has no rate to USD for its day, so its amount is left out "
        "(TAILOR_RATES_FILE can give the rates)."
    )


def test_an_answer_as_of_a_past_day_converts_at_that_days_rate(store: Engine) -> None:
    as_of = datetime(2025, 3, 3, 12, tzinfo=UTC)
    want = round(900 * ECB.convert(1, "EUR", "USD", as_of.date()), 2)

    definition, notes = SegmentService(store).read("custs w/ spend over €900", as_of)

    assert definition.where is not None and float(definition.where.value) == want  # type: ignore[union-attr]
    assert f"read €900 as ${want:,.2f} (the reference rate of 3 Mar 2025)" in notes


def own_store(engine: Engine, write_csv, events: list[list[str]], pricing: Pricing | None = None) -> None:
    contacts = [["id", "email"], *([c, f"{c}@example.com"] for c in sorted({e[0] for e in events}))]
    header = ["contact_id", "type", "occurred_at", "amount", "currency"]
    sources = ImportSources(
        contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", [header, *events])
    )
    run_import(engine, sources, pricing=pricing)


def test_a_rates_file_for_some_days_leaves_the_ecb_rates_of_the_others(engine: Engine, write_csv) -> None:
    # A file shaped like the ECB's own, with a USD column, for two summer days only.
    rates = write_csv(
        "rates.csv", [["Date", "USD", NO_RATE], ["2026-07-01", "1.1", "0.05"], ["2026-08-31", "1.1", "0.05"]]
    )
    pricing = Pricing("USD", Pricing().rates.also([rates]))
    march = ["eu", "purchase", "2026-03-02T10:00:00Z", "1000", "EUR"]
    own_store(
        engine, write_csv, [march, ["xag", "purchase", "2026-07-15T10:00:00Z", "100", NO_RATE]], pricing
    )

    got, answer = members(SegmentService(engine, pricing=pricing), "custs who spent more than $1,000")

    assert got == {"eu", "xag"}  # 1,000 euros in March at the ECB's rate; 2,000 euros of silver
    assert not [w for w in answer.warnings if "no rate" in w]


def test_a_new_currency_keeps_the_rates_a_file_gave_and_the_currency_of_unstated_amounts(
    engine: Engine, write_csv
) -> None:
    rates = write_csv("rates.csv", [["Date", NO_RATE], ["2020-01-01", "0.05"], ["2027-01-01", "0.05"]])
    own_store(
        engine,
        write_csv,
        [
            ["xag", "purchase", "2026-11-02T10:00:00Z", "100", NO_RATE],  # 2,000 euros
            ["plain", "purchase", "2026-11-02T10:00:00Z", "1500", ""],  # 1,500 dollars, the store's then
        ],
        Pricing("USD", Pricing().rates.also([rates])),
    )
    euro_in_dollars = ECB.convert(1, "EUR", "USD", NEWEST)  # 2 Nov: after the newest rate

    # In euros, without the rates file: the silver keeps the rate it was converted at.
    service = SegmentService(engine, pricing=Pricing("EUR"))
    over = members(service, "custs who spent more than 1,300 euros")[0]
    under = members(service, "custs who spent less than 1,400 euros")[0]

    assert 1500 / euro_in_dollars < 1400 and over == {"xag", "plain"} and under == {"plain"}


def test_a_rates_file_given_after_the_import_converts_what_had_no_rate(engine: Engine, write_csv) -> None:
    own_store(engine, write_csv, [["xag", "purchase", "2026-11-02T10:00:00Z", "100", NO_RATE]])
    before = members(SegmentService(engine), "custs who spent more than $1,000")
    rates = write_csv("rates.csv", [["Date", NO_RATE], ["2020-01-01", "0.05"], ["2027-01-01", "0.05"]])

    after = members(
        SegmentService(engine, pricing=Pricing("USD", Pricing().rates.also([rates]))),
        "custs who spent more than $1,000",
    )

    assert before[0] == set() and [w for w in before[1].warnings if "no rate" in w]
    assert after[0] == {"xag"} and not [w for w in after[1].warnings if "no rate" in w]
