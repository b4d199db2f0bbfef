"""Campaign requests read from chat shorthand: drafts, changes, history, sends and their times,
cancels, what is scheduled; the rest left alone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.campaign_phrases import (
    SCHEDULE_GRAMMAR,
    CancelRequest,
    ChangeRequest,
    DraftRequest,
    HistoryRequest,
    Misread,
    ScheduledRequest,
    ScheduleRequest,
    parse,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "draft a win-back for lapsed custs in DE with template winback",
            DraftRequest("Win-back: lapsed custs in DE", "lapsed custs in DE", "winback"),
        ),
        (
            "draft a win-back for lapsed custs in DE w/ template winback",
            DraftRequest("Win-back: lapsed custs in DE", "lapsed custs in DE", "winback"),
        ),
        (
            'draft "Spring sale" for custs w/ 3+ orders with template newsletter subject "Spring is here"',
            DraftRequest("Spring sale", "custs w/ 3+ orders", "newsletter", "Spring is here"),
        ),
        (
            "Draft  “Loyal VIPs” for custs with 3+ orders subject “Thank you” w/ template Welcome",
            DraftRequest("Loyal VIPs", "custs with 3+ orders", "welcome", "Thank you"),
        ),
        (
            "draft for lapsed custs in FR with template winback",
            DraftRequest("Winback: lapsed custs in FR", "lapsed custs in FR", "winback"),
        ),
    ],
)
def test_drafts(text: str, expected: DraftRequest) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("change campaign 12: segment lapsed custs in FR", ChangeRequest(12, phrase="lapsed custs in FR")),
        ("campaign 12 segment custs w/ 3+ orders", ChangeRequest(12, phrase="custs w/ 3+ orders")),
        ('campaign 12 subject "We miss you"', ChangeRequest(12, subject="We miss you")),
        ("campaign #12 subject “”", ChangeRequest(12, subject="")),
        ("campaign 12 use template winback version 2", ChangeRequest(12, template="winback", version=2)),
        ("campaign 12 template recommendations", ChangeRequest(12, template="recommendations")),
        ("campaign 12 version 3", ChangeRequest(12, version=3)),
        (
            'campaign 7: use template winback v2 and subject "Back?"',
            ChangeRequest(7, template="winback", version=2, subject="Back?"),
        ),
        ("history of campaign 12", HistoryRequest(12)),
        ("show the audit trail for campaign 3", HistoryRequest(3)),
        ("campaign 12 history", HistoryRequest(12)),
    ],
)
def test_changes_and_history(text: str, expected: ChangeRequest | HistoryRequest) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text", ["draft something nice", "draft a win-back for lapsed custs", "campaign 12 make it pop"]
)
def test_campaign_talk_not_in_the_grammar_is_answered_with_it(text: str) -> None:
    found = parse(text)
    assert isinstance(found, Misread)
    assert found.text == text and found.grammar.startswith(("draft", "`change campaign 12"))


@pytest.mark.parametrize(
    "text",
    [
        "lapsed custs in DE",
        "custs w/ 3+ orders",
        "how did lapsed custs do on Spring sale",
        "custs who opened the campaign last week",
        "drafted custs",
    ],
)
def test_segments_and_reports_are_not_campaign_requests(text: str) -> None:
    assert parse(text) is None


# -- sending: read in the workspace's zone as of a fixed clock -----------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
#: Monday 7 Dec 2026, 12:00 in Berlin (11:00 UTC).
NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


def berlin(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def scheduled(text: str) -> ScheduleRequest:
    found = parse(text)
    assert isinstance(found, ScheduleRequest), found
    return found


@pytest.mark.parametrize(
    ("text", "campaign_id", "moment"),
    [
        ("send campaign 12 tomorrow at 9:00", 12, berlin(8, 9)),
        ("schedule 12 for fri 9am", 12, berlin(11, 9)),
        ("Schedule #12 for Friday at 9.30pm", 12, berlin(11, 21, 30)),
        ("reschedule 12 to 2026-12-09 10:00", 12, berlin(9, 10)),
        ("reschedule campaign 12 for 9 Dec 10am", 12, berlin(9, 10)),
        ("send 12 dec 24th at 8:15", 12, berlin(24, 8, 15)),
        ("send campaign 12 at 9:00", 12, berlin(8, 9)),  # 9:00 has passed today: tomorrow's
        ("send campaign 12 at 14:30", 12, berlin(7, 14, 30)),  # still to come today
        ("send 12 at 9", 12, berlin(8, 9)),
        ("send 12 9am tmrw", 12, berlin(8, 9)),
        ("schedule 12 for mon 9am", 12, berlin(14, 9)),  # today is Monday and 9:00 has passed
        ("schedule 12 for mon 3pm", 12, berlin(7, 15)),
        ("schedule 12 for 5 jan 9am", 12, berlin(5, 9, month=1, year=2027)),  # the next 5 Jan
        ("schedule 12 at 2026-12-09T10:00+00:00", 12, datetime(2026, 12, 9, 10, tzinfo=UTC)),
        ("schedule 12 at 2026-12-09T10:00Z", 12, datetime(2026, 12, 9, 10, tzinfo=UTC)),
        ("send it tomorrow at 9:00", None, berlin(8, 9)),
        ("schedule this one for noon tomorrow", None, berlin(8, 12)),
    ],
)
def test_send_times_are_read_in_the_workspace_zone(text: str, campaign_id: int | None, moment) -> None:
    found = scheduled(text)
    assert found.campaign_id == campaign_id
    assert found.when.moment(NOW, BERLIN) == moment
    assert found.when.local_time is None and not found.when.now


@pytest.mark.parametrize(
    "text", ["send 12 now", "send campaign 12 now", "send it now!", "schedule 12 right now"]
)
def test_now(text: str) -> None:
    when = scheduled(text).when
    assert when.now and when.moment(NOW, BERLIN) is None


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("send campaign 12 at 9:00 in each recipient's time zone", "09:00"),
        ("send campaign 12 at 9:00 in each recipient’s timezone", "09:00"),
        ("send 12 at 9am local", "09:00"),
        ("send 12 at 9am local time", "09:00"),
        ("schedule 12 for 8:30am their time", "08:30"),
        ("send 12 at 6pm on each recipient's clock", "18:00"),
        ("schedule 12 local 9:00", "09:00"),  # the console's way
        ("reschedule 12 to local 21:00", "21:00"),
    ],
)
def test_local_times_are_on_each_recipients_clock(text: str, local: str) -> None:
    when = scheduled(text).when
    assert when.local and when.local_time == local and when.moment(NOW, BERLIN) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("send campaign 12 at teatime", "could not read “teatime” as a time"),
        ("send 12 tomorrow", "could not read “tomorrow” as a time"),
        ("send 12 at 25:00", "as a time"),
        ("schedule 12 for someday at 9am", "could not read “someday” as a day"),
        ("schedule 12 for 31 feb at 9am", "“31 feb” is not a date"),
        ("send 12 tomorrow at 9am local", "without a day"),
    ],
)
def test_unreadable_times_are_said_with_an_example(text: str, problem: str) -> None:
    found = parse(text)
    assert isinstance(found, Misread) and found.problem is not None
    assert problem in found.problem and "e.g." in found.problem
    assert "send campaign 12 tomorrow at 9:00" in found.grammar


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cancel campaign 12", CancelRequest(12)),
        ("cancel 12", CancelRequest(12)),
        ("cancel it", CancelRequest(None)),
        ("cancel campaign 12: wrong segment", CancelRequest(12, "wrong segment")),
        ("cancel it because the offer ended", CancelRequest(None, "the offer ended")),
        ("what's scheduled?", ScheduledRequest()),
        ("whats scheduled", ScheduledRequest()),
        ("What’s scheduled", ScheduledRequest()),
        ("scheduled campaigns", ScheduledRequest()),
        ("show me the scheduled campaigns", ScheduledRequest()),
        ("scheduled", ScheduledRequest()),
        (
            "send campaign 12",
            Misread(
                "send campaign 12", SCHEDULE_GRAMMAR, "say when: `now`, or a time such as `tomorrow at 9:00`"
            ),
        ),
    ],
)
def test_cancel_and_the_listing(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text", ["custs who were sent the campaign", "cancelled custs", "sent emails to lapsed custs", "schedule"]
)
def test_sending_words_in_segment_phrases_are_left_alone(text: str) -> None:
    assert parse(text) is None
