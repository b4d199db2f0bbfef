"""Delivery receipts: the first delivery of an id counts, later ones do not; old ones are forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from store.migrate import upgrade
from store.models import DeliveryReceipt
from store.receipts import Receipts

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_an_id_counts_once(engine) -> None:
    upgrade(engine)
    receipts = Receipts(engine)
    assert receipts.first("slack:Ev1", NOW) is True
    assert receipts.first("slack:Ev1", NOW + timedelta(seconds=3)) is False
    assert receipts.first("slack:Ev2", NOW) is True


def test_old_receipts_are_forgotten_as_new_ones_come(engine) -> None:
    upgrade(engine)
    receipts = Receipts(engine, keep=timedelta(days=1))
    receipts.first("old", NOW - timedelta(days=3))
    receipts.first("new", NOW)  # the first receipt of this process prunes
    with engine.connect() as conn:
        assert conn.execute(select(DeliveryReceipt.id)).scalars().all() == ["new"]
    assert receipts.first("old", NOW) is True  # forgotten, so it counts again
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(DeliveryReceipt)).scalar() == 2
