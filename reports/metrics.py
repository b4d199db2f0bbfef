"""From counted pairs to metrics: rates, revenue per recipient and their 95% intervals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from reports import stats
from reports.models import RATES, Metrics


@dataclass(frozen=True)
class Counts:
    """Sums over (contact, campaign) pairs; sums of campaigns add up (a pair is one campaign's)."""

    recipients: int = 0
    bounces: int = 0
    opens: int = 0
    clicks: int = 0
    unsubscribes: int = 0
    complaints: int = 0
    conversions: int = 0
    revenue: Decimal = Decimal(0)
    #: The sum of each delivered pair's revenue squared: the spread of revenue per recipient.
    revenue_squares: Decimal = Decimal(0)

    @property
    def delivered(self) -> int:
        return self.recipients - self.bounces

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Counts)))

    @property
    def moments(self) -> tuple[float, float, int]:
        """Revenue per delivered recipient as (sum, sum of squares, n), for intervals."""
        return float(self.revenue), float(self.revenue_squares), self.delivered


@dataclass(frozen=True)
class CampaignCounts:
    campaign_id: str
    first_sent: datetime | None
    counts: Counts


def total(counted: Iterable[Counts]) -> Counts:
    return sum(counted, Counts())


def metrics(counts: Counts) -> Metrics:
    counted: dict[str, int] = {f.name: getattr(counts, f.name) for f in fields(Counts)[:7]}
    counted["delivered"] = counts.delivered
    values: dict[str, object] = dict(counted)
    for rate, (numerator, denominator) in RATES.items():
        k, n = counted[numerator], counted[denominator]
        values[rate] = k / n if n else None
        values[f"{rate}_ci"] = stats.wilson(k, n)
    delivered = counts.delivered
    values["revenue"] = round(float(counts.revenue), 2)
    values["revenue_per_recipient"] = float(counts.revenue) / delivered if delivered else None
    values["revenue_per_recipient_ci"] = stats.mean_interval(*counts.moments)
    return Metrics.model_validate(values)
