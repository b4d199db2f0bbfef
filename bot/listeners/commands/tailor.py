"""`/tailor <phrase>`: the acknowledgement says "Reading..." (only the asker sees it); the answer
replaces it through the command's response URL. `/tailor draft ...` and the other campaign requests
(`bot.campaign_phrases`) are acknowledged with "Drafting..." and answered in the campaign's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import campaign_phrases
from bot.conversation import Conversation
from bot.drafts import Drafts
from bot.listeners import campaigning
from bot.listeners.answering import answer_at
from bot.places import of_command
from bot.replies import Posted, Replies


def tailor_command(
    conversation: Conversation, drafts: Drafts
) -> tuple[Callable[..., None], Callable[..., None]]:
    def ack_command(ack: Ack, command: dict[str, Any]) -> None:
        text = command.get("text", "")
        request = campaign_phrases.parse(text)
        waiting = conversation.reading(text) if request is None else campaigning.waiting(request)
        ack(response_type="ephemeral", **waiting)

    def answer_command(command: dict[str, Any], client: WebClient) -> None:
        request = campaign_phrases.parse(command.get("text", ""))
        if request is not None:
            campaigning.answer(Replies(client), of_command(command), drafts, request)
            return
        posted = Posted(response_url=command["response_url"])
        answer_at(Replies(client), posted, conversation, command.get("text", ""), of_command(command))

    return ack_command, answer_command
