"""Block Kit from Tailor's answers: pure functions, a pydantic model in, a Slack payload out.

A message is `{"text": fallback, "blocks": [...]}`; a modal is a `view`. The console renders the
very same payloads for a terminal (`bot/terminal.py`), so both ways in show the same thing.
Everything a person or the data wrote is escaped, so it cannot mention a channel or break a link.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.questions import MAX_VALUE, Question
from reports.compare import shown
from reports.models import Comparison, NoCampaign
from segments.currencies import money
from segments.sample import Sample
from segments.saved import SavedInfo
from segments.service import Answer, Failure

Block = dict[str, Any]
Message = dict[str, Any]

SAMPLE = "tailor_sample"
SAVE = "tailor_save"
REFINE = "tailor_refine"
#: The segment's performance over every campaign, with a chart.
PERFORMANCE = "tailor_performance"
#: A suggestion's button re-runs the corrected phrase in place of the failure.
RERUN = "tailor_rerun"
#: A help example's button asks it, below the help.
ASK = "tailor_ask"
#: A private answer's button: the question answered again in its channel, for everyone.
SHARE = "tailor_share"
#: A segment's answer's button: a modal to draft an email to the segment (`bot/campaign_blocks.py`).
DRAFT = "tailor_draft"
SAVE_VIEW = "tailor_save_view"
REFINE_VIEW = "tailor_refine_view"
NAME_BLOCK, NAME_INPUT = "name", "name_input"
PHRASE_BLOCK, PHRASE_INPUT = "phrase", "phrase_input"

#: Slack's limits: a section's text, a button's label (its value's is MAX_VALUE), a message's blocks.
MAX_TEXT, MAX_LABEL, MAX_BLOCKS = 3000, 75, 50
MAX_SUGGESTIONS = 5

CAN_DO = (
    "I find segments of your contacts from plain words: I read the phrase back, count the members "
    "and the reachable ones (subscribed, not suppressed), warn when a segment is too small to test on, "
    "and let you sample, save and refine it."
)
WAYS_IN = "Ask with `/tailor <phrase>`, by mentioning me in a channel, or here in a direct message."


def escape(text: str) -> str:
    """Text safe inside mrkdwn: no <!channel>, no links, no user mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_TEXT)}}


def context(*lines: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(line, MAX_TEXT)} for line in lines],
    }


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(label, MAX_LABEL)},
        "action_id": action_id,
        "value": clip(value, MAX_VALUE),
    }
    return element | ({"style": style} if style else {})


def actions(*buttons: Block) -> Block:
    return {"type": "actions", "elements": list(buttons)}


def reading(phrase: str) -> Message:
    """The placeholder posted at once, while the phrase is read."""
    text = f"Reading “{phrase}”…"
    return {"text": text, "blocks": [context(f":hourglass_flowing_sand: Reading _{escape(phrase)}_…")]}


def gathering() -> Message:
    """The placeholder of help, while examples are made from the workspace's data."""
    text = "Gathering examples from your data…"
    return {"text": text, "blocks": [context(f":hourglass_flowing_sand: {text}")]}


def answer(found: Answer) -> Message:
    phrase = escape(found.text)
    blocks = [
        mrkdwn(f"*{phrase}*\n{escape(found.explanation)}"),
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Members*\n{found.count:,}"},
                {"type": "mrkdwn", "text": f"*Reachable*\n{found.reachable:,}"},
            ],
        },
    ]
    if found.warnings:
        blocks.append(context(*(f":warning: {escape(w)}" for w in found.warnings[:10])))
    blocks.append(
        actions(
            button("Sample members", SAMPLE, found.text),
            button("Save as...", SAVE, found.text, style="primary"),
            button("Refine", REFINE, found.text),
            button("Performance", PERFORMANCE, found.text),
            button("Draft an email", DRAFT, found.text),
        )
    )
    text = f"{found.text}: {found.count:,} members, {found.reachable:,} reachable"
    return {"text": text, "blocks": blocks}


#: The rates a report message shows, with their labels.
REPORTED = {"open_rate": "Open rate", "click_rate": "Click rate", "click_to_open_rate": "Click-to-open",
            "conversion_rate": "Conversion rate", "unsubscribe_rate": "Unsubscribe rate",
            "bounce_rate": "Bounce rate", "complaint_rate": "Complaint rate",
            "revenue_per_recipient": "Revenue per recipient"}  # fmt: skip


def _rate_line(measure: str, value: float | None, interval: tuple[float, float] | None, currency: str) -> str:
    return f"*{REPORTED[measure]}*\n{_rate(measure, value, interval, currency)}"


def _rate(measure: str, value: float | None, interval: tuple[float, float] | None, currency: str) -> str:
    """'37% (34%–39%)', '$1.20 ($0.90–$1.60)': a value and its interval."""
    ci = (
        f" ({shown(measure, interval[0], currency)}–{shown(measure, interval[1], currency)})"
        if interval
        else ""
    )
    return f"{shown(measure, value, currency)}{ci}"


def report(found: Comparison, measure: str | None = None) -> Message:
    """Each segment's rates with 95% intervals, the comparisons' verdicts, a trend's periods."""
    blocks: list[Block] = []
    for one in found.reports:
        m = one.metrics
        count = len(one.campaigns)
        head = (
            f"*{escape(one.segment.text)}* on {count} campaign{'s' if count != 1 else ''}\n"
            f"{escape(one.segment.explanation)}\n{m.recipients:,} recipients, {m.delivered:,} delivered, "
            f"{m.conversions:,} conversions, revenue {money(m.revenue, one.currency)}"
        )
        blocks.append(mrkdwn(head))
        fields = [_rate_line(k, m.value(k), m.interval(k), one.currency) for k in REPORTED]
        blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields[:10]]})
        key = measure or "open_rate"
        for point in (one.trend or [])[-12:]:
            rate = _rate(key, point.metrics.value(key), point.metrics.interval(key), one.currency)
            blocks.append(context(f"{point.label}: {REPORTED[key]} {rate}"))
        if one.warnings:
            blocks.append(context(*(f":warning: {escape(w)}" for w in one.warnings[:5])))
    chosen = [d for d in found.differences if measure is None or d.measure == measure]
    for segment in dict.fromkeys(d.segment for d in chosen):  # one block per segment compared
        lines = [
            f"• {REPORTED.get(d.measure, d.measure)}: {escape(d.verdict)}"
            for d in chosen
            if d.segment == segment
        ]
        head = f"*{escape(segment)} compared with {escape(found.reports[0].segment.text)}*"
        blocks.append(mrkdwn(head + "\n" + "\n".join(lines)))
    blocks.append(context(f"95% intervals in brackets; purchases by last click within "
                          f"{found.reports[0].attribution_days} days."))  # fmt: skip
    names = " vs ".join(r.segment.text for r in found.reports)
    return {"text": f"Performance of {names}", "blocks": blocks[:50]}


def failure(failed: Failure) -> Message:
    """What was not understood (or, for a report, which campaigns there are), and what to run instead."""
    said = "" if isinstance(failed, NoCampaign) else "I couldn't read "  # its error says it all
    blocks = [mrkdwn(f":thinking_face: {said}*{escape(failed.text)}*: {escape(failed.error)}")]
    suggestions = failed.suggestions[:MAX_SUGGESTIONS]
    if suggestions:
        blocks.append(context("Did you mean one of these? Pick one to run it."))
        blocks.append(actions(*(button(s, f"{RERUN}_{i}", s) for i, s in enumerate(suggestions))))
    return {"text": f"{said}“{failed.text}”: {failed.error}", "blocks": blocks}


def reply(found: Answer | Failure) -> Message:
    return answer(found) if isinstance(found, Answer) else failure(found)


def help_message(examples: list[str], ways_in: str = WAYS_IN) -> Message:
    blocks = [mrkdwn(f"*Tailor* :thread:\n{CAN_DO}"), context(ways_in)]
    if examples:
        blocks.append(mrkdwn("*Try one on your own data:*"))
        blocks.append(actions(*(button(e, f"{ASK}_{i}", e) for i, e in enumerate(examples))))
    blocks.append(context("Say `help` any time to see this again."))
    return {"text": "Tailor finds segments of your contacts from plain words.", "blocks": blocks}


def sample(found: Sample) -> Message:
    lines = [
        f"• {escape(m.first_name or '(no first name)')}, {escape(m.city or '(no city)')}, {escape(m.email)}"
        for m in found.members
    ]
    shown = f"{len(found.members)} of the {found.count:,} members" if found.members else "No members"
    head = f"*{shown}* of _{escape(found.text)}_ (emails masked)"
    return {"text": f"{shown} of {found.text}", "blocks": [mrkdwn("\n".join([head, *lines]))]}


def refusal() -> Message:
    text = (
        "Sorry, Tailor isn't open to you here. Ask the person who runs Tailor to add you "
        "or this channel to its allowed list."
    )
    return {"text": text, "blocks": [mrkdwn(f":lock: {text}")]}


def notice(text: str) -> Message:
    return {"text": text, "blocks": [mrkdwn(escape(text))]}


# -- where answers go -----------------------------------------------------------------------------

CHART_IN_DM = "The chart is in your direct messages with me, so that only you see it."
CHART_NOT_SENT = "Sorry, I could not send you the chart in a direct message."
TOO_LONG_TO_SHARE = (
    "This question is too long for a Share button: ask it by mentioning me in the channel to share it."
)


def private(message: Message, asked: Question | None, note: str | None = None) -> Message:
    """A private answer: `note` (where its chart went) and a *Share in channel* button that asks
    `asked` again in the channel, for everyone; a question too long for a button says so instead."""
    extra = [context(f":bar_chart: {escape(note)}")] if note else []
    if asked is not None:
        value = asked.as_value()
        if value is None:
            extra.append(context(TOO_LONG_TO_SHARE))
        else:
            extra.append(actions(button("Share in channel", SHARE, value)))
    kept = message["blocks"][: MAX_BLOCKS - len(extra)]
    return message | {"blocks": [*kept, *extra]}


def shared_by(message: Message, user: str) -> Message:
    """A shared answer says who shared it: in the channel it is Tailor's message."""
    return message | {"blocks": [*message["blocks"][: MAX_BLOCKS - 1], context(f"Shared by {mention(user)}")]}


def shared(channel: str | None) -> Message:
    """What the private answer becomes once shared."""
    text = f"Shared in {channel_link(channel)} for everyone."
    return {"text": text, "blocks": [context(f":white_check_mark: {text}")]}


def not_in_channel(channel: str | None) -> Message:
    """Slack refused to let Tailor post where it was asked: what to do instead."""
    if channel and channel.startswith("D"):  # a direct conversation between others
        text = "I can't post in this conversation: ask me in a direct message, or in a channel I'm in."
    else:
        where = channel_link(channel)
        text = f"I'm not in {where}: invite me with `/invite @Tailor`, or ask me in a direct message."
    return {"text": text, "blocks": [mrkdwn(f":wave: {text}")]}


#: Slack's ids (C0123, U0123): only these are put in a link, so no text can mention anyone.
SLACK_ID = re.compile(r"[A-Z0-9]{2,30}")


def channel_link(channel: str | None) -> str:
    return f"<#{channel}>" if channel and SLACK_ID.fullmatch(channel) else "this channel"


def mention(user: str) -> str:
    return f"<@{user}>" if SLACK_ID.fullmatch(user) else "someone"


# -- modals ---------------------------------------------------------------------------------------


def modal(callback_id: str, title: str, blocks: list[Block], meta: dict, submit: str | None) -> Block:
    view = {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": clip(title, 24)},
        "close": {"type": "plain_text", "text": "Close"},
        "private_metadata": json.dumps(meta, separators=(",", ":")),
        "blocks": blocks,
    }
    return view | ({"submit": {"type": "plain_text", "text": submit}} if submit else {})


def text_input(
    block_id: str, action_id: str, label: str, initial: str = "", multiline: bool = False
) -> Block:
    element = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if initial:
        element["initial_value"] = clip(initial, MAX_VALUE)
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def save_modal(phrase: str, meta: dict) -> Block:
    blocks = [
        mrkdwn(f"Save _{escape(phrase)}_ under a name; use the name in later phrases (“NAME in Berlin”)."),
        text_input(NAME_BLOCK, NAME_INPUT, "Name"),
    ]
    return modal(SAVE_VIEW, "Save segment", blocks, meta | {"phrase": phrase}, "Save")


def saving_modal(name: str) -> Block:
    return modal(
        SAVE_VIEW, "Save segment", [context(f":hourglass_flowing_sand: Saving _{escape(name)}_…")], {}, None
    )


def saved_modal(name: str, found: Answer | Failure | SavedInfo | str) -> Block:
    if isinstance(found, SavedInfo):  # taken, and not replaced
        found = f"a segment is already saved as “{found.name}” ({found.text})"
    if isinstance(found, Answer):
        counts = f"{found.count:,} members, {found.reachable:,} reachable"
        saved = mrkdwn(f":white_check_mark: Saved as *{escape(name)}*: {counts}.")
        blocks = [saved, context(escape(found.explanation))]
    elif isinstance(found, Failure):
        blocks = failure(found)["blocks"][:1]
    else:
        blocks = [mrkdwn(f":x: Not saved: {escape(found)}")]
    return modal(SAVE_VIEW, "Save segment", blocks, {}, None)


def name_taken_modal(taken: SavedInfo, phrase: str) -> Block:
    """The name asked again: it is taken. Saving under it again replaces the segment saved there."""
    blocks = [
        mrkdwn(
            f":warning: *{escape(taken.name)}* is already a saved segment: _{escape(taken.text)}_.\n"
            f"Type another name, or keep this one and press *Save* to replace it with _{escape(phrase)}_."
        ),
        text_input(NAME_BLOCK, NAME_INPUT, "Name", initial=taken.name),
    ]
    return modal(SAVE_VIEW, "Save segment", blocks, {"phrase": phrase, "replace": taken.name}, "Save")


def refine_modal(phrase: str, conditions: list[str] | None, meta: dict) -> Block:
    """The reading's conditions (None while they are read) and the phrase to edit."""
    if conditions is None:
        shown = [context(":hourglass_flowing_sand: Reading the conditions…")]
    elif conditions:
        shown = [mrkdwn("*The reading's conditions*\n" + "\n".join(f"• {escape(c)}" for c in conditions))]
    else:
        shown = [mrkdwn("*The reading's conditions*\n• every contact")]
    blocks = [*shown, text_input(PHRASE_BLOCK, PHRASE_INPUT, "Phrase", initial=phrase, multiline=True)]
    return modal(REFINE_VIEW, "Refine segment", blocks, meta | {"phrase": phrase}, "Run")


def refine_failed_modal(failed: Failure, meta: dict) -> Block:
    blocks = [
        *failure(failed)["blocks"][:1],
        text_input(PHRASE_BLOCK, PHRASE_INPUT, "Phrase", failed.text, True),
    ]
    return modal(REFINE_VIEW, "Refine segment", blocks, meta | {"phrase": failed.text}, "Run")
