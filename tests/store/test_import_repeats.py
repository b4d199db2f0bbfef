"""Import is idempotent: the same rows twice are one row; a later file merges into what is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect

from store.models import Contact, Event
from tests.store.helpers import contact, count, counts, load, properties, property_types, table_counts

CONTACTS = [
    ["id", "email", "first_name", "city", "score", "vip"],
    ["c1", "a@example.com", "Ana", "Lyon", "5", "yes"],
    ["c2", "b@example.com", "Bo", "Oslo", "7", "no"],
]
EVENTS = [
    ["contact_id", "type", "occurred_at", "amount", "product", "seats"],
    ["c1", "purchase", "2026-02-01T10:00:00Z", "12.50", "Runner", "2"],
    ["c1", "email_opened", "2026-02-01T11:00:00", "", "", ""],
    ["c2", "purchase", "2026-02-02", "3", "Sock", "1"],
]
CAMPAIGNS = [["id", "name", "sent_at"], ["k1", "Spring", "2026-01-30T10:00:00Z"]]


def test_importing_the_same_files_twice_changes_nothing(engine, write_csv):
    files = {
        "contacts": write_csv("contacts.csv", CONTACTS),
        "events": write_csv("events.csv", EVENTS),
        "campaigns": write_csv("campaigns.csv", CAMPAIGNS),
    }
    load(engine, **files)
    before = table_counts(engine)

    second = load(engine, **files)

    assert table_counts(engine) == before
    assert before == {"contacts": 2, "events": 3, "campaigns": 1, "custom_properties": 3}
    assert [counts(f) for f in second.files] == [
        {"rows": n, "inserted": 0, "updated": 0, "unchanged": n, "rejected": 0} for n in (1, 2, 3)
    ]


def test_repeated_event_rows_in_one_file_load_once(engine, write_csv):
    load(engine, contacts=write_csv("contacts.csv", CONTACTS))
    header = ["contact_id", "type", "occurred_at", "amount", "product"]
    a, b, c, d = (["c1", "purchase", f"2026-02-0{n}T10:00:00Z", "12.50", "Runner"] for n in range(1, 5))
    a_spelt_otherwise = ["c1", " Purchase ", " 2026-02-01T10:00:00Z ", "12.5", "Runner"]

    # Into an empty table (PostgreSQL: the bulk path, without keys while loading) ...
    first = load(engine, events=write_csv("e1.csv", [header, a, a, b, a_spelt_otherwise, c, b]))
    assert (count(engine, Event), first.files[0].inserted, first.files[0].unchanged) == (3, 3, 3)

    # ... and into a table with more rows than the file (PostgreSQL: ON CONFLICT DO NOTHING).
    second = load(engine, events=write_csv("e2.csv", [header, d, d, a]))
    assert (count(engine, Event), second.files[0].inserted, second.files[0].unchanged) == (4, 1, 2)


def test_events_that_differ_beyond_contact_type_and_time_are_kept_apart(engine, write_csv):
    load(engine, contacts=write_csv("contacts.csv", CONTACTS))
    header = ["contact_id", "type", "occurred_at", "product"]
    runner, sock = (["c1", "purchase", "2026-02-01T10:00:00Z", product] for product in ("Runner", "Sock"))

    report = load(engine, events=write_csv("e.csv", [header, runner, sock]))

    assert (count(engine, Event), report.files[0].inserted) == (2, 2)


def test_a_reimport_with_some_columns_keeps_the_others(engine, write_csv):
    load(engine, contacts=write_csv("contacts.csv", CONTACTS))

    cities = [["id", "email", "city"], ["c1", "a@example.com", "Paris"]]

    report = load(engine, contacts=write_csv("cities.csv", cities))

    ana = contact(engine, "c1")
    assert (ana.first_name, ana.city, ana.properties) == ("Ana", "Paris", {"score": 5, "vip": True})
    assert (report.files[0].updated, report.files[0].unchanged) == (1, 0)
    assert contact(engine, "c2").city == "Oslo"


def test_a_reimport_merges_custom_properties(engine, write_csv):
    load(engine, contacts=write_csv("contacts.csv", CONTACTS))

    more = [["id", "email", "score", "plan"], ["c1", "a@example.com", "6", "gold"]]

    load(engine, contacts=write_csv("more.csv", more))

    assert properties(engine, Contact) == {
        "c1": {"score": 6, "vip": True, "plan": "gold"},
        "c2": {"score": 7, "vip": False},
    }


def test_an_empty_known_cell_in_a_reimport_clears_the_value(engine, write_csv):
    load(engine, contacts=write_csv("contacts.csv", CONTACTS))

    load(engine, contacts=write_csv("cities.csv", [["id", "email", "city"], ["c1", "a@example.com", ""]]))

    assert contact(engine, "c1").city is None


def test_an_empty_custom_cell_in_a_reimport_clears_the_property(engine, write_csv):
    load(engine, contacts=write_csv("contacts.csv", CONTACTS))

    scores = [["id", "email", "score"], ["c1", "a@example.com", ""]]

    report = load(engine, contacts=write_csv("scores.csv", scores))

    assert contact(engine, "c1").properties == {"vip": True}
    assert report.files[0].updated == 1


def test_a_reimport_with_empty_custom_cells_keeps_the_property_type(engine, write_csv):
    load(engine, contacts=write_csv("contacts.csv", CONTACTS))

    load(engine, contacts=write_csv("scores.csv", [["id", "email", "score"], ["c2", "b@example.com", ""]]))

    assert property_types(engine)[("contact", "score")] == "integer"


def test_a_reimport_with_wider_values_widens_the_property_type(engine, write_csv):
    load(engine, contacts=write_csv("contacts.csv", CONTACTS))

    load(engine, contacts=write_csv("scores.csv", [["id", "email", "score"], ["c2", "b@example.com", "7.5"]]))

    assert property_types(engine)[("contact", "score")] == "decimal"
    assert properties(engine, Contact)["c2"]["score"] == 7.5


def generated_events(contacts: int, count: int, start: int = 0) -> list[list[str]]:
    """`count` distinct events, numbered from `start`, spread over `contacts` contacts."""
    types = ("email_sent", "email_opened", "purchase", "product_viewed")
    base = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [["contact_id", "type", "occurred_at", "amount", "category"]]
    for n in range(start, start + count):
        at = (base + timedelta(minutes=7 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        amount = f"{n % 90}.{n % 100:02d}" if n % 4 == 2 else ""
        rows.append([f"c{n % contacts}", types[n % 4], at, amount, "shoes"])
    return rows


def test_a_large_file_loads_in_bulk_and_a_later_small_one_adds_only_new_rows(engine, write_csv):
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(1000))]
    load(engine, contacts=write_csv("contacts.csv", contacts))

    bulk = load(engine, events=write_csv("events.csv", generated_events(1000, 50_000)))
    assert (count(engine, Event), bulk.files[0].inserted, bulk.files[0].rejected) == (50_000, 50_000, 0)

    overlapping = generated_events(1000, 1_000, start=49_500)  # 500 stored, 500 new
    later = load(engine, events=write_csv("later.csv", overlapping))
    assert (later.files[0].inserted, later.files[0].unchanged) == (500, 500)
    assert count(engine, Event) == 50_500

    schema = inspect(engine)
    assert schema.get_pk_constraint("events")["name"] == "pk_events"
    assert [i["name"] for i in schema.get_indexes("events")] == ["ix_events_type_occurred_at_contact_id"]
