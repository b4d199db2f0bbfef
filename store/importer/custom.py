"""Custom columns: their value types, inferred from a file and kept in `custom_properties`."""

from __future__ import annotations

from sqlalchemy import Connection, select

from store.importer.files import CsvSource
from store.importer.values import TypeInference, widen
from store.models import CustomProperty


def custom_types(conn: Connection, source: CsvSource, entity: str) -> dict[str, str]:
    """The type of each custom column of `source`, widened by what earlier imports stored.

    Reads the file once more when it has custom columns: a column's type depends on all of
    its values, and the rows are typed before they are written.
    """
    if not source.custom:
        return {}
    inference = TypeInference(source.custom)
    positions = [(source.position(name), name) for name in source.custom]
    for _, fields in source.records(_reported_later):
        for index, name in positions:
            inference.see(name, fields[index].strip())
    stored = dict(
        conn.execute(
            select(CustomProperty.name, CustomProperty.type).where(CustomProperty.entity == entity)
        ).all()
    )
    types = {name: _settle(stored.get(name), kind) for name, kind in inference.types().items()}
    for name, kind in types.items():
        if stored.get(name) != kind:
            conn.execute(
                CustomProperty.__table__.delete().where(
                    CustomProperty.entity == entity, CustomProperty.name == name
                )
            )
            conn.execute(CustomProperty.__table__.insert().values(entity=entity, name=name, type=kind))
    return types


def _reported_later(line: int, reason: str) -> None:
    """A line that makes no row is rejected when the rows load, which read the file again."""


def _settle(stored: str | None, inferred: str | None) -> str:
    """A column's type after this file: an empty column keeps what it had (text if new)."""
    if inferred is None:
        return stored or "text"
    return widen(stored, inferred) if stored else inferred
