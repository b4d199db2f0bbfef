"""One import run: check every header, load in one transaction, write the import log."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy import Connection, Engine

from store import audiences
from store.db import is_postgres
from store.importer.custom import custom_types
from store.importer.files import CAMPAIGNS, CONTACTS, EVENTS, CsvSource
from store.importer.merge import merge_attributes
from store.importer.postgres import PostgresLoader
from store.importer.postgres_stage import EventsAhead, drop_left_behind
from store.importer.progress import ImportProgress, Quiet
from store.importer.report import FileReport, ImportFailed, ImportReport
from store.importer.rows import AttributeRows
from store.importer.sqlite import SqliteLoader
from store.migrate import upgrade
from store.models import Campaign, Contact, ImportFile, ImportRejection, ImportRun
from store.pricing import Pricing, settled, unconverted

#: The bulk path of the store's database.
Loader = PostgresLoader | SqliteLoader


@dataclass(frozen=True)
class ImportSources:
    contacts: Path | None = None
    events: Path | None = None
    campaigns: Path | None = None


def run_import(
    engine: Engine,
    sources: ImportSources,
    *,
    zone: tzinfo = UTC,
    progress: ImportProgress | None = None,
    pricing: Pricing | None = None,
) -> ImportReport:
    """Import the given files; raises `ImportFailed` (and loads nothing) for a file it cannot read.
    Amounts are converted into `pricing`'s currency (USD at the ECB's rates when not given).

    Every run is logged, a failed one with what stopped it, even an error that is not a file's.
    """
    progress, pricing = progress or Quiet(), pricing or Pricing()
    upgrade(engine)
    started, clock = datetime.now(UTC), time.monotonic()
    try:
        if is_postgres(engine):
            drop_left_behind(engine)
        files = _open(sources)
        report, postgres = ImportReport(), is_postgres(engine)
        with _events_ahead(engine, files) as ahead, engine.begin() as conn:
            loader: Loader = (
                PostgresLoader(conn, zone, pricing, ahead) if postgres else SqliteLoader(conn, zone, pricing)
            )
            paired = _load_all(conn, loader, files, zone, report, progress)
            report.currency, report.unconverted = pricing.currency, unconverted(conn)
        # Only once the staged events are dropped: the DROP's snapshot would hold the vacuum back
        # (a snapshot counts transactions in every database, VACUUM heeds those of its own).
        loader.after_commit(engine)
        if paired:
            audiences.vacuum(engine)
    except ImportFailed as exc:
        _log(engine, started, None, str(exc))
        raise
    except Exception as exc:
        _log(engine, started, None, f"the import stopped on an error: {type(exc).__name__}: {exc}")
        raise
    report.seconds = time.monotonic() - clock
    report.run_id = _log(engine, started, report, None)
    return report


def _load_all(
    conn: Connection,
    loader: Loader,
    files: list[CsvSource],
    zone: tzinfo,
    report: ImportReport,
    progress: ImportProgress,
) -> bool:
    """Every file, in one transaction, and the tables derived from the events: the campaign pairs
    also follow the campaigns (a campaign named later makes its events count), and both follow a
    new workspace currency or new rates files. Whether the pairs were rebuilt."""
    repriced = not settled(conn, loader.pricing)  # another currency, or other rates files
    for source in files:
        file_report = FileReport(kind=source.spec.kind, path=str(source.path))
        report.files.append(file_report)
        progress.start(source.name, source.size)
        try:
            _load(conn, loader, source, zone, file_report, progress)
        finally:
            progress.finish()
    events = any(source.spec is EVENTS for source in files)
    if events or repriced:
        loader.refresh_derived()
    paired = events or repriced or any(source.spec is CAMPAIGNS for source in files)
    if paired:
        audiences.rebuild(conn)
    loader.analyze()
    return paired


def _open(sources: ImportSources) -> list[CsvSource]:
    """Every file's header, checked before anything loads; campaigns, then contacts, then events."""
    order = [(sources.campaigns, CAMPAIGNS), (sources.contacts, CONTACTS), (sources.events, EVENTS)]
    files = [CsvSource(path, spec) for path, spec in order if path is not None]
    if not files:
        raise ImportFailed("nothing to import: give --contacts, --events or --campaigns")
    return files


def _events_ahead(engine: Engine, files: list[CsvSource]) -> AbstractContextManager[EventsAhead | None]:
    """PostgreSQL copies the events file into a table while the other files load (two cores)."""
    if not is_postgres(engine):
        return nullcontext()
    events = [source for source in files if source.spec is EVENTS]
    return EventsAhead(engine, events[0]) if events else nullcontext()


def _load(
    conn: Connection,
    loader: Loader,
    source: CsvSource,
    zone: tzinfo,
    report: FileReport,
    progress: ImportProgress,
) -> None:
    entity = "event" if source.spec is EVENTS else "contact"
    types = custom_types(conn, source, entity) if source.spec is not CAMPAIGNS else {}
    if source.spec is EVENTS:
        loader.load_events(source, types, report, progress.advance)
        return
    table = Contact.__table__ if source.spec is CONTACTS else Campaign.__table__
    rows = AttributeRows(source, zone, types)
    merge_attributes(conn, loader.stage, table, rows, report, progress.advance)


def _log(engine: Engine, started: datetime, report: ImportReport | None, failure: str | None) -> int:
    status = "failed" if report is None else "rejected_rows" if report.rejected else "loaded"
    with engine.begin() as conn:
        run_id = conn.execute(
            ImportRun.__table__.insert().returning(ImportRun.id),
            {"started_at": started, "finished_at": datetime.now(UTC), "status": status, "message": failure},
        ).scalar_one()
        for file in report.files if report else []:
            counts = file.model_dump(exclude={"rejections", "path", "kind"})
            file_id = conn.execute(
                ImportFile.__table__.insert().returning(ImportFile.id),
                {"run_id": run_id, "kind": file.kind, "path": file.path, **counts},
            ).scalar_one()
            if file.rejections:
                conn.execute(
                    ImportRejection.__table__.insert(),
                    [{"file_id": file_id, "line": r.line, "reason": r.reason} for r in file.rejections],
                )
    return run_id
