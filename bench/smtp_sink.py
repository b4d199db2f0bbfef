"""The send benchmark's mail server: aiosmtpd on loopback in a process of its own (so it does not
share the sender's GIL), accepting every message and counting them; nothing is kept.

    with SinkProcess() as sink:       # started; stopped on leaving
        ... send to sink.url ...
        sink.received                 # messages accepted so far
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.delivery.sink import free_port

HOST = "127.0.0.1"


class Counting:
    """aiosmtpd's handler: every message accepted (it was sent to the recipient given) and counted."""

    def __init__(self, count: Synchronized) -> None:
        self.count = count

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.count.get_lock():
            self.count.value += 1
            number = self.count.value
        return f"250 2.0.0 OK queued as {number}"


def serve(port: int, count: Synchronized, ready: Any, stop: Any) -> None:
    """The sink process: the server on its own thread until `stop` is set."""
    controller = Controller(Counting(count), hostname=HOST, port=port, enable_SMTPUTF8=True)
    controller.start()
    ready.set()
    try:
        stop.wait()
    finally:
        controller.stop()


class SinkProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # a clean process: no thread of ours forked
        self.port = free_port(HOST)
        self.count: Synchronized = context.Value("q", 0)
        self.ready = context.Event()
        self.stop_event = context.Event()
        self.process = context.Process(
            target=serve, args=(self.port, self.count, self.ready, self.stop_event), daemon=True
        )

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    @property
    def received(self) -> int:
        with self.count.get_lock():
            return int(self.count.value)

    def start(self) -> SinkProcess:
        self.process.start()
        if not self.ready.wait(30):
            self.process.kill()
            raise RuntimeError("the SMTP sink did not start")
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def __enter__(self) -> SinkProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
