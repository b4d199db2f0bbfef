"""Campaign modals: Draft an email (name, template, subject, phrase), Request changes (a comment,
required) and Reject (a comment, optional)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import campaign_blocks as cb
from bot.campaign_phrases import DraftRequest
from bot.drafts import Drafts
from bot.listeners.campaigning import deliver_move, post_draft
from bot.listeners.views.modals import value
from bot.places import Place
from bot.replies import Replies


def selected(view: dict[str, Any], block_id: str, action_id: str) -> str:
    chosen = view["state"]["values"].get(block_id, {}).get(action_id, {}).get("selected_option") or {}
    return str(chosen.get("value") or "")


def ack_draft(ack: Ack, view: dict[str, Any]) -> None:
    errors = {}
    if not value(view, cb.NAME_BLOCK, cb.NAME_INPUT):
        errors[cb.NAME_BLOCK] = "Give the campaign a name."
    if not selected(view, cb.TEMPLATE_BLOCK, cb.TEMPLATE_INPUT):
        errors[cb.TEMPLATE_BLOCK] = "Pick a template."
    if not value(view, cb.PHRASE_BLOCK, cb.PHRASE_INPUT):
        errors[cb.PHRASE_BLOCK] = "Say who the email is for."
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


def draft(drafts: Drafts) -> Callable[..., None]:
    """The draft, posted in the channel where its segment's answer was."""

    def run(view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        request = DraftRequest(
            name=value(view, cb.NAME_BLOCK, cb.NAME_INPUT),
            phrase=value(view, cb.PHRASE_BLOCK, cb.PHRASE_INPUT),
            template=selected(view, cb.TEMPLATE_BLOCK, cb.TEMPLATE_INPUT),
            subject=value(view, cb.SUBJECT_BLOCK, cb.SUBJECT_INPUT) or None,
        )
        asked = Place.from_meta(view["private_metadata"])
        place = Place(user=body["user"]["id"], channel=asked.channel, whisper_url=asked.response_url)
        post_draft(Replies(client), place, drafts, request)

    return run


def ack_comment(ack: Ack, view: dict[str, Any]) -> None:
    if view["callback_id"] == cb.CHANGES_VIEW and not value(view, cb.COMMENT_BLOCK, cb.COMMENT_INPUT):
        ack(response_action="errors", errors={cb.COMMENT_BLOCK: "Say what should change."})
    else:
        ack()


def comment(drafts: Drafts) -> Callable[..., None]:
    """The request for changes or the rejection, by whoever submitted the modal."""

    def run(view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        by, said = body["user"]["id"], value(view, cb.COMMENT_BLOCK, cb.COMMENT_INPUT)
        campaign_id = int(json.loads(view["private_metadata"])["campaign"])
        if view["callback_id"] == cb.CHANGES_VIEW:
            moved = drafts.request_changes(campaign_id, by, said)
        else:
            moved = drafts.reject(campaign_id, by, said or None)
        asked = Place.from_meta(view["private_metadata"])
        place = asked.model_copy(update={"user": by})
        deliver_move(Replies(client), place, moved)

    return run
