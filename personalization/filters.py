"""Money, dates and numbers in the recipient's language and country, with Babel.

    environment.filters.update(filters(store_currency="USD"))
    {{ last_purchase | money }}          1.234,50 €   (German, in the purchase's own currency)
    {{ 49.9 | money("GBP") }}            £49.90       (English, United Kingdom)
    {{ last_purchase.at | date }}        7. Dez. 2026
    {{ engagement.last_opened_at | datetime }}   7. Dez. 2026, 15:30   (in the contact's time zone)
    {{ 12345.6 | number }}               12.345,6

The locale is the context's `language` and `country` (a code or an English name, as contacts
hold them: "de" + "Austria" is de_AT), then the language alone, then English: a language Babel
does not know ("xx", "english") or a country it has no locale for never stops a send. A value
that is missing shows as nothing, and one that is not what the filter formats shows as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal
from jinja2 import Undefined, pass_context
from jinja2.runtime import Context

#: Where every other choice fails.
FALLBACK = Locale("en")
#: Country names contacts hold that are not Babel's English names of them.
COUNTRY_ALIASES = {"usa": "US", "us": "US", "uk": "GB", "england": "GB", "great britain": "GB"}
#: Babel's named date formats, but "medium" is the day, the abbreviated month and the year in
#: every language ("7. Dez. 2026", "7 déc. 2026", "Dec 7, 2026"): CLDR's German medium format is
#: "07.12.2026", which reads as a form's date in an email.
MEDIUM_DATE = "yMMMd"
#: Distinct (language, country) pairs whose locale is kept: junk values cannot grow it forever.
LOCALES_KEPT = 1024


@cache
def _territories() -> dict[str, str]:
    """Country names (English, lower case) and codes to Babel's territory codes."""
    names = {name.lower(): code for code, name in FALLBACK.territories.items() if code.isalpha()}
    return {**names, **{code.lower(): code for code in names.values()}, **COUNTRY_ALIASES}


@cache
def _languages() -> dict[str, str]:
    """Language names (English, lower case) to codes: a contact's language may be "German"."""
    return {name.lower(): code for code, name in FALLBACK.languages.items() if "_" not in code}


def _known(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@lru_cache(maxsize=LOCALES_KEPT)
def locale_of(language: str | None, country: str | None) -> Locale:
    """The locale for a contact's language and country, by the fallbacks above."""
    spoken = (language or "").strip().replace("-", "_")
    code = _languages().get(spoken.lower(), spoken.split("_")[0].lower())
    if not code.isalpha():
        return FALLBACK
    territory = _territories().get((country or "").strip().lower())
    if "_" in spoken and not territory:  # "en-US" says its own country
        territory = _territories().get(spoken.split("_")[-1].lower())
    if territory and (found := _known(f"{code}_{territory}")):
        return found
    return _known(code) or FALLBACK


def recipient_locale(context: Context) -> Locale:
    return locale_of(_text(context.get("language")), _text(context.get("country")))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@lru_cache(maxsize=LOCALES_KEPT)
def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def recipient_zone(context: Context) -> tzinfo:
    """The contact's own time zone (IANA, as imported), else UTC, in which times are stored."""
    name = _text(context.get("timezone"))
    return (_zone(name.strip()) if name and name.strip() else None) or UTC


def _missing(value: Any) -> bool:
    return value is None or isinstance(value, Undefined) or value == ""


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _moment(value: Any) -> date | None:
    """A date or an aware date/time from what a context holds (ISO text too, as in CSV files)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if len(value.strip()) == 10:  # a date alone
            return parsed.date()
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def filters(store_currency: str) -> dict[str, Callable[..., str]]:
    """The filters, `money`'s currency defaulting to `store_currency` for a bare amount."""

    @pass_context
    def money(context: Context, value: Any, currency: str | None = None) -> str:
        """An amount as money: a purchase-like mapping (`last_purchase`) in its own currency."""
        if isinstance(value, Mapping):
            currency = currency or _text(value.get("currency")) or None
            value = value.get("amount")
        if _missing(value):
            return ""
        amount = _amount(value)
        if amount is None:
            return str(value)
        code = (currency or store_currency).upper()
        try:
            return format_currency(amount, code, locale=recipient_locale(context))
        except (UnknownLocaleError, ValueError):
            return f"{amount} {code}"

    @pass_context
    def date_(context: Context, value: Any, format: str = "medium") -> str:
        """The day of a date or date/time (in the contact's time zone): "medium", "short", "long",
        "full" or a Babel pattern ("d MMMM")."""
        if _missing(value):
            return ""
        moment = _moment(value)
        if moment is None:
            return str(value)
        if isinstance(moment, datetime):
            moment = moment.astimezone(recipient_zone(context)).date()
        locale = recipient_locale(context)
        if format == "medium":
            return format_skeleton(MEDIUM_DATE, moment, locale=locale)
        return format_date(moment, format, locale=locale)

    @pass_context
    def datetime_(context: Context, value: Any, format: str = "medium") -> str:
        """A date/time in the contact's time zone; "medium" is `date`'s medium and the short time."""
        if _missing(value):
            return ""
        moment = _moment(value)
        if moment is None:
            return str(value)
        if not isinstance(moment, datetime):
            return date_(context, moment, format)
        zone, locale = recipient_zone(context), recipient_locale(context)
        if format != "medium":
            return format_datetime(moment, format, tzinfo=zone, locale=locale)
        day = format_skeleton(MEDIUM_DATE, moment, tzinfo=zone, locale=locale)
        hour = format_time(moment, "short", tzinfo=zone, locale=locale)
        pattern = str(locale.datetime_formats["medium"]).replace("'", "")  # as Babel joins them
        return pattern.replace("{1}", day).replace("{0}", hour)

    @pass_context
    def number(context: Context, value: Any, format: str | None = None) -> str:
        """A number with the locale's separators ("12.345,6"), or in a Babel pattern ("#,##0.00")."""
        if _missing(value):
            return ""
        amount = _amount(value)
        if amount is None:
            return str(value)
        return format_decimal(amount, format, locale=recipient_locale(context))

    return {"money": money, "date": date_, "datetime": datetime_, "number": number}
