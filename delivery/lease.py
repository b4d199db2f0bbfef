"""Which process runs a store's scheduler: a lease in `scheduler_lease`, taken by one holder at a
time and renewed by it; a holder that stops renewing (killed, cut off) loses it when it expires.

Every step is one statement the database decides atomically, so two processes asking at once
never both win. Expiry is judged by the asking process's clock: holders' clocks must agree to well
within the lease's length (NTP does).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from store.models import SchedulerLease

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def holder_id() -> str:
    """Who this process is, for people reading the lease row: host, pid and a few random
    characters (a pid is reused after a restart, and two Leases in one process must differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Lease:
    """The lease called `name` for `holder`, lasting `ttl` past each acquire or renew."""

    def __init__(
        self,
        engine: Engine,
        holder: str,
        ttl: timedelta,
        name: str = "scheduler",
        clock: Clock = _utc_now,
    ) -> None:
        if ttl <= timedelta(0):
            raise ValueError(f"a lease lasts some time, not {ttl}")
        self.engine = engine
        self.holder = holder
        self.ttl = ttl
        self.name = name
        self.clock = clock

    def acquire(self) -> bool:
        """Take the lease if it is free, expired or already ours; False when another holds it."""
        now = self.clock()
        take = (
            update(SchedulerLease)
            .where(SchedulerLease.name == self.name)
            .where((SchedulerLease.holder == self.holder) | (SchedulerLease.expires_at < now))
            .values(holder=self.holder, expires_at=now + self.ttl)
        )
        with self.engine.begin() as conn:
            if conn.execute(take).rowcount == 1:
                return True
            exists = conn.execute(select(SchedulerLease.name).where(SchedulerLease.name == self.name)).first()
        if exists:
            return False
        return self._create(now)

    def _create(self, now: datetime) -> bool:
        """The first holder of a store creates the row; of two creating it at once, the primary
        key lets one in and the other gets IntegrityError: it lost."""
        row = {"name": self.name, "holder": self.holder, "expires_at": now + self.ttl}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(SchedulerLease).values(row))
        except IntegrityError:
            return False
        return True

    def renew(self) -> bool:
        """Extend the lease by `ttl` if it is still ours and unexpired. False means it is lost:
        once expired, another may have taken it, so the caller must stop acting as the holder
        (and may try `acquire` again)."""
        now = self.clock()
        extend = (
            update(SchedulerLease)
            .where(
                SchedulerLease.name == self.name,
                SchedulerLease.holder == self.holder,
                SchedulerLease.expires_at >= now,
            )
            .values(expires_at=now + self.ttl)
        )
        with self.engine.begin() as conn:
            return conn.execute(extend).rowcount == 1

    def release(self) -> None:
        """Give the lease up at once (if ours), so the next holder need not wait for expiry."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(SchedulerLease).where(
                    SchedulerLease.name == self.name, SchedulerLease.holder == self.holder
                )
            )

    def held(self) -> bool:
        """Whether the store says the lease is ours and unexpired: the fence before each piece of
        work done as the holder, read afresh every time rather than remembered."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(SchedulerLease.holder, SchedulerLease.expires_at).where(
                    SchedulerLease.name == self.name
                )
            ).first()
        return row is not None and row.holder == self.holder and row.expires_at > self.clock()

    def __repr__(self) -> str:
        return f"Lease({self.name!r}, holder={self.holder!r}, ttl={self.ttl})"
