"""Mentions (answered in their thread) and direct messages (answered in the conversation); a
campaign's request (`bot.campaign_phrases`) goes to the campaign's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot import campaign_phrases
from bot.conversation import Conversation
from bot.drafts import Drafts
from bot.listeners import campaigning
from bot.listeners.answering import post_answer
from bot.places import mentionless, of_event
from bot.replies import Replies


def is_direct_message(event: dict[str, Any]) -> bool:
    """A person's own new message in a direct conversation with Tailor."""
    return event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")


def answer_event(conversation: Conversation, drafts: Drafts) -> Callable[..., None]:
    def answer(event: dict[str, Any], client: WebClient) -> None:
        text = mentionless(event.get("text", ""))
        request = campaign_phrases.parse(text)
        if request is not None:
            campaigning.answer(Replies(client), of_event(event), drafts, request)
            return
        post_answer(Replies(client), of_event(event), conversation, text)

    return answer
