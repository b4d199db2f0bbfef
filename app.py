"""Tailor's command line: `python app.py [start|import|...]`.

A thin edge: it parses arguments, builds settings, calls one service and prints its answer.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from settings import SettingsError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings(database_url=getattr(args, "db", None))
    except SettingsError as exc:
        print(f"tailor: {exc}", file=sys.stderr)
        return 2
    return args.command(args, settings)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="app.py", description="Tailor: segments, previews and sends for email marketers."
    )
    commands = root.add_subparsers(title="commands", metavar="COMMAND")
    root.set_defaults(command=start)

    run = commands.add_parser("start", help="start Tailor (the console when no Slack token is set)")
    _db_option(run)
    run.set_defaults(command=start)

    load = commands.add_parser("import", help="import contacts, events and campaigns from CSV files")
    load.add_argument("--contacts", type=Path, metavar="FILE")
    load.add_argument("--events", type=Path, metavar="FILE")
    load.add_argument("--campaigns", type=Path, metavar="FILE")
    _db_option(load)
    load.set_defaults(command=import_files)
    return root


def _db_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: TAILOR_DATABASE_URL)")


def import_files(args: argparse.Namespace, settings) -> int:
    from store.db import create_store_engine
    from store.importer import ImportFailed, ImportSources, run_import
    from store.importer.progress import for_terminal
    from store.importer.summary import summary_lines

    engine = create_store_engine(settings.database_url)
    sources = ImportSources(contacts=args.contacts, events=args.events, campaigns=args.campaigns)
    try:
        report = run_import(engine, sources, zone=settings.zone, progress=for_terminal())
    except ImportFailed as exc:
        print(f"import failed, nothing loaded: {exc}", file=sys.stderr)
        return 2
    for line in summary_lines(report):
        print(line)
    return report.exit_status


def start(args: argparse.Namespace, settings) -> int:
    from bot.console import run_console

    return run_console(settings)


if __name__ == "__main__":
    sys.exit(main())
