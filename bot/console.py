"""The console: what `python app.py` runs when no Slack token is set.

It opens the store (loading the demo data into an empty one when `TAILOR_DEMO_DATA` is on),
says what Tailor can do, then reads segment phrases and commands line by line. With a pipe on stdin it
shows no prompt, so it can be scripted: `printf 'import --contacts c.csv\\n' | python app.py`.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn, TextIO

from sqlalchemy import Engine, func, select

from segments.cli import text_lines
from segments.saved import SavedError
from segments.service import Answer, SegmentService
from settings import Settings
from store.db import create_store_engine
from store.demo import load_demo_if_empty
from store.importer import ImportFailed, ImportReport, ImportSources, run_import
from store.importer.progress import Quiet, for_terminal
from store.importer.summary import summary_lines
from store.migrate import upgrade
from store.models import Campaign, Contact, Event

PROMPT = "tailor> "

HELP = """\
Ask for a segment in plain words, for example:
  lapsed customers in Germany who bought golf gear
  people who opened the last 3 emails but never bought
Commands:
  save NAME: PHRASE
                  save a segment under a name, usable in later phrases ("NAME in Berlin")
  saved           the saved segments
  import --contacts FILE [--events FILE] [--campaigns FILE]
                  import CSV files; importing a file again updates it, never duplicates
  help            this list
  quit, exit      leave (Ctrl-D too)"""


class CommandError(Exception):
    """A command line that does not parse; the message says why."""


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CommandError(message)


def run_console(settings: Settings, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the console until `quit`, `exit` or end of input; the exit code (0)."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    engine = create_store_engine(settings.database_url)
    try:
        console = Console(engine, settings, stdout)
        console.start()
        console.read(stdin)
    finally:
        engine.dispose()
    return 0


class Console:
    """One console session: the store it works on, and where it writes its answers."""

    def __init__(self, engine: Engine, settings: Settings, stdout: TextIO) -> None:
        self.engine, self.settings, self.stdout = engine, settings, stdout
        self.segments = SegmentService(engine, zone=settings.zone, min_test_size=settings.min_test_size)

    def say(self, *parts: object, end: str = "\n", flush: bool = False) -> None:
        print(*parts, end=end, file=self.stdout, flush=flush)

    def start(self) -> None:
        """Prepare the store, load the demo data if asked, and greet."""
        upgrade(self.engine)
        if self.settings.demo_data:
            started = time.monotonic()
            as_of = datetime.now(UTC).replace(microsecond=0)
            report = load_demo_if_empty(self.engine, as_of=as_of, zone=self.settings.zone)
            if report is not None:
                self.say(demo_line(report, time.monotonic() - started))
        self.say("Welcome to Tailor, the assistant for email marketers.")
        self.say("Ask for a segment in plain words; import your contacts, events and campaigns from CSV.")
        self.say("Slack, reports, previews and sends are coming.")
        self.say(self.store_line())
        self.say("Type `help` for the commands, `quit` to leave.")

    def read(self, stdin: TextIO) -> None:
        """Answer line after line until `quit`, `exit` or the end of input (Ctrl-D, Ctrl-C)."""
        interactive = stdin.isatty()
        while True:
            if interactive:
                self.say(PROMPT, end="", flush=True)
            try:
                line = stdin.readline()
            except KeyboardInterrupt:
                line = ""
            if not line:
                if interactive:
                    self.say()
                return
            if not self.handle(line.strip()):
                return

    def store_line(self) -> str:
        contacts, events, campaigns = self.counts()
        counted = f"{_n(contacts, 'contact')}, {_n(events, 'event')} and {_n(campaigns, 'campaign')}"
        return f"The store holds {counted}."

    def counts(self) -> tuple[int, int, int]:
        with self.engine.connect() as conn:
            contacts, events, campaigns = (
                conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (Contact, Event, Campaign)
            )
        return contacts, events, campaigns

    def handle(self, line: str) -> bool:
        """Answer one line; False when the console should end."""
        word = line.split(maxsplit=1)[0].lower() if line else ""
        if word in ("quit", "exit"):
            return False
        if word == "help":
            self.say(HELP)
        elif word == "import":
            self.import_files(line)
        elif word == "save":
            self.save(line.split(maxsplit=1)[1] if " " in line else "")
        elif word == "saved" and line.lower() == "saved":
            for info in self.segments.saved.list():
                self.say(f"  {info.name:<24} {info.text}")
        elif word:
            answer = self.segments.answer(line, datetime.now(UTC))
            self.say("\n".join(text_lines(answer)))
        return True

    def save(self, rest: str) -> None:
        name, _, phrase = rest.partition(":")
        if not name.strip() or not phrase.strip():
            self.say(
                "save: write `save NAME: PHRASE`, e.g. `save golf-lapsed: lapsed customers who bought golf`"
            )
            return
        try:
            answer = self.segments.save(name.strip(), phrase.strip(), datetime.now(UTC))
        except SavedError as error:
            self.say(f"save: {error}")
            return
        self.say("\n".join(text_lines(answer)))
        if isinstance(answer, Answer):
            self.say(f"Saved as {name.strip()!r}.")

    def import_files(self, line: str) -> None:
        try:
            sources = parse_import(line)
        except CommandError as exc:
            self.say(f"import: {exc}. Usage: import --contacts FILE [--events FILE] [--campaigns FILE]")
            return
        progress = for_terminal() if self.stdout.isatty() else Quiet()
        try:
            report = run_import(self.engine, sources, zone=self.settings.zone, progress=progress)
        except ImportFailed as exc:
            self.say(f"import failed, nothing loaded: {exc}")
            return
        for summary in summary_lines(report):
            self.say(summary)
        self.segments.refresh()  # new cities, categories and campaigns become words
        self.say(self.store_line())


def parse_import(line: str) -> ImportSources:
    """The files of an `import --contacts F [--events F] [--campaigns F]` line."""
    parser = _ArgumentParser(prog="import", add_help=False)
    for kind in ("contacts", "events", "campaigns"):
        parser.add_argument(f"--{kind}", type=_path, metavar="FILE")
    try:
        words = shlex.split(line)[1:]
    except ValueError as exc:  # an unclosed quote
        raise CommandError(str(exc).lower()) from None
    args = parser.parse_args(words)
    return ImportSources(contacts=args.contacts, events=args.events, campaigns=args.campaigns)


def demo_line(report: ImportReport, seconds: float) -> str:
    """'Loaded the demo data: 3,000 contacts, 41,977 events and 8 campaigns (2.1 s).'"""
    loaded = {f.kind: f.loaded for f in report.files}
    contacts, events, campaigns = (loaded.get(kind, 0) for kind in ("contacts", "events", "campaigns"))
    counted = f"{_n(contacts, 'contact')}, {_n(events, 'event')} and {_n(campaigns, 'campaign')}"
    return f"Loaded the demo data: {counted} ({seconds:.1f} s)."


def _n(count: int, noun: str) -> str:
    """'1 contact', '3,000 contacts'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _path(text: str) -> Path:
    return Path(text).expanduser()
