"""Campaign requests read from chat shorthand: drafts, changes, history; the rest left alone."""

from __future__ import annotations

import pytest

from bot.campaign_phrases import ChangeRequest, DraftRequest, HistoryRequest, Misread, parse


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
