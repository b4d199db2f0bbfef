"""A campaign's emails for its send, batch by batch: each recipient's own, rendered the way a
preview renders them, with the links and headers the sender gives (the unsubscribe link signed
for the recipient, the Message-ID). Delivery asks for them; personalization never sends.

    mailing = Mailing(previewer, "winback", 3, None, "Win-back DE", as_of, unsubscribe, headers)
    for recipient, email in mailing.emails(conn, batch):   # email: an Email, or why it failed
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import Connection

from personalization.context import Contexts
from personalization.message import Email
from personalization.preview import Previewer
from personalization.templates import RenderError
from segments.members import Recipient


class Mailing:
    def __init__(
        self,
        previewer: Previewer,
        template: str,
        version: int,
        subject: str | None,
        campaign: str,
        as_of: datetime,
        unsubscribe_url: Callable[[Recipient], str],
        headers: Callable[[Recipient], Mapping[str, str]],
    ) -> None:
        """PreviewError when the template version is gone or the subject does not compile."""
        self.compiled = previewer.template(template, version, subject)
        segments = previewer.segments
        self.contexts = Contexts(previewer.engine, as_of, segments.pricing, segments.zone)
        self.composer, self.campaign = previewer.composer, campaign
        self.unsubscribe_url, self.headers = unsubscribe_url, headers

    def emails(self, conn: Connection, batch: list[Recipient]) -> list[tuple[Recipient, Email | str]]:
        """Each recipient's email, or why its render failed ("line 4: ..."), in their order."""
        variables = self.contexts.batch(
            conn, batch, campaign=self.campaign, unsubscribe_url=self.unsubscribe_url
        )
        made: list[tuple[Recipient, Email | str]] = []
        for recipient, context in zip(batch, variables, strict=True):
            try:
                rendered = self.compiled.render(context)
            except RenderError as error:
                made.append(
                    (recipient, f"line {error.line}: {error.message}" if error.line else error.message)
                )
                continue
            email = self.composer.of(
                recipient.email, rendered, self.unsubscribe_url(recipient), self.headers(recipient)
            )
            made.append((recipient, email))
        return made
