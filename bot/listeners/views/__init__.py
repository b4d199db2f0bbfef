from __future__ import annotations

from slack_bolt import App

from bot import blocks
from bot import campaign_blocks as cb
from bot import send_blocks as sb
from bot.conversation import Conversation
from bot.drafts import Drafts
from bot.listeners.views import campaigns, modals


def register(app: App, conversation: Conversation, drafts: Drafts) -> None:
    app.view(blocks.SAVE_VIEW)(ack=modals.ack_save, lazy=[modals.save(conversation)])
    app.view(blocks.REFINE_VIEW)(ack=modals.ack_refine, lazy=[modals.refine(conversation)])
    app.view(cb.DRAFT_VIEW)(ack=campaigns.ack_draft, lazy=[campaigns.draft(drafts)])
    app.view(cb.CHANGES_VIEW)(ack=campaigns.ack_comment, lazy=[campaigns.comment(drafts)])
    app.view(cb.REJECT_VIEW)(ack=campaigns.ack_comment, lazy=[campaigns.comment(drafts)])
    app.view(sb.SCHEDULE_VIEW)(ack=campaigns.ack_schedule(drafts), lazy=[campaigns.schedule(drafts)])
