"""The campaigns Tailor drafts: their approval, who did what, and the moves a campaign may make.

    campaigns = CampaignService(engine, previews, approvers=Approvers(["U02BOB"]))
    drafted = campaigns.draft("Win-back DE", "lapsed custs in DE", "winback", by="U01ALICE")
    campaigns.approve(drafted.campaign.id, by="U02BOB")

Knows nothing of Slack: the bot, the console and the command line call the same service with the
user id their request carries.
"""
