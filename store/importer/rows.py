"""Row rules: each imported row becomes typed values, or a rejection with its reason.

These rules are the Python half of validation (the SQLite path, and contacts and campaigns
on every database); `postgres.events_sql` is the set-based half for events on PostgreSQL,
written from the same patterns in `values`.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any
from zoneinfo import available_timezones

from store.importer.files import EVENT_OPTIONAL, Advance, CsvSource
from store.importer.report import FileReport
from store.importer.values import (
    BadValue,
    convert,
    decimal_text,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_timestamp,
)
from store.types import sqlite_timestamp_text

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONSENT = ("subscribed", "unsubscribed", "pending")

Clean = Callable[[str], Any]


def _email(text: str) -> str:
    if not EMAIL.match(text):
        raise BadValue(f"not an email address: {text!r}")
    return text.lower()


def _size(text: str) -> int:
    value = parse_integer(text)
    if not 0 <= value < 2**31:
        raise BadValue(f"{value} is not a number of employees")
    return value


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone(text: str) -> str:
    if text not in _zones():
        raise BadValue(f"unknown time zone {text!r} (an IANA name such as Europe/Berlin)")
    return text


def _consent(text: str) -> str:
    value = text.lower()
    if value not in CONSENT:
        raise BadValue(f"{text!r} is not subscribed, unsubscribed or pending")
    return value


def _tags(text: str) -> str | None:
    tags = dict.fromkeys(t.strip().lower() for t in text.split(";"))
    tags.pop("", None)
    return ";".join(tags) or None


def _text(text: str) -> str:
    return text


def column_rules(zone: tzinfo) -> dict[str, Clean]:
    """How each known column of contacts and campaigns is read (values arrive stripped)."""
    return {
        "email": _email,
        "birth_date": parse_date,
        "signed_up_at": lambda t: parse_timestamp(t, zone),
        "sent_at": lambda t: parse_timestamp(t, zone),
        "company_size": _size,
        "timezone": _timezone,
        "language": str.lower,
        "interests": _tags,
        "email_consent": _consent,
    }


class AttributeRows:
    """Contacts or campaigns: rows as dicts of typed values of the columns that the file has.

    `columns` are the table columns the rows fill (`external_id` first, `properties` last when
    the file has custom columns); a column that the file lacks is not among them, so an import
    never blanks what another file set.
    """

    def __init__(self, source: CsvSource, zone: tzinfo, custom_types: dict[str, str]) -> None:
        self.source, self.zone, self.custom_types = source, zone, custom_types
        rules = column_rules(zone)
        known = [c for c in source.columns if c in source.spec.known and c != "id"]
        self.fields = [(source.position(c), c, rules.get(c, _text)) for c in known]
        self.custom = [(source.position(c), c) for c in source.custom]
        self.id_index = source.index("id")
        self.columns = ["external_id", *known] + (["properties"] if self.custom else [])

    def __call__(self, report: FileReport, advance: Advance | None = None) -> Iterator[dict[str, Any]]:
        for line, fields in self.source.records(report.reject_read, advance):
            report.rows += 1
            try:
                row = self.row(fields)
            except BadValue as exc:
                report.reject(line, str(exc))
                continue
            row["line"] = line
            yield row

    def row(self, fields: list[str]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for index, column, clean in self.fields:
            text = fields[index].strip()
            try:
                row[column] = clean(text) if text else None
            except BadValue as exc:
                raise BadValue(f"{column}: {exc}") from None
        external_id = fields[self.id_index].strip() if self.id_index is not None else ""
        row["external_id"] = external_id or row.get("email")
        if not row["external_id"]:
            required = ", ".join(self.source.spec.required)
            raise BadValue(f"no {required}")
        for column in self.source.spec.required:
            if column != "id" and not row.get(column):
                raise BadValue(f"no {column}")
        if self.custom:
            row["properties"] = self.properties(fields)
        return row

    def properties(self, fields: list[str]) -> dict[str, Any]:
        """Custom values; an empty one is None, which clears the property on merge."""
        values = {}
        for index, name in self.custom:
            text = fields[index].strip()
            try:
                values[name] = convert(self.custom_types[name], text, self.zone) if text else None
            except BadValue as exc:
                raise BadValue(f"{name}: {exc}") from None
        return values


def fingerprint(text: str) -> int:
    """A stable signed 64-bit hash of an event's values beyond contact, type and time.

    Two checksums of different families side by side: it only has to tell apart events of
    one contact, of one type, in the same second, and it runs tens of millions of times,
    where a cryptographic hash would cost a third of the whole import.
    """
    data = text.encode()
    return (zlib.crc32(data) << 32 | zlib.adler32(data)) - (1 << 63)


#: The columns of the tuples of `event_rows`.
EVENT_COLUMNS = (
    "contact_id", "occurred_at", "type", "fingerprint", "campaign_id", "amount", "currency",
    "category", "product", "topic", "properties",
)  # fmt: skip
#: An empty value in the tuples of `event_rows`. SQLite stores a NaN as NULL, and binding a float
#: costs a fraction of binding None, which the sqlite3 module first looks up among its adapters.
EMPTY = math.nan
#: Distinct details kept checked by `event_rows`: plenty for the values that most events share
#: (type, campaign, category), and a few megabytes.
KEPT_DETAILS = 16384
#: The longest currency code stored (ISO 4217 codes have three letters; `events.currency`).
CURRENCY_LENGTH = 8

#: An event's fields beyond contact and time, as written: its type, the optional columns that the
#: file has, then its custom columns.
Details = tuple[str, ...]


def event_rows(
    source: CsvSource,
    contact_ids: dict[str, int],
    zone: tzinfo,
    custom_types: dict[str, str],
    report: FileReport,
    advance: Advance | None = None,
) -> Iterator[tuple]:
    """Events as tuples in the column order of `EVENT_COLUMNS`, timestamps as SQLite text.

    Runs once per event, tens of millions of times, so the common row takes a fast path: its
    contact is found by its id as written, its time stamp has the canonical UTC form, and its
    details, which most events share with many others, were checked before, so their values and
    fingerprint come from a cache. Any other row is checked rule by rule, which gives the same
    values, or the reason to reject it.
    """
    return _EventRows(source, contact_ids, zone, custom_types).rows(report, advance)


class _EventRows:
    def __init__(
        self, source: CsvSource, contact_ids: dict[str, int], zone: tzinfo, custom_types: dict[str, str]
    ) -> None:
        self.source, self.contact_ids, self.zone = source, contact_ids, zone
        self.contact_at, self.type_at, self.time_at = (
            source.position(c) for c in ("contact_id", "type", "occurred_at")
        )
        self.custom = [(name, custom_types[name]) for name in source.custom]
        names = ["type", *(c for c in EVENT_OPTIONAL if c in source.columns), *source.custom]
        self.details_of = _fields_getter([source.position(c) for c in names])
        # The optional columns' places in the details; one past their end for a column the file lacks.
        self.optional_of = itemgetter(*(names.index(c) if c in names else len(names) for c in EVENT_OPTIONAL))
        self.custom_from = len(names) - len(self.custom)
        self.checked_details: dict[Details, tuple] = {}

    def rows(self, report: FileReport, advance: Advance | None) -> Iterator[tuple]:
        checked_details, details_of = self.checked_details, self.details_of
        contact_at, time_at, lookup = self.contact_at, self.time_at, self.contact_ids.get
        rows = 0
        try:
            for line, fields in self.source.records(report.reject_read, advance):
                rows += 1
                contact = lookup(fields[contact_at])
                at = _canonical_utc_text(fields[time_at]) if contact else None
                try:
                    if at:
                        details = details_of(fields)
                        row = (contact, at, *(checked_details.get(details) or self._detail_values(details)))
                    else:
                        row = self._checked(fields)
                except BadValue as exc:
                    report.reject(line, str(exc))
                    continue
                yield row
        finally:
            report.rows += rows

    def _checked(self, fields: list[str]) -> tuple:
        """The row's values, its rules checked in the order that picks the reason of a rejection."""
        contact = self._contact(fields[self.contact_at].strip())
        _kind(fields[self.type_at])
        at = sqlite_timestamp_text(_timestamp("occurred_at", fields[self.time_at].strip(), self.zone))
        return (contact, at, *self._detail_values(self.details_of(fields)))

    def _contact(self, key: str) -> int:
        contact = self.contact_ids.get(key)
        if contact is None:
            raise BadValue(f"unknown contact {key!r}" if key else "no contact_id")
        return contact

    def _detail_values(self, details: Details) -> tuple:
        """Type, fingerprint, then the values of the columns after them in `EVENT_COLUMNS`."""
        values = self.checked_details.get(details)
        if values is None:
            values = self._check_details(details)
            if len(self.checked_details) >= KEPT_DETAILS:
                self.checked_details.clear()
            self.checked_details[details] = values
        return values

    def _check_details(self, details: Details) -> tuple:
        texts = list(map(str.strip, details))
        kind = _kind(texts[0])
        custom = texts[self.custom_from :]
        properties = _event_properties(self.custom, custom, self.zone) if self.custom else ""
        texts.append("")  # the value of an optional column that the file lacks
        campaign, amount, currency, category, product, topic = self.optional_of(texts)
        amount, number = _amount(amount) if amount else ("", EMPTY)
        currency = currency.upper()
        if len(currency) > CURRENCY_LENGTH:
            raise BadValue(f"currency: not a currency code: {currency!r}")
        key = "\x1f".join([campaign, amount, currency, category, product, topic, properties])
        return (
            kind, fingerprint(key), campaign or EMPTY, number, currency or EMPTY, category or EMPTY,
            product or EMPTY, topic or EMPTY, properties or EMPTY,
        )  # fmt: skip


def _fields_getter(indices: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The fields at `indices` as a tuple (`itemgetter` gives one index's field bare)."""
    if len(indices) == 1:
        (index,) = indices
        return lambda fields: (fields[index],)
    return itemgetter(*indices)


def _canonical_utc_text(stamp: str) -> str | None:
    """'2026-01-31T09:00:00Z' as SQLite text; None for any other form, or a day that does not exist.

    The shape is checked cheaply (separators at every third place from the fifth, the year's
    first digit), and the digits and calendar by `datetime.fromisoformat`, which accepts no
    other form of this shape.
    """
    if len(stamp) != 20 or stamp[4::3] != "--T::Z" or stamp[0] not in "12":
        return None
    try:
        _fromisoformat(stamp)
    except ValueError:
        return None
    return stamp[:19].replace("T", " ")


_fromisoformat = datetime.fromisoformat


def _kind(text: str) -> str:
    kind = text.strip().lower()
    if not kind:
        raise BadValue("no type")
    return kind


def _timestamp(column: str, text: str, zone: tzinfo) -> datetime:
    if not text:
        raise BadValue(f"no {column}")
    try:
        return parse_timestamp(text, zone)
    except BadValue as exc:
        raise BadValue(f"{column}: {exc}") from None


@lru_cache(maxsize=KEPT_DETAILS)
def _amount(text: str) -> tuple[str, float]:
    """An amount's one spelling (for the fingerprint) and its value; prices repeat, so they are kept."""
    exact = _decimal("amount", text)
    return decimal_text(exact), float(exact)


def _decimal(column: str, text: str) -> Decimal:
    try:
        return parse_decimal(text)
    except BadValue as exc:
        raise BadValue(f"{column}: {exc}") from None


def _event_properties(custom: list[tuple[str, str]], texts: list[str], zone: tzinfo) -> str:
    """The custom values as a JSON object; '' when there are none."""
    try:
        values = {
            name: convert(kind, text, zone) for (name, kind), text in zip(custom, texts, strict=True) if text
        }
    except BadValue as exc:
        raise BadValue(f"properties: {exc}") from None
    return json.dumps(values, sort_keys=True) if values else ""
