from __future__ import annotations

import re

from slack_bolt import App

from bot import blocks
from bot.conversation import Conversation
from bot.listeners.actions import buttons
from bot.listeners.answering import just_ack


def register(app: App, conversation: Conversation) -> None:
    app.action(blocks.SAMPLE)(ack=just_ack, lazy=[buttons.sample(conversation)])
    app.action(blocks.SAVE)(ack=just_ack, lazy=[buttons.open_save()])
    app.action(blocks.REFINE)(ack=just_ack, lazy=[buttons.open_refine(conversation)])
    app.action(blocks.PERFORMANCE)(ack=just_ack, lazy=[buttons.performance(conversation)])
    app.action(blocks.SHARE)(ack=just_ack, lazy=[buttons.share(conversation)])
    app.action(re.compile(rf"^{blocks.RERUN}_\d+$"))(ack=just_ack, lazy=[buttons.rerun(conversation)])
    app.action(re.compile(rf"^{blocks.ASK}_\d+$"))(ack=just_ack, lazy=[buttons.ask(conversation)])
