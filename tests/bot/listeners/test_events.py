"""Mentions and direct messages over the Events API: answered in place, once, with retries honoured."""

from __future__ import annotations

import uuid

from segments.service import SegmentService
from tests.bot.conftest import AS_OF, Tailor, opened_view
from tests.bot.listeners.test_commands import texts


def test_a_mention_is_answered_in_its_thread_reading_first(tailor) -> None:
    app: Tailor = tailor()
    app.slow.hold()
    reply = app.mention("lapsed customers in Germany")
    try:
        assert reply.status == 200 and reply.seconds < 1.0
        [reading] = app.fake.wait_calls("chat.postMessage")  # "Reading..." while the service is held
        assert app.slow.finished == 0
    finally:
        app.slow.release()
    assert reading.args["channel"] == "C1"
    assert reading.args["thread_ts"] == "1700000001.000100"
    assert "Reading" in texts(reading.args["blocks"])
    [update] = app.fake.wait_calls("chat.update")
    assert update.args["ts"].startswith("1700000000.")  # the "Reading..." message, replaced
    assert "in Germany" in texts(update.args["blocks"]) and "*Members*" in texts(update.args["blocks"])


def test_a_direct_message_is_answered_in_the_conversation(tailor) -> None:
    app: Tailor = tailor()
    assert app.direct("contacts in London").status == 200
    [reading] = app.fake.wait_calls("chat.postMessage")
    assert reading.args["channel"] == "D1" and "thread_ts" not in reading.args
    [update] = app.fake.wait_calls("chat.update")
    assert "Contacts in London" in texts(update.args["blocks"])


def test_tailors_own_messages_and_edits_are_left_alone(tailor) -> None:
    app: Tailor = tailor()
    own = {"type": "message", "bot_id": "BTAILOR", "text": "an answer", "ts": "1.1", "channel": "D1",
           "channel_type": "im"}  # fmt: skip
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "ts": "1.2",
        "channel": "D1",
        "channel_type": "im",
    }
    assert app.event(own).status == 200 and app.event(edit).status == 200
    app.direct("help")  # a person's message: answered, and the last thing the fake sees
    app.fake.wait_calls("chat.update")
    assert len(app.fake.of("chat.postMessage")) == 1


def test_a_retried_event_is_done_once(tailor) -> None:
    app: Tailor = tailor()
    retried = f"Ev{uuid.uuid4().hex[:12]}"
    first = app.mention("contacts in Paris", event_id=retried)
    again = app.mention(
        "contacts in Paris",
        event_id=retried,
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert (first.status, again.status) == (200, 200)
    app.fake.wait_calls("chat.update")
    app.mention("contacts in Lyon")  # a new event after the retry: its answer shows the retry left none
    app.fake.wait_calls("chat.update", 2)
    assert len(app.fake.of("chat.postMessage")) == 2
    assert app.slow.started.is_set()


def test_a_429_is_waited_out_as_retry_after_says(tailor) -> None:
    app: Tailor = tailor()
    app.fake.trouble("chat.postMessage", 429, retry_after=1)
    app.direct("contacts in Berlin")
    limited, posted = app.fake.wait_for(
        lambda calls: sum(c.method == "chat.postMessage" for c in calls) >= 2
    )[-2:]
    assert (limited.status, posted.status) == (429, 200)
    assert posted.at - limited.at >= 0.95  # waited the second Slack asked for
    app.fake.wait_calls("chat.update")


def test_a_500_is_retried(tailor) -> None:
    app: Tailor = tailor()
    app.fake.trouble("chat.update", 500, times=2)
    app.direct("contacts in Berlin")
    app.fake.wait_calls("chat.update")
    assert [c.status for c in app.fake.of("chat.update")] == [500, 500, 200]


def test_a_mention_from_someone_not_allowed_is_refused_with_no_data(tailor) -> None:
    app: Tailor = tailor(allowed_users=("U1",))
    assert app.mention("lapsed customers", user="U9").status == 200
    [refusal] = app.fake.wait_calls("chat.postEphemeral")
    assert refusal.args["user"] == "U9" and refusal.args["channel"] == "C1"
    assert "isn't open to you" in refusal.args["text"]
    assert app.fake.of("chat.postMessage") == [] and not app.slow.started.is_set()


def test_a_bad_signature_on_an_event_gets_401(tailor) -> None:
    app: Tailor = tailor()
    assert app.mention("lapsed customers", secret="wrong").status == 401
    assert app.fake.of("chat.postMessage") == []


def test_opening_the_home_tab_publishes_what_tailor_does_examples_and_the_saved_segments(
    tailor, demo_store
) -> None:
    app: Tailor = tailor()
    service = SegmentService(demo_store.engine)
    name = f"de repeat x{uuid.uuid4().hex[:8]}"  # a word of its own: hex digits alone may read as a number
    try:
        service.save(name, "custs in DE w/ 3+ orders", AS_OF)
        assert app.open_home(user="U4").status == 200
        [published] = app.fake.wait_calls("views.publish")
        view = opened_view(published)
        shown = texts(view["blocks"])
        assert published.args["user_id"] == "U4" and view["type"] == "home"
        assert "*Reports*" in shown and "*Comparisons*" in shown and "*Saved segments*" in shown
        assert "`/tailor contacts in New York`" in shown  # the demo data's biggest city
        assert "`/tailor how did contacts in New York do`" in shown
        assert f"*{name}*: Contacts in Germany and with at least 3 purchases" in shown
    finally:
        service.delete(name)


def test_the_messages_tab_and_someone_not_allowed_get_no_home_view(tailor) -> None:
    app: Tailor = tailor(allowed_users=("U1",))
    assert app.open_home(user="U1", tab="messages").status == 200
    assert app.open_home(user="U9").status == 200
    app.direct("contacts in Lyon")  # answered after both: by then the tabs had their turn
    app.fake.wait_calls("chat.update")
    assert app.fake.of("views.publish") == [] and app.fake.of("chat.postEphemeral") == []
