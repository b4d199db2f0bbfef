"""What the Slack app and the console stand on, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.conversation import Conversation
from bot.gate import Access
from campaigns.service import Approvers, CampaignService
from personalization.preview import Previewer
from reports.service import ReportService
from segments.service import SegmentService
from settings import Settings
from store.seen import SeenRequests


@dataclass(frozen=True)
class Services:
    conversation: Conversation
    seen: SeenRequests
    access: Access
    campaigns: CampaignService


def build_services(settings: Settings, engine: Engine) -> Services:
    segments = SegmentService(
        engine, zone=settings.zone, min_test_size=settings.min_test_size, pricing=settings.pricing()
    )
    reports = ReportService(segments, attribution_days=settings.attribution_days)
    return Services(
        conversation=Conversation(segments, reports=reports),
        seen=SeenRequests(engine),
        access=Access(channels=settings.allowed_channels, users=settings.allowed_users),
        campaigns=campaign_service(settings, engine, segments),
    )


def campaign_service(settings: Settings, engine: Engine, segments: SegmentService) -> CampaignService:
    """The campaign service of the workspace: its approvers, approvals required and letterhead."""
    previews = Previewer(engine, segments, settings.letterhead())
    return CampaignService(
        engine, previews, Approvers(settings.approvers), approvals_required=settings.approvals_required
    )
