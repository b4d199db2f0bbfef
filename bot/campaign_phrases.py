"""What is said about campaigns, read into requests: pure functions, text in, a request out.

    draft a win-back for lapsed custs in DE with template winback
    draft "Spring sale" for custs w/ 3+ orders w/ template newsletter subject "Spring is here"
    change campaign 12: segment lapsed custs in FR
    campaign 12 subject "We miss you"          campaign 12 use template winback version 2
    history of campaign 12                     campaign 12 history
    send campaign 12 tomorrow at 9:00          schedule 12 for fri 9am        send 12 now
    send campaign 12 at 9am local              reschedule 12 to 2026-12-09 10:00
    cancel campaign 12                         what's scheduled?
    send it now / cancel it                    (in a campaign's thread: that campaign)

Anything else is not a campaign's (`parse` gives None) and goes on to the segments and reports.
A text that starts like a draft or a change but does not follow the grammar is a `Misread`,
answered with the grammar rather than read as a segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

#: A quoted text: straight or curly quotes, as Slack's clients type them.
_QUOTED = r"[\"“”]([^\"“”]*)[\"“”]"
_SUBJECT = re.compile(rf"\s*\bsubject\s*:?\s*{_QUOTED}", re.IGNORECASE)
_DRAFT = re.compile(
    rf"^draft\s+(?:{_QUOTED}\s*)?(?:(?:an?|the)\s+)?(?P<kind>.*?)\s*\bfor\s+(?P<phrase>.+?)"
    r"\s+(?:with|w/)\s*(?:the\s+)?template\s+(?P<template>[\w.-]+)\s*$",
    re.IGNORECASE,
)
_CAMPAIGN = re.compile(r"^(?:change\s+)?campaign\s+#?(?P<id>\d+)\s*[:,]?\s*(?P<rest>.*)$", re.IGNORECASE)
_HISTORY = re.compile(
    r"^(?:show\s+)?(?:me\s+)?(?:the\s+)?(?:history|audit(?:\s+trail)?)\s+(?:of|for)\s+campaign\s+#?(?P<id>\d+)$",
    re.IGNORECASE,
)
_SEGMENT = re.compile(r"^(?:use\s+)?(?:the\s+)?segment\s*:?\s+(?P<phrase>.+)$", re.IGNORECASE)
_TEMPLATE = re.compile(
    r"^(?:use\s+)?(?:the\s+)?template\s+(?P<template>[\w.-]+)(?:\s+(?:version|v)\s*(?P<version>\d+))?$",
    re.IGNORECASE,
)
_VERSION = re.compile(r"^(?:use\s+)?(?:template\s+)?(?:version|v)\s*(?P<version>\d+)$", re.IGNORECASE)

DRAFT_GRAMMAR = (
    "draft [“NAME”] [a win-back] for PHRASE with template TEMPLATE [subject “SUBJECT”], e.g. "
    "`draft a win-back for lapsed custs in DE with template winback`"
)
CHANGE_GRAMMAR = (
    "`change campaign 12: segment PHRASE`, `campaign 12 subject “SUBJECT”` (`subject “”` for the "
    "template's own), `campaign 12 use template NAME [version N]`, `campaign 12 version N`, "
    "or `history of campaign 12`"
)


@dataclass(frozen=True)
class DraftRequest:
    name: str
    phrase: str
    template: str
    subject: str | None = None


@dataclass(frozen=True)
class ChangeRequest:
    campaign_id: int
    phrase: str | None = None
    template: str | None = None
    version: int | None = None
    #: "" for the template's own subject; None: unchanged
    subject: str | None = None


@dataclass(frozen=True)
class HistoryRequest:
    campaign_id: int


@dataclass(frozen=True)
class Misread:
    """It was about a campaign, but not said in a way Tailor reads: the grammar to say it in."""

    text: str
    grammar: str
    #: what in particular was not read ("“teatime” is not a time"), said before the grammar
    problem: str | None = None


SCHEDULE_EXAMPLES = (
    "`send campaign 12 tomorrow at 9:00`, `schedule 12 for fri 9am`, `send 12 now`, "
    "`send 12 at 9:00 local` (each recipient's own clock), `reschedule 12 to 2026-12-09 10:00`, "
    "`cancel campaign 12`, `what's scheduled?`; in a campaign's thread, `send it now` or `cancel it`"
)
SCHEDULE_GRAMMAR = f"send or schedule campaign ID (now | [DAY] at TIME [local]), e.g. {SCHEDULE_EXAMPLES}"


@dataclass(frozen=True)
class When:
    """When a send is to go, as said: now; a moment (`at`, from an ISO time with its offset); a
    time of day on a day said relative to today ("tomorrow", "fri", "9 Dec", none: the next such
    time), read in the workspace's time zone by `moment`; or `local`: the time on each
    recipient's own clock."""

    now: bool = False
    at: datetime | None = None
    clock: time | None = None
    #: today 0, tomorrow 1
    days_ahead: int | None = None
    #: Monday 0
    weekday: int | None = None
    #: (year or None for the next such date, month, day)
    calendar_day: tuple[int | None, int, int] | None = None
    local: bool = False

    @property
    def local_time(self) -> str | None:
        """ "09:00" for the service's `local_time`, when it is said on each recipient's clock."""
        return f"{self.clock:%H:%M}" if self.local and self.clock is not None else None

    def moment(self, now: datetime, zone: tzinfo) -> datetime | None:
        """The moment meant (UTC), read in `zone` as of `now`; None for now or a local time."""
        if self.at is not None:
            return (self.at if self.at.tzinfo else self.at.replace(tzinfo=zone)).astimezone(UTC)
        if self.now or self.local or self.clock is None:
            return None
        today = now.astimezone(zone).date()
        return _at(self._day(today, now, zone), self.clock, zone)

    def _day(self, today: date, now: datetime, zone: tzinfo) -> date:
        assert self.clock is not None
        clock = self.clock

        def to_come(day: date) -> bool:
            return _at(day, clock, zone) > now

        if self.days_ahead is not None:
            return today + timedelta(days=self.days_ahead)
        if self.weekday is not None:
            day = today + timedelta(days=(self.weekday - today.weekday()) % 7)
            return day if to_come(day) else day + timedelta(days=7)
        if self.calendar_day is not None:
            year, month, number = self.calendar_day
            if year is not None:
                return date(year, month, number)
            day = _date(today.year, month, number)
            return day if to_come(day) else _date(today.year + 1, month, number)
        return today if to_come(today) else today + timedelta(days=1)  # the next such time


@dataclass(frozen=True)
class ScheduleRequest:
    """Send or schedule (or reschedule) a campaign; `campaign_id` None: "it", the thread's campaign."""

    campaign_id: int | None
    when: When


@dataclass(frozen=True)
class CancelRequest:
    campaign_id: int | None
    comment: str | None = None


@dataclass(frozen=True)
class ScheduledRequest:
    """What is scheduled, sending or held."""


CampaignRequest = (
    DraftRequest
    | ChangeRequest
    | HistoryRequest
    | ScheduleRequest
    | CancelRequest
    | ScheduledRequest
    | Misread
)


def parse(text: str) -> CampaignRequest | None:
    said = " ".join(text.split())
    if re.match(r"^draft\b", said, re.IGNORECASE):
        return parse_draft(said)
    sending = _sending(said)
    if sending is not None:
        return sending
    history = _HISTORY.match(said)
    if history:
        return HistoryRequest(int(history["id"]))
    campaign = _CAMPAIGN.match(said)
    if campaign:
        return _campaign(int(campaign["id"]), campaign["rest"].strip(), said)
    return None


def parse_draft(text: str) -> DraftRequest | Misread:
    said = " ".join(text.split())
    subject, rest = _subject(said)
    found = _DRAFT.match(rest)
    if not found:
        return Misread(said, DRAFT_GRAMMAR)
    named, kind, phrase, template = found.group(1), found["kind"], found["phrase"], found["template"]
    name = " ".join((named or "").split()) or default_name(kind or template, phrase)
    return DraftRequest(name=name, phrase=phrase.strip(), template=template.lower(), subject=subject)


def default_name(kind: str, phrase: str) -> str:
    """'win-back' for 'lapsed custs in DE' -> 'Win-back: lapsed custs in DE'."""
    kind = kind.strip()
    return f"{kind[:1].upper()}{kind[1:]}: {phrase.strip()}"


def _subject(text: str) -> tuple[str | None, str]:
    """The quoted subject said anywhere in `text`, and the text without it."""
    found = _SUBJECT.search(text)
    if not found:
        return None, text
    return found.group(1).strip(), (text[: found.start()] + text[found.end() :]).strip()


def _campaign(campaign_id: int, rest: str, said: str) -> CampaignRequest:
    if re.fullmatch(r"(?:history|audit(?:\s+trail)?)", rest, re.IGNORECASE):
        return HistoryRequest(campaign_id)
    subject, rest = _subject(rest)
    rest = re.sub(r"^(?:and\s+)|(?:\s+and)$", "", rest.strip(" ,;"), flags=re.IGNORECASE).strip()
    change = ChangeRequest(campaign_id, subject=subject)
    if not rest:
        return change if subject is not None else Misread(said, CHANGE_GRAMMAR)
    segment, template, version = _SEGMENT.match(rest), _TEMPLATE.match(rest), _VERSION.match(rest)
    if segment:
        return ChangeRequest(campaign_id, phrase=segment["phrase"].strip(), subject=subject)
    if template:
        number = int(template["version"]) if template["version"] else None
        return ChangeRequest(
            campaign_id, template=template["template"].lower(), version=number, subject=subject
        )
    if version:
        return ChangeRequest(campaign_id, version=int(version["version"]), subject=subject)
    return Misread(said, CHANGE_GRAMMAR)


# -- sending ----------------------------------------------------------------------------------------

#: The campaign a sending phrase is about: a number, or "it" (the thread's campaign).
_WHICH = r"(?:(?:the\s+)?campaign\s+)?(?:#?(?P<id>\d+)|(?P<it>it|this(?:\s+one)?|this\s+campaign))"
_SEND = re.compile(
    rf"^(?P<verb>send|schedule|reschedule)\s+{_WHICH}(?=\s|$|[,:])\s*[,:]?\s*(?P<when>.*?)[.!]?$", re.I
)
_CANCEL = re.compile(
    rf"^cancel\s+{_WHICH}(?=\s|$|[,:])(?:\s*[,:;-]?\s*(?:because\s+|as\s+)?(?P<comment>.+?))?[.!]?$", re.I
)
_LISTING = re.compile(
    r"^(?:(?:what(?:'|’)?s|whats|what\s+is|what\s+are|show(?:\s+me)?|list)\s+)?(?:the\s+)?"
    r"(?:scheduled|upcoming)(?:\s+(?:campaigns?|sends|emails))?(?:\s+(?:campaigns?|sends|emails))?\s*\??$",
    re.I,
)
_NOW = re.compile(r"^(?:right\s+)?(?:now|immediately|asap|straight\s+away)$", re.I)
_APOSTROPHE = r"(?:'|’)?"
_LOCAL = re.compile(
    r"\s*(?:\blocal(?:\s+time)?"
    rf"|\b(?:in|on)\s+(?:each|every|the)\s+recipients?{_APOSTROPHE}s?{_APOSTROPHE}\s+(?:own\s+)?"
    r"(?:local\s+)?(?:time\s*zones?|tz|clocks?)"
    rf"|\b(?:in|on)\s+(?:their|recipients?{_APOSTROPHE}s?{_APOSTROPHE})\s+(?:own\s+)?(?:local\s+)?"
    r"(?:time\s*zones?|tz|clocks?|time)"
    rf"|\b(?:their|recipients?{_APOSTROPHE}s?{_APOSTROPHE})\s+(?:own\s+)?(?:local\s+)?time(?:\s*zones?)?)$",
    re.I,
)
_LOCAL_FIRST = re.compile(r"^local\s+", re.I)
_CLOCK = re.compile(
    r"(?<![\d:-])(?:(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)"
    r"|(?P<h24>\d{1,2})[:.h](?P<m24>\d{2})(?::\d{2})?|(?P<noon>noon|midday|midnight))(?![\d:])",
    re.I,
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[t ]\d{1,2}:\d{2}(?::\d{2})?(?:z|[+-]\d{2}:?\d{2})?$", re.I)
_ISO_DATE = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})$")
_FILLER = re.compile(
    r"^(?:(?:at|for|to|on|by|the|of|this|next|coming)\b\s*|,\s*)+|(?:\s*\b(?:at|on)\b|\s*,)+$", re.I
)
#: "at 9": a bare hour after "at" is that hour on the clock.
_BARE_HOUR = re.compile(r"\bat\s+(\d{1,2})(?![\d:.h]|\s*(?:am|pm|a\.m|p\.m))", re.I)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = {
    **{name: i for i, name in enumerate(DAYS)},
    **{name: i for i, name in enumerate(FULL_DAYS)},
    "tues": 1, "weds": 2, "thur": 3, "thurs": 3,
}  # fmt: skip
_DAY_MONTH = re.compile(
    r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mo>[a-z]{3})[a-z]*\.?,?(?:\s+(?P<y>\d{4}))?$", re.I
)
_MONTH_DAY = re.compile(
    r"^(?P<mo>[a-z]{3})[a-z]*\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(?P<y>\d{4}))?$", re.I
)
RELATIVE = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "tomorow": 1, "tommorow": 1}


def _sending(said: str) -> CampaignRequest | None:
    """A send, schedule, reschedule, cancel or listing phrase; None when it is none of them."""
    if _LISTING.match(said):
        return ScheduledRequest()
    cancel = _CANCEL.match(said)
    if cancel:
        comment = (cancel["comment"] or "").strip() or None
        return CancelRequest(_which(cancel), comment)
    send = _SEND.match(said)
    if send:
        found = read_when(send["when"])
        if isinstance(found, str):
            return Misread(said, SCHEDULE_GRAMMAR, found)
        return ScheduleRequest(_which(send), found)
    return None


def _which(found: re.Match[str]) -> int | None:
    return int(found["id"]) if found["id"] else None


def read_when(text: str) -> When | str:
    """ "tomorrow at 9:00", "fri 9am", "now", "at 9am local", "2026-12-09 10:00" -> a When; what
    could not be read, in words with an example, otherwise."""
    said = _FILLER.sub("", _BARE_HOUR.sub(r"at \1:00", " ".join(text.split()).strip(" .!")))
    if not said:
        return "say when: `now`, or a time such as `tomorrow at 9:00`"
    if _NOW.match(said):
        return When(now=True)
    local = _LOCAL.search(said) or _LOCAL_FIRST.match(said)
    rest = (said[: local.start()] + said[local.end() :]) if local else said
    rest = _FILLER.sub("", rest.strip()).strip()
    iso = _iso(rest)
    if iso is not None and not local:
        return When(at=iso)
    clock_found = _CLOCK.search(rest)
    clock = _clock(clock_found) if clock_found else None
    if clock_found is None or clock is None:
        what = f"“{rest}”" if rest else "that"
        return f"I could not read {what} as a time: say e.g. `tomorrow at 9:00`, `fri 9am` or `at 14:30`"
    day = _FILLER.sub("", (rest[: clock_found.start()] + " " + rest[clock_found.end() :]).strip()).strip()
    if local:
        if day:
            return (
                "a local time is the next one on each recipient's clock, without a day: "
                "say e.g. `at 9:00 local`"
            )
        return When(clock=clock, local=True)
    return _on_day(day, clock)


def _on_day(day: str, clock: time) -> When | str:
    lowered = day.lower()
    if not lowered:
        return When(clock=clock)
    if lowered in RELATIVE:
        return When(clock=clock, days_ahead=RELATIVE[lowered])
    if lowered.rstrip(".") in WEEKDAYS:
        return When(clock=clock, weekday=WEEKDAYS[lowered.rstrip(".")])
    iso = _ISO_DATE.match(lowered)
    found = _DAY_MONTH.match(lowered) or _MONTH_DAY.match(lowered)
    year: int | None
    if iso:
        year, month, number = int(iso["y"]), int(iso["mo"]), int(iso["d"])
    elif found and found["mo"].lower() in MONTHS:
        year = int(found["y"]) if found["y"] else None
        month, number = MONTHS.index(found["mo"].lower()) + 1, int(found["d"])
    else:
        return f"I could not read “{day}” as a day: say e.g. `tomorrow`, `fri`, `9 Dec` or `2026-12-09`"
    try:
        date(year or 2000, month, number)  # 2000: a leap year, so 29 Feb is a date
    except ValueError:
        return f"“{day}” is not a date: say e.g. `9 Dec` or `2026-12-09`"
    return When(clock=clock, calendar_day=(year, month, number))


def _clock(found: re.Match[str]) -> time | None:
    """The time of day a match says, or None when it is no time (25:00, 13pm)."""
    if found["noon"]:
        return time(0, 0) if found["noon"].lower() == "midnight" else time(12, 0)
    if found["ampm"]:
        hour, minute = int(found["h"]), int(found["m"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        pm = found["ampm"].lower().startswith("p")
        return time(hour % 12 + (12 if pm else 0), minute)
    hour, minute = int(found["h24"]), int(found["m24"])
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def _iso(text: str) -> datetime | None:
    """ "2026-12-09T10:00", "2026-12-09 10:00+01:00", "...Z": the moment (naive: no offset said)."""
    if not _ISO.match(text):
        return None
    try:
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return None


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _date(year: int, month: int, number: int) -> date:
    """The date, or 28 Feb for a 29 Feb in a year without one."""
    try:
        return date(year, month, number)
    except ValueError:
        return date(year, month, number - 1)
