"""The import log: each run, its files with their counts, and the rejected lines."""

from __future__ import annotations

from sqlalchemy import select

from store.models import ImportFile, ImportRejection, ImportRun
from tests.store.helpers import fetch, load

CONTACTS = [["id", "email"], ["c1", "a@example.com"], ["c2", "not-an-email"], ["c3", "c@example.com"]]
EVENTS = [
    ["contact_id", "type", "occurred_at"],
    ["c1", "visit", "2026-02-01T10:00:00Z"],
    ["c2", "visit", "2026-02-01T10:00:00Z"],
    ["c3", "visit", "never"],
]


def test_a_run_is_logged_with_its_files_counts_and_rejected_lines(engine, write_csv):
    contacts, events = write_csv("contacts.csv", CONTACTS), write_csv("events.csv", EVENTS)

    report = load(engine, contacts=contacts, events=events)

    [run] = fetch(engine, select(ImportRun))
    assert (run.id, run.status, run.message) == (report.run_id, "rejected_rows", None)
    assert run.started_at <= run.finished_at
    files = fetch(
        engine,
        select(
            ImportFile.kind, ImportFile.path, ImportFile.rows, ImportFile.inserted, ImportFile.updated,
            ImportFile.unchanged, ImportFile.rejected,
        ).where(ImportFile.run_id == run.id).order_by(ImportFile.id),
    )  # fmt: skip
    assert [tuple(f) for f in files] == [
        ("contacts", str(contacts), 3, 2, 0, 0, 1),
        ("events", str(events), 3, 1, 0, 0, 2),
    ]
    rejected = fetch(
        engine,
        select(ImportFile.kind, ImportRejection.line, ImportRejection.reason)
        .join(ImportFile, ImportFile.id == ImportRejection.file_id)
        .order_by(ImportFile.id, ImportRejection.line),
    )
    assert [tuple(r) for r in rejected] == [
        ("contacts", 3, "email: not an email address: 'not-an-email'"),
        ("events", 3, "unknown contact 'c2'"),
        ("events", 4, "occurred_at: not an ISO 8601 date/time: 'never'"),
    ]


def test_a_clean_run_is_logged_as_loaded(engine, write_csv):
    report = load(engine, contacts=write_csv("contacts.csv", CONTACTS[:2]))

    assert fetch(engine, select(ImportRun.id, ImportRun.status)) == [(report.run_id, "loaded")]
    assert fetch(engine, select(ImportRejection)) == []
