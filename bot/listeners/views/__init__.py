from __future__ import annotations

from slack_bolt import App

from bot import blocks
from bot.conversation import Conversation
from bot.listeners.views import modals


def register(app: App, conversation: Conversation) -> None:
    app.view(blocks.SAVE_VIEW)(ack=modals.ack_save, lazy=[modals.save(conversation)])
    app.view(blocks.REFINE_VIEW)(ack=modals.ack_refine, lazy=[modals.refine(conversation)])
