"""Previews: a template rendered for a segment, checked whole, and shown through a few samples.

    previews = Previewer(engine, segments, letterhead)
    preview = previews.preview("winback", "lapsed custs in DE", as_of)   # -> Preview
    preview.check.lines()      # "312 of 4,210 have no first name: they read 'there'"
    preview.samples[0].email   # the Email that member would get, as delivery would send it

The segment is rendered once, member by member, for the check and the choice of samples; then
the chosen few are rendered again as whole emails (CSS inlined, a text part, the message).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, select

from personalization.check import Check, Observed, Tally
from personalization.context import Contexts
from personalization.filters import filters
from personalization.letterhead import Letterhead
from personalization.library import TemplateNotFound, load
from personalization.message import Composer, Email
from personalization.samples import Choice, Chooser
from personalization.templates import CompiledTemplate, Rendered, RenderError, Sandbox, TemplateError
from segments.compiler import CompileError
from segments.definition import Definition
from segments.members import Recipient, recipients
from segments.parser import ParseError
from segments.service import Failure, SegmentService
from store.models import Contact

#: Samples a preview shows unless asked for another number.
SAMPLES = 5
NO_POSTAL_ADDRESS = (
    "TAILOR_POSTAL_ADDRESS is not set: the footer shows a placeholder, and sending will not start without it"
)
#: A preview stops when this many members' renders, the first, have all failed.
GIVE_UP_AFTER = 20
#: `campaign.name` in a preview, which has no campaign yet: shown as what will stand there.
NO_CAMPAIGN = "[the campaign's name]"


class PreviewError(ValueError):
    """What stops a preview, in the marketer's words: an unknown template, a phrase not read."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class Sample(BaseModel):
    contact: str
    why: list[str]
    email: Email

    def as_json(self) -> dict[str, Any]:
        """The object of `preview --json` (campaigns-contract.md)."""
        email = self.email
        return {
            "contact": self.contact,
            "why": self.why,
            "subject": email.subject,
            "preheader": email.preheader,
            "html": email.html,
            "text": email.text,
        }


class Preview(BaseModel):
    template: str
    version: int
    phrase: str
    reading: str
    definition: Definition
    members: int
    reachable: int
    warnings: list[str]
    #: what the workspace's settings leave to say (no postal address yet)
    notes: list[str]
    check: Check
    samples: list[Sample]


class Previewer:
    def __init__(self, engine: Engine, segments: SegmentService, letterhead: Letterhead) -> None:
        self.engine = engine
        self.segments = segments
        self.letterhead = letterhead
        self.sandbox = Sandbox(filters=filters(segments.pricing.currency))
        self.composer = Composer(letterhead.sender, letterhead.postal_address)

    def template(self, name: str, version: int | None = None, subject: str | None = None) -> CompiledTemplate:
        """The stored template, compiled (with `subject` in place of its own); PreviewError for an
        unknown name or version, or a subject that does not compile."""
        with self.engine.connect() as conn:
            try:
                stored = load(conn, name, version)
            except TemplateNotFound as error:
                raise PreviewError(str(error)) from error
        try:
            return self.sandbox.compile(stored.name, stored.content, stored.version, subject=subject)
        except TemplateError as error:
            raise PreviewError(f"the subject: {error.message}" if subject else str(error)) from None

    def preview(
        self,
        template: str,
        phrase: str,
        as_of: datetime,
        samples: int = SAMPLES,
        contact: str | None = None,
        version: int | None = None,
        campaign: str | None = None,
        subject: str | None = None,
        definition: Definition | None = None,
    ) -> Preview:
        """The template for the segment: the whole-segment check and `samples` chosen members'
        emails, or the email of the one member `contact` (its check covers that member alone).
        `campaign`: the name `campaign.name` shows (a placeholder when there is no campaign yet);
        `subject`: in place of the template's; `definition`: the segment `phrase` was read as."""
        compiled = self.template(template, version, subject)
        try:
            if definition is None:
                definition, notes = self.segments.read(phrase, as_of)
            else:  # a campaign's: the phrase, read again today, might say something else
                notes = []
            answer = self.segments.evaluate(phrase, definition, as_of, notes)
        except (ParseError, CompileError) as error:
            failure = Failure.of(phrase, error)
            raise PreviewError(failure.error, failure.suggestions) from None
        contexts = Contexts(self.engine, as_of, self.segments.pricing, self.segments.zone)
        run = Run(self, compiled, contexts, as_of, campaign or NO_CAMPAIGN)
        with self.engine.connect() as conn:
            if contact is None:
                members = self.segments.recipients(definition, as_of)
            else:
                members = iter([self.member(conn, contact, definition, as_of, phrase)])
            tally, chosen = run.survey(conn, members, samples)
            emails = run.emails(conn, [c.contact for c in chosen])
        return Preview(
            template=compiled.name,
            version=compiled.version,
            phrase=phrase,
            reading=answer.explanation,
            definition=definition,
            members=answer.count,
            reachable=answer.reachable,
            warnings=answer.warnings,
            notes=[] if self.letterhead.has_postal_address else [NO_POSTAL_ADDRESS],
            check=tally.check(),
            samples=[Sample(contact=c.contact, why=c.why, email=emails[c.contact]) for c in chosen],
        )

    def member(
        self, conn: Connection, contact: str, definition: Definition, as_of: datetime, phrase: str
    ) -> list[Recipient]:
        """The reachable member `contact` of the segment, as a batch of one."""
        ids = self.segments.member_ids(conn, definition, as_of).subquery()
        chosen = select(Contact.id).join(ids, ids.c.id == Contact.id).where(Contact.external_id == contact)
        found = [r for batch in recipients(conn, chosen) for r in batch]
        if not found:
            raise PreviewError(f"{contact} is not a reachable member of {phrase!r}")
        return found


class Run:
    """One preview's rendering: every member once for the check and the choice, then the chosen
    members' whole emails."""

    def __init__(
        self,
        previewer: Previewer,
        compiled: CompiledTemplate,
        contexts: Contexts,
        as_of: datetime,
        campaign: str = NO_CAMPAIGN,
    ) -> None:
        self.previewer, self.compiled, self.contexts, self.as_of = previewer, compiled, contexts, as_of
        self.letterhead, self.campaign = previewer.letterhead, campaign

    def variables(self, conn: Connection, batch: list[Recipient]) -> list[dict[str, Any]]:
        return self.contexts.batch(
            conn, batch, campaign=self.campaign, unsubscribe_url=self.letterhead.unsubscribe_url
        )

    def survey(
        self, conn: Connection, members: Iterable[list[Recipient]], samples: int
    ) -> tuple[Tally, list[Choice]]:
        tally, chooser = Tally(), Chooser({b.id: b.label for b in self.compiled.branches})
        for batch in members:
            for recipient, context in zip(batch, self.variables(conn, batch), strict=True):
                seen = observe(recipient, context, self.compiled)
                if isinstance(seen, str):
                    tally.fail(recipient.external_id, seen)
                    if tally.failures == tally.recipients == GIVE_UP_AFTER:
                        tally.stopped = True  # a template that fails everyone: say so now, not in minutes
                        return tally, []
                    continue
                tally.add(seen)
                chooser.add(seen)
        return tally, chooser.choose(samples)

    def emails(self, conn: Connection, chosen: list[str]) -> dict[str, Email]:
        """The whole emails of the chosen members, by their ids."""
        ids = select(Contact.id).where(Contact.external_id.in_(chosen))
        made: dict[str, Email] = {}
        for batch in recipients(conn, ids):
            for recipient, context in zip(batch, self.variables(conn, batch), strict=True):
                made[recipient.external_id] = self.email(recipient, self.compiled.render(context))
        return made

    def email(self, recipient: Recipient, rendered: Rendered) -> Email:
        unsubscribe = self.letterhead.unsubscribe_url(recipient)
        return self.previewer.composer.of(recipient.email, rendered, unsubscribe, self.headers(recipient))

    def headers(self, recipient: Recipient) -> dict[str, str]:
        compiled, letterhead = self.compiled, self.letterhead
        return {
            "Date": format_datetime(self.as_of),
            "Message-ID": f"<preview.{compiled.name}.{compiled.version}.{recipient.external_id}"
            f"@{letterhead.domain()}>",
        }


def observe(recipient: Recipient, context: Mapping[str, Any], compiled: CompiledTemplate) -> Observed | str:
    """One member's render seen for the check and the samples, or why it failed."""
    try:
        rendered = compiled.render(context)
    except RenderError as error:  # the template's name is the preview's: the line and the cause
        return f"line {error.line}: {error.message}" if error.line else error.message
    trace = rendered.trace
    shown = [name for name in products(context) if html.escape(name) in rendered.html]
    return Observed(
        contact=recipient.external_id,
        language=context.get("language"),
        purchases="last_purchase" in context,
        fallbacks=dict(trace.fallbacks),
        missing=frozenset(trace.missing),
        branches=frozenset(trace.branches),
        product_length=max(map(len, shown), default=0),
        subject=rendered.subject,
    )


def products(context: Mapping[str, Any]) -> Iterator[str]:
    """The product names a member's variables hold: the last purchase and the recommendations."""
    last: Mapping[str, Any] = context.get("last_purchase") or {}
    if last.get("product"):
        yield str(last["product"])
    for item in context.get("recommendations") or ():
        if item.get("product"):
            yield str(item["product"])
