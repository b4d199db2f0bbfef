"""Per-contact summaries that imports keep up to date, so segments need not read every event."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    case,
    delete,
    func,
    insert,
    select,
)

from store.models import ContactCategoryPurchases, ContactPurchases, Event, SuppressedContact


def refresh(conn: Connection) -> None:
    """Every summary, after events were imported."""
    _rebuild_purchases(conn, per_contact=True, per_category=True)
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
    """Rebuild `contact_purchases`: each purchaser's orders, spend, first and last purchase."""
    _rebuild_purchases(conn, per_contact=True, per_category=False)


def refresh_category_purchases(conn: Connection) -> None:
    """Rebuild `contact_category_purchases`: the purchases that name a category, per category."""
    _rebuild_purchases(conn, per_contact=False, per_category=True)


def _rebuild_purchases(conn: Connection, *, per_contact: bool, per_category: bool) -> None:
    """The purchases read once, grouped by contact and category (no category is a group too);
    the per-category summary is those groups, the per-contact one their totals."""
    events = Event.__table__
    groups = Table(
        "purchase_groups",
        MetaData(),
        Column("contact_id", Integer),
        Column("category", Text),
        Column("orders", BigInteger),
        Column("priced_orders", BigInteger),
        Column("spend", Numeric),
        Column("first_at", events.c.occurred_at.type),
        Column("last_at", events.c.occurred_at.type),
        prefixes=["TEMPORARY"],
    )
    grouped = (
        select(
            events.c.contact_id,
            events.c.category,
            func.count(),
            func.count(events.c.amount),
            func.sum(events.c.amount),
            func.min(events.c.occurred_at),
            func.max(events.c.occurred_at),
        )
        .where(events.c.type == "purchase")
        .group_by(events.c.contact_id, events.c.category)
    )
    groups.create(conn)
    try:
        conn.execute(insert(groups).from_select([c.name for c in groups.c], grouped))
        measures = ["orders", "priced_orders", "spend", "first_at", "last_at"]
        if per_contact:
            totals = select(
                groups.c.contact_id,
                func.sum(groups.c.orders),
                func.sum(groups.c.priced_orders),
                func.sum(groups.c.spend),
                func.min(groups.c.first_at),
                func.max(groups.c.last_at),
            ).group_by(groups.c.contact_id)
            _replace(conn, ContactPurchases.__table__, ["contact_id", *measures], totals)
        if per_category:
            named = select(*groups.c).where(groups.c.category.is_not(None))
            _replace(conn, ContactCategoryPurchases.__table__, ["contact_id", "category", *measures], named)
    finally:
        groups.drop(conn)


def _replace(conn: Connection, summary: Table, columns: list[str], rows) -> None:
    conn.execute(delete(summary))
    conn.execute(insert(summary).from_select(columns, rows))
