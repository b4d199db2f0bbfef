"""SMTPSender against a real SMTP server on loopback (tests.delivery.sink)."""

from __future__ import annotations

import email.policy
import re
import smtplib
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from delivery.smtp import Server, SMTPSender, TransportError, UncertainDelivery
from delivery.transport import Delivered, Envelope
from tests.delivery.sink import DROP, Sink, free_port

FROM = "news@trailhead.example"


def envelope(recipient: str, body: str = "Hello.\n") -> Envelope:
    message = EmailMessage()
    message["From"] = f"Trailhead <{FROM}>"
    message["To"] = recipient
    message["Subject"] = "Spring sale"
    message.set_content(body)
    return Envelope(FROM, recipient, message.as_bytes(policy=email.policy.SMTP))


@pytest.fixture
def sender_for() -> Iterator[Callable[..., SMTPSender]]:
    """`sender_for(sink, sleeps=[], backoff=...)`: a sender on the sink, closed after the test; its
    sleeps are recorded in `sleeps`, or fail the test when no list is given."""
    opened: list[SMTPSender] = []

    def open_sender(sink: Sink, *, sleeps: list[float] | None = None, **options: Any) -> SMTPSender:
        record = sleeps.append if sleeps is not None else forbid_sleep
        sender = SMTPSender(sink.url, sleep=record, timeout=5, **options)
        opened.append(sender)
        return sender

    yield open_sender
    for sender in opened:
        sender.close()


def forbid_sleep(seconds: float) -> None:
    raise AssertionError(f"slept {seconds}s where no retry was due")


def test_one_connection_carries_many_messages(smtp_sink: Sink, sender_for):
    sender = sender_for(smtp_sink)
    answers = [sender.send(envelope(f"reader{n}@example.com")) for n in range(50)]
    sender.close()

    assert answers == [Delivered(True, 250, f"2.0.0 OK queued as {n}") for n in range(1, 51)]
    assert smtp_sink.connections == 1
    assert {message.connection for message in smtp_sink.received} == {1}
    assert [message.recipients for message in smtp_sink.received] == [
        (f"reader{n}@example.com",) for n in range(50)
    ]
    assert smtp_sink.quits == 1


def test_the_message_arrives_byte_for_byte(smtp_sink: Sink, sender_for):
    """Lines starting with a dot survive (smtplib stuffs them, the server unstuffs them)."""
    sent = envelope("ada@example.com", body="First line.\n.A line with a dot.\n..\n")
    with_sender = sender_for(smtp_sink)
    with_sender.send(sent)
    with_sender.close()

    [received] = smtp_sink.received
    assert received.message == sent.message
    assert (received.sender, received.recipients) == (FROM, ("ada@example.com",))


def test_a_4xx_is_retried_with_backoff_until_accepted(sink_of, sender_for):
    sink = sink_of(lambda rcpt, attempt: "451 4.7.1 try later" if attempt <= 2 else None)
    sleeps: list[float] = []
    sender = sender_for(sink, sleeps=sleeps, backoff=1.5)

    assert sender.send(envelope("grey@example.com")) == Delivered(True, 250, "2.0.0 OK queued as 1")
    assert sleeps == [1.5, 3.0]
    assert sink.attempts["grey@example.com"] == 3
    assert len(sink.to("grey@example.com")) == 1
    assert sink.connections == 1  # smtplib's RSET after a refusal keeps the connection usable


def test_a_4xx_at_data_is_retried_too(sink_of, sender_for):
    sink = sink_of(lambda rcpt, attempt: "452 4.3.1 queue full" if attempt == 1 else None, at="DATA")
    sleeps: list[float] = []

    delivered = sender_for(sink, sleeps=sleeps).send(envelope("ada@example.com"))

    assert delivered.accepted
    assert sleeps == [1.0]
    assert len(sink.received) == 1


def test_a_4xx_that_persists_is_returned_after_the_retries(sink_of, sender_for):
    sink = sink_of(lambda rcpt, attempt: "451 4.7.1 try later")
    sleeps: list[float] = []

    delivered = sender_for(sink, sleeps=sleeps, retries=3, backoff=0.5).send(envelope("grey@example.com"))

    assert delivered == Delivered(False, 451, "4.7.1 try later")
    assert not delivered.permanent
    assert sleeps == [0.5, 1.0, 2.0]
    assert sink.attempts["grey@example.com"] == 4
    assert sink.received == []


def test_a_5xx_is_returned_at_once_and_the_connection_goes_on(sink_of, sender_for):
    sink = sink_of(lambda rcpt, attempt: "550 5.1.1 no such user" if rcpt.startswith("gone") else None)
    sender = sender_for(sink)  # any sleep would fail the test

    bounced = sender.send(envelope("gone@example.com"))
    after = sender.send(envelope("ada@example.com"))

    assert bounced == Delivered(False, 550, "5.1.1 no such user")
    assert bounced.permanent
    assert sink.attempts["gone@example.com"] == 1
    assert after.accepted
    assert [message.recipients for message in sink.received] == [("ada@example.com",)]
    assert sink.connections == 1


def test_a_421_closes_the_connection_and_the_retry_opens_another(sink_of, sender_for):
    sink = sink_of(lambda rcpt, attempt: "421 4.7.0 too many messages" if attempt == 1 else None)
    sleeps: list[float] = []

    delivered = sender_for(sink, sleeps=sleeps).send(envelope("ada@example.com"))

    assert delivered.accepted
    assert sleeps == [1.0]
    assert sink.connections == 2
    assert [message.connection for message in sink.received] == [2]


def test_a_dropped_connection_is_reopened_and_the_message_sent_once(sink_of, sender_for):
    sink = sink_of(lambda rcpt, attempt: DROP if attempt == 1 else None)
    sender = sender_for(sink)  # a reconnect is no retry: no backoff

    assert sender.send(envelope("ada@example.com")).accepted
    assert sink.attempts["ada@example.com"] == 2
    assert [(m.recipients, m.connection) for m in sink.received] == [(("ada@example.com",), 2)]
    assert sink.connections == 2


def test_a_connection_the_server_closed_while_idle_is_reopened(smtp_sink: Sink, sender_for):
    sender = sender_for(smtp_sink)
    sender.send(envelope("first@example.com"))
    smtp_sink.hang_up()

    assert sender.send(envelope("second@example.com")).accepted
    assert [(m.recipients, m.connection) for m in smtp_sink.received] == [
        (("first@example.com",), 1),
        (("second@example.com",), 2),
    ]


def test_a_server_that_keeps_hanging_up_is_a_transport_error(sink_of, sender_for):
    sink = sink_of(lambda rcpt, attempt: DROP)

    with pytest.raises(TransportError, match="dropped the connection twice"):
        sender_for(sink).send(envelope("ada@example.com"))
    assert sink.attempts["ada@example.com"] == 2
    assert sink.received == []


def test_a_drop_after_the_body_went_out_is_not_retried(sink_of, sender_for):
    """The server may have queued the message before it hung up: sending it again could deliver
    it twice, so the dispatcher hears of it instead."""
    sink = sink_of(lambda rcpt, attempt: DROP, at="DATA")

    with pytest.raises(UncertainDelivery, match=re.escape("ada@example.com")):
        sender_for(sink).send(envelope("ada@example.com"))
    assert sink.attempts["ada@example.com"] == 1


def test_no_server_is_a_transport_error():
    port = free_port("127.0.0.1")
    sender = SMTPSender(f"smtp://127.0.0.1:{port}", timeout=5, sleep=forbid_sleep)

    with pytest.raises(TransportError, match=f"smtp://127.0.0.1:{port}"):
        sender.send(envelope("ada@example.com"))
    sender.close()  # nothing to close: no error either


def test_the_urls_login_is_used(sink_of):
    sink = sink_of(users={"tailor": "s3cr/t"})
    sender = SMTPSender(f"smtp://tailor:s3cr%2Ft@{sink.host}:{sink.port}", timeout=5)

    assert sender.send(envelope("ada@example.com")).accepted
    sender.close()
    assert sink.logins == ["tailor"]


def test_a_refused_login_is_a_transport_error_that_hides_the_password(sink_of):
    sink = sink_of(users={"tailor": "right"})
    sender = SMTPSender(f"smtp://tailor:wrong-password@{sink.host}:{sink.port}", timeout=5)

    with pytest.raises(TransportError, match="refused the session: 535") as raised:
        sender.send(envelope("ada@example.com"))
    assert "wrong-password" not in str(raised.value)
    assert isinstance(raised.value.__cause__, smtplib.SMTPAuthenticationError)
    assert sink.received == []


def test_close_quits_and_may_be_called_again(smtp_sink: Sink, sender_for):
    sender = sender_for(smtp_sink)
    sender.send(envelope("ada@example.com"))
    sender.close()
    sender.close()
    assert smtp_sink.quits == 1


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://localhost:1025", Server("smtp", "localhost", 1025)),
        ("smtp://mail.example.com", Server("smtp", "mail.example.com", 25)),
        ("smtps://u%40x:p%3Aw@mail.example.com", Server("smtps", "mail.example.com", 465, "u@x", "p:w")),
    ],
)
def test_urls(url: str, server: Server):
    assert Server.parse(url) == server
    assert "p:w" not in str(server)
    assert "p:w" not in repr(server)


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "not a url"])
def test_a_url_that_is_not_smtp_is_refused(url: str):
    with pytest.raises(ValueError, match="not an SMTP URL"):
        SMTPSender(url)
