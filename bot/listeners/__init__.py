"""Slack listeners, one package per kind of request, in the shape of Bolt's starter template.

Every listener acknowledges at once (its `ack` function) and does the work in a lazy listener,
after Slack has had its answer: parse the payload, call the conversation (or, for campaigns, the
drafts: `bot.drafts`), deliver the blocks.
"""

from __future__ import annotations

from slack_bolt import App

from bot.conversation import Conversation
from bot.drafts import Drafts
from bot.listeners import actions, commands, events, views


def register_listeners(app: App, conversation: Conversation, drafts: Drafts) -> None:
    commands.register(app, conversation, drafts)
    events.register(app, conversation, drafts)
    actions.register(app, conversation, drafts)
    views.register(app, conversation, drafts)
