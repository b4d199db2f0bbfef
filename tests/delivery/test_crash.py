"""The crash test: a 5,000-recipient campaign sent by `python app.py worker` over two SMTP
connections to a real SMTP server on loopback, with a second worker waiting for the lease all
along: the one that holds it is killed with SIGKILL at ten points (before the job fires, then at
random moments of the send: mid-batch, between the handoff and the ledger's commit), the waiting
one takes over, and a new one starts to wait; on SQLite and PostgreSQL.

Counted by recipient at the server: nobody lost (every member ends sent, skipped, failed or
unknown, and every `sent` one reached the server), duplicates at most kills x connections, each
of them among the `unknown`, and the figures printed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from campaigns.service import Approvers, CampaignService
from campaigns.states import State
from personalization.filters import filters
from personalization.letterhead import Letterhead
from personalization.library import import_directory
from personalization.preview import Previewer
from personalization.templates import Sandbox
from segments.service import SegmentService
from store.models import Contact, LedgerEntry, SchedulerLease
from tests.conftest import PROJECT, Database
from tests.delivery.sink import Sink
from tests.store.helpers import load

RECIPIENTS = 5000
KILLS = 10
CONNECTIONS = 2
LEASE_SECONDS = 2
SEED = 20261207
ALICE, BOB = "U01ALICE", "U02BOB"
TEMPLATE = """---
subject: "{{ first_name | default('Hello') }}, the trail is calling"
preheader: New gear for the season
---
<p>Hi {{ first_name | default('there') }},</p>
<p>Our autumn range is in. See what's new.</p>
"""
LETTERHEAD = Letterhead(sender="Trailhead <news@trailhead.example>", postal_address="12 Market St, Portland",
                        public_url="https://tailor.example")  # fmt: skip


def test_a_send_killed_ten_times_loses_nobody_and_sends_nobody_twice_unasked(
    database: Database, engine: Engine, write_csv, tmp_path: Path, smtp_sink: Sink
) -> None:
    campaigns = store(engine, write_csv, tmp_path)
    drafted = campaigns.draft("Autumn range", "subscribers", "autumn", by=ALICE, samples=1)
    number = drafted.campaign.id
    campaigns.approve(number, by=BOB)
    campaigns.schedule(number, by=ALICE, at=datetime.now(UTC) + timedelta(days=1))
    rng = random.Random(SEED)
    points = sorted(rng.sample(range(50, RECIPIENTS - 50), KILLS - 1))

    # Two workers on the store at all times: one holds the lease and sends, the other waits;
    # each kill hits the holder, the other takes over, and a new one starts to wait.
    workers = [start_worker(database, smtp_sink, tmp_path) for _ in range(2)]
    kill_holder(engine, workers)  # before the job fires
    workers.append(start_worker(database, smtp_sink, tmp_path))
    campaigns.schedule(number, by=ALICE)  # now
    for point in points:  # at random moments of the send
        wait_for(lambda point=point: len(smtp_sink.received) >= point, f"{point} messages at the server")
        time.sleep(rng.random() * 0.05)
        kill_holder(engine, workers)
        workers.append(start_worker(database, smtp_sink, tmp_path))
    wait_for(lambda: campaigns.show(number).state is State.SENT, "the send to finish", timeout=240)
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0]

    figures = tally(engine, number, smtp_sink)
    print("\ncrash test", database.url.split("?")[0].split("://")[0], figures)
    assert figures["members"] == RECIPIENTS
    assert figures["lost"] == 0 and figures["sent, never at the server"] == 0
    assert figures["duplicates"] <= KILLS * CONNECTIONS
    assert figures["duplicated, not unknown"] == 0
    assert figures["unknown"] <= KILLS * CONNECTIONS
    assert figures["sent"] + figures["unknown"] == RECIPIENTS  # all subscribed, all accepted


def store(engine: Engine, write_csv, tmp_path: Path) -> CampaignService:
    header = ["id", "email", "first_name", "country", "signed_up_at", "email_consent"]
    rows = [[f"c{i:05}", f"r{i:05}@example.com", f"Name{i}" if i % 7 else "", "Germany",
             "2025-01-01T00:00:00Z", "subscribed"] for i in range(RECIPIENTS)]  # fmt: skip
    load(engine, contacts=write_csv("contacts.csv", [header, *rows]))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "autumn.html").write_text(TEMPLATE, encoding="utf-8")
    import_directory(engine, tmp_path / "templates", Sandbox(filters=filters("USD")))
    previews = Previewer(engine, SegmentService(engine), LETTERHEAD)
    return CampaignService(engine, previews, Approvers((BOB,)))


def start_worker(database: Database, sink: Sink, tmp_path: Path) -> subprocess.Popen:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TAILOR_")}
    env = {
        **clean,
        "TAILOR_DATABASE_URL": database.url,
        "TAILOR_SMTP_URL": sink.url,
        "TAILOR_SMTP_CONNECTIONS": str(CONNECTIONS),
        "TAILOR_LEASE_SECONDS": str(LEASE_SECONDS),
        "TAILOR_POSTAL_ADDRESS": LETTERHEAD.postal_address,
        "TAILOR_MAIL_FROM": LETTERHEAD.sender,
        "TAILOR_PUBLIC_URL": LETTERHEAD.public_url,
        "TAILOR_SECRET_KEY": "a secret for the crash test",
        "TAILOR_APPROVERS": BOB,
        "TAILOR_DEMO_DATA": "false",
    }
    with (tmp_path / "worker.log").open("a") as log:  # the child keeps its own copy of the file
        return subprocess.Popen([sys.executable, "app.py", "worker"], cwd=PROJECT, env=env,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)  # fmt: skip


def kill_holder(engine: Engine, workers: list[subprocess.Popen]) -> None:
    """SIGKILL for the worker that holds the lease (its holder id names its pid); it leaves
    `workers`."""
    pids = {worker.pid: worker for worker in workers}
    wait_for(lambda: holder_pid(engine) in pids, "a worker to hold the lease")
    holder = pids[holder_pid(engine)]
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    workers.remove(holder)


def holder_pid(engine: Engine) -> int | None:
    with engine.connect() as conn:
        holder = conn.scalar(select(SchedulerLease.holder))
    return int(holder.split(":")[1]) if holder else None


def wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.005)


def tally(engine: Engine, campaign_id: int, sink: Sink) -> dict[str, int]:
    at_server = Counter(r for message in list(sink.received) for r in message.recipients)
    with engine.connect() as conn:
        members = conn.scalar(select(func.count()).select_from(Contact))
        states = dict(
            conn.execute(
                select(Contact.email, LedgerEntry.state)
                .join(LedgerEntry, LedgerEntry.contact_id == Contact.id)
                .where(LedgerEntry.campaign_id == campaign_id)
            ).all()
        )
    final = {"sent", "skipped", "failed", "unknown"}
    duplicated = {address for address, n in at_server.items() if n > 1}
    by_state = Counter(states.values())
    return {
        "kills": KILLS,
        "connections": CONNECTIONS,
        "members": members or 0,
        "sent": by_state["sent"],
        "skipped": by_state["skipped"],
        "failed": by_state["failed"],
        "unknown": by_state["unknown"],
        "messages at the server": sum(at_server.values()),
        "lost": (members or 0) - sum(1 for state in states.values() if state in final),
        "sent, never at the server": sum(1 for a, s in states.items() if s == "sent" and a not in at_server),
        "duplicates": sum(n - 1 for n in at_server.values() if n > 1),
        "duplicated, not unknown": sum(1 for a in duplicated if states.get(a) != "unknown"),
    }
