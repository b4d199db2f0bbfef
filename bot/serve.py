"""Running the Slack app: over HTTP (Slack calls us) or Socket Mode (we call Slack).

HTTP mode serves Bolt through its WSGI adapter on waitress, a multi-threaded production WSGI
server, at http://TAILOR_HOST:TAILOR_PORT/slack/events (events, commands and interactivity).
`bot.guard` stands in front: unsigned or malformed requests never reach Bolt, and waitress refuses
a body over `MAX_BODY` before reading it.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from waitress.server import create_server

from bot.app import create_app
from bot.guard import MAX_BODY, Guard
from bot.send_progress import SendProgress
from bot.services import build_services
from delivery.worker import beside
from personalization.demo import install_demo_templates
from settings import Settings
from store.db import create_store_engine
from store.demo import load_demo_if_empty
from store.migrate import upgrade

PATH = "/slack/events"
#: Request threads: acks run in them, the work does not.
THREADS = 32
#: How long a thread may hold the interpreter while others wait (Python's default is 5 ms).
SWITCH_SECONDS = 0.0005

log = logging.getLogger(__name__)


def http_server(app: App, settings: Settings):
    """A waitress server for the app, bound (port 0 picks a free one) but not yet serving."""
    # The work runs in threads of this process. Python hands the interpreter from thread to
    # thread every 5 ms by default: an ack waiting behind a reading could wait a few of those.
    sys.setswitchinterval(SWITCH_SECONDS)
    guarded = Guard(SlackRequestHandler(app, path=PATH), settings.slack_signing_secret or "")
    return create_server(
        guarded, host=settings.host, port=settings.port, threads=THREADS, max_request_body_size=MAX_BODY
    )


def serve_http(app: App, settings: Settings) -> None:
    server = http_server(app, settings)
    log.info("Tailor listens on http://%s:%s%s", settings.host, server.effective_port, PATH)
    print(
        f"Tailor is listening for Slack on http://{settings.host}:{server.effective_port}{PATH}", flush=True
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def socket_handler(app: App, settings: Settings) -> SocketModeHandler:
    """Bolt's Socket Mode handler; it opens its connection with the app's Web client."""
    return SocketModeHandler(app, app_token=settings.slack_app_token)


def serve_socket(app: App, settings: Settings) -> None:
    print("Tailor is connecting to Slack over Socket Mode.", flush=True)
    socket_handler(app, settings).start()


def run_slack(settings: Settings) -> int:
    """Open the store (with the demo data when empty and asked for), then serve Slack in the
    mode the settings choose, until interrupted. 2 when Slack refuses the bot token or cannot be
    reached, with one line that says so."""
    engine = create_store_engine(settings.database_url)
    upgrade(engine)
    if settings.demo_data:
        now = datetime.now(UTC).replace(microsecond=0)
        load_demo_if_empty(engine, as_of=now, zone=settings.zone, pricing=settings.pricing())
        install_demo_templates(engine, settings.currency)
    services = build_services(settings, engine)
    try:
        app = create_app(settings, services)
    except BoltError as exc:
        print(f"tailor: Slack did not accept SLACK_BOT_TOKEN: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # URLError too: no network, a wrong TAILOR_SLACK_API_URL, a proxy
        reason = getattr(exc, "reason", None) or exc
        print(f"tailor: could not reach Slack at {settings.slack_api_url}: {reason}", file=sys.stderr)
        return 2
    sender = beside(settings, engine, services.campaigns, SendProgress(app.client, services.campaigns))
    try:
        if settings.mode == "socket":
            serve_socket(app, settings)
        else:
            serve_http(app, settings)
    finally:
        if sender is not None:
            sender.stop()
        engine.dispose()
    return 0
