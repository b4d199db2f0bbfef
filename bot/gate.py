"""Two checks every request passes after Bolt has verified its signature: once, and allowed.

- `once`: an Events API delivery whose event id the store has already seen (Slack retries after
  3 s without an acknowledgement, with `X-Slack-Retry-Num`) is acknowledged and dropped; so is any
  other signed request whose signature was seen (the same bytes replayed within their 5 minutes).
- `allowed`: with TAILOR_ALLOWED_CHANNELS or TAILOR_ALLOWED_USERS set, anyone else gets a polite
  refusal and no data. A slash command's refusal is its acknowledgement; others' are sent after.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse

from bot.blocks import Message
from bot.places import Place
from bot.replies import Replies
from store.seen import SeenRequests

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Access:
    channels: tuple[str, ...] = ()
    users: tuple[str, ...] = ()

    def permits(self, user: str | None, channel: str | None) -> bool:
        """Empty lists permit everyone. With channels listed, a direct message (a `D...` channel)
        is permitted to the users listed by name, and to no one when no user is listed. A modal's
        submission has no channel: its user decides (its button was in a permitted place)."""
        if self.users and user not in self.users:
            return False
        if not self.channels or channel is None or channel in self.channels:
            return True
        is_dm = channel is not None and channel.startswith("D")
        return is_dm and bool(self.users)


def once(seen: SeenRequests) -> Callable[..., BoltResponse | None]:
    def middleware(body: dict[str, Any], req: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse:
        key = _identity(body, req)
        if key and not seen.first(key, datetime.now(UTC)):
            retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
            log.info("%s came again (retry %s): acknowledged, not done twice", key[:40], retry)
            return BoltResponse(status=200, body="")
        return next()

    return middleware


def _identity(body: dict[str, Any], req: BoltRequest) -> str | None:
    """What makes a request the same as an earlier one: an event's id (a retry is signed anew), else
    the signature, which only the same bytes at the same time stamp share. Socket Mode has neither
    for commands and actions: its connection is Slack's own."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"slack:{body['event_id']}"
    signature = (req.headers.get("x-slack-signature") or [""])[0]
    return f"signed:{signature}" if signature else None


def allowed(
    access: Access, refusal: Callable[[], Message], replies: Replies, worker: Executor
) -> Callable[..., BoltResponse | None]:
    def middleware(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if access.permits(context.user_id, context.channel_id):
            return next()
        if body.get("command"):
            answer = {"response_type": "ephemeral", **refusal()}
            return BoltResponse(
                status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
            )
        place = _place(body, context)
        if place is not None:
            worker.submit(_whisper, replies, place, refusal())
        return BoltResponse(status=200, body="")

    return middleware


def _place(body: dict[str, Any], context: BoltContext) -> Place | None:
    if not context.user_id or not context.channel_id:
        return None
    event = body.get("event") or {}
    if event.get("bot_id") or event.get("subtype") or event.get("type") == "app_home_opened":
        return None  # never answer a bot, an edit, nor someone opening Tailor's tabs (they asked nothing)
    return Place(user=context.user_id, channel=context.channel_id, response_url=body.get("response_url"))


def _whisper(replies: Replies, place: Place, message: Message) -> None:
    try:
        replies.whisper(place, message)
    except Exception:
        log.exception("could not send the refusal to %s", place.user)
