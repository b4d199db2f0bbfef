"""Report requests in a conversation's words:

    how did lapsed customers do on Black Friday?
    compare golfers and runners on open rate since March
    revenue per recipient of VIP, month by month

A request names one or more segments (read later by the segment service), and may name a metric,
campaigns (any part of their names), a period of sending ("since March", "in May 2026", "last
month") and a trend ("month by month", "week by week"). Anything else is a segment phrase: None.

Where the words split more than one way ("how did customers who do not buy do on Black Friday"),
each reading is tried in turn, and the first whose segments the segment grammar reads is taken.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from pydantic import BaseModel

from reports.models import Period
from segments.definition import FIRST_YEAR, LAST_YEAR, Calendar, CalendarName, MonthRef, Months, Window

MONTHS = {name: i for i, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), start=1)}  # fmt: skip
MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
CALENDAR: dict[str, CalendarName] = {
    "last month": "last_month", "this month": "this_month", "this year": "this_year",
    "last year": "last_year", "last week": "last_week", "this week": "this_week",
}  # fmt: skip
#: Metric names as people say them.
METRICS = {
    "revenue per recipient": "revenue_per_recipient", "rpr": "revenue_per_recipient",
    "revenue": "revenue_per_recipient", "click-to-open rate": "click_to_open_rate",
    "click to open rate": "click_to_open_rate", "click-to-open": "click_to_open_rate",
    "open rate": "open_rate", "opens": "open_rate", "click rate": "click_rate", "clicks": "click_rate",
    "conversion rate": "conversion_rate", "conversions": "conversion_rate", "sales": "conversion_rate",
    "unsubscribe rate": "unsubscribe_rate", "unsubscribes": "unsubscribe_rate",
    "bounce rate": "bounce_rate", "bounces": "bounce_rate", "complaint rate": "complaint_rate",
}  # fmt: skip

HOW_DID = re.compile(r"^how (?:did|do|does|were|was) ")
#: Where the segment of "how did ... do" may end: before the phrase's end or the words that say
#: what is measured ("on Black Friday", "since March", "last month").
REST_WORDS = "on|in|at|for|with|over|across|from|since|during|last|this"
DO = re.compile(rf" (?:do|doing|perform)(?=$| (?:{REST_WORDS})\b)")
COMPARE = re.compile(r"^compare (?=.+ (?:and|with|to|vs\.?|versus) .)")
#: Where the first segment of "compare ... and ..." may end.
JOINT = re.compile(r" (?:and|with|to|vs\.?|versus) ")
TREND = re.compile(r"^(?P<head>.+?),? (?P<by>month|week) by (?:month|week)(?P<rest>\b.*)?$")
#: The periods of a trend, by the word that TREND's `by` matched.
TREND_PERIODS: dict[str, Period] = {"month": "month", "week": "week"}
PERIOD = re.compile(rf"\b(?P<word>since|in|during) {MONTH}(?: (?P<year>\d{{4}}))?\b")
ON = re.compile(r"^\s*(?:on|in|at|for|with|over|across|from)\s+(?:the\s+)?")


class ReportRequest(BaseModel):
    segments: list[str]
    measure: str | None = None
    campaign: str | None = None
    period: Window | None = None
    by: Period | None = None


class ReportPhraseError(ValueError):
    """A report's phrase that names something no report can cover (a year past 2200)."""


def parse_request(text: str, readable: Callable[[str], bool] | None = None) -> ReportRequest | None:
    """The report a phrase asks for, or None for a plain segment phrase.

    `readable` tells whether a segment phrase reads; of the ways the words split, the first whose
    segments all read is taken, else the first (whose segment then explains what it missed).
    """
    found = list(readings(text))
    if not found:
        return None
    fits = (r for r in found if readable is None or all(readable(s) for s in r.segments))
    return next(fits, found[0])


def readings(text: str) -> Iterator[ReportRequest]:
    """Every way the phrase reads as a report request: "how did" with the longest segment first,
    "compare" with the shortest first segment first."""
    said = " ".join(text.strip().rstrip("?.!").split())
    lowered = said.lower()
    if match := HOW_DID.match(lowered):
        for verb in reversed(list(DO.finditer(lowered, match.end()))):
            segment = said[match.end() : verb.start()]
            yield _with_rest(ReportRequest(segments=[segment]), said[verb.end() :])
    elif match := COMPARE.match(lowered):
        for joint in JOINT.finditer(lowered, match.end()):
            first = said[match.end() : joint.start()]
            second, rest = _split_on(said[joint.end() :])
            if first and second:
                yield _with_rest(ReportRequest(segments=[first, second]), rest)
    elif match := TREND.match(lowered):
        measure, segment = _measure_of(said[: match.end("head")])
        request = ReportRequest(segments=[segment], measure=measure, by=TREND_PERIODS[match["by"]])
        yield _with_rest(request, said[match.start("rest") :] if match["rest"] else "")


def _split_on(text: str) -> tuple[str, str]:
    """'runners on open rate since March' -> ('runners', 'on open rate since March')."""
    # "in" starts the rest only before a time ("in May", "in 2026", "in the last month"): segments
    # say "in Germany"
    rest = rf"\s(?=(?:on|for|since|during|over)\s|in\s+(?:{MONTH}\b|\d{{4}}\b|the last\b|last\b|this\b))"
    match = re.search(rest, text, flags=re.IGNORECASE)
    return (text[: match.start()], text[match.start() :]) if match else (text, "")


def _measure_of(head: str) -> tuple[str | None, str]:
    """'revenue per recipient of VIP' -> ('revenue_per_recipient', 'VIP')."""
    lowered = head.lower()
    for words, measure in sorted(METRICS.items(), key=lambda item: -len(item[0])):
        for joint in (" of ", " for ", " among "):
            if lowered.startswith(words + joint):
                return measure, head[len(words) + len(joint) :]
    return None, head


def _with_rest(request: ReportRequest, rest: str) -> ReportRequest:
    """Reads the metric, the period and the campaign words from what follows the segments."""
    text = rest.strip()
    lowered = text.lower()
    for words, period in CALENDAR.items():
        if re.search(rf"\b{words}\b", lowered):
            request.period = Calendar(period=period)
            text = re.sub(rf"\b(?:in |during )?{words}\b", "", text, flags=re.IGNORECASE)
    if match := PERIOD.search(text.lower()):
        year = int(match["year"]) if match["year"] else None
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            raise ReportPhraseError(
                f"{year} is not a year to report on: say one from {FIRST_YEAR} to {LAST_YEAR}"
            )
        month = MonthRef(month=_month(match.group(2)), year=year)
        request.period = Months(first=month) if match["word"] == "since" else Months(first=month, last=month)
        text = text[: match.start()] + text[match.end() :]
    text = ON.sub("", text.strip())
    for words, measure in sorted(METRICS.items(), key=lambda item: -len(item[0])):
        if re.fullmatch(rf"{re.escape(words)}(?: rates?)?", text.lower().strip()):
            return request.model_copy(update={"measure": measure})
    text = re.sub(r"\s+(?:campaigns?|emails?|newsletters? campaign)$", "", text.strip(), flags=re.IGNORECASE)
    request.campaign = text.strip() or None
    return request


def _month(word: str) -> int:
    return next(number for name, number in MONTHS.items() if name.startswith(word[:3]))
