"""Import: what the stored values are, typed, for known and custom columns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from store.models import Campaign, Contact, Event
from tests.store.helpers import contact, counts, fetch, load, properties, property_types

BERLIN = ZoneInfo("Europe/Berlin")

CONTACTS = [
    ["id", "email", "first_name", "birth_date", "timezone", "language", "company_size", "signed_up_at",
     "device", "interests", "email_consent"],
    ["c1", "Ana.Lopez@Example.COM", "Ana", "1990-04-02", "Europe/Berlin", "DE", "250",
     "2026-01-31T09:30:00+01:00", "mobile", "Running; Yoga;running", "Subscribed"],
    ["c2", "bo@example.com", "Bo", "", "", "", "", "2026-01-31T09:30:00Z", "", "", "unsubscribed"],
    ["", "cy@example.com", "Cy", "", "", "", "", "", "", "", "pending"],
]  # fmt: skip
EVENTS = [
    ["contact_id", "type", "occurred_at", "campaign_id", "amount", "currency", "category", "product"],
    ["c1", "email_opened", "2026-02-01T08:00:00Z", "spring", "", "", "", ""],
    ["c1", "purchase", "2026-02-02T12:15:00+02:00", "spring", "19.99", "eur", "shoes", "Runner"],
    ["c2", "Purchase", "2026-02-03 10:00:00Z", "", "5", "USD", "", "Sock"],
    ["cy@example.com", "webinar_attended", "2026-02-04T16:00:00.250000Z", "", "", "", "", ""],
]
CAMPAIGNS = [["id", "name", "subject", "sent_at"], ["spring", "Spring sale", "Hello", "2026-01-30T10:00:00Z"]]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def load_sample(engine, write_csv, **options):
    return load(
        engine,
        contacts=write_csv("contacts.csv", CONTACTS),
        events=write_csv("events.csv", EVENTS),
        campaigns=write_csv("campaigns.csv", CAMPAIGNS),
        **options,
    )


def test_a_small_set_loads_with_the_right_counts(engine, write_csv):
    report = load_sample(engine, write_csv)

    assert {f.kind: counts(f) for f in report.files} == {
        "campaigns": {"rows": 1, "inserted": 1, "updated": 0, "unchanged": 0, "rejected": 0},
        "contacts": {"rows": 3, "inserted": 3, "updated": 0, "unchanged": 0, "rejected": 0},
        "events": {"rows": 4, "inserted": 4, "updated": 0, "unchanged": 0, "rejected": 0},
    }
    assert report.exit_status == 0


def test_contact_values_are_typed(engine, write_csv):
    load_sample(engine, write_csv)

    ana = contact(engine, "c1")
    assert ana.email == "ana.lopez@example.com"
    assert ana.birth_date == date(1990, 4, 2)
    assert ana.company_size == 250
    assert ana.signed_up_at == utc(2026, 1, 31, 8, 30)
    assert ana.interests == "running;yoga"
    assert ana.email_consent == "subscribed"
    assert (ana.timezone, ana.language, ana.device) == ("Europe/Berlin", "de", "mobile")
    bo = contact(engine, "c2")
    assert (bo.birth_date, bo.company_size, bo.interests) == (None, None, None)
    assert bo.email_consent == "unsubscribed"


def test_a_contact_without_id_is_known_by_its_email(engine, write_csv):
    load_sample(engine, write_csv)

    cy = contact(engine, "cy@example.com")
    assert cy.first_name == "Cy"
    assert fetch(engine, select(Event.type).where(Event.contact_id == cy.id)) == [("webinar_attended",)]


def test_event_and_campaign_values_are_typed(engine, write_csv):
    load_sample(engine, write_csv)

    rows = fetch(
        engine,
        select(Contact.external_id, Event.type, Event.occurred_at, Event.campaign_id, Event.amount,
               Event.currency, Event.category, Event.product)
        .join(Contact, Contact.id == Event.contact_id)
        .order_by(Event.occurred_at),
    )  # fmt: skip
    assert [tuple(r) for r in rows] == [
        ("c1", "email_opened", utc(2026, 2, 1, 8), "spring", None, None, None, None),
        ("c1", "purchase", utc(2026, 2, 2, 10, 15), "spring", Decimal("19.99"), "EUR", "shoes", "Runner"),
        ("c2", "purchase", utc(2026, 2, 3, 10), None, Decimal("5"), "USD", None, "Sock"),
        ("cy@example.com", "webinar_attended", datetime(2026, 2, 4, 16, 0, 0, 250000, UTC), None, None, None,
         None, None),
    ]  # fmt: skip
    assert fetch(engine, select(Campaign.external_id, Campaign.name, Campaign.subject, Campaign.sent_at)) == [
        ("spring", "Spring sale", "Hello", utc(2026, 1, 30, 10))
    ]


def test_timestamps_without_an_offset_are_read_in_the_given_zone(engine, write_csv):
    contacts = [["id", "email", "signed_up_at"], ["c1", "a@example.com", "2026-07-01T12:00:00"]]
    events = [
        ["contact_id", "type", "occurred_at"],
        ["c1", "winter", "2026-01-15 09:00"],
        ["c1", "summer", "2026-07-15T09:00:00"],
        ["c1", "day", "2026-01-15"],
        ["c1", "offset", "2026-01-15T09:00:00Z"],
    ]
    load(engine, contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", events), zone=BERLIN)

    assert contact(engine, "c1").signed_up_at == utc(2026, 7, 1, 10)
    assert dict(fetch(engine, select(Event.type, Event.occurred_at))) == {
        "winter": utc(2026, 1, 15, 8),
        "summer": utc(2026, 7, 15, 7),
        "day": utc(2026, 1, 14, 23),
        "offset": utc(2026, 1, 15, 9),
    }


def test_custom_contact_columns_become_typed_properties(engine, write_csv):
    contacts = [
        ["id", "email", "score", "ltv", "vip", "renewal", "last_login", "plan", "mixed", "empty"],
        ["c1", "a@example.com", "12", "99.5", "yes", "2026-05-01", "2026-01-02T10:00:00", "Gold", "7", ""],
        ["c2", "b@example.com", "-3", "100", "False", "", "2026-01-03", "basic", "seven", ""],
        ["c3", "c@example.com", "", "", "", "", "", "", "", ""],
    ]
    load(engine, contacts=write_csv("c.csv", contacts), zone=BERLIN)

    assert properties(engine, Contact) == {
        "c1": {"score": 12, "ltv": 99.5, "vip": True, "renewal": "2026-05-01",
               "last_login": "2026-01-02T09:00:00+00:00", "plan": "Gold", "mixed": "7"},
        "c2": {"score": -3, "ltv": 100.0, "vip": False, "last_login": "2026-01-02T23:00:00+00:00",
               "plan": "basic", "mixed": "seven"},
        "c3": {},
    }  # fmt: skip
    assert property_types(engine) == {
        ("contact", "score"): "integer",
        ("contact", "ltv"): "decimal",
        ("contact", "vip"): "boolean",
        ("contact", "renewal"): "date",
        ("contact", "last_login"): "datetime",
        ("contact", "plan"): "text",
        ("contact", "mixed"): "text",
        ("contact", "empty"): "text",
    }


def test_custom_event_columns_become_typed_properties(engine, write_csv):
    contacts = [["id", "email"], ["c1", "a@example.com"]]
    events = [
        ["contact_id", "type", "occurred_at", "product", "seats", "price", "gift", "due", "coupon"],
        ["c1", "purchase", "2026-02-01T10:00:00Z", "p1", "2", "9.5", "true", "2026-03-01", "SPRING"],
        ["c1", "purchase", "2026-02-02T10:00:00Z", "p2", "10", "12", "no", "", "20"],
        ["c1", "purchase", "2026-02-03T10:00:00Z", "p3", "", "", "", "", ""],
    ]
    load(engine, contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", events))

    assert properties(engine, Event) == {
        "p1": {"seats": 2, "price": 9.5, "gift": True, "due": "2026-03-01", "coupon": "SPRING"},
        "p2": {"seats": 10, "price": 12, "gift": False, "coupon": "20"},
        "p3": None,
    }
    assert property_types(engine) == {
        ("event", "seats"): "integer",
        ("event", "price"): "decimal",
        ("event", "gift"): "boolean",
        ("event", "due"): "date",
        ("event", "coupon"): "text",
    }


def test_an_event_datetime_property_is_stored_in_utc_like_a_contacts(engine, write_csv):
    contacts = [["id", "email", "seen"], ["c1", "a@example.com", "2026-01-02T10:00:00"]]
    events = [
        ["contact_id", "type", "occurred_at", "seen"],
        ["c1", "visit", "2026-02-01T10:00:00Z", "2026-01-02T10:00:00"],
    ]
    load(engine, contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", events), zone=BERLIN)

    assert properties(engine, Contact)["c1"] == {"seen": "2026-01-02T09:00:00+00:00"}
    assert fetch(engine, select(Event.properties)) == [({"seen": "2026-01-02T09:00:00+00:00"},)]


def test_header_names_in_other_spellings_map_to_known_columns(engine, write_csv):
    contacts = [
        ["ID", "Email", "First Name", "last-name", " Birth Date ", "Email Consent"],
        ["c1", "a@example.com", "Ana", "Lopez", "1990-04-02", "pending"],
    ]
    load(engine, contacts=write_csv("c.csv", contacts))

    ana = contact(engine, "c1")
    assert (ana.first_name, ana.last_name, ana.birth_date, ana.email_consent) == (
        "Ana", "Lopez", date(1990, 4, 2), "pending",
    )  # fmt: skip
    assert ana.properties == {}


def test_files_with_a_utf8_byte_order_mark_load(engine, write_csv):
    contacts = [["id", "email", "city"], ["c1", "a@example.com", "Zürich"]]
    events = [["contact_id", "type", "occurred_at"], ["c1", "visit", "2026-02-01T10:00:00Z"]]
    report = load(
        engine,
        contacts=write_csv("c.csv", contacts, encoding="utf-8-sig"),
        events=write_csv("e.csv", events, encoding="utf-8-sig"),
    )

    assert [f.inserted for f in report.files] == [1, 1]
    assert contact(engine, "c1").city == "Zürich"
