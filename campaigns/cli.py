"""The `campaign` command's output: lines for people, JSON for programs (campaigns-contract.md).

Every refused move (a drafter approving, someone not an approver, a rejected campaign approved)
exits 1 with the reason on stderr, or as `{"error": ...}` with `--json`; nothing is changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel

from campaigns.models import AuditEntry, Campaign, Drafted, Outcome
from campaigns.service import CampaignService, NoCampaign
from campaigns.states import SAID, Refused
from personalization.cli import preview_lines, ready, write_samples
from personalization.preview import PreviewError
from personalization.templates import TemplateError


class Asked(BaseModel):
    """One `campaign ACTION` as parsed from the command line."""

    action: str  # draft | approve | reject | changes | change | cancel | schedule | show | list
    by: str | None = None
    id: int | None = None
    name: str | None = None
    segment: str | None = None
    template: str | None = None
    version: int | None = None
    subject: str | None = None
    comment: str | None = None
    out: Path | None = None
    as_json: bool = False
    #: schedule: at a moment, now, or at a time of day on each recipient's clock
    at: datetime | None = None
    now: bool = False
    local: str | None = None
    #: release: send a held campaign to "all" of today's members or to the "approved" ones
    to: str | None = None


def run(service: CampaignService, asked: Asked, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """0 when done; 1, with the reason, for a refused move, an unknown campaign, template or phrase."""
    try:
        return ACTIONS[asked.action](service, asked, out)
    except (Refused, NoCampaign, PreviewError, TemplateError) as error:
        message = getattr(error, "message", str(error))
        suggestions = getattr(error, "suggestions", [])
        if asked.as_json:
            print(json.dumps({"error": message, "suggestions": suggestions}, ensure_ascii=False), file=out)
        else:
            print(
                f"campaign {asked.action}: {message}",
                *(f"  did you mean: {s}" for s in suggestions),
                sep="\n",
                file=err,
            )
        return 1


def _draft(service: CampaignService, asked: Asked, out: TextIO) -> int:
    if asked.out is not None:
        ready(asked.out)  # before the segment is rendered, not after
    drafted = service.draft(
        _given(asked.name), _given(asked.segment), _given(asked.template), _by(asked), asked.subject
    )
    written = write_samples(drafted.preview, asked.out) if asked.out else []
    if asked.as_json:
        print(json.dumps(drafted.as_json(), ensure_ascii=False), file=out)
    else:
        print(*drafted_lines(drafted), *written, sep="\n", file=out)
    return 0


def _change(service: CampaignService, asked: Asked, out: TextIO) -> int:
    outcome, preview = service.change(
        _id(asked), _by(asked), asked.segment, asked.template, asked.version, asked.subject
    )
    if asked.as_json:
        return _print_json(Drafted(campaign=outcome.campaign, preview=preview).as_json(), out)
    print(*outcome_lines(outcome), "", *preview_lines(preview), sep="\n", file=out)
    return 0


def _review(
    act: Callable[[CampaignService, Asked], Outcome],
) -> Callable[[CampaignService, Asked, TextIO], int]:
    def review(service: CampaignService, asked: Asked, out: TextIO) -> int:
        outcome = act(service, asked)
        if asked.as_json:
            return _print_json(outcome.campaign.as_json(service.send_counts(outcome.campaign.id)), out)
        print(*outcome_lines(outcome), sep="\n", file=out)
        return 0

    return review


def _show(service: CampaignService, asked: Asked, out: TextIO) -> int:
    campaign = service.show(_id(asked))
    counts = service.send_counts(campaign.id)
    if asked.as_json:
        return _print_json(campaign.as_json(counts, service.unknown_contacts(campaign.id)), out)
    print(
        *campaign_lines(campaign),
        *send_lines(campaign, counts, service.unknown_contacts(campaign.id)),
        "",
        "history:",
        *(f"  {line}" for line in audit_lines(campaign.audit)),
        sep="\n",
        file=out,
    )
    return 0


def _list(service: CampaignService, asked: Asked, out: TextIO) -> int:
    campaigns = service.list()
    if asked.as_json:
        for campaign in campaigns:
            print(
                json.dumps(campaign.as_json(service.send_counts(campaign.id)), ensure_ascii=False), file=out
            )
        return 0
    if not campaigns:
        print(
            'no campaigns yet: python app.py campaign draft "NAME" --segment PHRASE --template T --by USER',
            file=out,
        )
        return 0
    width = max(len(c.name) for c in campaigns)
    print(
        f"{'id':>4}  {'name':<{width}}  {'state':<17}  {'reachable':>9}  {'sends (UTC)':<16}  template",
        file=out,
    )
    for c in campaigns:
        sends = f"{c.send_at:%Y-%m-%d %H:%M}" if c.send_at else "-"
        print(
            f"{c.id:>4}  {c.name:<{width}}  {c.state.value.replace('_', ' '):<17}  {c.reachable:>9,}  "
            f"{sends:<16}  {c.template} v{c.template_version}",
            file=out,
        )
    return 0


ACTIONS: dict[str, Callable[[CampaignService, Asked, TextIO], int]] = {
    "draft": _draft,
    "change": _change,
    "approve": _review(lambda s, a: s.approve(_id(a), _by(a), a.comment)),
    "reject": _review(lambda s, a: s.reject(_id(a), _by(a), a.comment)),
    "changes": _review(lambda s, a: s.request_changes(_id(a), _by(a), a.comment or "")),
    "cancel": _review(lambda s, a: s.cancel(_id(a), _by(a), a.comment)),
    "resend": _review(lambda s, a: s.resend_unknown(_id(a), _by(a))),
    "release": _review(lambda s, a: s.release(_id(a), _by(a), a.to or "")),
    "schedule": _review(lambda s, a: s.schedule(_id(a), _by(a), None if a.now else a.at, a.local)),
    "show": _show,
    "list": _list,
}


# --- lines for people ----------------------------------------------------------------------------


def drafted_lines(drafted: Drafted) -> list[str]:
    campaign = drafted.campaign
    return [
        f"campaign {campaign.id} {campaign.name!r}: {_standing(campaign)}",
        *preview_lines(drafted.preview),
        "",
        f"next: an approver other than {campaign.drafted_by}: "
        f"python app.py campaign approve {campaign.id} --by USER",
    ]


def outcome_lines(outcome: Outcome) -> list[str]:
    campaign, entry = outcome.campaign, outcome.entry
    done = entry.action.value.replace("_", " ")
    said = [f"campaign {campaign.id} {campaign.name!r}: {done} by {entry.by}; now {_standing(campaign)}"]
    if entry.comment:
        said.append(f"  {entry.comment}")
    return said


def campaign_lines(campaign: Campaign) -> list[str]:
    subject = campaign.subject or "the template's"
    approved = (
        f"   approved with {campaign.approved_reachable:,} reachable"
        if campaign.approved_reachable is not None
        else ""
    )
    return [
        f"campaign {campaign.id} {campaign.name!r}: {_standing(campaign)}",
        f"  segment:   {campaign.phrase}",
        f"  members {campaign.count:>9,}   reachable {campaign.reachable:>9,}{approved}",
        f"  template:  {campaign.template} version {campaign.template_version}",
        f"  subject:   {subject}",
        f"  drafted by {campaign.drafted_by} on {campaign.created_at:%Y-%m-%d %H:%M} UTC",
    ]


def send_lines(campaign: Campaign, counts: dict[str, int], unknown: Sequence[str]) -> list[str]:
    """When it goes, and where its recipients stand once it has started."""
    lines = []
    if campaign.send_at is not None:
        local = f" ({campaign.local_time} on each recipient's clock)" if campaign.local_time else ""
        lines.append(f"  sends at   {campaign.send_at:%Y-%m-%d %H:%M} UTC{local}")
    if any(counts.values()):
        said = ", ".join(
            f"{counts.get(s, 0):,} {s}" for s in ("sent", "skipped", "failed", "unknown", "queued")
        )
        lines.append(f"  recipients {said}")
    if unknown:
        lines.append(
            f"  unknown:   {', '.join(unknown)}: handed to the server as the sender stopped; sent or not, "
            "nobody knows. Not sent again unless you ask."
        )
    return lines


def audit_lines(audit: list[AuditEntry]) -> list[str]:
    return [
        f"{e.at:%Y-%m-%d %H:%M}  {e.by:<12}  {e.action.value:<17}  v{e.template_version}  "
        f"{e.count:>9,} reachable" + (f"  {e.comment}" if e.comment else "")
        for e in audit
    ]


def _standing(campaign: Campaign) -> str:
    """ "awaiting approval (1 of 2 approvals)", "approved", "rejected"..."""
    said = SAID[campaign.state].removeprefix("is ").removeprefix("was ")
    if campaign.approvals_required > 1 and campaign.state.value == "awaiting_approval":
        said += f" ({len(campaign.approvals)} of {campaign.approvals_required} approvals)"
    return said


# --- arguments -------------------------------------------------------------------------------------


def _id(asked: Asked) -> int:
    if asked.id is None:
        raise Refused(f"say which campaign: python app.py campaign {asked.action} ID")
    return asked.id


def _by(asked: Asked) -> str:
    if not asked.by:
        raise Refused("say who acts with --by USER (a Slack user id)")
    return asked.by


def _given(value: str | None) -> str:
    if not value:
        raise Refused("a draft needs a name, --segment PHRASE and --template TEMPLATE")
    return value


def _print_json(data: dict[str, Any], out: TextIO) -> int:
    print(json.dumps(data, ensure_ascii=False), file=out)
    return 0
