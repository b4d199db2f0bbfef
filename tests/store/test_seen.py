"""Delivery seen: the first delivery of an id counts, later ones do not; old ones are forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from store.migrate import upgrade
from store.models import SeenRequest
from store.seen import SeenRequests

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_an_id_counts_once(engine) -> None:
    upgrade(engine)
    seen = SeenRequests(engine)
    assert seen.first("slack:Ev1", NOW) is True
    assert seen.first("slack:Ev1", NOW + timedelta(seconds=3)) is False
    assert seen.first("slack:Ev2", NOW) is True


def test_old_requests_are_forgotten_as_new_ones_come(engine) -> None:
    upgrade(engine)
    seen = SeenRequests(engine, keep=timedelta(days=1))
    seen.first("old", NOW - timedelta(days=3))
    seen.first("new", NOW)  # the first request of this process prunes
    with engine.connect() as conn:
        assert conn.execute(select(SeenRequest.id)).scalars().all() == ["new"]
    assert seen.first("old", NOW) is True  # forgotten, so it counts again
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SeenRequest)).scalar() == 2
