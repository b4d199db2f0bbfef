"""`python app.py import`: its report and its exit status (0 all loaded, 1 some rejected, 2 none)."""

from __future__ import annotations

from store.models import Contact, Event
from tests.store.helpers import count

CONTACTS = [["id", "email"], ["c1", "a@example.com"], ["c2", "b@example.com"]]
EVENTS = [["contact_id", "type", "occurred_at"], ["c1", "visit", "2026-02-01T10:00:00Z"]]


def test_exit_status_0_when_every_row_loads(run_app, database_url, engine, write_csv):
    contacts, events = write_csv("contacts.csv", CONTACTS), write_csv("events.csv", EVENTS)

    result = run_app("import", "--contacts", contacts, "--events", events, "--db", database_url)

    assert result.returncode == 0, result.stderr
    assert "loaded 3 rows, rejected 0" in result.stdout
    assert (count(engine, Contact), count(engine, Event)) == (2, 1)


def test_exit_status_1_when_some_rows_are_rejected(run_app, database_url, engine, write_csv):
    contacts = write_csv("contacts.csv", [*CONTACTS, ["c3", "no-email"]])

    result = run_app("import", "--contacts", contacts, "--db", database_url)

    assert result.returncode == 1, result.stderr
    assert f"rejected {contacts}:4: email: not an email address: 'no-email'" in result.stdout
    assert "loaded 2 rows, rejected 1" in result.stdout
    assert count(engine, Contact) == 2


def test_exit_status_2_when_no_row_loads(run_app, database_url, engine, write_csv):
    contacts = write_csv("contacts.csv", [["id", "email"], ["c1", ""], ["c2", "x"]])

    result = run_app("import", "--contacts", contacts, "--db", database_url)

    assert result.returncode == 2, result.stderr
    assert "loaded 0 rows, rejected 2" in result.stdout
    assert count(engine, Contact) == 0


def test_exit_status_2_when_a_file_cannot_be_imported(run_app, database_url, engine, write_csv):
    contacts = write_csv("contacts.csv", [["id", "mail"], ["c1", "a@example.com"]])

    result = run_app("import", "--contacts", contacts, "--db", database_url)

    assert result.returncode == 2
    assert result.stderr.startswith("import failed, nothing loaded: contacts.csv: missing required column")
    assert count(engine, Contact) == 0


def test_exit_status_1_when_a_line_is_not_utf8(run_app, database_url, engine, write_csv):
    contacts = write_csv("contacts.csv", [*CONTACTS, ["c3", "ç@example.com"]], encoding="latin-1")

    result = run_app("import", "--contacts", contacts, "--db", database_url)

    assert result.returncode == 1, result.stderr
    assert f"rejected {contacts}:4: not UTF-8 text (byte 0xE7 at position 4 of the line)" in result.stdout
    assert count(engine, Contact) == 2


def test_exit_status_2_when_the_header_is_not_utf8(run_app, database_url, engine, write_csv):
    contacts = write_csv(
        "contacts.csv", [["id", "email", "prénom"], ["c1", "a@example.com", "Ana"]], encoding="latin-1"
    )

    result = run_app("import", "--contacts", contacts, "--db", database_url)

    assert result.returncode == 2
    assert result.stderr.startswith("import failed, nothing loaded: contacts.csv: not a UTF-8 text file")
    assert count(engine, Contact) == 0
