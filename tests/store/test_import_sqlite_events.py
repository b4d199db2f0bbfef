"""Events on SQLite: rows that share a quick path with good ones are still checked, on both
databases alike; the cache of checked details, the page cache, the planner's statistics, and
the second process that reads a large file."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from store.db import SQLITE_CACHE_KIB
from store.importer import rows
from store.importer import sqlite as sqlite_loader
from store.models import Contact, Event
from tests.store.helpers import count, fetch, load, rejections
from tests.store.test_import_rejections import load_bad_event_values
from tests.store.test_import_repeats import generated_events

CONTACTS = [["id", "email"], ["c1", "a@example.com"], ["c2", "b@example.com"]]
HEADER = ["contact_id", "type", "occurred_at", "amount", "product"]
only_sqlite = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def test_rows_with_the_details_of_a_good_row_are_checked_like_any_other(engine, write_csv):
    events = [
        HEADER,
        ["c1", "purchase", "2026-02-01T10:00:00Z", "12.50", "Runner"],
        ["c9", "purchase", "2026-02-02T10:00:00Z", "12.50", "Runner"],
        ["c1", "purchase", "2026-02-30T10:00:00Z", "12.50", "Runner"],
        ["c1", "purchase", "2026-02-03 10:00", "12.50", "Runner"],
        [" c2 ", "purchase", "2026-02-04T10:00:00Z", "12.50", "Runner"],
        ["c1", "purchase", "2026-02-05T10:00:00Z", "twelve", "Runner"],
        ["c1", " Purchase", "2026-02-01T10:00:00Z", "12.5", "Runner"],  # line 2 spelt otherwise
    ]

    report = load(engine, contacts=write_csv("c.csv", CONTACTS), events=write_csv("e.csv", events))

    assert rejections(report.files[1]) == {
        3: "unknown contact 'c9'",
        4: "occurred_at: no such date/time: '2026-02-30T10:00:00Z'",
        7: "amount: not a number: 'twelve'",
    }
    stored = fetch(
        engine,
        select(Contact.external_id, Event.occurred_at, Event.amount)
        .join(Contact, Contact.id == Event.contact_id)
        .order_by(Event.occurred_at),
    )
    assert [tuple(row) for row in stored] == [
        ("c1", datetime(2026, 2, 1, 10, tzinfo=UTC), Decimal("12.5")),
        ("c1", datetime(2026, 2, 3, 10, tzinfo=UTC), Decimal("12.5")),
        ("c2", datetime(2026, 2, 4, 10, tzinfo=UTC), Decimal("12.5")),
    ]
    assert (report.files[1].inserted, report.files[1].unchanged) == (3, 1)


@only_sqlite
def test_a_cache_of_checked_details_that_overflows_gives_the_same_events(engine, write_csv, monkeypatch):
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(10))]
    events = generated_events(10, 400)
    monkeypatch.setattr(rows, "KEPT_DETAILS", 3)

    load(engine, contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", events))

    stored = fetch(engine, select(Event.type, Event.amount).order_by(Event.occurred_at))
    written = [(kind, Decimal(amount) if amount else None) for _, kind, _, amount, _ in events[1:]]
    assert [tuple(row) for row in stored] == written


@only_sqlite
def test_the_page_cache_is_set_back_after_loading_events(engine, write_csv):
    events = [HEADER, ["c1", "visit", "2026-02-01T10:00:00Z", "", ""]]

    load(engine, contacts=write_csv("c.csv", CONTACTS), events=write_csv("e.csv", events))

    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == -SQLITE_CACHE_KIB


@only_sqlite
def test_a_large_load_leaves_statistics_that_count_every_event(engine, write_csv):
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(100))]
    events = generated_events(100, 2_000)

    load(engine, contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", events))

    query = text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_events_type_occurred_at_contact_id'")
    [(stat,)] = fetch(engine, query)
    assert stat.split()[:2] == ["2000", "500"]  # every event, of four types
    assert count(engine, Event) == 2_000


@pytest.fixture
def row_worker(monkeypatch):
    """Every events file is read by the second process, whatever its size and the cores."""
    monkeypatch.setattr(sqlite_loader, "WORKER_BYTES", 0)
    monkeypatch.setattr(sqlite_loader, "spare_core", lambda: True)


@only_sqlite
def test_events_read_by_a_second_process_load_and_are_rejected_as_in_this_one(engine, write_csv, row_worker):
    load_bad_event_values(engine, write_csv)

    stored = fetch(engine, select(Event.amount).order_by(Event.amount))
    assert [row.amount for row in stored] == sorted(Decimal(f"{n}.5") for n in range(40))


@only_sqlite
def test_lines_that_the_second_process_cannot_read_are_rejected_by_their_line(engine, write_csv, row_worker):
    products = ["L\u00f6we" if n % 500 == 7 else f"p{n}" for n in range(2000)]
    rows = (["c1", "visit", f"2026-02-01T10:{n % 60:02d}:00Z", "", p] for n, p in enumerate(products))
    path = write_csv("events.csv", [HEADER, *rows], encoding="latin-1")

    report = load(engine, contacts=write_csv("c.csv", CONTACTS), events=path)

    reason = "not UTF-8 text (byte 0xF6 at position 33 of the line); save the file as UTF-8"
    assert rejections(report.files[1]) == {line: reason for line in (9, 509, 1009, 1509)}
    assert count(engine, Event) == 1996
