"""A small shop with the demo templates, and the campaign service over it, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from campaigns.service import Approvers, CampaignService
from personalization.demo import DEMO_TEMPLATES
from personalization.filters import filters
from personalization.letterhead import Letterhead
from personalization.library import import_directory
from personalization.preview import Previewer
from personalization.templates import Sandbox
from segments.service import SegmentService
from tests.store.helpers import load

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
ALICE, BOB, CAROL, EVE = "U01ALICE", "U02BOB", "U03CAROL", "U04EVE"
LETTERHEAD = Letterhead(
    sender="Trailhead <news@trailhead.example>",
    postal_address="Trailhead Outfitters\n12 Market St\nPortland, OR 97201",
    public_url="https://tailor.example",
)
HEADER = ["id", "email", "first_name", "country", "language", "signed_up_at", "email_consent"]
LONG_AGO = "2024-03-01T09:00:00Z"
CONTACTS = [
    ["c01", "anna@example.de", "Anna", "Germany", "de", LONG_AGO, "subscribed"],
    ["c02", "jonas@example.de", "", "Germany", "de", LONG_AGO, "subscribed"],
    ["c03", "gisela@example.de", "Gisela", "Germany", "de", LONG_AGO, "unsubscribed"],
    ["c04", "liam@example.com", "Liam", "United States", "en", LONG_AGO, "subscribed"],
    ["c05", "nora@example.com", "Nora", "United States", "en", LONG_AGO, "subscribed"],
]
#: (contact, product, category, days before NOW, amount): c01-c03 lapsed, c04 active
PURCHASES = [
    ("c01", "Trail Runner 3", "running", 200, "129.00"),
    ("c02", "Yoga Mat", "yoga", 300, "45.00"),
    ("c03", "Running Socks", "running", 250, "18.00"),
    ("c04", "Headlamp", "camping", 5, "35.00"),
]

MakeService = Callable[..., CampaignService]


@pytest.fixture
def shop(engine: Engine, write_csv) -> Engine:
    events = [["contact_id", "type", "occurred_at", "amount", "currency", "category", "product"]]
    for contact, product, category, before, amount in PURCHASES:
        moment = (NOW - timedelta(days=before)).isoformat()
        events.append([contact, "purchase", moment, amount, "EUR", category, product])
    load(
        engine,
        contacts=write_csv("contacts.csv", [HEADER, *CONTACTS]),
        events=write_csv("events.csv", events),
    )
    import_directory(engine, DEMO_TEMPLATES, Sandbox(filters=filters("USD")))
    return engine


@pytest.fixture
def make_service(shop: Engine) -> MakeService:
    def make(approvers: tuple[str, ...] = (BOB, CAROL), required: int = 1, **kwargs) -> CampaignService:
        previews = Previewer(shop, SegmentService(shop), LETTERHEAD)
        return CampaignService(
            shop, previews, Approvers(approvers, **kwargs), approvals_required=required, clock=lambda: NOW
        )

    return make


@pytest.fixture
def service(make_service: MakeService) -> CampaignService:
    return make_service()
