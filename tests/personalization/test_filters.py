"""Money, dates and numbers in the recipient's language and country, in a sandboxed template as
the renderer will use them. Babel's spaces inside an amount or a time are non-breaking (\xa0,
\u202f): an email client never breaks "1.234,50 €" over two lines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from jinja2.sandbox import SandboxedEnvironment

from personalization.filters import FALLBACK, filters, locale_of

PURCHASE = {"amount": Decimal("1234.50"), "currency": "EUR", "at": datetime(2026, 12, 7, 14, 30, tzinfo=UTC)}


def render(source: str, store_currency: str = "USD", **variables: object) -> str:
    environment = SandboxedEnvironment()
    environment.filters.update(filters(store_currency))
    return environment.from_string(source).render(last_purchase=PURCHASE, **variables)


@pytest.mark.parametrize(
    ("language", "country", "money", "day"),
    [
        ("de", "Germany", "1.234,50\xa0€", "7. Dez. 2026"),
        ("de", "AT", "€\xa01.234,50", "7. Dez. 2026"),
        ("fr", "France", "1\u202f234,50\xa0€", "7 déc. 2026"),
        ("en", "United States", "€1,234.50", "Dec 7, 2026"),
        ("en", "GB", "€1,234.50", "7 Dec 2026"),
    ],
)
def test_money_and_dates_in_the_recipients_language_and_country(
    language: str, country: str, money: str, day: str
) -> None:
    shown = render(
        "{{ last_purchase | money }}|{{ last_purchase.at | date }}", language=language, country=country
    )
    assert shown == f"{money}|{day}"


def test_a_bare_amount_is_in_the_store_currency_unless_told() -> None:
    assert render("{{ 1234.5 | money }}", language="en", country="US") == "$1,234.50"
    assert render("{{ 1234.5 | money }}", "EUR", language="de", country="DE") == "1.234,50\xa0€"
    assert render("{{ 49.9 | money('gbp') }}", language="en", country="GB") == "£49.90"
    assert render("{{ last_purchase | money('USD') }}", language="en") == "$1,234.50"


@pytest.mark.parametrize("language", ["xx", "english", "", "12", "?!", None])
def test_a_language_babel_does_not_know_falls_back_to_english(language: str | None) -> None:
    assert render("{{ last_purchase | money }} {{ last_purchase.at | date }}", language=language) == (
        "€1,234.50 Dec 7, 2026"
    )


def test_the_language_alone_when_the_country_has_no_such_locale() -> None:
    assert str(locale_of("de", "United States")) == "de"  # no de_US in CLDR
    assert str(locale_of("fr", "Atlantis")) == "fr"
    assert str(locale_of("German", "Switzerland")) == "de_CH"  # a language's English name
    assert str(locale_of("en-US", None)) == "en_US"
    assert locale_of("xx", "Germany") is FALLBACK


def test_locales_are_built_once() -> None:
    locale_of.cache_clear()
    first = locale_of("de", "Austria")
    assert locale_of("de", "Austria") is first
    assert locale_of.cache_info().hits == 1


def test_dates_and_times_are_shown_in_the_contacts_time_zone() -> None:
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    berlin = {"language": "de", "country": "Germany", "timezone": "Europe/Berlin"}
    assert render("{{ t | datetime }}", t=late, **berlin) == "8. Dez. 2026, 00:30"
    assert render("{{ t | date }}", t=late, **berlin) == "8. Dez. 2026"
    assert (
        render("{{ t | datetime }}", t=late, language="en", timezone="Nowhere/Else")
        == "Dec 7, 2026, 11:30\u202fPM"
    )
    assert render("{{ t | date('long') }} {{ t | date('d MMMM') }}", t=late, language="fr") == (
        "7 décembre 2026 7 décembre"
    )


def test_a_date_of_a_custom_property_may_be_iso_text() -> None:
    assert render("{{ d | date }}", d="2027-01-15", language="de") == "15. Jan. 2027"
    assert render("{{ d | date }}", d=date(2027, 1, 15), language="fr") == "15 janv. 2027"
    assert render("{{ d | datetime }}", d=date(2027, 1, 15), language="en") == "Jan 15, 2027"


def test_numbers_with_the_locales_separators() -> None:
    assert render("{{ n | number }}", n=12345.6, language="de") == "12.345,6"
    assert render("{{ n | number }}", n=Decimal("12345.6"), language="en") == "12,345.6"
    assert render("{{ n | number('#,##0.00') }}", n=3, language="fr") == "3,00"


def test_missing_values_show_nothing_and_others_show_as_they_are() -> None:
    assert render(
        "[{{ nothing | money }}{{ nothing | date }}{{ none | datetime }}{{ '' | number }}]", none=None
    ) == ("[]")
    assert render("{{ 'soon' | date }} {{ 'lots' | money }} {{ 'n/a' | number }}") == "soon lots n/a"
    assert render("{{ {'currency': 'EUR'} | money }}") == ""
