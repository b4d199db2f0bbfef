"""The conversation: what Tailor answers to what is said, as Block Kit, for Slack and the console.

Listeners and the console parse what came in, call one method here and deliver what it returns;
the segment work itself is the segment service's. Reading a phrase shares no state between calls,
so the answers to many Slack requests are worked out side by side, each on a connection of the
store's pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import blocks
from bot.blocks import Block, Message
from bot.home import home_view, report_examples
from bot.questions import Question
from reports.chart_files import chart_name
from reports.models import Comparison, NoCampaign
from reports.phrases import ReportPhraseError, ReportRequest, parse_request
from reports.selection import Selection
from reports.service import ReportService
from segments.conditions import reading_conditions
from segments.examples import example_phrases
from segments.parser import ParseError
from segments.sample import sample_members
from segments.saved import NameTaken, SavedError, SavedInfo
from segments.service import Answer, Failure, SegmentService
from segments.windows import resolve

HELP_WORDS = frozenset({"", "help", "?", "hi", "hello"})
#: Help's examples are made again after this many seconds (new data, new examples).
EXAMPLES_TTL = 600.0

#: A saved segment's answer, a phrase not understood, the segment a name is taken by, a refusal.
SaveResult = Answer | Failure | SavedInfo | str


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Chart:
    """A report's chart: a PNG to upload beside the message (Slack) or write to a file (console)."""

    data: bytes
    filename: str
    title: str


@dataclass(frozen=True)
class Reply:
    message: Message
    chart: Chart | None = None
    #: What to answer again to share this answer in its channel; None when there is nothing to
    #: share (help, a phrase not understood, a failure).
    asked: Question | None = None


class Conversation:
    def __init__(
        self,
        segments: SegmentService,
        clock: Callable[[], datetime] = utc_now,
        reports: ReportService | None = None,
    ) -> None:
        self.segments, self.clock = segments, clock
        self.reports = reports or ReportService(segments)
        self._examples: tuple[float, list[str]] | None = None

    @staticmethod
    def is_help(text: str) -> bool:
        return text.strip().lower() in HELP_WORDS

    def reading(self, text: str) -> Message:
        """The placeholder shown at once, while `ask(text)` works."""
        return blocks.gathering() if self.is_help(text) else blocks.reading(text.strip())

    def ask(self, text: str) -> Message:
        """Help for an empty phrase or `help`, a report for a report's phrase ("how did X do on Y"),
        else the segment's answer (or what was not understood)."""
        return self.respond(text).message

    def respond(self, text: str) -> Reply:
        """What `ask` answers, with a report's chart."""
        if self.is_help(text):
            return Reply(self.help())
        try:
            request = parse_request(text, self.segments.reads)
        except ReportPhraseError as error:
            return Reply(blocks.failure(Failure(text=text.strip(), error=str(error), suggestions=[])))
        asked = Question(text=text.strip())
        if request is not None:
            return self.report(request, asked)
        found = self.segments.answer(asked.text, self.clock())
        return Reply(blocks.reply(found), asked=asked if isinstance(found, Answer) else None)

    def performance(self, phrase: str) -> Reply:
        """The Performance button: the segment over every campaign."""
        return self.report(ReportRequest(segments=[phrase]), Question(text=phrase, kind="performance"))

    def answer(self, asked: Question) -> Reply:
        """A question answered again (a Share button), the way it was first asked."""
        return self.performance(asked.text) if asked.kind == "performance" else self.respond(asked.text)

    def report(self, request: ReportRequest, asked: Question | None = None) -> Reply:
        """The report a request asks for; a campaign name it offers instead ("did you mean") is
        the phrase asked with that name for the words asked, to run as it is."""
        said = asked.text if asked is not None and asked.kind == "phrase" else ""
        now = self.clock()
        period = resolve(request.period, now, self.segments.zone) if request.period else None
        selection = Selection(name=request.campaign, period=period)
        found = self.reports.compare(request.segments, selection, now, by=request.by)
        if isinstance(found, NoCampaign):
            return Reply(blocks.failure(_with_names(found, said, request.campaign or "")))
        if not isinstance(found, Comparison):
            return Reply(blocks.failure(found))
        return Reply(blocks.report(found, request.measure), _chart(found, request), asked)

    def help(self, ways_in: str = blocks.WAYS_IN) -> Message:
        """What Tailor can do, examples from the data, and `ways_in`: how to ask, where one asks."""
        return blocks.help_message(self.examples(), ways_in)

    def home(self) -> Block:
        """The App Home tab: what Tailor does, examples from the data, the saved segments."""
        examples = self.examples()
        now = self.clock()
        shown = (self.segments.show(info.name, now) for info in self.segments.saved.list())
        saved = [reading for reading in shown if reading is not None]  # unless deleted meanwhile
        return home_view(examples + report_examples(examples, self.segments.reads), saved)

    def examples(self) -> list[str]:
        now = time.monotonic()
        if self._examples is None or now - self._examples[0] > EXAMPLES_TTL:
            self._examples = (now, example_phrases(self.segments, self.clock()))
        return self._examples[1]

    def sample(self, phrase: str) -> Message:
        found = sample_members(self.segments, phrase, self.clock())
        return blocks.sample(found) if not isinstance(found, Failure) else blocks.failure(found)

    def save(self, name: str, phrase: str, by: str | None = None, replace: bool = False) -> SaveResult:
        """The saved segment's answer, what was not understood, the segment already saved under the
        name (unless `replace`: it is then replaced), or why the name cannot be used."""
        try:
            return self.segments.save(name.strip(), phrase, self.clock(), by=by, replace=replace)
        except NameTaken as taken:
            return taken.taken
        except SavedError as error:
            return str(error)

    def conditions(self, phrase: str) -> list[str] | Failure:
        """The conditions of the phrase's reading, one per line."""
        try:
            definition, _notes = self.segments.read(phrase, self.clock())
        except ParseError as error:
            return Failure.of(phrase, error)
        return reading_conditions(
            definition, self.clock(), self.segments.zone, self.segments.pricing.currency
        )

    def refine_view(self, phrase: str, meta: dict) -> Block:
        found = self.conditions(phrase)
        if isinstance(found, Failure):
            return blocks.refine_failed_modal(found, meta)
        return blocks.refine_modal(phrase, found, meta)

    def refusal(self) -> Message:
        return blocks.refusal()


def _chart(found: Comparison, request: ReportRequest) -> Chart:
    """The report's chart, named after what was asked (its period as said: "since March" names
    the same file every day)."""
    from reports.charts import chart  # matplotlib is loaded by the first report, not at start-up

    shown = found if len(found.reports) > 1 else found.reports[0]
    names = " vs ".join(r.segment.text for r in found.reports)
    period = request.period.model_dump_json() if request.period else None
    name = chart_name(request.segments, request.campaign, period, request.by, request.measure)
    return Chart(chart(shown, request.measure), name, f"Performance of {names}")


def _with_names(found: NoCampaign, said: str, asked: str) -> NoCampaign:
    """The failure with each campaign name offered put in the phrase in place of the words asked."""
    at = said.lower().rfind(asked.lower()) if asked else -1
    if at < 0:
        return found.model_copy(update={"suggestions": []})
    phrases = [said[:at] + name + said[at + len(asked) :] for name in found.suggestions]
    return found.model_copy(update={"suggestions": phrases})
