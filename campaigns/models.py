"""What the campaign service returns: a campaign as people see it, its audit, an action's outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from campaigns.states import Action, State
from personalization.preview import Preview


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    by: str
    action: Action
    state: State
    template_version: int
    definition: dict[str, Any]
    count: int
    comment: str | None = None

    def as_json(self) -> dict[str, Any]:
        """An entry of `campaign show --json`'s `audit` (campaigns-contract.md)."""
        return {
            "at": self.at.isoformat(),
            "by": self.by,
            "action": self.action.value,
            "state": self.state.value,
            "template_version": self.template_version,
            "count": self.count,
            "comment": self.comment,
        }


class Campaign(BaseModel):
    """A campaign Tailor drafted, with the approvals of its current version."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    state: State
    phrase: str
    definition: dict[str, Any]
    template: str
    template_version: int
    #: the campaign's own subject, in place of the template's; None: the template's
    subject: str | None
    drafted_by: str
    #: approvers of the current version (since it was drafted, changed or sent back), in order
    approvals: list[str]
    approvals_required: int
    count: int
    reachable: int
    approved_count: int | None
    approved_reachable: int | None
    channel: str | None
    thread_ts: str | None
    created_at: datetime
    updated_at: datetime
    #: when its send is due (UTC); with `local_time` ("09:00"), the first recipient's moment
    send_at: datetime | None = None
    local_time: str | None = None
    #: after a hold: "all" (today's members) or "approved" (the members as approved)
    audience: str | None = None
    #: the row's revision when read: a change checks nobody changed it since (`CampaignService`)
    revision: int
    audit: list[AuditEntry]

    @property
    def authors(self) -> set[str]:
        """Who drafted it or changed it since: none of them may approve this version."""
        return {self.drafted_by} | {e.by for e in self.audit if e.action is Action.CHANGED}

    @property
    def approvals_missing(self) -> int:
        return max(self.approvals_required - len(self.approvals), 0)

    @property
    def approved_at(self) -> datetime | None:
        """When it was last approved: the members "as approved" are those of that moment."""
        return next((e.at for e in reversed(self.audit) if e.action is Action.APPROVED), None)

    @property
    def scheduled_at(self) -> datetime | None:
        """When it was last scheduled: "9:00 in each recipient's zone" counts from then."""
        return next((e.at for e in reversed(self.audit) if e.action is Action.SCHEDULED), None)

    def as_json(self, counts: dict[str, int], unknown: Sequence[str] = ()) -> dict[str, Any]:
        """`campaign show --json` (campaigns-contract.md); `counts`: recipients per send state;
        `unknown`: the contacts whose message may or may not have gone."""
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state.value,
            "segment": self.phrase,
            "definition": self.definition,
            "template": self.template,
            "template_version": self.template_version,
            "subject": self.subject,
            "drafted_by": self.drafted_by,
            "approvals": self.approvals,
            "approvals_required": self.approvals_required,
            "count": self.count,
            "reachable": self.reachable,
            "approved_count": self.approved_count,
            "approved_reachable": self.approved_reachable,
            "send_at": self.send_at.isoformat() if self.send_at else None,
            "local_time": self.local_time,
            "counts": {state: counts.get(state, 0) for state in ("sent", "skipped", "failed", "unknown")},
            "pending": counts.get("queued", 0) + counts.get("sending", 0),
            "unknown_contacts": list(unknown),
            "audit": [entry.as_json() for entry in self.audit],
        }


class Drafted(BaseModel):
    """A new campaign, or one just changed, with the preview its approvers judge it by."""

    campaign: Campaign
    preview: Preview

    def as_json(self) -> dict[str, Any]:
        """`campaign draft --json` (campaigns-contract.md)."""
        campaign = self.campaign
        return {
            "id": campaign.id,
            "name": campaign.name,
            "state": campaign.state.value,
            "count": campaign.count,
            "reachable": campaign.reachable,
            "template": campaign.template,
            "template_version": campaign.template_version,
            "reading": self.preview.reading,
            "warnings": self.preview.warnings,
            "check": self.preview.check.lines(),
            "samples": [sample.as_json() for sample in self.preview.samples],
        }


class Outcome(BaseModel):
    """What an approval, a request for changes, a rejection or a change did."""

    campaign: Campaign
    entry: AuditEntry
    #: the campaign was approved (or scheduled) and this change took the approval back
    voided: bool = False
