"""Row rules: each imported row becomes typed values, or a rejection with its reason.

These rules are the Python half of validation (the SQLite path, and contacts and campaigns
on every database); `postgres.events_sql` is the set-based half for events on PostgreSQL,
written from the same patterns in `values`.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import cache
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
        self.fields = [(source.index(c), c, rules.get(c, _text)) for c in known]
        self.custom = [(source.index(c), c) for c in source.custom]
        self.id_index = source.index("id")
        self.columns = ["external_id", *known] + (["properties"] if self.custom else [])

    def __call__(self, report: FileReport, advance: Advance | None = None) -> Iterator[dict[str, Any]]:
        width = len(self.source.columns)
        for line, fields in self.source.records(advance):
            if not fields:
                continue
            report.rows += 1
            if len(fields) != width:
                report.reject(line, f"expected {width} fields, found {len(fields)}")
                continue
            try:
                row = self.row(fields)
            except BadValue as exc:
                report.reject(line, str(exc))
                continue
            row["line"] = line
            yield row

    def row(self, fields: list[str]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        if any("\x00" in field for field in fields):
            raise BadValue("a field holds a NUL character")
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


def _canonical_utc(stamp: str) -> bool:
    """'2026-01-31T09:00:00Z' and nothing else (checked cheaply; the calendar is checked after)."""
    return (
        len(stamp) == 20 and stamp[19] == "Z" and stamp[10] == "T" and stamp[4] == "-" and stamp[7] == "-"
        and stamp[13] == ":" and stamp[16] == ":" and stamp[0] in "12"
    )  # fmt: skip


def event_rows(
    source: CsvSource,
    contact_ids: dict[str, int],
    zone: tzinfo,
    custom_types: dict[str, str],
    report: FileReport,
    advance: Advance | None = None,
) -> Iterator[tuple]:
    """Events as tuples in the column order of `EVENT_COLUMNS`, timestamps as SQLite text.

    This loop runs once per event, tens of millions of times, so it is written for speed: the
    common timestamp form is converted by slicing, and counts are kept in locals.
    """
    width = len(source.columns)
    contact_at, type_at, time_at = (source.index(c) for c in ("contact_id", "type", "occurred_at"))
    # A missing optional column reads the empty field appended to every row.
    pick = itemgetter(*(source.index(c) if c in source.columns else width for c in EVENT_OPTIONAL))
    custom = [(source.index(c), c, custom_types[c]) for c in source.custom]
    lookup, fromiso, reject = contact_ids.get, datetime.fromisoformat, report.reject
    rows = 0
    try:
        for line, fields in source.records(advance):
            rows += 1
            if len(fields) != width:
                if not fields:
                    rows -= 1
                else:
                    reject(line, f"expected {width} fields, found {len(fields)}")
                continue
            contact = lookup(fields[contact_at]) or lookup(fields[contact_at].strip())
            kind = fields[type_at].strip().lower()
            stamp = fields[time_at].strip()
            fields.append("")
            try:
                if contact is None:
                    key = fields[contact_at].strip()
                    raise BadValue(f"unknown contact {key!r}" if key else "no contact_id")
                if not kind:
                    raise BadValue("no type")
                if _canonical_utc(stamp) and _valid(fromiso, stamp):
                    at = f"{stamp[:10]} {stamp[11:19]}"
                else:
                    at = sqlite_timestamp_text(_timestamp("occurred_at", stamp, zone))
                rest = [value.strip() for value in pick(fields)]
                properties = _event_properties(fields, custom, zone) if custom else None
                if rest[1]:
                    amount = _decimal("amount", rest[1])
                    rest[1] = decimal_text(amount)
                    amount = float(amount)
                else:
                    amount = None
            except BadValue as exc:
                reject(line, str(exc))
                continue
            rest[2] = rest[2].upper()
            rest.append(properties or "")
            yield (
                contact, kind, at, fingerprint("\x1f".join(rest)), rest[0] or None, amount,
                rest[2] or None, rest[3] or None, rest[4] or None, rest[5] or None, properties,
            )  # fmt: skip
    finally:
        report.rows += rows


def _valid(fromiso, stamp: str) -> bool:
    """The calendar and clock check of a well-shaped stamp (no 30 February, no 25:00)."""
    try:
        fromiso(stamp)
    except ValueError:
        return False
    return True


def _timestamp(column: str, text: str, zone: tzinfo) -> datetime:
    if not text:
        raise BadValue(f"no {column}")
    try:
        return parse_timestamp(text, zone)
    except BadValue as exc:
        raise BadValue(f"{column}: {exc}") from None


def _decimal(column: str, text: str) -> Decimal:
    try:
        return parse_decimal(text)
    except BadValue as exc:
        raise BadValue(f"{column}: {exc}") from None


def _event_properties(fields: list[str], custom, zone: tzinfo) -> str | None:
    try:
        present = [(i, name, kind) for i, name, kind in custom if fields[i].strip()]
        values = {name: convert(kind, fields[i].strip(), zone) for i, name, kind in present}
    except BadValue as exc:
        raise BadValue(f"properties: {exc}") from None
    return json.dumps(values, sort_keys=True) if values else None


EVENT_COLUMNS = (
    "contact_id", "type", "occurred_at", "fingerprint", "campaign_id", "amount", "currency",
    "category", "product", "topic", "properties",
)  # fmt: skip
