"""Mentions (answered in their thread) and direct messages (answered in the conversation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.conversation import Conversation
from bot.listeners.answering import post_answer
from bot.places import mentionless, of_event
from bot.replies import Replies


def is_direct_message(event: dict[str, Any]) -> bool:
    """A person's own new message in a direct conversation with Tailor."""
    return event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")


def answer_event(conversation: Conversation) -> Callable[..., None]:
    def answer(event: dict[str, Any], client: WebClient) -> None:
        text = mentionless(event.get("text", ""))
        post_answer(Replies(client), of_event(event), conversation, text)

    return answer
