"""The tables derived from events, which every import refreshes, so segments need not read every event.

Per contact, its purchases (`contact_purchases`) and its purchases by category
(`contact_category_purchases`); and the contacts that complaints and bounces suppress
(`suppressed_contacts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    MetaData,
    Select,
    Table,
    case,
    delete,
    func,
    insert,
    select,
)

from store.models import ContactCategoryPurchases, ContactPurchases, Event, SuppressedContact
from store.pricing import Pricing, fix_rates, priced


def refresh(conn: Connection, pricing: Pricing, events: Table = Event.__table__) -> None:
    """Every derived table, after events were imported (into `events`, or a table to take its place)."""
    refresh_purchase_tables(conn, pricing, events)
    refresh_suppressions(conn, events)


def refresh_purchase_tables(conn: Connection, pricing: Pricing, events: Table = Event.__table__) -> None:
    """Both purchase tables from one pass over the purchases, which is most of their cost.

    The purchases are grouped per contact and category into a temporary table (those without
    a category in a group of their own); the categories are its named groups, and each
    purchaser's totals are its groups added up. CREATE TABLE AS, unlike INSERT, lets
    PostgreSQL's parallel workers share the pass. Amounts are in the store's currency: the rates
    of the purchases' days are fixed first.
    """
    fix_rates(conn, pricing, events)
    groups = Table(
        "purchase_groups",
        MetaData(),
        *(Column(c.name, c.type) for c in ContactCategoryPurchases.__table__.columns),
    )
    # The query's one literal is 'purchase', ours: CREATE TABLE AS takes no parameters.
    grouped = _per_contact([events.c.category], events).compile(
        dialect=conn.dialect, compile_kwargs={"literal_binds": True}
    )
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {groups.name} AS {grouped}")
    categories = select(groups).where(groups.c.category.is_not(None))
    totals = select(
        groups.c.contact_id,
        func.sum(groups.c.orders),
        func.sum(groups.c.priced_orders),
        func.sum(groups.c.spend),
        func.min(groups.c.first_at),
        func.max(groups.c.last_at),
    ).group_by(groups.c.contact_id)
    _replace(conn, ContactCategoryPurchases.__table__, categories)
    _replace(conn, ContactPurchases.__table__, totals)
    conn.exec_driver_sql(f"DROP TABLE {groups.name}")


def suppressed(events: Table = Event.__table__) -> Select:
    """The rule: contacts that complained once, or bounced on two or more sends."""
    weight = case((events.c.type == "email_complained", 2), else_=1)
    return (
        select(events.c.contact_id)
        .where(events.c.type.in_(("email_complained", "email_bounced")))
        .group_by(events.c.contact_id)
        .having(func.sum(weight) >= 2)
    )


def refresh_suppressions(conn: Connection, events: Table = Event.__table__) -> None:
    _replace(conn, SuppressedContact.__table__, suppressed(events))


def suppress_if_due(conn: Connection, contact_id: int) -> bool:
    """After a bounce or a complaint: the contact joins `suppressed_contacts` when the rule says
    so (and was not there already). True when it did."""
    table = SuppressedContact.__table__
    due = suppressed().where(Event.__table__.c.contact_id == contact_id)
    already = select(table.c.contact_id).where(table.c.contact_id == contact_id)
    if conn.execute(already).first() is not None or conn.execute(due).first() is None:
        return False
    conn.execute(insert(table).values(contact_id=contact_id))
    return True


def refresh_purchases(conn: Connection) -> None:
    """Rebuild `contact_purchases` alone (the migration that added it, before amounts were
    converted: revision 0010 converts them)."""
    _replace(conn, ContactPurchases.__table__, _per_contact([], converted=False))


def refresh_category_purchases(conn: Connection) -> None:
    """Rebuild `contact_category_purchases` alone (the migration that added it, as above)."""
    category = Event.__table__.c.category
    rows = _per_contact([category], converted=False).where(category.is_not(None))
    _replace(conn, ContactCategoryPurchases.__table__, rows)


def _per_contact(
    keys: Sequence[ColumnElement[Any]], events: Table = Event.__table__, converted: bool = True
) -> Select:
    """Each purchaser's orders, priced orders, spend, first and last purchase, per `keys`; an order
    is priced when its amount is known in the store's currency."""
    joined, value = priced(events, converted)
    return (
        select(
            events.c.contact_id,
            *keys,
            func.count().label("orders"),
            func.count(value).label("priced_orders"),
            func.sum(value).label("spend"),
            func.min(events.c.occurred_at).label("first_at"),
            func.max(events.c.occurred_at).label("last_at"),
        )
        .select_from(joined)
        .where(events.c.type == "purchase")
        .group_by(events.c.contact_id, *keys)
    )


def _replace(conn: Connection, table: Table, rows: Select) -> None:
    """The derived table's rows become `rows`, whose columns are the table's, in order."""
    conn.execute(delete(table))
    conn.execute(insert(table).from_select([c.name for c in table.columns], rows))
