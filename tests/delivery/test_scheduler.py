"""The scheduler's lease and the scheduler, on both databases: one holder at a time, jobs that
mirror the campaigns table, a missed send run once after a restart, and a killed holder's work
taken over by another process."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import Engine

from campaigns.states import State
from delivery.lease import Lease
from delivery.scheduler import Scheduler, job_id
from store.migrate import upgrade
from tests.conftest import PROJECT, Database
from tests.delivery.scheduling import (
    Fired,
    add_campaign,
    campaign_row,
    change_campaign,
    jobs_in,
    lease_holder,
    wait_for,
)

TTL = timedelta(seconds=1.5)
POLL = 0.2
T0 = datetime(2026, 12, 7, 12, tzinfo=UTC)


@pytest.fixture
def store(engine: Engine) -> Engine:
    upgrade(engine)
    return engine


@pytest.fixture
def fired(store: Engine) -> Fired:
    return Fired(store)


@pytest.fixture
def schedulers(store: Engine, fired: Fired) -> Iterator[dict[str, Scheduler]]:
    """Schedulers by name, made on demand (`schedulers["a"]`), started, and stopped afterwards."""

    class Made(dict[str, Scheduler]):
        def __missing__(self, name: str) -> Scheduler:
            scheduler = self[name] = Scheduler(store, fired.handler(name), Lease(store, name, TTL), poll=POLL)
            scheduler.start()
            return scheduler

    made = Made()
    yield made
    for scheduler in made.values():
        scheduler.stop()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_the_lease_has_one_holder_until_it_expires(store: Engine) -> None:
    clock = Clock()
    a = Lease(store, "a", timedelta(seconds=10), clock=clock)
    b = Lease(store, "b", timedelta(seconds=10), clock=clock)
    assert not a.held()
    assert a.acquire()  # no row yet: created
    assert not b.acquire()
    assert a.acquire()  # already a's: extended
    assert (a.held(), b.held()) == (True, False)

    clock.now += timedelta(seconds=8)
    assert a.renew()  # now lasts until T0 + 18 s
    clock.now += timedelta(seconds=9)
    assert not b.acquire()
    assert a.held()

    clock.now += timedelta(seconds=2)  # a stopped renewing: expired
    assert not a.held()
    assert b.acquire()
    assert not a.renew()  # lost, and it stays lost
    assert not a.acquire()
    assert (a.held(), b.held()) == (False, True)

    a.release()  # not a's to release
    assert b.held()
    b.release()
    assert a.acquire()


def test_an_expired_lease_is_not_renewed(store: Engine) -> None:
    clock = Clock()
    a = Lease(store, "a", timedelta(seconds=10), clock=clock)
    assert a.acquire()
    clock.now += timedelta(seconds=11)
    assert not a.renew()
    assert a.acquire()  # but no one took it, so a may take it again


def test_of_many_asking_at_once_one_gets_the_lease(store: Engine) -> None:
    leases = [Lease(store, f"holder-{i}", timedelta(seconds=30)) for i in range(8)]
    start = threading.Barrier(len(leases))
    won: dict[str, bool] = {}

    def ask(lease: Lease) -> None:
        start.wait()
        won[lease.holder] = lease.acquire()

    threads = [threading.Thread(target=ask, args=(lease,)) for lease in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [holder for holder, took in won.items() if took]
    assert len(won) == len(leases)
    assert winners == [lease_holder(store)]


def test_of_two_schedulers_one_fires_a_campaign_once(
    store: Engine, fired: Fired, schedulers: dict[str, Scheduler]
) -> None:
    a, b = schedulers["a"], schedulers["b"]
    holder = wait_for(lambda: a if a.holding else b if b.holding else None)
    waiter = b if holder is a else a
    name = lease_holder(store)
    assert holder.lease.holder == name
    assert waiter.is_running and not waiter.holding
    assert waiter.lease.acquire() is False

    campaign = add_campaign(store, State.SCHEDULED, datetime.now(UTC))
    assert waiter.sync() is False  # not the holder: leaves it to the holder
    assert holder.sync() is True
    wait_for(lambda: fired.calls)
    time.sleep(3 * POLL)  # a few polls: it is not fired again
    assert fired.calls == [(name, campaign)]
    assert campaign_row(store, campaign).state == State.SENT

    holder.stop()  # the other takes over, and has nothing left to fire
    wait_for(lambda: waiter.holding)
    time.sleep(3 * POLL)
    assert fired.calls == [(name, campaign)]
    assert jobs_in(store) == {}


def test_a_send_missed_while_stopped_runs_once_after_a_restart(
    store: Engine, fired: Fired, schedulers: dict[str, Scheduler]
) -> None:
    first = schedulers["first"]
    wait_for(lambda: first.holding)
    send_at = datetime.now(UTC) + timedelta(seconds=0.8)
    campaign = add_campaign(store, State.SCHEDULED, send_at)
    first.sync()
    assert jobs_in(store) == {job_id(campaign): pytest.approx(send_at.timestamp())}
    first.stop()
    assert not first.is_running and lease_holder(store) is None

    time.sleep(max(0.0, (send_at - datetime.now(UTC)).total_seconds()) + 0.2)
    assert fired.calls == []  # due, and no scheduler ran
    schedulers["second"]
    wait_for(lambda: fired.calls)
    time.sleep(3 * POLL)
    assert fired.calls == [("second", campaign)]
    assert jobs_in(store) == {}


def test_jobs_follow_the_campaigns_table(store: Engine, schedulers: dict[str, Scheduler]) -> None:
    scheduler = schedulers["a"]
    wait_for(lambda: scheduler.holding)
    soon = datetime.now(UTC) + timedelta(hours=1)
    kept = add_campaign(store, State.SCHEDULED, soon)
    moved = add_campaign(store, State.SCHEDULED, soon)
    cancelled = add_campaign(store, State.SCHEDULED, soon)
    add_campaign(store, State.APPROVED, soon)  # approved, not scheduled: no job
    add_campaign(store, State.SENDING, None)  # being sent, nothing due: no job
    scheduler.sync()
    assert set(jobs_in(store)) == {job_id(kept), job_id(moved), job_id(cancelled)}

    later = soon + timedelta(hours=1)
    change_campaign(store, moved, send_at=later)
    change_campaign(store, cancelled, state=State.CANCELLED.value)
    scheduler.sync()
    assert jobs_in(store) == {
        job_id(kept): pytest.approx(soon.timestamp()),
        job_id(moved): pytest.approx(later.timestamp()),
    }


def test_a_stale_job_fires_nothing(store: Engine, fired: Fired, caplog: pytest.LogCaptureFixture) -> None:
    """Cancelled after its job was made, before any sync: the job's time comes and nothing fires."""
    scheduler = Scheduler(store, fired.handler("a"), Lease(store, "a", TTL), poll=3600)
    scheduler.start()
    try:
        wait_for(lambda: scheduler.holding)
        campaign = add_campaign(store, State.SCHEDULED, datetime.now(UTC) + timedelta(seconds=0.3))
        scheduler.sync()
        assert set(jobs_in(store)) == {job_id(campaign)}
        with caplog.at_level(logging.INFO, logger="delivery.scheduler"):
            change_campaign(store, campaign, state=State.CANCELLED.value)
            refused = f"campaign {campaign} not fired: no longer due"
            wait_for(lambda: any(record.getMessage() == refused for record in caplog.records))
        assert fired.calls == []
        assert jobs_in(store) == {}  # it ran, to no effect, and APScheduler dropped it
    finally:
        scheduler.stop()


def test_a_send_interrupted_by_a_dead_holder_resumes(
    store: Engine, fired: Fired, schedulers: dict[str, Scheduler]
) -> None:
    campaign = add_campaign(store, State.SENDING, None)  # its sender died mid-way
    other = add_campaign(store, State.SCHEDULED, None)  # scheduled without a time: not due
    schedulers["a"]  # takes the lease: the send resumes
    wait_for(lambda: fired.calls)
    time.sleep(3 * POLL)
    assert fired.calls == [("a", campaign)]
    assert campaign_row(store, other).send_at is None


# Two processes.

PROCESS_TTL = 2.0


def spawn(database: Database, fired: Path, log: IO[str]) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TAILOR_")}
    command = [sys.executable, "-m", "tests.delivery.scheduler_process", database.url, str(fired)]
    return subprocess.Popen(
        [*command, "--ttl", str(PROCESS_TTL), "--poll", str(POLL)],
        cwd=PROJECT,
        env=clean,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )


def test_when_the_holding_process_is_killed_the_other_takes_over(
    store: Engine, database: Database, tmp_path: Path
) -> None:
    fired = tmp_path / "fired.txt"
    logs = [(tmp_path / f"process-{i}.log").open("w+") for i in range(2)]
    processes = [spawn(database, fired, log) for log in logs]
    try:
        ids = {process.stdout.readline().strip(): process for process in processes if process.stdout}
        assert len(ids) == 2 and all(ids), ids
        first = ids[wait_for(lambda: lease_holder(store))]
        second = next(process for process in processes if process is not first)

        # The holder mirrors a scheduled campaign; the other only waits.
        later = add_campaign(store, State.SCHEDULED, datetime.now(UTC) + timedelta(hours=1))
        wait_for(lambda: job_id(later) in jobs_in(store))
        assert second.poll() is None
        assert ids[lease_holder(store)] is first

        # The holder dies in the middle of a send.
        interrupted = add_campaign(store, State.SENDING, None)
        first.kill()
        first.wait()
        killed = time.monotonic()
        wait_for(lambda: fired.exists() and fired.read_text(), timeout=3 * PROCESS_TTL)
        assert time.monotonic() - killed < 2 * PROCESS_TTL
        assert ids[lease_holder(store)] is second
        time.sleep(3 * POLL)
        assert fired.read_text() == f"{interrupted} {second.pid}\n"
        assert set(jobs_in(store)) == {job_id(later)}

        second.terminate()
        assert second.wait(timeout=10) == 0
        assert lease_holder(store) is None  # released on the way out
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout:
                process.stdout.close()
        for log in logs:  # shown by pytest when the test fails
            log.seek(0)
            print(log.read())
            log.close()
