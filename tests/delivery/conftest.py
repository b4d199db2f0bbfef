"""The campaigns' small shop with one approved campaign, and a dispatcher over it that sends
through whatever sender a test gives (a function, or SMTP to a sink on loopback)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from campaigns.service import CampaignService
from delivery.dispatch import Dispatcher, Options
from delivery.headers import Headers
from delivery.tokens import Tokens
from delivery.transport import Sender
from tests.campaigns import conftest as campaigns
from tests.campaigns.conftest import ALICE, BOB, LETTERHEAD, NOW

#: The campaigns' fixtures, here too: the shop, the service over it.
shop, make_service, service = campaigns.shop, campaigns.make_service, campaigns.service

SECRET = "a test secret of enough length"
MakeDispatcher = Callable[..., Dispatcher]


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
