"""A segment's metrics week by week or month by month: each campaign counts in the week (from
Monday) or month it was sent, in the workspace's time zone."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, tzinfo

from reports.metrics import CampaignCounts, Counts, metrics, total
from reports.models import Period, TrendPoint


def period_start(moment: datetime, by: Period, zone: tzinfo) -> date:
    day = moment.astimezone(zone).date()
    if by == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def label(start: date, by: Period) -> str:
    return f"week of {start:%d %b %Y}" if by == "week" else f"{start:%b %Y}"


def trend(
    counted: list[CampaignCounts], sent: dict[str, datetime | None], by: Period, zone: tzinfo
) -> list[TrendPoint]:
    """One point per period with a campaign sent; `sent` is each campaign's time (else its first send)."""
    buckets: dict[date, list[Counts]] = defaultdict(list)
    for campaign in counted:
        moment = sent.get(campaign.campaign_id) or campaign.first_sent
        if moment is not None:
            buckets[period_start(moment, by, zone)].append(campaign.counts)
    return [
        TrendPoint(start=start, label=label(start, by), campaigns=len(parts), metrics=metrics(total(parts)))
        for start, parts in sorted(buckets.items())
    ]
