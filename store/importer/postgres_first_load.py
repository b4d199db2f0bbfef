"""A large first load of events, built on connections other than the import's.

Into a store without events, the checked events become a table of their own, made and indexed
on side connections (not the import's); the import puts it in place of `events` at its end:
nothing shows before the import commits, and a failed import leaves the store as it was (the
table, named after the staged file, is dropped with it).

Why other connections: each index build ends with its leader merging the sorted runs alone,
which leaves the second core idle, and so do the statements of the derived tables
(`store.derived`), which run in one process. Two connections build the two indexes at once,
while the import's transaction refreshes the derived tables from the same rows: at 1M contacts,
74 s for the three, against 93 s one after the other. A table that the import's transaction made
would be invisible to other connections until it commits, so the build makes it; it needs the
contacts' ids, which only the import's transaction sees, and they are copied to a table of the
build's own first (2.5 s at 1M).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

import psycopg
from sqlalchemy import Index, MetaData, PrimaryKeyConstraint, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

from store.importer.postgres_stage import EventsAhead
from store.models import Event

DIALECT = postgresql.dialect()


class EventsBuild:
    """The events table of one import, built on the staging connection and one more."""

    def __init__(self, ahead: EventsAhead, settings: dict[str, str]) -> None:
        """`settings`: those of the import's session, which the build's connections take too."""
        self.ahead, self.settings = ahead, settings
        self.session = ahead.session
        self.table, self.ids = ahead.side_table("events"), ahead.side_table("ids")
        #: The events' columns under the build's name, for queries on it.
        self.events: Table = Event.__table__.to_metadata(MetaData(), name=self.table)
        set_config(self.session, self.settings)

    def copy_contact_ids(self, source: psycopg.Connection) -> None:
        """Every contact's id by its external id, as the import's transaction sees them."""
        with self.session.cursor() as cursor:
            cursor.execute(f"CREATE UNLOGGED TABLE {self.ids} (external_id text, id integer)")
            with (
                source.cursor() as reading,
                reading.copy("COPY (SELECT external_id, id FROM contacts) TO STDOUT") as rows,
                cursor.copy(f"COPY {self.ids} (external_id, id) FROM STDIN") as into,
            ):
                for row in rows:
                    into.write(row)
            cursor.execute(f"ANALYZE {self.ids}")

    def index(self, meanwhile: Callable[[], None]) -> None:
        """The key on this connection and the other indexes on a second, while `meanwhile` runs."""
        key = Event.__table__.primary_key
        # A unique index becomes the primary key without a second look at the rows, once the
        # key's columns are NOT NULL (which CREATE TABLE AS does not set).
        not_null = ", ".join(f"ALTER COLUMN {column.name} SET NOT NULL" for column in key.columns)
        self.session.execute(f"ALTER TABLE {self.table} {not_null}")
        second = self.ahead.connect()
        try:
            set_config(second, self.settings)
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="events-index") as pool:
                done = [
                    pool.submit(_each, self.session, [self._unique_key()]),
                    pool.submit(_each, second, [self._index_like(index) for index in _indexes()]),
                ]
                try:
                    meanwhile()
                except BaseException:
                    # No use finishing the indexes of an import that failed.
                    self.session.cancel()
                    second.cancel()
                    wait(done)
                    raise
                for future in done:
                    future.result()
        finally:
            second.close()

    def put_in_place(self, cursor: psycopg.Cursor) -> None:
        """In the import's transaction: the built table becomes `events`, with its indexes' names."""
        table, preparer = Event.__table__, DIALECT.identifier_preparer
        cursor.execute("DROP TABLE events")
        cursor.execute(f"ALTER TABLE {self.table} RENAME TO events")
        for index in _indexes():
            cursor.execute(f"ALTER INDEX {self._name(index)} RENAME TO {preparer.format_index(index)}")
        cursor.execute(
            f"ALTER TABLE events ADD CONSTRAINT {preparer.format_constraint(table.primary_key)}"
            f" PRIMARY KEY USING INDEX {self._name(table.primary_key)}"
        )

    def _unique_key(self) -> str:
        columns = [self.events.c[column.name] for column in Event.__table__.primary_key.columns]
        index = Index(self._name(Event.__table__.primary_key), *columns, unique=True)
        return str(CreateIndex(index).compile(dialect=DIALECT))

    def _index_like(self, index: Index) -> str:
        columns = [self.events.c[column.name] for column in index.columns]
        copy = Index(self._name(index), *columns, unique=index.unique, **index.dialect_kwargs)
        return str(CreateIndex(copy).compile(dialect=DIALECT))

    def _name(self, index: Index | PrimaryKeyConstraint) -> str:
        """The name an index of `events` has while it is built: one of the build's own."""
        if isinstance(index, PrimaryKeyConstraint):
            return self.ahead.side_table("key")
        return self.ahead.side_table(f"ix{_indexes().index(index)}")


def _indexes() -> list[Index]:
    """The indexes of `events` beside its key, in a fixed order."""
    return sorted(Event.__table__.indexes, key=DIALECT.identifier_preparer.format_index)


def _each(connection: psycopg.Connection, statements: list[str]) -> None:
    for statement in statements:
        connection.execute(statement)


def set_config(
    on: psycopg.Connection | psycopg.Cursor, settings: dict[str, str], *, local: bool = False
) -> None:
    """Server settings, until the end of the transaction (`local`) or of the session (as on the
    build's connections, which are its own)."""
    for name, value in settings.items():
        on.execute("SELECT set_config(%s, %s, %s)", (name, value, local))
