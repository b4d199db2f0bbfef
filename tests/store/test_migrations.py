"""The schema: Alembic creates it, a second upgrade leaves it alone, the events indexes serve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, bindparam, inspect, select, text

from store import migrate
from store.migrate import is_current, upgrade
from store.models import Base, Contact
from store.types import Timestamp
from tests.store.helpers import load

START, END = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 8, tzinfo=UTC)


def test_upgrade_of_an_empty_database_creates_every_table(engine):
    upgrade(engine)

    assert set(inspect(engine).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
    assert is_current(engine)


def test_the_migrated_schema_matches_the_models(engine):
    upgrade(engine)

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_a_second_upgrade_changes_nothing(engine, monkeypatch):
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(Contact.__table__.insert(), {"external_id": "c1", "email": "a@example.com"})

    def must_not_run(*args, **kwargs):
        raise AssertionError("a current database was migrated again")

    monkeypatch.setattr(migrate.command, "upgrade", must_not_run)
    upgrade(engine)

    with engine.connect() as conn:
        assert conn.execute(select(Contact.email)).scalars().all() == ["a@example.com"]


def test_the_schema_has_its_keys_and_indexes(engine):
    upgrade(engine)
    schema = inspect(engine)

    def indexes(table: str) -> dict[str, list[str]]:
        return {i["name"]: i["column_names"] for i in schema.get_indexes(table) if not i["unique"]}

    key = ["contact_id", "type", "occurred_at", "fingerprint"]
    assert schema.get_pk_constraint("events")["constrained_columns"] == key
    assert indexes("events") == {
        "ix_events_type_occurred_at_contact_id": ["type", "occurred_at", "contact_id"]
    }
    assert indexes("contacts") == {"ix_contacts_email": ["email"]}
    assert [c["column_names"] for c in schema.get_unique_constraints("contacts")] == [["external_id"]]
    assert [c["column_names"] for c in schema.get_unique_constraints("campaigns")] == [["external_id"]]
    assert indexes("import_files") == {"ix_import_files_run_id": ["run_id"]}
    assert indexes("import_rejections") == {"ix_import_rejections_file_id": ["file_id"]}


@pytest.fixture
def events_engine(engine, write_csv) -> Engine:
    """A store with 100 contacts and 3,000 events of three types over March 2026."""
    contacts = [["id", "email"], *([f"c{i}", f"c{i}@example.com"] for i in range(100))]
    types = ("email_opened", "purchase", "product_viewed")
    events = [["contact_id", "type", "occurred_at"]]
    for n in range(3000):
        at = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=13 * n)
        events.append([f"c{n % 100}", types[n % 3], at.isoformat()])
    load(engine, contacts=write_csv("contacts.csv", contacts), events=write_csv("events.csv", events))
    return engine


def query_plan(engine: Engine, query: str, **params) -> str:
    """The plan of `query` (sequential scans discouraged on PostgreSQL), as one text."""
    times = (bindparam("start", type_=Timestamp()), bindparam("end", type_=Timestamp()))
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(text(f"EXPLAIN QUERY PLAN {query}").bindparams(*times), params)
        else:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            rows = conn.execute(text(f"EXPLAIN {query}").bindparams(*times), params)
        return "\n".join(str(row[-1]) for row in rows)


def test_events_of_one_contact_by_type_and_window_use_the_primary_key(events_engine):
    plan = query_plan(
        events_engine,
        "SELECT * FROM events WHERE contact_id = :contact AND type = :type"
        " AND occurred_at >= :start AND occurred_at < :end",
        contact=1, type="purchase", start=START, end=END,
    )  # fmt: skip

    if events_engine.dialect.name == "sqlite":
        key = "contact_id=? AND type=? AND occurred_at>? AND occurred_at<?"
        assert f"SEARCH events USING PRIMARY KEY ({key})" in plan
    else:
        assert "pk_events" in plan
        assert "Seq Scan" not in plan


def test_contacts_with_an_event_type_in_a_window_come_from_the_index(events_engine):
    plan = query_plan(
        events_engine,
        "SELECT DISTINCT contact_id FROM events"
        " WHERE type = :type AND occurred_at >= :start AND occurred_at < :end",
        type="purchase", start=START, end=END,
    )  # fmt: skip

    if events_engine.dialect.name == "sqlite":
        assert "USING COVERING INDEX ix_events_type_occurred_at_contact_id (type=? AND occurred_at>?" in plan
    else:
        assert "ix_events_type_occurred_at_contact_id" in plan
        assert "Seq Scan" not in plan
