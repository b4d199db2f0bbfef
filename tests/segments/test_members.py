"""The members API on both databases: recipients in batches, reachable ones by default, each with
its fields; the members' ids as SQL that a larger query can join."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest
from sqlalchemy import func, select

from segments.definition import Definition
from segments.service import Answer, SegmentService
from tests.segments.conftest import serving
from tests.segments.dataset import DATA_AS_OF


@pytest.fixture
def service(oracle) -> Iterator[SegmentService]:
    yield from serving(oracle)


def definition_of(service: SegmentService, phrase: str) -> Definition:
    answer = service.answer(phrase, DATA_AS_OF)
    assert isinstance(answer, Answer), answer
    return Definition.model_validate(answer.definition)


@pytest.mark.parametrize("phrase", ["contacts in Germany", "custs w/ 2+ orders", "lapsed customers"])
def test_recipients_are_the_reachable_members_in_batches(
    service: SegmentService, oracle, phrase: str
) -> None:
    definition = definition_of(service, phrase)
    members, (count, reachable) = oracle.expected(definition, DATA_AS_OF)
    batches = list(service.recipients(definition, DATA_AS_OF, batch=7))
    got = [r.external_id for batch in batches for r in batch]
    assert len(got) == reachable and set(got) <= members
    assert all(len(batch) <= 7 for batch in batches) and all(batches)
    assert [r.id for batch in batches for r in batch] == sorted(r.id for batch in batches for r in batch)
    everyone = [r.external_id for batch in service.recipients(definition, DATA_AS_OF, reachable_only=False)
                for r in batch]  # fmt: skip
    assert set(everyone) == members and len(everyone) == count


def test_a_recipient_carries_its_columns_and_custom_properties(service: SegmentService) -> None:
    definition = definition_of(service, "contacts in Germany")
    with closing(service.recipients(definition, DATA_AS_OF, reachable_only=False)) as batches:
        batch = next(batches)  # and no more: closing the iterator closes its query
    assert all("@" in r.email and r.fields["country"] == "Germany" for r in batch)
    assert all({"first_name", "language", "email_consent"} <= set(r.fields) for r in batch)
    assert {"score", "plan"} <= {name for r in batch for name in r.fields}  # custom, where a contact has one
    assert not any({"properties", "id"} & set(r.fields) for r in batch)


def test_member_ids_compose_into_a_larger_query(service: SegmentService, oracle) -> None:
    definition = definition_of(service, "contacts in Germany")
    _, (count, reachable) = oracle.expected(definition, DATA_AS_OF)
    with service.engine.connect() as conn:
        for only, expected in ((True, reachable), (False, count)):
            ids = service.member_ids(conn, definition, DATA_AS_OF, reachable_only=only).subquery()
            assert conn.execute(select(func.count()).select_from(ids)).scalar() == expected
