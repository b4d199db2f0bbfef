"""A new workspace currency for a store already converted into another: every purchase is
converted again, and the tables that hold money are built again from them, in one transaction."""

from __future__ import annotations

from sqlalchemy import Engine, exists, select

from store import audiences, derived
from store.models import Event
from store.pricing import Pricing, store_currency


def settle(engine: Engine, pricing: Pricing) -> bool:
    """Convert the store into `pricing`'s currency if it holds purchases in another; whether it did."""
    with engine.connect() as conn:
        current = store_currency(conn)
    if current is None or current == pricing.currency:
        return False  # a store without events has no money to convert: its first import does it
    with engine.begin() as conn:
        if store_currency(conn) == pricing.currency:  # another process did it meanwhile
            return False
        derived.refresh_purchase_tables(conn, pricing)
        if conn.execute(select(exists().where(Event.__table__.c.type == "purchase"))).scalar():
            audiences.rebuild(conn)
    return True
