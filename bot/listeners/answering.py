"""The one way an answer is delivered: "Reading..." first (unless already shown), then the answer
in its place. A failure of the work itself is said in that place too, never left as "Reading..."."""

from __future__ import annotations

import logging

from slack_bolt import Ack

from bot import blocks
from bot.conversation import Conversation
from bot.places import Place
from bot.replies import Posted, Replies

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong while I worked on that. The person who runs Tailor can find it in the log."
)


def just_ack(ack: Ack) -> None:
    """An acknowledgement and nothing else: the work follows in a lazy listener."""
    ack()


def answer_at(replies: Replies, posted: Posted, conversation: Conversation, text: str) -> None:
    """Replace the message `posted` ("Reading...") with the answer to `text`."""
    try:
        message = conversation.ask(text)
    except Exception:
        log.exception("answering %r failed", text)
        message = blocks.notice(SORRY)
    replies.update(posted, message)


def post_answer(replies: Replies, place: Place, conversation: Conversation, text: str) -> None:
    """Post "Reading..." in `place` at once, then put the answer in its stead."""
    posted = replies.post(place, conversation.reading(text))
    answer_at(replies, posted, conversation, text)
