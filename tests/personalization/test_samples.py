"""Samples: the fewest members that show every edge, each saying why, the same every time."""

from __future__ import annotations

from personalization.check import Observed
from personalization.samples import LONGEST_PRODUCT, LONGEST_SUBJECT, TYPICAL, Chooser

LABELS = {"L12": "if lifecycle == 'lapsed' (line 12)", "L12.else": "else of the if on line 12"}


def seen(contact: str, **fields: object) -> Observed:
    return Observed.model_validate({"contact": contact, "language": "en", "purchases": True, **fields})


def chooser(*members: Observed) -> Chooser:
    chosen = Chooser(LABELS)
    for member in members:
        chosen.add(member)
    return chosen


def test_each_edge_is_shown_once_by_the_member_who_shows_the_most() -> None:
    members = [
        seen("c1", branches={"L12.else"}, subject="Hi Emma"),
        seen("c2", branches={"L12.else"}, subject="Hi Liam"),
        seen("c3", language="de", fallbacks={"first_name": "there"}, branches={"L12"}, subject="Hi there"),
        seen("c4", language="fr", purchases=False, branches={"L12.else"}, subject="Bonjour Léa"),
        seen("c5", branches={"L12"}, product_length=24, subject="Hi Noah, a long subject line here"),
    ]
    chosen = chooser(*members).choose(5)
    assert [(c.contact, c.why) for c in chosen] == [
        ("c5", ["language en", "if lifecycle == 'lapsed' (line 12)", LONGEST_PRODUCT, LONGEST_SUBJECT]),
        ("c4", ["language fr", "no purchase history", "else of the if on line 12"]),
        ("c3", ["no first name", "language de"]),
        ("c1", [TYPICAL]),
        ("c2", [TYPICAL]),
    ]


def test_fewer_samples_than_edges_take_the_widest_first() -> None:
    members = [seen("c1"), seen("c2", language="de", purchases=False), seen("c3", language="sv")]
    assert [c.contact for c in chooser(*members).choose(1)] == ["c2"]


def test_the_same_members_in_the_same_order_give_the_same_samples() -> None:
    members = [seen(f"c{i}", language=("en", "de", "fr")[i % 3], product_length=i % 7) for i in range(300)]
    first, second = chooser(*members).choose(5), chooser(*members).choose(5)
    assert first == second
    assert {tuple(c.why) for c in first} >= {("language de",), ("language fr",)}


def test_a_member_with_no_language_is_an_edge_too() -> None:
    chosen = chooser(seen("c1"), seen("c2", language=None)).choose(2)
    assert chosen[1].why == ["no language"]


def test_an_empty_segment_has_no_samples() -> None:
    assert chooser().choose(5) == []
