"""Per-contact summaries that imports keep up to date, so segments need not read every event."""

from __future__ import annotations

from sqlalchemy import Connection, case, delete, func, insert, select

from store.models import ContactCategoryPurchases, ContactPurchases, Event, SuppressedContact


def refresh(conn: Connection) -> None:
    """Every summary, after events were imported."""
    refresh_purchases(conn)
    refresh_category_purchases(conn)
    refresh_suppressions(conn)


def refresh_suppressions(conn: Connection) -> None:
    """Contacts that complained once, or bounced on two or more sends."""
    events = Event.__table__
    weight = case((events.c.type == "email_complained", 2), else_=1)
    suppressed = (
        select(events.c.contact_id)
        .where(events.c.type.in_(("email_complained", "email_bounced")))
        .group_by(events.c.contact_id)
        .having(func.sum(weight) >= 2)
    )
    conn.execute(delete(SuppressedContact))
    conn.execute(insert(SuppressedContact).from_select(["contact_id"], suppressed))


def refresh_purchases(conn: Connection) -> None:
    """Rebuild `contact_purchases` from the purchases: one grouped pass over the purchase index."""
    _rebuild(conn, ContactPurchases.__table__, [])


def refresh_category_purchases(conn: Connection) -> None:
    """Rebuild `contact_category_purchases`: the purchases that name a category, per category."""
    _rebuild(conn, ContactCategoryPurchases.__table__, [Event.__table__.c.category])


def _rebuild(conn: Connection, summary, keys: list) -> None:
    events = Event.__table__
    per_contact = (
        select(
            events.c.contact_id,
            *keys,
            func.count(),
            func.count(events.c.amount),
            func.sum(events.c.amount),
            func.min(events.c.occurred_at),
            func.max(events.c.occurred_at),
        )
        .where(events.c.type == "purchase", *(key.is_not(None) for key in keys))
        .group_by(events.c.contact_id, *keys)
    )
    conn.execute(delete(summary))
    names = [key.name for key in keys]
    columns = ["contact_id", *names, "orders", "priced_orders", "spend", "first_at", "last_at"]
    conn.execute(insert(summary).from_select(columns, per_contact))
