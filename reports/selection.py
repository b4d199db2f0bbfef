"""Which campaigns a report covers: one, every campaign whose name contains a word, all those sent
in a period, or all of them; read from the `campaigns` table (a small one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from reports.models import CampaignRef
from segments.normalize import fold
from segments.windows import Bounds
from store.models import Campaign

campaigns = Campaign.__table__


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

    def describe(self) -> str:
        parts = [f"campaigns named “{self.name}”" if self.name else "all campaigns"]
        if self.period and self.period.start:
            parts.append(f"sent from {self.period.start:%d %b %Y}")
        if self.period and self.period.end:
            parts.append(f"before {self.period.end:%d %b %Y %H:%M}")
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
