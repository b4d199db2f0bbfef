"""Helpers of the scheduler's tests: campaigns written straight into the store, as the campaign
service leaves them, a handler that records who fired what, and waiting for a condition."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from campaigns.states import State
from store.models import Campaign, OwnedCampaign, SchedulerJob, SchedulerLease

T = TypeVar("T")


def add_campaign(engine: Engine, state: State, send_at: datetime | None) -> int:
    """A campaign Tailor drafted, in `state`, due at `send_at`; its id."""
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        campaign = Campaign(external_id=f"tailor-{uuid.uuid4().hex[:8]}", name="Spring sale")
        session.add(campaign)
        session.flush()
        session.add(
            OwnedCampaign(
                campaign_id=campaign.id,
                phrase="lapsed runners",
                definition={},
                template="welcome",
                template_version=1,
                drafted_by="U01ALICE",
                state=state.value,
                approvals_required=1,
                count=2,
                reachable=2,
                created_at=now,
                updated_at=now,
                send_at=send_at,
            )
        )
        return campaign.id


def change_campaign(engine: Engine, campaign_id: int, **values: Any) -> None:
    """Write `values` (state, send_at) as the campaign service or the dispatcher would."""
    with engine.begin() as conn:
        conn.execute(
            update(OwnedCampaign)
            .where(OwnedCampaign.campaign_id == campaign_id)
            .values(**values, revision=OwnedCampaign.revision + 1)
        )


def finish(engine: Engine, campaign_id: int) -> None:
    """What the dispatcher does with a campaign it sent to everyone."""
    change_campaign(engine, campaign_id, state=State.SENT.value, send_at=None)


def campaign_row(engine: Engine, campaign_id: int) -> Any:
    with engine.connect() as conn:
        query = select(OwnedCampaign.state, OwnedCampaign.send_at).where(
            OwnedCampaign.campaign_id == campaign_id
        )
        return conn.execute(query).one()


def jobs_in(engine: Engine) -> dict[str, float | None]:
    """APScheduler's stored jobs: id -> next run time (a UTC timestamp)."""
    with engine.connect() as conn:
        rows = conn.execute(select(SchedulerJob.id, SchedulerJob.next_run_time))
        return {row.id: row.next_run_time for row in rows}


def lease_holder(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(SchedulerLease.holder)).scalar()


class Fired:
    """A fire handler per scheduler, recording (scheduler, campaign) and finishing the campaign."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.calls: list[tuple[str, int]] = []
        self._lock = threading.Lock()

    def handler(self, name: str) -> Callable[[int], None]:
        def fire(campaign_id: int) -> None:
            with self._lock:
                self.calls.append((name, campaign_id))
            finish(self.engine, campaign_id)

        return fire


def wait_for(condition: Callable[[], T], timeout: float = 5.0) -> T:
    """`condition()`'s first true value, asked every 20 ms; AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {condition}")
        time.sleep(0.02)
    return value
