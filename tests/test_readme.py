"""Every example phrase in the README, answered on the demo data: the command lines' segments,
saved segments and reports, the phrases quoted where the README says what Tailor reads, and the
reports asked in the conversation. A phrase the README shows being refused must be refused.

The phrases are read from README.md itself, so an example edited there is tested as it now reads.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from bot.conversation import Conversation
from personalization.demo import install_demo_templates
from personalization.preview import Previewer
from reports.models import Comparison
from reports.selection import Selection
from reports.service import ReportService
from segments.service import Answer, Failure, SegmentService
from settings import load_settings
from store.demo import load_demo_if_empty

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
AS_OF = datetime(2026, 12, 1, 12, tzinfo=UTC)

#: The paragraphs whose quoted phrases are examples of what Tailor reads (by how they begin).
EXAMPLE_PARAGRAPHS = (
    "- **What it understands**",
    "- **Noun phrases join",
    "Marketers write",
    "- a country's two-letter code",
    "- a count without a comparison",
    '- "customers with at most 2 orders"',
    '- "did not open more than 3 emails"',
    "- **A contradiction is refused",
)
#: Quoted there but no phrase of their own: words of the language, and readings Tailor gives back.
NOT_PHRASES = {
    "based in",
    "but not",
    "who are",
    "the last N emails",
    "at most 3 emails opened",
    "read 'custs' as 'customers', 'w/' as 'with'",
    "read 'AT' as 'Austria'",
    "'customers' means contacts with at least one purchase, and the phrase also asks for contacts with no"
    " purchase; no contact is both",
}
#: The examples the README shows being refused or asked about, never answered.
REFUSED = {
    "opened the BF email",
    "customers who never purchased",
    "customers w/o orders",
    "buyers who never bought",
    "custs w/ 0 orders",
    "in DE or IN the last 30 days",
}


def paragraphs() -> list[str]:
    return re.split(r"\n(?=- |\*\*|\n)", README)


def quoted(text: str) -> list[str]:
    """The quoted phrases of `text` of two words or more, each on one line."""
    found = (" ".join(q.split()) for q in re.findall(r'"([^"\n]+(?:\n[^"\n]+)*)"', text))
    return [q for q in found if len(q.split()) > 1 and q not in NOT_PHRASES]


def prose_examples() -> list[str]:
    chosen = [p for p in paragraphs() if p.strip().startswith(EXAMPLE_PARAGRAPHS)]
    assert len(chosen) == len(EXAMPLE_PARAGRAPHS), "a paragraph of examples was renamed: update the test"
    return list(dict.fromkeys(q for p in chosen for q in quoted(p)))


def command_segments() -> list[str]:
    return re.findall(r'app\.py segment "([^"]+)"', README)


def saved_examples() -> list[tuple[str, str]]:
    return re.findall(r'app\.py saved save (\S+) "([^"]+)"', README)


def conversation_examples() -> list[str]:
    [paragraph] = [p for p in paragraphs() if p.strip().startswith("**In the conversation**")]
    return [q for q in quoted(paragraph) if q not in NOT_PHRASES]


def demo(engine: Engine) -> SegmentService:
    load_demo_if_empty(engine, as_of=AS_OF)
    return SegmentService(engine)


def test_every_example_phrase_of_the_readme_is_answered_on_the_demo_data(engine: Engine) -> None:
    service = demo(engine)
    for name, phrase in saved_examples():
        assert isinstance(service.save(name, phrase, AS_OF), Answer), name
    phrases = [*command_segments(), *(p for p in prose_examples() if p not in REFUSED)]
    assert len(phrases) > 35

    unanswered = {}
    for phrase in phrases:
        found = service.answer(phrase, AS_OF)
        if not isinstance(found, Answer) or found.count == 0:
            unanswered[phrase] = found.error if isinstance(found, Failure) else "no members"
    assert unanswered == {}


def test_the_examples_the_readme_shows_refused_are_refused(engine: Engine) -> None:
    service = demo(engine)
    assert set(prose_examples()) >= REFUSED  # still in the README, as it says
    answered = [p for p in REFUSED if not isinstance(service.answer(p, AS_OF), Failure)]
    assert answered == []


def test_the_readme_reports_run_on_the_demo_data(engine: Engine) -> None:
    service = demo(engine)
    conversation = Conversation(service, clock=lambda: AS_OF, reports=ReportService(service))
    asked = conversation_examples()
    compared = re.findall(r"app\.py report (\w+) --compare (\w+)", README)
    assert len(asked) == 3 and compared

    without_chart = [text for text in asked if conversation.respond(text).chart is None]
    assert without_chart == []
    for segment, other in compared:
        reports = ReportService(service).compare([segment, other], Selection(), AS_OF)
        assert isinstance(reports, Comparison) and all(r.metrics.recipients > 0 for r in reports.reports)


def test_the_readme_preview_runs_on_the_demo_data_with_the_demo_templates(engine: Engine) -> None:
    service = demo(engine)
    install_demo_templates(engine, service.pricing.currency)
    previews = Previewer(engine, service, load_settings().letterhead())
    shown = re.findall(r'app\.py preview (\w+) "([^"]+)" --samples (\d+)', README)
    assert shown
    for template, phrase, samples in shown:
        found = previews.preview(template, phrase, AS_OF, samples=int(samples))
        assert found.check.failures == 0 and len(found.samples) == int(samples)
        assert all(sample.why and sample.email.subject for sample in found.samples)
