"""`/tailor <phrase>`: the acknowledgement says "Reading..." (only the asker sees it); the answer
replaces it through the command's response URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.conversation import Conversation
from bot.listeners.answering import answer_at
from bot.places import of_command
from bot.replies import Posted, Replies


def tailor_command(conversation: Conversation) -> tuple[Callable[..., None], Callable[..., None]]:
    def ack_command(ack: Ack, command: dict[str, Any]) -> None:
        ack(response_type="ephemeral", **conversation.reading(command.get("text", "")))

    def answer_command(command: dict[str, Any], client: WebClient) -> None:
        posted = Posted(response_url=command["response_url"])
        answer_at(Replies(client), posted, conversation, command.get("text", ""), of_command(command))

    return ack_command, answer_command
