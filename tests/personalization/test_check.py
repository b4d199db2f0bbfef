"""The whole-segment check in a marketer's words."""

from __future__ import annotations

from personalization.check import Observed, Tally


def test_fallbacks_long_subjects_and_failures_are_counted_and_said() -> None:
    tally = Tally()
    for i in range(4210):
        fallbacks = {"first_name": "there"} if i < 312 else {}
        missing = frozenset({"city"}) if i % 1000 == 0 else frozenset()
        subject = "x" * (61 if i < 18 else 40) if i != 7 else "y" * 74
        tally.add(Observed(contact=f"c{i}", fallbacks=fallbacks, missing=missing, subject=subject))
    tally.fail("c9001", "line 9: division by zero")
    check = tally.check()
    assert check.recipients == 4211
    assert check.lines() == [
        "312 of 4,211 have no first name: they read 'there'",
        "5 of 4,211 have no city: that part of their email is empty",
        "18 of 4,211 subjects run past 60 characters (the longest: 74)",
        "1 of 4,211 could not be rendered (line 9: division by zero): c9001",
    ]


def test_a_clean_segment_has_nothing_to_say_and_an_empty_one_says_so() -> None:
    tally = Tally()
    assert tally.check().lines() == ["the segment has no reachable member: there is no email to render"]
    tally.add(Observed(contact="c1", subject="Hi Emma"))
    assert tally.check().lines() == []


def test_failures_are_grouped_by_their_cause_with_the_first_contacts_named() -> None:
    tally = Tally()
    for i in range(8):
        tally.fail(f"c{i}", "line 4: the template's loops went round more than 100,000 times")
    tally.fail("c8", "line 9: division by zero")
    assert tally.check().lines() == [
        "8 of 9 could not be rendered (line 4: the template's loops went round more than 100,000 times): "
        "c0, c1, c2 and 5 more",
        "1 of 9 could not be rendered (line 9: division by zero): c8",
    ]
