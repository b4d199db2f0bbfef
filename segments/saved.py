"""Saved segments: a definition under a name, re-evaluated every time the name is used."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Engine, delete, insert, select

from segments.definition import Definition
from store.models import SavedSegment

#: Names are words a phrase can hold: "golf-comeback", "vip_de", "fairway winners".
MAX_NAME = 60
#: The columns of a `SavedInfo`.
INFO = (SavedSegment.name, SavedSegment.text, SavedSegment.created_by, SavedSegment.created_at)


class SavedError(ValueError):
    pass


class SavedInfo(BaseModel):
    name: str
    text: str
    created_by: str | None
    created_at: datetime


class SavedReading(SavedInfo):
    """A saved segment as `saved show` shows it: its definition and the reading an answer shows."""

    definition: dict
    explanation: str


class NameTaken(SavedError):
    """A segment is already saved under the name: replacing it is the caller's to confirm."""

    def __init__(self, taken: SavedInfo) -> None:
        super().__init__(f"a segment is already saved as {taken.name!r} (“{taken.text}”)")
        self.taken = taken


class SavedSegments:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, name: str, text: str, definition: Definition, created_by: str | None = None) -> None:
        name = valid_name(name)
        row = {"text": text, "definition": definition.as_json(), "created_by": created_by,
               "created_at": datetime.now(UTC)}  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(delete(SavedSegment).where(SavedSegment.name == name))
            conn.execute(insert(SavedSegment).values(name=name, **row))

    def get(self, name: str) -> Definition | None:
        with self.engine.connect() as conn:
            found = conn.execute(select(SavedSegment.definition).where(SavedSegment.name == name)).scalar()
        return None if found is None else Definition.model_validate(found)

    def info(self, name: str) -> SavedInfo | None:
        """The segment saved under exactly this name (spaces tidied), if any."""
        with self.engine.connect() as conn:
            row = conn.execute(select(*INFO).where(SavedSegment.name == " ".join(name.split()))).first()
        return None if row is None else SavedInfo(**row._mapping)

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(SavedSegment.name).order_by(SavedSegment.name)).scalars())

    def list(self) -> list[SavedInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(*INFO).order_by(SavedSegment.name)).mappings()
            return [SavedInfo(**row) for row in rows]

    def delete(self, name: str) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(delete(SavedSegment).where(SavedSegment.name == name)).rowcount > 0


def valid_name(name: str) -> str:
    """The name with its spaces tidied, or a SavedError saying what a name may hold."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME or not any(ch.isalpha() for ch in name):
        raise SavedError(f"a segment name needs letters and at most {MAX_NAME} characters: {name!r}")
    if not all(ch.isalnum() or ch in " -_'" for ch in name):
        raise SavedError(f"use letters, digits, spaces, '-' and '_' in a segment name: {name!r}")
    return name
