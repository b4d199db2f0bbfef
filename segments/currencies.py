"""The currency of a phrase's amount, and that amount in the store's currency.

"$500", "500 dollars" and "500 USD" are 500 USD; "€200" and "200 euros" are 200 EUR; each is
converted into the store's currency at the reference rate of the answer's day (the newest one
for today), and the answer says so. A word
such as "money" names no currency: the amount is the store's. Money is shown with Babel, as a
marketer in the US reads it ("$1,000", "€216.40").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from babel.numbers import format_currency

from segments.definition import Aggregate, All, AnyOf, Condition, Definition, Not, Rank
from segments.normalize import key
from store.pricing import Pricing

#: The words and codes that name a currency.
SAID = {
    "dollar": "USD", "usd": "USD", "buck": "USD", "euro": "EUR", "eur": "EUR", "pound": "GBP",
    "gbp": "GBP", "quid": "GBP", "yen": "JPY", "jpy": "JPY", "rupee": "INR", "inr": "INR",
    "krona": "SEK", "kronor": "SEK", "sek": "SEK", "reais": "BRL", "brl": "BRL", "mxn": "MXN",
    "cad": "CAD", "aud": "AUD", "chf": "CHF", "franc": "CHF", "pln": "PLN", "zloty": "PLN",
    "cop": "COP",
}  # fmt: skip
#: The same by their keys, as the tagger meets them ("dollars", "reais": "dollar", "reai").
CURRENCY_WORDS = {key(word): code for word, code in SAID.items()}
#: Money words without a currency of their own.
PLAIN_MONEY = {"money"}


class NoRate(ValueError):
    """A phrase's currency that cannot be converted into the store's."""


@dataclass(frozen=True)
class PhraseMoney:
    pricing: Pricing = field(default_factory=Pricing)
    #: The day whose rates convert; None: today.
    day: date | None = None

    def on(self, day: date | None) -> PhraseMoney:
        return self if day is None else replace(self, day=day)

    @property
    def currency(self) -> str:
        return self.pricing.currency

    def code(self, word: str) -> str | None:
        """The currency a money word names; None for a plain one ("money")."""
        return CURRENCY_WORDS.get(key(word))

    def convert(self, amount: float, code: str | None) -> tuple[float, str | None]:
        """The amount in the store's currency, and a note saying how it was read (None when no
        conversion was needed)."""
        if code is None or code == self.currency:
            return amount, None
        day = self.day or datetime.now(UTC).date()
        factor = self.pricing.rates.factor(code, self.currency, day)
        if factor is None:
            raise NoRate(
                f"there is no rate from {code} to {self.currency}: say the amount in {self.currency}"
            )
        converted = round(amount * float(factor), 2)
        newest = min(
            filter(None, (self.pricing.rates.newest_day(c) for c in (code, self.currency))), default=day
        )
        on = min(day, newest).strftime("%d %b %Y").lstrip("0")
        note = f"read {shown(amount, code)} as {shown(converted, self.currency)} (the reference rate of {on})"
        return converted, note


def money(amount: float, code: str) -> str:
    """ "$1.20", "€0.85": an amount to the cent, as revenue per recipient is shown."""
    return format_currency(amount, code, locale="en_US")


def shown(amount: float, code: str) -> str:
    """ "$1,000", "$216.40", "¥5,000": whole amounts without cents."""
    if float(amount).is_integer():
        return format_currency(amount, code, format="¤#,##0", locale="en_US", currency_digits=False)
    return money(amount, code)


def uses_money(definition: Definition) -> bool:
    """Whether the definition compares or ranks amounts: an answer to it must say which purchases
    had no rate."""

    def money(node: Condition) -> bool:
        match node:
            case All(of=parts) | AnyOf(of=parts):
                return any(money(part) for part in parts)
            case Not(of=inner):
                return money(inner)
            case Aggregate(fn=fn):
                return fn != "count"
            case Rank(by=by):
                return by != "orders"
        return False

    return definition.where is not None and money(definition.where)
