"""Slack listeners, one package per kind of request, in the shape of Bolt's starter template.

Every listener acknowledges at once (its `ack` function) and does the work in a lazy listener,
after Slack has had its answer: parse the payload, call the conversation, deliver the blocks.
"""

from __future__ import annotations

from slack_bolt import App

from bot.conversation import Conversation
from bot.listeners import actions, commands, events, views


def register_listeners(app: App, conversation: Conversation) -> None:
    commands.register(app, conversation)
    events.register(app, conversation)
    actions.register(app, conversation)
    views.register(app, conversation)
