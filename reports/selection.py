"""Which campaigns a report covers: one, every campaign whose name contains a word, all those sent
in a period, or all of them; read from the `campaigns` table (a small one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, select

from reports.models import CampaignRef, NoCampaign
from segments.normalize import fold
from segments.windows import Bounds
from store.models import Campaign

campaigns = Campaign.__table__
#: How many campaigns a report that matched none lists.
LISTED = 5
#: How like a campaign's name the words asked must be to be offered (rapidfuzz's WRatio, 0-100).
NEAR = 75


@dataclass(frozen=True)
class Chosen:
    ref: CampaignRef
    sent_at: datetime | None


@dataclass(frozen=True)
class Selection:
    """`name`: a word or words the campaign's name contains (case and accents ignored).
    `period`: when the campaign was sent (`sent_at`); a campaign without one is left out of a period."""

    name: str | None = None
    period: Bounds | None = None

    def admits(self, name: str, sent_at: datetime | None) -> bool:
        if self.name and fold(self.name) not in fold(name):
            return False
        return self.period is None or (sent_at is not None and self.period.contains(sent_at))

    def sent(self) -> str:
        """When the campaigns were sent, in words: "sent from 1 Jan 2026 before 1 Jul 2026 00:00"."""
        parts = []
        if self.period and self.period.start:
            parts.append(f"sent from {_day(self.period.start)}")
        if self.period and self.period.end:
            parts.append(f"before {_day(self.period.end)} {self.period.end:%H:%M}")
        return " ".join(parts)


def choose(conn: Connection, selection: Selection) -> list[Chosen]:
    """The campaigns the selection admits, by time sent (unknown last), then id."""
    rows = conn.execute(
        select(campaigns.c.external_id, campaigns.c.name, campaigns.c.sent_at).order_by(
            campaigns.c.external_id
        )
    ).all()
    chosen = [
        Chosen(CampaignRef(id=external_id, name=name), sent_at)
        for external_id, name, sent_at in rows
        if selection.admits(name, sent_at)
    ]
    return sorted(chosen, key=lambda c: (c.sent_at is None, c.sent_at or datetime.min, c.ref.id))


def unmatched(phrase: str, selection: Selection, every: list[Chosen], zone: tzinfo) -> NoCampaign:
    """What a report says when the selection admits none of the store's campaigns (`every`): a
    handful of those it has, most recent first (those named like the words asked, when the time
    left them out), and "did you mean" for names close to the words."""
    named = [c for c in every if Selection(name=selection.name).admits(c.ref.name, c.sent_at)]
    if selection.name and named:
        said = f"none named like “{selection.name}” was {selection.sent()}. Those named like it"
    elif selection.name:
        said = f"none is named like “{selection.name}”. The store's campaigns"
    else:
        said = f"none was {selection.sent()}. The store's campaigns"
    shown = latest(named if selection.name and named else every)
    listed = ", ".join(_dated(c, zone) for c in shown[:LISTED])
    more = f", and {len(shown) - LISTED:,} more" if len(shown) > LISTED else ""
    near = [] if named or not selection.name else _near(selection.name, [c.ref.name for c in every])
    return NoCampaign(
        text=phrase,
        error=f"No campaign matches: {said}, most recent first: {listed}{more}.",
        suggestions=near,
        campaigns=[c.ref.name for c in shown[:LISTED]],
    )


def latest(chosen: list[Chosen]) -> list[Chosen]:
    """The campaigns by time sent, the latest first (those of unknown time last)."""
    known = sorted((c for c in chosen if c.sent_at is not None), key=lambda c: c.sent_at or datetime.min)
    return [*reversed(known), *(c for c in chosen if c.sent_at is None)]


def _near(words: str, names: list[str]) -> list[str]:
    found = process.extract(words, names, scorer=fuzz.WRatio, processor=fold, score_cutoff=NEAR, limit=3)
    return [name for name, _score, _index in found]


def _dated(chosen: Chosen, zone: tzinfo) -> str:
    if chosen.sent_at is None:
        return chosen.ref.name
    return f"{chosen.ref.name} ({_day(chosen.sent_at.astimezone(zone))})"


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"
