"""Where an answer goes, read from Slack's payloads: a channel (and thread), or a response URL.

A slash command's and an ephemeral message's answers go to their `response_url` (only the asker
sees them: a private place); a mention's go to its thread, a direct message's to the conversation.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel


class Place(BaseModel):
    user: str
    channel: str | None = None
    thread_ts: str | None = None
    #: When set, answers go here, seen only by the user.
    response_url: str | None = None
    #: A response URL for what only the user should see, where answers are public (a click's).
    whisper_url: str | None = None

    @property
    def private(self) -> bool:
        return self.response_url is not None

    def in_channel(self) -> Place:
        """The same place for everyone: answers go to its channel, whispers still to the user."""
        return self.model_copy(update={"response_url": None, "whisper_url": self.response_url})

    def as_meta(self) -> dict:
        """For a modal's private_metadata, so its submission answers in the same place."""
        return {"place": self.model_dump(exclude_none=True)}

    @classmethod
    def from_meta(cls, private_metadata: str) -> Place:
        return cls.model_validate(json.loads(private_metadata or "{}").get("place", {}))


def of_command(command: dict[str, Any]) -> Place:
    return Place(
        user=command["user_id"], channel=command.get("channel_id"), response_url=command["response_url"]
    )


def of_event(event: dict[str, Any]) -> Place:
    """A mention is answered in its thread; a direct message in a thread only when it was in one."""
    in_channel = event.get("channel_type") != "im"
    thread = event.get("thread_ts") or (event.get("ts") if in_channel else None)
    return Place(user=event.get("user", ""), channel=event["channel"], thread_ts=thread)


def of_action(body: dict[str, Any]) -> Place:
    container = body.get("container", {})
    message = body.get("message") or {}
    ephemeral = container.get("is_ephemeral") or not message
    url = body.get("response_url")
    return Place(
        user=body["user"]["id"],
        channel=container.get("channel_id") or (body.get("channel") or {}).get("id"),
        thread_ts=container.get("thread_ts") or message.get("thread_ts"),
        response_url=url if ephemeral else None,
        whisper_url=None if ephemeral else url,
    )


def the_message(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The channel and ts of the message whose button was clicked (None, None when ephemeral)."""
    container = body.get("container", {})
    if container.get("is_ephemeral") or not body.get("message"):
        return None, None
    return container.get("channel_id"), container.get("message_ts")


def mentionless(text: str) -> str:
    """A mention's text without the leading `<@U123>`."""
    words = text.strip().split(maxsplit=1)
    if words and words[0].startswith("<@") and words[0].endswith(">"):
        return words[1] if len(words) > 1 else ""
    return text.strip()
