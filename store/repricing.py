"""A new workspace currency, or new rates files, for a store already converted: every purchase is
converted again, and the tables that hold money are built again from them, in one transaction."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, exists, select

from store import audiences, derived
from store.models import Event
from store.pricing import Pricing, settled, store_currency

log = logging.getLogger(__name__)


def settle(engine: Engine, pricing: Pricing) -> bool:
    """Convert the store into `pricing`'s currency with its rates, if it was converted into another
    or with other rates files; whether it did."""
    with engine.connect() as conn:
        if store_currency(conn) is None or settled(conn, pricing):
            return False  # a store without events has no money to convert: its first import does it
    with engine.begin() as conn:
        if settled(conn, pricing):  # another process did it meanwhile
            return False
        before = store_currency(conn)
        if before == pricing.currency:
            log.warning("converting the store's purchases again with the rates files now given ...")
        else:
            log.warning(
                "converting the store's purchases from %s into %s, once ...", before, pricing.currency
            )
        derived.refresh_purchase_tables(conn, pricing)
        if conn.execute(select(exists().where(Event.__table__.c.type == "purchase"))).scalar():
            audiences.rebuild(conn)
    return True
