"""Small helpers for the store tests: import files, read tables back."""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from store.db import is_postgres
from store.importer import FileReport, ImportReport, ImportSources, run_import
from store.importer.postgres_stage import AHEAD_PREFIX
from store.models import Campaign, Contact, CustomProperty, Event

DATA_TABLES = (Contact, Event, Campaign, CustomProperty)


def load(engine: Engine, *, zone: tzinfo = UTC, **files: Path) -> ImportReport:
    """`load(engine, contacts=path, events=path)`: one import run."""
    return run_import(engine, ImportSources(**files), zone=zone)


def fetch(engine: Engine, statement) -> list:
    with engine.connect() as conn:
        return conn.execute(statement).all()


def count(engine: Engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def table_counts(engine: Engine) -> dict[str, int]:
    return {model.__tablename__: count(engine, model) for model in DATA_TABLES}


def contact(engine: Engine, external_id: str) -> Contact:
    with Session(engine) as session:
        return session.scalars(select(Contact).where(Contact.external_id == external_id)).one()


def properties(engine: Engine, model) -> dict[str, dict]:
    """Custom properties by contact external id (contacts) or by event product (events)."""
    key = Contact.external_id if model is Contact else Event.product
    return dict(fetch(engine, select(key, model.properties)))


def property_types(engine: Engine) -> dict[tuple[str, str], str]:
    rows = fetch(engine, select(CustomProperty.entity, CustomProperty.name, CustomProperty.type))
    return {(entity, name): kind for entity, name, kind in rows}


def rejections(report: FileReport) -> dict[int, str]:
    """Rejected rows of one file as {line: reason}."""
    return {r.line: r.reason for r in report.rejections}


def counts(report: FileReport) -> dict[str, int]:
    return report.model_dump(include={"rows", "inserted", "updated", "unchanged", "rejected"})


def staging_tables(engine: Engine) -> list[str]:
    """The tables that imports stage events in, left in the store's schema (PostgreSQL only)."""
    if not is_postgres(engine):
        return []
    query = text(
        "SELECT relname FROM pg_class"
        " WHERE relnamespace = current_schema()::regnamespace AND relname LIKE :pattern"
    )
    return [name for (name,) in fetch(engine, query.bindparams(pattern=f"{AHEAD_PREFIX}%"))]
