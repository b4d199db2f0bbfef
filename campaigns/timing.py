"""When a recipient may get a campaign: "at 9:00 in each recipient's time zone" and quiet hours,
both read on the recipient's own clock (their `timezone`, else the workspace's)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def clock_time(text: str) -> time:
    """ "9:00", "09:30" -> a time; ValueError for anything else."""
    found = CLOCK.fullmatch(text.strip())
    if not found:
        raise ValueError(f"not a time of day: {text!r} (e.g. 9:00)")
    return time(int(found[1]), int(found[2]))


def zone_of(name: str | None, workspace: tzinfo) -> tzinfo:
    """The contact's time zone, or the workspace's when it has none Tailor knows."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return workspace


def next_local(at: time, zone: tzinfo, after: datetime) -> datetime:
    """The first moment at or after `after` when the clock in `zone` shows `at` (UTC)."""
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate < local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate.astimezone(UTC)


@dataclass(frozen=True)
class QuietHours:
    """ "21:00-08:00": no email arrives then, on the recipient's clock; it waits for the end."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str | None) -> QuietHours | None:
        if not text:
            return None
        start, end = text.split("-")
        return cls(clock_time(start), clock_time(end))

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # across midnight

    def release(self, at: datetime, zone: tzinfo) -> datetime:
        """`at`, or the end of the quiet hours it falls in (UTC)."""
        local = at.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return at
        return next_local(self.end, zone, at)
