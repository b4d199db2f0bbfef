"""What Tailor does not understand it says, on both databases: never a guess, never a traceback.

The defects of issue 16 first (lone connectives and signs, negative and fractional numbers, numbers
and dates past any meaning), then 5,000 generated hostile strings.
"""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from pydantic import ValidationError

from segments.definition import Attribute, Count, Dates, Definition, Event, Last, LastEmails, Span
from segments.normalize import fold, key, words
from segments.service import UNANSWERED, Answer, Failure, SegmentService
from segments.vocabulary import HEADS
from tests.segments.dataset import DATA_AS_OF


def refused(service: SegmentService, phrase: str) -> str:
    answer = service.answer(phrase, DATA_AS_OF)
    assert isinstance(answer, Failure), f"{phrase!r} answered: {answer.explanation}"
    assert answer.error != UNANSWERED
    return answer.error


@pytest.mark.parametrize("phrase", [";", "and", "who who who", "or", ", ,", "()", "the"])
def test_a_phrase_that_names_no_one_is_refused_not_everyone(service, phrase: str) -> None:
    assert refused(service, phrase)


@pytest.mark.parametrize(
    ("phrase", "said"),
    [
        ("golfers and", "'and' joins nothing on one side"),
        ("and golfers", "'and' joins nothing on one side"),
        ("golfers but", "'but' joins nothing on one side"),
        ("(golfers and) or VIP", "'and' joins nothing on one side"),
        ("golfers and and runners", "twice in a row"),
        ("golfers nor runners", "say 'not (golfers or runners)'"),
        ("contacts who opened at least 1,5 emails", "'1,5' is not a number Tailor reads"),
    ],
)
def test_a_slip_is_named_not_passed_over(service, phrase: str, said: str) -> None:
    assert said in refused(service, phrase)


def test_a_lone_not_asks_what_to_leave_out(service) -> None:
    assert "'not' what?" in refused(service, "not")


@pytest.mark.parametrize(
    ("phrase", "said"),
    [
        ("who bought %", "the sign '%'"),
        ("golfers #1", "the sign '#'"),
        ("customers who bought in the last -5 days", "a negative number ('-5')"),
        ("customers who spent more than $-5", "a negative number ('$-5')"),
        ("contacts aged −3", "a negative number ('−3')"),
    ],
)
def test_no_sign_is_dropped(service, phrase: str, said: str) -> None:
    assert said in refused(service, phrase)


@pytest.mark.parametrize(
    ("phrase", "said"),
    [
        ("contacts who opened at least 1.5 emails", "1.5 is not a whole number"),
        ("customers who bought in the last 2.5 days", "2.5 is not a whole number"),
        ("customers who bought in the last 999999 days", "999,999 days is longer than 200 years"),
        ("contacts aged 999999", "an age of more than 150"),
        ("contacts who opened at least 2147483648 emails", "a count of more than 1,000,000,000"),
        ("companies with more than 3000000000 employees", "a size of more than 1,000,000,000"),
        ("customers who spent over $99999999999999999999", "too large a number"),
        ("customers who bought in 3000", "3000 is not a year"),
    ],
)
def test_numbers_past_any_meaning_are_refused_in_words(service, phrase: str, said: str) -> None:
    error = refused(service, phrase)
    assert said in error
    assert not re.search(r"[A-Z]\w*(Error|Exception)|\(\w+\)", error)  # no class names


def test_the_definition_refuses_what_the_parser_would_not_write() -> None:
    """A definition from elsewhere (Slack's JSON, a saved row) meets the same bounds."""
    for build in (
        lambda: Span(n=80_000, unit="day"),
        lambda: Count(n=2_147_483_648),
        lambda: LastEmails(n=0),
        lambda: Attribute(field="age", op="eq", value=999_999),
        lambda: Attribute(field="age", op="lt", value=-1),
        lambda: Dates(start=date(9999, 12, 31)),
        lambda: Count(n=1.5),
    ):
        with pytest.raises(ValidationError):
            build()
    kept = Definition(where=Event(type="purchase", window=Last(span=Span(n=200, unit="year"))))
    assert Definition.model_validate_json(kept.model_dump_json()) == kept


# -- hostile strings --------------------------------------------------------------------------------

PIECES = {
    "punctuation": [*";,.!?()—-/&#@*%$€+=<>|\\\"'`~^[]{}", "((", "))", "..."],
    "connectives": ["and", "or", "not", "but", "who", "with", "in", "no", "never", "excluding", "except",
                    "either", "nor", "than", "at least", "more than", "not not", "and or", "who who"],
    "numbers": ["-5", "$-5", "−3", "1.5", "999999", "2147483648", "99999999999999999999", "1e400", "0", "00",
                "3+", "10%", "-0", "½", "٣", "１２", "0.0001", "1,000,000,000,000,000", "5k", "7m"],
    "dates": ["9999-12-31", "0001-01-01", "2026-13-45", "since 1800", "in 3000", "before 9999-12-31",
              "after 0001-01-01", "in the last 999999 days", "99999 years ago", "in March 99999"],
    "unicode": ["🙂", "Zürich", "東京", "ß", "\u200b", "İstanbul", "ﬁ", "Ⅻ", "\u0301", "𝔤𝔬𝔩𝔣", "مرحبا",
                "\u202e", "Ω", "ǅ", "\ufeff"],
    "words": ["golfers", "contacts", "customers", "VIP", "in Germany", "bought", "opened", "emails", "days",
              "the last 30 days", "aged", "employees", "spent", "lapsed", "instagram leads", "orders", "top"],
}  # fmt: skip
HOSTILE = 5000
#: Words that ask for every contact: only a phrase with one may answer "All contacts".
#: (the grammar's own heads "employees", "staff" and "workers" name contacts too, as "people" does)
EVERYONE = {word for word, meaning in HEADS.items() if meaning == "contact"} | {"employee", "staff", "worker"}


def hostile(rng: random.Random) -> str:
    kinds = list(PIECES)
    pieces = [rng.choice(PIECES[rng.choice(kinds)]) for _ in range(rng.randint(1, 7))]
    return "".join(piece + rng.choice([" ", " ", " ", ""]) for piece in pieces).strip() or ";"


def asks_for_everyone(phrase: str) -> bool:
    return any(key(word.text) in EVERYONE for word in words(fold(phrase)))


def test_hostile_strings_get_an_answer_or_a_clear_refusal(service) -> None:
    rng = random.Random(16)
    bad = []
    for _ in range(HOSTILE):
        phrase = hostile(rng)
        answer = service.answer(phrase, DATA_AS_OF)  # raises nothing, or the test fails here
        if isinstance(answer, Failure):
            if (
                not answer.error
                or answer.error == UNANSWERED
                or re.search(r"[A-Z]\w*(Error|Exception)", answer.error)
            ):
                bad.append(f"{phrase!r}: {answer.error}")
        elif (
            isinstance(answer, Answer) and "where" not in answer.definition and not asks_for_everyone(phrase)
        ):
            bad.append(f"{phrase!r}: All contacts")
    assert not bad, f"{len(bad)} of {HOSTILE}:\n" + "\n".join(bad[:20])
