"""Delivering messages: post, then update in place, through the Web API or a response URL.

Both clients retry on their own: 429 after the `Retry-After` Slack gives, 5xx and dropped
connections a couple of times (slack_sdk's retry handlers).
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
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
        sent = self.client.chat_postMessage(channel=_channel(place), thread_ts=place.thread_ts, **message)
        return Posted(channel=sent["channel"], ts=sent["ts"])

    def update(self, posted: Posted, message: Message) -> None:
        if posted.response_url:
            self._respond(posted.response_url, message, replace=True)
        else:
            if posted.ts is None:
                raise ValueError("a message to update needs its ts, or a response URL")
            self.client.chat_update(channel=_channel(posted), ts=posted.ts, **message)

    def whisper(self, place: Place, message: Message) -> None:
        """A message only the user sees."""
        if place.response_url:
            self._respond(place.response_url, message, replace=False)
        else:
            self.client.chat_postEphemeral(
                channel=_channel(place), user=place.user, thread_ts=place.thread_ts, **message
            )

    def upload(self, channel: str, thread_ts: str | None, chart: Chart) -> None:
        """A chart into the channel (and thread), with `files_upload_v2`: an upload URL, the bytes, done."""
        self.client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=chart.data,
            filename=chart.filename,
            title=chart.title,
        )

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
