"""Report requests read from a conversation's words; a segment phrase is no request."""

from __future__ import annotations

import pytest

from reports.phrases import ReportPhraseError, ReportRequest, parse_request
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


def test_a_segment_may_say_do_and_the_longest_reading_comes_first() -> None:
    text = "how did customers who do not buy do on Black Friday?"

    expected = ReportRequest(segments=["customers who do not buy"], campaign="Black Friday")
    assert parse_request(text) == expected


def test_a_campaign_may_say_do() -> None:
    text = "how did lapsed customers do on the Do It Yourself campaign"

    assert parse_request(text) == ReportRequest(segments=["lapsed customers"], campaign="Do It Yourself")


def test_of_the_ways_the_words_split_the_first_whose_segments_read_is_taken() -> None:
    text = "compare people who bought shoes and socks with runners on open rate"
    readable = {"people who bought shoes and socks", "runners"}.__contains__

    assert parse_request(text) == ReportRequest(
        segments=["people who bought shoes", "socks with runners"], measure="open_rate"
    )
    assert parse_request(text, readable) == ReportRequest(
        segments=["people who bought shoes and socks", "runners"], measure="open_rate"
    )


def test_when_no_way_reads_the_first_is_kept_to_explain_itself() -> None:
    text = "compare golfers and snorkelers"

    assert parse_request(text, lambda phrase: phrase == "golfers") == ReportRequest(
        segments=["golfers", "snorkelers"]
    )


@pytest.mark.parametrize(
    "text", ["how did golfers do since March 9999", "compare VIPs and runners in May 1800"]
)
def test_a_year_no_report_can_cover_is_refused_in_words(text: str) -> None:
    with pytest.raises(ReportPhraseError, match="is not a year to report on: say one from 1900 to 2200"):
        parse_request(text)
