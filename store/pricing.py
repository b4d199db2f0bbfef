"""Money in one currency: every purchase converted at its own day's reference rate.

The ECB's daily reference rates ship offline in `currencyconverter`; a rates file in the ECB's CSV
format (a `Date` column, then one column per currency, each the price of one euro) adds the
currencies the ECB does not publish. A day between two published ones (a weekend) takes the rate
between them; a day after the newest rate known takes that rate, as long as the currency is still
published; a currency no source names, or a day before its first rate, has no rate.

Each purchase keeps its amount and currency as imported. What an import fixes is the factor of
each (currency, day) of the store's purchases into the store's currency (`currency_rates`): the
tables that hold money (`contact_purchases`, `campaign_pairs`) are built through it, and so is
every query over the purchases' amounts (`priced`). A purchase whose currency has no rate is left
out of money and counted by currency (`unconverted_purchases`), so that answers can say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from currency_converter import CurrencyConverter
from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    FromClause,
    Join,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from store.models import CurrencyRate, Event, StoreSetting, UnconvertedPurchases

DEFAULT_CURRENCY = "USD"
#: How `currency_rates` names the currency of purchases that name none (no ISO code is empty).
UNSTATED = ""
#: A currency whose newest rate is this much older than its source's newest is no longer published
#: (the Cypriot pound, since 2008): a later day has no rate, rather than the last one forever.
STALE_DAYS = 10
rates_table, settings_table = CurrencyRate.__table__, StoreSetting.__table__
unconverted_table = UnconvertedPurchases.__table__


@cache
def _ecb() -> CurrencyConverter:
    """The ECB's rates as shipped (read once per process: 0.2 s)."""
    return CurrencyConverter(fallback_on_missing_rate=True)


@dataclass(frozen=True)
class Rates:
    """Reference rates from the ECB and any rates files, the files first."""

    converters: tuple[CurrencyConverter, ...] = field(default_factory=lambda: (_ecb(),))
    #: The rates files read, each as "path size mtime": a store records which rates it was
    #: converted with, and a new or changed file fills in the rates it lacked.
    files: tuple[str, ...] = ()

    @classmethod
    def load(cls, files: Sequence[Path] = ()) -> Rates:
        return cls().also(files)

    def also(self, files: Sequence[Path]) -> Rates:
        """These rates with those of `files` before them."""
        own = tuple(CurrencyConverter(str(path), fallback_on_missing_rate=True) for path in files)
        return Rates((*own, *self.converters), (*map(_signature, files), *self.files))

    @property
    def signature(self) -> str:
        return "; ".join(self.files)

    def knows(self, currency: str) -> bool:
        return any(currency in converter.currencies for converter in self.converters)

    def newest_day(self, currency: str) -> date | None:
        for converter in self.converters:
            if currency in converter.currencies:
                return converter.bounds[currency].last_date
        return None

    def per_euro(self, currency: str, day: date) -> float | None:
        """The price of one euro in `currency` on `day`, from the first source with a rate for
        that day (a rates file's days, else the ECB's); None when none has."""
        if currency == "EUR":
            return 1.0
        for converter in self.converters:
            if currency not in converter.currencies:
                continue
            first, last = converter.bounds[currency]
            if day < first or (day > last and (_newest(converter) - last).days > STALE_DAYS):
                continue
            return float(converter.convert(1, "EUR", currency, min(day, last)))
        return None

    def factor(self, source: str, target: str, day: date) -> Decimal | None:
        """What one unit of `source` was worth in `target` on `day`."""
        if source == target:
            return Decimal(1)
        into, out_of = self.per_euro(target, day), self.per_euro(source, day)
        if into is None or out_of is None:
            return None
        return Decimal(repr(into / out_of))


def _signature(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()} {stat.st_size} {stat.st_mtime_ns}"


def _newest(converter: CurrencyConverter) -> date:
    return max(bounds.last_date for bounds in converter.bounds.values())


@dataclass(frozen=True)
class Pricing:
    """The workspace's currency and the rates that convert into it."""

    currency: str = DEFAULT_CURRENCY
    rates: Rates = field(default_factory=Rates)


class utc_day(FunctionElement[date]):
    """The UTC day of a stored timestamp, as `currency_rates.day` holds days."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day, "sqlite")
def _sqlite_day(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # Timestamps are sortable UTC text ("2026-03-01 09:30:00.000000"); days, "2026-03-01".
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(utc_day, "postgresql")
def _postgres_day(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC')::date"


def priced(events: FromClause, converted: bool = True) -> tuple[FromClause | Join, ColumnElement[Any]]:
    """`events` beside the rate of each one's day, and its amount in the store's currency; NULL
    when its currency has no rate that day (`unconverted_purchases`).

    `converted=False`: the amounts as stored, for the migrations that ran before there were rates.
    """
    if not converted:
        return events, events.c.amount
    rate = rates_table.alias()
    joined = events.outerjoin(
        rate, and_(rate.c.currency == _currency_key(events), rate.c.day == utc_day(events.c.occurred_at))
    )
    return joined, events.c.amount * rate.c.factor


def _currency_key(events: FromClause) -> ColumnElement[Any]:
    """A purchase's currency as `currency_rates` keys it: `UNSTATED` for one that names none."""
    return func.coalesce(events.c.currency, literal(UNSTATED))


def store_currency(conn: Connection) -> str | None:
    """The currency the store's money is in; None before its first conversion."""
    return _setting(conn, "currency")


def unstated_currency(conn: Connection) -> str | None:
    """The currency of the purchases that name none: the store's when it was first converted."""
    return _setting(conn, "unstated_currency")


def settled(conn: Connection, pricing: Pricing) -> bool:
    """Whether the store was converted into `pricing`'s currency with its rates files as they are."""
    return (
        store_currency(conn) == pricing.currency
        and (_setting(conn, "rates") or "") == pricing.rates.signature
    )


def fix_rates(conn: Connection, pricing: Pricing, events: FromClause = Event.__table__) -> None:
    """The factor of every (currency, day) of the purchases in `events` that has none yet, and the
    count of those left without one.

    A purchase that names no currency is in the one the store had when it was first converted
    (kept as `unstated_currency`), whatever the workspace currency becomes later. A new workspace
    currency converts the factors already fixed (a rates file's among them, or the demo's) on
    through the old currency, so that no purchase loses its rate by the change.
    """
    current = store_currency(conn)
    if current is None:
        _set(conn, "unstated_currency", pricing.currency)
    if current != pricing.currency:
        if current is not None:
            _convert_factors(conn, pricing, current)
        _set(conn, "currency", pricing.currency)
    _set(conn, "rates", pricing.rates.signature)
    _fill(conn, pricing, events)


def fill_rates_of(
    conn: Connection, chosen: ColumnElement[bool], events: FromClause = Event.__table__
) -> None:
    """The factors the `chosen` events' purchases lack, from the ECB's rates: purchases that came
    in without an import (sends, tracking) convert as the imported ones do."""
    current = store_currency(conn)
    if current is not None:
        _fill(conn, Pricing(current), events, chosen)


def _fill(
    conn: Connection, pricing: Pricing, events: FromClause, chosen: ColumnElement[bool] | None = None
) -> None:
    """Insert the missing factors of (the `chosen`) purchases, then count the purchases still
    without one, by currency."""
    unstated = unstated_currency(conn) or pricing.currency
    joined, value = priced(events)
    unpriced = and_(events.c.type == "purchase", events.c.amount.is_not(None), value.is_(None))
    key, day = _currency_key(events), utc_day(events.c.occurred_at)
    only = [] if chosen is None else [chosen]
    missing = conn.execute(select(key, day).distinct().select_from(joined).where(unpriced, *only)).all()
    if chosen is not None and not missing:
        return  # nothing of theirs lacks a rate: the counts of the rest stand
    found = []
    for code, on in missing:
        factor = pricing.rates.factor(unstated if code == UNSTATED else code, pricing.currency, _as_date(on))
        if factor is not None:
            found.append({"currency": code, "day": on, "factor": factor})
    if found:
        conn.execute(insert(rates_table), found)
    left = select(key, func.count()).select_from(joined).where(unpriced).group_by(key)
    conn.execute(delete(unconverted_table))
    conn.execute(insert(unconverted_table).from_select(["currency", "purchases"], left))


def _convert_factors(conn: Connection, pricing: Pricing, old: str) -> None:
    """Each fixed factor into `old` times that day's factor from `old` into the new currency; a
    day without one leaves its purchases unconverted."""
    rows = conn.execute(select(rates_table)).all()
    conn.execute(delete(rates_table))
    converted = []
    for currency, on, factor in rows:
        onward = pricing.rates.factor(old, pricing.currency, _as_date(on))
        if onward is not None:
            converted.append({"currency": currency, "day": on, "factor": Decimal(str(factor)) * onward})
    if converted:
        conn.execute(insert(rates_table), converted)


def _setting(conn: Connection, name: str) -> str | None:
    return conn.execute(select(settings_table.c.value).where(settings_table.c.name == name)).scalar()


def _set(conn: Connection, name: str, value: str) -> None:
    conn.execute(delete(settings_table).where(settings_table.c.name == name))
    conn.execute(insert(settings_table).values(name=name, value=value))


def unconverted(conn: Connection) -> dict[str, int]:
    """Purchases whose currency had no rate, by currency."""
    rows = conn.execute(select(unconverted_table).order_by(unconverted_table.c.currency))
    return {currency: purchases for currency, purchases in rows}


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def unconverted_notes(unpriced: dict[str, int], currency: str) -> list[str]:
    """ "4 purchases (4 in XAG) have no rate to USD, ..."; none when every purchase converted."""
    if not unpriced:
        return []
    each = ", ".join(f"{count:,} in {code or 'no currency'}" for code, count in unpriced.items())
    total = sum(unpriced.values())
    one = total == 1
    noun, verb, its = ("purchase", "has", "its") if one else ("purchases", "have", "their")
    amounts = "amount is" if one else "amounts are"
    return [
        f"{total:,} {noun} ({each}) {verb} no rate to {currency} for {its} day, "
        f"so {its} {amounts} left out (TAILOR_RATES_FILE can give the rates)."
    ]
