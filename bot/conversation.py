"""The conversation: what Tailor answers to what is said, as Block Kit, for Slack and the console.

Listeners and the console parse what came in, call one method here and deliver what it returns;
the segment work itself is the segment service's. Calls into the service are taken one at a time
(the parser keeps state between words), so many Slack requests queue here, never in their acks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from bot import blocks
from bot.blocks import Block, Message
from segments.conditions import reading_conditions
from segments.examples import example_phrases
from segments.parser import ParseError
from segments.sample import sample_members
from segments.saved import SavedError
from segments.service import Answer, Failure, SegmentService

HELP_WORDS = frozenset({"", "help", "?", "hi", "hello"})
#: Help's examples are made again after this many seconds (new data, new examples).
EXAMPLES_TTL = 600.0

SaveResult = Answer | Failure | str


def utc_now() -> datetime:
    return datetime.now(UTC)


class Conversation:
    def __init__(self, segments: SegmentService, clock: Callable[[], datetime] = utc_now) -> None:
        self.segments, self.clock = segments, clock
        self._lock = threading.Lock()
        self._examples: tuple[float, list[str]] | None = None

    @staticmethod
    def is_help(text: str) -> bool:
        return text.strip().lower() in HELP_WORDS

    def reading(self, text: str) -> Message:
        """The placeholder shown at once, while `ask(text)` works."""
        return blocks.gathering() if self.is_help(text) else blocks.reading(text.strip())

    def ask(self, text: str) -> Message:
        """Help for an empty phrase or `help`, else the segment's answer (or what was not understood)."""
        if self.is_help(text):
            return self.help()
        with self._lock:
            found = self.segments.answer(text.strip(), self.clock())
        return blocks.reply(found)

    def help(self) -> Message:
        return blocks.help_message(self.examples())

    def examples(self) -> list[str]:
        now = time.monotonic()
        if self._examples is None or now - self._examples[0] > EXAMPLES_TTL:
            with self._lock:
                self._examples = (now, example_phrases(self.segments, self.clock()))
        return self._examples[1]

    def sample(self, phrase: str) -> Message:
        with self._lock:
            found = sample_members(self.segments, phrase, self.clock())
        return blocks.sample(found) if not isinstance(found, Failure) else blocks.failure(found)

    def save(self, name: str, phrase: str, by: str | None = None) -> SaveResult:
        """The saved segment's answer, what was not understood, or why the name cannot be used."""
        try:
            with self._lock:
                return self.segments.save(name.strip(), phrase, self.clock(), by=by)
        except SavedError as error:
            return str(error)

    def conditions(self, phrase: str) -> list[str] | Failure:
        """The conditions of the phrase's reading, one per line."""
        try:
            with self._lock:
                definition, _notes = self.segments.read(phrase)
        except ParseError as error:
            return Failure(text=phrase, error=str(error), suggestions=getattr(error, "suggestions", []))
        return reading_conditions(definition, self.clock(), self.segments.zone)

    def refine_view(self, phrase: str, meta: dict) -> Block:
        found = self.conditions(phrase)
        if isinstance(found, Failure):
            return blocks.refine_failed_modal(found, meta)
        return blocks.refine_modal(phrase, found, meta)

    def refusal(self) -> Message:
        return blocks.refusal()
