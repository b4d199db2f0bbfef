"""A draft's buttons (Approve, Request changes, Reject, History; once approved Schedule and
Cancel; their value is the campaign's id), a held campaign's question (Send to all, Send to the
approved, Cancel) and a segment answer's *Draft an email*. Whoever acts is the signed request's
user, no one else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot import campaign_blocks as cb
from bot import send_blocks as sb
from bot.drafts import Drafts, Failed, Moved, Refusal
from bot.listeners.campaigning import deliver_move, post_history, shown_blocks
from bot.places import of_action, the_message
from bot.replies import Posted, Replies

Listener = Callable[..., None]


def approve(drafts: Drafts) -> Listener:
    def run(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        by = body["user"]["id"]
        moved = drafts.approve(int(action["value"]), by, shown_blocks(body))
        deliver_move(Replies(client), of_action(body), moved)

    return run


def open_comment(callback_id: str) -> Listener:
    """Request changes or Reject: a modal for the comment, opened at once (its trigger lasts 3 s);
    the move is made when it is submitted."""

    def open_modal(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        meta = of_action(body).as_meta()
        view = cb.comment_modal(callback_id, int(action["value"]), meta)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return open_modal


def history(drafts: Drafts) -> Listener:
    def run(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        post_history(Replies(client), of_action(body), drafts, int(action["value"]))

    return run


def open_draft(drafts: Drafts) -> Listener:
    """Draft an email under a segment's answer: a modal with the templates and the phrase."""

    def open_modal(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        meta = of_action(body).as_meta()
        client.views_open(trigger_id=body["trigger_id"], view=drafts.draft_view(action["value"], meta))

    return open_modal


def open_schedule(drafts: Drafts) -> Listener:
    """Schedule or Reschedule: the modal opened at once (its trigger lasts 3 s); the campaign is
    scheduled when it is submitted."""

    def open_modal(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        place = of_action(body)
        view = drafts.schedule_view(int(action["value"]), place.as_meta())
        if isinstance(view, Failed):
            Replies(client).whisper(place, view.message)
            return
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return open_modal


def cancel(drafts: Drafts) -> Listener:
    """Cancel (confirmed in Slack first), on the parent or on a held campaign's question."""

    def run(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        by = body["user"]["id"]
        moved = drafts.cancel(int(action["value"]), by, None, shown_blocks(body))
        _answered(client, body, moved)
        deliver_move(Replies(client), of_action(body), moved)

    return run


def release(drafts: Drafts, audience: str) -> Listener:
    """A held campaign's answer: send to today's members ("all") or to those approved ("approved")."""

    def run(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        moved = drafts.release(int(action["value"]), body["user"]["id"], audience)
        _answered(client, body, moved)
        deliver_move(Replies(client), of_action(body), moved)

    return run


def _answered(client: WebClient, body: dict[str, Any], moved: Moved | Refusal | Failed) -> None:
    """A held campaign's question, once answered, says what was chosen and loses its buttons, so
    nobody answers it twice."""
    blocks = shown_blocks(body) or []
    channel, ts = the_message(body)
    if not isinstance(moved, Moved) or not channel or not ts:
        return
    if any(b.get("block_id") == sb.HELD_BLOCK for b in blocks):
        Replies(client).update(Posted(channel=channel, ts=ts), sb.held_answered(moved.campaign, moved.line))
