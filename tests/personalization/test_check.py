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
        "18 subjects run past 60 characters (the longest: 74)",
        "1 of 4,211 could not be rendered: c9001 (line 9: division by zero)",
    ]


def test_a_clean_segment_has_nothing_to_say() -> None:
    tally = Tally()
    tally.add(Observed(contact="c1", subject="Hi Emma"))
    assert tally.check().lines() == []


def test_failures_past_the_first_five_are_counted_not_listed() -> None:
    tally = Tally()
    for i in range(8):
        tally.fail(f"c{i}", "the template ran longer than 1 s")
    line = tally.check().lines()[0]
    assert line.startswith("8 of 8 could not be rendered: c0 (the template ran longer than 1 s), ")
    assert line.endswith("c4 (the template ran longer than 1 s) and 3 more")
