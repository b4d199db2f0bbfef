"""How a message leaves Tailor: a `Sender` hands one message to a mail server and says what the
server answered. SMTP in production, a function in tests, injected the way httpx injects a
transport, so the send pipeline never knows which it talks to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class TransportError(Exception):
    """No server to hand messages to: it cannot be reached, refused the login or keeps hanging
    up. The message of the call that raised it was not sent (an `UncertainDelivery` excepted)."""


class UncertainDelivery(TransportError):
    """The connection broke after the message's body went out and before the server's answer came
    back: it may or may not have been accepted, so it is not sent again without being asked."""


@dataclass(frozen=True)
class Envelope:
    """One message for one recipient: the SMTP envelope and the bytes as they are sent."""

    sender: str  # MAIL FROM, a bare address
    recipient: str  # RCPT TO, a bare address
    message: bytes


@dataclass(frozen=True)
class Delivered:
    """The server's last answer for one message."""

    accepted: bool
    code: int
    answer: str

    @property
    def permanent(self) -> bool:
        """Refused for good (5xx): the address bounced."""
        return not self.accepted and self.code >= 500


class Sender(Protocol):
    """One connection's worth of sending: `send` blocks until the server has answered."""

    def send(self, envelope: Envelope) -> Delivered: ...

    def close(self) -> None: ...


class FunctionSender:
    """A sender that calls `handler` for each message: tests pass a function, as with httpx's
    `MockTransport`."""

    def __init__(self, handler: Callable[[Envelope], Delivered]) -> None:
        self.handler = handler

    def send(self, envelope: Envelope) -> Delivered:
        return self.handler(envelope)

    def close(self) -> None:
        pass
