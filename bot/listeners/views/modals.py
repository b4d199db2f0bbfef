"""Modal submissions: "Save as..." (the name) and "Refine" (the edited phrase)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import blocks
from bot.conversation import Conversation
from bot.listeners.answering import post_answer
from bot.places import Place
from bot.replies import Replies
from segments.saved import SavedInfo


def value(view: dict[str, Any], block_id: str, action_id: str) -> str:
    return (view["state"]["values"].get(block_id, {}).get(action_id, {}).get("value") or "").strip()


def ack_save(ack: Ack, view: dict[str, Any]) -> None:
    """An empty name is refused in the modal; otherwise the modal says "Saving..." at once."""
    name = value(view, blocks.NAME_BLOCK, blocks.NAME_INPUT)
    if not name:
        ack(response_action="errors", errors={blocks.NAME_BLOCK: "Give the segment a name."})
    else:
        ack(response_action="update", view=blocks.saving_modal(name))


def save(conversation: Conversation) -> Callable[..., None]:
    """The segment saved under the name; a name already taken is asked again, and the taken name
    submitted again (the modal remembers it) replaces the segment saved under it."""

    def run(view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        name = value(view, blocks.NAME_BLOCK, blocks.NAME_INPUT)
        meta = json.loads(view["private_metadata"])
        replace = " ".join(name.split()) == meta.get("replace")
        result = conversation.save(name, meta["phrase"], by=body["user"]["id"], replace=replace)
        if isinstance(result, SavedInfo):
            shown = blocks.name_taken_modal(result, meta["phrase"])
        else:
            shown = blocks.saved_modal(name, result)
        client.views_update(view_id=view["id"], view=shown)

    return run


def ack_refine(ack: Ack, view: dict[str, Any]) -> None:
    if not value(view, blocks.PHRASE_BLOCK, blocks.PHRASE_INPUT):
        ack(response_action="errors", errors={blocks.PHRASE_BLOCK: "Write the phrase to run."})
    else:
        ack()


def refine(conversation: Conversation) -> Callable[..., None]:
    """The edited phrase is answered where the original answer was."""

    def run(view: dict[str, Any], client: WebClient) -> None:
        phrase = value(view, blocks.PHRASE_BLOCK, blocks.PHRASE_INPUT)
        post_answer(Replies(client), Place.from_meta(view["private_metadata"]), conversation, phrase)

    return run
