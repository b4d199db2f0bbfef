"""The test bench's `stop` ends waitress cleanly while requests are in flight: no descriptor is
written after it was closed (the EBADF that once failed one bot test run in five)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import urllib.request

import pytest
from waitress.server import create_server

from tests.bot.conftest import stop

CYCLES = 400


def slow_hello(environ, start_response):
    time.sleep(0.002)  # responses finish while the server stops
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def test_servers_stopped_under_load_leave_no_error(caplog: pytest.LogCaptureFixture) -> None:
    errors: list[BaseException] = []
    with caplog.at_level(logging.WARNING, logger="waitress"):
        for _ in range(CYCLES):
            server = create_server(slow_hello, host="127.0.0.1", port=0, threads=4)
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            done = threading.Event()
            clients = [threading.Thread(target=ask, args=(server.effective_port, done)) for _ in range(3)]
            for client in clients:
                client.start()
            time.sleep(0.01)
            try:
                stop(server, thread)
            except OSError as error:
                errors.append(error)
            done.set()
            for client in clients:
                client.join(5)
            assert not thread.is_alive()
    assert errors == []
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []  # no task thread failed either


def ask(port: int, done: threading.Event) -> None:
    while not done.is_set():
        with contextlib.suppress(OSError):  # refused or reset: the server is stopping
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
