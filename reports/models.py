"""The reports' results as pydantic models: the same models feed Slack, the console and `--json`."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from segments.service import Failure
from store.pricing import DEFAULT_CURRENCY

Interval = tuple[float, float]
Period = Literal["week", "month"]

#: The rates, each with its numerator and denominator (the issue's definitions).
RATES: dict[str, tuple[str, str]] = {
    "bounce_rate": ("bounces", "recipients"),
    "open_rate": ("opens", "delivered"),
    "click_rate": ("clicks", "delivered"),
    "unsubscribe_rate": ("unsubscribes", "delivered"),
    "complaint_rate": ("complaints", "delivered"),
    "click_to_open_rate": ("clicks", "opens"),
    "conversion_rate": ("conversions", "delivered"),
}
#: Every metric a report can be asked about: the rates and revenue per recipient.
MEASURES = (*RATES, "revenue_per_recipient")


class Metrics(BaseModel):
    """The metrics of one segment over the chosen campaigns; a rate is None when its denominator is 0."""

    recipients: int
    bounces: int
    bounce_rate: float | None
    delivered: int
    opens: int
    clicks: int
    unsubscribes: int
    complaints: int
    open_rate: float | None
    click_rate: float | None
    unsubscribe_rate: float | None
    complaint_rate: float | None
    click_to_open_rate: float | None
    conversions: int
    conversion_rate: float | None
    revenue: float
    revenue_per_recipient: float | None
    bounce_rate_ci: Interval | None
    open_rate_ci: Interval | None
    click_rate_ci: Interval | None
    unsubscribe_rate_ci: Interval | None
    complaint_rate_ci: Interval | None
    click_to_open_rate_ci: Interval | None
    conversion_rate_ci: Interval | None
    revenue_per_recipient_ci: Interval | None

    def value(self, measure: str) -> float | None:
        return getattr(self, measure)

    def interval(self, measure: str) -> Interval | None:
        return getattr(self, f"{measure}_ci")

    def sample(self, measure: str) -> int:
        """The denominator of `measure`: how many pairs it is counted over."""
        return getattr(self, RATES[measure][1]) if measure in RATES else self.delivered


class SegmentRef(BaseModel):
    text: str
    explanation: str
    count: int


class CampaignRef(BaseModel):
    id: str
    name: str


class TrendPoint(BaseModel):
    """One week (starting Monday) or month of a trend: the campaigns sent in it, together."""

    start: date
    label: str
    campaigns: int
    metrics: Metrics


class Report(BaseModel):
    segment: SegmentRef
    campaigns: list[CampaignRef]
    metrics: Metrics
    warnings: list[str] = []
    attribution_days: int
    by: Period | None = None
    trend: list[TrendPoint] | None = None
    #: The currency revenue is in: the store's.
    currency: str = DEFAULT_CURRENCY


class Difference(BaseModel):
    """`segment`'s value less `baseline`'s, its 95% interval, and what that says in plain words."""

    measure: str
    segment: str
    baseline: str
    value: float | None
    baseline_value: float | None
    difference: float | None
    ci: Interval | None
    verdict: str


class Comparison(BaseModel):
    """Two or more segments' reports over the same campaigns; each compared with the first."""

    reports: list[Report]
    differences: list[Difference]


class NoCampaign(Failure):
    """No campaign matches the selection: the error lists some the store has (most recent first),
    `campaigns` names them, and `suggestions` are the names close to the words asked ("did you mean")."""

    campaigns: list[str]
