"""A real SMTP server on loopback (aiosmtpd, in a thread of its own) that the delivery tests send
to: it records what it accepted, on which connection, and answers what a test tells it to.

    sink = Sink(lambda rcpt, attempt: "451 4.7.1 try later" if attempt <= 2 else None)

`answer(recipient, attempt)` is asked at RCPT (or at the end of DATA with `at="DATA"`), `attempt`
counting from 1 the times that recipient reached that point: None accepts, an SMTP reply refuses,
and `DROP` hangs up without a word.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from weakref import WeakKeyDictionary

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

#: An answer that closes the connection instead of replying.
DROP = "drop"

Answer = Callable[[str, int], str | None]


def accept(recipient: str, attempt: int) -> str | None:
    return None


@dataclass(frozen=True)
class Received:
    """One message the sink accepted."""

    sender: str
    recipients: tuple[str, ...]
    message: bytes
    connection: int  # which connection it came on, counting from 1


class Sink:
    def __init__(
        self,
        answer: Answer = accept,
        *,
        at: Literal["RCPT", "DATA"] = "RCPT",
        users: dict[str, str] | None = None,
    ) -> None:
        self.answer = answer
        self.at = at
        self.users = users
        self.received: list[Received] = []
        self.attempts: Counter[str] = Counter()  # recipient -> times asked
        self.logins: list[str] = []
        self.quits = 0
        self._numbers: WeakKeyDictionary[Session, int] = WeakKeyDictionary()
        self._counter = itertools.count(1)
        self._servers: list[SMTP] = []
        self._lock = threading.Lock()
        self.host = "127.0.0.1"
        self.port = free_port(self.host)
        options: dict[str, Any] = {}
        if users is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self.controller = Controller(self, hostname=self.host, port=self.port, **options)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def connections(self) -> int:
        """The connections that said EHLO or HELO (aiosmtpd's own start-up probe does not)."""
        with self._lock:
            return len(self._servers)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def to(self, recipient: str) -> list[Received]:
        """What was accepted for one recipient."""
        return [message for message in self.received if recipient in message.recipients]

    def hang_up(self) -> None:
        """Close every open connection, as a server does with idle clients; returns once closed."""
        closed = threading.Event()

        def close_all() -> None:
            for server in self._servers:
                if server.transport is not None:
                    server.transport.close()
            self.controller.loop.call_soon(closed.set)  # after the sockets' own close callbacks

        self.controller.loop.call_soon_threadsafe(close_all)
        assert closed.wait(5), "the sink did not hang up"

    # aiosmtpd's hooks, run on the server's thread.

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        self._greeted(server, session)
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server: SMTP, session: Session, envelope: Envelope, hostname: str) -> str:
        self._greeted(server, session)
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.at == "RCPT":
            reply = self._ask(address)
            if reply == DROP:
                return self._drop(server)
            if reply is not None:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.at == "DATA":
            for recipient in envelope.rcpt_tos:
                reply = self._ask(recipient)
                if reply == DROP:
                    return self._drop(server)
                if reply is not None:
                    return reply
        content = envelope.original_content or b""
        with self._lock:
            self.received.append(
                Received(
                    sender=envelope.mail_from or "",
                    recipients=tuple(envelope.rcpt_tos),
                    message=content,
                    connection=self._numbers[session],
                )
            )
            number = len(self.received)
        return f"250 2.0.0 OK queued as {number}"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            self.quits += 1
        return "221 Bye"

    def _greeted(self, server: SMTP, session: Session) -> None:
        with self._lock:
            if session not in self._numbers:  # a second EHLO (after STARTTLS) is the same connection
                self._numbers[session] = next(self._counter)
                self._servers.append(server)

    def _ask(self, recipient: str) -> str | None:
        with self._lock:
            self.attempts[recipient] += 1
            attempt = self.attempts[recipient]
        return self.answer(recipient, attempt)

    def _drop(self, server: SMTP) -> str:
        assert server.transport is not None
        server.transport.close()
        return "421 4.4.2 never sent: the connection is closed"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert self.users is not None
        if isinstance(data, LoginPassword):
            user, password = data.login.decode(), data.password.decode()
            if self.users.get(user) == password:
                self.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def free_port(host: str) -> int:
    """A port nobody listens on now (aiosmtpd's controller needs one before it starts: it probes
    the port it was given, which 0 is not)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
