"""The one way an answer is delivered: "Reading..." first (unless already shown), then the answer
in its place. A failure of the work itself is said in that place too, never left as "Reading..."."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack

from bot import blocks
from bot.conversation import Conversation, Reply
from bot.places import Place
from bot.replies import Posted, Replies

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong while I worked on that. The person who runs Tailor can find it in the log."
)


def just_ack(ack: Ack) -> None:
    """An acknowledgement and nothing else: the work follows in a lazy listener."""
    ack()


def answer_at(
    replies: Replies, posted: Posted, conversation: Conversation, text: str, place: Place | None = None
) -> None:
    """Replace the message `posted` ("Reading...") with the answer to `text`; a report's chart
    goes up into `place`'s channel and thread."""
    deliver(replies, posted, place, lambda: conversation.respond(text), text)


def deliver(
    replies: Replies, posted: Posted, place: Place | None, work: Callable[[], Reply], what: str
) -> None:
    try:
        reply = work()
    except Exception:
        log.exception("answering %r failed", what)
        reply = Reply(blocks.notice(SORRY))
    replies.update(posted, reply.message)
    if reply.chart is not None and place is not None and place.channel:
        try:
            replies.upload(place.channel, place.thread_ts, reply.chart)
        except Exception:
            log.exception("uploading the chart of %r failed", what)
            replies.whisper(place, blocks.notice("Sorry, I could not upload the chart here."))


def post_answer(replies: Replies, place: Place, conversation: Conversation, text: str) -> None:
    """Post "Reading..." in `place` at once, then put the answer in its stead."""
    posted = replies.post(place, conversation.reading(text))
    answer_at(replies, posted, conversation, text, place)
