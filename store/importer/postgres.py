"""The PostgreSQL bulk path: `COPY` into a staging table, then set-based checks and merge.

Events never pass through Python row by row: the file's bytes go to `COPY`, every rule of
`rows.event_rows` is applied in SQL with the same patterns (`values`), and one
`INSERT .. SELECT` joins the contacts and writes the events. A large load drops the two event
indexes and builds them afterwards, which is several times faster than maintaining them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Table
from sqlalchemy.schema import AddConstraint, DropConstraint

from store.importer.files import EVENT_OPTIONAL, Advance, CsvSource
from store.importer.report import KEPT_REJECTIONS, FileReport
from store.importer.values import DECIMAL_PATTERN, TIMESTAMP_PATTERN
from store.models import Event

#: A load of more rows than this multiple of the stored events drops and rebuilds the indexes
#: (and removes repeated rows afterwards); a smaller one is merged with ON CONFLICT DO NOTHING.
REBUILD_SHARE = 2.0
SESSION = {
    "maintenance_work_mem": "1GB",
    "work_mem": "256MB",
    "temp_buffers": "256MB",
    "synchronous_commit": "off",
}
CASTS = {
    "boolean": "CASE lower({v}) WHEN 'true' THEN true WHEN 'yes' THEN true "
    "WHEN 'false' THEN false WHEN 'no' THEN false END",
    "integer": "{v}::bigint",
    "decimal": "{v}::numeric",
    "date": "{v}::date",
    "datetime": "replace(to_char({v}::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'),"
    " '.000000', '') || '+00:00'",
    "text": "{v}",
}
#: The common form '2026-01-31T09:00:00Z', tested without a regular expression (which costs
#: PostgreSQL more than the rest of the row) and with equality only (ordering compares text
#: by locale, which is slow). The shape and digits are checked here; PostgreSQL's own parser
#: refuses month 13, day 32 or minute 60 (the careful statement then takes over), and the last
#: two terms refuse what it would accept but Python does not: 24:00 and second 60.
CANONICAL_UTC = (
    "(v.occurred_at LIKE '____-__-__T__:__:__Z'"
    " AND translate(v.occurred_at, '0123456789', '') = '--T::Z'"
    " AND left(v.occurred_at, 1) IN ('1', '2')"
    " AND substr(v.occurred_at, 12, 2) <> '24' AND substr(v.occurred_at, 18, 2) <> '60')"
)
#: The day exists in its month (no 30 February). A CASE, so that it only ever reads a date's
#: digits: PostgreSQL may test the conditions of a WHERE in any order.
CALENDAR_OK = (
    "CASE WHEN v.occurred_at ~ '^[12][0-9]{3}-(0[1-9]|1[0-2])-[0-9]{2}' THEN"
    " to_char(make_date(substr(v.occurred_at, 1, 4)::int, substr(v.occurred_at, 6, 2)::int, 1)"
    " + (substr(v.occurred_at, 9, 2)::int - 1), 'YYYY-MM-DD') = left(v.occurred_at, 10) ELSE false END"
)
REASON = f"""CASE
    WHEN v.contact_key = '' THEN 'no contact_id'
    WHEN c.id IS NULL THEN 'unknown contact ' || quote_literal(v.contact_key)
    WHEN v.type = '' THEN 'no type'
    WHEN v.occurred_at = '' THEN 'no occurred_at'
    WHEN v.occurred_at !~ %(timestamp)s
        THEN 'occurred_at: not an ISO 8601 date/time: ' || quote_literal(v.occurred_at)
    WHEN NOT ({CALENDAR_OK}) THEN 'occurred_at: no such date/time: ' || quote_literal(v.occurred_at)
    WHEN v.amount !~ %(decimal)s THEN 'amount: not a number: ' || quote_literal(v.amount)
END"""


class PostgresLoader:
    def __init__(self, conn: Connection, zone: tzinfo) -> None:
        self.conn = conn
        self.raw: psycopg.Connection = conn.connection.driver_connection
        settings = {**SESSION, "TimeZone": str(zone)}
        for name, value in settings.items():
            self.raw.execute("SELECT set_config(%s, %s, true)", (name, value))

    def stage(self, table: Table, columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([Jsonb(row[c]) if isinstance(row[c], dict) else row[c] for c in columns])

    def load_events(
        self, source: CsvSource, custom_types: dict[str, str], report: FileReport, advance: Advance | None
    ) -> None:
        with self.raw.cursor() as cursor:
            staged = _EventStage(cursor, source, report)
            staged.fill(advance)
            cursor.execute("ANALYZE stage_events")  # else the planner guesses a tiny table
            report.rows = staged.rows + report.rejected
            rebuild = self._large(cursor, staged.rows)
            if rebuild:
                self._drop_indexes()
            written = self._insert(cursor, *_events_insert(source, custom_types, on_conflict=not rebuild))
            if written < staged.rows:
                _reject(cursor, source, staged, report)
            report.inserted = written
            if rebuild:
                report.inserted -= self._build_indexes(cursor)
                cursor.execute("ANALYZE events")
            report.unchanged = report.loaded - report.inserted

    def analyze(self) -> None:
        self.raw.execute("ANALYZE contacts")

    def _large(self, cursor, incoming: int) -> bool:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'events'::regclass")
        estimate = cursor.fetchone()[0]
        if estimate < 0:  # never analysed: count
            cursor.execute("SELECT count(*) FROM events")
            estimate = cursor.fetchone()[0]
        return incoming > REBUILD_SHARE * estimate

    def _insert(self, cursor, statement: str, names: dict[str, str]) -> int:
        params = {"timestamp": TIMESTAMP_PATTERN, "decimal": DECIMAL_PATTERN, **names}
        # The planner cannot guess how many rows pass the checks (it says a handful) and would
        # probe the contacts index once per event; a hash join reads contacts once.
        cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
        quick = f"({CANONICAL_UTC} OR v.occurred_at ~ %(timestamp)s)"
        careful = f"(v.occurred_at ~ %(timestamp)s AND {CALENDAR_OK})"
        try:
            with self.raw.transaction():
                cursor.execute(statement.replace("TIMESTAMP_OK", quick), params)
        except (psycopg.errors.DatetimeFieldOverflow, psycopg.errors.InvalidDatetimeFormat):
            # A date or time that does not exist (30 February, month 13): check each one fully.
            cursor.execute(statement.replace("TIMESTAMP_OK", careful), params)
        written = cursor.rowcount
        cursor.execute("SELECT set_config('enable_nestloop', 'on', true)")
        return written

    def _drop_indexes(self) -> None:
        table = Event.__table__
        self.conn.execute(DropConstraint(table.primary_key))
        for index in table.indexes:
            index.drop(self.conn)

    def _build_indexes(self, cursor) -> int:
        """Build the key and indexes again; returns the repeated rows removed to build the key."""
        table = Event.__table__
        add_key = str(AddConstraint(table.primary_key).compile(dialect=self.conn.dialect))
        removed = 0
        try:
            with self.raw.transaction():
                cursor.execute(add_key)
        except psycopg.errors.UniqueViolation:
            cursor.execute(
                "DELETE FROM events e USING (SELECT ctid, row_number() OVER (PARTITION BY contact_id,"
                " type, occurred_at, fingerprint) AS n FROM events) d WHERE e.ctid = d.ctid AND d.n > 1"
            )
            removed = cursor.rowcount
            cursor.execute(add_key)
        for index in table.indexes:
            index.create(self.conn)
        return removed


class _EventStage:
    """The file in a temporary table of text columns c0..cN, with each row's line number."""

    def __init__(self, cursor, source: CsvSource, report: FileReport) -> None:
        self.cursor, self.source, self.report = cursor, source, report
        self.columns = [f"c{i}" for i in range(len(source.columns))]
        self.rows = 0
        self.exact_lines = True
        cursor.execute(
            "CREATE TEMP TABLE stage_events (line bigint GENERATED BY DEFAULT AS IDENTITY (START 2), "
            + ", ".join(f"{c} text" for c in self.columns)
            + ") ON COMMIT DROP"
        )

    def fill(self, advance: Advance | None) -> None:
        try:
            with self.cursor.connection.transaction():
                self._copy_bytes(advance)
        except psycopg.errors.DataError:
            # A row with more or fewer fields, or a NUL byte: let Python read the file and
            # reject those rows, and stage the others.
            self._copy_checked_rows()

    def _copy_bytes(self, advance: Advance | None) -> None:
        newlines, last = 0, b"\n"
        # FORCE_NOT_NULL: an empty field is '' as on the Python path, not NULL.
        columns = ", ".join(self.columns)
        statement = f"COPY stage_events ({columns}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({columns}))"
        with self.cursor.copy(statement) as copy:
            for chunk in self.source.chunks(advance):
                copy.write(chunk)
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
        self.rows = self.cursor.rowcount
        # A field with a line break inside quotes shifts the numbering: then lines are counted
        # again, for the rejected rows only (`line_of`).
        self.exact_lines = newlines + (last != b"\n") == self.rows

    def _copy_checked_rows(self) -> None:
        width = len(self.columns)
        statement = f"COPY stage_events (line, {', '.join(self.columns)}) FROM STDIN"
        self.rows = 0
        with self.cursor.copy(statement) as copy:
            for line, fields in self.source.records():
                if not fields:
                    continue
                if len(fields) != width:
                    self.report.reject(line, f"expected {width} fields, found {len(fields)}")
                elif any("\x00" in f for f in fields):
                    self.report.reject(line, "a field holds a NUL character")
                else:
                    copy.write_row([line, *fields])
                    self.rows += 1
        self.exact_lines = True

    def lines_of(self, ordinals: list[int]) -> dict[int, int]:
        """Real start lines of the rows numbered (from 2, like lines) by `ordinals`."""
        wanted, found = set(ordinals), {}
        for number, (line, fields) in enumerate(self.source.records(), start=2):
            if number in wanted and fields:
                found[number] = line
        return found


def _values(source: CsvSource, custom_types: dict[str, str]) -> str:
    """The staged row, trimmed and named: `v` in the statements below."""

    def column(name: str) -> str:
        return f"s.c{source.index(name)}"

    fields = [
        "s.line",
        f"trim({column('contact_id')}) AS contact_key",
        f"lower(trim({column('type')})) AS type",
        f"trim({column('occurred_at')}) AS occurred_at",
    ]
    for name in EVENT_OPTIONAL:
        value = f"nullif(trim({column(name)}), '')" if source.index(name) is not None else "NULL::text"
        fields.append(f"{'upper' if name == 'currency' else ''}({value}) AS {name}")
    for k, name in enumerate(custom_types):
        fields.append(f"nullif(trim({column(name)}), '') AS p{k}")
    return f"SELECT {', '.join(fields)} FROM stage_events s"


def _properties(custom_types: dict[str, str]) -> tuple[str, dict[str, str]]:
    if not custom_types:
        return "NULL::jsonb", {}
    kinds = enumerate(custom_types.values())
    pairs = [f"%(name{k})s::text, {CASTS[kind].format(v=f'v.p{k}')}" for k, kind in kinds]
    names = {f"name{k}": name for k, name in enumerate(custom_types)}
    return f"nullif(jsonb_strip_nulls(jsonb_build_object({', '.join(pairs)})), '{{}}'::jsonb)", names


def _events_insert(
    source: CsvSource, custom_types: dict[str, str], *, on_conflict: bool
) -> tuple[str, dict[str, str]]:
    """The INSERT of every valid staged event; `TIMESTAMP_OK` is the time stamp check to fill in."""
    properties, names = _properties(custom_types)
    fingerprint = " || chr(31) || ".join(
        [
            "coalesce(v.campaign_id, '')",
            "coalesce(trim_scale(v.amount::numeric)::text, '')",
            *(f"coalesce(v.{name}, '')" for name in ("currency", "category", "product", "topic")),
            "coalesce(w.properties::text, '')",
        ]
    )
    statement = f"""
        INSERT INTO events (contact_id, type, occurred_at, fingerprint, campaign_id, amount, currency,
                            category, product, topic, properties)
        SELECT c.id, v.type, v.occurred_at::timestamptz, hashtextextended({fingerprint}, 0),
               v.campaign_id, v.amount::numeric, v.currency, v.category, v.product, v.topic, w.properties
        FROM ({_values(source, custom_types)}) v
        JOIN contacts c ON c.external_id = v.contact_key
        CROSS JOIN LATERAL (SELECT {properties} AS properties) w
        WHERE v.type <> '' AND TIMESTAMP_OK AND (v.amount IS NULL OR v.amount ~ %(decimal)s)
        {"ON CONFLICT DO NOTHING" if on_conflict else ""}"""
    return statement, names


def _reject(cursor, source: CsvSource, staged: _EventStage, report: FileReport) -> None:
    cursor.execute(
        f"""SELECT line, reason, count(*) OVER () FROM (
                SELECT v.line, {REASON} AS reason
                FROM ({_values(source, {})}) v LEFT JOIN contacts c ON c.external_id = v.contact_key
            ) r WHERE reason IS NOT NULL ORDER BY line LIMIT %(kept)s""",
        {"timestamp": TIMESTAMP_PATTERN, "decimal": DECIMAL_PATTERN, "kept": KEPT_REJECTIONS},
    )
    found = cursor.fetchall()
    if not found:
        return
    lines = staged.lines_of([line for line, _, _ in found]) if not staged.exact_lines else {}
    for line, reason, _ in found:
        report.reject(lines.get(line, line), reason)
    report.rejected += found[0][2] - len(found)
