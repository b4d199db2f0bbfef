"""Fixtures of the delivery tests.

`smtp_sink`: a started `Sink` that accepts everything; `sink_of(...)` starts one that answers as
the test says. `key_pair`: a DKIM key and its DNS record (tests.delivery.keys). `approved`: the
campaigns' small shop with one approved campaign; `make_dispatcher(senders)`: a dispatcher over
it that sends through whatever senders a test gives (a function, or SMTP to a sink on loopback).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from campaigns.service import CampaignService
from delivery.dispatch import Dispatcher, Options
from delivery.headers import Headers
from delivery.tokens import Tokens
from delivery.transport import Sender
from tests.campaigns import conftest as campaigns
from tests.campaigns.conftest import ALICE, BOB, LETTERHEAD, NOW
from tests.delivery.keys import new_key
from tests.delivery.sink import Sink

#: The campaigns' fixtures, here too: the shop, the service over it.
shop, make_service, service = campaigns.shop, campaigns.make_service, campaigns.service

SECRET = "a test secret of enough length"
MakeDispatcher = Callable[..., Dispatcher]


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


@pytest.fixture
def approved(service: CampaignService) -> int:
    """'Win-back DE' for the lapsed custs in DE (c01, c02; c03 is unsubscribed), approved."""
    drafted = service.draft("Win-back DE", "lapsed custs in DE", "winback", by=ALICE)
    service.approve(drafted.campaign.id, by=BOB)
    return drafted.campaign.id


@pytest.fixture
def make_dispatcher(shop: Engine, service: CampaignService) -> MakeDispatcher:
    def make(senders: Callable[[], Sender], **options) -> Dispatcher:
        headers = Headers(Tokens(SECRET), LETTERHEAD.public_url, LETTERHEAD.domain())
        options.setdefault("clock", lambda: NOW)
        return Dispatcher(
            shop, service, service.previews, senders, headers, LETTERHEAD.sender, Options(**options)
        )

    return make
