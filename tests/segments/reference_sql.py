"""Reference SQL for the phrasebook, and the plain SQLite database it runs on.

`load_reference` loads the segment tests' CSV files into three plain tables, `contacts`, `events`
and `campaigns`, with an `age` column (in whole years at the as-of date) on the contacts. The
helpers build SQL over them: each condition is a boolean expression about one contact, the row
alias `c`; conditions about events name the event row `e`, so that a caller's extra `where` can
say `e.category = ...`; `sql(...)` makes the query of the contacts meeting all its conditions.

Windows follow segment-semantics.md: "since T" is strictly after T (so "the last N days" is
(as_of - N days, as_of]), "until T" is strictly before T, and a calendar period is [start, end).
Time stamps are compared as text in the files' form, `YYYY-MM-DDTHH:MM:SSZ` (UTC).
"""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

_CONTACT_TEXT = [
    "id",
    "email",
    "first_name",
    "last_name",
    "gender",
    "birth_date",
    "city",
    "country",
    "timezone",
    "language",
    "industry",
    "company",
    "job_title",
    "signup_source",
    "signed_up_at",
    "device",
    "loyalty_tier",
    "interests",
    "email_consent",
]
_EVENT_TEXT = ["contact_id", "type", "occurred_at", "campaign_id", "currency", "category", "product", "topic"]
_CAMPAIGN_TEXT = ["id", "name", "subject", "sent_at"]


def load_reference(directory: str | Path, as_of: str) -> sqlite3.Connection:
    """An in-memory SQLite database of the contacts, events and campaigns CSV files in `directory`.

    Only the generator's own columns are loaded (custom columns are left out). A contact's blank
    text stays '' and a blank company size is NULL; an event's blank optional values are NULL.
    """
    directory = Path(directory)
    day = _parse_time(as_of).date()
    db = sqlite3.connect(":memory:")
    contact_columns = [f"{name} text" for name in _CONTACT_TEXT]
    contact_columns[0] = "id text primary key"
    db.execute(f"create table contacts({', '.join(contact_columns)}, company_size integer, age integer)")
    db.execute(f"create table events({', '.join(f'{n} text' for n in _EVENT_TEXT)}, amount real)")
    db.execute("create table campaigns(id text primary key, name text, subject text, sent_at text)")

    contacts = [
        (
            *(row[name] for name in _CONTACT_TEXT),
            int(row["company_size"]) if row["company_size"] else None,
            _age(date.fromisoformat(row["birth_date"]), day),
        )
        for row in _rows(directory / "contacts.csv")
    ]
    _insert(db, "contacts", [*_CONTACT_TEXT, "company_size", "age"], contacts)
    events = [
        (
            *(row[name] for name in _EVENT_TEXT[:3]),
            *(row[name] or None for name in _EVENT_TEXT[3:]),
            float(row["amount"]) if row["amount"] else None,
        )
        for row in _rows(directory / "events.csv")
    ]
    _insert(db, "events", [*_EVENT_TEXT, "amount"], events)
    campaigns = [tuple(row[name] for name in _CAMPAIGN_TEXT) for row in _rows(directory / "campaigns.csv")]
    _insert(db, "campaigns", _CAMPAIGN_TEXT, campaigns)
    db.execute("create index events_by_contact on events(contact_id, type, occurred_at)")
    db.execute("create index events_by_type on events(type, occurred_at)")
    return db


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _insert(db: sqlite3.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    marks = ", ".join("?" for _ in columns)
    db.executemany(f"insert into {table} ({', '.join(columns)}) values ({marks})", rows)


def _age(born: date, on: date) -> int:
    """Whole years from `born` to `on`."""
    had_birthday = (on.month, on.day) >= (born.month, born.day)
    return on.year - born.year - (0 if had_birthday else 1)


def _parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)


class Clock:
    """Time stamps relative to the as-of instant, in the files' form."""

    def __init__(self, as_of: str) -> None:
        self.now = _parse_time(as_of)

    @staticmethod
    def iso(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def ago(self, **delta: float) -> str:
        """`now` less a `timedelta(**delta)`."""
        return self.iso(self.now - timedelta(**delta))

    def month(self, year: int, month: int) -> tuple[str, str]:
        """The calendar month as [start, end): its first instant and the next month's."""
        following = (year + 1, 1) if month == 12 else (year, month + 1)
        return self.iso(datetime(year, month, 1, tzinfo=UTC)), self.iso(datetime(*following, 1, tzinfo=UTC))

    def months_back(self, n: int) -> str:
        """`now` with its calendar month moved back `n` months (same day and time of day)."""
        year, month0 = divmod(self.now.year * 12 + self.now.month - 1 - n, 12)
        return self.iso(self.now.replace(year=year, month=month0 + 1))


def q(text: str) -> str:
    """A SQL string literal."""
    escaped = text.replace("'", "''")
    return f"'{escaped}'"


def no(condition: str) -> str:
    return f"not ({condition})"


def sql(*conditions: str) -> str:
    """The ids of the contacts that meet every condition (all contacts when there is none)."""
    where = " and ".join(f"({condition})" for condition in conditions) or "1 = 1"
    return f"select c.id from contacts c where {where}"


def _event_terms(kind: str, since: str | None, until: str | None, where: str) -> str:
    terms = ["e.contact_id = c.id", f"e.type = {q(kind)}"]
    if since:
        terms.append(f"e.occurred_at > {q(since)}")
    if until:
        terms.append(f"e.occurred_at < {q(until)}")
    if where:
        terms.append(f"({where})")
    return " and ".join(terms)


def ev(kind: str, since: str | None = None, until: str | None = None, where: str = "") -> str:
    """The contact has an event of `kind` after `since` and before `until` (both exclusive)."""
    return f"exists (select 1 from events e where {_event_terms(kind, since, until, where)})"


def ev_on(kind: str, start: str, end: str, where: str = "") -> str:
    """The contact has an event of `kind` in the period [start, end)."""
    period = f"e.occurred_at >= {q(start)} and e.occurred_at < {q(end)}"
    return ev(kind, where=f"{period} and ({where})" if where else period)


def count_ev(kind: str, op: str, n: int, since: str | None = None, where: str = "") -> str:
    """The number of the contact's events of `kind` (after `since`), compared: `op n`."""
    return f"(select count(*) from events e where {_event_terms(kind, since, None, where)}) {op} {n}"


def agg_amount(fn: str, op: str, n: float) -> str:
    """`fn` (sum, avg, ...) of the contact's purchase amounts, compared: `op n`. No purchases: false."""
    return f"(select {fn}(e.amount) from events e where {_event_terms('purchase', None, None, '')}) {op} {n}"


def top_spenders(share: float) -> str:
    """The first ceil(share x purchasers) purchasers by lifetime spend, highest first.

    A purchaser is a contact with a purchase; one whose purchases have no amount ranks last.
    """
    exact = Fraction(str(share))  # 0.2 is 1/5: the cut is computed in integers
    ranked = (
        "select contact_id, row_number() over (order by total desc, contact_id) as place, "
        "count(*) over () as purchasers from (select contact_id, sum(amount) as total from events "
        "where type = 'purchase' group by contact_id)"
    )
    cut = f"(place - 1) * {exact.denominator} < purchasers * {exact.numerator}"
    return f"c.id in (select contact_id from ({ranked}) where {cut})"


def last_n_sends_opened(n: int) -> str:
    """The contact was sent at least `n` emails, and opened the campaign of each of the latest `n`."""
    latest = (
        "select s.campaign_id from events s where s.contact_id = c.id and s.type = 'email_sent' "
        f"order by s.occurred_at desc limit {n}"
    )
    opened = (
        "exists (select 1 from events o where o.contact_id = c.id and o.type = 'email_opened' "
        "and o.campaign_id = sent.campaign_id)"
    )
    sends = "(select count(*) from events s where s.contact_id = c.id and s.type = 'email_sent')"
    return f"{sends} >= {n} and not exists (select 1 from ({latest}) sent where not {opened})"


def interest(tag: str) -> str:
    """`tag` is one of the contact's interests (a ';'-separated list; ASCII case ignored)."""
    return f"instr(lower(';' || c.interests || ';'), lower({q(';' + tag + ';')})) > 0"


def campaign_named(fragment: str) -> str:
    """The event `e` is of a campaign whose name contains `fragment` (ASCII case ignored)."""
    return f"e.campaign_id in (select id from campaigns where instr(lower(name), lower({q(fragment)})) > 0)"
