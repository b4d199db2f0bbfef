"""A send's progress in its campaign's thread, for delivery to call (`Options(progress=...)`):

    notify = SendProgress(web_client(settings), campaigns)
    Dispatcher(..., Options(progress=notify))

The first report posts "sending: 0 of 4,388" in the thread; later ones update that message, at
most once every `interval` seconds (a send of thousands reports every batch, and chat.update is
rate limited per channel), and always the last one. A finished send then gets a summary: each
recipient's state counted, and what unknown means when some are. A held send posts the question
of whom to send it to. A campaign drafted on the command line has no thread: nothing is said.

Slack being down or slow never stops a send: a failed call is logged and the send goes on. A 429
is waited out and retried by the client (slack_sdk's RateLimitErrorRetryHandler, added if the
client has none).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import send_blocks as sb
from bot.blocks import Message, context
from bot.replies import RETRIES
from campaigns.models import Campaign
from delivery.dispatch import Progress

log = logging.getLogger(__name__)

#: Seconds between two updates of the progress message.
INTERVAL = 5.0
#: How many unknown contacts the summary names (the rest are counted).
NAMED_UNKNOWN = 10


class Unknowns(Protocol):
    """The part of the campaign service the summary reads."""

    def unknown_contacts(self, campaign_id: int) -> Sequence[str]: ...


@dataclass
class _Shown:
    """The progress message of a send under way: where it is, when it was last updated, with what."""

    channel: str
    ts: str
    at: float
    text: str


class SendProgress:
    def __init__(
        self,
        client: WebClient,
        campaigns: Unknowns,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers):
            client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=RETRIES))
        self.client, self.campaigns = client, campaigns
        self.interval, self.clock = interval, clock
        self._shown: dict[int, _Shown] = {}
        self._lock = threading.Lock()  # sends of several campaigns may report at once

    def __call__(self, progress: Progress) -> None:
        campaign = progress.campaign
        if not campaign.channel or not campaign.thread_ts:
            return
        try:
            with self._lock:
                self._report(progress, campaign.channel, campaign.thread_ts)
        except Exception:  # the send goes on whatever Slack says
            log.exception("could not report the send of campaign %s in Slack", campaign.id)

    def _report(self, progress: Progress, channel: str, thread_ts: str) -> None:
        campaign = progress.campaign
        if progress.held:
            self._shown.pop(campaign.id, None)
            self._post(channel, thread_ts, sb.held(campaign))
            return
        message = sb.progress(campaign, progress.counts, progress.total)
        shown = self._shown.get(campaign.id)
        now = self.clock()
        if shown is None:
            ts = self._post(channel, thread_ts, message)
            shown = self._shown[campaign.id] = _Shown(channel, ts, now, message["text"])
        elif progress.done or now - shown.at >= self.interval:
            if message["text"] != shown.text or progress.done:
                self.client.chat_update(channel=shown.channel, ts=shown.ts, **message)
            shown.at, shown.text = now, message["text"]
        if progress.done:
            del self._shown[campaign.id]
            self._post(channel, thread_ts, self._summary(campaign, progress))

    def _summary(self, campaign: Campaign, progress: Progress) -> Message:
        message = sb.finished(campaign, progress.counts, progress.total)
        if not progress.counts.get("unknown"):
            return message
        unknown = list(self.campaigns.unknown_contacts(campaign.id))
        named = ", ".join(f"`{c}`" for c in unknown[:NAMED_UNKNOWN])
        more = f" and {len(unknown) - NAMED_UNKNOWN:,} more" if len(unknown) > NAMED_UNKNOWN else ""
        return message | {"blocks": [*message["blocks"], context(f"Unknown: {named}{more}")]}

    def _post(self, channel: str, thread_ts: str, message: Message) -> str:
        sent = self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
        return str(sent["ts"])
