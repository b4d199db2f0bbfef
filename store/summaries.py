"""Per-contact summaries that imports keep up to date, so segments need not read every event."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select

from store.models import ContactPurchases, Event


def refresh_purchases(conn: Connection) -> None:
    """Rebuild `contact_purchases` from the purchases: one grouped pass over the purchase index."""
    events = Event.__table__
    per_contact = (
        select(
            events.c.contact_id,
            func.count(),
            func.count(events.c.amount),
            func.sum(events.c.amount),
            func.min(events.c.occurred_at),
            func.max(events.c.occurred_at),
        )
        .where(events.c.type == "purchase")
        .group_by(events.c.contact_id)
    )
    summary = ContactPurchases.__table__
    conn.execute(delete(summary))
    columns = ["contact_id", "orders", "priced_orders", "spend", "first_at", "last_at"]
    conn.execute(insert(summary).from_select(columns, per_contact))
