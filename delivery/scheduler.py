"""The one scheduler of a store: whoever holds the lease runs APScheduler over the store's job
table; every other process waits for the lease, so the job table is never shared by two running
schedulers, and a holder's death hands its jobs over within the lease's length.

The campaigns table is the truth and APScheduler's job table its persistent mirror: `sync` makes
one job per due campaign (state `scheduled` or `sending`, a `send_at`), at `send_at`, and removes
the rest. A stored job names a function ("delivery.jobs:fire") and holds a campaign id, nothing
else, so any later holder can run it; a send missed while no scheduler ran runs once, at once.

`fire(campaign_id)`, the handler (the dispatcher), is expected to move the campaign off its due
time when it starts (set `send_at` to null, or to when the rest is due): a campaign still due
after its run is fired again by the next `sync`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import BaseJobStore, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError

from campaigns.states import State
from delivery import jobs
from delivery.lease import Lease
from store.models import OwnedCampaign

log = logging.getLogger(__name__)

#: States whose campaigns have a job while their `send_at` is set.
DUE_STATES = (State.SCHEDULED.value, State.SENDING.value)
#: Jobs of campaigns are named so; the scheduler leaves other jobs of the store (a digest) alone.
JOB_PREFIX = "campaign-"
#: A job may wake a little before the `send_at` it mirrors (its time is kept as a float).
EARLY = timedelta(seconds=1)


def job_id(campaign_id: int) -> str:
    return f"{JOB_PREFIX}{campaign_id}"


class _StoreJobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy job store on the store's own engine, without two things it would
    do of its own accord: create its table (migration 0013 owns the schema) and dispose the
    engine at shutdown (the application owns the engine, and keeps using it)."""

    def start(self, scheduler: Any, alias: str) -> None:
        BaseJobStore.start(self, scheduler, alias)

    def shutdown(self) -> None:
        pass


class Scheduler:
    """Runs `fire(campaign_id)` when each due campaign's `send_at` comes, in whichever process
    holds `lease`; `poll` seconds between reconciliations with the campaigns table. What `fire`
    returns is ignored."""

    def __init__(
        self,
        engine: Engine,
        fire: Callable[[int], object],
        lease: Lease,
        poll: float = 10.0,
        *,
        workers: int = 4,
    ) -> None:
        self.engine = engine
        self.lease = lease
        self.poll = poll
        self._fire = fire
        self._workers = workers
        #: Heartbeat: renewing three times per lease survives a late renewal or two.
        self._beat = lease.ttl.total_seconds() / 3
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        #: Guards `_aps`: `sync` may be called from any thread while the lease comes and goes.
        self._sync_lock = threading.Lock()
        self._aps: BackgroundScheduler | None = None
        #: Campaigns whose handler runs now in this process, and a condition to wait for them.
        self._running: set[int] = set()
        self._running_changed = threading.Condition()

    @property
    def is_running(self) -> bool:
        """Started and not stopped: holding the lease or waiting for it."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def holding(self) -> bool:
        """Whether this scheduler holds the lease and runs jobs."""
        return self._aps is not None

    def start(self) -> None:
        if self.is_running:
            raise RuntimeError("the scheduler is already running")
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"scheduler {self.lease.holder}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop running jobs, wait for the sends in flight (renewing the lease meanwhile, so that
        no other process resumes them while they run), and release the lease."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def sync(self) -> bool:
        """Make the jobs match the due campaigns; False (doing nothing) unless holding the lease,
        since the holder's next poll will do it."""
        with self._sync_lock:
            aps = self._aps
            if aps is None:
                return False
            due = self._due_campaigns()
            mirrored = {job.id: job for job in aps.get_jobs() if job.id.startswith(JOB_PREFIX)}
            for stale in mirrored.keys() - {job_id(c) for c in due}:
                self._remove(aps, stale)
            for campaign_id, send_at in due.items():
                job = mirrored.get(job_id(campaign_id))
                if job is None or job.trigger.run_date != send_at:
                    self._add(aps, campaign_id, send_at)
        return True

    # The thread: wait for the lease, hold it, and back.

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    if self._acquire():
                        self._hold()
                        continue
                except Exception:
                    # A bug or the database gone: log it and try again, rather than end the thread
                    # and leave the store without a scheduler.
                    log.exception("scheduler %s failed; trying again", self.lease.holder)
                self._stopping.wait(self._beat)
        finally:
            self._release()

    def _hold(self) -> None:
        log.info("scheduler %s took the lease", self.lease.holder)
        aps = self._start_apscheduler()
        try:
            self._resume_interrupted()
            self.sync()
            self._heartbeat()
        finally:
            with self._sync_lock:
                self._aps = None
            # wait=False: on a lost lease nothing may outlast it but the sends in flight, which
            # check the lease before each batch.
            aps.shutdown(wait=False)
            jobs.uninstall(self._on_fire)
        if self._stopping.is_set():
            self._drain()
        else:
            log.warning("scheduler %s lost the lease; waiting for it again", self.lease.holder)

    def _heartbeat(self) -> None:
        """Renew the lease every beat and sync every poll, until stopped or the lease is lost."""
        next_renew = time.monotonic() + self._beat
        next_sync = time.monotonic() + self.poll
        while not self._stopping.wait(max(0.0, min(next_renew, next_sync) - time.monotonic())):
            now = time.monotonic()
            if now >= next_renew:
                if not self._renew():
                    return
                next_renew = now + self._beat
            if now >= next_sync:
                try:
                    self.sync()
                except SQLAlchemyError:
                    log.exception(
                        "scheduler %s could not sync its jobs; trying at the next poll", self.lease.holder
                    )
                next_sync = now + self.poll

    def _drain(self) -> None:
        """Wait for the handlers still running, renewing the lease every beat meanwhile."""
        next_renew = time.monotonic() + self._beat
        with self._running_changed:
            while self._running:
                self._running_changed.wait(max(0.0, next_renew - time.monotonic()))
                if self._running and time.monotonic() >= next_renew:
                    if not self._renew():
                        return
                    next_renew = time.monotonic() + self._beat

    def _start_apscheduler(self) -> BackgroundScheduler:
        aps = BackgroundScheduler(
            jobstores={"default": _StoreJobStore(engine=self.engine)},
            executors={"default": ThreadPoolExecutor(self._workers)},
            # One run however many were missed, however late (a restart runs what was missed),
            # never two of a campaign at once.
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )
        jobs.install(self._on_fire)
        aps.start()
        with self._sync_lock:
            self._aps = aps
        return aps

    # The lease, its failures logged rather than raised: a database that does not answer means
    # the lease is not confirmed, which is the same as not held.

    def _acquire(self) -> bool:
        try:
            return self.lease.acquire()
        except SQLAlchemyError as exc:
            log.warning("scheduler %s could not ask for the lease: %s", self.lease.holder, exc)
            return False

    def _renew(self) -> bool:
        try:
            renewed = self.lease.renew()
        except SQLAlchemyError as exc:
            log.warning("scheduler %s could not renew the lease: %s", self.lease.holder, exc)
            return False
        if not renewed:
            log.warning("scheduler %s: the lease expired or was taken", self.lease.holder)
        return renewed

    def _release(self) -> None:
        try:
            self.lease.release()
        except SQLAlchemyError as exc:
            # It expires by itself; the next holder only waits a little longer.
            log.warning("scheduler %s could not release the lease: %s", self.lease.holder, exc)

    # Campaigns.

    def _due_campaigns(self) -> dict[int, datetime]:
        query = select(OwnedCampaign.campaign_id, OwnedCampaign.send_at).where(
            OwnedCampaign.state.in_(DUE_STATES), OwnedCampaign.send_at.is_not(None)
        )
        with self.engine.connect() as conn:
            return {row.campaign_id: row.send_at for row in conn.execute(query)}

    def _resume_interrupted(self) -> None:
        """A campaign `sending` without `send_at` was being sent when the previous holder died:
        due now, it resumes (the send ledger says who has had it)."""
        resume = (
            update(OwnedCampaign)
            .where(OwnedCampaign.state == State.SENDING.value, OwnedCampaign.send_at.is_(None))
            .values(send_at=datetime.now(UTC), revision=OwnedCampaign.revision + 1)
        )
        with self._running_changed:
            running = set(self._running)
        if running:
            # This process's own sends, still finishing from an earlier holding of the lease.
            resume = resume.where(OwnedCampaign.campaign_id.not_in(running))
        with self.engine.begin() as conn:
            resumed = conn.execute(resume).rowcount
        if resumed:
            log.info("scheduler %s resumes %d interrupted send(s)", self.lease.holder, resumed)

    def _is_due(self, campaign_id: int) -> bool:
        query = select(OwnedCampaign.state, OwnedCampaign.send_at).where(
            OwnedCampaign.campaign_id == campaign_id
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (
            row is not None
            and row.state in DUE_STATES
            and row.send_at is not None
            and row.send_at <= datetime.now(UTC) + EARLY
        )

    def _add(self, aps: BackgroundScheduler, campaign_id: int, send_at: datetime) -> None:
        aps.add_job(
            jobs.REFERENCE,
            DateTrigger(run_date=send_at),
            args=[campaign_id],
            id=job_id(campaign_id),
            name=f"campaign {campaign_id}",
            replace_existing=True,
        )
        log.info("campaign %s: job at %s", campaign_id, send_at.isoformat())

    def _remove(self, aps: BackgroundScheduler, stale: str) -> None:
        try:
            aps.remove_job(stale)
        except JobLookupError:
            return  # it has just run, and APScheduler removed it
        log.info("%s: job removed, the campaign is no longer due", stale)

    def _on_fire(self, campaign_id: int) -> None:
        """What `jobs.fire` calls here: the handler, behind three fences, each checked at the last
        moment: not twice at once in this process, only while holding the lease, and only while
        the campaigns table still says the campaign is due (a stale job fires nothing)."""
        with self._running_changed:
            if campaign_id in self._running:
                log.info("campaign %s is being sent already", campaign_id)
                return
            self._running.add(campaign_id)
        try:
            if not self.lease.held():
                log.warning(
                    "campaign %s not fired: scheduler %s lost the lease", campaign_id, self.lease.holder
                )
            elif not self._is_due(campaign_id):
                log.info("campaign %s not fired: no longer due", campaign_id)
            else:
                log.info("campaign %s fired by %s", campaign_id, self.lease.holder)
                self._fire(campaign_id)
        except Exception:
            log.exception("campaign %s: its send failed", campaign_id)
        finally:
            with self._running_changed:
                self._running.discard(campaign_id)
                self._running_changed.notify_all()

    def __repr__(self) -> str:
        return f"Scheduler({self.lease!r}, holding={self.holding})"
