"""The reports' tests: the segment tests' generated data set, loaded once per database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import DATABASES, session_store
from tests.segments.dataset import write_dataset
from tests.store.helpers import load


@pytest.fixture(scope="session")
def report_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_dataset(tmp_path_factory.mktemp("report_data"))


@pytest.fixture(scope="session", params=DATABASES)
def report_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, report_files: dict[str, Path]
) -> Iterator[Engine]:
    """An engine on a store loaded with the generated data set, by the real import."""
    with session_store(request, tmp_path_factory.mktemp(request.param)) as (_, engine):
        report = load(engine, **report_files)
        assert [file.rejected for file in report.files] == [0, 0, 0]
        yield engine
