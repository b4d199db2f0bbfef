"""The checks a request to the HTTP endpoint passes before Bolt parses a byte of it.

Bolt parses a body before it verifies the signature, so garbage from anyone reached its parsers
and came back as a 500 with a traceback. `Guard` wraps the WSGI app: a request must be signed by
Slack within its five minutes (else 401), and its body must be what Slack sends, a JSON object or
a form whose `payload` is one, in UTF-8 (else 400). A body of `MAX_BODY` bytes or more is refused by
waitress (its `max_request_body_size`) before it is read.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

#: Slack's requests are a few kilobytes; a large modal's submission stays well below this.
MAX_BODY = 1024 * 1024
#: How old a signed request may be, as Slack's own verification reads it.
STALE_SECONDS = 5 * 60

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Guard:
    def __init__(self, app: WSGIApp, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self.app, self.clock, self.secret = app, clock, signing_secret.encode()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        refused = self.refusal(body, environ)
        if refused is not None:
            status, reason = refused
            log.info("refused a request with %s: %s", status, reason)
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [reason.encode()]
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)

    def signature(self, stamp: str, body: bytes) -> bytes:
        """Slack's signature (v0) of the body's bytes, as they came: slack_sdk's verifier would
        decode them first, and fail on a body that is not UTF-8."""
        digest = hmac.new(self.secret, b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
        return b"v0=" + digest.hexdigest().encode()

    def refusal(self, body: bytes, environ: dict[str, Any]) -> tuple[str, str] | None:
        """(status, reason) when the request must not reach Bolt, else None."""
        if _is_ssl_check(body, environ):
            return None  # Slack's certificate check comes unsigned; Bolt answers it and does nothing
        stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not (stamp.isascii() and stamp.isdigit()) or abs(self.clock() - int(stamp)) > STALE_SECONDS:
            return "401 Unauthorized", "missing, malformed or stale X-Slack-Request-Timestamp"
        if not hmac.compare_digest(self.signature(stamp, body), signature.encode("latin-1")):
            return "401 Unauthorized", "X-Slack-Signature does not match"
        problem = malformed(body, environ.get("CONTENT_TYPE", ""))
        return ("400 Bad Request", problem) if problem else None


def malformed(body: bytes, content_type: str) -> str | None:
    """What is wrong with a body Slack would never send, or None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or text.startswith("{"):  # as Bolt reads it
        return None if _is_object(text) else "the body is not a JSON object"
    if kind != "application/x-www-form-urlencoded":
        return f"unexpected content type {kind or 'none'!r}"
    form = _form(text)
    if form is None:
        return "the body is not a form"
    if "payload" in form and not _is_object(form["payload"]):
        return "the form's payload is not a JSON object"
    return None


def _form(text: str) -> dict[str, str] | None:
    try:
        return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
    except ValueError:
        return None


def _is_ssl_check(body: bytes, environ: dict[str, Any]) -> bool:
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return False
    try:
        form = _form(body.decode("utf-8"))
    except UnicodeDecodeError:
        return False
    return form is not None and form.get("ssl_check") == "1" and "command" not in form


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
