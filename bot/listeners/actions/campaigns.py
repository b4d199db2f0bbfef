"""A draft's buttons (Approve, Request changes, Reject, History; their value is the campaign's id)
and a segment answer's *Draft an email*. Whoever acts is the signed request's user, no one else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot import campaign_blocks as cb
from bot.drafts import Drafts
from bot.listeners.campaigning import deliver_move, post_history, shown_blocks
from bot.places import of_action
from bot.replies import Replies

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
