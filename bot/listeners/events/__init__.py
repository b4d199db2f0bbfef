from __future__ import annotations

import re

from slack_bolt import App

from bot.conversation import Conversation
from bot.drafts import Drafts
from bot.listeners.answering import just_ack
from bot.listeners.events.home import is_home_tab, publish_home
from bot.listeners.events.messages import answer_event, is_direct_message


def register(app: App, conversation: Conversation, drafts: Drafts) -> None:
    answer = answer_event(conversation, drafts)
    app.event("app_mention")(ack=just_ack, lazy=[answer])
    app.event("message", matchers=[is_direct_message])(ack=just_ack, lazy=[answer])
    app.event("app_home_opened", matchers=[is_home_tab])(ack=just_ack, lazy=[publish_home(conversation)])
    # Every other message (Tailor's own, edits, channel chatter) is acknowledged and left alone;
    # so is any event type subscribed to but not answered: a 404 would make Slack send it again.
    app.event("message")(just_ack)
    app.event(re.compile(".*"))(just_ack)
