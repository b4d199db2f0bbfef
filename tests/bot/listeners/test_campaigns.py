"""Campaigns in Slack, through the real app with signed requests and the fake Web API: a draft's
thread (parent, samples, files), approval by the right people only, a change that voids an
approval, a replayed click, request changes through the modal, the history."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import UTC

import pytest
from sqlalchemy import Engine, select

from bot import blocks
from bot import campaign_blocks as cb
from bot.places import Place
from campaigns.states import Action, State
from personalization.demo import install_demo_templates
from personalization.screenshot import browser
from store.demo import load_demo_if_empty
from store.models import Contact
from tests.bot import signing
from tests.bot.conftest import AS_OF, DemoStore, Tailor, opened_view
from tests.bot.fake_slack import Call
from tests.bot.listeners.test_commands import texts
from tests.conftest import Database

ALICE, BOB, CAROL, EVE = "U01ALICE", "U02BOB", "U03CAROL", "U04EVE"
WINBACK_DE = "draft a win-back for lapsed custs in DE with template winback"
#: Each sample's files: its HTML, and its picture where Chromium is installed.
FILES = 2 if browser() else 1


@pytest.fixture
def demo_store(database: Database, engine: Engine) -> DemoStore:
    """A demo store of each test's own: a campaign's name is words the segment phrases then read
    (a campaign "Win-back: lapsed custs in DE" makes "lapsed" name it), so no draft here may leak
    into the other tests' phrases."""
    load_demo_if_empty(engine, as_of=AS_OF, zone=UTC)
    install_demo_templates(engine, "USD")
    return DemoStore(database, engine)


@dataclass(frozen=True)
class Thread:
    campaign_id: int
    channel: str
    ts: str
    #: the parent as last posted (its blocks carry the buttons)
    parent: dict


def start(tailor, **settings) -> Tailor:
    return tailor(approvers=(BOB, CAROL), **settings)


def parents(app: Tailor) -> list[Call]:
    """The updates that made a message a campaign's parent (or restated it)."""
    return [c for c in app.fake.of("chat.update") if re.match(r"Campaign \d+ ", c.args.get("text", ""))]


def in_thread(app: Tailor, ts: str) -> list[Call]:
    return [c for c in app.fake.of("chat.postMessage") if c.args.get("thread_ts") == ts]


def drafted(app: Tailor, text: str = WINBACK_DE, user: str = ALICE) -> Thread:
    """Draft by mentioning Tailor; the thread once its samples and files are all there."""
    assert app.mention(text, user=user).status == 200
    app.fake.wait_for(lambda calls: bool(parents(app)))
    [parent] = parents(app)
    campaign_id = int(re.match(r"Campaign (\d+) ", parent.args["text"])[1])
    samples = _samples(app, parent.args["ts"])
    app.fake.wait_calls("files.completeUploadExternal", samples * FILES, timeout=240)
    return Thread(campaign_id, parent.args["channel"], parent.args["ts"], parent.args)


def _samples(app: Tailor, ts: str) -> int:
    """How many samples the thread will have, once the first says "Sample 1 of N"."""
    calls = app.fake.wait_for(lambda calls: any(_of_n(c) for c in calls if c.args.get("thread_ts") == ts))
    return next(n for c in calls if (n := _of_n(c)))


def _of_n(call: Call) -> int:
    found = (
        re.match(r"Sample 1 of (\d+)", call.args.get("text", ""))
        if call.method == "chat.postMessage"
        else None
    )
    return int(found[1]) if found else 0


def click(app: Tailor, action_id: str, thread: Thread, user: str) -> tuple[bytes, str]:
    """A button of the thread's parent, clicked by `user`: the request's body, to send (or replay)."""
    message = {"ts": thread.ts, "text": thread.parent["text"], "blocks": thread.parent["blocks"]}
    return app.click_body(action_id, str(thread.campaign_id), user, False, thread.channel, message)


def test_a_draft_posts_its_parent_then_its_samples_and_files_in_the_thread(tailor, demo_store) -> None:
    app = start(tailor)
    thread = drafted(app)
    campaign = app.campaigns.show(thread.campaign_id)
    assert (campaign.name, campaign.phrase, campaign.template) == (
        "Win-back: lapsed custs in DE",
        "lapsed custs in DE",
        "winback",
    )
    assert (campaign.channel, campaign.thread_ts) == ("C1", thread.ts)  # the thread is recorded
    [drafting, *_] = app.fake.of("chat.postMessage")
    assert "Drafting" in drafting.args["text"] and drafting.args.get("thread_ts") is None
    shown = texts(thread.parent["blocks"])
    assert f"*Campaign {campaign.id}: Win-back: lapsed custs in DE*" in shown
    assert "in Germany" in shown and "lapsed customers" in shown  # the reading
    assert f"*Members*\n{campaign.count:,}" in shown and f"*Reachable*\n{campaign.reachable:,}" in shown
    assert "*Template*\nwinback version 1" in shown and "*Whole-segment check*" in shown
    assert "awaiting approval: 0 of 1 approval; approvers: <@U02BOB>, <@U03CAROL>" in shown
    buttons = [
        e["text"]["text"] for b in thread.parent["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Approve", "Request changes", "Reject", "History"]

    posts = in_thread(app, thread.ts)
    samples = [p for p in posts if p.args["text"].startswith("Sample ")]
    assert samples and len(samples) == len(posts) <= 5
    first = texts(samples[0].args["blocks"])
    assert "chosen for language" in first and "*Subject* " in first and "*Preheader* " in first
    assert "miss you" in first  # the winback's text starts there
    with demo_store.engine.connect() as conn:
        emails = set(conn.execute(select(Contact.email)).scalars())
    said = json.dumps([p.args for p in posts])
    assert re.search(r"\*To\* \w\*\*\*@", first) and not any(email in said for email in emails)

    done = app.fake.wait_calls("files.completeUploadExternal", len(samples) * FILES)
    assert {(d.args["channel_id"], d.args["thread_ts"]) for d in done} == {("C1", thread.ts)}
    titles = [json.loads(d.args["files"])[0]["title"] for d in done]
    pages = [t for t in titles if t.endswith("(HTML)")]
    assert [t.split(":")[0] for t in pages] == [f"Sample {n}" for n in range(1, len(samples) + 1)]
    uploaded = [app.fake.uploads[u.args["file_id"]] for u in app.fake.of("upload")]
    assert len([b for b in uploaded if b"<html" in b.lower()]) == len(samples)
    pictures = [b for b in uploaded if b.startswith(b"\x89PNG")]
    assert len(pictures) == (len(samples) if browser() else 0)  # a PNG of each, where Chromium is


def test_a_slash_command_drafts_in_its_channel_and_tells_the_asker_where(tailor) -> None:
    app = start(tailor)
    ack = app.command(
        'draft "Loyal custs" for custs w/ 3+ orders w/ template welcome subject "Thanks!"', user=ALICE
    )
    assert ack.status == 200 and "Drafting" in ack.json()["text"]
    app.fake.wait_for(lambda calls: bool(parents(app)))
    [parent] = parents(app)
    campaign = app.campaigns.show(int(re.match(r"Campaign (\d+) ", parent.args["text"])[1]))
    assert (campaign.name, campaign.subject, campaign.drafted_by) == ("Loyal custs", "Thanks!", ALICE)
    assert parent.args["channel"] == "C1"
    [told] = app.fake.wait_calls("response")
    assert f"Drafted campaign {campaign.id}" in told.args["text"] and "<#C1>" in json.dumps(
        told.args["blocks"]
    )
    samples = [p for p in in_thread(app, parent.args["ts"]) if "Thanks!" in texts(p.args["blocks"])]
    assert samples  # the campaign's own subject


def test_self_approval_and_a_non_approvers_click_are_refused_and_change_nothing(tailor) -> None:
    app = start(tailor)
    thread = drafted(app)
    before = app.campaigns.show(thread.campaign_id)
    app.send(*click(app, cb.APPROVE, thread, ALICE))
    [mine] = app.fake.wait_calls("response")
    assert mine.args["response_type"] == "ephemeral" and mine.args["replace_original"] is False
    said = texts(mine.args["blocks"])
    assert (
        f"<@{ALICE}> drafted or changed campaign {thread.campaign_id}: someone else must approve it" in said
    )
    assert "Who can: <@U02BOB>, <@U03CAROL>" in said and "Nothing changed" in said

    app.send(*click(app, cb.APPROVE, thread, EVE))
    eve = app.fake.wait_calls("response", 2)[1]
    assert f"{EVE} is not an approver" in eve.args["text"]
    assert "Who can: <@U02BOB>, <@U03CAROL>" in texts(eve.args["blocks"])

    after = app.campaigns.show(thread.campaign_id)
    assert after.state is State.AWAITING_APPROVAL and after.audit == before.audit
    assert not [p for p in in_thread(app, thread.ts) if "approved" in p.args["text"]]
    assert len(parents(app)) == 1  # the parent untouched


def test_an_approvers_approval_moves_the_state_is_audited_and_said_in_the_thread(tailor) -> None:
    app = start(tailor)
    thread = drafted(app)
    assert app.send(*click(app, cb.APPROVE, thread, BOB)).status == 200
    app.fake.wait_for(lambda calls: len(parents(app)) == 2)
    campaign = app.campaigns.show(thread.campaign_id)
    assert campaign.state is State.APPROVED and campaign.approvals == [BOB]
    assert [(e.by, e.action) for e in campaign.audit] == [(ALICE, Action.DRAFTED), (BOB, Action.APPROVED)]
    [line] = [p for p in in_thread(app, thread.ts) if "approved" in p.args["text"]]
    assert line.args["text"] == f"<@{BOB}> approved: campaign {campaign.id} is approved"
    parent = parents(app)[-1]
    assert (parent.args["channel"], parent.args["ts"]) == ("C1", thread.ts)
    shown = texts(parent.args["blocks"])
    assert f"approved by <@{BOB}>" in shown and "*Whole-segment check*" in shown  # the rest kept
    buttons = [
        e["text"]["text"] for b in parent.args["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Schedule", "Cancel", "History"]  # now it can be sent


def test_two_approvals_required_count_one_of_two_first(tailor) -> None:
    app = start(tailor, approvals_required=2)
    thread = drafted(app)
    app.send(*click(app, cb.APPROVE, thread, BOB))
    app.fake.wait_for(lambda calls: any("approved" in p.args["text"] for p in in_thread(app, thread.ts)))
    [line] = [p for p in in_thread(app, thread.ts) if "approved" in p.args["text"]]
    assert line.args["text"] == f"<@{BOB}> approved: 1 of 2 approvals for campaign {thread.campaign_id}"
    assert app.campaigns.show(thread.campaign_id).state is State.AWAITING_APPROVAL
    app.send(*click(app, cb.APPROVE, thread, CAROL))
    app.fake.wait_for(
        lambda calls: len([p for p in in_thread(app, thread.ts) if "approved" in p.args["text"]]) == 2
    )
    assert app.campaigns.show(thread.campaign_id).state is State.APPROVED


def test_a_change_after_approval_voids_it_and_the_thread_says_so(tailor) -> None:
    app = start(tailor)
    thread = drafted(app)
    app.send(*click(app, cb.APPROVE, thread, BOB))
    app.fake.wait_for(lambda calls: len(parents(app)) == 2)
    uploads = len(app.fake.of("files.completeUploadExternal"))
    event = {"type": "app_mention", "user": ALICE, "ts": "1700000009.000100", "thread_ts": thread.ts,
             "text": f"<@UTAILOR> change campaign {thread.campaign_id}: segment lapsed custs in FR",
             "channel": "C1", "channel_type": "channel"}  # fmt: skip
    assert app.event(event).status == 200
    app.fake.wait_for(lambda calls: len(parents(app)) == 3)
    campaign = app.campaigns.show(thread.campaign_id)
    assert campaign.state is State.AWAITING_APPROVAL and campaign.approvals == []
    assert campaign.phrase == "lapsed custs in FR" and campaign.audit[-1].action is Action.CHANGED
    [void] = [u for u in app.fake.of("chat.update") if "is void" in u.args["text"]]
    assert void.args["channel"] == "C1"
    assert f"the approval by <@{BOB}> is void: segment now 'lapsed custs in FR'" in void.args["text"]
    assert "in France" in texts(parents(app)[-1].args["blocks"])  # the parent anew
    assert "awaiting approval: 0 of 1" in texts(parents(app)[-1].args["blocks"])
    new = app.fake.wait_calls("files.completeUploadExternal", uploads + 1, timeout=240)[uploads:]
    assert all(d.args["thread_ts"] == thread.ts for d in new)
    assert [p for p in in_thread(app, thread.ts) if p.args["text"].startswith("Sample 1 of")][
        1:
    ]  # new samples


def test_a_replayed_approve_click_acts_once(tailor) -> None:
    app = start(tailor)
    thread = drafted(app)
    body, kind = click(app, cb.APPROVE, thread, BOB)
    stamp = int(time.time())
    first = signing.send(app.url, body, kind, timestamp=stamp)
    again = signing.send(app.url, body, kind, timestamp=stamp, headers={"X-Slack-Retry-Num": "1"})
    assert (first.status, again.status) == (200, 200)
    app.fake.wait_for(lambda calls: len(parents(app)) == 2)
    # the parent's update and the thread's "approved:" are posted one after the other: both first
    app.fake.wait_for(lambda calls: any("approved:" in p.args["text"] for p in in_thread(app, thread.ts)))
    app.send(*app.click_body(cb.HISTORY, str(thread.campaign_id), BOB, False, "C1"))  # a later request
    app.fake.wait_for(lambda calls: any("History of" in p.args["text"] for p in in_thread(app, thread.ts)))
    campaign = app.campaigns.show(thread.campaign_id)
    assert [e.action for e in campaign.audit] == [Action.DRAFTED, Action.APPROVED]
    assert len([p for p in in_thread(app, thread.ts) if "approved:" in p.args["text"]]) == 1
    assert app.fake.of("response") == []  # no "already approved" refusal either: done once


def test_request_changes_opens_a_modal_and_its_comment_sends_the_draft_back(tailor) -> None:
    app = start(tailor)
    thread = drafted(app)
    app.send(*click(app, cb.REQUEST_CHANGES, thread, CAROL))
    [opened] = app.fake.wait_calls("views.open")
    view = opened_view(opened)
    assert view["callback_id"] == cb.CHANGES_VIEW
    [comment] = [b for b in view["blocks"] if b["type"] == "input"]
    assert comment["block_id"] == cb.COMMENT_BLOCK and not comment.get("optional")
    empty = app.submit(view, {cb.COMMENT_BLOCK: {cb.COMMENT_INPUT: " "}}, user=CAROL)
    assert empty.json() == {
        "response_action": "errors",
        "errors": {cb.COMMENT_BLOCK: "Say what should change."},
    }
    ack = app.submit(view, {cb.COMMENT_BLOCK: {cb.COMMENT_INPUT: "subject needs the 20% off"}}, user=CAROL)
    assert ack.status == 200 and ack.body == ""
    app.fake.wait_for(lambda calls: len(parents(app)) == 2)
    campaign = app.campaigns.show(thread.campaign_id)
    entry = campaign.audit[-1]
    assert (entry.by, entry.action, entry.comment) == (
        CAROL,
        Action.CHANGES_REQUESTED,
        "subject needs the 20% off",
    )
    [line] = [p for p in in_thread(app, thread.ts) if "requested changes" in p.args["text"]]
    assert "> subject needs the 20% off" in texts(line.args["blocks"])


def test_a_rejection_through_its_modal_by_a_non_approver_is_refused_privately(tailor) -> None:
    app = start(tailor)
    thread = drafted(app)
    app.send(*click(app, cb.REJECT, thread, EVE))
    view = opened_view(app.fake.wait_calls("views.open")[0])
    assert view["callback_id"] == cb.REJECT_VIEW
    app.submit(view, {cb.COMMENT_BLOCK: {cb.COMMENT_INPUT: "nope"}}, user=EVE)
    [told] = app.fake.wait_calls("response")
    assert f"{EVE} is not an approver" in told.args["text"] and told.args["response_type"] == "ephemeral"
    assert app.campaigns.show(thread.campaign_id).state is State.AWAITING_APPROVAL
    app.send(*click(app, cb.REJECT, thread, BOB))
    view = opened_view(app.fake.wait_calls("views.open", 2)[1])
    app.submit(view, {cb.COMMENT_BLOCK: {cb.COMMENT_INPUT: ""}}, user=BOB)  # optional
    app.fake.wait_for(lambda calls: len(parents(app)) == 2)
    assert app.campaigns.show(thread.campaign_id).state is State.REJECTED
    assert ":no_entry: rejected" in texts(parents(app)[-1].args["blocks"])


def test_history_by_mention_and_button_posts_the_audit_trail_in_the_thread(tailor) -> None:
    app = start(tailor)
    thread = drafted(app)
    app.send(*click(app, cb.APPROVE, thread, BOB))
    app.fake.wait_for(lambda calls: len(parents(app)) == 2)
    app.direct(f"history of campaign {thread.campaign_id}", user=ALICE)
    app.fake.wait_for(
        lambda calls: any(p.args["text"].startswith("History of") for p in in_thread(app, thread.ts))
    )
    [history] = [p for p in in_thread(app, thread.ts) if p.args["text"].startswith("History of")]
    shown = texts(history.args["blocks"])
    campaign = app.campaigns.show(thread.campaign_id)
    lines = [line for line in shown.splitlines() if line.startswith("• ")]
    assert lines == [
        f"• 2026-06-01 12:00 UTC  <@{ALICE}> drafted · template v1 · {campaign.reachable:,} reachable",
        f"• 2026-06-01 12:00 UTC  <@{BOB}> approved · template v1 · {campaign.reachable:,} reachable",
    ]
    app.send(*click(app, cb.HISTORY, thread, EVE))  # anyone may read it
    app.fake.wait_for(
        lambda calls: (
            len([p for p in in_thread(app, thread.ts) if p.args["text"].startswith("History of")]) == 2
        )
    )


def test_draft_an_email_under_a_segment_answer_opens_the_modal_and_drafts(tailor) -> None:
    app = start(tailor)
    app.click(blocks.DRAFT, "custs w/ 3+ orders", user=ALICE, ephemeral=False)
    view = opened_view(app.fake.wait_calls("views.open")[0])
    assert view["callback_id"] == cb.DRAFT_VIEW
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    options = [o["value"] for o in inputs[cb.TEMPLATE_BLOCK]["element"]["options"]]
    assert options == ["newsletter", "recommendations", "welcome", "winback"]
    assert inputs[cb.PHRASE_BLOCK]["element"]["initial_value"] == "custs w/ 3+ orders"
    assert inputs[cb.SUBJECT_BLOCK]["optional"] is True
    assert Place.from_meta(view["private_metadata"]).channel == "C1"
    missing = app.submit(
        view, {cb.NAME_BLOCK: {cb.NAME_INPUT: "Loyal"}, cb.PHRASE_BLOCK: {cb.PHRASE_INPUT: "x"}}
    )
    assert missing.json()["errors"] == {cb.TEMPLATE_BLOCK: "Pick a template."}
    values = {
        cb.NAME_BLOCK: {cb.NAME_INPUT: "Loyal custs thank-you"},
        cb.TEMPLATE_BLOCK: {cb.TEMPLATE_INPUT: {"selected_option": {"value": "recommendations"}}},
        cb.SUBJECT_BLOCK: {cb.SUBJECT_INPUT: ""},
        cb.PHRASE_BLOCK: {cb.PHRASE_INPUT: "custs w/ 3+ orders"},
    }  # fmt: skip
    assert app.submit(view, values, user=ALICE).status == 200
    app.fake.wait_for(lambda calls: bool(parents(app)))
    [parent] = parents(app)
    campaign = app.campaigns.show(int(re.match(r"Campaign (\d+) ", parent.args["text"])[1]))
    assert (campaign.name, campaign.template, campaign.drafted_by, campaign.subject) == (
        "Loyal custs thank-you",
        "recommendations",
        ALICE,
        None,
    )
    assert campaign.channel == "C1" and campaign.thread_ts == parent.args["ts"]


def test_a_phrase_not_read_says_so_in_place_of_drafting(tailor) -> None:
    app = start(tailor)
    app.mention("draft a win-back for custs who bougth golf with template winback", user=ALICE)
    [said] = app.fake.wait_calls("chat.update")
    assert said.args["text"].startswith("Not drafted") and app.fake.of("files.getUploadURLExternal") == []


def test_approvers_named_by_a_user_group_are_its_members(tailor) -> None:
    app = tailor(approvers=("S0REVIEW",))
    app.fake.groups["S0REVIEW"] = [CAROL]
    thread = drafted(app)
    app.send(*click(app, cb.APPROVE, thread, EVE))
    [told] = app.fake.wait_calls("response")
    assert "Who can: <!subteam^S0REVIEW>" in texts(told.args["blocks"])
    app.send(*click(app, cb.APPROVE, thread, CAROL))
    app.fake.wait_for(lambda calls: len(parents(app)) == 2)
    assert app.campaigns.show(thread.campaign_id).state is State.APPROVED
    asked = app.fake.of("usergroups.users.list")
    assert {c.args["usergroup"] for c in asked} == {"S0REVIEW"} and len(asked) == 1  # kept, not asked again
