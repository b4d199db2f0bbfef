"""The segment service end to end on both databases: phrase in, answer (or failure) out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from segments.definition import Definition
from segments.saved import NameTaken, SavedError
from segments.service import UNANSWERED, Answer, Failure, SegmentService
from tests.segments.conftest import serving
from tests.segments.dataset import DATA_AS_OF


@pytest.fixture
def service(oracle) -> Iterator[SegmentService]:
    yield from serving(oracle)


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
    service.save("test berliners", "contacts in Berlin or Munich", DATA_AS_OF, replace=True)
    after = answered(service, "test berliners").count
    assert after > before


def test_saved_segments_that_refer_to_each_other_fail_clearly(service: SegmentService) -> None:
    service.save("test first", "contacts in Berlin", DATA_AS_OF)
    service.save("test second", "test first who bought golf", DATA_AS_OF)
    service.save("test first", "test second in Germany", DATA_AS_OF, replace=True)
    failure = service.answer("test first", DATA_AS_OF)
    assert isinstance(failure, Failure)
    assert "refers to itself" in failure.error


@pytest.mark.parametrize("name", ["Germany", "golfers", "VIP", "lapsed customers", "golf-lapsed", "vip de"])
def test_a_name_tailor_already_reads_is_refused(service: SegmentService, name: str) -> None:
    """Saved, it would change what every phrase with those words means, for the whole workspace."""
    before = answered(service, f"contacts in Berlin or {name}", members=True)
    with pytest.raises(SavedError, match="add a word of your own"):
        service.save(name, "contacts in Berlin", DATA_AS_OF)
    assert name not in service.saved.names()
    assert answered(service, f"contacts in Berlin or {name}", members=True) == before


@pytest.mark.parametrize("name", ["and", "1a", "or"])
def test_a_name_that_could_never_be_used_is_refused(service: SegmentService, name: str) -> None:
    with pytest.raises(SavedError, match="would not be read back as a name"):
        service.save(name, "contacts in Berlin", DATA_AS_OF)


def test_a_name_of_its_own_is_saved_and_saved_again(service: SegmentService) -> None:
    assert isinstance(service.save("test golf-winback", "golfers", DATA_AS_OF), Answer)
    assert isinstance(service.save("test golf-winback", "runners", DATA_AS_OF, replace=True), Answer)
    with pytest.raises(SavedError, match="already the name of the saved segment"):
        service.save("Test Golf-Winback", "golfers", DATA_AS_OF)


def test_a_taken_name_is_replaced_only_when_asked(service: SegmentService) -> None:
    service.save("test keepers", "contacts in Berlin", DATA_AS_OF)
    with pytest.raises(NameTaken) as taken:
        service.save("test  keepers", "contacts in Munich", DATA_AS_OF)
    assert (taken.value.taken.name, taken.value.taken.text) == ("test keepers", "contacts in Berlin")
    assert "already saved as 'test keepers' (“contacts in Berlin”)" in str(taken.value)
    kept = service.saved.info("test keepers")
    assert kept is not None and kept.text == "contacts in Berlin"
    # a phrase that does not read is said first: nothing to replace the segment with
    assert isinstance(service.save("test keepers", "contacts in Munchen", DATA_AS_OF), Failure)
    service.save("test keepers", "contacts in Munich", DATA_AS_OF, replace=True)
    replaced = service.saved.info("test keepers")
    assert replaced is not None and replaced.text == "contacts in Munich"


def test_a_saved_segment_shows_the_reading_its_answer_shows(service: SegmentService) -> None:
    saved = service.save("test comeback", "lapsed customers in Germany", DATA_AS_OF)
    assert isinstance(saved, Answer)
    shown = service.show("test comeback", DATA_AS_OF)
    assert shown is not None
    assert (shown.name, shown.text, shown.definition) == ("test comeback", saved.text, saved.definition)
    assert shown.explanation == saved.explanation
    assert "no purchase in the last 90 days (since 1 Apr 2026 12:00)" in shown.explanation
    assert service.show("test nobody", DATA_AS_OF) is None


def test_a_defect_of_tailors_is_logged_and_the_phrase_answered(
    service: SegmentService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The net under every way in: a batch, the console and Slack go on to the next phrase."""

    def broken(phrase: str, as_of: datetime | None = None) -> None:
        raise RuntimeError("a defect")

    monkeypatch.setattr(service, "read", broken)
    failure = service.answer("golfers", DATA_AS_OF)
    assert isinstance(failure, Failure) and failure.error == UNANSWERED
    assert "answering 'golfers' failed" in caplog.text and "RuntimeError: a defect" in caplog.text


def test_a_store_with_no_contacts_says_so_and_how_to_fill_it(engine) -> None:
    answer = SegmentService(engine).answer("custs in DE w/ 3+ orders", DATA_AS_OF)
    assert isinstance(answer, Answer) and answer.count == 0
    assert any("no contacts yet" in warning and "import" in warning for warning in answer.warnings)
    assert not any("No contact matches" in warning for warning in answer.warnings)
