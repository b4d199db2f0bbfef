"""A rendered email as the recipient gets it: the preheader hidden at the top, the footer with the
postal address and the unsubscribe link at the bottom, CSS inlined (mail clients drop `<style>`),
a plain-text part made from the HTML, all in one `email.message.EmailMessage` that delivery sends
unchanged.

The same inputs give the same bytes: the date and the Message-ID come from what the caller passes,
the MIME boundary is one fixed string, never the clock or a random number.

The text part is made by Resiliparse (Apache-2.0): inscriptis, the usual choice, lays out the same
email at about 1,000 a second on one core, half of what a send of a large segment needs.
"""

from __future__ import annotations

import binascii
import html
import re
from collections.abc import Mapping
from email.generator import BytesGenerator
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.policy import EmailPolicy
from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING, Any

import css_inline
from pydantic import BaseModel, ConfigDict
from resiliparse.extract.html2text import extract_plain_text

if TYPE_CHECKING:
    from personalization.templates import Rendered

#: Hidden text that inboxes show beside the subject; the padding keeps the body's first words out
#: of the preview line when the preheader is short.
PREHEADER = (
    '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;'
    'color:transparent;opacity:0">{text}{padding}</div>'
)
PADDING = "&#847;&zwnj;&nbsp;" * 30
FOOTER = (
    '<div class="tailor-footer" style="margin-top:32px;font-size:12px;line-height:18px;color:#6b7280;'
    'text-align:center">{address}<br><a href="{unsubscribe}" style="color:#6b7280">Unsubscribe</a>'
    "</div>"
)
#: The MIME boundary of every email. Both parts are quoted-printable, where "=" is always followed
#: by two hex digits or a line break, so no part can hold "=_": the boundary is safe without looking
#: at the content, and its header is parsed once per process.
BOUNDARY = "=_tailor_alternative"
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)


class Email(BaseModel):
    """One recipient's email: what a preview shows and what delivery sends."""

    model_config = ConfigDict(frozen=True)

    to: str
    subject: str
    preheader: str
    html: str
    text: str
    #: From, Date, Message-ID and any others delivery adds (List-Unsubscribe...), in order.
    headers: dict[str, str]

    def message(self) -> EmailMessage:
        """The email as multipart/alternative: the text part first, the HTML part preferred. Both
        quoted-printable, so any server takes them and a long line of inlined HTML stays whole."""
        message = EmailMessage(policy=POLICY)
        for name, value in (("To", self.to), ("Subject", self.subject), *self.headers.items()):
            message[name] = value
        message["MIME-Version"] = "1.0"
        message["Content-Type"] = f'multipart/alternative; boundary="{BOUNDARY}"'
        message.set_payload([_text_part("plain", self.text), _text_part("html", self.html)])
        return message

    def as_bytes(self) -> bytes:
        """`message()` as the standard generator writes it: the bytes delivery hands over."""
        buffer = BytesIO()
        _Generator(buffer, mangle_from_=False, policy=POLICY).flatten(self.message())
        return buffer.getvalue()


class Composer:
    """Turns a rendered template (subject, preheader, HTML) into the `Email` one recipient gets."""

    def __init__(self, sender: str, postal_address: str) -> None:
        self.sender = sender
        self.postal_address = postal_address
        self.inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)

    def compose(
        self,
        to: str,
        subject: str,
        preheader: str,
        body: str,
        unsubscribe_url: str,
        headers: Mapping[str, str] | None = None,
    ) -> Email:
        end = footer(self.postal_address, unsubscribe_url)
        return Email(
            to=to,
            subject=one_line(subject),
            preheader=preheader,
            html=self.inliner.inline(frame(body, preheader, end)),
            # from the HTML without the hidden preheader: a text client shows the first line as
            # the preview, and that should be the greeting, not the preheader twice
            text=plain_text(frame(body, "", end)),
            headers={"From": self.sender, **(headers or {})},
        )

    def of(
        self, to: str, rendered: Rendered, unsubscribe_url: str, headers: Mapping[str, str] | None = None
    ) -> Email:
        """The whole email of a rendered template: a preview's and a send's alike."""
        return self.compose(to, rendered.subject, rendered.preheader, rendered.html, unsubscribe_url, headers)


def frame(body: str, preheader: str, footer_html: str) -> str:
    """The body with the hidden preheader first inside `<body>` and the footer last."""
    hidden = PREHEADER.format(text=html.escape(preheader), padding=PADDING) if preheader else ""
    opened = _BODY_OPEN.search(body)
    if opened is None:  # a fragment: give it a document of its own
        head = '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        return f"{head}<body>{hidden}{body}{footer_html}</body></html>"
    start = opened.end()
    closed = _BODY_CLOSE.search(body, start)
    end = closed.start() if closed else len(body)
    return f"{body[:start]}{hidden}{body[start:end]}{footer_html}{body[end:]}"


def footer(postal_address: str, unsubscribe_url: str) -> str:
    lines = "<br>".join(html.escape(line.strip()) for line in postal_address.splitlines() if line.strip())
    return FOOTER.format(address=lines, unsubscribe=html.escape(unsubscribe_url, quote=True))


def plain_text(document: str) -> str:
    """The text part: the HTML's visible words, paragraphs kept, links spelled out after their words."""
    text = extract_plain_text(document, preserve_formatting=True, links=True, list_bullets=True)
    lines = (line.strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def one_line(subject: str) -> str:
    """A subject is one line: a template's line breaks become spaces, runs of spaces one."""
    return " ".join(subject.split())


def _text_part(subtype: str, content: str) -> MIMEPart:
    part = MIMEPart(policy=POLICY)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "quoted-printable"
    part.set_payload(binascii.b2a_qp(content.encode(), istext=True).decode("ascii"))
    return part


class _CachingPolicy(EmailPolicy):
    """The SMTP policy (CRLF), with the parsed and folded forms of headers cached: most headers of
    a send repeat for every recipient (From, the MIME ones), and parsing them is most of the cost
    of building a message with the standard library."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if isinstance(value, str) and name.lower() in LISTS and value.isascii() and value.isprintable():
            return name, value  # written by `fold_binary` below, never encoded
        if isinstance(value, str) and _verbatim(name, value, self.max_line_length):
            # Kept as a source value, the way the standard library keeps the headers of a message
            # it parsed: written as given (this policy refolds only long source values), parsed
            # only when read back. Each recipient's To, Subject and Message-ID are new values,
            # and parsing and refolding them was half the time spent building a message.
            return name, value
        if isinstance(value, str):
            return _parsed(self, name, value)
        return super().header_store_parse(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        # The fold is kept on the header object, which `_parsed` hands out again for the same
        # value: keyed by `str(value)` it was shared by values that parse to the same text but
        # fold differently (`<a@b.c>` and `a@b.c`), so an email's bytes depended on the ones
        # before it. The generator clones the policy for every part, so what folding depends on
        # is compared rather than the policy object.
        if isinstance(value, str) and name.lower() in LISTS:
            # a list of <URIs> that mail clients parse as written (RFC 2369): folded between
            # its items, never turned into encoded words, which clients would not read
            return f"{name}: {value.replace(', ', ',' + self.linesep + ' ')}{self.linesep}".encode("ascii")
        key = (name, self.linesep, self.max_line_length, self.utf8, self.cte_type)
        cached = getattr(value, "_tailor_folded", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        folded = super().fold_binary(name, value)
        if hasattr(value, "__dict__"):  # a header object (a str given as is has no room for it)
            value._tailor_folded = (key, folded)
        return folded


def _verbatim(name: str, value: str, max_line_length: int | None) -> bool:
    """A value that parsing and folding would write unchanged: printable ASCII (no line break,
    nothing to encode), no encoded word to decode, short enough to stay on one line."""
    if name.lower().startswith(READ_BY_THE_GENERATOR):  # parsed once, kept parsed (`_parsed`)
        return False
    fits = max_line_length is None or len(name) + 2 + len(value) <= max_line_length
    return fits and value.isascii() and value.isprintable() and "=?" not in value


#: Headers of angle-bracketed URIs, read by clients as written: folded between items, never encoded.
LISTS = frozenset({"list-unsubscribe", "list-unsubscribe-post", "list-id", "list-help"})
#: Headers the generator reads back while writing: a source value would be parsed at each read.
READ_BY_THE_GENERATOR = ("content-", "mime-version")


@lru_cache(maxsize=8192)
def _parsed(policy: EmailPolicy, name: str, value: str) -> tuple[str, Any]:
    return EmailPolicy.header_store_parse(policy, name, value)  # refuses a line break: no injection


class _Generator(BytesGenerator):
    """The standard generator, writing a part's lines at once: it writes each line and each line
    ending on its own, thousands of writes per message."""

    def _write_lines(self, lines: str) -> None:
        if lines:  # flatten() sets the policy it writes by, and its line ending
            self.write(_LINE_ENDING.sub(self.policy.linesep if self.policy else "\r\n", lines))


_LINE_ENDING = re.compile(r"\r\n|\r|\n")


class _Registry(HeaderRegistry):
    """The standard header registry, making each header class once: the standard one makes a new
    class on every lookup, which is most of the time spent building a message."""

    def __init__(self) -> None:
        super().__init__()
        self.made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self.made:
            self.made[key] = super().__getitem__(name)
        return self.made[key]


POLICY = _CachingPolicy(linesep="\r\n", header_factory=_Registry())
