"""The App Home tab, published whenever someone opens it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.conversation import Conversation


def is_home_tab(event: dict[str, Any]) -> bool:
    """`app_home_opened` comes for the Messages tab too; only the Home tab shows a view."""
    return event.get("tab") == "home"


def publish_home(conversation: Conversation) -> Callable[..., None]:
    def publish(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view=conversation.home())

    return publish
