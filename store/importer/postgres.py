"""The PostgreSQL bulk path: `COPY` into a staging table, then set-based checks and merge.

Events never pass through Python row by row: the file's bytes go to `COPY` (`postgres_stage`),
every rule of `rows.event_rows` is applied in SQL with the same patterns (`values`), and one
`INSERT .. SELECT` joins the contacts and writes the events. A large load drops the two event
indexes and builds them afterwards, which is several times faster than maintaining them; the
events that repeat another's key are removed first, so that the key builds at the first try.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Connection, Table
from sqlalchemy.schema import AddConstraint, DropConstraint

from store.importer.files import EVENT_OPTIONAL, Advance, CsvSource
from store.importer.postgres_stage import EventsAhead, EventStage, Staged
from store.importer.report import KEPT_REJECTIONS, FileReport
from store.importer.values import DECIMAL_PATTERN, TIMESTAMP_PATTERN
from store.models import Event

#: A load of more rows than this multiple of the stored events drops and rebuilds the indexes;
#: a smaller one is merged with ON CONFLICT DO NOTHING.
REBUILD_SHARE = 2.0
SESSION = {
    "maintenance_work_mem": "1GB",
    "work_mem": "256MB",
    "temp_buffers": "256MB",
    "synchronous_commit": "off",
    # Time stamps print as '2026-01-31 09:00:00', which CANONICAL_UTC_OK compares with.
    "DateStyle": "ISO",
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
#: The common form '2026-01-31T09:00:00Z', told by its shape alone: such a stamp is cast at once
#: (a regular expression costs PostgreSQL more than the rest of the row) and checked afterwards
#: by CANONICAL_UTC_OK. A month 13 or a 30 February makes the cast fail; the careful statement
#: (`CAREFUL_SHAPE`) then takes over.
CANONICAL_SHAPE = "{stamp} LIKE '____-__-__T__:__:__Z'"
#: The cast stamp, printed, is the text it was cast from: so every digit was a digit and the
#: time existed as written (PostgreSQL reads 24:00 and second 60 as the next day and minute,
#: which print otherwise); the year starts with 1 or 2 like the pattern's.
CANONICAL_UTC_OK = (
    "v.utc >= '1000-01-01' AND v.utc < '3000-01-01'"
    " AND replace(v.utc::text, ' ', 'T') || 'Z' = v.occurred_at"
)
#: The day exists in its month (no 30 February). A CASE, so that it only ever reads a date's
#: digits: PostgreSQL may test the conditions of a WHERE in any order.
CALENDAR_OK = (
    "CASE WHEN {stamp} ~ '^[12][0-9]{{3}}-(0[1-9]|1[0-2])-[0-9]{{2}}' THEN"
    " to_char(make_date(substr({stamp}, 1, 4)::int, substr({stamp}, 6, 2)::int, 1)"
    " + (substr({stamp}, 9, 2)::int - 1), 'YYYY-MM-DD') = left({stamp}, 10) ELSE false END"
)
#: Any accepted form: the full pattern and the calendar.
TIMESTAMP_OK = "({stamp} ~ %(timestamp)s AND " + CALENDAR_OK + ")"
#: The canonical stamps, cast only once they passed every check (after a failed quick statement).
CAREFUL_SHAPE = f"{CANONICAL_SHAPE} AND {TIMESTAMP_OK}"
#: Every other form is checked in full before PostgreSQL reads it (in the import's time zone).
STAMP_OK = (
    f"CASE WHEN v.utc IS NOT NULL THEN {CANONICAL_UTC_OK}"
    f" ELSE {TIMESTAMP_OK.format(stamp='v.occurred_at')} END"
)
OCCURRED_AT = "coalesce(v.utc AT TIME ZONE 'UTC', v.occurred_at::timestamptz)"
REASON = f"""CASE
    WHEN v.contact_key = '' THEN 'no contact_id'
    WHEN c.id IS NULL THEN 'unknown contact ' || quote_literal(v.contact_key)
    WHEN v.type = '' THEN 'no type'
    WHEN v.occurred_at = '' THEN 'no occurred_at'
    WHEN v.occurred_at !~ %(timestamp)s
        THEN 'occurred_at: not an ISO 8601 date/time: ' || quote_literal(v.occurred_at)
    WHEN NOT ({CALENDAR_OK.format(stamp="v.occurred_at")})
        THEN 'occurred_at: no such date/time: ' || quote_literal(v.occurred_at)
    WHEN v.amount !~ %(decimal)s THEN 'amount: not a number: ' || quote_literal(v.amount)
END"""
#: The test of stamps cast at once: by shape, or (`CAREFUL`) after every check.
QUICK = CANONICAL_SHAPE.format(stamp="f.occurred_at")
CAREFUL = CAREFUL_SHAPE.format(stamp="f.occurred_at")
#: Contacts that have events with the same key: the key hashed, grouped by sorting, which
#: parallel workers share (a hash table of tens of millions of keys would spill to disk).
REPEATED_CONTACTS = """SELECT min(contact_id) FROM events
    GROUP BY hash_record_extended((contact_id, type, occurred_at, fingerprint), 0) HAVING count(*) > 1"""
#: All but one of each group of events of these contacts with the same key.
DROP_REPEATS = """DELETE FROM events e USING (
    SELECT ctid, row_number() OVER (PARTITION BY contact_id, type, occurred_at, fingerprint) AS n
    FROM events WHERE contact_id = ANY(%(contacts)s)
) d WHERE e.ctid = d.ctid AND d.n > 1"""


class PostgresLoader:
    def __init__(self, conn: Connection, zone: tzinfo, ahead: EventsAhead | None = None) -> None:
        self.conn, self.ahead = conn, ahead
        self.raw: psycopg.Connection = conn.connection.driver_connection
        for name, value in {**SESSION, "TimeZone": str(zone)}.items():
            self._set(name, value)

    def stage(self, table: Table, columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        documents = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = [row[c] for c in columns]
                for i in documents:
                    values[i] = Jsonb(values[i]) if values[i] is not None else None
                copy.write_row(values)

    def load_events(
        self, source: CsvSource, custom_types: dict[str, str], report: FileReport, advance: Advance | None
    ) -> None:
        with self.raw.cursor() as cursor:
            staged = self._stage_events(cursor, source, report, advance)
            report.rows = staged.rows + report.rejected
            rebuild = self._large(cursor, staged.rows)
            if rebuild:
                self._drop_indexes()
            written = self._insert(cursor, *_events_insert(staged, custom_types, on_conflict=not rebuild))
            if written < staged.rows:
                _reject(cursor, staged, report)
            report.inserted = written
            if rebuild:
                report.inserted -= self._drop_repeats(cursor)
                self._build_indexes()
                cursor.execute("ANALYZE events")
            report.unchanged = report.loaded - report.inserted

    def analyze(self) -> None:
        self.raw.execute("ANALYZE contacts")

    def _stage_events(
        self, cursor, source: CsvSource, report: FileReport, advance: Advance | None
    ) -> Staged:
        """The file as staged ahead, or staged now into a temporary table."""
        ahead = self.ahead if self.ahead and self.ahead.source is source else None
        staged = ahead.result() if ahead else None
        if staged is not None:
            if advance:
                advance(source.size)
            return staged
        stage = EventStage(cursor, source, "stage_events", temporary=True)
        # Staged ahead but refused by COPY: straight to the rows that Python checks.
        staged = stage.fill(report, advance, try_bytes=ahead is None)
        cursor.execute("ANALYZE stage_events")  # else the planner guesses a tiny table
        return staged

    def _set(self, name: str, value: str) -> None:
        """A setting until the end of the import's transaction."""
        self.raw.execute("SELECT set_config(%s, %s, true)", (name, value))

    def _large(self, cursor, incoming: int) -> bool:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'events'::regclass")
        estimate = cursor.fetchone()[0]
        if estimate < 0:  # never analysed: count
            cursor.execute("SELECT count(*) FROM events")
            estimate = cursor.fetchone()[0]
        return incoming > REBUILD_SHARE * estimate

    def _insert(self, cursor, statement: str, params: dict[str, str]) -> int:
        # The planner cannot guess how many rows pass the checks (it says a handful) and would
        # probe the contacts index once per event; a hash join reads contacts once.
        self._set("enable_nestloop", "off")
        try:
            with self.raw.transaction():
                cursor.execute(statement.replace("CAST_SHAPE", QUICK), params)
        except psycopg.errors.DataError:
            # A canonical looking stamp that does not exist (30 February, month 13): cast the
            # canonical ones only after the full check.
            cursor.execute(statement.replace("CAST_SHAPE", CAREFUL), params)
        self._set("enable_nestloop", "on")
        return cursor.rowcount

    def _drop_indexes(self) -> None:
        table = Event.__table__
        self.conn.execute(DropConstraint(table.primary_key))
        for index in table.indexes:
            index.drop(self.conn)

    def _drop_repeats(self, cursor) -> int:
        """Remove events that repeat another's key, as the key would refuse; returns how many.

        Looking first costs less than building the key: a build stops at the first repeat,
        after sorting half its rows, and then must start again.
        """
        self._set("enable_hashagg", "off")
        cursor.execute(REPEATED_CONTACTS)
        contacts = [contact for (contact,) in cursor.fetchall()]
        self._set("enable_hashagg", "on")
        if not contacts:
            return 0
        cursor.execute(DROP_REPEATS, {"contacts": contacts})
        return cursor.rowcount

    def _build_indexes(self) -> None:
        table = Event.__table__
        self.conn.execute(AddConstraint(table.primary_key))
        for index in table.indexes:
            index.create(self.conn)


def _events_insert(
    staged: Staged, custom_types: dict[str, str], *, on_conflict: bool
) -> tuple[str, dict[str, str]]:
    """The INSERT of every staged event that passes the checks, and its parameters.

    `CAST_SHAPE` stands for the test of stamps cast at once (`QUICK` or `CAREFUL`).
    """
    properties, names = _properties(custom_types)
    fingerprint = " || chr(31) || ".join(
        [
            "coalesce(v.campaign_id, '')",
            "coalesce(trim_scale(v.amount::numeric)::text, '')",
            *(f"coalesce(v.{name}, '')" for name in ("currency", "category", "product", "topic")),
            "coalesce(w.properties::text, '')",
        ]
    )
    values = {
        "contact_id": "c.id",
        "type": "v.type",
        "occurred_at": OCCURRED_AT,
        "fingerprint": f"hashtextextended({fingerprint}, 0)",
        "amount": "v.amount::numeric",
        **{name: f"v.{name}" for name in ("campaign_id", "currency", "category", "product", "topic")},
        "properties": "w.properties",
    }
    statement = f"""
        INSERT INTO events ({", ".join(values)})
        SELECT {", ".join(values.values())}
        FROM ({_values(staged, custom_types)}) v
        JOIN contacts c ON c.external_id = v.contact_key
        CROSS JOIN LATERAL (SELECT {properties} AS properties) w
        WHERE v.type <> '' AND {STAMP_OK} AND (v.amount IS NULL OR v.amount ~ %(decimal)s)
        {"ON CONFLICT DO NOTHING" if on_conflict else ""}"""
    return statement, {"timestamp": TIMESTAMP_PATTERN, "decimal": DECIMAL_PATTERN, **names}


def _fields(stage: Staged, custom_types: dict[str, str]) -> str:
    """The staged row, trimmed and named: `f`, or `v` in the rejection query.

    OFFSET 0 keeps the planner from merging this query into the one around it, which would
    trim a field again at each place that reads it.
    """
    source = stage.source

    def field(name: str) -> str:
        column = f"s.c{source.index(name)}"
        return f"trim({column})" if stage.padded else column

    def case(function: str, value: str) -> str:
        return f'{function}({value} COLLATE "C")' if stage.ascii else f"{function}({value})"

    fields = [
        "s.line",
        f"{field('contact_id')} AS contact_key",
        f"{case('lower', field('type'))} AS type",
        f"{field('occurred_at')} AS occurred_at",
    ]
    for name in EVENT_OPTIONAL:
        value = f"nullif({field(name)}, '')" if source.index(name) is not None else "NULL::text"
        fields.append(f"{case('upper', value) if name == 'currency' else value} AS {name}")
    for k, name in enumerate(custom_types):
        fields.append(f"nullif({field(name)}, '') AS p{k}")
    return f"SELECT {', '.join(fields)} FROM {stage.table} s OFFSET 0"


def _values(stage: Staged, custom_types: dict[str, str]) -> str:
    """`f` with `utc`, the time stamp of each row whose text passes `CAST_SHAPE`: `v`."""
    return (
        "SELECT f.*, CASE WHEN CAST_SHAPE THEN f.occurred_at::timestamp END AS utc"
        f" FROM ({_fields(stage, custom_types)}) f OFFSET 0"
    )


def _properties(custom_types: dict[str, str]) -> tuple[str, dict[str, str]]:
    if not custom_types:
        return "NULL::jsonb", {}
    kinds = enumerate(custom_types.values())
    pairs = [f"%(name{k})s::text, {CASTS[kind].format(v=f'v.p{k}')}" for k, kind in kinds]
    names = {f"name{k}": name for k, name in enumerate(custom_types)}
    return f"nullif(jsonb_strip_nulls(jsonb_build_object({', '.join(pairs)})), '{{}}'::jsonb)", names


def _reject(cursor, staged: Staged, report: FileReport) -> None:
    cursor.execute(
        f"""SELECT line, reason, count(*) OVER () FROM (
                SELECT v.line, {REASON} AS reason
                FROM ({_fields(staged, {})}) v LEFT JOIN contacts c ON c.external_id = v.contact_key
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
