"""One service for every way in: a segment (or several) and a campaign selection in, a report out.

    reports = ReportService(segment_service, attribution_days=5)
    reports.report("lapsed customers", Selection(name="Black Friday"), as_of)   # Report | Failure
    reports.compare(["golfers", "runners"], Selection(), as_of)                # Comparison | Failure

Each segment is read by the segment service and compiled; its members are fetched, and counted
among each campaign's audience (`reports.audiences`, read from the events once per import and
attribution window, and kept); the statistics follow in Python.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import process
from sqlalchemy import Connection, func, select, text

from reports import audiences, stats
from reports.audiences import Audiences
from reports.compare import differences
from reports.metrics import CampaignCounts, Counts, metrics, total
from reports.models import MEASURES, CampaignRef, Comparison, Period, Report, SegmentRef
from reports.selection import Chosen, Selection, choose
from reports.trends import trend
from segments.compiler import CompileError, Compiler, member_ids_query
from segments.definition import Definition
from segments.parser import ParseError
from segments.reading import Reader
from segments.service import Failure, SegmentService, latest_purchase
from store.db import is_postgres
from store.models import ImportRun

#: Last-click attribution: a purchase without a campaign belongs to the latest click this many days before.
ATTRIBUTION_DAYS = 5
#: PostgreSQL's memory per hash table and sort in a report's session.
WORK_MEM = "256MB"


@dataclass(frozen=True)
class Counted:
    """A segment's reading, its member count, and its pairs' counts per campaign."""

    segment: SegmentRef
    notes: list[str]
    campaigns: list[CampaignCounts]

    @property
    def counts(self) -> Counts:
        return total(c.counts for c in self.campaigns)


class ReportService:
    def __init__(
        self,
        segments: SegmentService,
        attribution_days: int = ATTRIBUTION_DAYS,
        min_sample: int | None = None,
    ) -> None:
        self.segments, self.attribution_days = segments, attribution_days
        self.min_sample = stats.MIN_SAMPLE if min_sample is None else min_sample
        self._audiences: tuple[object, Audiences] | None = None
        self._reading = threading.Lock()  # one read of the audiences at a time

    @property
    def engine(self):
        return self.segments.engine

    def report(
        self, phrase: str, selection: Selection, as_of: datetime, by: Period | None = None
    ) -> Report | Failure:
        found = self.compare([phrase], selection, as_of, by=by)
        return found.reports[0] if isinstance(found, Comparison) else found

    def compare(
        self,
        phrases: list[str],
        selection: Selection,
        as_of: datetime,
        by: Period | None = None,
        measures: tuple[str, ...] = MEASURES,
    ) -> Comparison | Failure:
        """Each segment's report over the same campaigns, and each compared with the first."""
        with self.engine.connect() as conn:
            chosen = choose(conn, selection)
            if not chosen:
                return self.no_campaign(conn, phrases[0], selection)
            counted = []
            for phrase in phrases:
                found = self.count(conn, phrase, chosen, as_of)
                if isinstance(found, Failure):
                    return found
                counted.append(found)
        reports = [self.build(c, chosen, by) for c in counted]
        names = [c.segment.text for c in counted]
        measured = [r.metrics for r in reports]
        return Comparison(
            reports=reports, differences=differences(names, [c.counts for c in counted], measured, measures)
        )

    def count(
        self, conn: Connection, phrase: str, chosen: list[Chosen], as_of: datetime
    ) -> Counted | Failure:
        try:
            definition, notes = self.segments.read(phrase)
            return self.count_definition(conn, phrase, definition, notes, chosen, as_of)
        except (ParseError, CompileError) as error:
            return Failure.of(phrase, error)

    def count_definition(
        self,
        conn: Connection,
        phrase: str,
        definition: Definition,
        notes: list[str],
        chosen: list[Chosen],
        as_of: datetime,
    ) -> Counted:
        tune(conn)
        zone, lexicon = self.segments.zone, self.segments.lexicon
        compiler = Compiler(as_of, zone, lexicon.custom_types, self.segments.saved.get, latest_purchase(conn))
        members = conn.execute(member_ids_query(compiler, definition)).scalars().all()
        campaigns = self.audiences(conn).counts(members, [c.ref.id for c in chosen])
        count = len(members)
        explanation = Reader(as_of, zone).read(definition)
        return Counted(SegmentRef(text=phrase, explanation=explanation, count=count), notes, campaigns)

    def audiences(self, conn: Connection) -> Audiences:
        """Every campaign's audience, read again after each import."""
        state = conn.execute(select(func.max(ImportRun.id))).scalar()
        with self._reading:
            if self._audiences is None or self._audiences[0] != state:
                self._audiences = (state, audiences.build(conn, self.attribution_days))
            return self._audiences[1]

    def warm(self) -> None:
        """Read the audiences now (from a thread at start-up), so that the first report is quick."""
        with self.engine.connect() as conn:
            tune(conn)
            self.audiences(conn)

    def build(self, counted: Counted, chosen: list[Chosen], by: Period | None) -> Report:
        sent = {c.ref.id: c.sent_at for c in chosen}
        found = metrics(counted.counts)
        return Report(
            segment=counted.segment,
            campaigns=[c.ref for c in chosen],
            metrics=found,
            warnings=[*counted.notes, *self.warnings(found)],
            attribution_days=self.attribution_days,
            by=by,
            trend=trend(counted.campaigns, sent, by, self.segments.zone) if by else None,
        )

    def warnings(self, found) -> list[str]:
        if found.recipients == 0:
            return ["No member received any of these campaigns: there is nothing to measure."]
        if found.delivered < self.min_sample:
            return [
                f"Only {found.delivered:,} delivered emails: too few for steady rates "
                f"(at least {self.min_sample:,} are needed); read the intervals, not the rates."
            ]
        return []

    def no_campaign(self, conn: Connection, phrase: str, selection: Selection) -> Failure:
        names = [c.ref.name for c in choose(conn, Selection())]
        near = process.extract(selection.name or "", names, limit=3) if selection.name else []
        return Failure(
            text=phrase,
            error=f"No campaign matches: {selection.describe()}",
            suggestions=[name for name, _score, _index in near],
        )

    def campaign_names(self) -> list[CampaignRef]:
        with self.engine.connect() as conn:
            return [c.ref for c in choose(conn, Selection())]


def tune(conn: Connection) -> None:
    """Room for the grouping that packs the events when the audiences are read, and no JIT
    compilation of the member query (it costs more than it saves here), on PostgreSQL."""
    if is_postgres(conn.engine):
        conn.execute(text(f"SET work_mem = '{WORK_MEM}'"))
        conn.execute(text("SET jit = off"))
