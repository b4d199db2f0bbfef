"""Settings: defaults, the environment on top, and one clear line for a bad value."""

from __future__ import annotations

import os
import socket
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No TAILOR_ variable of the shell, and a working directory without a `.env` file."""
    for name in os.environ:
        if name.startswith("TAILOR_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_sqlite_in_the_working_directory_and_utc(tmp_path):
    settings = load_settings()

    assert settings.database_url == f"sqlite:///{tmp_path / 'tailor.db'}"
    assert (settings.timezone, settings.zone) == ("UTC", ZoneInfo("UTC"))
    assert settings.slack_bot_token is None


def test_environment_variables_override_the_defaults(monkeypatch):
    monkeypatch.setenv("TAILOR_DATABASE_URL", "postgresql://tailor@db.example.com/tailor")
    monkeypatch.setenv("TAILOR_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")

    settings = load_settings()

    assert settings.database_url == "postgresql://tailor@db.example.com/tailor"
    assert settings.zone == ZoneInfo("Europe/Berlin")
    assert settings.slack_bot_token == "xoxb-test"


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path):
    (tmp_path / ".env").write_text("TAILOR_TIMEZONE=America/New_York\n")

    assert load_settings().timezone == "America/New_York"


def test_command_line_options_win_and_absent_ones_are_ignored(monkeypatch):
    monkeypatch.setenv("TAILOR_DATABASE_URL", "sqlite:///from-env.db")

    assert load_settings(database_url="sqlite:///from-option.db").database_url == "sqlite:///from-option.db"
    assert load_settings(database_url=None).database_url == "sqlite:///from-env.db"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TAILOR_TIMEZONE", "Mars/Olympus", "TAILOR_TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("TAILOR_DATABASE_URL", "not a url", "TAILOR_DATABASE_URL: not a database URL: 'not a url'"),
        (
            "TAILOR_DATABASE_URL",
            "mysql://a:b@h/x",
            "TAILOR_DATABASE_URL: Tailor keeps its store in SQLite or",
        ),
        ("TAILOR_CURRENCY", "dollars", "TAILOR_CURRENCY: 'dollars' is not a currency code"),
        (
            "TAILOR_CURRENCY",
            "XAU",
            "TAILOR_CURRENCY: no rates for 'XAU' from the ECB (TAILOR_RATES_FILE can add it)",
        ),
        ("TAILOR_RATES_FILE", "/nowhere/rates.csv", "TAILOR_RATES_FILE: no such file: '/nowhere/rates.csv'"),
    ],
)
def test_a_bad_setting_raises_an_error_naming_its_variable(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError) as error:
        load_settings()

    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("variable", "value"), [("TAILOR_TIMEZONE", "Mars/Olympus"), ("TAILOR_DATABASE_URL", "not a url")]
)
def test_the_command_line_stops_on_a_bad_setting_with_one_line(run_app, tmp_path, variable, value):
    result = run_app("import", "--contacts", tmp_path / "contacts.csv", env={variable: value})

    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"tailor: {variable}: ")
    assert value in line


def test_slack_settings_choose_the_mode(monkeypatch):
    assert load_settings().mode == "console"
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    assert load_settings().mode == "http"
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    assert load_settings().mode == "socket"
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    with pytest.raises(SettingsError, match=r"^SLACK_BOT_TOKEN: needed beside"):
        load_settings().mode  # noqa: B018


def test_http_mode_and_access_settings(monkeypatch):
    defaults = load_settings()
    assert (defaults.host, defaults.port, defaults.slack_api_url) == (
        "127.0.0.1",
        3000,
        "https://slack.com/api/",
    )
    assert (defaults.allowed_channels, defaults.allowed_users) == ((), ())
    monkeypatch.setenv("TAILOR_PORT", "8080")
    monkeypatch.setenv("TAILOR_SLACK_API_URL", "http://127.0.0.1:9000/api")
    monkeypatch.setenv("TAILOR_ALLOWED_CHANNELS", "C1, C2,")
    monkeypatch.setenv("TAILOR_ALLOWED_USERS", "U1")
    settings = load_settings()
    assert settings.port == 8080 and settings.slack_api_url == "http://127.0.0.1:9000/api/"
    assert settings.allowed_channels == ("C1", "C2") and settings.allowed_users == ("U1",)
    monkeypatch.setenv("TAILOR_SLACK_API_URL", "slack.com")
    with pytest.raises(SettingsError, match=r"^TAILOR_SLACK_API_URL: not an http"):
        load_settings()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://tailor:s3cret@db:54x2/tailor",  # a port that is not a number
        "postgres ql://tailor:s3:cr@t@db/tailor",  # a space in the scheme, '@' in the password
        "postgresql//tailor:s3cret@db/tailor",  # no colon after the scheme
    ],
)
def test_a_malformed_database_url_is_shown_without_its_password(monkeypatch, url):
    monkeypatch.setenv("TAILOR_DATABASE_URL", url)

    with pytest.raises(SettingsError) as error:
        load_settings()

    assert "s3" not in str(error.value) and "tailor:***@db" in str(error.value)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("sqlite:///{tmp}/no-such-folder/tailor.db", "unable to open database file"),
        ("postgresql://tailor:s3cret@127.0.0.1:{port}/tailor", "Connection refused"),
    ],
)
def test_a_store_that_cannot_be_opened_is_one_line_without_its_password(run_app, tmp_path, url, said):
    with socket.socket() as unused:  # a port that nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = run_app("segment", "contacts in Paris", "--db", url.format(tmp=tmp_path, port=port))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("tailor: could not open the store at ") and said in line
    assert "s3cret" not in line


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "No such file or directory"),
        (b"contacts in Berlin\nlapsed in M\xfcnchen\n", "line 2 is not UTF-8"),
    ],
)
def test_a_batch_file_that_cannot_be_read_is_one_line(run_app, tmp_path, content, said):
    batch = tmp_path / "phrases.txt"
    if content is not None:
        batch.write_bytes(content)
    result = run_app("segment", "--batch", batch, "--db", f"sqlite:///{tmp_path / 't.db'}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert said in result.stderr.splitlines()[-1]


def test_a_bad_db_option_is_blamed_on_the_option_not_the_environment(run_app, monkeypatch):
    result = run_app("segment", "custs in DE", "--db", "mysql://tailor:s3cret@db/tailor")

    assert result.returncode == 2
    assert result.stderr.strip() == "tailor: --db: Tailor keeps its store in SQLite or PostgreSQL, not mysql"
    monkeypatch.setenv("TAILOR_DATABASE_URL", "mysql://tailor:s3cret@db/tailor")
    with pytest.raises(SettingsError, match=r"^TAILOR_DATABASE_URL: "):
        load_settings({"database_url": "--db"}, database_url=None)


def test_a_currency_of_the_rates_file_is_a_workspace_currency(monkeypatch, tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text("Date,COP\n2026-01-02,4410.5\n2026-10-30,4300\n")
    monkeypatch.setenv("TAILOR_RATES_FILE", str(rates))
    monkeypatch.setenv("TAILOR_CURRENCY", "cop")

    settings = load_settings()

    assert settings.currency == "COP" and settings.pricing().rates.per_euro("COP", date(2026, 10, 30)) == 4300


def test_an_empty_rates_file_setting_is_none(monkeypatch):
    monkeypatch.setenv("TAILOR_RATES_FILE", "")

    assert load_settings().rates_file is None
