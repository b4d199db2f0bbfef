"""The app manifest asks Slack for what the code does and no more: the command, the events the
listeners answer, the scopes of the Web API methods the bot calls (found in its source), and, in
Socket Mode, no request URL; the README says where HTTP mode puts them."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from slack_sdk import WebClient

from bot.listeners.commands import COMMAND
from bot.serve import PATH

PROJECT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((PROJECT / "slack" / "manifest.json").read_text())
README = (PROJECT / "README.md").read_text()

#: The bot scopes each Web API method that Tailor calls needs (api.slack.com/methods). A method
#: called and missing here fails the test, so no new call goes out without its scope. (Bolt's own
#: `auth.test` needs none; Socket Mode's `apps.connections.open` uses the app-level token.)
METHOD_SCOPES: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "files_upload_v2": {"files:write"},
    "conversations_open": {"im:write"},  # a private chart goes to the asker's direct messages
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
    "usergroups_users_list": {"usergroups:read"},  # approvers named by a user group (TAILOR_APPROVERS)
}
#: The events the listeners answer, and the scope each needs.
EVENT_SCOPES = {"app_mention": {"app_mentions:read"}, "message.im": {"im:history"}, "app_home_opened": set()}
#: Where HTTP mode's request URLs go, as the README names them.
URL_FIELDS = (
    "features.slash_commands[0].url",
    "settings.event_subscriptions.request_url",
    "settings.interactivity.request_url",
)


def called_methods() -> set[str]:
    """Every Web API method called in `bot/`: a call of an attribute that is a WebClient method."""
    methods = set(vars(WebClient))
    found = set()
    for path in (PROJECT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                found |= {node.func.attr} & methods
    return found


def urls(node: Any, at: str = "") -> Iterator[str]:
    """The paths of every URL field in the manifest."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("url", "request_url"):
                yield f"{at}.{key}".lstrip(".")
            yield from urls(value, f"{at}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from urls(value, f"{at}[{i}]")


def test_the_scopes_are_those_of_the_methods_called_and_the_events_answered() -> None:
    called = called_methods()
    assert "files_upload_v2" in called and "conversations_open" in called  # the scan sees the calls
    assert called <= METHOD_SCOPES.keys(), f"say which scope these need: {called - METHOD_SCOPES.keys()}"
    needed = {"commands"}.union(*(METHOD_SCOPES[m] for m in called), *EVENT_SCOPES.values())
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed


def test_the_command_events_home_tab_and_interactivity_are_asked_for() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert sorted(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == sorted(EVENT_SCOPES)
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["interactivity"]["is_enabled"]


def test_socket_mode_has_no_request_urls_and_the_readme_says_where_http_mode_puts_them() -> None:
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert list(urls(MANIFEST)) == []
    assert all(f"`{field}`" in README for field in URL_FIELDS) and f"`{PATH}`" in README
