"""The senders a send uses, from the settings: SMTP, DKIM-signed when configured, all of them
within one rate limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from delivery.dkim import DkimSigner, signer_from_settings
from delivery.smtp import SMTPSender
from delivery.throttle import RateLimit
from delivery.transport import Delivered, Envelope, Sender

if TYPE_CHECKING:
    from settings import Settings


class SigningSender:
    """Signs each message before another sender sends it."""

    def __init__(self, sender: Sender, signer: DkimSigner) -> None:
        self.sender = sender
        self.signer = signer

    def send(self, envelope: Envelope) -> Delivered:
        return self.sender.send(replace(envelope, message=self.signer.sign(envelope.message)))

    def close(self) -> None:
        self.sender.close()


class ThrottledSender:
    """Waits for the rate limit, which other connections share, before each message."""

    def __init__(self, sender: Sender, limit: RateLimit) -> None:
        self.sender = sender
        self.limit = limit

    def send(self, envelope: Envelope) -> Delivered:
        self.limit.wait()
        return self.sender.send(envelope)

    def close(self) -> None:
        self.sender.close()


def smtp_senders(settings: Settings) -> Callable[[], Sender]:
    """A factory the dispatcher calls once per connection (TAILOR_SMTP_CONNECTIONS of them): each
    call opens a sender of its own, and all of them share one TAILOR_SMTP_RATE."""
    limit = RateLimit(settings.smtp_rate)
    signer = signer_from_settings(settings)  # read once: a bad key fails here, before any message

    def open_sender() -> Sender:
        sender: Sender = SMTPSender(settings.smtp_url)
        if signer is not None:
            sender = SigningSender(sender, signer)
        return ThrottledSender(sender, limit) if limit.interval else sender

    return open_sender
