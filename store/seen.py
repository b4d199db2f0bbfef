"""Requests seen: "have we had this one before?" for Slack requests that may come twice.

Slack delivers an event again when it did not see our acknowledgement in time, and a signed
request captured on the way can be replayed within its five minutes; the event's id (or the
request's signature) is remembered here, so the second arrival is recognized and dropped. The
primary key decides, so two arrivals racing each other still count once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from store.models import SeenRequest

#: Slack retries within minutes; a day is ample.
KEEP = timedelta(days=1)
#: Old entries are removed at most this often.
PRUNE_EVERY = timedelta(hours=1)


class SeenRequests:
    def __init__(self, engine: Engine, keep: timedelta = KEEP) -> None:
        self.engine, self.keep = engine, keep
        self._pruned_at: datetime | None = None

    def first(self, key: str, at: datetime) -> bool:
        """True the first time `key` arrives, False for every later delivery of it."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(SeenRequest).values(id=key, received_at=at))
        except IntegrityError:
            return False
        if self._pruned_at is None or at - self._pruned_at >= PRUNE_EVERY:
            self.prune(at - self.keep)
            self._pruned_at = at
        return True

    def prune(self, before: datetime) -> int:
        """Forget the requests seen before `before`; how many were forgotten."""
        with self.engine.begin() as conn:
            return conn.execute(delete(SeenRequest).where(SeenRequest.received_at < before)).rowcount
