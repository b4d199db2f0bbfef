"""Delivering messages: post, then update in place, through the Web API or a response URL.

Both clients retry on their own: 429 after the `Retry-After` Slack gives, 5xx and dropped
connections a couple of times (slack_sdk's retry handlers). A channel Tailor is not in is a
`NotInChannel`, for the listener to tell the user what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.blocks import Message
from bot.conversation import Chart
from bot.places import Place

RETRIES = 3
#: What Slack answers for a channel Tailor is not a member of (a public one) or cannot see (a
#: private one, a direct message between others).
NOT_IN_CHANNEL = frozenset({"not_in_channel", "channel_not_found"})


class NotInChannel(Exception):
    def __init__(self, channel: str) -> None:
        super().__init__(f"Tailor is not in {channel}")
        self.channel = channel


@contextmanager
def _into(channel: str) -> Iterator[None]:
    """Slack's refusal of a channel Tailor is not in, as a NotInChannel; other errors as they are."""
    try:
        yield
    except SlackApiError as error:
        if error.response.get("error") in NOT_IN_CHANNEL:
            raise NotInChannel(channel) from error
        raise


def retry_handlers() -> list[RetryHandler]:
    return [
        RateLimitErrorRetryHandler(max_retry_count=RETRIES),
        ServerErrorRetryHandler(max_retry_count=RETRIES),
        ConnectionErrorRetryHandler(max_retry_count=RETRIES),
    ]


@dataclass(frozen=True)
class Posted:
    """A message that can be updated: by channel and ts, or through its response URL."""

    channel: str | None = None
    ts: str | None = None
    response_url: str | None = None


class Replies:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, place: Place, message: Message) -> Posted:
        if place.response_url:
            self._respond(place.response_url, message, replace=False)
            return Posted(response_url=place.response_url)
        channel = _channel(place)
        with _into(channel):
            sent = self.client.chat_postMessage(channel=channel, thread_ts=place.thread_ts, **message)
        return Posted(channel=sent["channel"], ts=sent["ts"])

    def update(self, posted: Posted, message: Message) -> None:
        if posted.response_url:
            self._respond(posted.response_url, message, replace=True)
        else:
            if posted.ts is None:
                raise ValueError("a message to update needs its ts, or a response URL")
            channel = _channel(posted)
            with _into(channel):
                self.client.chat_update(channel=channel, ts=posted.ts, **message)

    def whisper(self, place: Place, message: Message) -> None:
        """A message only the user sees: through a response URL when there is one (it reaches the
        user where Tailor is not in the channel), else as an ephemeral message."""
        url = place.response_url or place.whisper_url
        if url:
            self._respond(url, message, replace=False)
            return
        channel = _channel(place)
        with _into(channel):
            self.client.chat_postEphemeral(
                channel=channel, user=place.user, thread_ts=place.thread_ts, **message
            )

    def upload(self, channel: str, thread_ts: str | None, chart: Chart) -> None:
        """A chart into the channel (and thread), with `files_upload_v2`: an upload URL, the bytes, done."""
        with _into(channel):
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=chart.data,
                filename=chart.filename,
                title=chart.title,
            )

    def upload_privately(self, user: str, chart: Chart) -> None:
        """A chart into the user's direct messages with Tailor, where no one else sees it: Slack
        shows a file only in the conversations it is shared in (and an image block needs a public
        URL, which a private chart must not have)."""
        opened = self.client.conversations_open(users=user)
        self.upload(opened["channel"]["id"], None, chart)

    def _respond(self, url: str, message: Message, replace: bool) -> None:
        hook = WebhookClient(url, retry_handlers=retry_handlers())
        response = hook.send_dict({"response_type": "ephemeral", "replace_original": replace, **message})
        if response.status_code >= 400:
            raise RuntimeError(f"response_url answered {response.status_code}: {response.body}")


def _channel(where: Place | Posted) -> str:
    """The channel to answer in: a place without a response URL has one (events, buttons in a
    message); one with neither could not be answered, and the Web API would refuse it."""
    if where.channel is None:
        raise ValueError("nowhere to answer: no channel and no response URL")
    return where.channel
