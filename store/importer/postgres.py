"""The PostgreSQL bulk path: `COPY` into a staging table, then set-based checks and merge.

Events never pass through Python row by row: the file's bytes go to `COPY` (`postgres_stage`),
every rule of `rows.event_rows` is applied in SQL with the same patterns (`values`) while the
contacts are joined, in parallel workers (`valid_events`), and one `INSERT .. SELECT` writes the
events; into an empty store, the checked events become `events` instead of being copied, and
a file staged ahead is built on connections other than the import's (`postgres_first_load`). A large load
drops the two event indexes and builds them afterwards, which is several times faster than
maintaining them; the events that repeat another's key are removed first, so that the key
builds at the first try.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Connection, Engine, Table

from store import derived
from store.importer.drivers import one_value, psycopg_connection
from store.importer.files import EVENT_OPTIONAL, Advance, CsvSource
from store.importer.indexes import build_indexes, drop_indexes
from store.importer.postgres_first_load import EventsBuild, set_config
from store.importer.postgres_stage import EventsAhead, EventStage, Staged
from store.importer.report import KEPT_REJECTIONS, FileReport
from store.importer.values import DECIMAL_PATTERN, TIMESTAMP_PATTERN
from store.models import Event
from store.pricing import Pricing

#: A load of more rows than this multiple of the stored events drops and rebuilds the indexes;
#: a smaller one is merged with ON CONFLICT DO NOTHING.
REBUILD_SHARE = 2.0
SESSION = {
    "maintenance_work_mem": "1GB",
    "work_mem": "256MB",
    # The index builds and the search for repeated events sort in parallel. They are bound by
    # the processor, not the disk: more sorting processes than the default two finish sooner,
    # above all on a server that other work keeps busy.
    "max_parallel_maintenance_workers": "4",
    "max_parallel_workers_per_gather": "4",
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
#: (a regular expression costs PostgreSQL more than the rest of the row) and checked by
#: CANONICAL_UTC_OK. A month 13 or a 30 February makes the cast fail; the careful statement
#: (`CAREFUL`) then takes over.
CANONICAL_SHAPE = "v.occurred_at LIKE '____-__-__T__:__:__Z'"
#: The stamp, cast and printed, is the text it was cast from: so every digit was a digit and the
#: time existed as written (PostgreSQL reads 24:00 and second 60 as the next day and minute,
#: which print otherwise); the year starts with 1 or 2 like the pattern's.
CANONICAL_UTC_OK = (
    """v.occurred_at COLLATE "C" >= '1' AND v.occurred_at COLLATE "C" < '3'"""
    " AND replace(v.occurred_at::timestamp::text, ' ', 'T') || 'Z' = v.occurred_at"
)
#: The day exists in its month (no 30 February). A CASE, so that it only ever reads a date's
#: digits: PostgreSQL may test the conditions of a WHERE in any order.
CALENDAR_OK = (
    "CASE WHEN v.occurred_at ~ '^[12][0-9]{3}-(0[1-9]|1[0-2])-[0-9]{2}' THEN"
    " to_char(make_date(substr(v.occurred_at, 1, 4)::int, substr(v.occurred_at, 6, 2)::int, 1)"
    " + (substr(v.occurred_at, 9, 2)::int - 1), 'YYYY-MM-DD') = left(v.occurred_at, 10) ELSE false END"
)
#: Any accepted form: the full pattern and the calendar.
TIMESTAMP_OK = f"(v.occurred_at ~ %(timestamp)s AND {CALENDAR_OK})"
#: Which stamps are cast before the full check: those of the common shape (`QUICK`), or, after
#: a quick statement failed, only those that passed it (`CAREFUL`).
QUICK = CANONICAL_SHAPE
CAREFUL = f"{CANONICAL_SHAPE} AND {TIMESTAMP_OK}"
#: Every other form is checked in full before PostgreSQL reads it (in the import's time zone).
STAMP_OK = f"CASE WHEN CAST_SHAPE THEN {CANONICAL_UTC_OK} ELSE {TIMESTAMP_OK} END"
REASON = f"""CASE
    WHEN v.contact_key = '' THEN 'no contact_id'
    WHEN c.id IS NULL THEN 'unknown contact ' || quote_literal(v.contact_key)
    WHEN v.type_given = '' THEN 'no type'
    WHEN v.occurred_at = '' THEN 'no occurred_at'
    WHEN v.occurred_at !~ %(timestamp)s
        THEN 'occurred_at: not an ISO 8601 date/time: ' || quote_literal(v.occurred_at)
    WHEN NOT ({CALENDAR_OK})
        THEN 'occurred_at: no such date/time: ' || quote_literal(v.occurred_at)
    WHEN v.amount !~ %(decimal)s THEN 'amount: not a number: ' || quote_literal(v.amount)
    WHEN length(v.currency) > 8 THEN 'currency: not a currency code: ' || quote_literal(v.currency)
END"""
#: The key of an event, hashed: events that share a key share this.
KEY_HASH = "hash_record_extended((contact_id, type, occurred_at, fingerprint), 0)"
#: The hashes of keys that more than one event has. Grouped by sorting, which parallel workers
#: share (a hash table of tens of millions of keys would spill to disk); the hash alone, so that
#: each worker sorts bare numbers and hands the leader no more than a number per event (with the
#: rows' addresses beside them, the workers' sorts spill to disk: 23 s against 13 s at 1M).
REPEATED_KEYS = f"SELECT h FROM (SELECT {KEY_HASH} AS h FROM {{table}}) k GROUP BY h HAVING count(*) > 1"
#: Where the events of those hashes are: a parallel scan, where a DELETE would scan alone.
ROWS_OF_KEYS = f"SELECT ctid::text FROM {{table}} WHERE {KEY_HASH} = ANY(%(keys)s)"
EVENT_COLUMNS = ", ".join(column.name for column in Event.__table__.columns)
INSERT_VALID = f"INSERT INTO events ({EVENT_COLUMNS}) SELECT {EVENT_COLUMNS} FROM valid_events"
#: All but one of each group of these events with the same key (a hash may be shared by chance).
DROP_REPEATS = """DELETE FROM {table} e USING (
    SELECT ctid, row_number() OVER (PARTITION BY contact_id, type, occurred_at, fingerprint) AS n
    FROM {table} WHERE ctid = ANY(%(rows)s::tid[])
) d WHERE e.ctid = d.ctid AND d.n > 1"""


class PostgresLoader:
    def __init__(
        self, conn: Connection, zone: tzinfo, pricing: Pricing, ahead: EventsAhead | None = None
    ) -> None:
        self.conn, self.ahead, self.pricing = conn, ahead, pricing
        #: The session's settings until the import's transaction ends; a first load's connections
        #: (`_first_load`) take them too.
        self.settings = {**SESSION, "TimeZone": str(zone)}
        #: Whether this import loaded events in bulk, which `after_commit` then vacuums.
        self.bulk = False
        #: Whether the derived tables were refreshed while the events were built (`_first_load`).
        self.derived_done = False
        self.raw = psycopg_connection(conn.connection)
        set_config(self.raw, self.settings, local=True)

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
            # Into an empty table, the checked rows become the table: no copy of millions of rows.
            swap = rebuild and _empty(cursor)
            if swap and self.ahead is not None and staged.table == self.ahead.table:
                self._first_load(cursor, staged, custom_types, report)
            else:
                self._load_here(cursor, staged, custom_types, report, rebuild=rebuild, swap=swap)
            report.unchanged = report.loaded - report.inserted

    def refresh_derived(self) -> None:
        """The tables derived from events, unless a first load refreshed them already."""
        if not self.derived_done:
            derived.refresh(self.conn, self.pricing)

    def _load_here(
        self,
        cursor: psycopg.Cursor,
        staged: Staged,
        types: dict[str, str],
        report: FileReport,
        *,
        rebuild: bool,
        swap: bool,
    ) -> None:
        """Checked in this transaction, then inserted, or in place of an empty `events`."""
        into = "TABLE valid_events" if swap else "TEMP TABLE valid_events ON COMMIT DROP"
        valid = create_checked(self.raw, *_check_events(staged, types, into=into))
        if valid < staged.rows:
            _reject(cursor, staged, report)
        if swap:
            cursor.execute("DROP TABLE events")
            cursor.execute("ALTER TABLE valid_events RENAME TO events")
            report.inserted = valid
        else:
            if rebuild:
                drop_indexes(self.conn, Event.__table__)
            cursor.execute(INSERT_VALID + ("" if rebuild else " ON CONFLICT DO NOTHING"))
            report.inserted = cursor.rowcount
            cursor.execute("DROP TABLE valid_events")
        if rebuild:
            report.inserted -= drop_repeats(self.raw, "events")
            build_indexes(self.conn, Event.__table__)
            self._bulk_loaded(cursor)

    def _first_load(
        self, cursor: psycopg.Cursor, staged: Staged, custom_types: dict[str, str], report: FileReport
    ) -> None:
        """Built and indexed on other connections (`postgres_first_load`), then put in place here."""
        assert self.ahead is not None
        build = EventsBuild(self.ahead, self.settings)
        build.copy_contact_ids(self.raw)
        statement = _check_events(staged, custom_types, into=f"TABLE {build.table}", contacts=build.ids)
        valid = create_checked(build.session, *statement)
        if valid < staged.rows:
            _reject(cursor, staged, report)
        report.inserted = valid - drop_repeats(build.session, build.table)
        build.index(meanwhile=lambda: derived.refresh(self.conn, self.pricing, build.events))
        self.derived_done = True
        build.put_in_place(cursor)
        self._bulk_loaded(cursor)

    def _bulk_loaded(self, cursor: psycopg.Cursor) -> None:
        cursor.execute("ANALYZE events")
        self.bulk = True

    def analyze(self) -> None:
        self.raw.execute("ANALYZE contacts")

    def after_commit(self, engine: Engine) -> None:
        """Vacuum events after a bulk load, so that segments read the indexes alone.

        An index answers without visiting the table only for rows that the visibility map marks
        as seen by everyone, which only VACUUM sets (outside a transaction, so after the commit).
        Autovacuum would get there, later and not on every server; the segments cannot wait.
        """
        if self.bulk:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM events")

    def _stage_events(
        self, cursor: psycopg.Cursor, source: CsvSource, report: FileReport, advance: Advance | None
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

    def _large(self, cursor: psycopg.Cursor, incoming: int) -> bool:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'events'::regclass")
        estimate = one_value(cursor)
        if estimate < 0:  # never analysed: count
            cursor.execute("SELECT count(*) FROM events")
            estimate = one_value(cursor)
        return incoming > REBUILD_SHARE * estimate


def create_checked(connection: psycopg.Connection, statement: str, params: dict[str, str]) -> int:
    """Runs a statement of `_check_events`; returns how many rows passed.

    Each try in a transaction of its own (a savepoint inside the import's), so that it works
    alike on the import's connection and on one in autocommit.
    """
    with connection.cursor() as cursor:
        try:
            with connection.transaction():
                return _create(cursor, statement.replace("CAST_SHAPE", QUICK), params)
        except psycopg.errors.DataError:
            # A canonical looking stamp that does not exist (30 February, month 13): cast the
            # canonical ones only after the full check.
            with connection.transaction():
                return _create(cursor, statement.replace("CAST_SHAPE", CAREFUL), params)


def _create(cursor: psycopg.Cursor, statement: str, params: dict[str, str]) -> int:
    # The planner cannot guess how many rows pass the checks (it says a handful) and would
    # probe the contacts index once per event; a hash join reads contacts once.
    set_config(cursor, {"enable_nestloop": "off"}, local=True)
    cursor.execute(statement, params)
    rows = cursor.rowcount
    set_config(cursor, {"enable_nestloop": "on"}, local=True)
    return rows


def drop_repeats(connection: psycopg.Connection, table: str) -> int:
    """Remove events that repeat another's key, as the key would refuse; returns how many.

    Looking first costs less than building the key: a build stops at the first repeat,
    after sorting half its rows, and then must start again.
    """
    with connection.transaction(), connection.cursor() as cursor:
        set_config(cursor, {"enable_hashagg": "off"}, local=True)
        cursor.execute(REPEATED_KEYS.format(table=table))
        keys = [key for (key,) in cursor.fetchall()]
        set_config(cursor, {"enable_hashagg": "on"}, local=True)
        if not keys:
            return 0
        cursor.execute(ROWS_OF_KEYS.format(table=table), {"keys": keys})
        cursor.execute(DROP_REPEATS.format(table=table), {"rows": [row for (row,) in cursor.fetchall()]})
        return cursor.rowcount


def _empty(cursor: psycopg.Cursor) -> bool:
    """Whether `events` is empty, and stays so until this import ends: another import that
    would write events waits (readers do not), as this one may drop the table and build anew."""
    cursor.execute("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM events)")
    return bool(one_value(cursor))


def _check_events(
    staged: Staged, custom_types: dict[str, str], into: str, contacts: str = "contacts"
) -> tuple[str, dict[str, str]]:
    """A table (`into`, such as "TEMP TABLE valid_events"): every staged event that passes the
    checks, as a row of `events`, with the columns of `events` in their order and types; and the
    statement's parameters. `CAST_SHAPE` stands for `QUICK` or `CAREFUL`. The ids of the contacts
    come from `contacts` (a table with columns external_id and id).

    CREATE TABLE AS, unlike INSERT, lets parallel workers check and convert the rows; the
    INSERT (`INSERT_VALID`) then only copies them. A fence around the fields (OFFSET 0) would
    keep the workers out, so the planner merges them into this query: a field read twice is
    computed twice, which costs less than the work the workers take over.
    """
    properties, names = _properties(custom_types)
    values = {
        "contact_id": "c.id",
        # The columns' collation as migrations make it, not that of the ASCII case mapping.
        "type": 'v.type COLLATE "default"',
        "occurred_at": "v.occurred_at::timestamptz",
        "fingerprint": f"hashtextextended({_fingerprint_text()}, 0)",
        "campaign_id": "v.campaign_id",
        "amount": "v.amount::numeric",
        "currency": 'v.currency::varchar(8) COLLATE "default"',  # checked to fit, so never cut
        **{name: f"v.{name}" for name in ("category", "product", "topic")},
        "properties": "w.properties",
    }
    statement = f"""
        CREATE {into} AS
        SELECT {", ".join(f"{value} AS {name}" for name, value in values.items())}
        FROM ({_fields(staged, custom_types)}) v
        JOIN {contacts} c ON c.external_id = v.contact_key
        CROSS JOIN LATERAL (SELECT {properties} AS properties) w
        WHERE v.type_given <> '' AND {STAMP_OK} AND (v.amount IS NULL OR v.amount ~ %(decimal)s)
            AND (v.currency IS NULL OR length(v.currency) <= 8)"""
    return statement, {"timestamp": TIMESTAMP_PATTERN, "decimal": DECIMAL_PATTERN, **names}


def _fingerprint_text() -> str:
    """What an event's fingerprint hashes: the fields beside its key, joined by chr(31)."""
    others = ("currency", "category", "product", "topic")
    full = " || chr(31) || ".join(
        [
            "coalesce(v.campaign_id, '')",
            "coalesce(trim_scale(v.amount::numeric)::text, '')",
            *(f"coalesce(v.{name}, '')" for name in others),
            "coalesce(w.properties::text, '')",
        ]
    )
    # Most events are emails, which carry a campaign and none of the others: the same text,
    # put together from three parts instead of thirteen (each || copies the text so far).
    bare = " AND ".join(f"v.{name} IS NULL" for name in ("amount", *others))
    short = "coalesce(v.campaign_id, '') || repeat(chr(31), 6) || coalesce(w.properties::text, '')"
    return f"CASE WHEN {bare} THEN {short} ELSE {full} END"


def _fields(stage: Staged, custom_types: dict[str, str]) -> str:
    """The staged row, trimmed and named: `v`."""
    source = stage.source

    def field(name: str) -> str:
        column = f"s.c{source.position(name)}"
        return f"trim({column})" if stage.padded else column

    def case(function: str, value: str) -> str:
        return f'{function}({value} COLLATE "C")' if stage.ascii else f"{function}({value})"

    fields = [
        "s.line",
        f"{field('contact_id')} AS contact_key",
        f"{case('lower', field('type'))} AS type",
        # Checked for emptiness as given: the planner computes a field once per use, and a
        # lowered type is empty only if the given one is.
        f"{field('type')} AS type_given",
        f"{field('occurred_at')} AS occurred_at",
    ]
    for name in EVENT_OPTIONAL:
        value = f"nullif({field(name)}, '')" if source.index(name) is not None else "NULL::text"
        fields.append(f"{case('upper', value) if name == 'currency' else value} AS {name}")
    for k, name in enumerate(custom_types):
        fields.append(f"nullif({field(name)}, '') AS p{k}")
    return f"SELECT {', '.join(fields)} FROM {stage.table} s"


def _properties(custom_types: dict[str, str]) -> tuple[str, dict[str, str]]:
    if not custom_types:
        return "NULL::jsonb", {}
    kinds = enumerate(custom_types.values())
    pairs = [f"%(name{k})s::text, {CASTS[kind].format(v=f'v.p{k}')}" for k, kind in kinds]
    names = {f"name{k}": name for k, name in enumerate(custom_types)}
    return f"nullif(jsonb_strip_nulls(jsonb_build_object({', '.join(pairs)})), '{{}}'::jsonb)", names


def _reject(cursor: psycopg.Cursor, staged: Staged, report: FileReport) -> None:
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
    for line, reason, _ in found:
        report.reject(line, reason)
    report.rejected += found[0][2] - len(found)
