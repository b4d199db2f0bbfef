"""Engines for SQLite (the embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry

#: SQLite page cache of each connection, in KiB (negative: a size, not a page count).
SQLITE_CACHE_KIB = 131072
#: Connections kept open, and opened beyond them at a peak: segment work runs side by side, one
#: connection each (the Slack app's 16 workers, a report's own, the scheduler's to come).
POOL = {"pool_size": 16, "max_overflow": 16}


def normalize_url(url: str | URL) -> URL:
    """A SQLAlchemy URL; plain `postgresql://` (and Heroku's `postgres://`) mean psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_store_engine(url: str | URL, *, search_path: str | None = None) -> Engine:
    """An engine for `url`. `search_path` puts a PostgreSQL session in one schema (tests use it)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")  # one connection per thread: no pool to size
        engine = create_engine(parsed, connect_args={"timeout": 30}, **({} if in_memory else POOL))
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not the sqlite3 module, open transactions, so that DDL is transactional
        # too (SQLAlchemy's documented recipe for pysqlite).
        event.listen(engine, "begin", _begin)
        return engine
    connect_args = {"options": f"-csearch_path={search_path}"} if search_path else {}
    return create_engine(parsed, connect_args=connect_args, pool_pre_ping=True, **POOL)


def writing(engine: Engine) -> Engine:
    """The engine for a transaction that reads, then writes what it read (a state's move): on
    SQLite it takes the write lock at BEGIN, since in WAL mode a write after a read fails at once
    ("database is locked") when another connection wrote in between, where waiting for the lock
    at the start costs nothing. PostgreSQL is unaffected."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def _begin(connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    # WAL keeps the database consistent on power loss with NORMAL; FULL only adds durability
    # of the last transaction, at the price of an fsync per commit.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
