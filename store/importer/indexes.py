"""Dropping a table's indexes before a bulk load and building them afterwards.

Building an index over rows already in place sorts them once, which is several times faster
than keeping it up to date row by row. The primary key and unique constraints go too; only
PostgreSQL can drop those (SQLite keeps them in the table's definition), and only those no
foreign key of another table stands on (`campaigns`' key, which the campaigns Tailor drafts
and their audit refer to, stays).
"""

from __future__ import annotations

from sqlalchemy import Connection, Constraint, Table, UniqueConstraint
from sqlalchemy.schema import AddConstraint, ColumnCollectionConstraint, DropConstraint


def drop_indexes(conn: Connection, table: Table) -> None:
    for constraint in _constraints(table):
        conn.execute(DropConstraint(constraint))
    for index in table.indexes:
        index.drop(conn)


def build_indexes(conn: Connection, table: Table) -> None:
    for constraint in _constraints(table):
        conn.execute(AddConstraint(constraint))
    for index in table.indexes:
        index.create(conn)


def _constraints(table: Table) -> list[Constraint]:
    unique = sorted(
        (c for c in table.constraints if isinstance(c, UniqueConstraint)), key=lambda c: str(c.name)
    )
    return [c for c in (table.primary_key, *unique) if not _referenced(table, c)]


def _referenced(table: Table, constraint: ColumnCollectionConstraint) -> bool:
    """Whether a foreign key refers to the constraint's columns: PostgreSQL refuses to drop it."""
    columns = set(constraint.columns)
    keys = (key for other in table.metadata.tables.values() for key in other.foreign_keys)
    return any(key.column in columns for key in keys)
