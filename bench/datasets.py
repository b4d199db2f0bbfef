"""What the benchmarks share: generated data sets and the stores imported from them (both kept in
bench/out/ for the next run), and PostgreSQL schemas.

The data is Tailor's own demo generator (`store.demo`) at any size, so the import, report and
side-by-side benchmarks run from a clone alone. The segment benchmark alone needs the evaluation
kit beside the project (`../shared/eval`): its phrases, its data generator and its limit (DuckDB
running the phrases' hand-written SQL) are written for one another.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import psycopg

from personalization.letterhead import Letterhead
from store.demo import write_demo_csv

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
EVAL = ROOT.parent / "shared" / "eval"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
#: The moment every benchmark asks as of, and the demo data's last day.
AS_OF = "2026-06-30T12:00:00Z"


def postgres_server() -> str:
    return os.environ.get("TAILOR_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def demo_data(contacts: int) -> Path:
    """The demo generator's files for `contacts` contacts (its seed, events up to AS_OF), made once."""
    directory = OUT / f"demo-{contacts}"
    if not (directory / "done").exists():
        print(f"generating {contacts:,} demo contacts ...", file=sys.stderr)
        write_demo_csv(directory, as_of=datetime.fromisoformat(AS_OF), contacts=contacts)
        (directory / "done").touch()
    return directory


def eval_data(contacts: int) -> Path:
    """The evaluation kit's `gen_dataset.py --contacts N` (its default seed), made once."""
    generator = EVAL / "gen_dataset.py"
    if not generator.exists():
        raise SystemExit(f"this benchmark needs the evaluation kit: {generator} is missing")
    directory = OUT / f"eval-{contacts}"
    if not (directory / "events.csv").exists():
        print(f"generating {contacts:,} contacts with {generator.name} ...", file=sys.stderr)
        command = [sys.executable, str(generator), str(directory), "--contacts", str(contacts)]
        subprocess.run(command, check=True)
    return directory


def store_url(kind: str, data: Path) -> str:
    """A store (`kind` sqlite or postgresql) holding the files in `data`, imported by Tailor on
    the first run and kept: a SQLite file beside the data, or a schema named after it."""
    marker = OUT / f"{data.name}-{kind}.done"
    database = OUT / f"{data.name}.db"
    schema = Schema(postgres_server(), f"bench_{data.name.replace('-', '_')}")
    url = f"sqlite:///{database}" if kind == "sqlite" else schema.url
    if not marker.exists():
        if kind == "sqlite":
            database.unlink(missing_ok=True)
        else:
            schema.create()
        print(f"importing {data.name} into {kind} (once; kept for later runs) ...", file=sys.stderr)
        import_data(url, data)
        marker.write_text(url)
    return url


def import_data(url: str, data: Path) -> None:
    """`python app.py import` of the files in `data` into the store at `url`."""
    files = [f"--{name}={data / f'{name}.csv'}" for name in ("contacts", "events", "campaigns")]
    subprocess.run([sys.executable, "app.py", "import", "--db", url, *files], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


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


#: Who the benchmarks' emails are from and what their footer says.
LETTERHEAD = Letterhead(
    sender="Trailhead <news@trailhead.example>",
    postal_address="Trailhead Outfitters\n12 Market St\nPortland, OR 97201",
    public_url="https://tailor.example",
)
