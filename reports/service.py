"""One service for every way in: a segment (or several) and a campaign selection in, a report out.

    reports = ReportService(segment_service, attribution_days=5)
    reports.report("lapsed customers", Selection(name="Black Friday"), as_of)   # Report | Failure
    reports.compare(["golfers", "runners"], Selection(), as_of)                # Comparison | Failure

Each segment is read by the segment service and compiled; its member query is joined with the
campaign pairs that the import keeps in the store and counted per campaign in one statement
(`reports.audiences`); the statistics follow in Python. The pairs carry the attribution window they
were built with (`store.audiences`): a service asked for another window rebuilds them first, once,
and the store keeps the new window (imports rebuild with it too).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select, text

from reports import audiences, stats
from reports.compare import differences
from reports.metrics import CampaignCounts, Counts, metrics, total
from reports.models import MEASURES, CampaignRef, Comparison, Metrics, Period, Report, SegmentRef
from reports.selection import Chosen, Selection, choose, unmatched
from reports.trends import trend
from segments.compiler import CompileError
from segments.definition import Definition
from segments.parser import ParseError
from segments.reading import Reader
from segments.service import EMPTY_STORE, Failure, SegmentService
from store import audiences as stored
from store.audiences import ATTRIBUTION_DAYS
from store.db import is_postgres
from store.models import Contact
from store.pricing import unconverted, unconverted_notes

log = logging.getLogger(__name__)
#: A report asked of a store with contacts and no campaign: what is missing, and how to add it.
NO_CAMPAIGNS = (
    "The store holds contacts but no campaigns: import your sends with their campaigns "
    "(python app.py import --events FILE --campaigns FILE)."
)
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

    @property
    def engine(self) -> Engine:
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
        self.follow_window()
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
            unpriced = unconverted(conn)  # once for every segment: the store's, not a segment's
        reports = [self.build(c, chosen, by, unpriced) for c in counted]
        names = [c.segment.text for c in counted]
        measured = [r.metrics for r in reports]
        return Comparison(
            reports=reports,
            differences=differences(
                names, [c.counts for c in counted], measured, measures, self.segments.pricing.currency
            ),
        )

    def count(
        self, conn: Connection, phrase: str, chosen: list[Chosen], as_of: datetime
    ) -> Counted | Failure:
        try:
            definition, notes = self.segments.read(phrase, as_of)
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
        # Every member, consent or not: a report looks back at who was sent what.
        members = self.segments.member_ids(conn, definition, as_of, reachable_only=False)
        count, campaigns = audiences.count(conn, members, [c.ref.id for c in chosen])
        explanation = Reader(as_of, self.segments.zone).read(definition)
        return Counted(SegmentRef(text=phrase, explanation=explanation, count=count), notes, campaigns)

    def follow_window(self) -> None:
        """Rebuild the stored pairs when they were built with another attribution window.

        The window is a setting of the workspace: after it changes, the first report pays one
        rebuild (in SQL, as an import does) and every later one, in any process, reads the pairs.
        """
        with self.engine.connect() as conn:
            built = stored.built_window(conn)
        if built is None or built == self.attribution_days:
            return
        log.warning(
            "campaign pairs built with a %d-day attribution window: rebuilding them with %d days",
            built,
            self.attribution_days,
        )
        with self.engine.begin() as conn:
            stored.rebuild(conn, attribution_days=self.attribution_days)
        stored.vacuum(self.engine)

    def build(
        self, counted: Counted, chosen: list[Chosen], by: Period | None, unpriced: dict[str, int]
    ) -> Report:
        """`unpriced`: the store's purchases without a rate, by currency, which the report names."""
        sent = {c.ref.id: c.sent_at for c in chosen}
        found = metrics(counted.counts)
        currency = self.segments.pricing.currency
        return Report(
            segment=counted.segment,
            campaigns=[c.ref for c in chosen],
            metrics=found,
            warnings=[
                *counted.notes,
                *self.warnings(found),
                *unconverted_notes(unpriced, currency),
            ],
            attribution_days=self.attribution_days,
            currency=currency,
            by=by,
            trend=trend(counted.campaigns, sent, by, self.segments.zone) if by else None,
        )

    def warnings(self, found: Metrics) -> list[str]:
        if found.recipients == 0:
            return ["No member received any of these campaigns: there is nothing to measure."]
        if found.delivered < self.min_sample:
            return [
                f"Only {found.delivered:,} delivered emails: too few for steady rates "
                f"(at least {self.min_sample:,} are needed); read the intervals, not the rates."
            ]
        return []

    def no_campaign(self, conn: Connection, phrase: str, selection: Selection) -> Failure:
        every = choose(conn, Selection())
        if not every:  # no campaign to measure, whatever was asked: say what is missing
            has_contacts = conn.execute(select(Contact.id).limit(1)).first() is not None
            return Failure(
                text=phrase,
                error=f"There is nothing to measure yet. {NO_CAMPAIGNS if has_contacts else EMPTY_STORE}",
                suggestions=[],
            )
        return unmatched(phrase, selection, every, self.segments.zone)

    def campaign_names(self) -> list[CampaignRef]:
        with self.engine.connect() as conn:
            return [c.ref for c in choose(conn, Selection())]


def tune(conn: Connection) -> None:
    """Room for the hash of a large segment's members, and no JIT compilation of the member query
    (it costs more than it saves here), on PostgreSQL."""
    if is_postgres(conn.engine):
        conn.execute(text(f"SET work_mem = '{WORK_MEM}'"))
        conn.execute(text("SET jit = off"))
