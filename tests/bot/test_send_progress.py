"""A send's progress in its thread, against the fake Slack: posted once, updated at most every few
seconds and always at the end, then a summary; a held send's question; 429s waited out; a
campaign without a thread left alone."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import campaign_blocks as cb
from bot.send_progress import SendProgress
from campaigns.models import AuditEntry, Campaign
from campaigns.states import Action, State
from delivery.dispatch import Progress
from tests.bot.fake_slack import FakeSlack, fake_slack

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def campaign(state: State = State.SENDING, thread: bool = True, **fields) -> Campaign:
    entry = {"at": AT, "by": "tailor", "action": Action.HELD, "state": State.HELD, "template_version": 1,
             "definition": {}, "count": 4388, "comment": "grew 4,210 -> 4,388 since approval"}  # fmt: skip
    return Campaign(
        id=12, name="Win-back DE", state=state, phrase="lapsed custs in DE", definition={},
        template="winback", template_version=1, subject=None, drafted_by="U01ALICE", approvals=["U02BOB"],
        approvals_required=1, count=5000, reachable=4388, approved_count=4800, approved_reachable=4210,
        channel="C1" if thread else None, thread_ts="1700000001.000100" if thread else None,
        created_at=AT, updated_at=AT, revision=3, audit=[AuditEntry(**entry)], **fields,
    )  # fmt: skip


def counts(sent: int = 0, unknown: int = 0, **more: int) -> dict[str, int]:
    return {"sent": sent, "skipped": 0, "failed": 0, "unknown": unknown, "queued": 0, "sending": 0} | more


class Unknowns:
    def __init__(self, contacts: Sequence[str] = ()) -> None:
        self.contacts = list(contacts)

    def unknown_contacts(self, campaign_id: int) -> Sequence[str]:
        return self.contacts


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with fake_slack() as running:
        yield running


def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.api_url)


def test_progress_is_posted_once_then_updated_at_a_sane_rate_and_summed_up(fake: FakeSlack) -> None:
    clock = Clock()
    notify = SendProgress(client(fake), Unknowns(["c0000012", "c0000099"]), interval=5, clock=clock)
    sending = campaign()
    notify(Progress(sending, counts(), 4388))
    for second, sent in ((1, 500), (2, 1000), (4, 1500)):  # within 5 s of the post: not shown
        clock.now = second
        notify(Progress(sending, counts(sent=sent), 4388))
    clock.now = 6
    notify(Progress(sending, counts(sent=2000), 4388))
    clock.now = 7
    done = counts(sent=4300, unknown=2, skipped=50, failed=36)
    notify(Progress(campaign(State.SENT), done, 4388, done=True))

    posts = fake.of("chat.postMessage")
    assert [p.args["thread_ts"] for p in posts] == ["1700000001.000100"] * 2
    assert posts[0].args["text"] == "sending: 0 of 4,388" and posts[0].args["channel"] == "C1"
    updates = fake.of("chat.update")
    assert [u.args["text"] for u in updates] == ["sending: 2,000 of 4,388", "sending: 4,388 of 4,388"]
    [ts] = {u.args["ts"] for u in updates}  # the one message, updated
    assert ts and {u.args["channel"] for u in updates} == {"C1"}
    summary = posts[1]
    assert summary.args["text"] == "Campaign 12 sent: 4,300 sent, 50 skipped, 36 failed, 2 unknown"
    shown = json.dumps(summary.args["blocks"])
    assert "unknown: handed to the mail server as the sender stopped" in shown
    assert "`c0000012`, `c0000099`" in shown and "never sent again unless someone asks" in shown


def test_a_send_with_no_unknowns_says_no_more_and_a_new_send_posts_anew(fake: FakeSlack) -> None:
    notify = SendProgress(client(fake), Unknowns(), clock=Clock())
    notify(Progress(campaign(State.SENT), counts(sent=10), 10, done=True))
    [progress, summary] = fake.of("chat.postMessage")
    assert progress.args["text"] == "sending: 10 of 10"
    assert "unknown:" not in json.dumps(summary.args["blocks"])


def test_a_held_send_asks_whom_to_send_it_to(fake: FakeSlack) -> None:
    notify = SendProgress(client(fake), Unknowns(), clock=Clock())
    notify(Progress(campaign(State.HELD), counts(), 4388, held=True))
    [asked] = fake.of("chat.postMessage")
    assert asked.args["thread_ts"] == "1700000001.000100"
    assert "grew 4,210 -> 4,388 since approval" in asked.args["text"]
    blocks = (
        asked.args["blocks"] if isinstance(asked.args["blocks"], list) else json.loads(asked.args["blocks"])
    )
    [buttons] = [b for b in blocks if b["type"] == "actions"]
    assert [(e["text"]["text"], e["action_id"], e["value"]) for e in buttons["elements"]] == [
        ("Send to all 4,388", cb.RELEASE_ALL, "12"),
        ("Send to the 4,210 approved", cb.RELEASE_APPROVED, "12"),
        ("Cancel", cb.CANCEL, "12"),
    ]


def test_a_campaign_drafted_on_the_command_line_has_no_thread_and_nothing_is_said(fake: FakeSlack) -> None:
    notify = SendProgress(client(fake), Unknowns(), clock=Clock())
    notify(Progress(campaign(thread=False), counts(), 10))
    notify(Progress(campaign(State.SENT, thread=False), counts(sent=10), 10, done=True))
    assert fake.calls == []


def test_a_rate_limited_update_is_waited_out_and_made(fake: FakeSlack) -> None:
    web = client(fake)
    clock = Clock()
    notify = SendProgress(web, Unknowns(), interval=5, clock=clock)
    assert any(isinstance(h, RateLimitErrorRetryHandler) for h in web.retry_handlers)
    notify(Progress(campaign(), counts(), 100))
    fake.trouble("chat.update", 429, retry_after=1)
    clock.now = 10
    notify(Progress(campaign(), counts(sent=50), 100))
    tried = fake.of("chat.update")
    assert [u.status for u in tried] == [429, 200] and tried[1].at - tried[0].at >= 0.9


def test_slack_failing_never_stops_the_send(fake: FakeSlack) -> None:
    notify = SendProgress(client(fake), Unknowns(), clock=Clock())
    fake.trouble("chat.postMessage", 400, times=5)
    notify(Progress(campaign(), counts(), 100))  # no exception: logged, the send goes on
