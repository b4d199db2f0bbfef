"""The DB-API connections under SQLAlchemy's, for what the bulk paths do with them directly:
`executemany` of plain tuples and PRAGMAs on SQLite, COPY and server settings on PostgreSQL."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from sqlalchemy import Connection
from sqlalchemy.pool import PoolProxiedConnection


def sqlite_connection(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection of `conn`, a connection to a SQLite store."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection), "not a connection to SQLite"
    return raw


def psycopg_connection(pooled: PoolProxiedConnection) -> psycopg.Connection:
    """The psycopg connection of `pooled` (`Connection.connection`, `Engine.raw_connection()`), a
    connection to a PostgreSQL store."""
    raw = pooled.driver_connection
    assert isinstance(raw, psycopg.Connection), "not a connection to PostgreSQL"
    return raw


def one_value(cursor: psycopg.Cursor) -> Any:
    """The value of the one row that the cursor's statement returned (a count, a function's result).

    Any: psycopg's rows are tuples of whatever the server's types convert to.
    """
    row = cursor.fetchone()
    assert row is not None, "the statement returned no row"
    return row[0]
