"""Contacts and campaigns: staged in a temporary table, then merged by their external id.

The merge is one `INSERT .. SELECT .. ON CONFLICT DO UPDATE` written with SQLAlchemy Core,
so SQLite and PostgreSQL share it. Only the columns that the file has are written; the
latest row of an id in the file wins; a row equal to the stored one is left untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, MetaData, Table, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

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
    conn: Connection, stage: Stage, target: Table, rows: AttributeRows, report: FileReport, advance=None
) -> None:
    table = staging_table(target, rows.columns)
    table.create(conn)
    stage(table, [*rows.columns, "line"], rows(report, advance))
    before = _count(conn, target)
    upsert = _upsert(conn.dialect.name, target, table, rows.columns)
    result = conn.execute(upsert.execution_options(preserve_rowcount=True))
    report.inserted = _count(conn, target) - before
    report.updated = result.rowcount - report.inserted
    report.unchanged = report.loaded - report.inserted - report.updated
    table.drop(conn)


def _count(conn: Connection, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _upsert(dialect: str, target: Table, staged: Table, columns: list[str]):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    latest = select(func.max(staged.c.line)).group_by(staged.c.external_id)
    values = [_strip_nulls(dialect, staged.c[c]) if c == "properties" else staged.c[c] for c in columns]
    statement = insert(target).from_select(columns, select(*values).where(staged.c.line.in_(latest)))
    new = {c: statement.excluded[c] for c in columns if c != "external_id"}
    if "properties" in new:
        new["properties"] = _merge_json(dialect, target.c.properties, statement.excluded.properties)
    changed = or_(*(target.c[c].is_distinct_from(value) for c, value in new.items()))
    return statement.on_conflict_do_update(index_elements=["external_id"], set_=new, where=changed)


def _strip_nulls(dialect: str, document):
    """A document without its null members (an empty cell sets nothing on a new contact)."""
    if dialect == "postgresql":
        return func.jsonb_strip_nulls(document, type_=Document)
    return func.json_patch(literal("{}"), document, type_=Document)


def _merge_json(dialect: str, stored, incoming):
    """`stored` updated by `incoming`; a null member of `incoming` removes the property."""
    if dialect == "postgresql":
        merged = func.coalesce(stored, literal("{}", Document)).op("||")(incoming)
        return func.jsonb_strip_nulls(merged, type_=Document)
    return func.json_patch(func.coalesce(stored, literal("{}")), incoming, type_=Document)
