"""The segment service end to end on both databases: phrase in, answer (or failure) out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from segments.definition import Definition
from segments.service import Answer, Failure, SegmentService
from tests.segments.dataset import DATA_AS_OF


@pytest.fixture
def service(oracle) -> Iterator[SegmentService]:
    service = SegmentService(oracle.engine)
    yield service
    for name in service.saved.names():
        if name.startswith("test "):
            service.delete(name)


def answered(service: SegmentService, text: str, **kwargs) -> Answer:
    answer = service.answer(text, DATA_AS_OF, **kwargs)
    assert isinstance(answer, Answer), answer
    return answer


def test_an_answer_counts_what_the_reference_selects(service: SegmentService, oracle) -> None:
    answer = answered(service, "lapsed customers in Germany", members=True)
    members, (count, reachable) = oracle.expected(Definition.model_validate(answer.definition), DATA_AS_OF)
    assert (answer.count, answer.reachable) == (count, reachable)
    assert answer.members == sorted(members)
    assert 0 < answer.reachable <= answer.count


def test_the_reading_spells_out_presets_and_dates(service: SegmentService) -> None:
    answer = answered(service, "lapsed customers")
    assert "lapsed customers" in answer.explanation
    assert "no purchase in the last 90 days (since 1 Apr 2026 12:00)" in answer.explanation


def test_small_and_empty_segments_are_flagged(service: SegmentService) -> None:
    small = answered(service, "contacts in Berlin")
    assert any("too few to test on" in warning for warning in small.warnings)
    empty = answered(service, "contacts in Japan")
    assert empty.count == 0
    assert any("No contact matches" in warning for warning in empty.warnings)


def test_a_phrase_it_cannot_read_fails_with_suggestions(service: SegmentService) -> None:
    failure = service.answer("contacts in Munchen", DATA_AS_OF)
    assert isinstance(failure, Failure)
    assert failure.suggestions


def test_a_saved_segment_is_usable_in_later_phrases(service: SegmentService) -> None:
    saved = service.save("test golf-lapsed", "lapsed customers who bought golf", DATA_AS_OF)
    assert isinstance(saved, Answer)
    inside = answered(service, "test golf-lapsed in Germany", members=True)
    direct = answered(service, "lapsed customers who bought golf in Germany", members=True)
    assert inside.members == direct.members
    outside = answered(service, "lapsed customers but not test golf-lapsed", members=True)
    everyone = answered(service, "lapsed customers", members=True)
    assert set(outside.members) == set(everyone.members) - set(
        answered(service, "test golf-lapsed", members=True).members
    )


def test_a_saved_segment_is_evaluated_afresh_when_used(service: SegmentService) -> None:
    service.save("test berliners", "contacts in Berlin", DATA_AS_OF)
    before = answered(service, "test berliners").count
    service.save("test berliners", "contacts in Berlin or Munich", DATA_AS_OF)
    after = answered(service, "test berliners").count
    assert after > before


def test_saved_segments_that_refer_to_each_other_fail_clearly(service: SegmentService) -> None:
    service.save("test first", "contacts in Berlin", DATA_AS_OF)
    service.save("test second", "test first who bought golf", DATA_AS_OF)
    service.save("test first", "test second in Germany", DATA_AS_OF)
    failure = service.answer("test first", DATA_AS_OF)
    assert isinstance(failure, Failure)
    assert "refers to itself" in failure.error
