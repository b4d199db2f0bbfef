"""`smtp_sink`: a started `Sink` that accepts everything; tests that want other answers set
`smtp_sink.answer`, or start a `Sink` of their own with `sink_of`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

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
