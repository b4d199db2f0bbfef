"""Reports in Slack: a report's phrase in a mention, the Performance button, and the chart uploaded
into the thread with files_upload_v2 (upload URL, the bytes, completion) through the fake."""

from __future__ import annotations

import json
import re

from tests.bot.conftest import Tailor
from tests.bot.listeners.test_commands import texts
from tests.reports.test_charts import assert_png


def uploaded_chart(app: Tailor) -> tuple[dict, bytes]:
    """The completed upload's arguments and the bytes that went up."""
    [asked] = app.fake.wait_calls("files.getUploadURLExternal")
    [upload] = app.fake.wait_calls("upload")
    [done] = app.fake.wait_calls("files.completeUploadExternal")
    assert int(asked.args["length"]) == upload.args["length"]
    files = json.loads(done.args["files"]) if isinstance(done.args["files"], str) else done.args["files"]
    assert [f["id"] for f in files] == [upload.args["file_id"]] == [asked_id(app)]
    return done.args, app.fake.uploads[upload.args["file_id"]]


def asked_id(app: Tailor) -> str:
    return app.fake.of("upload")[0].args["file_id"]


def test_a_comparison_in_a_mention_answers_with_verdicts_and_a_chart_in_its_thread(tailor) -> None:
    app: Tailor = tailor()
    assert app.mention("compare subscribers in Germany and subscribers in France on open rate").status == 200
    [update] = app.fake.wait_calls("chat.update")
    shown = texts(update.args["blocks"])
    assert "*subscribers in Germany* on 8 campaigns" in shown and "*subscribers in France*" in shown
    assert "*subscribers in France compared with subscribers in Germany*" in shown and "Open rate:" in shown
    assert any(v in shown for v in ("the gap is real", "the gap could be chance", "too few recipients"))
    done, png = uploaded_chart(app)
    assert done["channel_id"] == "C1" and done["thread_ts"] == "1700000001.000100"
    assert_png(png)


def test_the_performance_button_posts_the_report_and_its_chart(tailor) -> None:
    app: Tailor = tailor()
    assert app.click("tailor_performance", "lapsed customers", ephemeral=False).status == 200
    [posted] = app.fake.wait_calls("chat.postMessage")
    assert posted.args["channel"] == "C1" and "lapsed customers" in texts(posted.args["blocks"])
    [update] = app.fake.wait_calls("chat.update")
    shown = texts(update.args["blocks"])
    assert "*lapsed customers* on 8 campaigns" in shown and "*Open rate*" in shown and "recipients" in shown
    done, png = uploaded_chart(app)
    assert done["channel_id"] == "C1"
    assert_png(png)


def test_a_trend_by_month_lists_its_months(tailor) -> None:
    app: Tailor = tailor()
    app.direct("revenue per recipient of subscribers, month by month")
    [update] = app.fake.wait_calls("chat.update")
    months = [line for line in texts(update.args["blocks"]).splitlines() if "20" in line and ":" in line]
    assert len(months) >= 6
    # each month on one line, with its measure, value and interval
    one_line = re.compile(r"[A-Z][a-z]{2} 20\d\d: Revenue per recipient \$[\d.,]+( \(\$[\d.,]+–\$[\d.,]+\))?")
    assert all(one_line.fullmatch(line) for line in months), months
    assert_png(uploaded_chart(app)[1])


def test_an_unknown_campaign_is_said_with_suggestions(tailor) -> None:
    app: Tailor = tailor()
    app.mention("how did lapsed customers do on Weekend sael")
    [update] = app.fake.wait_calls("chat.update")
    assert "No campaign matches" in texts(update.args["blocks"])
    assert "Weekend sale" in json.dumps(update.args["blocks"])
    assert app.fake.of("files.getUploadURLExternal") == []


def test_of_the_ways_a_comparison_splits_the_one_whose_segments_read_is_answered(tailor) -> None:
    app: Tailor = tailor()
    app.mention("compare subscribers in Germany and France with subscribers in Spain")
    [update] = app.fake.wait_calls("chat.update")
    shown = texts(update.args["blocks"])
    assert "*subscribers in Germany and France*" in shown and "*subscribers in Spain*" in shown
    assert "*subscribers in Spain compared with subscribers in Germany and France*" in shown


def test_an_unknown_campaign_lists_the_campaigns_and_offers_the_close_one_to_run(tailor) -> None:
    app: Tailor = tailor()
    app.mention("how did lapsed customers do on Flsh sale?")
    [update] = app.fake.wait_calls("chat.update")
    shown = texts(update.args["blocks"])
    assert "*lapsed customers*: No campaign matches: none is named like “Flsh sale”." in shown
    assert "The store's campaigns, most recent first: " in shown and ", and 3 more." in shown
    buttons = [e for b in update.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["value"] for b in buttons] == ["how did lapsed customers do on Flash sale 48h?"]
    assert app.fake.of("files.getUploadURLExternal") == []  # no report, no chart
    app.click(buttons[0]["action_id"], buttons[0]["value"], ephemeral=False)
    rerun = app.fake.wait_calls("chat.update", 3)[-1]
    assert "*lapsed customers* on 1 campaign" in texts(rerun.args["blocks"])
