"""The production `Sender`: one SMTP connection, opened on the first message and kept for the
next ones (a connection per message would cost a TCP and TLS handshake each, and servers throttle
clients that reconnect all the time).

What the server answers decides what happens to a message:

- 2xx: accepted, `Delivered(True, 250, answer)`;
- 4xx (greylisting, "try later"): tried again after `backoff * 2**attempt` seconds, at most
  `retries` times, then returned refused with the last answer: the dispatcher decides when to try
  again;
- 5xx: returned refused at once, the address bounced;
- the connection dropped before the message was handed over: one reconnect and the message again;
  dropped twice, or no server at all: `TransportError`;
- the connection dropped once the message's body may have reached the server: `UncertainDelivery`,
  never retried here, because the server may have accepted it and a retry would send it twice.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from delivery.transport import Delivered, Envelope, TransportError, UncertainDelivery

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class Server:
    """Where an `smtp://` or `smtps://` URL points, and the login it carries."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a log or a traceback

    @classmethod
    def parse(cls, url: str) -> Server:
        try:
            parsed = make_url(url)  # as settings validates TAILOR_SMTP_URL; decodes %-escapes
        except ArgumentError:
            parsed = None
        if parsed is None or parsed.drivername not in DEFAULT_PORTS or not parsed.host:
            raise ValueError("not an SMTP URL (e.g. smtp://localhost:1025)")
        scheme = parsed.drivername
        return cls(
            scheme=scheme,
            host=parsed.host,
            port=parsed.port or DEFAULT_PORTS[scheme],
            username=parsed.username,
            password=parsed.password,
        )

    def __str__(self) -> str:  # shown in errors: never the password
        return f"{self.scheme}://{self.host}:{self.port}"


class _Connection(smtplib.SMTP):
    """smtplib's client, keeping what `sendmail` throws away: the server's answer to the message
    (its queue id, worth recording) and whether DATA has begun, from which on a broken connection
    may have delivered the message (see `UncertainDelivery`; a drop between DATA and its 354 is
    counted in too: rare, and the safe side)."""

    data_started = False
    last_answer = b""

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_started = True
        code, answer = super().data(msg)
        self.last_answer = answer
        return code, answer


class _SSLConnection(_Connection, smtplib.SMTP_SSL):
    """The same over TLS from the first byte (smtps://, port 465)."""


class SMTPSender:
    """A `Sender` on one SMTP connection. Not for sharing between threads: the dispatcher opens
    one per connection it runs (see `delivery.senders`)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        local_hostname: str | None = None,
    ) -> None:
        self.server = Server.parse(url)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.local_hostname = local_hostname
        self._connection: _Connection | None = None

    def send(self, envelope: Envelope) -> Delivered:
        """Hand one message to the server; blocks through the retries of a 4xx answer."""
        attempt = 0
        while True:
            delivered = self._send_reconnecting(envelope)
            if delivered.accepted or delivered.permanent or attempt >= self.retries:
                return delivered
            self.sleep(self.backoff * 2**attempt)
            attempt += 1

    def close(self) -> None:
        """QUIT, politely; a connection the server already dropped is just let go."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()

    def _send_reconnecting(self, envelope: Envelope) -> Delivered:
        """One attempt at the message, and a second on a new connection when the first one broke
        before the message could have reached the server (an idle connection the server closed)."""
        try:
            return self._send_once(envelope)
        except OSError as first:
            self._discard(first, envelope)
        try:
            return self._send_once(envelope)
        except OSError as second:
            self._discard(second, envelope)
            raise TransportError(
                f"{self.server} dropped the connection twice: {describe(second)}"
            ) from second

    def _send_once(self, envelope: Envelope) -> Delivered:
        connection = self._connected()
        connection.data_started = False
        try:
            connection.sendmail(envelope.sender, [envelope.recipient], envelope.message)
        except smtplib.SMTPRecipientsRefused as refused:
            code, answer = refused.recipients[envelope.recipient]
            return Delivered(False, code, decode(answer))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as refused:
            return Delivered(False, refused.smtp_code, decode(refused.smtp_error))
        return Delivered(True, 250, decode(connection.last_answer))

    def _discard(self, error: OSError, envelope: Envelope) -> None:
        """Let a broken connection go, and raise unless the message may be tried again on a new
        one: not after an error that was an answer, nor once the server may hold the message."""
        connection, self._connection = self._connection, None
        if connection is not None:  # None: it broke while opening
            connection.close()
        if not dropped(error):
            raise TransportError(f"{self.server} refused the session: {describe(error)}") from error
        if connection is not None and connection.data_started:
            raise UncertainDelivery(
                f"{self.server} dropped the connection while answering the message to "
                f"{envelope.recipient}: it may have been accepted ({describe(error)})"
            ) from error

    def _connected(self) -> _Connection:
        # smtplib closes the socket itself after a 421 ("closing channel"): reopen then too.
        if self._connection is None or self._connection.sock is None:
            self._connection = None  # a failed reopen must not leave the closed one behind
            self._connection = self._open()
        return self._connection

    def _open(self) -> _Connection:
        server = self.server
        connection: _Connection
        if server.scheme == "smtps":
            connection = _SSLConnection(
                server.host,
                server.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=ssl.create_default_context(),
            )
        else:
            connection = _Connection(
                server.host, server.port, local_hostname=self.local_hostname, timeout=self.timeout
            )
        try:
            self._greet(connection)
        except OSError:
            connection.close()
            raise
        return connection

    def _greet(self, connection: _Connection) -> None:
        """EHLO, STARTTLS when a plain connection is offered it, and the URL's login."""
        connection.ehlo()
        if self.server.scheme == "smtp" and connection.has_extn("starttls"):
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if self.server.username:
            connection.login(self.server.username, self.server.password or "")


def dropped(error: OSError) -> bool:
    """Whether an error broke the connection rather than answered on it: smtplib's "the server
    hung up" and "it greeted us with a refusal", and the socket's own errors (refused, reset, timed
    out, TLS failed). smtplib's other errors are OSErrors too, and are answers: not drops."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return not isinstance(error, smtplib.SMTPException)


def decode(answer: bytes | str) -> str:
    """A server's text as it may be stored and shown; servers are not all careful with UTF-8."""
    return answer if isinstance(answer, str) else answer.decode("utf-8", "replace")


def describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {decode(error.smtp_error)}"
    return str(error) or type(error).__name__
