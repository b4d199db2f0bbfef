"""The send ledger: one row per (campaign, contact), written before a message is handed over.

    queued -> sending -> sent | failed        (the server answered)
    queued -> skipped                         (not subscribed, unsubscribed since approval, suppressed)
    sending -> unknown                        (the sender died between handing over and the answer)

A recipient is moved to `sending` in the same transaction that records the previous message's
answer on its connection, so a crash leaves at most one `sending` row per connection: that one
becomes `unknown` when the send resumes and is never sent again unless a person asks. Consent and
suppression are read in the very statement that claims the row, the moment before the handoff.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, and_, bindparam, exists, func, insert, select, update

from store.derived import suppress_if_due
from store.events import EVENTS, event_row, record
from store.models import Contact, LedgerEntry, SuppressedContact

LEDGER = LedgerEntry.__table__
CHUNK = 1000


class Entry(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNKNOWN = "unknown"


def is_enqueued(conn: Connection, campaign_id: int) -> bool:
    return (
        conn.execute(select(LEDGER.c.contact_id).where(LEDGER.c.campaign_id == campaign_id).limit(1)).first()
        is not None
    )


def enqueue(conn: Connection, campaign_id: int, due: Iterable[tuple[int, datetime]], now: datetime) -> int:
    """Every recipient (contact id, not before) as queued; the caller's transaction makes it all
    or nothing. The number enqueued."""
    total, chunk = 0, []
    for contact_id, due_at in due:
        chunk.append({"campaign_id": campaign_id, "contact_id": contact_id, "state": Entry.QUEUED.value,
                      "due_at": due_at, "updated_at": now})  # fmt: skip
        if len(chunk) == CHUNK:
            total += _insert(conn, chunk)
            chunk = []
    return total + _insert(conn, chunk)


def _insert(conn: Connection, rows: list[dict]) -> int:
    if rows:
        conn.execute(insert(LEDGER), rows)
    return len(rows)


def in_flight_to_unknown(conn: Connection, campaign_id: int, now: datetime) -> int:
    """The rows a dead sender left `sending`: handed over or not, nobody knows. Run only by the
    scheduler's lease holder as a send starts, when no sender of this store is running."""
    moved = conn.execute(
        update(LEDGER)
        .where(LEDGER.c.campaign_id == campaign_id, LEDGER.c.state == Entry.SENDING.value)
        .values(
            state=Entry.UNKNOWN.value, reason="handed to the server when the sender stopped", updated_at=now
        )
    )
    return moved.rowcount


def due(conn: Connection, campaign_id: int, now: datetime, limit: int) -> list[int]:
    """The next queued recipients whose time has come, by contact id."""
    query = (
        select(LEDGER.c.contact_id)
        .where(
            LEDGER.c.campaign_id == campaign_id, LEDGER.c.state == Entry.QUEUED.value, LEDGER.c.due_at <= now
        )
        .order_by(LEDGER.c.contact_id)
        .limit(limit)
    )
    return list(conn.scalars(query))


def next_due(conn: Connection, campaign_id: int) -> datetime | None:
    """When the next queued recipient is due (a later time zone), or None when none is left."""
    query = select(func.min(LEDGER.c.due_at)).where(
        LEDGER.c.campaign_id == campaign_id, LEDGER.c.state == Entry.QUEUED.value
    )
    return conn.scalar(query)


def _statements():
    """The statements each message runs, built once: building them per call cost more than the
    database's own work (SQLAlchemy coerces every clause again)."""
    contacts, suppressed = Contact.__table__, SuppressedContact.__table__
    row = (LEDGER.c.campaign_id == bindparam("campaign")) & (LEDGER.c.contact_id == bindparam("contact"))
    mailable = and_(
        exists().where(contacts.c.id == bindparam("contact"), contacts.c.email_consent == "subscribed"),
        ~exists().where(suppressed.c.contact_id == bindparam("contact")),
    )
    queued = row & (LEDGER.c.state == Entry.QUEUED.value)
    claim = (
        update(LEDGER).where(queued, mailable).values(state=Entry.SENDING.value, updated_at=bindparam("now"))
    )
    skip = (
        update(LEDGER)
        .where(queued)
        .values(state=Entry.SKIPPED.value, reason=bindparam("reason"), updated_at=bindparam("now"))
    )
    mark = (
        update(LEDGER)
        .where(row)
        .values(state=bindparam("state"), answer=bindparam("answer"), updated_at=bindparam("now"))
    )
    return claim, skip, mark


CLAIM, SKIP, MARK = _statements()


def claim(
    conn: Connection, campaign_id: int, contact_id: int, now: datetime, approved_at: datetime | None = None
) -> str | None:
    """Moves the recipient to `sending` if it may be mailed this moment; otherwise marks it
    skipped and returns why. None: claimed, send it."""
    key = {"campaign": campaign_id, "contact": contact_id, "now": now}
    if conn.execute(CLAIM, key).rowcount:
        return None
    reason = _why_not(conn, contact_id, approved_at)
    conn.execute(SKIP, {**key, "reason": reason})
    return reason


def unclaim(conn: Connection, campaign_id: int, contact_id: int, now: datetime) -> None:
    """Back to queued: the claim's message never reached a server (it could not be reached)."""
    row = _row(campaign_id, contact_id) & (LEDGER.c.state == Entry.SENDING.value)
    conn.execute(update(LEDGER).where(row).values(state=Entry.QUEUED.value, updated_at=now))


def _why_not(conn: Connection, contact_id: int, approved_at: datetime | None) -> str:
    suppressed = SuppressedContact.__table__
    if conn.execute(select(suppressed.c.contact_id).where(suppressed.c.contact_id == contact_id)).first():
        return "suppressed"
    consent = conn.scalar(select(Contact.email_consent).where(Contact.id == contact_id))
    if consent != "unsubscribed" or approved_at is None:
        return "not subscribed"
    since = select(EVENTS.c.contact_id).where(
        EVENTS.c.contact_id == contact_id,
        EVENTS.c.type == "email_unsubscribed",
        EVENTS.c.occurred_at >= approved_at,
    )
    return "unsubscribed since approval" if conn.execute(since.limit(1)).first() else "not subscribed"


def sent(conn: Connection, campaign_id: int, contact_id: int, campaign: str, now: datetime) -> None:
    """Accepted by the server; the `email_sent` event reports count."""
    _mark(conn, campaign_id, contact_id, Entry.SENT, now)
    record(conn, event_row(contact_id, "email_sent", now, campaign))


def failed(
    conn: Connection, campaign_id: int, contact_id: int, answer: str, now: datetime,
    bounced: str | None = None,
) -> None:  # fmt: skip
    """Refused by the server (`answer`) or not renderable; a permanent refusal is a bounce of
    campaign `bounced` (its external id), and bounces suppress by the store's one rule."""
    _mark(conn, campaign_id, contact_id, Entry.FAILED, now, answer=answer)
    if bounced is not None:
        record(conn, event_row(contact_id, "email_bounced", now, bounced))
        suppress_if_due(conn, contact_id)


def _mark(
    conn: Connection,
    campaign_id: int,
    contact_id: int,
    state: Entry,
    now: datetime,
    answer: str | None = None,
) -> None:
    conn.execute(
        MARK,
        {"campaign": campaign_id, "contact": contact_id, "state": state.value, "answer": answer, "now": now},
    )


def _row(campaign_id: int, contact_id: int):
    return (LEDGER.c.campaign_id == campaign_id) & (LEDGER.c.contact_id == contact_id)
