"""Reading and counting phrases from many threads at once gives what one thread gives: the parser
shares no state between calls, and each count runs on its own connection of the pool."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from segments.service import Answer, Failure, SegmentService
from tests.segments.dataset import DATA_AS_OF

PHRASES = [
    "custs in DE w/ 3+ orders",
    "lapsed customers in Germany",
    "ppl who opened an email in the last 30d",
    "subs in fr who havent bought in 6mos",
    "customers who spent $500+",
    "contacts in Berlin or Munich",
    "vips who clicked but didnt buy in 30d",
    "new subscribers",
    "custmers in germny",  # typos, corrected
    "people who bought golf gear",
    "contacts who never opened",
    "cart abandoners in the US",
    "customers w/ exactly 1 order",
    "contacts who signed up in 2025",
    "high value customers",
    "contacts in Bern",  # a value it does not know: a failure with suggestions
    "blorp the zzyzx",  # nothing it can read
    "customers who bought in the last qtr",
    "first-time buyers",
    "contacts in DE not in Berlin",
]


def outcome(found: Answer | Failure) -> tuple:
    if isinstance(found, Failure):
        return ("failure", found.error, tuple(found.suggestions))
    return ("answer", found.count, found.reachable, found.explanation, tuple(found.warnings))


def test_phrases_answered_side_by_side_match_those_answered_in_turn(oracle) -> None:
    service = SegmentService(oracle.engine)  # a fresh one: its parser is built by the first asker
    asked = PHRASES * 3
    random.Random(7).shuffle(asked)
    with ThreadPoolExecutor(max_workers=12) as pool:
        side_by_side = list(pool.map(lambda p: (p, outcome(service.answer(p, DATA_AS_OF))), asked))
    in_turn = {p: outcome(service.answer(p, DATA_AS_OF)) for p in PHRASES}
    failed = {phrase for phrase, (kind, *_) in in_turn.items() if kind == "failure"}
    assert failed == {"contacts in Bern", "blorp the zzyzx"}
    for phrase, found in side_by_side:
        assert found == in_turn[phrase], phrase
