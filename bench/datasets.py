"""What the benchmarks share: generated data sets (kept in bench/out/) and PostgreSQL schemas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
GENERATOR = EVAL / "gen_dataset.py"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_server() -> str:
    return os.environ.get("TAILOR_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def dataset(contacts: int) -> Path:
    """`gen_dataset.py --contacts N` (its default seed), generated once."""
    directory = ROOT / "bench" / "out" / f"data-{contacts}"
    if not (directory / "events.csv").exists():
        print(f"generating {contacts:,} contacts with {GENERATOR.name} ...", file=sys.stderr)
        command = [sys.executable, str(GENERATOR), str(directory), "--contacts", str(contacts)]
        subprocess.run(command, check=True)
    return directory


class Schema:
    """A PostgreSQL schema of its own; `url` puts sessions into it. As a context, dropped afterwards."""

    def __init__(self, server: str, name: str) -> None:
        self.server, self.name = server, name
        self.url = f"{server}?options=-csearch_path%3D{name}"

    def create(self) -> Schema:
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {self.name} CASCADE")
            conn.execute(f"CREATE SCHEMA {self.name}")
        return self

    def drop(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {self.name} CASCADE")

    def __enter__(self) -> Schema:
        return self.create()

    def __exit__(self, *exc) -> None:
        self.drop()
