"""Scheduling in Slack, through the real app with signed requests and the fake Web API: the
Schedule modal, "send it tomorrow at 9:00" in the thread, refusals said to the asker alone,
what's scheduled, cancel, and a held campaign's question answered with its buttons.

The app's clock is the demo's "now", Monday 1 June 2026 12:00, in a UTC workspace."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk import WebClient

from bot import campaign_blocks as cb
from bot import send_blocks as sb
from bot.send_progress import SendProgress
from campaigns.states import Action, State
from delivery.dispatch import Progress
from tests.bot.conftest import Tailor, opened_view
from tests.bot.listeners.test_campaigns import (  # noqa: F401 (demo_store: each test's own store)
    ALICE,
    BOB,
    EVE,
    Thread,
    click,
    demo_store,
    drafted,
    in_thread,
    parents,
    start,
)
from tests.bot.listeners.test_commands import texts


def approved(app: Tailor) -> Thread:
    thread = drafted(app)
    app.send(*click(app, cb.APPROVE, thread, BOB))
    app.fake.wait_for(lambda calls: len(parents(app)) == 2)
    return Thread(thread.campaign_id, thread.channel, thread.ts, parents(app)[-1].args)


def buttons(message: dict) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def lines(app: Tailor, ts: str, start: str) -> list[str]:
    return [p.args["text"] for p in in_thread(app, ts) if p.args["text"].startswith(start)]


def in_thread_event(thread: Thread, text: str, user: str) -> dict:
    return {"type": "app_mention", "user": user, "ts": "1700000019.000100", "thread_ts": thread.ts,
            "text": f"<@UTAILOR> {text}", "channel": thread.channel, "channel_type": "channel"}  # fmt: skip


def test_the_schedule_modal_schedules_at_a_date_and_time_and_the_thread_and_parent_say_so(tailor) -> None:
    app = start(tailor)
    thread = approved(app)
    assert buttons(thread.parent) == ["Schedule", "Cancel", "History"]
    app.send(*click(app, cb.SCHEDULE, thread, ALICE))  # the drafter may schedule it
    view = opened_view(app.fake.wait_calls("views.open")[0])
    assert view["callback_id"] == sb.SCHEDULE_VIEW
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert kinds == {
        sb.WHEN_BLOCK: "radio_buttons",
        sb.AT_BLOCK: "datetimepicker",
        sb.LOCAL_BLOCK: "timepicker",
    }

    def at(moment: datetime | None) -> dict:
        chosen = {"selected_option": {"value": sb.AT}}
        picked = {"type": "datetimepicker", "selected_date_time": int(moment.timestamp()) if moment else None}
        return {sb.WHEN_BLOCK: {sb.WHEN_INPUT: chosen}, sb.AT_BLOCK: {sb.AT_INPUT: picked}}

    assert app.submit(view, at(None), user=ALICE).json()["errors"] == {
        sb.AT_BLOCK: "Pick a date and time, or choose Now."
    }
    past = app.submit(view, at(datetime(2026, 5, 31, 9, tzinfo=UTC)), user=ALICE)
    assert past.json()["errors"] == {sb.AT_BLOCK: "That time has passed: pick one to come, or Now."}
    assert app.submit(view, at(datetime(2026, 6, 2, 9, tzinfo=UTC)), user=ALICE).status == 200

    app.fake.wait_for(lambda calls: bool(lines(app, thread.ts, "📅")))
    assert lines(app, thread.ts, "📅") == [
        f"📅 <@{ALICE}> scheduled campaign {thread.campaign_id} for Tue 2 Jun 09:00 (UTC)"
    ]
    app.fake.wait_for(lambda calls: len(parents(app)) == 3)
    parent = parents(app)[-1].args
    assert ":calendar: scheduled for Tue 2 Jun 09:00 (UTC)" in texts(parent["blocks"])
    assert buttons(parent) == ["Reschedule", "Cancel", "History"]
    campaign = app.campaigns.show(thread.campaign_id)
    assert campaign.state is State.SCHEDULED and campaign.send_at == datetime(2026, 6, 2, 9, tzinfo=UTC)
    assert campaign.audit[-1].by == ALICE


def test_a_local_time_through_the_modal_is_each_recipients_clock(tailor) -> None:
    app = start(tailor)
    thread = approved(app)
    app.send(*click(app, cb.SCHEDULE, thread, BOB))
    view = opened_view(app.fake.wait_calls("views.open")[0])
    values = {sb.WHEN_BLOCK: {sb.WHEN_INPUT: {"selected_option": {"value": sb.LOCAL}}},
              sb.LOCAL_BLOCK: {sb.LOCAL_INPUT: {"type": "timepicker", "selected_time": "09:30"}}}  # fmt: skip
    assert app.submit(view, values, user=BOB).status == 200
    app.fake.wait_for(lambda calls: bool(lines(app, thread.ts, "📅")))
    [line] = lines(app, thread.ts, "📅")
    assert line.startswith(
        f"📅 <@{BOB}> scheduled campaign {thread.campaign_id} for 09:30 in each recipient's time zone"
    )
    assert app.campaigns.show(thread.campaign_id).local_time == "09:30"


def test_send_it_in_the_thread_then_whats_scheduled_then_cancel_it(tailor) -> None:
    app = start(tailor)
    thread = approved(app)
    app.event(in_thread_event(thread, "send it tomorrow at 9:00", BOB))
    app.fake.wait_for(lambda calls: bool(lines(app, thread.ts, "📅")))
    assert lines(app, thread.ts, "📅") == [
        f"📅 <@{BOB}> scheduled campaign {thread.campaign_id} for Tue 2 Jun 09:00 (UTC)"
    ]
    app.event(in_thread_event(thread, "reschedule it to 2026-06-03 10:00", BOB))
    app.fake.wait_for(lambda calls: len(lines(app, thread.ts, "📅")) == 2)
    assert lines(app, thread.ts, "📅")[1] == (
        f"📅 <@{BOB}> rescheduled campaign {thread.campaign_id} for Wed 3 Jun 10:00 (UTC)"
    )

    app.direct("what's scheduled?", user=ALICE)
    [listed] = app.fake.wait_for(
        lambda calls: any("scheduled, sending or held" in c.args.get("text", "") for c in calls)
    ) and [c for c in app.fake.of("chat.postMessage") if "scheduled, sending or held" in c.args["text"]]
    assert listed.args["channel"] == "D1"
    shown = texts(listed.args["blocks"])
    assert (
        f"*Campaign {thread.campaign_id}* Win-back: lapsed custs in DE: "
        ":calendar: scheduled for Wed 3 Jun 10:00 (UTC)" in shown
    )

    app.event(in_thread_event(thread, "cancel it: the offer ended", ALICE))
    app.fake.wait_for(lambda calls: bool(lines(app, thread.ts, "🗑️")))
    [cancelled] = [p for p in in_thread(app, thread.ts) if p.args["text"].startswith("🗑️")]
    assert (
        cancelled.args["text"] == f"🗑️ <@{ALICE}> cancelled campaign {thread.campaign_id}: it will not be sent"
    )
    assert "> the offer ended" in texts(cancelled.args["blocks"])
    app.fake.wait_for(lambda calls: ":wastebasket: cancelled" in texts(parents(app)[-1].args["blocks"]))
    assert buttons(parents(app)[-1].args) == ["History"]
    assert app.campaigns.show(thread.campaign_id).state is State.CANCELLED


def test_a_refused_send_is_said_to_the_asker_alone_and_changes_nothing(tailor) -> None:
    app = start(tailor)
    thread = drafted(app)  # not approved yet
    app.mention(f"send campaign {thread.campaign_id} now", user=ALICE)
    [told] = app.fake.wait_calls("chat.postEphemeral")
    assert told.args["user"] == ALICE
    assert "cannot schedule a campaign that is awaiting approval" in told.args["text"]
    app.send(*click(app, cb.APPROVE, thread, BOB))
    app.fake.wait_for(lambda calls: len(parents(app)) == 2)
    app.event(in_thread_event(thread, "send it now", EVE))  # neither its drafter nor an approver
    told = app.fake.wait_calls("chat.postEphemeral", 2)[1]
    assert told.args["user"] == EVE and f"can schedule campaign {thread.campaign_id}" in told.args["text"]
    app.mention("send it at teatime", user=ALICE)
    app.fake.wait_for(
        lambda calls: any("teatime" in c.args.get("text", "") for c in app.fake.of("chat.postMessage"))
    )
    campaign = app.campaigns.show(thread.campaign_id)
    assert campaign.state is State.APPROVED and campaign.audit[-1].action is Action.APPROVED
    assert not lines(app, thread.ts, "📅") and len(parents(app)) == 2


def test_it_outside_a_campaigns_thread_asks_which_campaign(tailor) -> None:
    app = start(tailor)
    app.direct("send it now", user=ALICE)
    [said] = app.fake.wait_calls("chat.postMessage")
    assert said.args["text"].startswith("Which campaign? Say its number")


def test_a_slash_command_schedules_and_answers_privately(tailor) -> None:
    app = start(tailor)
    thread = approved(app)
    ack = app.command(f"schedule {thread.campaign_id} for tue 9am", user=BOB)
    assert ack.status == 200 and ack.json()["text"] == f"Scheduling campaign {thread.campaign_id}…"
    [answer] = app.fake.wait_calls("response")
    assert (
        answer.args["text"]
        == f"📅 <@{BOB}> scheduled campaign {thread.campaign_id} for Tue 2 Jun 09:00 (UTC)"
    )
    app.fake.wait_for(lambda calls: bool(lines(app, thread.ts, "📅")))  # and the thread hears it


def test_a_held_campaigns_question_is_answered_by_an_approver_only(tailor) -> None:
    app = start(tailor)
    thread = approved(app)
    app.campaigns.schedule(thread.campaign_id, BOB)
    campaign = app.campaigns.show(thread.campaign_id)
    held = app.campaigns.hold(thread.campaign_id, campaign.reachable + 40).campaign  # as delivery does
    SendProgress(app_client(app), app.campaigns)(Progress(held, {}, held.reachable, held=True))
    [question] = [p for p in in_thread(app, thread.ts) if "is held" in p.args["text"]]
    posted = {"text": question.args["text"], "blocks": question.args["blocks"]}
    asked = Thread(thread.campaign_id, thread.channel, "1700000099.000100", posted)  # the question's ts
    assert buttons(posted) == [
        f"Send to all {held.reachable:,}",
        f"Send to the {held.approved_reachable:,} approved",
        "Cancel",
    ]

    app.send(*click(app, cb.RELEASE_ALL, asked, ALICE))  # the drafter is no approver
    [told] = app.fake.wait_calls("response")
    assert f"{ALICE} is not an approver" in told.args["text"] and told.args["response_type"] == "ephemeral"
    assert app.campaigns.show(thread.campaign_id).state is State.HELD

    app.send(*click(app, cb.RELEASE_APPROVED, asked, BOB))
    app.fake.wait_for(lambda calls: bool(lines(app, thread.ts, "▶️")))
    assert lines(app, thread.ts, "▶️") == [
        f"▶️ <@{BOB}> released campaign {thread.campaign_id}: "
        f"sending to the {held.approved_reachable:,} members as approved"
    ]
    [answered] = [u for u in app.fake.of("chat.update") if u.args["ts"] == "1700000099.000100"]
    assert "was held" in texts(answered.args["blocks"]) and not buttons(answered.args)
    app.fake.wait_for(lambda calls: ":outbox_tray: sending" in texts(parents(app)[-1].args["blocks"]))
    assert parents(app)[-1].args["ts"] == thread.ts  # the parent says so too
    released = app.campaigns.show(thread.campaign_id)
    assert released.state is State.SENDING and released.audience == "approved"


def app_client(app: Tailor) -> WebClient:
    return WebClient(token="xoxb-test", base_url=app.fake.api_url)
