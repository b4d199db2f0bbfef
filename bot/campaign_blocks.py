"""Block Kit for campaigns in their thread: the draft's message, its samples, approvals, history.

The draft's message (the thread's parent) says what will be sent and where it stands; its last two
blocks, the state and the buttons, are the ones a move changes (`restated`). Identities are shown
as Slack mentions of user ids, never as names typed by anyone; a sample's To is masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo

from bot.blocks import (
    MAX_BLOCKS,
    SLACK_ID,
    Block,
    Message,
    actions,
    button,
    channel_link,
    clip,
    context,
    escape,
    mention,
    modal,
    mrkdwn,
    text_input,
)
from campaigns.models import AuditEntry, Campaign, Outcome
from campaigns.states import Action, State
from personalization.library import TemplateInfo
from personalization.preview import Preview, Sample
from segments.sample import mask_email

APPROVE = "tailor_campaign_approve"
REQUEST_CHANGES = "tailor_campaign_changes"
REJECT = "tailor_campaign_reject"
HISTORY = "tailor_campaign_history"
SCHEDULE = "tailor_campaign_schedule"
CANCEL = "tailor_campaign_cancel"
RELEASE_ALL = "tailor_campaign_release_all"
RELEASE_APPROVED = "tailor_campaign_release_approved"
DRAFT_VIEW = "tailor_draft_view"
CHANGES_VIEW = "tailor_changes_view"
REJECT_VIEW = "tailor_reject_view"
STATE_BLOCK, ACTIONS_BLOCK = "campaign_state", "campaign_actions"
NAME_BLOCK, NAME_INPUT = "draft_name", "draft_name_input"
TEMPLATE_BLOCK, TEMPLATE_INPUT = "draft_template", "draft_template_input"
SUBJECT_BLOCK, SUBJECT_INPUT = "draft_subject", "draft_subject_input"
PHRASE_BLOCK, PHRASE_INPUT = "draft_phrase", "draft_phrase_input"
COMMENT_BLOCK, COMMENT_INPUT = "comment", "comment_input"
#: How much of a sample's text part the thread shows.
TEXT_START = 600
#: Slack's limit of options in a static select.
MAX_OPTIONS = 100

STATE_WORDS = {
    State.AWAITING_APPROVAL: ":hourglass_flowing_sand: awaiting approval",
    State.APPROVED: ":white_check_mark: approved",
    State.REJECTED: ":no_entry: rejected",
    State.SCHEDULED: ":calendar: scheduled",
    State.SENDING: ":outbox_tray: sending",
    State.SENT: ":email: sent",
    State.CANCELLED: ":wastebasket: cancelled",
    State.HELD: ":raised_hand: held",
}
ACTION_WORDS = {
    Action.DRAFTED: "drafted",
    Action.APPROVED: "approved",
    Action.CHANGES_REQUESTED: "requested changes",
    Action.REJECTED: "rejected",
    Action.CHANGED: "changed",
    Action.SCHEDULED: "scheduled",
    Action.CANCELLED: "cancelled",
    Action.STARTED: "started sending",
    Action.FINISHED: "finished sending",
    Action.HELD: "held",
    Action.RELEASED: "released",
}
#: A user id in a refusal's words ("U01ALICE drafted ..."), to be shown as a mention.
USER_ID = re.compile(r"\b[USW][A-Z0-9]{2,30}\b")


def who(id_: str) -> str:
    """A user, or a user group (an S... id), as Slack mentions it."""
    return f"<!subteam^{id_}>" if id_.startswith("S") and SLACK_ID.fullmatch(id_) else mention(id_)


def mentions(users: Iterable[str]) -> str:
    return ", ".join(who(u) for u in users)


def drafting(name: str) -> Message:
    """The placeholder posted at once, while the samples render."""
    text = f"Drafting “{name}”…"
    return {"text": text, "blocks": [context(f":hourglass_flowing_sand: Drafting *{escape(name)}*…")]}


def draft(campaign: Campaign, preview: Preview, approvers: Sequence[str], zone: tzinfo = UTC) -> Message:
    """The thread's parent: the segment's reading and counts, the template, the whole-segment check,
    where the approval stands and its buttons."""
    subject = f"subject “{escape(campaign.subject)}”" if campaign.subject else "the template's subject"
    head = (
        f"*Campaign {campaign.id}: {escape(campaign.name)}*  (drafted by {mention(campaign.drafted_by)})\n"
        f"*Segment* _{escape(campaign.phrase)}_\n{escape(preview.reading)}"
    )
    fields = [
        f"*Members*\n{campaign.count:,}",
        f"*Reachable*\n{campaign.reachable:,}",
        f"*Template*\n{escape(campaign.template)} version {campaign.template_version}",
        f"*Subject*\n{subject}",
    ]
    checked = preview.check.lines() or [
        "every member renders with their own data: no fallbacks or failed renders"
    ]
    check = "*Whole-segment check*\n" + "\n".join(f"• {escape(line)}" for line in checked[:15])
    notes = [f":warning: {escape(w)}" for w in [*preview.warnings, *preview.notes][:8]]
    blocks = [
        mrkdwn(head),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        mrkdwn(check),
        *([context(*notes)] if notes else []),
    ]
    return _message(campaign, blocks, approvers, zone)


def restated(
    blocks: list[Block], campaign: Campaign, approvers: Sequence[str], zone: tzinfo = UTC
) -> Message:
    """The parent with its state and buttons as the campaign now stands (the rest kept as posted)."""
    kept = [b for b in blocks if b.get("block_id") not in (STATE_BLOCK, ACTIONS_BLOCK)]
    return _message(campaign, kept, approvers, zone)


def summary(campaign: Campaign, approvers: Sequence[str], zone: tzinfo = UTC) -> Message:
    """The parent made from the campaign alone, when the message as posted is not at hand."""
    head = (
        f"*Campaign {campaign.id}: {escape(campaign.name)}*  (drafted by {mention(campaign.drafted_by)})\n"
        f"*Segment* _{escape(campaign.phrase)}_: {campaign.count:,} members, "
        f"{campaign.reachable:,} reachable\n"
        f"*Template* {escape(campaign.template)} version {campaign.template_version}"
        + (f", subject “{escape(campaign.subject)}”" if campaign.subject else "")
    )
    return _message(campaign, [mrkdwn(head)], approvers, zone)


def moment(at: datetime, zone: tzinfo) -> str:
    """ "Tue 8 Dec 09:00 (Europe/Berlin)": a send's time on the workspace's clock, named."""
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M} ({zone})"


def when(campaign: Campaign, zone: tzinfo) -> str:
    """When a scheduled campaign goes: "for Tue 8 Dec 09:00 (Europe/Berlin)", or on each
    recipient's clock "for 09:00 in each recipient's time zone (the first Tue 8 Dec 09:00 (UTC))"."""
    if campaign.send_at is None:
        return ""
    if campaign.local_time:
        return (
            f"for {campaign.local_time} in each recipient's time zone "
            f"(the first at {moment(campaign.send_at, zone)})"
        )
    return f"for {moment(campaign.send_at, zone)}"


def cancel_button(campaign_id: int) -> Block:
    """Cancel, confirmed first: a click by mistake would end the campaign for good."""
    confirm = {
        "title": {"type": "plain_text", "text": f"Cancel campaign {campaign_id}?"},
        "text": {"type": "plain_text", "text": "It will not be sent. This cannot be undone."},
        "confirm": {"type": "plain_text", "text": "Cancel it"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    return button("Cancel", CANCEL, str(campaign_id), style="danger") | {"confirm": confirm}


def _message(
    campaign: Campaign, blocks: list[Block], approvers: Sequence[str], zone: tzinfo = UTC
) -> Message:
    state = STATE_WORDS.get(campaign.state, campaign.state.value)
    if campaign.state is State.AWAITING_APPROVAL:
        have = f"{len(campaign.approvals)} of {campaign.approvals_required} approval"
        have += "s" if campaign.approvals_required != 1 else ""
        by = f" (by {mentions(campaign.approvals)})" if campaign.approvals else ""
        who = f"; approvers: {mentions(approvers)}" if approvers else "; no approvers set (TAILOR_APPROVERS)"
        said = f"*State* {state}: {have}{by}{who}"
    else:
        by = f" by {mentions(campaign.approvals)}" if campaign.state is State.APPROVED else ""
        at = f" {when(campaign, zone)}" if campaign.state is State.SCHEDULED and campaign.send_at else ""
        said = f"*State* {state}{by}{at}"
    value = str(campaign.id)
    buttons = [button("History", HISTORY, value)]
    if campaign.state in (State.APPROVED, State.SCHEDULED):
        label = "Schedule" if campaign.state is State.APPROVED else "Reschedule"
        buttons = [button(label, SCHEDULE, value, style="primary"), cancel_button(campaign.id), *buttons]
    elif campaign.state is State.HELD:
        buttons = [cancel_button(campaign.id), *buttons]
    if campaign.state is State.AWAITING_APPROVAL:
        buttons = [
            button("Approve", APPROVE, value, style="primary"),
            button("Request changes", REQUEST_CHANGES, value),
            button("Reject", REJECT, value, style="danger"),
            *buttons,
        ]
    tail = [mrkdwn(said) | {"block_id": STATE_BLOCK}, actions(*buttons) | {"block_id": ACTIONS_BLOCK}]
    text = f"Campaign {campaign.id} ({campaign.name}): {campaign.state.value.replace('_', ' ')}"
    return {"text": text, "blocks": [*blocks[: MAX_BLOCKS - len(tail)], *tail]}


def sample(number: int, of: int, found: Sample) -> Message:
    """One sample in the thread: why it was chosen, the To masked, subject, preheader, the text's start."""
    email = found.email
    why = ", ".join(found.why) or "a member of the segment"
    start = clip(email.text.strip(), TEXT_START)
    head = (
        f"*Sample {number} of {of}*: contact `{escape(found.contact)}`, chosen for {escape(why)}\n"
        f"*To* {escape(mask_email(email.to))}\n*Subject* {escape(email.subject)}\n"
        f"*Preheader* {escape(email.preheader) or '(none)'}"
    )
    quoted = "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in start.splitlines())
    text = f"Sample {number} of {of}: {email.subject}"
    return {"text": text, "blocks": [mrkdwn(head), mrkdwn(quoted or "> (no text)")]}


def no_samples(preview: Preview) -> Message:
    return notice_block(f"No samples: {'; '.join(preview.check.lines()) or 'no reachable member rendered'}.")


def notice_block(text: str, emoji: str = ":information_source:") -> Message:
    return {"text": text, "blocks": [mrkdwn(f"{emoji} {escape(text)}")]}


def moved(outcome: Outcome) -> Message:
    """The thread's line for a move: '<@U02BOB> approved: campaign 12 is approved'."""
    campaign, entry = outcome.campaign, outcome.entry
    who = mention(entry.by)
    if entry.action is Action.APPROVED:
        if campaign.state is State.APPROVED:
            said = f"{who} approved: campaign {campaign.id} is approved"
        else:
            said = (
                f"{who} approved: {len(campaign.approvals)} of {campaign.approvals_required} approvals "
                f"for campaign {campaign.id}"
            )
    elif entry.action is Action.CHANGES_REQUESTED:
        said = f"{who} requested changes to campaign {campaign.id}; its approvals start again"
    elif entry.action is Action.REJECTED:
        said = f"{who} rejected campaign {campaign.id}"
    else:
        said = f"{who} {ACTION_WORDS.get(entry.action, entry.action.value)} campaign {campaign.id}"
    lines = [f":speech_balloon: {said}"]
    if entry.comment:
        lines.append(f"> {escape(entry.comment)}")
    return {"text": _plain(said), "blocks": [mrkdwn("\n".join(lines))]}


def changed(outcome: Outcome, voided: Sequence[str]) -> Message:
    """A change in the thread; an approval it took back is said to be void, naming who gave it."""
    campaign, entry = outcome.campaign, outcome.entry
    what = escape((entry.comment or "").removesuffix("; the approval is void"))
    if outcome.voided:
        by = f" by {mentions(voided)}" if voided else ""
        said = (
            f":warning: {mention(entry.by)} changed campaign {campaign.id}: the approval{by} is void: {what}"
        )
    else:
        said = f":pencil2: {mention(entry.by)} changed campaign {campaign.id}: {what}"
    said += ". New samples follow; it needs approving again."
    return {"text": _plain(said), "blocks": [mrkdwn(said)]}


def refused(message: str, people: Sequence[str], also: Iterable[str] = ()) -> Message:
    """A move refused, for the clicker alone: why, and who can instead (as mentions)."""
    ids = {*people, *also}
    said = USER_ID.sub(lambda m: who(m.group()) if m.group() in ids else m.group(), escape(message))
    lines = [f":no_entry_sign: {said}. Nothing changed."]
    if people:
        lines.append(f"Who can: {mentions(people)}")
    return {"text": f"Refused: {message}", "blocks": [mrkdwn("\n".join(lines))]}


def history(campaign: Campaign) -> Message:
    """The audit trail: who, when, what, the template version and the reachable count, the comment."""
    lines = [_entry(e) for e in campaign.audit]
    head = f"*History of campaign {campaign.id}: {escape(campaign.name)}*"
    chunks = [head]
    for line in lines:  # a section holds at most MAX_TEXT characters
        if len(chunks[-1]) + len(line) + 1 > 2900:
            chunks.append(line)
        else:
            chunks[-1] += "\n" + line
    return {"text": f"History of campaign {campaign.id}", "blocks": [mrkdwn(c) for c in chunks[:MAX_BLOCKS]]}


def _entry(entry: AuditEntry) -> str:
    at = entry.at.strftime("%Y-%m-%d %H:%M %Z").strip()
    comment = f": “{escape(entry.comment)}”" if entry.comment else ""
    return (
        f"• {at}  {mention(entry.by)} {ACTION_WORDS.get(entry.action, entry.action.value)}"
        f" · template v{entry.template_version} · {entry.count:,} reachable{comment}"
    )


def failed(what: str, message: str, suggestions: Sequence[str] = ()) -> Message:
    """A draft or a change that could not be made (a phrase not read, an unknown template)."""
    lines = [f":thinking_face: {escape(what)}: {escape(message)}"]
    if suggestions:
        lines.append("Did you mean: " + ", ".join(f"_{escape(s)}_" for s in suggestions[:5]))
    return {"text": f"{what}: {message}", "blocks": [mrkdwn("\n".join(lines))]}


def misread(grammar: str, problem: str | None = None) -> Message:
    """Campaign talk Tailor could not read: what in it was not read (it may quote the user:
    escaped), and the grammar (Tailor's own words)."""
    said = f"I read campaigns said like this: {grammar}"
    text, shown = (f"{problem}. {said}", f"{escape(problem)}. {said}") if problem else (said, said)
    return {"text": text, "blocks": [mrkdwn(f":memo: {shown}")]}


def drafted_elsewhere(campaign: Campaign, channel: str) -> Message:
    """What a slash command's private answer becomes: where the draft's thread is."""
    where = f" in {channel_link(channel)}"
    said = f"Drafted campaign {campaign.id}, “{escape(campaign.name)}”{where}: its samples are in its thread."
    text = f"Drafted campaign {campaign.id}, “{campaign.name}”: its samples are in its thread."
    return {"text": text, "blocks": [context(f":white_check_mark: {said}")]}


def _plain(text: str) -> str:
    return text.replace(":speech_balloon: ", "").replace(":warning: ", "").replace(":pencil2: ", "")


# -- modals ---------------------------------------------------------------------------------------


def draft_modal(phrase: str, name: str, templates: Sequence[TemplateInfo], meta: dict) -> Block:
    """The Draft an email modal: name, template, optional subject, the segment's phrase."""
    options = [
        {
            "text": {"type": "plain_text", "text": clip(f"{t.name} (v{t.version})", 75)},
            "value": t.name,
        }
        for t in templates[:MAX_OPTIONS]
    ]
    picker: Block = {
        "type": "input",
        "block_id": TEMPLATE_BLOCK,
        "label": {"type": "plain_text", "text": "Template"},
        "element": {"type": "static_select", "action_id": TEMPLATE_INPUT, "options": options},
    }
    if len(options) == 1:
        picker["element"]["initial_option"] = options[0]
    blocks = [
        text_input(NAME_BLOCK, NAME_INPUT, "Name", initial=name),
        picker if options else mrkdwn(":warning: No templates yet: `python app.py templates import DIR`."),
        text_input(SUBJECT_BLOCK, SUBJECT_INPUT, "Subject (empty: the template's)") | {"optional": True},
        text_input(PHRASE_BLOCK, PHRASE_INPUT, "Segment", initial=phrase, multiline=True),
    ]
    return modal(DRAFT_VIEW, "Draft an email", blocks, meta, "Draft" if options else None)


def comment_modal(callback_id: str, campaign_id: int, meta: dict) -> Block:
    """Request changes (a comment required) or Reject (a comment optional) of a campaign."""
    asking = callback_id == CHANGES_VIEW
    title = "Request changes" if asking else "Reject campaign"
    label = "What should change?" if asking else "Why? (optional)"
    comment = text_input(COMMENT_BLOCK, COMMENT_INPUT, label, multiline=True)
    blocks = [mrkdwn(f"Campaign {campaign_id}"), comment if asking else comment | {"optional": True}]
    return modal(callback_id, title, blocks, meta | {"campaign": campaign_id}, "Send" if asking else "Reject")
