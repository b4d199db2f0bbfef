"""The app manifest asks Slack for what the listeners handle, and at the path HTTP mode serves."""

from __future__ import annotations

import json
from pathlib import Path

from bot.listeners.commands import COMMAND
from bot.serve import PATH

MANIFEST = json.loads((Path(__file__).resolve().parents[2] / "slack" / "manifest.json").read_text())


def test_the_command_events_and_interactivity_reach_the_one_path() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == COMMAND
    settings = MANIFEST["settings"]
    urls = [
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert all(url.endswith(PATH) for url in urls)
    assert settings["event_subscriptions"]["bot_events"] == ["app_mention", "message.im"]
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]


def test_the_scopes_cover_what_tailor_does() -> None:
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "app_mentions:read", "im:history", "files:write"} <= scopes
