"""A campaign's send, when its job fires: the head-count check, the ledger filled once, then each
due recipient's email rendered (by personalization) and handed over (by a `Sender`), over a few
connections at once, each recipient claimed in the ledger the moment before.

    dispatcher = Dispatcher(engine, campaigns, mailings, senders, ...)
    dispatcher.run(campaign_id)      # what the scheduler's job calls

Each connection has one message in flight: its answer is written in the same transaction that
claims the next recipient, so a crash leaves at most one recipient per connection whose fate is
unknown, and a restart sends nobody twice.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parseaddr

from sqlalchemy import Engine, select

from campaigns.models import Campaign
from campaigns.service import CampaignService
from campaigns.states import State
from campaigns.timing import QuietHours, clock_time, next_local, zone_of
from delivery import ledger
from delivery.headers import Headers
from delivery.transport import Delivered, Envelope, Sender, TransportError, UncertainDelivery
from personalization.mailing import Mailing
from personalization.message import Email
from personalization.preview import Previewer
from segments.definition import Definition
from segments.members import Recipient, recipients
from store.db import writing
from store.models import Contact

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class Progress:
    """Where a send stands: what the thread shows ("sending: 1,200 of 4,388")."""

    campaign: Campaign
    counts: dict[str, int]
    total: int
    done: bool = False
    held: bool = False


@dataclass
class Options:
    connections: int = 1
    tolerance: float = 0.1
    quiet: QuietHours | None = None
    batch: int = BATCH
    #: False when this process no longer holds the scheduler's lease: it stops before the next batch.
    fence: Callable[[], bool] = lambda: True
    progress: Callable[[Progress], None] = lambda progress: None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: Set on SIGTERM: each connection finishes the message in flight and takes no other; the
    #: rest stay queued for the next run.
    stop: threading.Event = field(default_factory=threading.Event)
    #: After the mail server could not be reached, the send is tried again this much later.
    retry_after: timedelta = timedelta(minutes=1)


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        campaigns: CampaignService,
        previews: Previewer,
        senders: Callable[[], Sender],
        headers: Headers,
        mail_from: str,
        options: Options | None = None,
    ) -> None:
        self.engine, self.campaigns, self.previews = engine, campaigns, previews
        self.senders, self.headers = senders, headers
        self.envelope_from = parseaddr(mail_from)[1]
        self.options = options or Options()
        self.zone: tzinfo = previews.segments.zone
        self._lines: list[Line] = []

    def run(self, campaign_id: int) -> Progress | None:
        """Sends what is due now; a send with recipients due later asks to run again then."""
        campaign = self.campaigns.show(campaign_id)
        if campaign.state is State.SCHEDULED:
            campaign = self._start(campaign)
            if campaign.state is State.HELD:
                return self._report(campaign, held=True)
        if campaign.state is not State.SENDING:
            log.info("campaign %s is %s: nothing to send", campaign_id, campaign.state.value)
            return None
        self.campaigns.continue_at(campaign_id, None)  # resumed: its time is taken, no second job
        self._enqueue(campaign)
        log.info("campaign %s %r: sending what is due", campaign_id, campaign.name)
        try:
            self._send_due(campaign)
        except TransportError as error:  # the server is down: the ledger says where it stopped
            log.error("campaign %s: %s; trying again in %s", campaign_id, error, self.options.retry_after)
            self.campaigns.continue_at(campaign_id, self.options.clock() + self.options.retry_after)
            return self._report(campaign)
        if self.options.stop.is_set():
            return self._report(campaign)  # stopped: still sending, resumed by the next holder
        now = self.campaigns.show(campaign_id)
        if now.state is not State.SENDING:  # cancelled meanwhile: the rest stays queued, unsent
            return self._report(now, done=True)
        return self._finish_or_wait(campaign)

    # --- before the first message ------------------------------------------------------------

    def _start(self, campaign: Campaign) -> Campaign:
        """Sending, unless the reachable count moved past the tolerance since approval: held."""
        now = self.options.clock()
        segments = self.previews.segments
        reachable = segments.evaluate(campaign.phrase, self._definition(campaign), now, []).reachable
        approved = campaign.approved_reachable or 0
        if abs(reachable - approved) > self.options.tolerance * max(approved, 1):
            return self.campaigns.hold(campaign.id, reachable).campaign
        return self.campaigns.start(campaign.id).campaign

    def _enqueue(self, campaign: Campaign) -> None:
        """The recipients, once: a resumed send keeps the ledger it had."""
        now = self.options.clock()
        with writing(self.engine).begin() as conn:
            if ledger.is_enqueued(conn, campaign.id):
                unknown = ledger.in_flight_to_unknown(conn, campaign.id, now)
                if unknown:
                    log.warning(
                        "campaign %s: %s recipient(s) in flight when the sender stopped: unknown",
                        campaign.id,
                        unknown,
                    )
                return
        as_of = now
        if campaign.audience == "approved":  # the members as they were when approved
            as_of = campaign.approved_at or now
        # every member, reachable or not: each ends in a state, the unreachable ones skipped with why
        members = self.previews.segments.recipients(self._definition(campaign), as_of, reachable_only=False)
        with self.engine.begin() as conn:
            ledger.enqueue(conn, campaign.id, self._due(campaign, members, now), now)

    def _due(
        self, campaign: Campaign, members: Iterator[list[Recipient]], now: datetime
    ) -> Iterator[tuple[int, datetime]]:
        """Each member and when they may get it: their own clock's `local_time`, out of quiet hours."""
        quiet = self.options.quiet
        local = clock_time(campaign.local_time) if campaign.local_time else None
        since = campaign.scheduled_at or now
        for batch in members:
            for member in batch:
                zone = zone_of(member.fields.get("timezone"), self.zone)
                due = next_local(local, zone, since) if local else now
                yield member.id, quiet.release(due, zone) if quiet else due

    def _definition(self, campaign: Campaign) -> Definition:
        return Definition.model_validate(campaign.definition)

    # --- the messages ------------------------------------------------------------------------

    def _send_due(self, campaign: Campaign) -> None:
        mailing = Mailing(
            self.previews, campaign.template, campaign.template_version, campaign.subject, campaign.name,
            self.options.clock(), lambda r: self.headers.unsubscribe_url(campaign.id, r.id),
            lambda r: self.headers.of(campaign.id, r.id, r.external_id, self.options.clock()),
        )  # fmt: skip
        outbox: queue.Queue[tuple[int, bytes | str, str] | None] = queue.Queue(maxsize=self.options.batch)
        lines = self._lines = [Line(self, campaign, outbox) for _ in range(self.options.connections)]
        threads = [
            threading.Thread(target=line.run, name=f"smtp-{i}", daemon=True) for i, line in enumerate(lines)
        ]
        for thread in threads:
            thread.start()
        try:
            self._fill(campaign, mailing, outbox)
        finally:
            for _ in threads:
                outbox.put(None)
            for thread in threads:
                thread.join()
        errors = [line.error for line in lines if line.error is not None]
        if errors:
            raise errors[0]

    def _fill(self, campaign: Campaign, mailing: Mailing, outbox: queue.Queue) -> None:
        """Renders the due recipients batch by batch into the connections' queue."""
        total = self._total(campaign)
        while self._going(campaign):
            with self.engine.connect() as conn:
                ids = ledger.due(conn, campaign.id, self.options.clock(), self.options.batch)
                if not ids:
                    return
                chosen = select(Contact.id).where(Contact.id.in_(ids))
                batch = [r for found in recipients(conn, chosen) for r in found]
                made = mailing.emails(conn, batch)
            for recipient, email in made:
                outbox.put((recipient.id, self._bytes(email), recipient.email))
            outbox.join()  # the batch is in the ledger before the next is read
            self.options.progress(self._progress(campaign, total))

    def _going(self, campaign: Campaign) -> bool:
        """Not stopping, still the lease's holder, every connection up, and not cancelled meanwhile."""
        broken = any(line.error is not None for line in self._lines)
        if self.options.stop.is_set() or broken or not self.options.fence():
            return False
        return self.campaigns.show(campaign.id).state is State.SENDING

    def _bytes(self, email: Email | str) -> bytes | str:
        return email if isinstance(email, str) else email.as_bytes()

    # --- after -------------------------------------------------------------------------------

    def _finish_or_wait(self, campaign: Campaign) -> Progress:
        with self.engine.connect() as conn:
            later = ledger.next_due(conn, campaign.id)
        if later is not None:
            self.campaigns.continue_at(campaign.id, later)
            return self._report(campaign)
        counts = self.campaigns.send_counts(campaign.id)
        said = ", ".join(f"{counts[s]:,} {s}" for s in ("sent", "skipped", "failed", "unknown"))
        finished = self.campaigns.finish(campaign.id, said).campaign
        log.info("campaign %s %r: sent: %s", campaign.id, campaign.name, said)
        return self._report(finished, done=True)

    def _report(self, campaign: Campaign, done: bool = False, held: bool = False) -> Progress:
        progress = self._progress(campaign, self._total(campaign), done, held)
        self.options.progress(progress)
        return progress

    def _progress(self, campaign: Campaign, total: int, done: bool = False, held: bool = False) -> Progress:
        return Progress(campaign, self.campaigns.send_counts(campaign.id), total, done, held)

    def _total(self, campaign: Campaign) -> int:
        return sum(self.campaigns.send_counts(campaign.id).values()) or (
            campaign.reachable if campaign.state is State.HELD else 0
        )


class Line:
    """One SMTP connection: takes the next message, claims its recipient together with writing
    the previous answer, hands it over, waits for the answer."""

    def __init__(self, dispatcher: Dispatcher, campaign: Campaign, outbox: queue.Queue) -> None:
        self.dispatcher, self.campaign, self.outbox = dispatcher, campaign, outbox
        self.engine, self.clock = dispatcher.engine, dispatcher.options.clock
        self.external = f"tailor-{campaign.id}"
        self.approved_at = campaign.approved_at
        self.error: BaseException | None = None
        #: claimed and being handed over: no answer yet
        self.in_flight: int | None = None

    def run(self) -> None:
        sender = self.dispatcher.senders()
        answered: tuple[int, Delivered | str] | None = None
        emptied = False
        try:
            while (item := self.outbox.get()) is not None:
                try:
                    answered = self._next(sender, answered, item)
                finally:
                    self.outbox.task_done()
            emptied = True
            self._record(answered, None)
        except BaseException as error:  # the send stops; the ledger says where
            log.error("campaign %s: a connection stopped: %s", self.campaign.id, error)
            self.error = error
            if isinstance(error, TransportError) and not isinstance(error, UncertainDelivery):
                self._unclaim()  # nothing was handed over: it goes with the next try, not unknown
            while not emptied and self.outbox.get() is not None:  # let the filler end its batch
                self.outbox.task_done()
        finally:
            sender.close()

    def _next(
        self, sender: Sender, answered: tuple[int, Delivered | str] | None, item: tuple[int, bytes | str, str]
    ):
        contact_id, message, address = item
        if isinstance(message, str):  # the render failed: nothing to hand over
            self._record(answered, None)
            with self.engine.begin() as conn:
                ledger.failed(conn, self.campaign.id, contact_id, f"not rendered: {message}", self.clock())
            return None
        if self.dispatcher.options.stop.is_set():  # stopping: this one stays queued
            self._record(answered, None)
            return None
        claimed = self._record(answered, contact_id)
        if not claimed:
            return None
        envelope = Envelope(self.dispatcher.envelope_from, address, message)
        self.in_flight = contact_id
        delivered = sender.send(envelope)
        self.in_flight = None  # handed over and answered: the answer is written with the next claim
        return contact_id, delivered

    def _unclaim(self) -> None:
        if self.in_flight is not None:
            with self.engine.begin() as conn:
                ledger.unclaim(conn, self.campaign.id, self.in_flight, self.clock())
            self.in_flight = None

    def _record(self, answered: tuple[int, Delivered | str] | None, claim: int | None) -> bool:
        """The previous answer and the next claim, in one transaction. True when `claim` may be sent."""
        now = self.clock()
        with self.engine.begin() as conn:
            if answered is not None:
                contact_id, delivered = answered
                if isinstance(delivered, Delivered) and delivered.accepted:
                    ledger.sent(conn, self.campaign.id, contact_id, self.external, now)
                elif isinstance(delivered, Delivered):
                    bounced = self.external if delivered.permanent else None
                    ledger.failed(
                        conn,
                        self.campaign.id,
                        contact_id,
                        f"{delivered.code} {delivered.answer}",
                        now,
                        bounced,
                    )
            return (
                claim is not None
                and ledger.claim(conn, self.campaign.id, claim, now, self.approved_at) is None
            )
