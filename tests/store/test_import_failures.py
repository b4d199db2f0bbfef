"""A file that cannot be read as the contract's CSV stops the import, and nothing of the run loads; every
failed run is logged with what stopped it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store.importer import ImportFailed, service
from store.models import ImportRun
from tests.store.helpers import fetch, load, table_counts

CONTACTS = [["id", "email", "last_name"], ["c1", "a@example.com", "Lopez"], ["c2", "b@example.com", "Müller"]]
EVENTS = [["contact_id", "type", "occurred_at"], ["c1", "visit", "2026-02-01T10:00:00Z"]]
CAMPAIGNS = [["id", "name"], ["k1", "Spring"]]
NOTHING = {"contacts": 0, "events": 0, "campaigns": 0, "custom_properties": 0}


def test_a_missing_required_column_loads_nothing(engine, write_csv):
    events = [["contact_id", "type", "when"], ["c1", "visit", "2026-02-01T10:00:00Z"]]

    with pytest.raises(ImportFailed, match=r"events\.csv: missing required column 'occurred_at'"):
        load(
            engine,
            campaigns=write_csv("campaigns.csv", CAMPAIGNS),
            contacts=write_csv("contacts.csv", CONTACTS),
            events=write_csv("events.csv", events),
        )

    assert table_counts(engine) == NOTHING


def test_a_semicolon_separated_file_is_named_as_such(engine, write_csv):
    path = write_csv("contacts.csv", [["id;email"], ["c1;a@example.com"]])

    with pytest.raises(ImportFailed, match=r"Is it comma-separated\?"):
        load(engine, contacts=path)


def test_a_latin1_header_loads_nothing(engine, write_csv):
    contacts = [["id", "email", "prénom"], ["c1", "a@example.com", "Ana"]]

    with pytest.raises(ImportFailed, match="not a UTF-8 text file"):
        load(engine, contacts=write_csv("contacts.csv", contacts, encoding="latin-1"))

    assert table_counts(engine) == NOTHING


def test_a_failed_import_keeps_what_an_earlier_one_loaded(engine, write_csv):
    load(engine, contacts=write_csv("contacts.csv", CONTACTS), events=write_csv("events.csv", EVENTS))
    before = table_counts(engine)

    with pytest.raises(ImportFailed):
        load(engine, events=write_csv("more.csv", [["contact_id", "type"], ["c1", "visit"]]))

    assert table_counts(engine) == before
    statuses = fetch(engine, select(ImportRun.status).order_by(ImportRun.id))
    assert [status for (status,) in statuses] == ["loaded", "failed"]


def test_an_empty_file_and_a_missing_file_fail(engine, tmp_path):
    (tmp_path / "empty.csv").write_text("")

    with pytest.raises(ImportFailed, match="the file is empty"):
        load(engine, contacts=tmp_path / "empty.csv")
    with pytest.raises(ImportFailed, match="cannot read"):
        load(engine, contacts=tmp_path / "absent.csv")
    with pytest.raises(ImportFailed, match="nothing to import"):
        load(engine)


def test_an_error_that_is_not_a_files_is_logged_as_a_failed_run(engine, write_csv, monkeypatch):
    def failing(*args) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "merge_attributes", failing)

    with pytest.raises(RuntimeError, match="the disk is full"):
        load(engine, contacts=write_csv("contacts.csv", CONTACTS))

    [(status, message)] = fetch(engine, select(ImportRun.status, ImportRun.message))
    assert (status, message) == ("failed", "the import stopped on an error: RuntimeError: the disk is full")
    assert table_counts(engine) == NOTHING
