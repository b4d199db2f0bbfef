"""Malformed files, on both databases: bad lines are reported by their true numbers, every good
row loads, every run is logged, and nothing of the import is left behind.

Each case is a file as bytes, with the lines it must reject and their reasons, and the rows it
must load; the same case runs on SQLite and on PostgreSQL, so both give one outcome.
Events go through PostgreSQL's COPY when the file is plain, else through the rows that Python
reads: cases of both kinds are here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from store.db import is_postgres
from store.importer import ImportFailed
from store.importer.files import MAX_RECORD_LINES, MAX_VALUE_CHARS, QUOTE_INSIDE
from store.importer.files import QUOTE_OPEN as QUOTE
from store.importer.postgres_stage import EventStage
from store.models import Campaign, Contact, Event, ImportFile, ImportRejection, ImportRun
from tests.store.helpers import fetch, load, rejections, staging_tables

CONTACTS_HEADER = b"id,email,name,birth_date"
EVENTS_HEADER = b"contact_id,type,occurred_at,amount,product"
CAMPAIGNS_HEADER = b"id,name,sent_at"
#: The contacts that every events case refers to, loaded by the same import.
KNOWN_CONTACTS = b"id,email\nc1,a@example.com\nc2,b@example.com\n"
HUGE = b"x" * (10 << 20)
LONGEST = b"y" * MAX_VALUE_CHARS


def lines(*rows: bytes, end: bytes = b"\n") -> bytes:
    return b"".join(row + end for row in rows)


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  #: contacts, events or campaigns
    data: bytes
    #: {line: reason} of the rejected lines.
    rejected: dict[int, str] = field(default_factory=dict)
    #: The ids of the rows that load (the product, for events).
    loaded: frozenset[str] = frozenset()
    #: A word of the message of an import that loads nothing (`ImportFailed`).
    failure: str | None = None
    #: Events only: the file is plain, and PostgreSQL copies its bytes (else the rows Python reads).
    copied: bool = False


def contacts(name: str, data: bytes, rejected: dict[int, str], *loaded: str) -> Case:
    return Case(name, "contacts", data, rejected, frozenset(loaded))


def events(name: str, data: bytes, rejected: dict[int, str], *loaded: str, copied: bool = False) -> Case:
    return Case(name, "events", data, rejected, frozenset(loaded), copied=copied)


def fails(name: str, kind: str, data: bytes, failure: str) -> Case:
    return Case(name, kind, data, failure=failure)


C1, C2, C3 = b"c1,a@example.com,Ana,", b"c2,b@example.com,Ben,1990-04-02", b"c3,c@example.com,Cy,"
E1, E2, E3 = (
    b"c1,purchase,2026-02-01T10:00:00Z,12.50,e1",
    b"c2,email_opened,2026-02-02T10:00:00Z,,e2",
    b"c1,purchase,2026-02-03T10:00:00Z,3,e3",
)
NUL = "holds a NUL character (a zero byte): not text"


def fields(expected: int, found: int) -> str:
    return f"expected {expected} fields, found {found}"


def not_utf8(position: int) -> str:
    return f"not UTF-8 text (byte 0xE9 at position {position} of the line); save the file as UTF-8"


def too_long(what: str) -> str:
    return f"{what}, over the {MAX_VALUE_CHARS:,} that a value may have"


def bad_stamp(column: str, text: str) -> str:
    return f"{column}: not an ISO 8601 date/time: {text!r}"


CASES = [
    # Quote marks: a stray one costs its own line; a value quoted whole may span lines.
    contacts(
        "stray quote", lines(CONTACTS_HEADER, b'c0,z@example.com,"Zoe,', C1, C2), {2: QUOTE}, "c1", "c2"
    ),
    contacts(
        "stray quote before a quoted value",
        lines(CONTACTS_HEADER, b'c0,z@example.com,"Zoe,', C1, b'c2,b@example.com,"Ben, Jr",'),
        {2: QUOTE},
        "c1",
        "c2",
    ),
    contacts(
        "two stray quotes",
        lines(CONTACTS_HEADER, b'c0,z@example.com,"Zoe,', b'c9,y@example.com,"Yan,', C1),
        {2: QUOTE, 3: QUOTE},
        "c1",
    ),
    contacts(
        "stray quote on the last line, no final line break",
        lines(CONTACTS_HEADER, C1, C2)[:-1] + b'\nc0,z@example.com,"Zoe,',
        {4: QUOTE},
        "c1",
        "c2",
    ),
    contacts(
        "a quote open for more lines than a row may span",
        lines(CONTACTS_HEADER, b'c0,z@example.com,"Zoe', *[b"more"] * MAX_RECORD_LINES, b'end",', C1),
        {
            2: QUOTE,
            **{n: fields(4, 1) for n in range(3, MAX_RECORD_LINES + 3)},
            MAX_RECORD_LINES + 3: fields(4, 2),
        },
        "c1",
    ),
    contacts(
        "text after a closing quote",
        lines(CONTACTS_HEADER, b'c0,z@example.com,"Zoe"y,', C1),
        {2: QUOTE_INSIDE},
        "c1",
    ),
    contacts(
        "a quote mark inside a value",
        lines(CONTACTS_HEADER, b'c0,z@example.com,Zoe 5" tall,', C1),
        {},
        "c0",
        "c1",
    ),
    contacts(
        "a quoted value over lines, then a bad row",
        lines(CONTACTS_HEADER, b'c0,z@example.com,"Zoe', b'Zed",', b"c9,not-an-email,Yan,", C1),
        {4: "email: not an email address: 'not-an-email'"},
        "c0",
        "c1",
    ),
    contacts(
        "doubled quotes", lines(CONTACTS_HEADER, b'c0,z@example.com,"Zoe ""Z"" Ray",', C1), {}, "c0", "c1"
    ),
    # Line breaks: CRLF, LF, CR alone, mixed.
    contacts(
        "CR line ends", lines(CONTACTS_HEADER, C1, b"c9,,Yan,", C2, end=b"\r"), {3: "no email"}, "c1", "c2"
    ),
    contacts(
        "CRLF line ends",
        lines(CONTACTS_HEADER, C1, b"c9,,Yan,", C2, end=b"\r\n"),
        {3: "no email"},
        "c1",
        "c2",
    ),
    contacts(
        "mixed line ends",
        CONTACTS_HEADER + b"\r\n" + C1 + b"\n" + b"c9,,Yan,\r" + C2 + b"\r\n" + C3,
        {3: "no email"},
        "c1",
        "c2",
        "c3",
    ),
    contacts("byte order mark", b"\xef\xbb\xbf" + lines(CONTACTS_HEADER, C1, C2), {}, "c1", "c2"),
    # Encoding, NUL bytes, blank lines.
    contacts(
        "a Latin-1 byte on line 4",
        lines(CONTACTS_HEADER, C1, C2, b"c0,z@example.com,Jos\xe9,", C3),
        {4: not_utf8(21)},
        "c1",
        "c2",
        "c3",
    ),
    contacts(
        "leading blank lines",
        lines(b"", b"  ", CONTACTS_HEADER, C1, b"c9,,Yan,", C2),
        {5: "no email"},
        "c1",
        "c2",
    ),
    contacts(
        "blank lines between and after",
        lines(CONTACTS_HEADER, C1, b"", C2, b" ", b"c9,,Yan,", b"", b""),
        {6: "no email"},
        "c1",
        "c2",
    ),
    contacts(
        "a NUL byte", lines(CONTACTS_HEADER, C1, b"c0,z@example.com,Zo\x00e,", C2), {3: NUL}, "c1", "c2"
    ),
    # Values and fields.
    contacts(
        "a 10 MB value",
        lines(CONTACTS_HEADER, C1, b"c0,z@example.com," + HUGE + b",", C2),
        {3: too_long("name: a value of 10,485,760 characters")},
        "c1",
        "c2",
    ),
    contacts(
        "a 10 MB quoted value",
        lines(CONTACTS_HEADER, C1, b'c0,z@example.com,"' + HUGE + b'",', C2),
        {3: too_long("a value of more than 131,072 characters")},
        "c1",
        "c2",
    ),
    contacts(
        "the longest value",
        lines(CONTACTS_HEADER, C1, b"c0,z@example.com," + LONGEST + b",", C2),
        {},
        "c0",
        "c1",
        "c2",
    ),
    contacts(
        "too few fields",
        lines(CONTACTS_HEADER, C1, b"c0,z@example.com", C2),
        {3: fields(4, 2)},
        "c1",
        "c2",
    ),
    contacts(
        "too many fields",
        lines(CONTACTS_HEADER, C1, b"c0,z@example.com,Zoe,,x", C2),
        {3: fields(4, 5)},
        "c1",
        "c2",
    ),
    contacts(
        "a bad date",
        lines(CONTACTS_HEADER, C1, b"c0,z@example.com,Zoe,1990-02-30", C2),
        {3: "birth_date: no such date: '1990-02-30'"},
        "c1",
        "c2",
    ),
    contacts("header only", lines(CONTACTS_HEADER), {}),
    contacts("header only, no line break", CONTACTS_HEADER, {}),
    # Files that cannot load at all: each says why, and the run says it failed.
    fails("empty file", "contacts", b"", "the file is empty"),
    fails("blank lines only", "contacts", b"\r\n \n\n", "the file is empty"),
    fails(
        "no email column",
        "contacts",
        lines(b"id,mail", b"c1,a@example.com"),
        "missing required column 'email'",
    ),
    fails(
        "a column twice",
        "contacts",
        lines(b"id,email,Email", b"c1,a@example.com,a"),
        "'email' appears more than once",
    ),
    fails(
        "a column without a name",
        "contacts",
        lines(b"id,email,,city", b"c1,a@example.com,,Rome"),
        "column 3 of the header has no name",
    ),
    fails("a Latin-1 header", "contacts", lines(b"id,email,pr\xe9nom", C1), "not a UTF-8 text file"),
    fails(
        "no type column",
        "events",
        lines(b"contact_id,occurred_at", b"c1,2026-02-01T10:00:00Z"),
        "missing required column 'type'",
    ),
    # Events, plain enough for COPY on PostgreSQL: its line numbers and checks.
    events("plain events", lines(EVENTS_HEADER, E1, E2, E3), {}, "e1", "e2", "e3", copied=True),
    events(
        "bad values",
        lines(
            EVENTS_HEADER,
            E1,
            b"c1,purchase,2026-02-30T10:00:00Z,,x1",
            b'c1,purchase,2026-02-03T10:00:00Z,"12,50",x2',
            b"c9,visit,2026-02-01T10:00:00Z,,x3",
            b"c1,,2026-02-01T10:00:00Z,,x4",
            E2,
        ),
        {
            3: "occurred_at: no such date/time: '2026-02-30T10:00:00Z'",
            4: "amount: not a number: '12,50'",
            5: "unknown contact 'c9'",
            6: "no type",
        },
        "e1",
        "e2",
        copied=True,
    ),
    events(
        "any type is an event",
        lines(EVENTS_HEADER, E1, b"c2,webinar_attended,2026-02-04T10:00:00Z,,e4"),
        {},
        "e1",
        "e4",
        copied=True,
    ),
    events(
        "events after leading blank lines",
        lines(b"", EVENTS_HEADER, E1, b"c1,visit,yesterday,,x1", E2),
        {4: bad_stamp("occurred_at", "yesterday")},
        "e1",
        "e2",
        copied=True,
    ),
    events(
        "events, CRLF",
        lines(EVENTS_HEADER, E1, b"c9,visit,2026-02-01T10:00:00Z,,x1", E2, end=b"\r\n"),
        {3: "unknown contact 'c9'"},
        "e1",
        "e2",
        copied=True,
    ),
    events(
        "events, values quoted whole",
        lines(
            EVENTS_HEADER,
            b'"c1","purchase","2026-02-01T10:00:00Z","1","e1"',
            b'c2,visit,2026-02-01T10:00:00Z,,"e2, ""the"" best"',
        ),
        {},
        "e1",
        'e2, "the" best',
        copied=True,
    ),
    # Events that Python reads on both databases.
    events(
        "events, a stray quote",
        lines(EVENTS_HEADER, E1, b'c1,visit,2026-02-01T11:00:00Z,,"x1', E2, E3),
        {3: QUOTE},
        "e1",
        "e2",
        "e3",
    ),
    events(
        "events, a quote mark inside a value",
        lines(EVENTS_HEADER, E1, b'c1,visit,2026-02-01T11:00:00Z,,e4 5" tall', E2),
        {},
        "e1",
        'e4 5" tall',
        "e2",
    ),
    events(
        "events, CR line ends",
        lines(EVENTS_HEADER, E1, b"c9,visit,2026-02-01T10:00:00Z,,x1", E2, end=b"\r"),
        {3: "unknown contact 'c9'"},
        "e1",
        "e2",
    ),
    events(
        "events, mixed line ends",
        EVENTS_HEADER + b"\n" + E1 + b"\r\n" + b"c1,visit,soon,,x1\r" + E2 + b"\n" + E3,
        {3: bad_stamp("occurred_at", "soon")},
        "e1",
        "e2",
        "e3",
    ),
    events(
        "events, a NUL byte",
        lines(EVENTS_HEADER, E1, b"c1,visit,2026-02-01T11:00:00Z,,e\x004", E2),
        {3: NUL},
        "e1",
        "e2",
    ),
    events(
        "events, a Latin-1 byte on line 4",
        lines(EVENTS_HEADER, E1, E2, b"c1,visit,2026-02-01T11:00:00Z,,caf\xe9", E3),
        {4: not_utf8(35)},
        "e1",
        "e2",
        "e3",
    ),
    events(
        "events, a 10 MB value",
        lines(EVENTS_HEADER, E1, b"c1,visit,2026-02-01T11:00:00Z,," + HUGE, E2),
        {3: too_long("product: a value of 10,485,760 characters")},
        "e1",
        "e2",
    ),
    events(
        "events, a line break inside quotes",
        lines(EVENTS_HEADER, b'c1,visit,2026-02-01T11:00:00Z,,"e4\nsecond line"', b"c1,visit,never,,x1", E2),
        {4: bad_stamp("occurred_at", "never")},
        "e4\nsecond line",
        "e2",
    ),
    events(
        "events, trailing blank lines",
        lines(EVENTS_HEADER, E1, b"c1,visit,never,,x1", E2, b"", b"  ", b""),
        {3: bad_stamp("occurred_at", "never")},
        "e1",
        "e2",
    ),
    events(
        "events, wrong numbers of fields",
        lines(EVENTS_HEADER, E1, b"c1,visit,2026-02-01T11:00:00Z", b"c1,visit,2026-02-01T11:00:00Z,,x,y", E2),
        {3: fields(5, 3), 4: fields(5, 6)},
        "e1",
        "e2",
    ),
    events(
        "events, byte order mark", b"\xef\xbb\xbf" + lines(EVENTS_HEADER, E1, E2), {}, "e1", "e2", copied=True
    ),
    events("events, header only", lines(EVENTS_HEADER), {}, copied=True),
    # Campaigns.
    Case(
        "campaigns, bad rows",
        "campaigns",
        lines(
            CAMPAIGNS_HEADER,
            b"k1,Spring,2026-01-30",
            b'k2,"Summer,',
            b"k3,,2026-02-01",
            b"k4,Fall,soon",
            b"k5,Winter,",
            end=b"\r",
        ),
        {3: QUOTE, 4: "no name", 5: bad_stamp("sent_at", "soon")},
        frozenset({"k1", "k5"}),
    ),
    fails(
        "campaigns without a name column",
        "campaigns",
        lines(b"id,title", b"k1,Spring"),
        "missing required column 'name'",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_malformed_file(engine: Engine, tmp_path: Path, monkeypatch, case: Case) -> None:
    staged_from_rows = _spy_on_staging_rows(monkeypatch)
    path = tmp_path / f"{case.kind}.csv"
    path.write_bytes(case.data)
    files = {case.kind: path}
    if case.kind == "events":
        (tmp_path / "known.csv").write_bytes(KNOWN_CONTACTS)
        files["contacts"] = tmp_path / "known.csv"

    if case.failure:
        with pytest.raises(ImportFailed, match=f"^{case.kind}.csv: .*{re.escape(case.failure)}"):
            load(engine, **files)
        [(status, message)] = fetch(engine, select(ImportRun.status, ImportRun.message))
        assert status == "failed"
        assert message.startswith(f"{case.kind}.csv: ") and case.failure in message
    else:
        report = load(engine, **files)
        [file] = [f for f in report.files if f.kind == case.kind]
        assert rejections(file) == case.rejected
        assert file.loaded == len(case.loaded)
        assert _logged_lines(engine, str(path)) == sorted(case.rejected)
        if case.kind == "events" and is_postgres(engine):
            assert len(staged_from_rows) == (0 if case.copied else 1)
    assert _loaded(engine, case.kind) == (set() if case.failure else case.loaded)
    assert staging_tables(engine) == []


def _spy_on_staging_rows(monkeypatch) -> list[str]:
    """The names of the files whose events PostgreSQL staged from the rows that Python read."""
    calls: list[str] = []
    fill = EventStage.fill

    def spied(self: EventStage, report, advance, *, try_bytes: bool = True):
        calls.append(self.source.name)
        return fill(self, report, advance, try_bytes=try_bytes)

    monkeypatch.setattr(EventStage, "fill", spied)
    return calls


def _logged_lines(engine: Engine, path: str) -> list[int]:
    statement = (
        select(ImportRejection.line)
        .join(ImportFile, ImportFile.id == ImportRejection.file_id)
        .where(ImportFile.path == path)
        .order_by(ImportRejection.line)
    )
    return [line for (line,) in fetch(engine, statement)]


def _loaded(engine: Engine, kind: str) -> set[str]:
    key = {"contacts": Contact.external_id, "events": Event.product, "campaigns": Campaign.external_id}[kind]
    return {value for (value,) in fetch(engine, select(key))}
