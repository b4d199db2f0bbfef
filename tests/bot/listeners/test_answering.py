"""Answers stay where they were asked: a slash command's answer and chart are the asker's alone
(the chart in their direct messages with Tailor) until *Share in channel* posts them for everyone;
a channel Tailor is not in is told to the user with what to do."""

from __future__ import annotations

import logging

import pytest

from bot import blocks
from bot.questions import Question
from tests.bot.conftest import Tailor
from tests.bot.fake_slack import Call
from tests.bot.listeners.test_commands import texts
from tests.reports.test_charts import assert_png


def buttons(message: dict) -> dict[str, str]:
    """The buttons of a message: action id to value."""
    return {
        e["action_id"]: e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    }


def in_channel(app: Tailor, channel: str) -> list[Call]:
    """Every call that posted, updated or shared a file in `channel`."""
    return [c for c in app.fake.calls if channel in (c.args.get("channel"), c.args.get("channel_id"))]


def test_a_slash_commands_chart_reaches_the_channel_only_when_shared(tailor) -> None:
    app: Tailor = tailor()
    app.command("how did lapsed custs do", channel="C1")
    [answer] = app.fake.wait_calls("response")
    [opened] = app.fake.wait_calls("conversations.open")
    [done] = app.fake.wait_calls("files.completeUploadExternal")
    assert opened.args["users"] == "U1" and done.args["channel_id"] == "D1"  # the asker's DM with Tailor
    assert_png(next(iter(app.fake.uploads.values())))
    shown = texts(answer.args["blocks"])
    assert answer.args["response_type"] == "ephemeral" and "*lapsed custs* on 8 campaigns" in shown
    assert blocks.CHART_IN_DM in shown
    assert in_channel(app, "C1") == []  # nothing in the channel: no message, no file

    share = buttons(answer.args)[blocks.SHARE]
    assert Question.from_value(share) == Question(text="how did lapsed custs do")
    app.click(blocks.SHARE, share, channel="C1")
    [reading] = app.fake.wait_calls("chat.postMessage")
    [shared] = app.fake.wait_calls("chat.update")
    public = app.fake.wait_calls("files.completeUploadExternal", 2)[1]
    assert reading.args["channel"] == shared.args["channel"] == public.args["channel_id"] == "C1"
    assert "*lapsed custs* on 8 campaigns" in texts(shared.args["blocks"])
    assert "Shared by <@U1>" in texts(shared.args["blocks"]) and blocks.SHARE not in buttons(shared.args)
    [_, marked] = app.fake.wait_calls("response", 2)
    assert marked.args["replace_original"] is True and "Shared in <#C1>" in marked.args["text"]


def test_a_private_segment_answer_is_shared_as_it_reads(tailor) -> None:
    app: Tailor = tailor()
    app.command("custs in DE w/ 3+ orders")
    [answer] = app.fake.wait_calls("response")
    assert "Contacts in Germany and with at least 3 purchases" in texts(answer.args["blocks"])
    assert blocks.CHART_IN_DM not in texts(answer.args["blocks"])  # no chart, nothing said of one
    app.click(blocks.SHARE, buttons(answer.args)[blocks.SHARE])
    [shared] = app.fake.wait_calls("chat.update")
    assert shared.args["channel"] == "C1" and "*Members*\n64" in texts(shared.args["blocks"])
    assert app.fake.of("conversations.open") == []


def test_the_performance_of_a_private_answer_stays_private_and_shares_as_performance(tailor) -> None:
    app: Tailor = tailor()
    app.click(blocks.PERFORMANCE, "vips")  # under an ephemeral answer
    answer = app.fake.wait_calls("response", 2)[1]
    assert app.fake.wait_calls("files.completeUploadExternal")[0].args["channel_id"] == "D1"
    assert in_channel(app, "C1") == []
    share = Question.from_value(buttons(answer.args)[blocks.SHARE])
    assert share == Question(text="vips", kind="performance")


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found"])
def test_sharing_where_tailor_is_not_says_how_to_invite_it(tailor, caplog, error: str) -> None:
    app: Tailor = tailor()
    app.fake.not_in("C9", error)
    caplog.set_level(logging.INFO)
    app.click(blocks.SHARE, Question(text="lapsed custs in DE").as_value() or "", channel="C9")
    [told] = app.fake.wait_calls("response")
    assert told.args["replace_original"] is False  # the private answer stays
    assert told.args["text"] == (
        "I'm not in <#C9>: invite me with `/invite @Tailor`, or ask me in a direct message."
    )
    [refused] = app.fake.of("chat.postMessage")
    assert refused.error == error
    assert app.fake.of("chat.update") == [] and app.fake.of("files.getUploadURLExternal") == []
    assert not app.slow.started.is_set()  # nothing worked out for a channel it cannot post in
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_channels_report_where_tailor_was_removed_is_told_to_the_clicker(tailor) -> None:
    app: Tailor = tailor()
    app.fake.not_in("C7")
    app.click(blocks.PERFORMANCE, "vips", ephemeral=False, channel="C7")  # under a public answer
    [told] = app.fake.wait_calls("response")
    assert "I'm not in <#C7>" in told.args["text"]
    assert app.fake.of("files.getUploadURLExternal") == []


def test_a_mentions_report_keeps_its_chart_in_the_thread(tailor) -> None:
    app: Tailor = tailor()
    app.mention("how did vips do")
    [update] = app.fake.wait_calls("chat.update")
    [done] = app.fake.wait_calls("files.completeUploadExternal")
    assert done.args["channel_id"] == "C1" and done.args["thread_ts"] == "1700000001.000100"
    assert blocks.SHARE not in buttons(update.args) and app.fake.of("conversations.open") == []
    assert blocks.CHART_IN_DM not in texts(update.args["blocks"])
