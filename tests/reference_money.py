"""Amounts in US dollars, computed again for the tests straight from the ECB's rates as
`currencyconverter` ships them (and the demo's own rates for what the ECB does not publish):
the independent side of every check of money."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from currency_converter import CurrencyConverter

from store.demo import EURO_RATES

ECB = CurrencyConverter(fallback_on_missing_rate=True)
#: The newest day the ECB's shipped rates reach; later days take its rates.
NEWEST = ECB.bounds["USD"].last_date


def euro_price(currency: str, day: date) -> float | None:
    """What one euro cost in `currency` on `day`."""
    if currency in ECB.currencies:
        return ECB.convert(1, "EUR", currency, min(day, NEWEST))
    return EURO_RATES.get(currency)  # the demo's pesos


def in_dollars(amount: float | Decimal | None, currency: str | None, at: datetime | str) -> float | None:
    """The amount in USD at its day's rate; None when it has no amount or its currency no rate."""
    if amount is None:
        return None
    if currency is None or currency == "USD":
        return float(amount)
    day = (datetime.fromisoformat(at) if isinstance(at, str) else at).date()
    price, dollars = euro_price(currency, day), euro_price("USD", day)
    if price is None or dollars is None:
        return None
    return float(amount) * dollars / price


def dollars_now(amount: float, currency: str) -> float:
    """An amount a phrase names in another currency ("300 euros"), as a definition holds it: in
    dollars at the newest rate, to the cent."""
    if currency == "USD":
        return amount
    return round(amount * ECB.convert(1, currency, "USD", NEWEST), 2)
