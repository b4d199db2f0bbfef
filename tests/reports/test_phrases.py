"""Report requests read from a conversation's words; a segment phrase is no request."""

from __future__ import annotations

import pytest

from reports.phrases import ReportRequest, parse_request
from segments.definition import Calendar, MonthRef, Months

CASES = {
    "how did lapsed customers do on Black Friday?": ReportRequest(
        segments=["lapsed customers"], campaign="Black Friday"
    ),
    "How did VIP perform": ReportRequest(segments=["VIP"]),
    "compare golfers and runners on open rate since March": ReportRequest(
        segments=["golfers", "runners"], measure="open_rate", period=Months(first=MonthRef(month=3))
    ),
    "compare subscribers in Germany with subscribers in France in May 2026": ReportRequest(
        segments=["subscribers in Germany", "subscribers in France"],
        period=Months(first=MonthRef(month=5, year=2026), last=MonthRef(month=5, year=2026)),
    ),
    "compare golfers and runners on the Newsletter campaigns last month": ReportRequest(
        segments=["golfers", "runners"], campaign="Newsletter", period=Calendar(period="last_month")
    ),
    "revenue per recipient of VIP, month by month": ReportRequest(
        segments=["VIP"], measure="revenue_per_recipient", by="month"
    ),
    "golfers in Berlin week by week": ReportRequest(segments=["golfers in Berlin"], by="week"),
}


@pytest.mark.parametrize("text", list(CASES))
def test_requests(text: str) -> None:
    assert parse_request(text) == CASES[text]


@pytest.mark.parametrize("text", ["lapsed customers in Germany", "people who opened the Black Friday email"])
def test_segment_phrases_are_no_requests(text: str) -> None:
    assert parse_request(text) is None
