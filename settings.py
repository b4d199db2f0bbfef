"""Typed settings, read from the environment and an optional `.env` file.

Every setting has an environment variable; most carry the `TAILOR_` prefix, Slack's keep
the names Slack's own documentation uses. A bad value stops start-up with one line that
names the variable (see `load_settings`).
"""

from __future__ import annotations

import email.errors
import email.policy
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import is_currency
from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from personalization.letterhead import UNSET_POSTAL_ADDRESS, Letterhead
from store.pricing import DEFAULT_CURRENCY, Pricing, Rates

#: Slack's Web API; tests point TAILOR_SLACK_API_URL at a local fake.
SLACK_API_URL = "https://slack.com/api/"
#: The databases a store may live in (SQLAlchemy's backend names).
STORES = ("sqlite", "postgresql", "postgres")  # "postgres://" is what Heroku and others give

#: A comma-separated list in the environment ("C0123,C0456"); empty means no restriction.
IdList = Annotated[tuple[str, ...], NoDecode]

Mode = Literal["socket", "http", "console"]


def default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'tailor.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAILOR_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    timezone: str = "UTC"
    demo_data: bool = True
    #: Reachable members below this are too few to test on; segment answers warn.
    min_test_size: int = Field(default=1000, ge=0)
    #: Reports: a purchase without a campaign belongs to the contact's latest click this many days before.
    attribution_days: int = Field(default=5, ge=0, le=365)
    #: Rates for currencies the ECB does not publish: a CSV in the ECB's format.
    rates_file: Path | None = None
    #: The one currency money is compared, summed and shown in (an ISO 4217 code); after
    #: `rates_file`, whose currencies it may name.
    currency: str = DEFAULT_CURRENCY

    #: Who emails are from: "Name <address>" or an address.
    mail_from: str = "Tailor <tailor@localhost>"
    #: The sender's postal address, printed in every email's footer (the law of most countries
    #: asks for one); lines separated by newlines or " | ".
    postal_address: str | None = None
    #: The base of the links in emails: tracking, unsubscribe.
    public_url: str = "http://localhost:3000"

    slack_bot_token: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN"))
    slack_app_token: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN"))
    slack_signing_secret: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET")
    )
    slack_api_url: str = SLACK_API_URL
    #: HTTP mode listens here, on the path /slack/events.
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535)
    #: Channel and user ids that may talk to Tailor; empty lets everyone in the workspace.
    allowed_channels: IdList = ()
    allowed_users: IdList = ()
    #: Who may approve a campaign: Slack user ids, and user group ids (S...) whose members may.
    approvers: IdList = ()
    #: Approvals by different approvers a campaign needs before it can be scheduled.
    approvals_required: int = Field(default=1, ge=1, le=10)
    #: The user the console acts as (a Slack user id); `--as` on the console's commands overrides it.
    console_user: str = "console"

    #: Where emails go: smtp://host:port (STARTTLS when the server offers it), smtps://user:pass@host:port.
    smtp_url: str = "smtp://localhost:1025"
    #: SMTP connections a send uses at once, and messages per second over all of them (0: no limit).
    smtp_connections: int = Field(default=1, ge=1, le=32)
    smtp_rate: float = Field(default=0, ge=0)
    #: Signs the tokens of tracking and unsubscribe links; sending refuses to start without it.
    secret_key: str | None = Field(default=None, min_length=16)
    #: A send is held when its reachable count moved more than this since approval (0.1: 10%).
    headcount_tolerance: float = Field(default=0.1, ge=0, le=10)
    #: "21:00-08:00": no email reaches a recipient then, by their own clock; it waits for the end.
    quiet_hours: str | None = None
    #: DKIM signing, when both are set: the selector (s=) and the private key's PEM file.
    dkim_selector: str | None = None
    dkim_key_file: Path | None = None
    #: How long the scheduler's lease lasts unrenewed: a dead holder's jobs wait at most this long.
    lease_seconds: int = Field(default=30, ge=2, le=3600)

    @field_validator("allowed_channels", "allowed_users", "approvers", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value if value.endswith("/") else value + "/"

    @property
    def mode(self) -> Mode:
        """Socket Mode with an app token, HTTP mode with a signing secret, else the console."""
        if self.slack_bot_token and self.slack_app_token:
            return "socket"
        if self.slack_bot_token and self.slack_signing_secret:
            return "http"
        if self.slack_bot_token or self.slack_app_token:
            missing = "SLACK_BOT_TOKEN" if self.slack_app_token else "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET"
            raise SettingsError(f"{missing}: needed beside the Slack token that is set")
        return "console"

    @field_validator("mail_from")
    @classmethod
    def _sender(cls, value: str) -> str:
        """One address, as the standard library's strict parser reads a From header."""
        try:
            header = email.policy.strict.header_factory("From", value.strip())
            addresses = header.addresses
        except (ValueError, IndexError, email.errors.HeaderParseError):
            addresses = ()
        if len(addresses) != 1 or not addresses[0].domain or header.defects:
            raise ValueError(f"not one email address: {value!r} (e.g. Trailhead <news@trailhead.example>)")
        return value.strip()

    @field_validator("postal_address", mode="before")
    @classmethod
    def _address_lines(cls, value: object) -> object:
        if isinstance(value, str):
            lines = [line.strip() for line in value.replace(" | ", "\n").splitlines() if line.strip()]
            return "\n".join(lines) or None
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            url = None
        if url is None or url.drivername not in ("smtp", "smtps") or not url.host:
            raise ValueError(f"not an SMTP URL: {masked(value)!r} (e.g. smtp://localhost:1025)")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError(f"not a span of hours: {value!r} (e.g. 21:00-08:00)")
        return value.strip()

    @field_validator("dkim_key_file")
    @classmethod
    def _dkim_key(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {value!r} (e.g. https://tailor.example.com)")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number
            shown = masked(value)
            raise ValueError(f"not a database URL: {shown!r} (e.g. sqlite:///tailor.db)") from None
        if backend not in STORES:
            raise ValueError(f"Tailor keeps its store in SQLite or PostgreSQL, not {backend}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Europe/Berlin)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @field_validator("rates_file", mode="before")
    @classmethod
    def _no_rates_file(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # "TAILOR_RATES_FILE="

    @field_validator("rates_file")
    @classmethod
    def _rates_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if not value.is_file():
            raise ValueError(f"no such file: {str(value)!r}")
        try:
            Rates.load([value])
        except (OSError, ValueError, KeyError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise ValueError(
                f"cannot read the rates file {str(value)!r} ({reason}): it needs the ECB's CSV format, "
                "a Date column (YYYY-MM-DD) and one column per currency code, each the price of one euro"
            ) from None
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str, info: ValidationInfo) -> str:
        code, rates_file = value.strip().upper(), info.data.get("rates_file")
        if not is_currency(code):
            raise ValueError(
                f"{value.strip()!r} is not a currency code (an ISO 4217 code such as USD or EUR)"
            )
        if not Rates.load([rates_file] if rates_file else []).knows(code):
            where = " nor in TAILOR_RATES_FILE" if rates_file else " (TAILOR_RATES_FILE can add it)"
            raise ValueError(f"no rates for {code!r} from the ECB{where}")
        return code

    def letterhead(self) -> Letterhead:
        """Who emails are from and what their footer says; a placeholder for an unset postal
        address, which a preview shows and warns about (sending refuses to start without it)."""
        return Letterhead(
            sender=self.mail_from,
            postal_address=self.postal_address or UNSET_POSTAL_ADDRESS,
            public_url=self.public_url,
        )

    def pricing(self) -> Pricing:
        """The workspace's currency and the rates into it (the ECB's, and the rates file's)."""
        return Pricing(self.currency, Rates.load([self.rates_file] if self.rates_file else []))


def masked(url: str) -> str:
    """A database URL as it may be shown: what lies between the user's name and the last '@'
    hidden, even in a URL that does not parse (a typo must not show the password)."""
    at = url.rfind("@")
    start = url.find("//", 0, at) + 2 if "//" in url[:at] else 0
    colon = url.find(":", start, at)
    return url if at < 0 or colon < 0 else f"{url[: colon + 1]}***{url[at:]}"


class SettingsError(Exception):
    """A setting that cannot be used; the message names its environment variable."""


def load_settings(options: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, with `overrides` (command-line options) on top: any value
    a setting takes, which the settings validate. `options` names the option each override came
    from ({"database_url": "--db"}), which an error names instead of the environment variable."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "settings"
        field = Settings.model_fields.get(name)
        variable = (options or {}).get(name) if name in given else None
        variable = variable or _variable_name(name, field)
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{variable}: {message}") from None
    return settings


def _variable_name(name: str, field: object) -> str:
    alias = getattr(field, "validation_alias", None)
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"TAILOR_{name.upper()}"
