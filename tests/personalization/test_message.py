"""The finished email: what a mail client and a text-only reader get, byte for byte repeatable."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage

import pytest

from personalization.message import BOUNDARY, Composer, Email

ADDRESS = "Trailhead Outfitters\n12 Market St\nPortland, OR 97201"
BODY = """<!DOCTYPE html><html><head><style>
h1 { color: #234e52; font-size: 24px; }
.pick { border-top: 1px solid #e2e8f0; }
@media (max-width: 600px) { h1 { font-size: 20px; } }
</style></head><body>
<h1>Hallo Jürgen,</h1>
<p>Dein Trail Runner 3 wartet auf Gesellschaft:</p>
<div class="pick">Running Socks</div>
<p><a href="https://trailhead.example/comeback">Jetzt ansehen</a></p>
</body></html>"""
HEADERS = {
    "Date": "Mon, 07 Dec 2026 09:00:00 +0000",
    "Message-ID": "<preview.winback.2.c0000012@trailhead.example>",
}


@pytest.fixture
def composed() -> Email:
    composer = Composer("Trailhead <news@trailhead.example>", ADDRESS)
    return composer.compose(
        "juergen@example.de",
        "Jürgen, wir vermissen dich",
        "Deine Laufschuhe warten",
        BODY,
        "https://tailor.example/u/abc",
        HEADERS,
    )


def parsed(message: Email) -> EmailMessage:
    found = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(found, EmailMessage)
    return found


def test_the_email_is_multipart_alternative_with_text_first_and_html_preferred(composed: Email) -> None:
    message = parsed(composed)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "Jürgen, wir vermissen dich"
    assert message["To"] == "juergen@example.de"
    assert message["From"] == "Trailhead <news@trailhead.example>"
    assert message["Message-ID"] == HEADERS["Message-ID"]
    assert all(part["Content-Transfer-Encoding"] == "quoted-printable" for part in message.iter_parts())


def test_css_is_inlined_and_media_queries_kept(composed: Email) -> None:
    html = parsed(composed).get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert '<h1 style="color: #234e52;font-size: 24px;">Hallo Jürgen,</h1>' in html
    assert 'class="pick" style="border-top: 1px solid #e2e8f0;"' in html
    assert "@media (max-width: 600px)" in html  # cannot be inlined: stays in <style>


def test_the_preheader_is_hidden_first_in_the_body_and_not_in_the_text(composed: Email) -> None:
    body = composed.html.split("<body>", 1)[1]
    assert body.startswith('<div style="display:none;') and "Deine Laufschuhe warten" in body[:400]
    assert "Deine Laufschuhe warten" not in composed.text
    assert composed.text.startswith("Hallo Jürgen,")


def test_the_footer_has_the_postal_address_and_unsubscribe_link_in_both_parts(composed: Email) -> None:
    assert "Trailhead Outfitters<br>12 Market St<br>Portland, OR 97201" in composed.html
    assert 'href="https://tailor.example/u/abc"' in composed.html
    assert composed.text.endswith("Portland, OR 97201\nUnsubscribe (https://tailor.example/u/abc)\n")
    assert "Jetzt ansehen (https://trailhead.example/comeback)" in composed.text


def test_the_same_inputs_give_the_same_bytes(composed: Email) -> None:
    again = Composer("Trailhead <news@trailhead.example>", ADDRESS).compose(
        "juergen@example.de", "Jürgen, wir vermissen dich", "Deine Laufschuhe warten", BODY,
        "https://tailor.example/u/abc", HEADERS,
    )  # fmt: skip
    assert again.as_bytes() == composed.as_bytes()
    # the one boundary cannot occur in a quoted-printable part, whatever the content says
    tricky = again.model_copy(update={"text": f"--{BOUNDARY}\n", "html": f"<p>--{BOUNDARY}--</p>"})
    parts = list(parsed(tricky).iter_parts())
    assert [part.get_content().replace("\r\n", "\n") for part in parts] == [tricky.text, tricky.html]


def test_a_subject_is_one_line_and_a_header_cannot_be_injected() -> None:
    composer = Composer("news@trailhead.example", ADDRESS)
    email_ = composer.compose("a@example.com", "Hi\nthere ", "", "<p>x</p>", "https://t/u", {})
    assert email_.subject == "Hi there"
    injected = email_.model_copy(update={"to": "a@example.com\r\nBcc: everyone@example.com"})
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        injected.as_bytes()


def test_a_fragment_gets_a_document_and_the_footer() -> None:
    composed = Composer("news@trailhead.example", ADDRESS).compose(
        "a@example.com", "Hi", "Preview", "<p>Just a line</p>", "https://t/u", {}
    )
    assert composed.html.startswith("<!DOCTYPE html><html><head>")
    assert (
        composed.text
        == "Just a line\n\nTrailhead Outfitters\n12 Market St\nPortland, OR 97201\nUnsubscribe (https://t/u)\n"
    )


def test_a_long_html_line_survives_transport(composed: Email) -> None:
    """Inlined HTML is one long line; quoted-printable keeps every line under SMTP's 998 octets."""
    raw = composed.as_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    received = parsed(composed).get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert received.replace("\r\n", "\n").strip() == composed.html.strip()


def test_a_header_given_twice_is_refused(composed: Email) -> None:
    for name in ("subject", "to"):
        doubled = composed.model_copy(update={"headers": {**composed.headers, name: "x@example.com"}})
        with pytest.raises(ValueError, match="at most 1"):
            doubled.as_bytes()


def test_an_emails_bytes_do_not_depend_on_the_emails_before_it(composed: Email) -> None:
    """`<a@example.com>` and `a@example.com` are the same address, folded differently."""
    bracketed = composed.model_copy(update={"to": "<a@example.com>"})
    plain = composed.model_copy(update={"to": "a@example.com"})
    assert b"To: <a@example.com>\r\n" in bracketed.as_bytes()
    assert b"To: a@example.com\r\n" in plain.as_bytes()
    assert b"To: <a@example.com>\r\n" in bracketed.as_bytes()


def test_headers_kept_as_given_read_back_parsed_and_long_or_non_ascii_ones_encoded(composed: Email) -> None:
    """Short ASCII headers are written as given; what would change when folded goes through the
    parser: non-ASCII is encoded, a long subject folded, and every header reads back parsed."""
    long_subject = "Your trail runner 3 deserves company: socks, bottles and a headlamp for the dark mornings"
    plain = composed.model_copy(update={"to": "ada@example.com", "subject": long_subject})
    raw = plain.as_bytes()
    assert b"To: ada@example.com\r\n" in raw
    assert b"Subject: Your trail runner 3 deserves company: socks, bottles and a headlamp\r\n for" in raw
    assert plain.message()["To"].addresses[0].addr_spec == "ada@example.com"
    assert parsed(plain)["Subject"] == long_subject
    assert b"Subject: =?utf-8?q?J=C3=BCrgen" in composed.as_bytes()
    assert parsed(composed)["Subject"] == "Jürgen, wir vermissen dich"
