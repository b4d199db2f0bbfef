"""Rows that the bulk loaders take by a quick path are checked and stored like any other."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import OperationalError

from store import derived
from store.db import create_store_engine, normalize_url
from store.importer import ImportFailed, service
from store.importer.postgres_stage import AHEAD_PREFIX, EDGE_SLICE, space_at_edge
from store.migrate import upgrade
from store.models import Contact, Event
from tests.conftest import DATABASES, POSTGRES_URL, PROJECT
from tests.store.helpers import count, fetch, load, rejections, staging_tables
from tests.store.test_import_repeats import generated_events

CONTACTS = [["id", "email"], ["c1", "a@example.com"], ["c2", "b@example.com"]]
HEADER = ["contact_id", "type", "occurred_at", "currency"]
GOOD = ["c1", "visit", "2026-02-01T10:00:00Z", ""]
#: Stamps of the common form '2026-01-31T09:00:00Z' that PostgreSQL reads without complaint,
#: as another time or year, and that only the check after the cast refuses.
READ_OTHERWISE = ["2026-02-01T24:00:00Z", "2026-02-01T10:00:60Z", "2026-02-01T10:00:0.Z",
                  "0999-01-01T00:00:00Z", "3000-01-01T00:00:00Z"]  # fmt: skip
#: An event that another import tries to write while a first load is built.
WRITTEN_MEANWHILE = {
    "contact_id": 1,
    "type": "visit",
    "occurred_at": datetime(2026, 2, 1, tzinfo=UTC),
    "fingerprint": 0,
}
#: For what only the PostgreSQL path does.
only_postgresql = pytest.mark.parametrize("database", [d for d in DATABASES if d != "sqlite"], indirect=True)


def test_common_form_stamps_read_as_another_time_are_rejected(engine, write_csv):
    events = [HEADER, GOOD, *(["c1", "visit", stamp, ""] for stamp in READ_OTHERWISE)]

    report = load(engine, contacts=write_csv("c.csv", CONTACTS), events=write_csv("e.csv", events))

    assert rejections(report.files[1]) == {
        line: f"occurred_at: not an ISO 8601 date/time: {stamp!r}"
        for line, stamp in enumerate(READ_OTHERWISE, start=3)
    }
    assert count(engine, Event) == 1


@pytest.mark.parametrize(
    ("kind", "currency", "stored"),
    [
        ("Visit", "eur", ("visit", "EUR")),  # an ASCII file
        (" ÉTÉ_Promo ", " eur ", ("été_promo", "EUR")),  # spaces to trim, letters beyond ASCII
    ],
)
def test_types_and_currencies_are_stored_in_one_case(engine, write_csv, kind, currency, stored):
    events = [HEADER, ["c1", kind, "2026-02-01T10:00:00Z", currency]]

    load(engine, contacts=write_csv("c.csv", CONTACTS), events=write_csv("e.csv", events))

    assert fetch(engine, select(Event.type, Event.currency)) == [stored]


def test_a_large_file_that_repeats_stored_and_own_events_keeps_one_of_each(engine, write_csv):
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(100))]
    load(engine, contacts=write_csv("contacts.csv", contacts))
    load(engine, events=write_csv("stored.csv", generated_events(100, 1_000)))

    # 2,500 rows, more than twice the stored ones (PostgreSQL: the bulk path, keys built after):
    # 500 stored events and 1,500 new ones, 500 of which twice.
    bulk = [*generated_events(100, 2_000, start=500), *generated_events(100, 500, start=1_000)[1:]]
    report = load(engine, events=write_csv("bulk.csv", bulk))

    assert (report.files[0].inserted, report.files[0].unchanged) == (1_500, 1_000)
    assert count(engine, Event) == 2_500


@only_postgresql
def test_the_table_staged_ahead_is_dropped_after_the_import(engine, write_csv):
    load(engine, contacts=write_csv("c.csv", CONTACTS), events=write_csv("e.csv", [HEADER, GOOD]))

    assert staging_tables(engine) == []


@only_postgresql
def test_a_failed_import_drops_the_table_staged_ahead(engine, write_csv, monkeypatch):
    def failing(*args) -> None:
        raise ImportFailed("c.csv: cannot read: gone")  # as if the file went while it was read

    monkeypatch.setattr(service, "merge_attributes", failing)

    with pytest.raises(ImportFailed, match="cannot read"):
        load(engine, contacts=write_csv("c.csv", CONTACTS), events=write_csv("e.csv", [HEADER, GOOD]))

    assert staging_tables(engine) == []


#: A staged file's table, and a table built on a side connection (`EventsAhead.side_table`).
LEFT_BEHIND = {"staged": f"{AHEAD_PREFIX}0", "side": f"{AHEAD_PREFIX}{'0' * 32}_events"}


@only_postgresql
@pytest.mark.parametrize("next_file", ["events", "contacts"])
@pytest.mark.parametrize("left", list(LEFT_BEHIND.values()), ids=list(LEFT_BEHIND))
def test_a_table_left_behind_by_an_import_that_died_is_dropped_by_the_next(
    engine, write_csv, left, next_file
):
    load(engine, contacts=write_csv("c.csv", CONTACTS))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE UNLOGGED TABLE {left} (line bigint)"))

    files = {"events": [HEADER, GOOD], "contacts": CONTACTS}
    load(engine, **{next_file: write_csv("next.csv", files[next_file])})

    assert staging_tables(engine) == []


@only_postgresql
def test_the_tables_of_a_killed_import_are_dropped_by_the_next(database_url, engine, tmp_path, write_csv):
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(1000))]
    events = tmp_path / "events.csv"
    rows = (f"c{n % 1000},visit,2026-02-01T10:{n % 60:02d}:00Z,p{n}\n" for n in range(400_000))
    events.write_text("contact_id,type,occurred_at,product\n" + "".join(rows))
    command = [sys.executable, "app.py", "import", "--db", database_url, "--events", str(events),
               "--contacts", str(write_csv("c.csv", contacts))]  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TAILOR_")}
    importing = subprocess.Popen(command, cwd=PROJECT, env=environment, stdout=subprocess.DEVNULL)
    try:
        _wait_for_a_staging_table(engine, importing)
    finally:
        importing.kill()  # SIGKILL: no finally of the import runs
        importing.wait()
    left = staging_tables(engine)
    assert left  # what a killed import leaves
    _wait_for_the_sessions_of(engine, left)

    load(engine, contacts=write_csv("next.csv", CONTACTS))

    assert staging_tables(engine) == []


def _wait_for_a_staging_table(engine: Engine, importing: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not staging_tables(engine):
        assert importing.poll() is None, "the import ended before it staged its events"
        assert time.monotonic() < deadline, "no table staged in a minute"
        time.sleep(0.01)


def _wait_for_the_sessions_of(engine: Engine, tables: list[str]) -> None:
    """Until the server has ended the sessions of the killed process, which hold a lock per table."""
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        for table in tables:
            while not conn.execute(text("SELECT pg_try_advisory_lock(hashtext(:t))"), {"t": table}).scalar():
                assert time.monotonic() < deadline, "the killed import's sessions did not end"
                time.sleep(0.05)
            conn.execute(text("SELECT pg_advisory_unlock(hashtext(:t))"), {"t": table})
        conn.rollback()


@only_postgresql
def test_an_import_that_fails_after_building_a_first_load_loads_nothing(engine, write_csv, monkeypatch):
    """The events are built and indexed on other connections; a failure after that leaves no trace."""

    asked = []

    def failing(conn, pricing, events=Event.__table__) -> None:
        asked.append(events.name)
        raise RuntimeError("the derived tables failed")

    monkeypatch.setattr(derived, "refresh", failing)
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(100))]

    events = write_csv("e.csv", generated_events(100, 500))
    with pytest.raises(RuntimeError, match="the derived tables failed"):
        load(engine, contacts=write_csv("c.csv", contacts), events=events)

    assert asked[0].startswith(AHEAD_PREFIX)  # from the first load's table, before it took its place
    assert (count(engine, Contact), count(engine, Event)) == (0, 0)
    assert staging_tables(engine) == []


@only_postgresql
def test_no_other_import_writes_events_while_a_first_load_builds_them(engine, write_csv, monkeypatch):
    """The build takes the place of the empty `events`: events written meanwhile would be lost."""
    refresh, refused = derived.refresh, []

    def refresh_after_a_write(conn, pricing, events=Event.__table__) -> None:
        with engine.connect() as other:
            other.execute(text("SET lock_timeout = '100ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                other.execute(Event.__table__.insert(), [WRITTEN_MEANWHILE])
            refused.append(events.name)
        refresh(conn, pricing, events)

    monkeypatch.setattr(derived, "refresh", refresh_after_a_write)
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(100))]

    load(engine, contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", generated_events(100, 500)))

    assert len(refused) == 1 and refused[0].startswith(AHEAD_PREFIX)
    assert count(engine, Event) == 500


@pytest.mark.parametrize(
    ("data", "padded"),
    [
        (b"c1,visit,2026\nc2,Golf Balls (12),x\n", False),
        (b'c1,"a, b",x\n', True),  # a comma and space inside quotes: cautious
        (b"c1, visit\n", True),
        (b"c1,visit ,x\n", True),
        (b'c1," visit"\n', True),
        (b"c1,visit \n", True),
        (b"c1,visit \r\n", True),
        (b"c1,visit\n c2\n", True),
        (b" c1,visit", True),  # as the first bytes: after the line the header ends
        (b"x" * (EDGE_SLICE - 1) + b", y", True),  # across the cut between two slices
        (b"x" * EDGE_SLICE + b" ,y", True),
    ],
)
def test_spaces_at_the_edge_of_a_field_are_told_from_the_bytes(data, padded):
    assert space_at_edge(b"\n" + data) is padded


@pytest.fixture
def engine_alone(database, postgres_admin: Engine) -> Iterator[Engine]:
    """An engine on a PostgreSQL database of the test's own (`database` only says which server).

    VACUUM marks pages visible to all only up to the oldest snapshot that a session of the same
    database holds: in a database of its own, no other test or session can hold it back.
    """
    name = f"tailor_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_store_engine(normalize_url(POSTGRES_URL).set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with postgres_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


@only_postgresql
def test_a_bulk_load_leaves_events_vacuumed_and_campaigns_in_the_type_index(
    engine_alone, postgres_admin, write_csv
):
    """Segments read the (type, time) index alone: the visibility map is set, the campaign is in it;
    even while a transaction older than the import's runs in another database of the server."""
    engine = engine_alone
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(100))]
    events = generated_events(100, 5_000)
    elsewhere = postgres_admin.connect().execution_options(isolation_level="READ COMMITTED")
    with elsewhere, elsewhere.begin():
        elsewhere.execute(text("SELECT txid_current()"))
        load(engine, contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", events))

    with engine.connect() as conn:
        pages, visible = conn.execute(
            text("SELECT relpages, relallvisible FROM pg_class WHERE oid = 'events'::regclass")
        ).one()
        plan = conn.execute(
            text(
                "EXPLAIN SELECT contact_id FROM events WHERE type = 'visit' AND campaign_id = 'cmp-1'"
                " AND occurred_at > '2026-01-01'"
            )
        ).scalars()
        shown = "\n".join(plan)
    assert pages > 0 and visible == pages
    assert "Index Only Scan using ix_events_type_occurred_at_contact_id" in shown


@only_postgresql
def test_a_bulk_load_into_an_empty_store_leaves_the_table_that_migrations_make(engine, write_csv):
    """The checked rows take the place of the empty `events`: same columns, types, key and indexes."""
    columns = text(
        "SELECT column_name, data_type, character_maximum_length, is_nullable, collation_name"
        " FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = 'events' ORDER BY ordinal_position"
    )
    upgrade(engine)
    with engine.connect() as conn:
        migrated = conn.execute(columns).all()
    migrated_indexes = inspect(engine).get_indexes("events")
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(100))]

    report = load(
        engine, contacts=write_csv("c.csv", contacts), events=write_csv("e.csv", generated_events(100, 500))
    )

    with engine.connect() as conn:
        assert conn.execute(columns).all() == migrated
    schema = inspect(engine)
    assert schema.get_pk_constraint("events")["constrained_columns"] == [
        "contact_id",
        "type",
        "occurred_at",
        "fingerprint",
    ]
    assert schema.get_indexes("events") == migrated_indexes
    assert (report.files[1].inserted, count(engine, Event)) == (500, 500)


def test_a_currency_longer_than_a_code_is_rejected_by_line(engine, write_csv):
    events = [
        HEADER,
        GOOD,
        ["c1", "visit", "2026-02-02T10:00:00Z", "EURODOLLAR"],
        ["c2", "visit", "2026-02-03T10:00:00Z", "usd"],
    ]

    report = load(engine, contacts=write_csv("c.csv", CONTACTS), events=write_csv("e.csv", events))

    assert rejections(report.files[1]) == {3: "currency: not a currency code: 'EURODOLLAR'"}
    assert fetch(engine, select(Event.currency).order_by(Event.occurred_at)) == [(None,), ("USD",)]
