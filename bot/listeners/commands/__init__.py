from __future__ import annotations

from slack_bolt import App

from bot.conversation import Conversation
from bot.drafts import Drafts
from bot.listeners.commands.tailor import tailor_command

COMMAND = "/tailor"


def register(app: App, conversation: Conversation, drafts: Drafts) -> None:
    ack, answer = tailor_command(conversation, drafts)
    app.command(COMMAND)(ack=ack, lazy=[answer])
