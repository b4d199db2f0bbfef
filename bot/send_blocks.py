"""Block Kit for a campaign's send: the thread's lines for scheduling, cancelling and releasing,
the question a held campaign asks, what is scheduled, the Schedule modal, and the send's progress
and summary.

Times are said on the workspace's clock with its zone named ("Tue 8 Dec 09:00 (Europe/Berlin)"),
never bare UTC a marketer must convert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from bot.blocks import Block, Message, actions, button, channel_link, context, escape, mention, modal, mrkdwn
from bot.campaign_blocks import (
    RELEASE_ALL,
    RELEASE_APPROVED,
    STATE_WORDS,
    cancel_button,
    when,
)
from campaigns.models import Campaign, Outcome
from campaigns.states import Action, State

SCHEDULE_VIEW = "tailor_schedule_view"
WHEN_BLOCK, WHEN_INPUT = "schedule_when", "schedule_when_input"
AT_BLOCK, AT_INPUT = "schedule_at", "schedule_at_input"
LOCAL_BLOCK, LOCAL_INPUT = "schedule_local", "schedule_local_input"
NOW, AT, LOCAL = "now", "at", "local"
HELD_BLOCK = "campaign_held"
#: The states "what's scheduled?" lists: those still to go, going, or waiting for a person.
UPCOMING = (State.SCHEDULED, State.SENDING, State.HELD)
#: The send's states, in the order a summary says them.
FINAL_STATES = ("sent", "skipped", "failed", "unknown")
UNKNOWN_MEANS = (
    "unknown: handed to the mail server as the sender stopped, before its answer was recorded, so "
    "nobody knows whether they got it; they are never sent again unless someone asks "
    "(`python app.py campaign show {id} --json` lists them under unknown_contacts)"
)


def scheduled(outcome: Outcome, zone: tzinfo) -> Message:
    """ "📅 <@U02BOB> scheduled campaign 12 for Tue 8 Dec 09:00 (Europe/Berlin)"."""
    campaign, entry = outcome.campaign, outcome.entry
    again = len(campaign.audit) > 1 and campaign.audit[-2].action is Action.SCHEDULED
    verb = "rescheduled" if again else "scheduled"
    at = when(campaign, zone) or "to send now"
    if campaign.send_at is not None and not campaign.local_time and campaign.send_at <= entry.at:
        at = "to send now"
    said = f"📅 {mention(entry.by)} {verb} campaign {campaign.id} {at}"
    return {"text": said, "blocks": [mrkdwn(said)]}


def cancelled(outcome: Outcome) -> Message:
    campaign, entry = outcome.campaign, outcome.entry
    said = f"🗑️ {mention(entry.by)} cancelled campaign {campaign.id}: it will not be sent"
    lines = [said, *([f"> {escape(entry.comment)}"] if entry.comment else [])]
    return {"text": said, "blocks": [mrkdwn("\n".join(lines))]}


def released(outcome: Outcome) -> Message:
    """After a hold: who chose whom it goes to."""
    campaign, entry = outcome.campaign, outcome.entry
    said = f"▶️ {mention(entry.by)} released campaign {campaign.id}: sending to {_audience(campaign)}"
    return {"text": said, "blocks": [mrkdwn(said)]}


def _audience(campaign: Campaign) -> str:
    if campaign.audience == "approved":
        return f"the {campaign.approved_reachable or 0:,} members as approved"
    return f"all {campaign.reachable:,} of today's members"


def held(campaign: Campaign) -> Message:
    """The question a held campaign asks in its thread: send to today's members, to those approved,
    or not at all."""
    why = _held_because(campaign)
    now, approved = campaign.reachable, campaign.approved_reachable or 0
    said = (
        f":raised_hand: *Campaign {campaign.id} is held*: its reachable count {escape(why)}, more than "
        "it may move between approval and sending. Who should get it?"
    )
    value = str(campaign.id)
    buttons = actions(
        button(f"Send to all {now:,}", RELEASE_ALL, value, style="primary"),
        button(f"Send to the {approved:,} approved", RELEASE_APPROVED, value),
        cancel_button(campaign.id),
    )
    text = f"Campaign {campaign.id} is held: its reachable count {why}"
    return {"text": text, "blocks": [mrkdwn(said) | {"block_id": HELD_BLOCK}, buttons]}


def held_answered(campaign: Campaign, line: Message) -> Message:
    """The held question once answered: what it asked and what was chosen, without its buttons."""
    why = escape(_held_because(campaign))
    said = f":raised_hand: Campaign {campaign.id} was held: its reachable count {why}"
    return {"text": line["text"], "blocks": [mrkdwn(said), *line["blocks"]]}


def _held_because(campaign: Campaign) -> str:
    entry = next((e for e in reversed(campaign.audit) if e.action is Action.HELD), None)
    approved = campaign.approved_reachable or 0
    return (entry.comment if entry and entry.comment else None) or (
        f"moved {approved:,} -> {campaign.reachable:,} since approval"
    )


def listing(campaigns: Sequence[Campaign], zone: tzinfo) -> Message:
    """ "What's scheduled?": the campaigns scheduled, sending or held, the soonest first."""
    upcoming = sorted(
        (c for c in campaigns if c.state in UPCOMING),
        key=lambda c: (c.send_at is None, c.send_at or c.updated_at),
    )
    if not upcoming:
        text = (
            "Nothing is scheduled, sending or held. Schedule an approved campaign: "
            "`send campaign 12 tomorrow at 9:00`."
        )
        return {"text": text, "blocks": [mrkdwn(f":calendar: {text}")]}
    lines = [f"*Scheduled, sending or held ({len(upcoming)})*", *(_listed(c, zone) for c in upcoming)]
    chunks = [lines[0]]
    for line in lines[1:]:  # a section holds at most 3,000 characters
        if len(chunks[-1]) + len(line) + 1 > 2900:
            chunks.append(line)
        else:
            chunks[-1] += "\n" + line
    text = f"{len(upcoming)} campaign(s) scheduled, sending or held"
    return {"text": text, "blocks": [mrkdwn(c) for c in chunks[:50]]}


def _listed(campaign: Campaign, zone: tzinfo) -> str:
    state = STATE_WORDS.get(campaign.state, campaign.state.value)
    at = f" {when(campaign, zone)}" if campaign.state is State.SCHEDULED else ""
    where = f" · thread in {channel_link(campaign.channel)}" if campaign.channel else ""
    name = escape(campaign.name)
    return f"• *Campaign {campaign.id}* {name}: {state}{at} · {campaign.reachable:,} reachable{where}"


# -- the Schedule modal ---------------------------------------------------------------------------


def schedule_modal(campaign: Campaign, meta: dict, zone: tzinfo) -> Block:
    """Send now, at a date and time (Slack's picker, in the clicker's own zone: the moment is
    absolute), or at a time of day on each recipient's clock."""
    options = {
        NOW: _option(NOW, "Now"),
        AT: _option(AT, "At a date and time"),
        LOCAL: _option(LOCAL, "At a time of day in each recipient's time zone"),
    }
    chosen = LOCAL if campaign.local_time else AT if campaign.state is State.SCHEDULED else NOW
    picker: Block = {"type": "datetimepicker", "action_id": AT_INPUT}
    if campaign.send_at is not None and not campaign.local_time:
        picker["initial_date_time"] = int(campaign.send_at.timestamp())
    clock: Block = {
        "type": "timepicker",
        "action_id": LOCAL_INPUT,
        "initial_time": campaign.local_time or "09:00",
    }
    current = f"; now {when(campaign, zone)}" if campaign.state is State.SCHEDULED else ""
    blocks = [
        mrkdwn(
            f"*Campaign {campaign.id}*: {escape(campaign.name)} · {campaign.reachable:,} reachable{current}"
        ),
        {
            "type": "input",
            "block_id": WHEN_BLOCK,
            "label": {"type": "plain_text", "text": "When"},
            "element": {
                "type": "radio_buttons",
                "action_id": WHEN_INPUT,
                "options": list(options.values()),
                "initial_option": options[chosen],
            },
        },
        _input(AT_BLOCK, "Date and time (yours)", picker),
        _input(LOCAL_BLOCK, "Time of day (each recipient's)", clock),
        context(f"Times in messages are said in the workspace's zone, {zone}."),
    ]
    title = "Schedule" if campaign.state is State.APPROVED else "Reschedule"
    return modal(SCHEDULE_VIEW, f"{title} campaign", blocks, meta | {"campaign": campaign.id}, title)


def _option(value: str, label: str) -> Block:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


def _input(block_id: str, label: str, element: Block) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


# -- the send's progress ----------------------------------------------------------------------------


def progress(campaign: Campaign, counts: dict[str, int], total: int) -> Message:
    """ "sending: 1,200 of 4,388", with where they stand so far."""
    done = sum(counts.get(s, 0) for s in FINAL_STATES)
    said = f":outbox_tray: Campaign {campaign.id} sending: {done:,} of {total:,}"
    so_far = " · ".join(f"{counts.get(s, 0):,} {s}" for s in FINAL_STATES if counts.get(s, 0))
    return {
        "text": f"sending: {done:,} of {total:,}",
        "blocks": [mrkdwn(said), *([context(so_far)] if so_far else [])],
    }


def finished(campaign: Campaign, counts: dict[str, int], total: int) -> Message:
    """The end of a send: each recipient's state counted, and what unknown means when there are any."""
    said = " · ".join(f"*{counts.get(s, 0):,}* {s}" for s in FINAL_STATES)
    lines = [f":email: *Campaign {campaign.id} sent* to its {total:,} recipients: {said}"]
    notes = [f":grey_question: {UNKNOWN_MEANS.format(id=campaign.id)}"] if counts.get("unknown") else []
    plain = ", ".join(f"{counts.get(s, 0):,} {s}" for s in FINAL_STATES)
    return {
        "text": f"Campaign {campaign.id} sent: {plain}",
        "blocks": [mrkdwn("\n".join(lines)), *([context(*notes)] if notes else [])],
    }
