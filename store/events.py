"""Events Tailor records itself (its sends, and later opens, clicks and unsubscribes), written
as an import would write them: the same columns, the same fingerprint of the values beyond
contact, type and time, so reports and segments cannot tell them from imported ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from store.importer.rows import fingerprint
from store.models import Event


def event_row(
    contact_id: int, kind: str, at: datetime, campaign: str | None = None, **values: str | None
) -> dict[str, Any]:
    """One `events` row; `campaign` is the campaign's external id (`tailor-12`), as imports keep it;
    `values`: category, product or topic."""
    texts = [campaign or "", "", "", values.get("category") or "", values.get("product") or "",
             values.get("topic") or "", ""]  # fmt: skip
    return {
        "contact_id": contact_id,
        "type": kind,
        "occurred_at": at,
        "fingerprint": fingerprint("\x1f".join(texts)),
        "campaign_id": campaign,
        "amount": None,
        "currency": None,
        "category": values.get("category"),
        "product": values.get("product"),
        "topic": values.get("topic"),
    }  # no `properties`: NULL, as an import leaves an event without any


EVENTS = Event.__table__


def record(conn: Connection, row: dict[str, Any]) -> None:
    """Writes the event once: the same event again (same contact, type, moment and values) is
    the same fact, and is left as it is."""
    conn.execute(_ONCE["postgresql" if conn.dialect.name == "postgresql" else "sqlite"], row)


#: Built once: the statement is the same for every event (its values come as parameters).
_ONCE = {
    "postgresql": postgresql.insert(EVENTS).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(EVENTS).on_conflict_do_nothing(),
}
