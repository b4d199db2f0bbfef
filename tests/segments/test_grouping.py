"""'or', 'and', 'not' and parentheses between noun phrases, on both databases: each phrase's
members are the set algebra of its parts' own members.

The defects of issue 16 first, then generated phrases: 2 to 4 noun phrases joined by and, or,
but not, not and parentheses (seeded, so a failure names a phrase that fails again).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from segments.contradictions import REFUSED
from segments.service import Answer, Failure, SegmentService
from tests.segments.dataset import DATA_AS_OF

#: Noun phrases as marketers type them, each read on its own first.
PARTS = (
    "golfers",
    "runners",
    "yoga fans",
    "VIP",
    "contacts in Germany",
    "customers in Germany",
    "instagram leads",
    "lapsed customers",
    "mobile users",
    "desktop users in France",
    "women",
    "women over 50",
    "gold tier members",
    "non-buyers",
    "customers with 3+ orders",
    "customers who spent over $500",
    "customers who bought golf in the last 6 months",
    "contacts who never clicked",
    "contacts aged 30-40",
    "contacts in Berlin or Munich",
    "German or French customers",
    "people who bought golf but not yoga",
)
SEED = 16
GENERATED = 1000


def members(service: SegmentService, phrase: str) -> set[str]:
    answer = service.answer(phrase, DATA_AS_OF, members=True)
    assert isinstance(answer, Answer), answer
    return set(answer.members or [])


@pytest.fixture(scope="module")
def parts(service: SegmentService) -> dict[str, set[str]]:
    found = {phrase: members(service, phrase) for phrase in PARTS}
    everyone = members(service, "all contacts")
    # Each part is a real subset, so that a wrong join shows in the members.
    assert all(0 < len(found[phrase]) < len(everyone) for phrase in PARTS), {
        p: len(m) for p, m in found.items()
    }
    return found | {"": everyone}


# -- the defects of issue 16 ----------------------------------------------------------------------


def test_or_joins_whole_noun_phrases_whatever_their_order(service, parts) -> None:
    union = parts["contacts in Germany"] | parts["instagram leads"]
    assert members(service, "contacts in Germany or instagram leads") == union
    assert members(service, "instagram leads or contacts in Germany") == union
    assert members(service, "instagram leads or golfers") == parts["instagram leads"] | parts["golfers"]


def test_a_head_inside_an_or_stays_on_its_side(service, parts) -> None:
    # "customers" implies a purchase, of the lapsed customers only: not of the golfers
    assert members(service, "golfers or lapsed customers") == parts["golfers"] | parts["lapsed customers"]


def test_or_between_noun_phrases_is_no_list_of_values(service, parts) -> None:
    # "France or gold" would be no list: gold is a tier, and the members have their own head
    either = parts["desktop users in France"] | parts["gold tier members"]
    assert members(service, "desktop users in France or gold tier members") == either


def test_parentheses_group_and_not_covers_the_group(service, parts) -> None:
    left_out = parts["runners"] | parts["VIP"]
    assert members(service, "golfers and not (runners or VIP)") == parts["golfers"] - left_out
    assert members(service, "golfers but not (runners or VIP)") == parts["golfers"] - left_out


def test_repeated_not_cancels_in_pairs(service, parts) -> None:
    everyone = parts[""]
    assert members(service, "not not not golfers") == everyone - parts["golfers"]
    assert members(service, "not not VIP") == parts["VIP"]


def test_not_reaches_to_the_next_and(service, parts) -> None:
    assert members(service, "not runners and golfers") == parts["golfers"] - parts["runners"]
    either = (parts[""] - parts["women"]) | (parts[""] - parts["instagram leads"])
    assert members(service, "not women or not instagram leads") == either
    assert members(service, "not desktop users in France") == parts[""] - parts["desktop users in France"]


def test_adjectives_before_one_head_stay_a_list(service, parts) -> None:
    customers = parts["customers in Germany"]
    assert customers <= members(service, "German or French customers")
    assert members(service, "German or French customers") != parts["contacts in Germany"] | customers


def test_saved_segments_and_fans_are_noun_phrases_of_their_own(service, parts) -> None:
    service.save("test golfclub", "golfers", DATA_AS_OF)
    service.save("test runclub", "runners", DATA_AS_OF)
    either = parts["golfers"] | parts["runners"]
    assert members(service, "test golfclub or test runclub") == either
    german_or_french = members(service, "contacts in Germany or France")
    assert members(service, "German or French golfers") == german_or_french & parts["golfers"]
    germans, french = members(service, "contacts in Germany"), members(service, "contacts in France")
    mixed = (germans & parts["golfers"]) | (french & parts["runners"])
    assert members(service, "German golfers or French runners") == mixed
    lapsed = parts["lapsed customers"] & german_or_french
    assert members(service, "lapsed German or French customers") == lapsed


def test_but_joins_all_that_stands_on_either_side_of_an_or(service, parts) -> None:
    either = parts["golfers"] | parts["runners"]
    assert members(service, "VIP but not golfers or runners") == parts["VIP"] - either
    assert members(service, "golfers or runners but not in Germany") == either - parts["contacts in Germany"]
    assert members(service, "golfers or runners, but not VIP") == either - parts["VIP"]


def test_signs_for_and_and_or_read_as_the_words(service, parts) -> None:
    assert members(service, "golfers & runners") == members(service, "golfers and runners")
    assert members(service, "contacts in Berlin/Munich") == parts["contacts in Berlin or Munich"]


def test_excluding_leaves_out_a_list_from_all_before_it(service, parts) -> None:
    either = parts["golfers"] | parts["runners"]
    assert members(service, "golfers or runners excluding VIP") == either - parts["VIP"]
    both = parts["VIP"] | parts["lapsed customers"]
    assert members(service, "golfers excluding VIP and lapsed customers") == parts["golfers"] - both
    assert members(service, "golfers but not VIP and not lapsed customers") == parts["golfers"] - both
    assert members(service, "all contacts excluding VIP") == parts[""] - parts["VIP"]
    assert members(service, "golfers or runners but excluding VIP") == either - parts["VIP"]
    assert members(service, "golfers but not not runners") == parts["golfers"] & parts["runners"]
    assert members(service, "golfers but not in Germany or VIP") == (
        parts["golfers"] - parts["contacts in Germany"] - parts["VIP"]
    )


def test_the_commas_of_a_list_mean_its_last_word(service, parts) -> None:
    three = parts["VIP"] | parts["lapsed customers"] | parts["golfers"]
    assert members(service, "VIP, lapsed customers or golfers") == three
    germany_or_france = members(service, "contacts in Germany or France")
    assert members(service, "contacts in Germany, in France or in Spain") >= germany_or_france
    assert members(service, "contacts in Germany, in France or in Spain") == members(
        service, "contacts in Germany, France or Spain"
    )
    # a comma before a clause is no list: "who bought golf or yoga" stays with the customers in Germany
    bought = members(service, "customers who bought golf or yoga")
    assert (
        members(service, "customers in Germany, who bought golf or yoga")
        == bought & parts["contacts in Germany"]
    )


def test_or_inside_who_are_is_one_clause(service, parts) -> None:
    either = parts["VIP"] | parts["lapsed customers"]
    assert members(service, "golfers who are VIP or lapsed") == parts["golfers"] & either
    runners_or_golfers = parts["golfers"] | parts["runners"]
    assert members(service, "women who are golfers or runners") == parts["women"] & runners_or_golfers


def test_not_before_an_or_says_how_it_was_read(service) -> None:
    answer = service.answer("not golfers or runners", DATA_AS_OF)
    assert any("for neither, put parentheses after it" in warning for warning in answer.warnings)


def test_the_reading_shows_how_the_phrase_groups(service) -> None:
    grouped = service.answer("(golfers or runners) in Germany", DATA_AS_OF)
    ungrouped = service.answer("golfers or runners in Germany", DATA_AS_OF)
    assert grouped.explanation.startswith("Contacts (either interested in golf or interested in running) and")
    assert (
        ungrouped.explanation
        == "Contacts either interested in golf or (interested in running and in Germany)"
    )
    assert any("read 'or' as joining the whole phrases" in warning for warning in ungrouped.warnings)


def test_a_verb_is_read_again_after_but_not(service) -> None:
    bought_golf = members(service, "people who bought golf")
    bought_yoga = members(service, "people who bought yoga")
    assert members(service, "people who bought golf but not yoga") == bought_golf - bought_yoga


def test_a_saved_or_is_stored_as_an_or(service, parts) -> None:
    service.save("test seg-b", "golfers", DATA_AS_OF)
    saved = service.save("test seg-c", "test seg-b or runners", DATA_AS_OF)
    assert isinstance(saved, Answer)
    assert saved.definition["where"]["kind"] == "any"
    assert members(service, "test seg-c") == parts["golfers"] | parts["runners"]


# -- generated phrases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A tree of parts: ("part", phrase), ("not", e), ("and" | "or", e, e)."""

    node: tuple

    def members(self, parts: dict[str, set[str]]) -> set[str]:
        kind, *children = self.node
        if kind == "part":
            return parts[children[0]]
        if kind == "not":
            return parts[""] - Expression(children[0]).members(parts)
        left, right = (Expression(child).members(parts) for child in children)
        return left & right if kind == "and" else left | right


def generate(rng: random.Random, size: int) -> tuple:
    if size == 1:
        part = ("part", rng.choice(PARTS))
        return ("not", part) if rng.random() < 0.25 else part
    left = rng.randint(1, size - 1)
    node = (rng.choice(["and", "or"]), generate(rng, left), generate(rng, size - left))
    return ("not", node) if rng.random() < 0.15 else node


def spoken(rng: random.Random, node: tuple, root: bool = False) -> str:
    """The phrase a marketer would write: parentheses where and/or mix, or around a part that
    holds a connective of its own ("not (German or French customers)"); sometimes more."""
    kind, *children = node
    if kind == "part":
        return f"({children[0]})" if rng.random() < 0.05 or _joined(node) else children[0]
    if kind == "not":
        inner = spoken(rng, children[0])
        return f"not ({inner})" if children[0][0] != "part" else f"not {inner}"
    left, right = (spoken(rng, child) for child in children)
    if children[0][0] in ("and", "or") and children[0][0] != kind:
        left = f"({left})"
    if children[1][0] in ("and", "or"):
        right = f"({right})"
    # "but not" leaves out all that follows it: said last, of the whole phrase
    word = "but" if root and kind == "and" and children[1][0] == "not" and rng.random() < 0.5 else kind
    return f"{left} {word} {right}"


def _joined(node: tuple) -> bool:
    """A part with a connective of its own ("German or French customers") goes in parentheses
    inside a bigger phrase, as a marketer would write it: its "but" would join the whole."""
    return any(word in node[1].split() for word in ("or", "and", "but"))


def test_generated_phrases_answer_the_set_algebra_of_their_parts(service, parts) -> None:
    rng = random.Random(SEED)
    wrong = []
    for _ in range(GENERATED):
        node = generate(rng, rng.randint(2, 4))
        phrase = spoken(rng, node, root=True)
        answer = service.answer(phrase, DATA_AS_OF, members=True)
        want = Expression(node).members(parts)
        if not want and isinstance(answer, Failure) and answer.error.startswith(REFUSED):
            continue  # "VIP and non-buyers": empty by contradiction, and refused in words
        if not isinstance(answer, Answer) or set(answer.members or []) != want:
            got = answer.error if not isinstance(answer, Answer) else f"{len(answer.members or [])} members"
            wrong.append(f"{phrase!r}: {got}, want {len(want)}")
    assert not wrong, f"{len(wrong)} of {GENERATED} wrong:\n" + "\n".join(wrong[:20])
