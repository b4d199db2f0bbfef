"""Tailor's command line: `python app.py [start|import|...]`.

A thin edge: it parses arguments, builds settings, calls one service and prints its answer.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError

from settings import SettingsError, load_settings, masked


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings({"database_url": "--db"}, database_url=getattr(args, "db", None))
    except SettingsError as exc:
        print(f"tailor: {exc}", file=sys.stderr)
        return 2
    try:
        return args.command(args, settings)
    except BrokenPipeError:  # "| head" has read enough: stop quietly, as other commands do
        sys.stderr.close()
        return 0
    except OperationalError as exc:  # the store cannot be opened: a folder, a server, a password
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(
            f"tailor: could not open the store at {masked(settings.database_url)}: {reason}", file=sys.stderr
        )
        return 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="app.py",
        description="Tailor: segments in plain words, and how campaigns did with them, for email marketers.",
    )
    commands = root.add_subparsers(title="commands", metavar="COMMAND")
    root.set_defaults(command=start)

    run = commands.add_parser(
        "start", help="start Tailor: the Slack app when its tokens are set, else the console"
    )
    _db_option(run)
    run.set_defaults(command=start)

    load = commands.add_parser(
        "import",
        help="import contacts, events and campaigns from CSV files",
        description="Load CSV files (UTF-8, a header row; README's 'Importing your data' lists the "
        "columns) into the store. Contacts and campaigns already there are updated by their id, "
        "an event already stored is kept once; a bad row is reported with its line and the rest are loaded.",
    )
    load.add_argument(
        "--contacts",
        type=Path,
        metavar="FILE",
        help="email required; id, consent, any other column a property",
    )
    load.add_argument(
        "--events",
        type=Path,
        metavar="FILE",
        help="contact_id, type, occurred_at; campaign_id, amount, category...",
    )
    load.add_argument("--campaigns", type=Path, metavar="FILE", help="id, name, subject, sent_at")
    _db_option(load)
    load.set_defaults(command=import_files)

    ask = commands.add_parser("segment", help="read segment phrases and count their members")
    phrases = ask.add_mutually_exclusive_group(required=True)
    phrases.add_argument("text", nargs="?", help='a phrase, e.g. "lapsed customers in Germany"')
    phrases.add_argument(
        "--batch",
        type=_phrase_file,
        metavar="FILE",
        help="a UTF-8 file of phrases, one per line; blank lines and lines starting with # are skipped",
    )
    ask.add_argument(
        "--as-of", type=_moment, metavar="ISO", help="now, for time windows (default: the clock)"
    )
    ask.add_argument("--json", action="store_true", help="one JSON object per phrase per line")
    ask.add_argument("--members", action="store_true", help="list the members' ids")
    _db_option(ask)
    ask.set_defaults(command=segment)

    report = commands.add_parser("report", help="a segment's performance over campaigns, with intervals")
    report.add_argument("text", help='a segment, e.g. "lapsed customers"')
    report.add_argument("--campaign", metavar="NAME", help="campaigns whose name contains NAME")
    report.add_argument("--since", type=_day, metavar="DATE", help="campaigns sent on or after DATE")
    report.add_argument("--until", type=_day, metavar="DATE", help="campaigns sent on or before DATE")
    report.add_argument("--by", choices=["week", "month"], help="a trend, week by week or month by month")
    report.add_argument(
        "--compare", action="append", default=[], metavar="SEGMENT", help="another segment (repeatable)"
    )
    report.add_argument("--as-of", type=_moment, metavar="ISO", help="now, for the segment's time windows")
    report.add_argument("--json", action="store_true", help="one JSON object")
    report.add_argument(
        "--chart",
        type=_chart_file,
        metavar="FILE",
        help="write the chart to FILE (.png, .jpg, .svg, .pdf), or to a folder FILE under the report's name",
    )
    _db_option(report)
    report.set_defaults(command=report_command)

    saved = commands.add_parser("saved", help="save, list, show and delete named segments")
    saved.add_argument("action", choices=["save", "list", "show", "delete"])
    saved.add_argument("name", nargs="?")
    saved.add_argument("text", nargs="?", help="the phrase to save (with `save`)")
    saved.add_argument("--json", action="store_true", help="show: the definition and its reading as JSON")
    saved.add_argument("--replace", action="store_true", help="save: overwrite a segment saved under NAME")
    saved.add_argument("--yes", action="store_true", help="delete: without asking")
    _db_option(saved)
    saved.set_defaults(command=saved_segments)

    templates = commands.add_parser("templates", help="import and list email templates")
    actions = templates.add_subparsers(title="actions", metavar="ACTION", required=True)
    bring = actions.add_parser(
        "import",
        help="import every DIR/NAME.html as template NAME",
        description="Each file is template NAME (its file name without .html): new content is a new "
        "version, the same content again changes nothing. A template that does not compile is refused "
        "with its line in the file, and the others still import.",
    )
    bring.add_argument("directory", type=Path, metavar="DIR")
    bring.add_argument("--json", action="store_true", help="one JSON object per template per line")
    _db_option(bring)
    bring.set_defaults(command=templates_import)
    shelf = actions.add_parser("list", help="the templates and their latest versions")
    shelf.add_argument("--json", action="store_true", help="one JSON object per template per line")
    _db_option(shelf)
    shelf.set_defaults(command=templates_list)

    look = commands.add_parser(
        "preview",
        help="a template rendered for a segment: the whole-segment check and samples that cover its edges",
    )
    look.add_argument("template", metavar="TEMPLATE", help="a template's name (python app.py templates list)")
    look.add_argument("text", metavar="PHRASE", help='the segment, e.g. "lapsed custs in DE"')
    look.add_argument("--samples", type=_count, default=5, metavar="N", help="samples to show (default 5)")
    look.add_argument(
        "--contact", metavar="ID", help="instead, the email of this member (a contact id: c00012)"
    )
    look.add_argument("--as-of", type=_moment, metavar="ISO", help="now, for windows and the email's date")
    look.add_argument("--out", type=Path, metavar="DIR", help="write each sample as ID.eml, ID.html, ID.png")
    look.add_argument("--json", action="store_true", help="one JSON object per sample per line")
    _db_option(look)
    look.set_defaults(command=preview)
    _campaign_parser(commands)
    work = commands.add_parser(
        "worker",
        help="run the scheduler and the sender alone, until stopped (SIGTERM or Ctrl-C)",
        description="Sends scheduled campaigns over TAILOR_SMTP_URL. One process per store runs "
        "jobs at a time (a lease in the store); a second waits and takes over when the first dies.",
    )
    _db_option(work)
    work.set_defaults(command=worker)
    return root


def _campaign_parser(commands) -> None:
    campaign = commands.add_parser(
        "campaign",
        help="draft, approve, reject, show and list campaigns",
        description="Campaigns Tailor sends: drafted for a segment with a template, approved by an "
        "approver (TAILOR_APPROVERS) other than who drafted it. USER is a Slack user id.",
    )
    actions = campaign.add_subparsers(title="actions", metavar="ACTION", required=True)

    def action(name: str, help: str, *, by: bool = True, one: bool = True, json: bool = True):
        command = actions.add_parser(name, help=help)
        if one:
            command.add_argument("id", type=int, metavar="ID")
        if by:
            command.add_argument("--by", required=True, metavar="USER", help="who acts (a Slack user id)")
        if json:
            command.add_argument("--json", action="store_true", help="the campaign as one JSON object")
        _db_option(command)
        command.set_defaults(command=campaign_command, action=name)
        return command

    draft = action("draft", "a new campaign, awaiting approval, with its check and samples", one=False)
    draft.add_argument("name", metavar="NAME")
    draft.add_argument("--segment", required=True, metavar="PHRASE", help='e.g. "lapsed custs in DE"')
    draft.add_argument("--template", required=True, metavar="TEMPLATE")
    draft.add_argument(
        "--subject", metavar="S", help="the campaign's own subject (Jinja2), not the template's"
    )
    draft.add_argument("--out", type=Path, metavar="DIR", help="write each sample as ID.eml, ID.html, ID.png")
    for name, help in (("approve", "approve a campaign"), ("reject", "reject a campaign")):
        action(name, help).add_argument("--comment", metavar="C")
    action("changes", "send a campaign back with what to change").add_argument(
        "--comment", required=True, metavar="C"
    )
    action("cancel", "cancel a campaign before it is sent").add_argument("--comment", metavar="C")
    change = action("change", "a new segment, template (version) or subject: approval starts again")
    change.add_argument("--segment", metavar="PHRASE")
    change.add_argument("--template", metavar="TEMPLATE")
    change.add_argument(
        "--version", type=int, metavar="N", help="the template's version (default: its latest)"
    )
    change.add_argument("--subject", metavar="S", help="the campaign's own subject (\"\" for the template's)")
    schedule = action("schedule", "send an approved campaign at a time, now, or at each recipient's own time")
    when = schedule.add_mutually_exclusive_group(required=True)
    when.add_argument(
        "--at", type=_iso, metavar="ISO", help="e.g. 2026-12-08T09:00 (no offset: TAILOR_TIMEZONE)"
    )
    when.add_argument("--now", action="store_true", help="as soon as the scheduler runs")
    when.add_argument(
        "--local", metavar="HH:MM", help="that time on each recipient's clock (their time zone)"
    )
    action("resend", "send again to the recipients whose message is unknown (an approver's call)")
    action(
        "release", "send a held campaign: to all of today's members, or to the approved ones"
    ).add_argument(
        "--to", required=True, choices=("all", "approved"), help="all: today's members; approved: as approved"
    )
    action("show", "a campaign: its state, counts and audit trail", by=False)
    action("list", "the campaigns Tailor drafted, the newest first", by=False, one=False)


def _moment(value: str) -> datetime:
    moment = _iso(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(value: str) -> datetime:
    """A date and time as given: without an offset, the caller says whose clock it is."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date/time: {value!r}") from None
    _in_years(moment)
    return moment


def _count(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 100:
        raise argparse.ArgumentTypeError(f"not a number of samples from 0 to 100: {value!r}")
    return int(value)


def _day(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date: {value!r}") from None
    return _in_years(day)


def _in_years(day: date) -> date:
    """Dates the windows can count from and to (a day past 9999-12-31 does not exist)."""
    from segments.definition import FIRST_YEAR, LAST_YEAR

    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"{day.isoformat()}: say a date from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def _chart_file(value: str) -> Path:
    """A chart to write, or a folder to write it in: the folder must exist and the extension be one
    Tailor writes, so that the report is not computed for nothing."""
    from reports.chart_files import ChartFileError, chart_format

    path = Path(value)
    if path.is_dir():
        return path
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"no folder {str(path.parent)!r} to write the chart in")
    try:
        chart_format(path)
    except ChartFileError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return path


def _phrase_file(value: str) -> list[str]:
    """The phrases of a --batch file; a file that cannot be read is argparse's one-line error."""
    try:
        data = Path(value).read_bytes()
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise argparse.ArgumentTypeError(f"{value}: line {line} is not UTF-8 text") from None
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {value}: {error.strerror}") from None
    return [text for text in (line.strip() for line in lines) if text and not text.startswith("#")]


def _db_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: TAILOR_DATABASE_URL)")


def import_files(args: argparse.Namespace, settings) -> int:
    from store.db import create_store_engine
    from store.demo import demo_note
    from store.importer import ImportFailed, ImportSources, run_import
    from store.importer.progress import for_terminal

    engine = create_store_engine(settings.database_url)
    sources = ImportSources(contacts=args.contacts, events=args.events, campaigns=args.campaigns)
    if (args.contacts or args.events or args.campaigns) and (note := demo_note(engine)):
        print(f"note: {note}", file=sys.stderr)
    try:
        report = run_import(
            engine, sources, zone=settings.zone, progress=for_terminal(), pricing=settings.pricing()
        )
    except ImportFailed as exc:
        print(f"import failed, nothing loaded: {exc}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    return report.exit_status


def segment(args: argparse.Namespace, settings) -> int:
    from segments.cli import print_answers
    from segments.service import SegmentService
    from store.db import create_store_engine

    service = SegmentService.of(create_store_engine(settings.database_url), settings)
    texts = args.batch if args.batch is not None else [args.text]
    as_of = args.as_of or datetime.now(UTC)
    answers = (service.answer(text, as_of, members=args.members) for text in texts)
    return print_answers(answers, as_json=args.json)


def report_command(args: argparse.Namespace, settings) -> int:
    from reports.cli import chart_file, print_report, selection
    from reports.service import ReportService
    from segments.service import SegmentService
    from store.db import create_store_engine

    segments = SegmentService.of(create_store_engine(settings.database_url), settings)
    service = ReportService(segments, attribution_days=settings.attribution_days)
    if args.since and args.until and args.since > args.until:
        print(f"tailor: --since {args.since} is after --until {args.until}", file=sys.stderr)
        return 2
    chosen = selection(args.campaign, args.since, args.until, settings.zone)
    as_of = args.as_of or datetime.now(UTC)
    phrases = [args.text, *args.compare]
    found = service.compare(phrases, chosen, as_of, by=args.by)
    chart = chart_file(args.chart, phrases, args.campaign, args.since, args.until, args.by)
    return print_report(found, sys.stdout, args.json, chart)


def saved_segments(args: argparse.Namespace, settings) -> int:
    from segments.cli import SavedCommand, run_saved
    from segments.service import SegmentService
    from store.db import create_store_engine

    service = SegmentService.of(create_store_engine(settings.database_url), settings)
    command = SavedCommand(args.action, args.name, args.text, args.json, args.replace, args.yes)
    return run_saved(service, command)


def templates_import(args: argparse.Namespace, settings) -> int:
    from personalization.cli import run_import
    from personalization.filters import filters
    from personalization.templates import Sandbox
    from store.db import create_store_engine

    sandbox = Sandbox(filters=filters(settings.currency))
    return run_import(create_store_engine(settings.database_url), args.directory, sandbox, args.json)


def templates_list(args: argparse.Namespace, settings) -> int:
    from personalization.cli import run_list
    from store.db import create_store_engine

    return run_list(create_store_engine(settings.database_url), args.json)


def preview(args: argparse.Namespace, settings) -> int:
    from personalization.cli import Asked, run_preview
    from personalization.preview import Previewer
    from segments.service import SegmentService
    from store.db import create_store_engine

    engine = create_store_engine(settings.database_url)
    segments = SegmentService.of(engine, settings)
    asked = Asked(
        template=args.template,
        phrase=args.text,
        as_of=args.as_of or datetime.now(UTC),
        samples=args.samples,
        contact=args.contact,
        out=args.out,
        as_json=args.json,
    )
    return run_preview(Previewer(engine, segments, settings.letterhead()), asked)


def campaign_command(args: argparse.Namespace, settings) -> int:
    from campaigns.cli import Asked, run
    from store.db import create_store_engine

    engine = create_store_engine(settings.database_url)
    fields = {name: value for name, value in vars(args).items() if name in Asked.model_fields}
    if getattr(args, "at", None) is not None and args.at.tzinfo is None:  # the workspace's clock
        fields["at"] = args.at.replace(tzinfo=settings.zone)
    return run(_campaigns(settings, engine), Asked(as_json=args.json, **fields))


def worker(args: argparse.Namespace, settings) -> int:
    """The scheduler, the sender, until SIGTERM or Ctrl-C: the messages in flight finish first."""
    import logging
    import signal
    import threading

    from delivery.worker import SendingOff, Worker
    from store.db import create_store_engine
    from store.migrate import upgrade

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = create_store_engine(settings.database_url)
    upgrade(engine)
    try:
        running = Worker.of(settings, engine, _campaigns(settings, engine))
    except SendingOff as exc:
        print(f"tailor worker: {exc}", file=sys.stderr)
        return 2
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    running.start()
    print(f"tailor worker: sending over {masked(settings.smtp_url)}; stop with Ctrl-C", file=sys.stderr)
    stopped.wait()
    print("tailor worker: stopping; the messages in flight finish first", file=sys.stderr)
    running.stop()
    engine.dispose()
    return 0


def _campaigns(settings, engine):
    from bot.services import campaign_service
    from segments.service import SegmentService

    return campaign_service(settings, engine, SegmentService.of(engine, settings))


def start(args: argparse.Namespace, settings) -> int:
    """The Slack app in Socket Mode or HTTP mode, by the tokens set; else the console."""
    try:
        mode = settings.mode
    except SettingsError as exc:
        print(f"tailor: {exc}", file=sys.stderr)
        return 2
    if mode == "console":
        from bot.console import run_console

        return run_console(settings)
    from bot.serve import run_slack

    return run_slack(settings)


if __name__ == "__main__":
    sys.exit(main())
