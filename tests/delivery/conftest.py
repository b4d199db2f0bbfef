"""`smtp_sink`: a started `Sink` that accepts everything; `sink_of(...)` starts one that answers as
the test says. `key_pair`: a DKIM key and its DNS record (tests.delivery.keys)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.delivery.keys import new_key
from tests.delivery.sink import Sink


@pytest.fixture
def sink_of() -> Iterator[Callable[..., Sink]]:
    """`sink_of(answer, at="DATA", users={...})`: a started sink, stopped after the test."""
    started: list[Sink] = []

    def start(*args: Any, **kwargs: Any) -> Sink:
        sink = Sink(*args, **kwargs)
        sink.start()
        started.append(sink)
        return sink

    yield start
    for sink in started:
        sink.stop()


@pytest.fixture
def smtp_sink(sink_of: Callable[..., Sink]) -> Sink:
    return sink_of()


@pytest.fixture(scope="session")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A DKIM private key file for SELECTOR at DOMAIN, and its DNS TXT record."""
    return new_key(tmp_path_factory.mktemp("dkim") / "private.pem")
