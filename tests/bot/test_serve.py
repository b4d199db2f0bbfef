"""Starting Tailor for Slack: `python app.py` in HTTP mode end to end, and Socket Mode with Bolt's
own socket-mode client against a local fake of Slack's WebSocket endpoint."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.server import ServerConnection, serve

from bot.app import create_app
from bot.serve import socket_handler
from settings import Settings
from tests.bot import signing
from tests.bot.conftest import DemoStore, build_test_services
from tests.bot.fake_slack import FakeSlack
from tests.bot.listeners.test_commands import texts

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_python_app_py_serves_slack_over_http(fake: FakeSlack, demo_store: DemoStore) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAILOR_", "SLACK_"))} | {
        "TAILOR_DATABASE_URL": demo_store.database.url, "TAILOR_DEMO_DATA": "false",
        "TAILOR_SLACK_API_URL": fake.api_url, "TAILOR_PORT": str(port),
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": signing.SECRET,
    }  # fmt: skip
    with subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:  # the context closes the pipe
        try:
            said = listening_line(process, port)
            assert said.startswith("Tailor is listening for Slack"), said
            body, kind = signing.form({"command": "/tailor", "text": "lapsed customers", "user_id": "U1",
                                       "channel_id": "C1", "team_id": "T0TEAM",
                                       "response_url": fake.response_url("from-app-py")})  # fmt: skip
            reply = signing.send(f"http://127.0.0.1:{port}/slack/events", body, kind)
            assert reply.status == 200 and "Reading" in reply.body
            [answer] = fake.wait_calls("response")
            assert "Contacts who are lapsed customers" in texts(answer.args["blocks"])
            assert fake.of("auth.test"), "the bot token is checked at start"
        finally:
            process.terminate()
            process.wait(10)


def listening_line(process: subprocess.Popen, port: int) -> str:
    """The line saying where it listens, or all it said before it ended."""
    said = []
    for line in process.stdout:
        said.append(line)
        if f"http://127.0.0.1:{port}/slack/events" in line:
            return line
    return "".join(said)


def test_a_bot_token_alone_stops_start_up_with_one_line(run_app) -> None:
    done = run_app("start", env={"SLACK_BOT_TOKEN": "xoxb-test", "TAILOR_DEMO_DATA": "false"})
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "tailor: SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: needed beside the Slack token that is set"
    )


class FakeSocket:
    """Slack's Socket Mode endpoint, faked: says hello, sends envelopes, records the acks."""

    def __init__(self, envelopes: list[dict]) -> None:
        self.envelopes, self.acks = envelopes, []
        self.acked = threading.Event()
        self.server = serve(self.talk, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link"

    def talk(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        for envelope in self.envelopes:
            connection.send(json.dumps(envelope))
        for message in connection:
            self.acks.append(json.loads(message))
            if len(self.acks) == len(self.envelopes):
                self.acked.set()


@pytest.fixture
def fake_socket(fake: FakeSlack) -> Iterator[FakeSocket]:
    command = {"command": "/tailor", "text": "contacts in Paris", "user_id": "U1", "channel_id": "C1",
               "team_id": "T0TEAM", "response_url": fake.response_url("socket")}  # fmt: skip
    mention = {"type": "event_callback", "team_id": "T0TEAM", "event_id": "EvSOCKET1",
               "event": {"type": "app_mention", "user": "U1", "text": "<@UTAILOR> contacts in London",
                         "ts": "1.5", "channel": "C1", "channel_type": "channel"}}  # fmt: skip
    mention["event_id"] = f"EvSOCKET{time.time_ns()}"
    socket_fake = FakeSocket([
        {"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
         "payload": command},
        {"envelope_id": "env-2", "type": "events_api", "accepts_response_payload": False,
         "retry_attempt": 0, "retry_reason": "", "payload": mention},
    ])  # fmt: skip
    fake.socket_url = socket_fake.url
    yield socket_fake
    socket_fake.server.shutdown()


def test_socket_mode_acks_envelopes_and_answers(fake: FakeSlack, fake_socket: FakeSocket, demo_store) -> None:
    settings = Settings(
        database_url=demo_store.database.url, demo_data=False, slack_bot_token="xoxb-test",
        slack_app_token="xapp-test", slack_api_url=fake.api_url,
    )  # fmt: skip
    assert settings.mode == "socket"
    app = create_app(settings, build_test_services(settings, demo_store))
    handler = socket_handler(app, settings)
    handler.connect()
    try:
        assert fake_socket.acked.wait(20), fake_socket.acks
        [opened] = fake.of("apps.connections.open")
        assert opened.headers["Authorization"] == "Bearer xapp-test"  # the app token, through base_url
        acks = {ack["envelope_id"]: ack for ack in fake_socket.acks}
        assert "Reading" in json.dumps(acks["env-1"]["payload"])  # the command's ack carries "Reading..."
        [answer] = fake.wait_calls("response")
        assert "Contacts in Paris" in texts(answer.args["blocks"])
        [update] = fake.wait_calls("chat.update")
        assert "Contacts in London" in texts(update.args["blocks"])
    finally:
        handler.close()
        app.listener_runner.listener_executor.shutdown(wait=True)


def test_an_unreachable_slack_stops_start_up_with_one_line_and_no_traceback(run_app, tmp_path: Path) -> None:
    with socket.socket() as closed:  # a port that nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s", "TAILOR_DEMO_DATA": "false",
           "TAILOR_SLACK_API_URL": f"http://127.0.0.1:{port}/api/"}  # fmt: skip
    done = run_app("start", "--db", f"sqlite:///{tmp_path / 'tailor.db'}", env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"tailor: could not reach Slack at http://127.0.0.1:{port}/api/: [Errno 111] Connection refused"
    )
