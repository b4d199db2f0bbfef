"""The SQLite bulk path: rows typed in Python, written with `executemany` in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import tzinfo
from typing import Any

from sqlalchemy import Connection, Engine, Table

from store import derived
from store.importer.drivers import sqlite_connection
from store.importer.files import Advance, CsvSource
from store.importer.report import FileReport
from store.importer.row_worker import event_rows_from_worker, spare_core
from store.importer.rows import EMPTY, EVENT_COLUMNS, event_rows
from store.models import Base, Event
from store.pricing import Pricing

#: The page cache while events load, in KiB. The rows arrive nearly in key order and the index
#: is built by one sort, so a large cache does not make either faster; the sorter takes as much
#: memory again, and both count in the import's peak.
EVENTS_CACHE_KIB = 32768
#: An events file at least this large is read and typed by a second process (`row_worker`), which
#: takes a second to start.
WORKER_BYTES = 64 << 20
#: A load of more rows than this share of the stored events rebuilds the secondary index
#: afterwards: one sorted build is cheaper than millions of scattered index inserts.
REBUILD_SHARE = 0.5
#: Bytes per event row in a typical export, to guess a file's rows from its size.
BYTES_PER_EVENT = 60


class SqliteLoader:
    def __init__(self, conn: Connection, zone: tzinfo, pricing: Pricing) -> None:
        self.conn, self.zone, self.pricing = conn, zone, pricing
        self.raw = sqlite_connection(conn)

    def stage(self, table: Table, columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
        dialect = self.conn.dialect
        convert = [table.c[c].type.bind_processor(dialect) for c in columns]
        marks = ", ".join("?" * len(columns))
        sql = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({marks})'
        pairs = list(zip(columns, convert, strict=True))
        # None as EMPTY: see there.
        tuples = (
            tuple(EMPTY if row[c] is None else f(row[c]) if f else row[c] for c, f in pairs) for row in rows
        )
        self.raw.executemany(sql, tuples)

    def load_events(
        self, source: CsvSource, custom_types: dict[str, str], report: FileReport, advance: Advance | None
    ) -> None:
        index = next(iter(Event.__table__.indexes))
        rebuild = self._large(source)
        with _page_cache(self.raw, EVENTS_CACHE_KIB):
            if rebuild:
                index.drop(self.conn)
            before = self.raw.total_changes
            self._insert_events(source, custom_types, report, advance)
            report.inserted = self.raw.total_changes - before
            report.unchanged = report.loaded - report.inserted
            if rebuild:
                index.create(self.conn)
                self._count_events()

    def refresh_derived(self) -> None:
        """The tables derived from events."""
        derived.refresh(self.conn, self.pricing)

    def _insert_events(
        self, source: CsvSource, custom_types: dict[str, str], report: FileReport, advance: Advance | None
    ) -> None:
        # The contact ids live only as long as this call: the index build after it needs the memory.
        contact_ids = dict(self.raw.execute("SELECT external_id, id FROM contacts"))
        rows: AbstractContextManager[Iterator[tuple]]
        if source.size >= WORKER_BYTES and spare_core():
            rows = event_rows_from_worker(source, contact_ids, self.zone, custom_types, report, advance)
        else:
            rows = nullcontext(event_rows(source, contact_ids, self.zone, custom_types, report, advance))
        del contact_ids
        with rows as typed:
            self.raw.executemany(_EVENTS_INSERT, typed)

    def _large(self, source: CsvSource) -> bool:
        if self.raw.execute("SELECT NOT EXISTS (SELECT 1 FROM events)").fetchone()[0]:
            return True
        stored = self.raw.execute("SELECT count(*) FROM events").fetchone()[0]
        return source.size / BYTES_PER_EVENT > REBUILD_SHARE * stored

    def _count_events(self) -> None:
        """Planner statistics of the events, counted in full after a large load.

        The derived tables that the import refreshes next, and segments later, read events by contact and
        type; with a count, SQLite knows each contact has many events of few types and reads them
        in key order. A sample would see only the first rows of each index, all of one type.
        """
        self.raw.execute("PRAGMA analysis_limit = 0")
        self.raw.execute("ANALYZE events")

    def after_commit(self, engine: Engine) -> None:
        """Nothing: SQLite's indexes need no vacuum to be read alone."""

    def analyze(self) -> None:
        # A sample is enough for the other tables; events keep the statistics of their last large load.
        self.raw.execute("PRAGMA analysis_limit = 1000")
        for table in Base.metadata.tables:
            if table != Event.__tablename__:
                self.raw.execute(f'ANALYZE "{table}"')


@contextmanager
def _page_cache(raw: sqlite3.Connection, kib: int) -> Iterator[None]:
    """SQLite's page cache, which also bounds the memory of its sorter, at `kib` for a while."""
    (before,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = -{kib}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {before}")


_EVENTS_INSERT = "INSERT OR IGNORE INTO events ({}) VALUES ({})".format(
    ", ".join(EVENT_COLUMNS), ", ".join("?" * len(EVENT_COLUMNS))
)
