"""Dropping a table's indexes before a bulk load and building them afterwards.

Building an index over rows already in place sorts them once, which is several times faster
than keeping it up to date row by row. The primary key and unique constraints go too; only
PostgreSQL can drop those (SQLite keeps them in the table's definition), and only when no
foreign key depends on them (`referenced`).
"""

from __future__ import annotations

from sqlalchemy import Connection, Constraint, Table, UniqueConstraint
from sqlalchemy.schema import AddConstraint, DropConstraint


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


def referenced(table: Table) -> bool:
    """Whether a foreign key of another table points at `table` (campaigns: Tailor's own campaigns
    and their audit): its key cannot be dropped then, so its indexes stay while rows load."""
    return any(
        key.column.table is table
        for other in table.metadata.tables.values()
        if other is not table
        for key in other.foreign_keys
    )


def _constraints(table: Table) -> list[Constraint]:
    unique = sorted(
        (c for c in table.constraints if isinstance(c, UniqueConstraint)), key=lambda c: str(c.name)
    )
    return [table.primary_key, *unique]
