"""The segment tests' data, generated once, and a store loaded with it once per database.

`oracle` is the session-scoped twin of `engine`: one SQLite file, or one PostgreSQL schema (dropped
at the end), made by the same `provide_database`, and loaded by the real import.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from store.db import create_store_engine
from store.models import Contact
from tests.conftest import DATABASES, provide_database
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
    with contextmanager(provide_database)(request, tmp_path_factory.mktemp(request.param)) as database:
        engine = create_store_engine(database.base_url, search_path=database.schema)
        try:
            report = load(engine, **segment_files)
            assert [file.rejected for file in report.files] == [0, 0, 0]
            with engine.connect() as conn:
                ids = dict(conn.execute(select(Contact.external_id, Contact.id)).all())
            yield Oracle(engine, ids, segment_data, segment_pools)
        finally:
            engine.dispose()
