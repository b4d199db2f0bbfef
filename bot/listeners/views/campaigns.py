"""Campaign modals: Draft an email (name, template, subject, phrase), Request changes (a comment,
required), Reject (a comment, optional) and Schedule (now, at a date and time, or at a time of day
on each recipient's clock)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import campaign_blocks as cb
from bot import send_blocks as sb
from bot.campaign_phrases import DraftRequest, When
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


def chosen_when(view: dict[str, Any]) -> When | dict[str, str]:
    """When the Schedule modal says to send, or the errors to show by its blocks."""
    values = view["state"]["values"]
    how = selected(view, sb.WHEN_BLOCK, sb.WHEN_INPUT) or sb.NOW
    if how == sb.AT:
        stamp = values.get(sb.AT_BLOCK, {}).get(sb.AT_INPUT, {}).get("selected_date_time")
        if not stamp:
            return {sb.AT_BLOCK: "Pick a date and time, or choose Now."}
        return When(at=datetime.fromtimestamp(int(stamp), UTC))
    if how == sb.LOCAL:
        clock = values.get(sb.LOCAL_BLOCK, {}).get(sb.LOCAL_INPUT, {}).get("selected_time")
        if not clock:
            return {sb.LOCAL_BLOCK: "Pick the time of day each recipient gets it."}
        return When(clock=time.fromisoformat(clock), local=True)
    return When(now=True)


def ack_schedule(drafts: Drafts) -> Callable[..., None]:
    """A time missing or past is said by its picker, and the modal stays open."""

    def run(ack: Ack, view: dict[str, Any]) -> None:
        when = chosen_when(view)
        if isinstance(when, dict):
            ack(response_action="errors", errors=when)
        elif when.at is not None and when.at <= drafts.campaigns.clock():
            ack(
                response_action="errors",
                errors={sb.AT_BLOCK: "That time has passed: pick one to come, or Now."},
            )
        else:
            ack()

    return run


def schedule(drafts: Drafts) -> Callable[..., None]:
    """Scheduled (or rescheduled) by whoever submitted the modal; refused, to them alone."""

    def run(view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        when = chosen_when(view)
        if isinstance(when, dict):  # the ack refused it already
            return
        by = body["user"]["id"]
        campaign_id = int(json.loads(view["private_metadata"])["campaign"])
        place = Place.from_meta(view["private_metadata"]).model_copy(update={"user": by})
        deliver_move(Replies(client), place, drafts.schedule(campaign_id, by, when))

    return run
