"""What the Slack app and the console stand on, built once from settings."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.conversation import Conversation
from bot.gate import Access
from campaigns.service import Approvers, CampaignService
from personalization.preview import Previewer
from reports.service import ReportService
from segments.service import SegmentService
from settings import Settings
from store.seen import SeenRequests

log = logging.getLogger(__name__)

#: How long a user group's members are kept before Slack is asked again.
GROUP_TTL = 300.0


@dataclass(frozen=True)
class Services:
    conversation: Conversation
    seen: SeenRequests
    access: Access
    campaigns: CampaignService


def build_services(settings: Settings, engine: Engine) -> Services:
    segments = SegmentService.of(engine, settings)
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


class UserGroups:
    """A Slack user group's members (`usergroups.users.list`), kept GROUP_TTL seconds: approvers
    named by a group (TAILOR_APPROVERS=S0123...) are its members of the last few minutes. A group
    Slack does not answer for has no members (nobody approves through it) until asked again."""

    def __init__(
        self, client: WebClient, ttl: float = GROUP_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client, self.ttl, self.clock = client, ttl, clock
        self._lock = threading.Lock()
        self._members: dict[str, tuple[float, frozenset[str]]] = {}

    def __call__(self, group: str) -> frozenset[str]:
        now = self.clock()
        with self._lock:
            kept = self._members.get(group)
            if kept is not None and now - kept[0] < self.ttl:
                return kept[1]
        try:
            members = frozenset(self.client.usergroups_users_list(usergroup=group).get("users") or ())
        except SlackApiError as error:
            log.warning("could not list the members of user group %s: %s", group, error.response.get("error"))
            members = frozenset()
        with self._lock:
            self._members[group] = (now, members)
        return members


def with_user_groups(services: Services, client: WebClient) -> None:
    """Approvers named by a user group are resolved through the app's client, once it exists."""
    approvers = services.campaigns.approvers
    if approvers.members_of is None and any(i.startswith("S") for i in approvers.ids):
        services.campaigns.approvers = replace(approvers, members_of=UserGroups(client))
