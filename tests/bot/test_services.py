"""The services the Slack app and the console stand on take their settings."""

from __future__ import annotations

import io

from bot.console import Console
from bot.services import build_services
from settings import Settings
from store.db import create_store_engine


def test_reports_in_slack_and_the_console_use_the_attribution_window_of_the_settings(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'tailor.db'}"
    settings = Settings(database_url=url, demo_data=False, attribution_days=9)
    engine = create_store_engine(settings.database_url)
    try:
        slack = build_services(settings, engine).conversation.reports
        console = Console(engine, settings, stdout=io.StringIO()).conversation.reports
        assert slack.attribution_days == console.attribution_days == 9
    finally:
        engine.dispose()
