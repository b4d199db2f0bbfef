"""The console: what `python app.py` runs when no Slack token is set.

It opens the store (loading the demo data into an empty one when `TAILOR_DEMO_DATA` is on),
says what Tailor can do, then reads segment phrases and commands line by line. Answers are the
conversation's Block Kit payloads, the ones Slack gets, drawn for a terminal (`bot/terminal.py`);
their buttons are numbered choices: type the number to pick one. With a pipe on stdin it shows no
prompt, so it can be scripted: `printf 'lapsed customers\\n1\\n' | python app.py`.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from sqlalchemy import Engine, func, select

from bot import blocks
from bot import campaign_blocks as cb
from bot import send_blocks as sb
from bot.campaign_phrases import Misread, ScheduledRequest, ScheduleRequest
from bot.campaign_phrases import parse as parse_campaign_request
from bot.conversation import Reply
from bot.services import build_services
from bot.terminal import Choice, Terminal
from campaigns.cli import audit_lines, campaign_lines, outcome_lines
from campaigns.models import Campaign as TailorCampaign
from campaigns.models import Outcome
from campaigns.service import NoCampaign
from campaigns.states import Refused, State
from delivery.worker import beside, sending_off
from personalization.cli import preview_lines, ready, write_samples
from personalization.demo import install_demo_templates
from personalization.library import list_templates
from personalization.preview import Preview, PreviewError
from personalization.templates import TemplateError
from segments.reading import counted
from segments.saved import SavedInfo
from settings import Settings
from store.db import create_store_engine
from store.demo import demo_note, load_demo_if_empty
from store.importer import ImportFailed, ImportReport, ImportSources, run_import
from store.importer.progress import Quiet, for_terminal
from store.migrate import upgrade
from store.models import Campaign, Contact, Event

PROMPT = "tailor> "
#: Where the console writes reports' charts and previews' files (under the working directory).
CHARTS = Path("tailor-charts")
PREVIEWS = Path("tailor-previews")

#: How to ask, in the console (Slack's help says /tailor, mentions and direct messages).
WAYS_IN = "Type a phrase at the prompt; in Slack, ask with `/tailor <phrase>`, a mention or a direct message."
HELP = """\
Ask for a segment in plain words, for example:
  custs in DE w/ 3+ orders
  ppl who opened the last 3 emails but never bought
Commands:
  how did SEGMENT do on CAMPAIGN, compare SEGMENT and SEGMENT on METRIC, SEGMENT month by month
                  a report, with 95% intervals; its chart is written under tailor-charts/
  1, 2, ...       pick a numbered choice under the last answer (sample, save as, refine, performance)
  save NAME: PHRASE
                  save a segment under a name, usable in later phrases ("NAME in Berlin")
  saved           the saved segments
  templates       the email templates (python app.py templates import DIR adds them)
  preview TEMPLATE: PHRASE
                  the template for the segment: its check, and samples written under tailor-previews/
Campaigns (you act as TAILOR_CONSOLE_USER; add --as USER to act as another user id):
  draft NAME: PHRASE with template TEMPLATE [subject "SUBJECT"]
                  a campaign awaiting approval: its check, and samples written under tailor-previews/
                  e.g. draft Win-back DE: lapsed custs in DE with template winback subject "We miss you"
  approve ID [--as USER] [COMMENT]
                  approve it (an approver in TAILOR_APPROVERS, not whoever drafted or changed it)
  changes ID [--as USER]: COMMENT
                  send it back to whoever drafted it, saying what to change
  reject ID [--as USER] [COMMENT]
                  reject it
  change ID subject "SUBJECT", change ID segment PHRASE, change ID template NAME [version N]
                  a new version: an approval it had is void (subject "" for the template's own)
  schedule ID now | at ISO | local HH:MM [--as USER]
                  send it (approved) now, at a moment, or at a time of day on each recipient's clock;
                  or as in Slack: send 12 now, schedule 12 for fri 9am, send 12 at 9am local
  cancel ID [--as USER] [COMMENT]
                  cancel it before it is sent, or stop it while it is sending
  release ID all|approved [--as USER]
                  send a held campaign: to all of today's members, or to the members as approved
  resend ID [--as USER]
                  send again to the recipients whose message is unknown (an approver's call)
  scheduled       the campaigns scheduled, sending or held, the soonest first
  campaigns       the campaigns drafted here or in Slack, the newest first
  campaign ID     its state, approvals and history (show ID, history ID too)
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
    sender = None
    try:
        console = Console(engine, settings, stdout)
        sender = beside(settings, engine, console.campaigns)  # scheduled sends go out meanwhile
        console.start()
        if sender is None:
            console.say(f"Scheduled campaigns are not sent: {sending_off(settings)}.")
        console.read(stdin)
    finally:
        if sender is not None:
            sender.stop()
        engine.dispose()
    return 0


class Console:
    """One console session: the store it works on, and where it writes its answers."""

    def __init__(self, engine: Engine, settings: Settings, stdout: TextIO) -> None:
        self.engine, self.settings, self.stdout = engine, settings, stdout
        services = build_services(settings, engine)  # what the Slack app stands on, the same
        self.conversation, self.campaigns = services.conversation, services.campaigns
        self.segments = self.conversation.segments
        self.terminal = Terminal(stdout)
        self.choices: list[Choice] = []
        self.stdin: TextIO | None = None

    def say(self, *parts: object, end: str = "\n", flush: bool = False) -> None:
        print(*parts, end=end, file=self.stdout, flush=flush)

    def show(self, message: blocks.Message) -> None:
        """Draw a message; its buttons (if any) become the choices that numbers pick."""
        self.stdout.flush()
        self.choices = self.terminal.show(message) or self.choices
        self.stdout.flush()

    def start(self) -> None:
        """Prepare the store, load the demo data if asked, and greet."""
        upgrade(self.engine)
        if self.settings.demo_data:
            started = time.monotonic()
            as_of = datetime.now(UTC).replace(microsecond=0)
            report = load_demo_if_empty(
                self.engine, as_of=as_of, zone=self.settings.zone, pricing=self.segments.pricing
            )
            if report is not None:
                self.say(demo_line(report, time.monotonic() - started))
            install_demo_templates(self.engine, self.segments.pricing.currency)
        self.say("Welcome to Tailor, the assistant for email marketers.")
        self.say("Ask for a segment in plain words; import your contacts, events and campaigns from CSV.")
        self.say(f"Ask how a segment did on campaigns ('how did VIP do on {self.latest_campaign()}').")
        self.say(self.store_line())
        self.say("Type `help` for the commands, `quit` to leave.")

    def read(self, stdin: TextIO) -> None:
        """Answer line after line until `quit`, `exit` or the end of input (Ctrl-D, Ctrl-C)."""
        interactive = stdin.isatty()
        self.stdin = stdin
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
        return f"The store holds {_holding(contacts, events, campaigns)}."

    def latest_campaign(self) -> str:
        """The name of the store's latest campaign, for an example that works on its data."""
        latest = select(Campaign.name).order_by(Campaign.sent_at.desc().nulls_last(), Campaign.id.desc())
        with self.engine.connect() as conn:
            return conn.execute(latest.limit(1)).scalar() or "the Spring sale"

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
        rest = line.split(maxsplit=1)[1].strip() if " " in line else ""
        if word in ("quit", "exit"):
            return False
        if word == "help":
            self.show(self.conversation.help(WAYS_IN))
            self.say(HELP)
        elif word.isdigit() and line == word:
            self.choose(int(word))
        elif word == "import":
            self.import_files(line)
        elif word == "save":
            self.save(line.split(maxsplit=1)[1] if " " in line else "")
        elif word == "templates" and line.lower() == "templates":
            self.templates()
        elif word == "preview":
            self.preview(line.split(maxsplit=1)[1] if " " in line else "")
        elif word == "draft":
            self.campaign_command(word, rest, self.draft)
        elif word in REVIEWS:
            self.campaign_command(word, rest, self.review)
        elif word in ("release", "resend"):
            self.campaign_command(word, rest, self.after_send)
        elif word == "changes":
            self.campaign_command(word, rest, self.request_changes)
        elif word == "change":
            self.campaign_command(word, rest, self.change)
        elif word in SENDS:
            self.campaign_command(word, rest, self.schedule)
        elif isinstance(parse_campaign_request(line), ScheduledRequest):
            self.list_scheduled()
        elif (word == "campaigns" and not rest) or (word == "campaign" and rest.lower() == "list"):
            self.list_campaigns()
        elif word in ("campaign", "show", "history") and (asked := SHOWN.fullmatch(rest)):
            self.campaign_command(word, asked.group(1), lambda _word, number: self.show_campaign(number))
        elif word == "saved" and line.lower() == "saved":
            for info in self.segments.saved.list():
                self.say(f"  {info.name:<24} {info.text}")
        elif word:
            self.ask(line)
        return True

    def ask(self, phrase: str) -> None:
        self.reply(lambda: self.conversation.respond(phrase), self.conversation.reading(phrase)["text"])

    def reply(self, work: Callable[[], Reply], waiting: str) -> None:
        """Show a reply (with a spinner on a terminal); a report's chart is written to a file."""
        if self.stdout.isatty():
            with self.terminal.console.status(waiting):
                reply = work()
        else:
            reply = work()
        self.show(reply.message)
        if reply.chart is not None:
            CHARTS.mkdir(parents=True, exist_ok=True)
            path = CHARTS / reply.chart.filename
            path.write_bytes(reply.chart.data)
            self.say(f"  chart: {path}")

    def choose(self, number: int) -> None:
        """A numbered choice of the last answer, as its button would do in Slack."""
        if not 1 <= number <= len(self.choices):
            self.say(f"No choice {number} here: pick one of the numbers under the last answer.")
            return
        choice = self.choices[number - 1]
        if choice.action_id == blocks.SAMPLE:
            self.show(self.conversation.sample(choice.value))
        elif choice.action_id == blocks.SAVE:
            name = self.prompt(f"Name for “{choice.value}”: ")
            if name:
                self.save_as(name, choice.value)
        elif choice.action_id == blocks.REFINE:
            self.refine(choice.value)
        elif choice.action_id == blocks.PERFORMANCE:
            self.reply(lambda: self.conversation.performance(choice.value), f"Measuring {choice.value}…")
        else:  # a suggestion or an example: its phrase
            self.ask(choice.value)

    def refine(self, phrase: str) -> None:
        view = self.conversation.refine_view(phrase, {})
        self.terminal.show({"text": "", "blocks": [b for b in view["blocks"] if b["type"] != "input"]})
        edited = self.prompt(f"Phrase (Enter keeps “{phrase}”): ")
        self.ask(edited or phrase)

    def prompt(self, question: str) -> str:
        """One answer from the input: the next line of a pipe, or typed after the question."""
        self.say(question, end="", flush=True)
        line = self.stdin.readline() if self.stdin else ""
        if not self.stdout.isatty():
            self.say(line.strip())
        return line.strip()

    def save(self, rest: str) -> None:
        name, _, phrase = rest.partition(":")
        if not name.strip() or not phrase.strip():
            self.say(
                "save: write `save NAME: PHRASE`, e.g. `save golf-comeback: lapsed customers who bought golf`"
            )
            return
        self.save_as(name.strip(), phrase.strip())

    def save_as(self, name: str, phrase: str) -> None:
        """Save, asking first when the name is taken (the next line of a pipe answers)."""
        result = self.conversation.save(name, phrase)
        if isinstance(result, SavedInfo):
            answer = self.prompt(f"“{result.name}” is already saved as “{result.text}”. Replace it? [y/N] ")
            if answer.lower() not in ("y", "yes"):
                self.say(f"Kept “{result.name}” as it was; save under another name to keep both.")
                return
            result = self.conversation.save(name, phrase, replace=True)
        self.show({"text": "", "blocks": blocks.saved_modal(name, result)["blocks"]})

    def templates(self) -> None:
        with self.engine.connect() as conn:
            shelf = list_templates(conn)
        for info in shelf:
            self.say(f"  {info.name:<20} version {info.version:<3} {info.subject}")
        if not shelf:
            self.say("No templates yet: python app.py templates import DIR")

    def preview(self, rest: str) -> None:
        """`preview TEMPLATE: PHRASE`: the check and samples, the files under tailor-previews/."""
        template, _, phrase = rest.partition(":")
        if not template.strip() or not phrase.strip():
            self.say("preview: write `preview TEMPLATE: PHRASE`, e.g. `preview winback: lapsed custs in DE`")
            return
        try:
            found = self.campaigns.previews.preview(
                template.strip(), phrase.strip(), datetime.now(UTC).replace(microsecond=0)
            )
        except (PreviewError, TemplateError) as error:
            self.say(f"preview: {error}")
            return
        for line in [*preview_lines(found), *write_samples(found, ready(PREVIEWS))]:
            self.say(line)

    # --- campaigns ---------------------------------------------------------------------------

    def campaign_command(self, word: str, rest: str, command: Callable[[str, str], None]) -> None:
        """A campaign command; what the service refuses is said in its words, and the console goes on."""
        try:
            command(word, rest)
        except CommandError as error:
            self.say(f"{word}: {error}")
        except NoCampaign as error:
            self.say(f"✗ {word}: no campaign {error.campaign_id}: `campaigns` lists them")
        except Refused as error:
            self.say(f"✗ {REFUSED.get(word, word + ' refused')}: {_refusal(error)}")
        except (PreviewError, TemplateError) as error:
            self.say(f"✗ {REFUSED.get(word, word + ' refused')}: {error}")
            for suggestion in getattr(error, "suggestions", []):
                self.say(f"  did you mean: {suggestion}")

    def draft(self, word: str, rest: str) -> None:
        """`draft NAME: PHRASE with template TEMPLATE [subject "S"]`: the campaign, its samples' files."""
        by, rest = acting(rest, self.settings.console_user)
        asked = DRAFT.fullmatch(rest)
        if asked is None:
            raise CommandError(f"write `{DRAFT_USAGE}`, e.g. `{DRAFT_EXAMPLE}`")
        subject = asked.group("subject")
        drafted = self.campaigns.draft(
            asked.group("name").strip(),
            asked.group("phrase").strip(),
            asked.group("template"),
            by,
            subject=None if subject is None else unquoted(subject),
        )
        campaign = drafted.campaign
        self.say(f"✓ campaign {campaign.id} {campaign.name!r} drafted by {by}: {self.awaiting(campaign)}")
        self.samples(campaign, drafted.preview)
        self.say(
            f"Next: `approve {campaign.id} --as USER` (an approver other than {by}), "
            f"`changes {campaign.id}: COMMENT` or `reject {campaign.id}`; `campaign {campaign.id}` shows it."
        )

    def samples(self, campaign: TailorCampaign, preview: Preview) -> None:
        """The preview's lines, and its samples' files under tailor-previews/campaign-ID/."""
        for line in preview_lines(preview):
            self.say(line)
        try:
            written = write_samples(preview, ready(PREVIEWS / f"campaign-{campaign.id}"))
        except (PreviewError, OSError) as error:
            written = [f"the samples' files were not written: {error}"]
        for line in written:
            self.say(line)

    def awaiting(self, campaign: TailorCampaign) -> str:
        """'awaiting approval (0 of 1 approvals; U02BOB can approve)', or its state."""
        said = STATE_SAID[campaign.state]
        if campaign.state is not State.AWAITING_APPROVAL:
            return said
        who = self.campaigns.may_approve(campaign)
        if who:
            can = f"{' or '.join(who)} can approve"
        elif self.campaigns.approvers.ids:
            can = "no approver but its author: add one to TAILOR_APPROVERS"
        else:
            can = "nobody can approve yet: set TAILOR_APPROVERS"
        return f"{said} ({len(campaign.approvals)} of {campaign.approvals_required} approvals; {can})"

    def review(self, word: str, rest: str) -> None:
        """`approve ID [--as USER] [COMMENT]`, `reject ...`, `cancel ...`."""
        by, rest = acting(rest, self.settings.console_user)
        number, comment = campaign_id(word, rest)
        act = {
            "approve": self.campaigns.approve,
            "reject": self.campaigns.reject,
            "cancel": self.campaigns.cancel,
        }
        self.outcome(act[word](number, by, comment or None))

    def after_send(self, word: str, rest: str) -> None:
        """`release ID all|approved [--as USER]` (a held campaign), `resend ID [--as USER]` (its unknown)."""
        by, rest = acting(rest, self.settings.console_user)
        number, what = campaign_id(word, rest)
        if word == "resend":
            self.outcome(self.campaigns.resend_unknown(number, by))
        elif what.lower() in ("all", "approved"):
            self.outcome(self.campaigns.release(number, by, what.lower()))
        else:
            raise CommandError(
                "write `release ID all` (today's members) or `release ID approved` (as approved)"
            )

    def outcome(self, outcome: Outcome, *notes: str) -> None:
        """What an action did, as `campaign approve|reject|...` says it, and who can approve next."""
        first, *more = outcome_lines(outcome)
        for line in [f"✓ {first}", *more, *notes]:
            self.say(line)
        if outcome.campaign.state is State.AWAITING_APPROVAL:
            self.say(f"  {self.awaiting(outcome.campaign)}")

    def request_changes(self, word: str, rest: str) -> None:
        """`changes ID [--as USER]: COMMENT`."""
        head, colon, comment = rest.partition(":")
        by, head = acting(head, self.settings.console_user)
        number, extra = campaign_id(word, head)
        if not colon or extra or not comment.strip():
            raise CommandError(f"write `{CHANGES_USAGE}`, e.g. `changes 3: say Germany in the subject`")
        outcome = self.campaigns.request_changes(number, by, comment.strip())
        self.outcome(outcome)
        self.say(
            f"  sent back to {outcome.campaign.drafted_by}: `change {number} ...`, then approve it again"
        )

    def change(self, word: str, rest: str) -> None:
        """`change ID subject "S"`, `change ID segment PHRASE`, `change ID template NAME [version N]`."""
        by, rest = acting(rest, self.settings.console_user)
        number, what = campaign_id(word, rest)
        outcome, preview = self.campaigns.change(number, by, **changed(what))
        void = f"! The approval of campaign {number} is void: it needs approving again."
        self.outcome(outcome, *([void] if outcome.voided else []))
        self.samples(outcome.campaign, preview)

    def schedule(self, word: str, rest: str) -> None:
        """`schedule ID now | at ISO | local HH:MM`, or as Slack reads it: `send 12 tomorrow at 9:00`."""
        by, rest = acting(rest, self.settings.console_user)
        request = parse_campaign_request(f"{word} {rest}")
        if not isinstance(request, ScheduleRequest) or request.campaign_id is None:
            problem = request.problem if isinstance(request, Misread) and request.problem else None
            usage = f"write `{SCHEDULE_USAGE}`, e.g. `schedule 12 tomorrow at 9:00`"
            raise CommandError(f"{problem}; {usage}" if problem else usage)
        when = request.when
        at = when.moment(self.campaigns.clock(), self.settings.zone)
        outcome = self.campaigns.schedule(request.campaign_id, by, at=at, local_time=when.local_time)
        self.outcome(outcome)
        self.say(f"  sends {cb.when(outcome.campaign, self.settings.zone)}")

    def list_scheduled(self) -> None:
        zone = self.settings.zone
        upcoming = [c for c in self.campaigns.list() if c.state in sb.UPCOMING]
        if not upcoming:
            self.say("Nothing is scheduled, sending or held: `schedule ID now | at ISO | local HH:MM`")
        for campaign in sorted(upcoming, key=lambda c: (c.send_at is None, c.send_at or c.updated_at)):
            at = cb.when(campaign, zone) if campaign.state is State.SCHEDULED else ""
            self.say(
                f"  {campaign.id:>4}  {STATE_SAID[campaign.state]:<10}  {campaign.name:<24}"
                f"  {campaign.reachable:,} reachable  {at}".rstrip()
            )

    def list_campaigns(self) -> None:
        found = self.campaigns.list()
        if not found:
            self.say(f"No campaigns drafted yet: `{DRAFT_USAGE}`")
        for campaign in found:
            self.say(
                f"  {campaign.id:>4}  {STATE_SAID[campaign.state]:<18}  {campaign.name:<24}"
                f"  {campaign.template} version {campaign.template_version}"
                f"  {campaign.reachable:,} reachable"
                f"  {len(campaign.approvals)}/{campaign.approvals_required} approvals"
                f"  drafted by {campaign.drafted_by}"
            )

    def show_campaign(self, number: str) -> None:
        """Its state, approvals and history, as `campaign show` prints them."""
        campaign = self.campaigns.show(int(number))
        for line in campaign_lines(campaign):
            self.say(line)
        if campaign.approvals:
            self.say(f"  approved by {', '.join(campaign.approvals)}")
        if campaign.state is State.AWAITING_APPROVAL:
            self.say(f"  {self.awaiting(campaign)}")
        for line in ["history:", *(f"  {line}" for line in audit_lines(campaign.audit))]:
            self.say(line)

    def import_files(self, line: str) -> None:
        try:
            sources = parse_import(line)
        except CommandError as exc:
            self.say(f"import: {exc}. Usage: import --contacts FILE [--events FILE] [--campaigns FILE]")
            return
        if note := demo_note(self.engine):
            self.say(note)
        progress = for_terminal() if self.stdout.isatty() else Quiet()
        try:
            report = run_import(
                self.engine,
                sources,
                zone=self.settings.zone,
                progress=progress,
                pricing=self.segments.pricing,
            )
        except ImportFailed as exc:
            self.say(f"import failed, nothing loaded: {exc}")
            return
        for line in report.lines():
            self.say(line)
        self.segments.refresh()  # new cities, categories and campaigns become words
        self.say(self.store_line())


#: Usage of the campaign commands, for the messages that say how to write them.
DRAFT_USAGE = 'draft NAME: PHRASE with template TEMPLATE [subject "SUBJECT"]'
DRAFT_EXAMPLE = "draft Win-back DE: lapsed custs in DE with template winback"
CHANGES_USAGE = "changes ID [--as USER]: COMMENT"
SCHEDULE_USAGE = "schedule ID now | at ISO | local HH:MM [--as USER]"
#: The words that schedule: `schedule ...`, and as said in Slack, `send ...`, `reschedule ...`.
SENDS = ("schedule", "send", "reschedule")
CHANGE_USAGE = 'change ID subject "SUBJECT" | segment PHRASE | template NAME [version N] | version N'
DRAFT = re.compile(
    r"(?P<name>[^:]+):(?P<phrase>.+?)\s+with\s+template\s+(?P<template>\S+)"
    r"(?:\s+(?:and\s+)?subject\s+(?P<subject>.*?))?\s*",
    re.IGNORECASE | re.DOTALL,
)
#: `campaign ID`, `campaign show ID`, `show ID`, `history ID`
SHOWN = re.compile(r"(?:show\s+)?#?(\d+)", re.IGNORECASE)
REVIEWS = ("approve", "reject", "cancel")
#: What a refused command did not do, said before the service's reason.
REFUSED = {
    "draft": "Not drafted",
    "approve": "Not approved",
    "reject": "Not rejected",
    "cancel": "Not cancelled",
    "release": "Not released",
    "resend": "Not sent again",
    "changes": "No changes requested",
    "change": "Not changed",
    "schedule": "Not scheduled",
    "send": "Not scheduled",
    "reschedule": "Not rescheduled",
}
STATE_SAID = {state: state.value.replace("_", " ") for state in State}


def acting(text: str, default: str) -> tuple[str, str]:
    """Who acts: `--as USER` anywhere in `text`, else `default`; and `text` without it."""
    found = re.search(r"(?:^|\s)--as(?:=|\s+)([^\s:]+)", text)
    if found is None:
        if re.search(r"(?:^|\s)--as(?:=|\s*)(?:$|:)", text):
            raise CommandError("--as needs a user id, e.g. --as U02BOB")
        return default, text.strip()
    return found.group(1), f"{text[: found.start()]} {text[found.end() :]}".strip()


def campaign_id(word: str, text: str) -> tuple[int, str]:
    """The campaign's number at the start of `text` ("12" or "#12"), and what follows it."""
    found = re.match(r"#?(\d+)(?=\s|:|$)\s*:?\s*", text)
    if found is None:
        usage = {"changes": CHANGES_USAGE, "change": CHANGE_USAGE}.get(
            word, f"{word} ID [--as USER] [COMMENT]"
        )
        raise CommandError(f"write `{usage}`, the ID a number from `campaigns`")
    return int(found.group(1)), text[found.end() :].strip()


def changed(what: str) -> dict[str, Any]:
    """The service's `change` arguments for 'subject "S"', 'segment PHRASE', 'template NAME [version N]'."""
    kind, _, value = what.partition(" ")
    kind, value = kind.lower(), value.strip()
    template = re.fullmatch(r"(\S+)(?:\s+version\s+(\d+))?", value, re.IGNORECASE)
    if kind == "subject" and value:
        return {"subject": unquoted(value)}
    if kind == "segment" and value:
        return {"phrase": value}
    if kind == "template" and template:
        version = template.group(2)
        return {"template": template.group(1), "version": int(version) if version else None}
    if kind == "version" and value.isdigit():
        return {"version": int(value)}
    raise CommandError(f"write `{CHANGE_USAGE}`")


def unquoted(text: str) -> str:
    """'"Wir vermissen dich"' -> 'Wir vermissen dich' (straight or curly quotes, or none)."""
    text = text.strip()
    for left, right in ('""', "''", "“”", "‘’", "„“"):
        if len(text) >= 2 and text[0] == left and text[-1] == right:
            return text[1:-1]
    return text


def _refusal(error: Refused) -> str:
    """The service's reason, with who could do it instead when it names nobody."""
    if error.people and not any(person in error.message for person in error.people):
        return f"{error.message}; ask {' or '.join(error.people)}"
    return error.message


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
    return f"Loaded the demo data: {_holding(contacts, events, campaigns)} ({seconds:.1f} s)."


def _holding(contacts: int, events: int, campaigns: int) -> str:
    """'3,000 contacts, 42,443 events and 1 campaign'."""
    return f"{counted(contacts, 'contact')}, {counted(events, 'event')} and {counted(campaigns, 'campaign')}"


def _path(text: str) -> Path:
    return Path(text).expanduser()
