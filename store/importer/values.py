"""The accepted text forms of imported values, and their parsers.

Each pattern is written once and used twice: by Python (the SQLite path, contacts and
campaigns everywhere) and by PostgreSQL's `~` operator (the set-based events path), so both
databases accept and reject exactly the same rows. The patterns use only what Python's `re`
and PostgreSQL's regular expressions share.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

_DATE = r"[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
_OFFSET = r"(Z|z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)"

DATE_PATTERN = f"^{_DATE}$"
#: ISO 8601: a date, optionally a time (T or space), optionally an offset (Z, +02, +02:00).
TIMESTAMP_PATTERN = f"^{_DATE}([T ]{_TIME}{_OFFSET}?)?$"
INTEGER_PATTERN = r"^[+-]?[0-9]{1,18}$"
DECIMAL_PATTERN = r"^[+-]?([0-9]{1,18}(\.[0-9]*)?|\.[0-9]+)$"
BOOLEAN_VALUES = {"true": True, "false": False, "yes": True, "no": False}

_date = re.compile(DATE_PATTERN)
_timestamp = re.compile(TIMESTAMP_PATTERN)
_integer = re.compile(INTEGER_PATTERN)
_decimal = re.compile(DECIMAL_PATTERN)


class BadValue(ValueError):
    """A value that does not have its column's form; the message is the reason shown."""


def parse_timestamp(text: str, zone: tzinfo = UTC) -> datetime:
    """An aware UTC datetime; a value without an offset is read in `zone`."""
    if not _timestamp.match(text):
        raise BadValue(f"not an ISO 8601 date/time: {text!r}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"no such date/time: {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def parse_date(text: str) -> date:
    if not _date.match(text):
        raise BadValue(f"not a date (YYYY-MM-DD): {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"no such date: {text!r}") from None


def parse_integer(text: str) -> int:
    if not _integer.match(text):
        raise BadValue(f"not a whole number: {text!r}")
    return int(text)


def parse_decimal(text: str) -> Decimal:
    if not _decimal.match(text):
        raise BadValue(f"not a number: {text!r}")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise BadValue(f"not a number: {text!r}") from None


def decimal_text(value: Decimal) -> str:
    """One spelling per number ('12.50' and '12.5' alike), for fingerprints."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def parse_boolean(text: str) -> bool:
    try:
        return BOOLEAN_VALUES[text.lower()]
    except KeyError:
        raise BadValue(f"not true or false: {text!r}") from None


#: Candidate types of a custom column, narrowest first; a column takes the first type that
#: every one of its non-empty values has, else text.
CUSTOM_TYPES = ("boolean", "integer", "decimal", "date", "datetime")

_PARSERS = {
    "boolean": parse_boolean,
    "integer": parse_integer,
    "decimal": parse_decimal,
    "date": parse_date,
    "datetime": parse_timestamp,
}


def fits(kind: str, text: str) -> bool:
    try:
        _PARSERS[kind](text)
    except BadValue:
        return False
    return True


#: A custom property's value in its JSON document.
JsonValue = str | int | float | bool

_JSON_VALUES: dict[str, Callable[[str, tzinfo], JsonValue]] = {
    "text": lambda text, _zone: text,
    "boolean": lambda text, _zone: parse_boolean(text),
    "integer": lambda text, _zone: parse_integer(text),
    "decimal": lambda text, _zone: float(parse_decimal(text)),
    "date": lambda text, _zone: parse_date(text).isoformat(),
    "datetime": lambda text, zone: parse_timestamp(text, zone).isoformat(),
}


def convert(kind: str, text: str, zone: tzinfo = UTC) -> JsonValue:
    """The JSON value of a custom property: numbers and booleans native, dates as ISO text."""
    return _JSON_VALUES[kind](text, zone)


class TypeInference:
    """Narrows the candidate types of custom columns as their values stream past."""

    def __init__(self, names: list[str]) -> None:
        self.candidates = {name: list(CUSTOM_TYPES) for name in names}
        self.seen: set[str] = set()

    def see(self, name: str, text: str) -> None:
        if not text:
            return
        self.seen.add(name)
        kinds = self.candidates[name]
        if kinds:
            kinds[:] = [kind for kind in kinds if fits(kind, text)]

    def types(self) -> dict[str, str | None]:
        """The inferred type of each column; None for a column with no value at all."""
        return {
            name: (kinds[0] if kinds else "text") if name in self.seen else None
            for name, kinds in self.candidates.items()
        }


def widen(old: str, new: str) -> str:
    """The type that holds the values of both (a column imported twice with other values)."""
    if old == new:
        return old
    pair = {old, new}
    if pair == {"integer", "decimal"}:
        return "decimal"
    if pair == {"date", "datetime"}:
        return "datetime"
    return "text"
