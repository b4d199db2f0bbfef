"""The HTTP endpoint refuses what Slack would never send before Bolt parses it: unsigned or stale
requests get 401, signed garbage 400, an oversized body 413 before it is read; a replayed signed
request is done once; an event type Tailor does not answer is acknowledged, so Slack does not retry."""

from __future__ import annotations

import json
import logging
import socket
import time
from urllib.parse import urlsplit

import pytest

from bot.guard import MAX_BODY, malformed
from tests.bot import signing
from tests.bot.conftest import Tailor

FORM, JSON = "application/x-www-form-urlencoded", "application/json"
GARBAGE = [
    (b"{not json", JSON),
    (b"[1]", JSON),
    (b'"a string"', JSON),
    (b'{"type": "event_callback"', FORM),  # begins like JSON: Bolt would read it as JSON
    (b"command=%2Ftailor&text=\xff\xfe", FORM),  # not UTF-8
    (b"payload=%5B1%5D", FORM),  # a payload that is a list
    (b"payload=%7Bnot", FORM),
    (b"just some words", FORM),  # no '=': not a form
    (b"<xml/>", "text/xml"),
    (b"\x00\x01\x02", ""),
]


def worked(app: Tailor) -> list:
    """The calls to Slack after start-up's `auth.test`: the work a request caused."""
    return [call for call in app.fake.calls if call.method != "auth.test"]


@pytest.mark.parametrize(("body", "content_type"), GARBAGE)
def test_garbage_gets_401_unsigned_and_400_signed_and_never_a_500(
    tailor, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    app: Tailor = tailor()
    with caplog.at_level(logging.INFO):
        assert app.send(body, content_type, secret="not-the-secret").status == 401
        assert app.send(body, content_type).status == 400
    assert not [r for r in caplog.records if r.exc_info]  # no traceback in the log
    assert worked(app) == [] and not app.slow.started.is_set()


# The superscripts are digits to str.isdigit, not to int().
@pytest.mark.parametrize("stamp", ["soon", "", "1e9", "-5", "12.5", "\u00b2\u00b3"])
def test_a_timestamp_that_is_not_a_number_gets_401(tailor, stamp: str) -> None:
    app: Tailor = tailor()
    body, content_type = signing.form({"command": "/tailor", "text": "lapsed customers"})
    assert app.send(body, content_type, headers={"X-Slack-Request-Timestamp": stamp}).status == 401


def test_a_body_over_the_cap_gets_413_before_it_is_sent(tailor) -> None:
    """The headers alone announce 60 MB: the answer comes without a byte of the body sent."""
    app: Tailor = tailor()
    address = urlsplit(app.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(
            f"POST {address.path} HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
            f"Content-Length: {60 * 1024 * 1024}\r\n\r\n".encode()
        )
        answer = conn.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 413")


def test_a_body_just_under_the_cap_is_read_and_judged(tailor) -> None:
    app: Tailor = tailor()
    body = b"text=" + b"a" * (MAX_BODY - 6)  # one byte under
    assert app.send(body, FORM, secret="wrong").status == 401


def test_a_replayed_signed_command_runs_once(tailor) -> None:
    app: Tailor = tailor()
    fields = {
        "team_id": "T0TEAM", "channel_id": "C1", "user_id": "U1", "command": "/tailor",
        "text": "contacts in Paris", "trigger_id": "trigger-replayed",
        "response_url": app.fake.response_url("replayed"),
    }  # fmt: skip
    body, content_type = signing.form(fields)
    stamp = int(time.time())
    first = app.send(body, content_type, timestamp=stamp)
    again = app.send(body, content_type, timestamp=stamp)  # the same bytes, the same signature
    assert first.status == again.status == 200
    assert "Reading" in first.body and again.body == ""
    app.fake.wait_calls("response")
    time.sleep(0.5)  # time for a second answer, were one coming
    assert len(app.fake.of("response")) == 1


def test_an_event_type_tailor_does_not_answer_is_acknowledged(tailor) -> None:
    app: Tailor = tailor()
    reaction = {"type": "reaction_added", "user": "U1", "reaction": "tada",
                "item": {"type": "message", "channel": "C1", "ts": "1700000001.000100"}}  # fmt: skip
    assert app.event(reaction).status == 200
    assert worked(app) == []


def test_a_url_verification_still_gets_its_challenge(tailor) -> None:
    app: Tailor = tailor()
    body = json.dumps({"type": "url_verification", "challenge": "c-42", "token": "t"}).encode()
    reply = app.send(body, JSON)
    assert reply.status == 200 and "c-42" in reply.body


def test_an_unsigned_ssl_check_is_answered_and_does_nothing(tailor) -> None:
    app: Tailor = tailor()
    body, content_type = signing.form({"ssl_check": "1", "token": "t"})
    assert app.send(body, content_type, secret="unsigned").status == 200
    assert worked(app) == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"type": "event_callback"}', JSON),
        (b"command=%2Ftailor&text=caf%C3%A9", FORM),
        (b"payload=%7B%22type%22%3A%22block_actions%22%7D", FORM),
        (b"", FORM),
    ],
)
def test_what_slack_sends_is_well_formed(body: bytes, content_type: str) -> None:
    assert malformed(body, content_type + "; charset=utf-8") is None
