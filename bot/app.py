"""The Bolt app: `create_app(settings, services)` wires the checks and the listeners.

Bolt verifies every request's signature first (a bad or stale one gets 401 and no work), then
`gate.once` drops Events API redeliveries and `gate.allowed` turns away whoever is not allowed.
Listeners acknowledge at once and work in lazy listeners on the app's thread pool. With
`process_before_response` the acknowledgement runs in the request's own thread, so acks never queue
behind the work in that pool (the work may be slow; the ack must be back within 3 s).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from bot import gate
from bot.drafts import Drafts
from bot.listeners import register_listeners
from bot.replies import Replies, retry_handlers
from bot.services import Services, with_user_groups
from settings import Settings

WORKERS = 16


class _OwnClient(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN goes unused whenever it is set and a client is given; the
    client Tailor gives is made from that very token (with its API URL and retries), so the
    warning would only stand before the line that matters."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


logging.getLogger(f"slack_bolt.{App.__name__}").addFilter(_OwnClient())


def web_client(settings: Settings) -> WebClient:
    """The Web API client: Slack's, or the one TAILOR_SLACK_API_URL names; retries built in."""
    return WebClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, retry_handlers=retry_handlers()
    )


def create_app(settings: Settings, services: Services, client: WebClient | None = None) -> App:
    """The app for either mode (HTTP or Socket Mode); checks the bot token with `auth.test`."""
    client = client or web_client(settings)
    worker = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="tailor-slack")
    app = App(
        name="tailor",
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=True,
        listener_executor=worker,
    )
    with_user_groups(services, client)
    app.use(gate.once(services.seen))
    app.use(gate.allowed(services.access, services.conversation.refusal, Replies(client), worker))
    register_listeners(app, services.conversation, Drafts(services.campaigns))
    return app
