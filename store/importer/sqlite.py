"""The SQLite bulk path: rows typed in Python, written with `executemany` in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table

from store.importer.files import Advance, CsvSource
from store.importer.report import FileReport
from store.importer.rows import EVENT_COLUMNS, event_rows
from store.models import Event

BATCH_ROWS = 20_000
#: A load of more rows than this share of the stored events rebuilds the secondary index
#: afterwards: one sorted build is cheaper than millions of scattered index inserts.
REBUILD_SHARE = 0.5
#: Bytes per event row in a typical export, to guess a file's rows from its size.
BYTES_PER_EVENT = 60


class SqliteLoader:
    def __init__(self, conn: Connection, zone: tzinfo) -> None:
        self.conn, self.zone = conn, zone
        self.raw = conn.connection.driver_connection

    def stage(self, table: Table, columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
        dialect = self.conn.dialect
        convert = [table.c[c].type.bind_processor(dialect) for c in columns]
        marks = ", ".join("?" * len(columns))
        sql = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({marks})'
        pairs = list(zip(columns, convert, strict=True))
        tuples = (tuple(f(row[c]) if f and row[c] is not None else row[c] for c, f in pairs) for row in rows)
        _write(self.raw, sql, tuples)

    def load_events(
        self, source: CsvSource, custom_types: dict[str, str], report: FileReport, advance: Advance | None
    ) -> None:
        contact_ids = dict(self.raw.execute("SELECT external_id, id FROM contacts"))
        rows = event_rows(source, contact_ids, self.zone, custom_types, report, advance)
        index = next(iter(Event.__table__.indexes))
        rebuild = self._large(source)
        if rebuild:
            index.drop(self.conn)
        before = self.raw.total_changes
        marks = ", ".join("?" * len(EVENT_COLUMNS))
        _write(self.raw, f"INSERT OR IGNORE INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})", rows)
        report.inserted = self.raw.total_changes - before
        report.unchanged = report.loaded - report.inserted
        if rebuild:
            index.create(self.conn)

    def _large(self, source: CsvSource) -> bool:
        if self.raw.execute("SELECT NOT EXISTS (SELECT 1 FROM events)").fetchone()[0]:
            return True
        stored = self.raw.execute("SELECT count(*) FROM events").fetchone()[0]
        return source.size / BYTES_PER_EVENT > REBUILD_SHARE * stored

    def analyze(self) -> None:
        # A sample is enough for the planner; a full ANALYZE reads every index entry.
        self.raw.execute("PRAGMA analysis_limit = 1000")
        self.raw.execute("ANALYZE")


def _write(raw, sql: str, rows: Iterable[tuple]) -> None:
    rows = iter(rows)
    while batch := list(islice(rows, BATCH_ROWS)):
        raw.executemany(sql, batch)
