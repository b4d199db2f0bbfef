from __future__ import annotations

import re

from slack_bolt import App

from bot import blocks
from bot import campaign_blocks as cb
from bot.conversation import Conversation
from bot.drafts import Drafts
from bot.listeners.actions import buttons, campaigns
from bot.listeners.answering import just_ack


def register(app: App, conversation: Conversation, drafts: Drafts) -> None:
    app.action(blocks.SAMPLE)(ack=just_ack, lazy=[buttons.sample(conversation)])
    app.action(blocks.SAVE)(ack=just_ack, lazy=[buttons.open_save()])
    app.action(blocks.REFINE)(ack=just_ack, lazy=[buttons.open_refine(conversation)])
    app.action(blocks.PERFORMANCE)(ack=just_ack, lazy=[buttons.performance(conversation)])
    app.action(blocks.SHARE)(ack=just_ack, lazy=[buttons.share(conversation)])
    app.action(re.compile(rf"^{blocks.RERUN}_\d+$"))(ack=just_ack, lazy=[buttons.rerun(conversation)])
    app.action(re.compile(rf"^{blocks.ASK}_\d+$"))(ack=just_ack, lazy=[buttons.ask(conversation)])
    app.action(blocks.DRAFT)(ack=just_ack, lazy=[campaigns.open_draft(drafts)])
    app.action(cb.APPROVE)(ack=just_ack, lazy=[campaigns.approve(drafts)])
    app.action(cb.REQUEST_CHANGES)(ack=just_ack, lazy=[campaigns.open_comment(cb.CHANGES_VIEW)])
    app.action(cb.REJECT)(ack=just_ack, lazy=[campaigns.open_comment(cb.REJECT_VIEW)])
    app.action(cb.HISTORY)(ack=just_ack, lazy=[campaigns.history(drafts)])
    app.action(cb.SCHEDULE)(ack=just_ack, lazy=[campaigns.open_schedule(drafts)])
    app.action(cb.CANCEL)(ack=just_ack, lazy=[campaigns.cancel(drafts)])
    app.action(cb.RELEASE_ALL)(ack=just_ack, lazy=[campaigns.release(drafts, "all")])
    app.action(cb.RELEASE_APPROVED)(ack=just_ack, lazy=[campaigns.release(drafts, "approved")])
