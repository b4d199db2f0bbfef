"""Fixtures shared by every test: a database on SQLite and, when asked for, PostgreSQL.

`database_url` and `engine` run each test that uses them once per database: SQLite in a file
of the test's own, and PostgreSQL in a fresh schema of its own (dropped afterwards) when
TAILOR_TEST_POSTGRES_URL names a server, e.g. postgresql://postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from store.db import create_store_engine, normalize_url

PROJECT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TAILOR_TEST_POSTGRES_URL")
DATABASES = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def pytest_report_header(config) -> str:
    if POSTGRES_URL:
        return f"databases: sqlite, postgresql ({POSTGRES_URL})"
    return "databases: sqlite only (set TAILOR_TEST_POSTGRES_URL to run PostgreSQL too)"


@dataclass(frozen=True)
class Database:
    url: str  #: for this process and for subprocesses (`app.py --db URL`)
    base_url: str  #: without the schema option
    schema: str | None = None  #: PostgreSQL only


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the server of TAILOR_TEST_POSTGRES_URL; an error, not a skip, when it is down."""
    admin = create_engine(normalize_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
        down = None
    except OperationalError as exc:
        down = exc.orig
    if down:
        pytest.fail(f"TAILOR_TEST_POSTGRES_URL={POSTGRES_URL} does not answer: {down}", pytrace=False)
    yield admin
    admin.dispose()


def provide_database(request: pytest.FixtureRequest, directory: Path) -> Iterator[Database]:
    """The body of a fixture parametrized by DATABASES: an SQLite file in `directory`, or a
    fresh PostgreSQL schema, dropped afterwards. Fixtures of any scope share it."""
    if request.param == "sqlite":
        url = f"sqlite:///{directory / 'tailor.db'}"
        yield Database(url=url, base_url=url)
        return
    admin = request.getfixturevalue("postgres_admin")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = urlencode({"options": f"-csearch_path={schema}"})
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield Database(url=f"{POSTGRES_URL}{separator}{options}", base_url=POSTGRES_URL, schema=schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@contextmanager
def session_store(request: pytest.FixtureRequest, directory: Path) -> Iterator[tuple[Database, Engine]]:
    """A database of its own (`provide_database`) and an engine on it, disposed afterwards: the
    body of the session-scoped fixtures that load a data set once per database."""
    with contextmanager(provide_database)(request, directory) as database:
        engine = create_store_engine(database.base_url, search_path=database.schema)
        try:
            yield database, engine
        finally:
            engine.dispose()


@pytest.fixture(params=DATABASES)
def database(request, tmp_path: Path) -> Iterator[Database]:
    yield from provide_database(request, tmp_path)


@pytest.fixture
def database_url(database: Database) -> str:
    """A URL of the test's database, also right for `python app.py ... --db URL`."""
    return database.url


@pytest.fixture
def engine(database: Database) -> Iterator[Engine]:
    """An engine on the test's database, empty: `upgrade` or an import creates the schema."""
    engine = create_store_engine(database.base_url, search_path=database.schema)
    yield engine
    engine.dispose()


WriteCsv = Callable[..., Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """`write_csv("contacts.csv", [header, row, ...])` writes a CSV file and returns its path."""

    def write(name: str, rows: Sequence[Sequence[object]], *, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as file:
            csv.writer(file, lineterminator="\n").writerows(rows)
        return path

    return write


@pytest.fixture
def run_app() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_app("import", "--contacts", path, env={...})`: `python app.py ...` run from the project.

    The TAILOR_ settings of the calling shell are left out; `env` adds the test's own. Its stdin is
    no terminal (as in CI), whatever the shell running the tests has.
    """

    def run(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("TAILOR_")}
        return subprocess.run(
            [sys.executable, "app.py", *map(str, args)],
            cwd=PROJECT,
            env={**clean, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run
