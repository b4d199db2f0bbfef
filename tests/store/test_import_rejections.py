"""Bad rows are rejected with their line and reason, the same on both databases; good rows load."""

from __future__ import annotations

import pytest

from store.models import Contact, Event
from tests.store.helpers import count, counts, load, rejections

CONTACT_HEADER = ["id", "email", "birth_date", "company_size", "email_consent", "timezone", "signed_up_at"]
GOOD_CONTACT = ["", "", "1990-04-02", "12", "subscribed", "Europe/Berlin", "2026-01-31T09:00:00Z"]
#: (bad row, what its reason says)
BAD_CONTACTS = [
    (["b1", "", "1990-04-02", "", "", "", ""], "no email"),
    (["b2", "not-an-email", "", "", "", "", ""], "email: not an email address: 'not-an-email'"),
    (
        ["b3", "b3@example.com", "1990-13-01", "", "", "", ""],
        "birth_date: not a date (YYYY-MM-DD): '1990-13-01'",
    ),
    (["b4", "b4@example.com", "1990-02-30", "", "", "", ""], "birth_date: no such date: '1990-02-30'"),
    (["b5", "b5@example.com", "", "many", "", "", ""], "company_size: not a whole number: 'many'"),
    (
        ["b6", "b6@example.com", "", "", "maybe", "", ""],
        "email_consent: 'maybe' is not subscribed, unsubscribed or pending",
    ),
    (
        ["b7", "b7@example.com", "", "", "", "Mars/Olympus", ""],
        "timezone: unknown time zone 'Mars/Olympus' (an IANA name such as Europe/Berlin)",
    ),
    (
        ["b8", "b8@example.com", "", "", "", "", "yesterday"],
        "signed_up_at: not an ISO 8601 date/time: 'yesterday'",
    ),
    (["b9", "b9@example.com", ""], "expected 7 fields, found 3"),
    (["b10", "b10@example.com", "", "", "", "", "", "extra"], "expected 7 fields, found 8"),
]

EVENT_HEADER = ["contact_id", "type", "occurred_at", "amount", "product"]
CONTACTS = [["id", "email"], ["c1", "a@example.com"], ["c2", "b@example.com"]]
#: Rows whose fields are all there but whose values are bad: on PostgreSQL the COPY path checks them.
BAD_EVENT_VALUES = [
    (["c9", "purchase", "2026-02-01T10:00:00Z", "", ""], "unknown contact 'c9'"),
    (["c1", "purchase", "yesterday", "", ""], "occurred_at: not an ISO 8601 date/time: 'yesterday'"),
    (
        ["c1", "purchase", "2026-02-30T10:00:00Z", "", ""],
        "occurred_at: no such date/time: '2026-02-30T10:00:00Z'",
    ),
    (["c1", "purchase", "2026-02-01T10:00:00Z", "12,50", ""], "amount: not a number: '12,50'"),
    (["c1", "", "2026-02-01T10:00:00Z", "", ""], "no type"),
    (["", "purchase", "2026-02-01T10:00:00Z", "", ""], "no contact_id"),
    (["c2", "purchase", "", "", ""], "no occurred_at"),
]


def good_event(n: int) -> list[str]:
    return [f"c{1 + n % 2}", "purchase", f"2026-01-{1 + n % 28:02d}T10:{n % 60:02d}:00Z", f"{n}.5", f"p{n}"]


def interleave(good: list[list[str]], bad: list[tuple[list[str], str]], every: int) -> tuple[list, dict]:
    """Data rows with a bad one after every `every` good ones, and {line: reason} of the bad ones."""
    rows, expected = [], {}
    for i, (row, reason) in enumerate(bad):
        rows.extend(good[i * every : (i + 1) * every])
        rows.append(row)
        expected[len(rows) + 1] = reason  # the header is line 1
    rows.extend(good[len(bad) * every :])
    return rows, expected


def test_a_thousand_good_contacts_load_and_ten_bad_ones_are_reported_by_line(engine, write_csv):
    good = [[f"c{n}", f"c{n}@example.com", *GOOD_CONTACT[2:]] for n in range(1000)]
    rows, expected = interleave(good, BAD_CONTACTS, every=97)

    report = load(engine, contacts=write_csv("contacts.csv", [CONTACT_HEADER, *rows]))

    assert counts(report.files[0]) == {
        "rows": 1010,
        "inserted": 1000,
        "updated": 0,
        "unchanged": 0,
        "rejected": 10,
    }
    assert rejections(report.files[0]) == expected
    assert count(engine, Contact) == 1000
    assert report.exit_status == 1


def load_bad_event_values(engine, write_csv) -> None:
    """Forty good events with the seven bad ones among them: the bad ones reported by line."""
    rows, expected = interleave([good_event(n) for n in range(40)], BAD_EVENT_VALUES, every=3)

    report = load(
        engine,
        contacts=write_csv("contacts.csv", CONTACTS),
        events=write_csv("events.csv", [EVENT_HEADER, *rows]),
    )

    events = report.files[1]
    assert rejections(events) == expected
    assert counts(events) == {"rows": 47, "inserted": 40, "updated": 0, "unchanged": 0, "rejected": 7}


def test_bad_event_values_are_reported_by_line_and_the_rest_loads(engine, write_csv):
    load_bad_event_values(engine, write_csv)

    assert count(engine, Event) == 40


def test_event_rows_with_a_wrong_number_of_fields_are_reported_with_the_bad_values(engine, write_csv):
    bad = [
        (["c1", "purchase"], "expected 5 fields, found 2"),
        *BAD_EVENT_VALUES,
        (["c1", "purchase", "2026-02-01T10:00:00Z", "", "", "", ""], "expected 5 fields, found 7"),
    ]
    rows, expected = interleave([good_event(n) for n in range(40)], bad, every=4)

    report = load(
        engine,
        contacts=write_csv("contacts.csv", CONTACTS),
        events=write_csv("events.csv", [EVENT_HEADER, *rows]),
    )

    assert rejections(report.files[1]) == expected
    assert (report.files[1].rejected, report.files[1].inserted, count(engine, Event)) == (9, 40, 40)


def test_a_time_of_day_that_does_not_exist_is_not_an_iso_timestamp(engine, write_csv):
    events = [
        EVENT_HEADER,
        ["c1", "purchase", "2026-02-01T25:00:00Z", "", ""],
        ["c1", "purchase", "2026-02-01T10:60:00Z", "", ""],
        ["c1", "purchase", "2026-02-01 24:00", "", ""],
    ]

    report = load(
        engine, contacts=write_csv("contacts.csv", CONTACTS), events=write_csv("events.csv", events)
    )

    assert rejections(report.files[1]) == {
        2: "occurred_at: not an ISO 8601 date/time: '2026-02-01T25:00:00Z'",
        3: "occurred_at: not an ISO 8601 date/time: '2026-02-01T10:60:00Z'",
        4: "occurred_at: not an ISO 8601 date/time: '2026-02-01 24:00'",
    }


def test_line_numbers_count_the_line_breaks_inside_quoted_fields(engine, write_csv):
    contacts = [
        ["id", "email", "city"],
        ["c1", "a@example.com", "Saint-Denis\nCedex"],  # lines 2-3
        ["c2", "not-an-email", "Paris"],  # line 4
        ["c3", "c@example.com", "a\nb\nc"],  # lines 5-7
        ["c4", "d@example.com", "Lyon"],  # line 8
        ["c5", "", "Nice"],  # line 9
    ]
    events = [
        EVENT_HEADER,
        ["c1", "purchase", "2026-02-01T10:00:00Z", "1", "two\nlines"],  # lines 2-3
        ["c9", "purchase", "2026-02-01T10:00:00Z", "1", "x"],  # line 4
        ["c1", "purchase", "2026-02-02T10:00:00Z", "1", "three\nmore\nlines"],  # lines 5-7
        ["c1", "purchase", "2026-02-30T10:00:00Z", "1", "x"],  # line 8
    ]

    report = load(
        engine, contacts=write_csv("contacts.csv", contacts), events=write_csv("events.csv", events)
    )

    assert rejections(report.files[0]) == {4: "email: not an email address: 'not-an-email'", 9: "no email"}
    assert rejections(report.files[1]) == {
        4: "unknown contact 'c9'",
        8: "occurred_at: no such date/time: '2026-02-30T10:00:00Z'",
    }
    assert count(engine, Event) == 2


@pytest.mark.parametrize(
    ("latin1", "byte", "loaded"),
    [("contacts", "0xFC at position 19", (1, 1)), ("events", "0xE9 at position 7", (2, 2))],
)
def test_a_line_that_is_not_utf8_is_rejected_by_its_line_and_the_rest_of_the_run_loads(
    engine, write_csv, latin1, byte, loaded
):
    """The Latin-1 bytes are on line 3, after the campaigns (and contacts) have been read; on
    Latin-1 contacts, the events of the rejected contact are rejected too."""
    contacts = [
        ["id", "email", "last_name"],
        ["c1", "a@example.com", "Lopez"],
        ["c2", "b@example.com", "Müller"],
    ]
    events = [
        ["contact_id", "type", "occurred_at"],
        ["c1", "visit", "2026-02-01T10:00:00Z"],
        ["c2", "café", "2026-02-03T10:00:00Z"],
        ["c2", "visit", "2026-02-02T10:00:00Z"],
    ]
    encoding = {"contacts": "utf-8", "events": "utf-8", latin1: "latin-1"}

    report = load(
        engine,
        campaigns=write_csv("campaigns.csv", [["id", "name"], ["k1", "Spring"]]),
        contacts=write_csv("contacts.csv", contacts, encoding=encoding["contacts"]),
        events=write_csv("events.csv", events, encoding=encoding["events"]),
    )

    latin1_file = next(f for f in report.files if f.kind == latin1)
    reason = f"not UTF-8 text (byte {byte} of the line); save the file as UTF-8"
    assert rejections(latin1_file) == {3: reason}
    assert (count(engine, Contact), count(engine, Event)) == loaded


def test_a_byte_that_is_not_utf8_far_into_a_file_is_reported_at_its_line(engine, write_csv):
    contacts = [["id", "email", "last_name"], *([f"x{n}", f"x{n}@example.com", "Lopez"] for n in range(1000))]
    path = write_csv("contacts.csv", [*contacts, ["c2", "b@example.com", "Müller"]], encoding="latin-1")

    report = load(engine, contacts=path)

    assert list(rejections(report.files[0])) == [1002]
    assert count(engine, Contact) == 1000


def test_campaign_rows_without_a_name_are_rejected(engine, write_csv):
    campaigns = [
        ["id", "name", "sent_at"],
        ["k1", "Spring", "2026-01-30"],
        ["k2", "", ""],
        ["k3", "Fall", "soon"],
    ]

    report = load(engine, campaigns=write_csv("campaigns.csv", campaigns))

    assert rejections(report.files[0]) == {3: "no name", 4: "sent_at: not an ISO 8601 date/time: 'soon'"}
    assert report.files[0].inserted == 1
