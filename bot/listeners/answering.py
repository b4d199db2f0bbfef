"""The one way an answer is delivered: "Reading..." first (unless already shown), then the answer
in its place. A failure of the work itself is said in that place too, never left as "Reading...".

An answer stays where it was asked. A public one (a mention, a direct message, a button under a
channel's message) takes its chart into its channel and thread. A private one (a slash command,
a button under an ephemeral message) sends its chart to the user's direct messages with Tailor,
says so, and offers *Share in channel*. A channel Tailor is not in is told to the user with what to
do, never logged as a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack

from bot import blocks
from bot.blocks import Message
from bot.conversation import Chart, Conversation, Reply
from bot.places import Place
from bot.replies import NotInChannel, Posted, Replies

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong while I worked on that. The person who runs Tailor can find it in the log."
)

Work = Callable[[], Reply]


def just_ack(ack: Ack) -> None:
    """An acknowledgement and nothing else: the work follows in a lazy listener."""
    ack()


def answer_at(
    replies: Replies, posted: Posted, conversation: Conversation, text: str, place: Place | None = None
) -> None:
    """Replace the message `posted` ("Reading...") with the answer to `text`; a report's chart
    goes where the answer is seen (`place`)."""
    deliver(replies, posted, place, lambda: conversation.respond(text), text)


def post_answer(replies: Replies, place: Place, conversation: Conversation, text: str) -> None:
    """Post "Reading..." in `place` at once, then put the answer in its stead."""
    post_reply(replies, place, conversation.reading(text), lambda: conversation.respond(text), text)


def post_reply(replies: Replies, place: Place, waiting: Message, work: Work, what: str) -> bool:
    """Post `waiting` in `place` at once, then the reply in its stead; False, and the user told
    what to do, when Tailor is not in the place's channel (nothing is worked out then)."""
    try:
        posted = replies.post(place, waiting)
    except NotInChannel as missing:
        tell_not_in(replies, place, missing)
        return False
    deliver(replies, posted, place, work, what)
    return True


def deliver(replies: Replies, posted: Posted, place: Place | None, work: Work, what: str) -> None:
    reply = _worked(work, what)
    if place is not None and place.private:
        _deliver_privately(replies, posted, place, reply, what)
        return
    replies.update(posted, reply.message)
    if reply.chart is not None and place is not None and place.channel:
        _upload(replies, place, place.channel, reply.chart, what)


def tell_not_in(replies: Replies, place: Place, missing: NotInChannel) -> None:
    """Slack refused the channel: the user hears why and what to do (a click's or a command's
    response URL reaches them even there)."""
    log.info("not in %s: telling %s so", missing.channel, place.user)
    try:
        replies.whisper(place, blocks.not_in_channel(missing.channel))
    except NotInChannel:
        log.warning("not in %s, and no response URL to tell %s so", missing.channel, place.user)


def _worked(work: Work, what: str) -> Reply:
    try:
        return work()
    except Exception:
        log.exception("answering %r failed", what)
        return Reply(blocks.notice(SORRY))


def _deliver_privately(replies: Replies, posted: Posted, place: Place, reply: Reply, what: str) -> None:
    """The chart first, to the user's direct messages, so that the answer can say where it went."""
    note = None
    if reply.chart is not None:
        note = _send_privately(replies, place.user, reply.chart, what)
    replies.update(posted, blocks.private(reply.message, reply.asked, note))


def _send_privately(replies: Replies, user: str, chart: Chart, what: str) -> str:
    try:
        replies.upload_privately(user, chart)
    except Exception:
        log.exception("sending the chart of %r to %s failed", what, user)
        return blocks.CHART_NOT_SENT
    return blocks.CHART_IN_DM


def _upload(replies: Replies, place: Place, channel: str, chart: Chart, what: str) -> None:
    try:
        replies.upload(channel, place.thread_ts, chart)
    except NotInChannel as missing:
        tell_not_in(replies, place, missing)
    except Exception:
        log.exception("uploading the chart of %r failed", what)
        replies.whisper(place, blocks.notice("Sorry, I could not upload the chart here."))
