"""Contacts and campaigns: staged in a temporary table, then merged by their external id.

The merge is an `INSERT .. SELECT` of new ids and an `UPDATE .. FROM` of known ones, written
with SQLAlchemy Core, so SQLite and PostgreSQL share it. Only the columns that the file has
are written; the latest row of an id in the file wins; a row equal to the stored one is left
untouched; an empty custom cell removes that property.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Insert,
    MetaData,
    Table,
    Update,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from store.importer.files import Advance
from store.importer.indexes import build_indexes, drop_indexes, referenced
from store.importer.report import FileReport
from store.importer.rows import AttributeRows
from store.types import Document

#: Writes staged rows (dicts) into a temporary table: COPY on PostgreSQL, executemany on SQLite.
Stage = Callable[[Table, list[str], Iterable[dict[str, Any]]], None]


def staging_table(target: Table, columns: list[str]) -> Table:
    return Table(
        f"stage_{target.name}",
        MetaData(),
        *(Column(name, target.c[name].type) for name in columns),
        Column("line", BigInteger),
        prefixes=["TEMPORARY"],
    )


def merge_attributes(
    conn: Connection,
    stage: Stage,
    target: Table,
    rows: AttributeRows,
    report: FileReport,
    advance: Advance | None = None,
) -> None:
    table = staging_table(target, rows.columns)
    table.create(conn)
    stage(table, [*rows.columns, "line"], rows(report, advance))
    dialect = conn.dialect.name
    stored = conn.execute(select(exists().select_from(target))).scalar_one()
    # Into an empty table, PostgreSQL builds the indexes once the rows are in (SQLite cannot
    # drop its keys, nor PostgreSQL a key that a foreign key depends on).
    rebuild = not stored and dialect == "postgresql" and not referenced(target)
    if rebuild:
        drop_indexes(conn, target)
    report.inserted = _rowcount(conn, _insert_new(dialect, target, table, rows.columns))
    if rebuild:
        build_indexes(conn, target)
    # A row inserted just now equals its staged row: into an empty table, nothing is updated.
    report.updated = _rowcount(conn, _update_changed(dialect, target, table, rows.columns)) if stored else 0
    report.unchanged = report.loaded - report.inserted - report.updated
    table.drop(conn)


def _rowcount(conn: Connection, statement: Insert | Update) -> int:
    return conn.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def _latest(staged: Table) -> ColumnElement[bool]:
    """The staged rows that count: the last one of each id in the file."""
    return staged.c.line.in_(select(func.max(staged.c.line)).group_by(staged.c.external_id))


def _insert_new(dialect: str, target: Table, staged: Table, columns: list[str]) -> Insert:
    values = [_strip_nulls(dialect, staged.c[c]) if c == "properties" else staged.c[c] for c in columns]
    known = select(target.c.external_id).where(target.c.external_id == staged.c.external_id)
    rows = select(*values).where(_latest(staged), ~known.exists())
    return insert(target).from_select(columns, rows)


def _update_changed(dialect: str, target: Table, staged: Table, columns: list[str]) -> Update:
    new: dict[str, ColumnElement[Any]] = {c: staged.c[c] for c in columns if c != "external_id"}
    if "properties" in new:
        new["properties"] = _merge_json(dialect, target.c.properties, staged.c.properties)
    changed = or_(*(target.c[c].is_distinct_from(value) for c, value in new.items()))
    return (
        update(target)
        .where(target.c.external_id == staged.c.external_id, _latest(staged), changed)
        .values(new)
    )


def _strip_nulls(dialect: str, document: ColumnElement[Any]) -> ColumnElement[Any]:
    """A document without its null members (an empty cell sets nothing on a new contact)."""
    if dialect == "postgresql":
        return func.jsonb_strip_nulls(document, type_=Document)
    return func.json_patch(literal("{}"), document, type_=Document)


def _merge_json(dialect: str, stored: ColumnElement[Any], incoming: ColumnElement[Any]) -> ColumnElement[Any]:
    """`stored` updated by `incoming`; a null member of `incoming` removes the property."""
    if dialect == "postgresql":
        merged = func.coalesce(stored, literal("{}", Document)).op("||")(incoming)
        return func.jsonb_strip_nulls(merged, type_=Document)
    return func.json_patch(func.coalesce(stored, literal("{}")), incoming, type_=Document)
