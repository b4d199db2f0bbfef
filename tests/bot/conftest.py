"""The bot's test bench: the demo store once per database, a fake Slack, and Tailor in HTTP mode
on a loopback port, reached with signed requests.

`tailor(**settings)` starts the real app (Bolt, the WSGI adapter, waitress) against the fake's Web
API; its segment service can be held (`tailor.slow.hold()`) to show that acknowledgements do not
wait for the work.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from waitress import wasyncore

from bot.app import create_app
from bot.conversation import Conversation
from bot.gate import Access
from bot.serve import PATH, http_server
from bot.services import Services
from campaigns.service import Approvers, CampaignService
from personalization.demo import install_demo_templates
from personalization.preview import Previewer
from segments.service import SegmentService
from settings import Settings
from store.demo import load_demo_if_empty
from store.seen import SeenRequests
from tests.bot import signing
from tests.bot.fake_slack import FakeSlack, fake_slack
from tests.conftest import DATABASES, Database, session_store

#: The demo data's "now": answers are the same on every run.
AS_OF = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoStore:
    database: Database
    engine: Engine


@pytest.fixture(scope="session", params=DATABASES)
def demo_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoStore]:
    """The demo data, loaded once per database for the bot's tests."""
    with session_store(request, tmp_path_factory.mktemp(f"bot-{request.param}")) as (database, engine):
        load_demo_if_empty(engine, as_of=AS_OF, zone=UTC)
        install_demo_templates(engine, Settings(demo_data=False).currency)
        yield DemoStore(database, engine)


class SlowSegments:
    """The segment service, but its answers can be held until released: a slow store, on demand."""

    def __init__(self, service: SegmentService) -> None:
        self.service = service
        self.started = threading.Event()
        self._release = threading.Event()
        self._release.set()
        self.finished = 0

    def hold(self) -> None:
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    def answer(self, *args: Any, **kwargs: Any):
        self.started.set()
        assert self._release.wait(30), "the test never released the segment service"
        found = self.service.answer(*args, **kwargs)
        self.finished += 1
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.service, name)


@dataclass
class Tailor:
    """The running app and what to send it."""

    url: str
    fake: FakeSlack
    slow: SlowSegments
    campaigns: CampaignService
    secret: str = signing.SECRET
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def send(self, body: bytes, content_type: str, **kwargs: Any) -> signing.Reply:
        return signing.send(self.url, body, content_type, secret=kwargs.pop("secret", self.secret), **kwargs)

    def command(self, text: str, user: str = "U1", channel: str = "C1", **kwargs: Any) -> signing.Reply:
        n = next(self._ids)
        fields = {
            "token": "unused", "team_id": "T0TEAM", "channel_id": channel, "user_id": user,
            "command": "/tailor", "text": text, "trigger_id": f"trigger-{n}",
            "response_url": self.fake.response_url(f"command-{n}"),
        }  # fmt: skip
        return self.send(*signing.form(fields), **kwargs)

    def event(self, event: dict[str, Any], event_id: str | None = None, **kwargs: Any) -> signing.Reply:
        body = {
            "type": "event_callback", "team_id": "T0TEAM", "api_app_id": "A0TAILOR",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:12].upper()}", "event_time": 1700000000,
            "authorizations": [{"team_id": "T0TEAM", "user_id": "UTAILOR", "is_bot": True}],
            "event": event,
        }  # fmt: skip
        return self.send(*signing.event(body), **kwargs)

    def mention(self, text: str, user: str = "U1", channel: str = "C1", **kwargs: Any) -> signing.Reply:
        event = {"type": "app_mention", "user": user, "text": f"<@UTAILOR> {text}", "ts": "1700000001.000100",
                 "channel": channel, "channel_type": "channel"}  # fmt: skip
        return self.event(event, **kwargs)

    def direct(self, text: str, user: str = "U1", channel: str = "D1", **kwargs: Any) -> signing.Reply:
        event = {"type": "message", "user": user, "text": text, "ts": "1700000002.000100",
                 "channel": channel, "channel_type": "im"}  # fmt: skip
        return self.event(event, **kwargs)

    def open_home(self, user: str = "U1", tab: str = "home") -> signing.Reply:
        """Someone opens one of Tailor's tabs (Home or Messages) in Slack."""
        event = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": tab,
                 "event_ts": "1700000004.000100"}  # fmt: skip
        return self.event(event)

    def click(
        self, action_id: str, value: str, user: str = "U1", ephemeral: bool = True, channel: str = "C1"
    ) -> signing.Reply:
        return self.send(*self.click_body(action_id, value, user, ephemeral, channel))

    def click_body(
        self,
        action_id: str,
        value: str,
        user: str = "U1",
        ephemeral: bool = True,
        channel: str = "C1",
        message: dict[str, Any] | None = None,
    ) -> tuple[bytes, str]:
        """A click's signed request's body: `message` is the one clicked (its ts and blocks), as
        Slack sends it for a button in a channel's message."""
        n = next(self._ids)
        ts = (message or {}).get("ts", "1700000003.000100")
        container = {"type": "message", "message_ts": ts, "channel_id": channel,
                     "is_ephemeral": ephemeral}  # fmt: skip
        body = {
            "type": "block_actions", "user": {"id": user}, "team": {"id": "T0TEAM"},
            "api_app_id": "A0TAILOR", "trigger_id": f"trigger-{n}", "container": container,
            "channel": {"id": channel}, "response_url": self.fake.response_url(f"action-{n}"),
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
        }  # fmt: skip
        if not ephemeral:
            body["message"] = message or {"ts": "1700000003.000100", "text": "an answer"}
        return signing.payload(body)

    def submit(
        self, view: dict[str, Any], values: dict[str, dict[str, Any]], user: str = "U1"
    ) -> signing.Reply:
        """A modal submitted with `values`: {block: {action: text}}, or {block: {action: state}}
        for an element other than a text input (a select's `{"selected_option": ...}`)."""

        def entry(text: Any) -> dict[str, Any]:
            return text if isinstance(text, dict) else {"type": "plain_text_input", "value": text}

        state = {block: {action: entry(text)} for block, (action, text) in
                 ((block, next(iter(inputs.items()))) for block, inputs in values.items())}  # fmt: skip
        submitted = {**view, "id": "V0FAKE", "state": {"values": state}}
        body = {"type": "view_submission", "user": {"id": user}, "team": {"id": "T0TEAM"},
                "api_app_id": "A0TAILOR", "view": submitted}  # fmt: skip
        return self.send(*signing.payload(body))


def build_test_services(settings: Settings, demo_store: DemoStore) -> Services:
    """The real services on the demo store, with the segment service slowable and the clock fixed."""
    slow = SlowSegments(SegmentService(demo_store.engine, zone=UTC, min_test_size=settings.min_test_size))
    previews = Previewer(demo_store.engine, slow.service, settings.letterhead())
    return Services(
        conversation=Conversation(slow, clock=lambda: AS_OF),
        seen=SeenRequests(demo_store.engine),
        access=Access(settings.allowed_channels, settings.allowed_users),
        campaigns=CampaignService(
            demo_store.engine,
            previews,
            Approvers(settings.approvers),
            approvals_required=settings.approvals_required,
            clock=lambda: AS_OF,
        ),
    )


def opened_view(call) -> dict[str, Any]:
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with fake_slack() as running:
        yield running


@pytest.fixture
def tailor(demo_store: DemoStore, fake: FakeSlack, tmp_path: Path) -> Iterator[Callable[..., Tailor]]:
    """`tailor(allowed_users=("U1",))`: the app in HTTP mode on a free loopback port."""
    servers = []

    def start(**overrides: Any) -> Tailor:
        settings = Settings(
            database_url=demo_store.database.url, demo_data=False, slack_bot_token="xoxb-test",
            slack_signing_secret=signing.SECRET, slack_api_url=fake.api_url, host="127.0.0.1", port=0,
            **overrides,
        )  # fmt: skip
        services = build_test_services(settings, demo_store)
        app = create_app(settings, services)
        server = http_server(app, settings)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread, app))
        slow = services.conversation.segments
        url = f"http://127.0.0.1:{server.effective_port}{PATH}"
        return Tailor(url=url, fake=fake, slow=slow, campaigns=services.campaigns)

    yield start
    for server, thread, app in servers:
        stop(server, thread)
        app.listener_runner.listener_executor.shutdown(wait=True)  # the work in flight ends first


def stop(server, thread: threading.Thread) -> None:
    """Stop waitress from this thread: its task threads end, its loop closes every socket and
    ends, and then, from here, its trigger is closed.

    This order fixes a teardown that failed about one run in five with EBADF. The loop runs the
    trigger's thunks whenever a byte is in the trigger's pipe, and task threads write one after
    each response: a byte of theirs, written before ours or still unread, ran our thunk between
    `pull_trigger` adding it and writing our own byte. The thunk used to close every channel, the
    trigger too, so our write met a closed pipe. Now the thunk leaves the trigger open (out of the
    loop's map only) and it is closed once the loop is over; the task threads end first, so none
    writes to a closed trigger, nor to its descriptor numbers once the next test's server has them.
    """

    def close_channels() -> None:
        for channel in list(server._map.values()):
            if channel is server.trigger:
                channel.del_channel()
            elif channel is server:
                # The listening socket alone: server.close() would close the trigger too.
                wasyncore.dispatcher.close(server)
            else:
                channel.close()

    server.task_dispatcher.shutdown()
    server.trigger.pull_trigger(close_channels)
    thread.join(10)
    server.trigger.close()
