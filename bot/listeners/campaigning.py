"""The one way a campaign's answers are delivered, whichever way in asked (a mention, a direct
message, `/tailor`, a button, a modal).

A draft is a new message in the channel where it was asked, "Drafting..." at once and then the
draft in its place: that message is the campaign's thread, where the samples and their files go,
where each approval, request for changes, rejection and change is said, and where the history is
posted. A refused move is told to whoever asked, alone. A slash command's private answer says where
the thread is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from bot import blocks
from bot import campaign_blocks as cb
from bot.blocks import Block, Message
from bot.campaign_phrases import (
    CampaignRequest,
    CancelRequest,
    ChangeRequest,
    DraftRequest,
    HistoryRequest,
    Misread,
    ScheduledRequest,
    ScheduleRequest,
)
from bot.drafts import Draft, Drafts, Failed, Moved, Refusal
from bot.listeners.answering import SORRY, tell_not_in
from bot.places import Place
from bot.replies import NotInChannel, Posted, Replies

log = logging.getLogger(__name__)

T = TypeVar("T")

#: "send it now" said where "it" is no campaign: outside a campaign's thread.
WHICH = (
    "Which campaign? Say its number, e.g. `send campaign 12 tomorrow at 9:00`; “it” means the "
    "campaign of the thread it is said in."
)


def waiting(request: CampaignRequest) -> Message:
    """What is shown at once (a slash command's acknowledgement, a placeholder)."""
    if isinstance(request, DraftRequest):
        return cb.drafting(request.name)
    if isinstance(request, ChangeRequest):
        return cb.notice_block(f"Changing campaign {request.campaign_id}…", ":hourglass_flowing_sand:")
    if isinstance(request, HistoryRequest):
        return cb.notice_block(f"Looking up campaign {request.campaign_id}…", ":hourglass_flowing_sand:")
    if isinstance(request, ScheduleRequest | CancelRequest):
        doing = "Scheduling" if isinstance(request, ScheduleRequest) else "Cancelling"
        which = f"campaign {request.campaign_id}" if request.campaign_id is not None else "it"
        return cb.notice_block(f"{doing} {which}…", ":hourglass_flowing_sand:")
    if isinstance(request, ScheduledRequest):
        return cb.notice_block("Looking up what is scheduled…", ":hourglass_flowing_sand:")
    return cb.misread(request.grammar, request.problem)


def answer(replies: Replies, place: Place, drafts: Drafts, request: CampaignRequest) -> None:
    """`request`, said in `place` (a command's place has its response URL, already showing `waiting`)."""
    if isinstance(request, DraftRequest):
        post_draft(replies, place, drafts, request)
    elif isinstance(request, ChangeRequest):
        post_change(replies, place, drafts, request)
    elif isinstance(request, HistoryRequest):
        post_history(replies, place, drafts, request.campaign_id)
    elif isinstance(request, ScheduleRequest):
        when = request.when
        post_send_move(
            replies, place, drafts, request.campaign_id, lambda n: drafts.schedule(n, place.user, when)
        )
    elif isinstance(request, CancelRequest):
        comment = request.comment
        post_send_move(
            replies, place, drafts, request.campaign_id, lambda n: drafts.cancel(n, place.user, comment)
        )
    elif isinstance(request, ScheduledRequest):
        listed = _worked(drafts.scheduled, "what is scheduled")
        _tell(replies, place, listed.message if isinstance(listed, Failed) else listed)
    elif isinstance(request, Misread) and not place.private:  # a command's ack said it already
        replies.post(place, cb.misread(request.grammar, request.problem))


def post_send_move(
    replies: Replies,
    place: Place,
    drafts: Drafts,
    campaign_id: int | None,
    act: Callable[[int], Moved | Refusal | Failed],
) -> None:
    """A schedule or cancel said in words: its line in the campaign's thread (and where it was
    said, when elsewhere), the parent anew; refused, to the asker alone. "it" (no id) is the
    campaign of the thread it was said in."""
    if campaign_id is None:
        found = _worked(lambda: drafts.of_thread(place.channel, place.thread_ts), "the thread's campaign")
        if found is None or isinstance(found, Failed):
            _tell(replies, place, found.message if isinstance(found, Failed) else cb.notice_block(WHICH))
            return
        campaign_id = found.id
    number = campaign_id
    moved = _worked(lambda: act(number), f"the send of campaign {number}")
    if place.private:  # a command: its "Scheduling..." becomes the answer; the thread hears it too
        _tell(replies, place, moved.line if isinstance(moved, Moved) else moved.message)
        if isinstance(moved, Moved) and moved.campaign.thread_ts:
            deliver_move(replies, place.in_channel(), moved)
        return
    deliver_move(replies, place, moved)
    if isinstance(moved, Moved):
        thread = _thread_of(moved.campaign, place)
        if (thread.channel, thread.thread_ts) != (place.channel, place.thread_ts):
            _post(replies, place, moved.line)  # asked elsewhere: said there too


def _tell(replies: Replies, place: Place, message: Message) -> None:
    """An answer for the asker: in place of a command's acknowledgement, else where it was asked."""
    if place.private:
        replies.update(Posted(response_url=place.response_url), message)
    else:
        _post(replies, place, message)


def post_draft(replies: Replies, place: Place, drafts: Drafts, request: DraftRequest) -> None:
    """The draft as a new message of the channel; its samples and files in its thread."""
    here = Place(user=place.user, channel=place.channel, whisper_url=place.response_url or place.whisper_url)
    try:
        posted = replies.post(here, cb.drafting(request.name))
    except NotInChannel as missing:
        tell_not_in(replies, place, missing)
        return
    made = _worked(lambda: drafts.draft(request, place.user), request.name)
    if not isinstance(made, Draft):
        replies.update(posted, made.message)
        return
    channel, ts = posted.channel or "", posted.ts or ""
    drafts.place(made.campaign.id, channel, ts)
    replies.update(posted, made.parent)
    _thread(replies, drafts, made, Place(user=place.user, channel=channel, thread_ts=ts))
    if place.private:
        replies.update(Posted(response_url=place.response_url), cb.drafted_elsewhere(made.campaign, channel))


def post_change(replies: Replies, place: Place, drafts: Drafts, request: ChangeRequest) -> None:
    """The change said where it was asked, in place of "Changing..."; in the campaign's thread
    too (with the new samples), and the parent anew."""
    found = drafts.show(request.campaign_id)
    if isinstance(found, Failed):
        replies.whisper(place, found.message)
        return
    posted = (
        Posted(response_url=place.response_url) if place.private else replies.post(place, waiting(request))
    )
    made = _worked(lambda: drafts.change(request, place.user), f"change of campaign {request.campaign_id}")
    if isinstance(made, Refusal):
        replies.update(posted, cb.notice_block(f"Campaign {request.campaign_id} is unchanged."))
        replies.whisper(place, made.message)
        return
    if isinstance(made, Failed):
        replies.update(posted, made.message)
        return
    assert made.line is not None
    replies.update(posted, made.line)
    thread = _thread_of(found, place)
    if (thread.channel, thread.thread_ts) != (place.channel, place.thread_ts) or place.private:
        _post(replies, thread, made.line)
    if found.channel and found.thread_ts:
        _update_parent(replies, found.channel, found.thread_ts, made.parent)
    _thread(replies, drafts, made, thread)


def post_history(replies: Replies, place: Place, drafts: Drafts, campaign_id: int) -> None:
    """The audit trail in the campaign's thread (where it was asked, for a campaign without one)."""
    found = drafts.history(campaign_id)
    if isinstance(found, Failed):
        replies.whisper(place, found.message)
        return
    campaign, message = found
    thread = _thread_of(campaign, place)
    _post(replies, thread, message)
    if place.private:
        replies.update(
            Posted(response_url=place.response_url),
            cb.notice_block(f"The history of campaign {campaign_id} is in its thread."),
        )


def deliver_move(replies: Replies, place: Place, moved: Moved | Refusal | Failed) -> None:
    """A click's or a modal's move: refused for the clicker alone; else its line in the thread
    and the parent updated."""
    if not isinstance(moved, Moved):
        replies.whisper(place, moved.message)
        return
    campaign = moved.campaign
    _post(replies, _thread_of(campaign, place), moved.line)
    if campaign.channel and campaign.thread_ts:
        _update_parent(replies, campaign.channel, campaign.thread_ts, moved.parent)


def _thread(replies: Replies, drafts: Drafts, made: Draft, thread: Place) -> None:
    """The samples, then each sample's files, in the thread."""
    for message in made.samples:
        _post(replies, thread, message)
    if not thread.channel:
        return
    for file in drafts.files(made):
        try:
            replies.upload(thread.channel, thread.thread_ts, file)
        except Exception:
            log.exception("uploading %s failed", file.filename)
            _post(replies, thread, blocks.notice(f"Sorry, I could not upload {file.filename} here."))


def _thread_of(campaign, place: Place) -> Place:
    if campaign.channel and campaign.thread_ts:
        return Place(user=place.user, channel=campaign.channel, thread_ts=campaign.thread_ts)
    return place


def _post(replies: Replies, place: Place, message: Message) -> None:
    try:
        replies.post(place, message)
    except NotInChannel as missing:
        tell_not_in(replies, place, missing)


def _update_parent(replies: Replies, channel: str, ts: str, message: Message) -> None:
    try:
        replies.update(Posted(channel=channel, ts=ts), message)
    except Exception:
        log.exception("updating the parent of the thread %s %s failed", channel, ts)


def _worked(work: Callable[[], T], what: str) -> T | Failed:
    try:
        return work()
    except Exception:
        log.exception("campaign work on %r failed", what)
        return Failed(blocks.notice(SORRY))


def shown_blocks(body: dict) -> list[Block] | None:
    """The blocks of the message whose button was clicked, as Slack sends them."""
    return (body.get("message") or {}).get("blocks")
