"""Send benchmark: a campaign's recipients through render, ledger and SMTP to a local sink, beside
the sink's own ceiling (a plain client sending the same bytes without Tailor), in the same run.

    python bench/send_bench.py [--contacts 100000] [--recipients 100000] [--connections 1,4]
                               [--template winback] [--db sqlite|postgresql|URL]

The store is the demo generator's data at N contacts: on SQLite a copy, in a temporary file, of
the store imported once into bench/out/; on PostgreSQL (`--db postgresql`, or a server's URL) a
fresh schema the data is imported into, dropped afterwards. In it the first `--recipients`
contacts are made reachable (subscribed, not suppressed) and the others unsubscribed, so that a
campaign to "reachable" has exactly that many members, all of them recipients (a send's ledger
holds every member, and renders each). For each number of connections, a fresh campaign is
drafted, approved and scheduled now with the campaign service (before the clock starts), then
`Dispatcher.run` sends it, timed from start to end: the head-count check, the ledger filled, each
email rendered, each recipient claimed and answered in the ledger, each message handed over SMTP
(`SMTPSender`, one reused connection per line).

The sink is aiosmtpd on loopback in a process of its own, counting what it accepts (the count
must equal what the ledger says was sent). The ceiling is the sink's with the same messages: the
first 1,000 that Tailor sent, byte for byte, cycled to the same number, through `smtplib` over
the same number of connections (one thread each, the connection reused). Target: Tailor within
2x of the ceiling's time. The time of each stage of Tailor's send is summed on the side, per
thread (the filler renders, each line claims and sends), so the table says where it goes, with the
CPU time of the sending process (one core full when it is near the wall-clock time: the GIL).
"""

from __future__ import annotations

import argparse
import functools
import inspect
import smtplib
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, delete, func, select, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.datasets import AS_OF, LETTERHEAD, Schema, demo_data, import_data, postgres_server, store_url  # noqa: E402
from bench.smtp_sink import SinkProcess  # noqa: E402
from campaigns.service import Approvers, CampaignService  # noqa: E402
from delivery import dispatch, ledger  # noqa: E402
from delivery.dispatch import Dispatcher, Options  # noqa: E402
from delivery.headers import Headers  # noqa: E402
from delivery.smtp import Server, SMTPSender  # noqa: E402
from delivery.tokens import Tokens  # noqa: E402
from delivery.transport import Delivered, Envelope, Sender  # noqa: E402
from personalization.demo import DEMO_TEMPLATES  # noqa: E402
from personalization.filters import filters  # noqa: E402
from personalization.library import import_directory  # noqa: E402
from personalization.mailing import Mailing  # noqa: E402
from personalization.preview import Previewer  # noqa: E402
from personalization.templates import Sandbox  # noqa: E402
from segments.service import SegmentService  # noqa: E402
from store.db import create_store_engine  # noqa: E402
from store.models import Contact, SuppressedContact  # noqa: E402

TARGET_RATIO = 2.0
#: The messages of Tailor's send the ceiling sends again, cycled.
SAMPLE = 1000
#: The reachable contacts: every member a recipient, none skipped.
PHRASE = "reachable"
DRAFTER, APPROVER = "UBENCHDRAFTER", "UBENCHAPPROVER"
SECRET = "the send benchmark's secret, long enough"


@dataclass(frozen=True)
class Timing:
    messages: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    #: CPU seconds of this process (every thread) over the same time: near `seconds`, one core full.
    cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


class Stages:
    """Seconds per named stage, summed over a run and over the threads that spend them."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            took = time.perf_counter() - began
            with self._lock:
                self.spent[name] = self.spent.get(name, 0.0) + took


# --- the store ---------------------------------------------------------------------------------


@contextmanager
def bench_store(db: str, contacts: int) -> Iterator[tuple[str, Engine]]:
    """An engine on a store of the demo data that this run may change, and what it is."""
    data = demo_data(contacts)
    if db == "sqlite":
        kept = make_url(store_url("sqlite", data)).database
        assert kept is not None
        with tempfile.TemporaryDirectory(prefix="send-bench-") as scratch:
            copy = Path(scratch) / "send.db"
            with sqlite3.connect(kept) as source, sqlite3.connect(copy) as target:
                source.backup(target)
            engine = create_store_engine(f"sqlite:///{copy}")
            try:
                yield "sqlite (a copy of the kept store in a temporary file)", engine
            finally:
                engine.dispose()
        return
    server = postgres_server() if db == "postgresql" else db
    with Schema(server, f"send_bench_{uuid.uuid4().hex[:10]}") as schema:
        print(f"importing {data.name} into schema {schema.name} ...", file=sys.stderr)
        import_data(schema.url, data)
        engine = create_store_engine(schema.url)
        try:
            yield f"postgresql (schema {schema.name}, dropped afterwards)", engine
        finally:
            engine.dispose()


def make_reachable(engine: Engine, recipients: int) -> int:
    """The first `recipients` contacts (by id) subscribed and not suppressed, the others
    unsubscribed; how many are reachable."""
    with engine.begin() as conn:
        first = select(Contact.id).order_by(Contact.id).limit(recipients).subquery()
        last = conn.scalar(select(func.max(first.c.id)))
        conn.execute(update(Contact).where(Contact.id <= last).values(email_consent="subscribed"))
        conn.execute(update(Contact).where(Contact.id > last).values(email_consent="unsubscribed"))
        conn.execute(delete(SuppressedContact).where(SuppressedContact.contact_id <= last))
        return int(conn.scalar(select(func.count()).where(Contact.id <= last)) or 0)


def campaign_service(engine: Engine, as_of: datetime) -> CampaignService:
    segments = SegmentService(engine)
    import_directory(engine, DEMO_TEMPLATES, Sandbox(filters=filters(segments.pricing.currency)))
    previews = Previewer(engine, segments, LETTERHEAD)
    return CampaignService(engine, previews, Approvers((APPROVER,)), clock=lambda: as_of)


def scheduled(service: CampaignService, name: str, template: str) -> int:
    """A campaign to PHRASE, drafted (its preview renders every member once), approved and
    scheduled to go now."""
    campaign = service.draft(name, PHRASE, template, by=DRAFTER).campaign
    service.approve(campaign.id, by=APPROVER)
    service.schedule(campaign.id, by=APPROVER)
    return campaign.id


# --- Tailor's send -----------------------------------------------------------------------------


class Observed:
    """A sender that keeps the first SAMPLE envelopes it sends and times each handover."""

    def __init__(self, sender: Sender, stages: Stages, kept: list[Envelope]) -> None:
        self.sender, self.stages, self.kept = sender, stages, kept

    def send(self, envelope: Envelope) -> Delivered:
        if len(self.kept) < SAMPLE:
            self.kept.append(envelope)
        with self.stages("lines: SMTP (hand over, wait for the answer)"):
            return self.sender.send(envelope)

    def close(self) -> None:
        self.sender.close()


#: What is timed of the dispatcher, and under which name: (owner, attribute, stage). `recipients`
#: yields its batches: its time is that of reading them all (the dispatcher reads them all at once).
TIMED: list[tuple[Any, str, str]] = [
    (Dispatcher, "_start", "start: head-count check"),
    (Dispatcher, "_enqueue", "start: ledger filled (members, rows)"),
    (ledger, "due", "filler: next batch due (ledger)"),
    (dispatch, "recipients", "filler: the batch's recipients read"),
    (Mailing, "emails", "filler: render (context ... composed)"),
    (Dispatcher, "_bytes", "filler: message bytes"),
    (CampaignService, "send_counts", "filler: progress counts, per batch"),
    (dispatch.Line, "_record", "lines: ledger (answer + claim, a txn)"),
]
FILLER_STAGES = [stage for _, _, stage in TIMED if not stage.startswith("lines")]


@contextmanager
def instrumented(stages: Stages) -> Iterator[None]:
    """TIMED's functions wrapped to add their time to `stages`, for the block; put back after."""
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in TIMED]
    for (owner, name, stage), (_, _, original) in zip(TIMED, originals, strict=True):
        setattr(owner, name, timed(original, stage, stages))
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def timed(function: Callable[..., Any], stage: str, stages: Stages) -> Callable[..., Any]:
    generates = inspect.isgeneratorfunction(function)

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        with stages(stage):
            result = function(*args, **kwargs)
            return iter(list(result)) if generates else result

    return run


def tailor(
    engine: Engine, service: CampaignService, campaign_id: int, url: str, connections: int, as_of: datetime
) -> tuple[Timing, dict[str, int], list[Envelope]]:
    """The campaign sent by the dispatcher over `connections` SMTP connections: its timing, the
    ledger's counts and the first messages sent."""
    stages, kept = Stages(), list[Envelope]()
    headers = Headers(Tokens(SECRET), LETTERHEAD.public_url, LETTERHEAD.domain())
    dispatcher = Dispatcher(
        engine, service, service.previews, lambda: Observed(SMTPSender(url), stages, kept), headers,
        LETTERHEAD.sender, Options(connections=connections, clock=lambda: as_of),
    )  # fmt: skip
    with instrumented(stages):
        began, cpu = time.perf_counter(), time.process_time()
        progress = dispatcher.run(campaign_id)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    if progress is None or not progress.done:
        raise SystemExit(f"campaign {campaign_id} was not sent: {progress}")
    busy = sum(stages.spent.get(stage, 0.0) for stage in FILLER_STAGES)
    stages.spent["filler: waiting for the lines (queue, batch end)"] = max(seconds - busy, 0.0)
    return Timing(progress.counts["sent"], seconds, stages.spent, cpu), progress.counts, kept[:SAMPLE]


# --- the ceiling -------------------------------------------------------------------------------


def ceiling(url: str, kept: list[Envelope], messages: int, connections: int) -> Timing:
    """`messages` of the kept envelopes, cycled, through plain smtplib over `connections`
    connections, one thread each."""
    server = Server.parse(url)
    errors: list[BaseException] = []

    def line(first: int) -> None:
        try:
            client = smtplib.SMTP(server.host, server.port)
            client.ehlo()
            for number in range(first, messages, connections):
                envelope = kept[number % len(kept)]
                client.sendmail(envelope.sender, [envelope.recipient], envelope.message)
            client.quit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=line, args=(i,)) for i in range(connections)]
    began, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    if errors:
        raise errors[0]
    return Timing(messages, seconds, cpu=cpu)


# --- the run -----------------------------------------------------------------------------------

ROW = "{:>11} {:>9} {:>13} {:>9} {:>14} {:>7} {:>6}  {}"


def measure(
    engine: Engine, service: CampaignService, sink: SinkProcess, connections: int, template: str,
    as_of: datetime, expected: int,
) -> tuple[Timing, Timing, list[str]]:  # fmt: skip
    """Tailor's send over `connections`, then the ceiling with its messages; what did not add up."""
    began = time.perf_counter()
    campaign_id = scheduled(service, f"Send bench, {connections} connection(s)", template)
    print(f"  drafted, approved, scheduled in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    before = sink.received
    ours, counts, kept = tailor(engine, service, campaign_id, sink.url, connections, as_of)
    problems = []
    if ours.messages != expected or counts["sent"] != sum(counts.values()):  # none skipped or failed
        problems.append(f"{connections} connection(s): the ledger says {counts}, {expected:,} expected")
    if sink.received - before != ours.messages:
        problems.append(f"{connections} connection(s): the sink accepted {sink.received - before:,}, "
                        f"Tailor sent {ours.messages:,}")  # fmt: skip
    before = sink.received
    theirs = ceiling(sink.url, kept, ours.messages, connections)
    if sink.received - before != theirs.messages:
        problems.append(f"ceiling: the sink accepted {sink.received - before:,} of {theirs.messages:,}")
    return ours, theirs, problems


def print_row(connections: int, ours: Timing, theirs: Timing) -> None:
    ratio = ours.seconds / theirs.seconds
    within = "yes" if ratio <= TARGET_RATIO else "NO"
    print(ROW.format(connections, f"{ours.seconds:.2f}", f"{ours.rate:,.0f}", f"{theirs.seconds:.2f}",
                     f"{theirs.rate:,.0f}", f"{ratio:.2f}x", f"{TARGET_RATIO:g}x", within))  # fmt: skip


def print_stages(connections: int, ours: Timing, theirs: Timing) -> None:
    print(f"{connections} connection(s): where Tailor's {ours.seconds:.1f} s went, ms per message "
          f"(summed per thread: the lines' over all {connections}):")  # fmt: skip
    order = [*(stage for _, _, stage in TIMED), *ours.stages]
    for stage in dict.fromkeys(order):
        seconds = ours.stages.get(stage, 0.0)
        print(f"    {stage:<50} {seconds:8.2f} s {seconds / ours.messages * 1000:7.3f} ms")
    for who, timing in (("Tailor", ours), ("the ceiling's client", theirs)):
        print(f"    CPU of {who}'s process: {timing.cpu:.1f} s in {timing.seconds:.1f} s "
              f"({timing.cpu / timing.messages * 1000:.3f} ms per message)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    options.add_argument("--contacts", type=int, default=100_000)
    options.add_argument("--recipients", type=int, default=100_000)
    options.add_argument("--connections", default="1,4", help="comma-separated, e.g. 1,4")
    options.add_argument("--template", default="winback")
    options.add_argument("--db", default="sqlite", help="sqlite, postgresql (the tests' server) or its URL")
    args = options.parse_args(argv)
    if args.recipients > args.contacts:
        options.error("--recipients cannot be more than --contacts")
    as_of = datetime.fromisoformat(AS_OF)
    settings = [int(n) for n in args.connections.split(",")]
    problems: list[str] = []
    with bench_store(args.db, args.contacts) as (database, engine), SinkProcess() as sink:
        reachable = make_reachable(engine, args.recipients)
        service = campaign_service(engine, as_of)
        results = []
        for connections in settings:
            print(f"sending over {connections} connection(s) ...", file=sys.stderr)
            ours, theirs, wrong = measure(engine, service, sink, connections, args.template, as_of, reachable)
            results.append((connections, ours, theirs))
            problems += wrong
    print(f"send benchmark: {reachable:,} recipients of {args.contacts:,} contacts, template "
          f"{args.template}, to an aiosmtpd sink in its own process on 127.0.0.1")  # fmt: skip
    print(f"database: {database}")
    print(ROW.format("connections", "Tailor s", "Tailor msgs/s", "ceiling s", "ceiling msgs/s",
                     "ratio", "limit", "within?"))  # fmt: skip
    for connections, ours, theirs in results:
        print_row(connections, ours, theirs)
    for connections, ours, theirs in results:
        print_stages(connections, ours, theirs)
    for problem in problems:
        print(f"MISMATCH: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
