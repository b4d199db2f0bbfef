"""A local fake of Slack's Web API (and of response URLs), on 127.0.0.1, for the bot's tests.

It answers the methods Tailor calls the way Slack does, records every call (method, arguments,
headers, arrival time), and can be told to answer the next calls of a method with 429 and a
`Retry-After`, or with 500, and to refuse the channels Tailor is not in (`not_in`). Point the app at
it with TAILOR_SLACK_API_URL = `fake.api_url`.

Files go up the way `files_upload_v2` sends them: `files.getUploadURLExternal` gives an upload URL
on the fake, the bytes are POSTed there (kept in `uploads` by file id; the call is "upload"), and
`files.completeUploadExternal` shares them in a channel or thread. `conversations.open` with a user
`U<n>` opens the direct conversation `D<n>` (U1's is D1, as the events of the tests have it).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Call:
    method: str  #: "chat.postMessage", or "response" for a response URL
    args: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    #: Slack's error, for a call answered `{"ok": false}` with 200 (a channel refused).
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class Trouble:
    status: int
    retry_after: int | None
    times: int


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        #: The bytes of each uploaded file, by file id.
        self.uploads: dict[str, bytes] = {}
        self.socket_url = ""
        #: User groups' members, for `usergroups.users.list`.
        self.groups: dict[str, list[str]] = {}
        self._trouble: dict[str, Trouble] = {}
        #: Channels Tailor is not in, and the error Slack gives for each.
        self._outside: dict[str, str] = {}
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}response/{name}"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def trouble(self, method: str, status: int, retry_after: int | None = None, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `status` (and `Retry-After`)."""
        self._trouble[method] = Trouble(status, retry_after, times)

    def not_in(self, channel: str, error: str = "not_in_channel") -> None:
        """Refuse every post, update, ephemeral message and file share in `channel` as Slack does
        where the bot is not a member: `not_in_channel` (a public channel) or `channel_not_found`
        (a private one, or a direct conversation between others)."""
        self._outside[channel] = error

    def of(self, method: str) -> list[Call]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, test: Callable[[list[Call]], bool], timeout: float = 60.0) -> list[Call]:
        """Wait until `test(calls)` holds; the calls then. A timeout fails with what came."""
        with self._changed:
            if not self._changed.wait_for(lambda: test(list(self.calls)), timeout):
                seen = [(c.method, c.status, c.error) for c in self.calls]
                raise AssertionError(f"the fake did not see what was awaited within {timeout:.0f} s: {seen}")
            return list(self.calls)

    def wait_calls(self, method: str, count: int = 1, timeout: float = 60.0) -> list[Call]:
        """The first `count` successful calls of `method`, once they came."""
        self.wait_for(lambda calls: len([c for c in calls if c.method == method and c.ok]) >= count, timeout)
        return [c for c in self.of(method) if c.ok][:count]

    # -- answering --------------------------------------------------------------------------------

    def answer(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict, Any]:
        trouble = self._trouble.get(method)
        if trouble and trouble.times > 0:
            trouble.times -= 1
            extra = {"Retry-After": str(trouble.retry_after)} if trouble.retry_after is not None else {}
            self._record(Call(method, args, headers, status=trouble.status))
            return (
                trouble.status,
                extra,
                {"ok": False, "error": "ratelimited" if trouble.status == 429 else "fatal"},
            )
        refused = self._outside.get(args.get("channel") or args.get("channel_id") or "")
        if refused and method in IN_A_CHANNEL:
            self._record(Call(method, args, headers, error=refused))
            return 200, {}, {"ok": False, "error": refused}
        self._record(Call(method, args, headers))
        return 200, {}, self._result(method, args)

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _result(self, method: str, args: dict[str, Any]) -> Any:
        ts = f"1700000000.{next(self._ts):06d}"
        view = {"id": "V0FAKE", "hash": f"hash-{ts}", **_decoded(args.get("view"))}
        results = {
            "auth.test": {"user_id": "UTAILOR", "bot_id": "BTAILOR", "team_id": "T0TEAM", "user": "tailor"},
            "chat.postMessage": {"channel": args.get("channel"), "ts": ts},
            "chat.update": {"channel": args.get("channel"), "ts": args.get("ts")},
            "chat.postEphemeral": {"message_ts": ts},
            "views.open": {"view": view},
            "views.update": {"view": view},
            "views.publish": {"view": view},
            "conversations.open": {"channel": {"id": "D" + str(args.get("users", ""))[1:]}},
            "apps.connections.open": {"url": self.socket_url},
            "usergroups.users.list": {"users": self.groups.get(str(args.get("usergroup")), [])},
            "files.getUploadURLExternal": {
                "file_id": f"F{ts[-6:]}",
                "upload_url": f"{self.url}upload/F{ts[-6:]}",
            },
            "files.completeUploadExternal": {
                "files": [{"id": f["id"], "title": f.get("title")} for f in _decoded_list(args.get("files"))]
            },
        }
        if method in ("response", "upload"):
            return "ok"
        return {"ok": True, **results.get(method, {})}


#: The methods that Slack refuses in a channel the bot is not in.
IN_A_CHANNEL = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "files.completeUploadExternal"}
)


def _decoded_list(value: Any) -> list:
    return json.loads(value) if isinstance(value, str) else value or []


def _decoded(value: Any) -> dict:
    if isinstance(value, str):
        return json.loads(value)
    return value or {}


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            data = self.rfile.read(length)
            if self.path.startswith("/upload/"):  # a file's bytes, as they are
                file_id = self.path.removeprefix("/upload/")
                fake.uploads[file_id] = data
                self.reply(*fake.answer("upload", {"file_id": file_id, "length": len(data)}, {}))
                return
            raw = data.decode("utf-8")
            if self.headers.get("content-type", "").startswith("application/json"):
                args = json.loads(raw or "{}")
            else:
                args = dict(parse_qsl(raw))
            path = self.path.split("?")[0]
            method = "response" if path.startswith("/response/") else path.removeprefix("/api/")
            if method == "response":
                args = args | {"_url": path}
            self.reply(*fake.answer(method, args, dict(self.headers.items())))

        def reply(self, status: int, extra: dict, body: Any) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "text/plain" if isinstance(body, str) else "application/json")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.stop()
