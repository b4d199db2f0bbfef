"""Campaigns for Slack: the campaign service's answers as Block Kit, for the listeners to deliver.

    drafts = Drafts(campaigns)
    made = drafts.draft(DraftRequest("Win-back DE", "lapsed custs in DE", "winback"), by="U01ALICE")
    made.parent, made.samples          # the thread's parent message, then one message per sample
    drafts.files(made)                 # each sample's HTML (and PNG, where Chromium is installed)
    drafts.approve(made.campaign.id, by="U02BOB")  # -> Moved, or Refusal for the clicker alone

The rules are the service's; this only says what happened in Slack's terms. `by` is always the
user id of the signed request.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from bot import campaign_blocks as cb
from bot import send_blocks as sb
from bot.blocks import Block, Message
from bot.campaign_phrases import ChangeRequest, DraftRequest, When, default_name
from bot.conversation import Chart
from campaigns.models import Campaign, Outcome
from campaigns.service import CampaignService, NoCampaign
from campaigns.states import Refused
from personalization.library import list_templates
from personalization.preview import Preview, PreviewError
from personalization.screenshot import browser, screenshot

log = logging.getLogger(__name__)

#: Parents remembered for updating them after a modal (a click brings its message along).
REMEMBERED = 512


@dataclass(frozen=True)
class Refusal:
    """A move refused: said to whoever asked, alone; nothing changed."""

    message: Message


@dataclass(frozen=True)
class Failed:
    """A draft or change that could not be made: a phrase not read, an unknown template or campaign."""

    message: Message


@dataclass(frozen=True)
class Draft:
    """A new campaign, or a new version of one: its parent message and its samples for the thread."""

    campaign: Campaign
    preview: Preview
    parent: Message
    samples: list[Message]
    #: the thread's line for a change (None for a new draft)
    line: Message | None = None


@dataclass(frozen=True)
class Moved:
    """An approval, request for changes or rejection: its line in the thread and the parent anew."""

    campaign: Campaign
    line: Message
    parent: Message


class Drafts:
    def __init__(self, campaigns: CampaignService) -> None:
        self.campaigns = campaigns
        self._parents: OrderedDict[int, list[Block]] = OrderedDict()

    @property
    def approvers(self) -> tuple[str, ...]:
        return self.campaigns.approvers.ids

    @property
    def zone(self) -> tzinfo:
        """The workspace's time zone (settings.zone, as the segments read dates): "tomorrow at
        9:00" is read on its clock, and times are said on it."""
        return self.campaigns.previews.segments.zone

    # -- drafting ---------------------------------------------------------------------------

    def draft(self, request: DraftRequest, by: str) -> Draft | Failed | Refusal:
        try:
            made = self.campaigns.draft(request.name, request.phrase, request.template, by, request.subject)
        except PreviewError as error:
            return Failed(cb.failed(f"Not drafted: “{request.phrase}”", str(error), error.suggestions))
        except Refused as refused:
            return Refusal(self._refused(refused, by))
        return self._drafted(made.campaign, made.preview)

    def change(self, request: ChangeRequest, by: str) -> Draft | Failed | Refusal:
        """A new version; an approval it voids is said in its line, naming who had approved."""
        try:
            before = self.campaigns.show(request.campaign_id)
            outcome, preview = self.campaigns.change(
                request.campaign_id,
                by,
                phrase=request.phrase,
                template=request.template,
                version=request.version,
                subject=request.subject,
            )
        except NoCampaign as missing:
            return Failed(cb.failed("Not changed", missing.message))
        except PreviewError as error:
            return Failed(
                cb.failed(f"Campaign {request.campaign_id} not changed", str(error), error.suggestions)
            )
        except Refused as refused:
            return Refusal(self._refused(refused, by))
        made = self._drafted(outcome.campaign, preview)
        return Draft(made.campaign, preview, made.parent, made.samples, cb.changed(outcome, before.approvals))

    def _drafted(self, campaign: Campaign, preview: Preview) -> Draft:
        parent = cb.draft(campaign, preview, self.approvers, self.zone)
        self._remember(campaign.id, parent["blocks"])
        count = len(preview.samples)
        samples = [cb.sample(i, count, s) for i, s in enumerate(preview.samples, 1)]
        return Draft(campaign, preview, parent, samples or [cb.no_samples(preview)])

    def files(self, made: Draft) -> Iterator[Chart]:
        """Each sample's HTML, and its picture where Chromium is installed (made one by one: a
        picture takes Chromium a second or two)."""
        chromium = browser()
        for number, sample in enumerate(made.preview.samples, 1):
            stem = f"campaign-{made.campaign.id}-sample-{number}-{sample.contact}"
            html = sample.email.html
            yield Chart(html.encode("utf-8"), f"{stem}.html", f"Sample {number}: {sample.contact} (HTML)")
            if chromium:
                picture = _picture(html, stem, chromium)
                if picture is not None:
                    yield Chart(picture, f"{stem}.png", f"Sample {number}: {sample.contact}")

    def place(self, campaign_id: int, channel: str, thread_ts: str) -> None:
        self.campaigns.place(campaign_id, channel, thread_ts)

    def draft_view(self, phrase: str, meta: dict) -> Block:
        with self.campaigns.engine.connect() as conn:
            templates = list_templates(conn)
        name = default_name("email", phrase)
        return cb.draft_modal(phrase, name, templates, meta)

    # -- reviewing --------------------------------------------------------------------------

    def approve(
        self, campaign_id: int, by: str, shown: list[Block] | None = None
    ) -> Moved | Refusal | Failed:
        return self._move(lambda: self.campaigns.approve(campaign_id, by), by, shown)

    def request_changes(
        self, campaign_id: int, by: str, comment: str, shown: list[Block] | None = None
    ) -> Moved | Refusal | Failed:
        return self._move(lambda: self.campaigns.request_changes(campaign_id, by, comment), by, shown)

    def reject(
        self, campaign_id: int, by: str, comment: str | None, shown: list[Block] | None = None
    ) -> Moved | Refusal | Failed:
        return self._move(lambda: self.campaigns.reject(campaign_id, by, comment), by, shown)

    # -- sending ----------------------------------------------------------------------------

    def schedule(
        self, campaign_id: int, by: str, when: When, shown: list[Block] | None = None
    ) -> Moved | Refusal | Failed:
        """Sent now, at the moment `when` means on the workspace's clock (as of the service's
        clock), or at a time of day on each recipient's; scheduled again, it moves."""
        at = when.moment(self.campaigns.clock(), self.zone)
        return self._move(
            lambda: self.campaigns.schedule(campaign_id, by, at=at, local_time=when.local_time),
            by,
            shown,
            lambda outcome: sb.scheduled(outcome, self.zone),
        )

    def cancel(
        self, campaign_id: int, by: str, comment: str | None = None, shown: list[Block] | None = None
    ) -> Moved | Refusal | Failed:
        return self._move(lambda: self.campaigns.cancel(campaign_id, by, comment), by, shown, sb.cancelled)

    def release(
        self, campaign_id: int, by: str, audience: str, shown: list[Block] | None = None
    ) -> Moved | Refusal | Failed:
        """A held campaign sent after all: to today's members ("all") or those approved ("approved")."""
        return self._move(lambda: self.campaigns.release(campaign_id, by, audience), by, shown, sb.released)

    def of_thread(self, channel: str | None, thread_ts: str | None) -> Campaign | None:
        """The campaign whose thread this is ("send it now" said in it)."""
        if not channel or not thread_ts:
            return None
        return self.campaigns.by_thread(channel, thread_ts)

    def scheduled(self) -> Message:
        return sb.listing(self.campaigns.list(), self.zone)

    def schedule_view(self, campaign_id: int, meta: dict) -> Block | Failed:
        found = self.show(campaign_id)
        return found if isinstance(found, Failed) else sb.schedule_modal(found, meta, self.zone)

    def _move(
        self,
        act: Callable[[], Outcome],
        by: str,
        shown: list[Block] | None,
        line: Callable[[Outcome], Message] = cb.moved,
    ) -> Moved | Refusal | Failed:
        try:
            outcome = act()
        except NoCampaign as missing:
            return Failed(cb.failed("Nothing done", missing.message))
        except Refused as refused:
            return Refusal(self._refused(refused, by))
        return Moved(outcome.campaign, line(outcome), self.parent(outcome.campaign, shown))

    def parent(self, campaign: Campaign, shown: list[Block] | None = None) -> Message:
        """The parent as the campaign now stands: the message as shown (a click brings it), else as
        last posted by this process, else made from the campaign alone."""
        if shown and any(b.get("block_id") == cb.STATE_BLOCK for b in shown):
            blocks: list[Block] | None = shown
        else:
            blocks = self._parents.get(campaign.id)
        if blocks is None:
            return cb.summary(campaign, self.approvers, self.zone)
        message = cb.restated(blocks, campaign, self.approvers, self.zone)
        self._remember(campaign.id, message["blocks"])
        return message

    def _refused(self, refused: Refused, by: str) -> Message:
        return cb.refused(refused.message, refused.people, also=(by, *self.approvers))

    def _remember(self, campaign_id: int, blocks: list[Block]) -> None:
        self._parents[campaign_id] = blocks
        self._parents.move_to_end(campaign_id)
        while len(self._parents) > REMEMBERED:
            self._parents.popitem(last=False)

    # -- reading ----------------------------------------------------------------------------

    def show(self, campaign_id: int) -> Campaign | Failed:
        try:
            return self.campaigns.show(campaign_id)
        except NoCampaign as missing:
            return Failed(cb.failed("No such campaign", missing.message))

    def history(self, campaign_id: int) -> tuple[Campaign, Message] | Failed:
        found = self.show(campaign_id)
        return found if isinstance(found, Failed) else (found, cb.history(found))


def _picture(html: str, stem: str, chromium: str) -> bytes | None:
    with tempfile.TemporaryDirectory(prefix="tailor-sample-") as scratch:
        page, png = Path(scratch) / f"{stem}.html", Path(scratch) / f"{stem}.png"
        page.write_text(html, encoding="utf-8")
        try:
            screenshot(page, png, chromium)
        except (OSError, subprocess.SubprocessError):
            log.exception("no picture of %s", stem)
            return None
        return png.read_bytes()
