"""The segment tests' data, generated once, and a store loaded with it once per database.

`oracle` is the session-scoped twin of `engine`: one SQLite file, or one PostgreSQL schema (dropped
at the end), made by `session_store` (on `provide_database`, as `engine` is), and loaded by the real import.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from segments.service import SegmentService
from store.models import Contact
from tests.conftest import DATABASES, session_store
from tests.segments.dataset import CUSTOM_CONTACT_TYPES, write_dataset
from tests.segments.oracle import Oracle
from tests.segments.reference import Dataset, read_dataset
from tests.segments.strategies import Pools
from tests.store.helpers import load


@pytest.fixture(scope="session")
def segment_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_dataset(tmp_path_factory.mktemp("segment_data"))


@pytest.fixture(scope="session")
def segment_data(segment_files: dict[str, Path]) -> Dataset:
    return read_dataset(segment_files, CUSTOM_CONTACT_TYPES)


@pytest.fixture(scope="session")
def segment_pools(segment_data: Dataset) -> Pools:
    return Pools.of(segment_data)


@pytest.fixture(scope="session", params=DATABASES)
def oracle(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    segment_files: dict[str, Path],
    segment_data: Dataset,
    segment_pools: Pools,
) -> Iterator[Oracle]:
    with session_store(request, tmp_path_factory.mktemp(request.param)) as (_, engine):
        report = load(engine, **segment_files)
        assert [file.rejected for file in report.files] == [0, 0, 0]
        with engine.connect() as conn:
            ids = dict(conn.execute(select(Contact.external_id, Contact.id)).all())
        yield Oracle(engine, ids, segment_data, segment_pools)


@pytest.fixture(scope="module")
def service(oracle: Oracle) -> Iterator[SegmentService]:
    """A segment service on the oracle's store for a module's tests (a module whose tests save
    segments has one per test)."""
    yield from serving(oracle)


def serving(oracle: Oracle) -> Iterator[SegmentService]:
    """The body of a fixture: a segment service on the oracle's store; the segments its test
    saved under names beginning "test " are deleted afterwards."""
    service = SegmentService(oracle.engine)
    yield service
    for name in service.saved.names():
        if name.startswith("test "):
            service.delete(name)
