"""The worker: the store's one scheduler (while this process holds the lease), the dispatcher
its jobs call, and the SMTP connections it sends over. `python app.py worker` runs it alone;
the bot runs the same beside Slack when sending is configured.

    worker = Worker.of(settings, engine, campaigns)   # SendingOff when it cannot send
    worker.start(); ...; worker.stop()                # stop: the messages in flight finish
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from campaigns.service import CampaignService
from campaigns.timing import QuietHours
from delivery.dispatch import Dispatcher, Options, Progress
from delivery.headers import Headers
from delivery.lease import Lease, holder_id
from delivery.scheduler import Scheduler
from delivery.senders import smtp_senders
from delivery.tokens import Tokens
from settings import Settings

log = logging.getLogger(__name__)


class SendingOff(Exception):
    """What is missing before anything may be sent; the message names the settings."""


def check_sending(settings: Settings) -> None:
    """Sending refuses to start without a postal address (the law of most countries asks for one
    in every marketing email) and without a secret to sign unsubscribe links with."""
    missing = [
        name
        for name, value in (
            ("TAILOR_POSTAL_ADDRESS", settings.postal_address),
            ("TAILOR_SECRET_KEY", settings.secret_key),
        )
        if not value
    ]
    if missing:
        raise SendingOff(
            f"sending is off until {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} set"
        )


def sending_off(settings: Settings) -> str | None:
    """Why nothing can be sent, or None."""
    try:
        check_sending(settings)
    except SendingOff as off:
        return str(off)
    return None


class Worker:
    def __init__(self, scheduler: Scheduler, options: Options) -> None:
        self.scheduler, self.options = scheduler, options

    @classmethod
    def of(
        cls,
        settings: Settings,
        engine: Engine,
        campaigns: CampaignService,
        progress: Callable[[Progress], None] = lambda progress: None,
    ) -> Worker:
        check_sending(settings)
        assert settings.secret_key is not None  # (checked above)
        lease = Lease(engine, holder_id(), timedelta(seconds=settings.lease_seconds))
        options = Options(
            connections=settings.smtp_connections,
            tolerance=settings.headcount_tolerance,
            quiet=QuietHours.parse(settings.quiet_hours),
            fence=lease.held,
            progress=progress,
        )
        letterhead = settings.letterhead()
        headers = Headers(Tokens(settings.secret_key), settings.public_url, letterhead.domain())
        dispatcher = Dispatcher(
            engine,
            campaigns,
            campaigns.previews,
            smtp_senders(settings),
            headers,
            settings.mail_from,
            options,
        )
        poll = min(10.0, settings.lease_seconds / 3)
        return cls(Scheduler(engine, dispatcher.run, lease, poll=poll), options)

    def start(self) -> None:
        self.scheduler.start()

    def stop(self) -> None:
        """Each connection finishes its message in flight; the rest wait, queued, for the next run."""
        self.options.stop.set()
        self.scheduler.stop()

    def wake(self) -> None:
        """Something was just scheduled: its job is made now, not at the next poll."""
        self.scheduler.sync()


def beside(
    settings: Settings,
    engine: Engine,
    campaigns: CampaignService,
    progress: Callable[[Progress], None] = lambda progress: None,
) -> Worker | None:
    """The worker in the bot's process, started, when sending is configured; else None, said in
    the log once (the bot works without it: drafts and approvals need no mail server)."""
    try:
        running = Worker.of(settings, engine, campaigns, progress)
    except SendingOff as off:
        log.warning("%s: scheduled campaigns wait for a worker that can send", off)
        return None
    running.start()
    return running
