"""A segment's members as the rooms after segments need them: the recipients of a send or a
preview, in batches, and the members' ids as SQL for a report to join.

    for batch in service.recipients(definition, as_of):       # reachable members, 1,000 at a time
        ...
    ids = service.member_ids(conn, definition, as_of, reachable_only=False)   # a Select to compose

Reachable members are the default: a send must never reach past consent by forgetting a flag.
A report of how a segment did on past campaigns asks for every member.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, RowMapping, Select, select

from segments.compiler import Compiler, reachable
from segments.definition import Definition
from store.models import Contact

contacts = Contact.__table__
#: Recipients per batch: a few queries' worth of context per thousand, memory flat.
BATCH = 1000
#: The columns that are a recipient's identity rather than its fields.
IDENTITY = ("id", "external_id", "email", "properties")


class Recipient(BaseModel):
    """A member as a message needs it: the store's id, its own id, the address and every field
    (the contact's columns, then its custom properties under their own names)."""

    model_config = ConfigDict(frozen=True)

    id: int
    external_id: str
    email: str
    fields: dict[str, Any]


def member_ids(compiler: Compiler, definition: Definition, reachable_only: bool = True) -> Select:
    """The members' ids in the store (`contacts.id`), in no order; reachable ones only by default."""
    conditions = [compiler.where(definition), *([reachable()] if reachable_only else [])]
    return select(contacts.c.id).where(*conditions)


def recipients(conn: Connection, ids: Select, batch: int = BATCH) -> Iterator[list[Recipient]]:
    """The contacts whose ids `ids` selects, by id, `batch` at a time, from one streamed query:
    the store sends rows as they are read, so memory holds a batch, whatever the segment's size."""
    chosen = ids.subquery()
    rows = select(contacts).join(chosen, chosen.c.id == contacts.c.id).order_by(contacts.c.id)
    result = conn.execute(rows.execution_options(stream_results=True, yield_per=batch))
    try:
        for part in result.mappings().partitions():
            yield [_recipient(row) for row in part]
    finally:  # a caller may stop after any batch: the server's cursor is closed then too
        result.close()


def _recipient(row: RowMapping) -> Recipient:
    columns = {name: value for name, value in row.items() if name not in IDENTITY}
    return Recipient(
        id=row["id"],
        external_id=row["external_id"],
        email=row["email"],
        fields={**columns, **(row["properties"] or {})},
    )
