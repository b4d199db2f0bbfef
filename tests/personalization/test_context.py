"""Each recipient's template variables on both databases, from a small shop loaded by the real
import: runners, yogis and cyclists whose purchases overlap, one who bought all but one product,
one who bought nothing, and contacts at every lifecycle stage."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event

from personalization.context import LIFECYCLE, OTHER, RECOMMENDATIONS, Catalog, Contexts, Product
from segments.definition import Definition
from segments.members import Recipient
from segments.service import Answer, SegmentService
from tests.store.helpers import load

AS_OF = datetime(2026, 12, 7, 12, tzinfo=UTC)
LONG_AGO = "2024-03-01T09:00:00Z"
CATEGORY = {
    "Trail Shoes": "running", "Running Socks": "running", "Headlamp": "running",
    "Yoga Mat": "yoga", "Yoga Blocks": "yoga", "Yoga Strap": "yoga",
    "Bike Helmet": "cycling", "Bike Lights": "cycling", "Bike Bell": "cycling",
}  # fmt: skip
CONTACT_HEADER = ["id", "email", "first_name", "language", "country", "signed_up_at", "email_consent",
                  "company", "plan", "score", "renewal_date"]  # fmt: skip
CONTACTS = [
    ["c01", "anna@example.com", "Anna", "de", "Germany", LONG_AGO, "subscribed", "", "gold", "7",
     "2027-01-15"],
    ["c02", "noname@example.com", "", "fr", "France", LONG_AGO, "subscribed", "Atelier", "", "", ""],
    ["c03", "newbie@example.com", "Nora", "en", "United States", "2026-12-01T08:00:00Z", "subscribed",
     "", "", "", ""],
    ["c04", "reader@example.com", "Pierre", "fr", "France", LONG_AGO, "subscribed", "", "silver", "3", ""],
    ["c05", "allin@example.com", "Max", "de", "Austria", LONG_AGO, "subscribed", "", "gold", "9", ""],
    ["c06", "quiet@example.com", "Olive", "en", "United Kingdom", LONG_AGO, "unsubscribed", "", "", "", ""],
    *([f"c{n:02d}", f"runner{n}@example.com", "" if n == 9 else f"Runner{n}", ("en", "de", "fr")[n % 3],
       "", LONG_AGO, "subscribed", "", "", str(n), ""] for n in range(7, 13)),
    *([f"c{n}", f"yogi{n}@example.com", f"Yogi{n}", "en", "Canada", LONG_AGO, "pending", "", "", "", ""]
      for n in range(13, 17)),
    *([f"c{n}", f"cyclist{n}@example.com", f"Cyclist{n}", "de", "Germany", LONG_AGO, "subscribed", "",
       "", "", ""] for n in range(17, 19)),
    ["c19", "junk@example.com", "Jun", "xx", "", LONG_AGO, "subscribed", "", "", "", ""],
    ["c20", "bell@example.com", "Bea", "en", "Ireland", LONG_AGO, "subscribed", "", "", "", ""],
]  # fmt: skip
#: (contact, product, days before AS_OF, amount, currency); every product's category is CATEGORY's.
PURCHASES = [
    ("c01", "Trail Shoes", 10, "120.00", "EUR"),
    ("c01", "Running Socks", 200, "15.50", "EUR"),
    ("c02", "Yoga Mat", 120, "45.00", ""),  # no currency: the store's
    *(("c05", product, 30 + i * 20, "400.00", "USD")
      for i, product in enumerate(CATEGORY) if product != "Bike Bell"),
    *((f"c{n:02d}", "Trail Shoes", 5 * n, "110.00", "USD") for n in range(7, 13)),
    *((f"c{n:02d}", "Running Socks", 5 * n + 100, "12.00", "USD") for n in range(7, 12)),
    ("c07", "Headlamp", 140, "60.00", "USD"),
    ("c08", "Headlamp", 20, "60.00", "GBP"),
    *((f"c{n}", "Yoga Mat", 150 + n, "50.00", "USD") for n in range(13, 17)),
    *((f"c{n}", "Yoga Blocks", 20 + n, "20.00", "USD") for n in range(13, 16)),
    ("c16", "Yoga Strap", 300, "9.00", "USD"),
    ("c17", "Bike Helmet", 12, "900.00", "USD"),
    ("c17", "Bike Lights", 12, "80.00", "USD"),
    ("c18", "Bike Helmet", 400, "700.00", "USD"),
    ("c20", "Bike Bell", 3, "8.00", "USD"),
]  # fmt: skip
#: (contact, type, days before AS_OF)
ENGAGEMENT = [
    ("c04", "email_opened", 1), ("c04", "email_opened", 10), ("c04", "email_opened", 40),
    ("c04", "email_opened", 200), ("c04", "email_clicked", 10), ("c04", "email_clicked", 150),
    ("c01", "email_opened", 5), ("c01", "email_opened", -1), ("c06", "email_clicked", 95),
]  # fmt: skip
#: The preset segments' phrases, as a marketer types them.
PHRASES = {
    "high_value": "high-value customers",
    "active": "active buyers",
    "lapsed": "lapsed customers",
    "new": "new subscribers",
    "passive": "passive subscribers",
}


def at(days_before: int) -> datetime:
    return AS_OF - timedelta(days=days_before, hours=1)


@pytest.fixture
def shop(engine: Engine, write_csv) -> Engine:
    events = [["contact_id", "type", "occurred_at", "amount", "currency", "category", "product"]]
    for contact, product, before, amount, currency in PURCHASES:
        events.append(
            [contact, "purchase", at(before).isoformat(), amount, currency, CATEGORY[product], product]
        )
    for contact, kind, before in ENGAGEMENT:
        events.append([contact, kind, at(before).isoformat(), "", "", "", ""])
    report = load(
        engine,
        contacts=write_csv("contacts.csv", [CONTACT_HEADER, *CONTACTS]),
        events=write_csv("events.csv", events),
    )
    assert [file.rejected for file in report.files] == [0, 0]
    return engine


@pytest.fixture
def service(shop: Engine) -> SegmentService:
    return SegmentService(shop)


def everyone(service: SegmentService) -> list[Recipient]:
    return [r for batch in service.recipients(Definition(), AS_OF, reachable_only=False) for r in batch]


@pytest.fixture
def contexts(service: SegmentService) -> dict[str, dict[str, Any]]:
    """Every contact's variables, by external id, from one batch."""
    recipients = everyone(service)
    with service.engine.connect() as conn:
        found = Contexts(conn, AS_OF, service.pricing).batch(conn, recipients)
    return {r.external_id: variables for r, variables in zip(recipients, found, strict=True)}


def bought_by_contact() -> dict[str, set[str]]:
    bought: dict[str, set[str]] = defaultdict(set)
    for contact, product, *_ in PURCHASES:
        bought[contact].add(product)
    return bought


def test_a_contacts_fields_are_its_row_and_its_custom_properties(contexts) -> None:
    anna = contexts["c01"]
    assert anna["first_name"] == "Anna" and anna["email"] == "anna@example.com"
    assert (anna["language"], anna["country"], anna["external_id"]) == ("de", "Germany", "c01")
    assert anna["signed_up_at"] == datetime(2024, 3, 1, 9, tzinfo=UTC)
    assert (anna["plan"], anna["score"], anna["renewal_date"]) == ("gold", 7, date(2027, 1, 15))
    assert "company" not in anna  # empty: left out, so that default() fills it in


def test_empty_fields_are_left_out(contexts) -> None:
    nameless = contexts["c02"]
    assert "first_name" not in nameless and "plan" not in nameless and "score" not in nameless
    assert nameless["company"] == "Atelier"
    assert "first_name" not in contexts["c09"]
    for variables in contexts.values():
        assert all(value is not None and value != "" for value in variables.values())
        assert not {"id", "properties"} & set(variables)


def test_the_last_purchase_is_the_latest_up_to_as_of_in_its_own_currency(contexts) -> None:
    assert contexts["c01"]["last_purchase"] == {
        "product": "Trail Shoes",
        "category": "running",
        "amount": Decimal("120.00"),
        "currency": "EUR",
        "at": at(10),
    }
    assert contexts["c01"]["last_purchase"]["at"].tzinfo is not None
    assert contexts["c08"]["last_purchase"]["currency"] == "GBP"
    unstated = contexts["c02"]["last_purchase"]
    assert (unstated["product"], unstated["currency"], unstated["amount"]) == ("Yoga Mat", "USD", Decimal(45))
    assert "last_purchase" not in contexts["c04"]


def test_the_last_purchase_is_the_latest_as_of_an_earlier_day(service: SegmentService) -> None:
    anna = next(r for r in everyone(service) if r.external_id == "c01")
    with service.engine.connect() as conn:
        [then] = Contexts(conn, at(11), service.pricing).batch(conn, [anna])
    assert (then["last_purchase"]["product"], then["last_purchase"]["at"]) == ("Running Socks", at(200))
    assert "Trail Shoes" in [r["product"] for r in then["recommendations"]]  # not bought yet then


def test_recommendations_follow_the_three_steps(contexts) -> None:
    def names(contact: str) -> list[str]:
        return [r["product"] for r in contexts[contact]["recommendations"]]

    # Buyers of Trail Shoes and Running Socks also bought Headlamps (3 each: 6), and c05 everything.
    assert names("c01") == ["Headlamp", "Bike Helmet", "Bike Lights"]
    assert contexts["c01"]["recommendations"][0] == {"product": "Headlamp", "category": "running"}
    # The Yoga Mat's buyers bought Yoga Blocks (4), then the Strap (2), then c05's others by name.
    assert names("c02") == ["Yoga Blocks", "Yoga Strap", "Bike Helmet"]
    # Nobody else bought a Bike Bell: cycling's best sellers, then the store's.
    assert names("c20") == ["Bike Helmet", "Bike Lights", "Trail Shoes"]
    # No purchase: the store's best sellers, by buyers.
    assert names("c04") == ["Trail Shoes", "Running Socks", "Yoga Mat"]
    # Everything but the bell: the bell alone.
    assert names("c05") == ["Bike Bell"]


def test_recommendations_never_hold_a_bought_product_nor_one_twice(contexts) -> None:
    bought = bought_by_contact()
    products = set(CATEGORY)
    for contact, variables in contexts.items():
        names = [r["product"] for r in variables["recommendations"]]
        assert not set(names) & bought[contact], contact
        assert len(names) == len(set(names)) == min(RECOMMENDATIONS, len(products - bought[contact]))
        assert all(r.get("category") == CATEGORY[r["product"]] for r in variables["recommendations"])


def test_a_catalog_fills_from_the_top_category_then_the_best_sellers() -> None:
    shoes, socks = Product("Shoes", "running"), Product("Socks", "running")
    mat, cap = Product("Mat", "yoga"), Product("Cap", None)
    catalog = Catalog(
        best_sellers=[mat, shoes, socks, cap],
        by_category={"running": [shoes, socks], "yoga": [mat]},
        related={"Socks": [("Cap", 1)]},
    )
    assert catalog.recommend({"Socks"}, "running") == [cap, shoes, mat]
    assert catalog.recommend({"Shoes", "Socks", "Cap"}, "running") == [mat]
    assert catalog.recommend(set(), None, n=2) == [mat, shoes]


def test_the_lifecycle_is_the_preset_segments_membership(contexts, service: SegmentService) -> None:
    members = {}
    for stage, phrase in PHRASES.items():
        answer = service.answer(phrase, AS_OF, members=True)
        assert isinstance(answer, Answer), answer
        members[stage] = set(answer.members or [])
    for contact, variables in contexts.items():
        expected = next((stage for stage in LIFECYCLE if contact in members[stage]), OTHER)
        assert variables["lifecycle"] == expected, contact
    stages = {variables["lifecycle"] for variables in contexts.values()}
    assert stages == {*LIFECYCLE, OTHER}  # the shop has every stage
    assert (contexts["c05"]["lifecycle"], contexts["c03"]["lifecycle"]) == ("high_value", "new")
    assert (contexts["c06"]["lifecycle"], contexts["c19"]["lifecycle"]) == ("passive", OTHER)  # a click


def test_rfm_quintiles_are_given_to_purchasers_only(contexts, service: SegmentService) -> None:
    bought = bought_by_contact()
    for contact, variables in contexts.items():
        if contact in bought:
            assert all(1 <= variables["rfm"][k] <= 5 for k in "rfm"), contact
        else:
            assert "rfm" not in variables, contact
    answer = service.answer("VIP", AS_OF, members=True)
    assert isinstance(answer, Answer) and len(answer.members or []) == 1
    best = max(sum(v["rfm"].values()) for v in contexts.values() if "rfm" in v)
    assert sum(contexts[(answer.members or [])[0]]["rfm"].values()) == best


def test_engagement_counts_the_last_90_days(contexts) -> None:
    assert contexts["c04"]["engagement"] == {"opens": 3, "clicks": 1, "last_opened_at": at(1)}
    assert contexts["c01"]["engagement"] == {"opens": 1, "clicks": 0, "last_opened_at": at(5)}
    assert contexts["c06"]["engagement"] == {"opens": 0, "clicks": 0}
    assert contexts["c19"]["engagement"] == {"opens": 0, "clicks": 0}


def test_campaign_and_unsubscribe_link_when_given(service: SegmentService) -> None:
    recipients = everyone(service)[::-1][:4]
    with service.engine.connect() as conn:
        found = Contexts(conn, AS_OF, service.pricing).batch(
            conn,
            recipients,
            campaign="Winter sale",
            unsubscribe_url=lambda r: f"https://x.test/u/{r.external_id}",
        )
        plain = Contexts(service.engine, AS_OF).batch(conn, recipients[:1])
    assert [v["email"] for v in found] == [r.email for r in recipients]  # in the order given
    assert all(v["campaign"] == {"name": "Winter sale"} for v in found)
    assert [v["unsubscribe_url"] for v in found] == [f"https://x.test/u/{r.external_id}" for r in recipients]
    assert "campaign" not in plain[0] and "unsubscribe_url" not in plain[0]


@pytest.fixture
def statements(shop: Engine) -> Iterator[list[str]]:
    executed: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        executed.append(statement)

    event.listen(shop, "before_cursor_execute", count)
    yield executed
    event.remove(shop, "before_cursor_execute", count)


def test_a_batch_costs_the_same_few_queries_whatever_its_size(service: SegmentService, statements) -> None:
    recipients = everyone(service)
    with service.engine.connect() as conn:
        contexts = Contexts(conn, AS_OF, service.pricing)
        counts = []
        for size in (1, 5, len(recipients)):
            statements.clear()
            assert len(contexts.batch(conn, recipients[:size])) == size
            counts.append(len(statements))
    assert counts == [3, 3, 3]


def test_related_keeps_the_ties_at_the_last_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """As SQL's `rank() <= RELATED` did: those tied with the last kept place are kept too."""
    from personalization import context

    monkeypatch.setattr(context, "RELATED", 2)
    baskets = {frozenset(pair): n for pair, n in (("AB", 3), ("AC", 2), ("AD", 2), ("AE", 1), ("F", 5))}
    related = context._related(baskets)
    assert related["A"] == [("B", 3), ("C", 2), ("D", 2)]
    assert related["E"] == [("A", 1)] and "F" not in related
