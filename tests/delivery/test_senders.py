"""smtp_senders: the senders a send opens from the settings, one per connection."""

from __future__ import annotations

import email.policy
import threading
import time
from email.message import EmailMessage

import dkim

from delivery.senders import SigningSender, ThrottledSender, smtp_senders
from delivery.smtp import SMTPSender
from delivery.transport import Envelope, Sender
from settings import Settings
from tests.delivery.keys import DOMAIN, SELECTOR, dns_for
from tests.delivery.sink import Sink

FROM = f"news@{DOMAIN}"


def settings(sink: Sink, **values: object) -> Settings:
    """Settings said outright, so no TAILOR_ variable of the shell or `.env` file weighs in."""
    defaults: dict[str, object] = {"dkim_selector": None, "dkim_key_file": None, "smtp_rate": 0}
    return Settings(  # type: ignore[call-arg]
        _env_file=None, smtp_url=sink.url, mail_from=f"Trailhead <{FROM}>", **{**defaults, **values}
    )


def envelope(recipient: str) -> Envelope:
    message = EmailMessage()
    message["From"] = f"Trailhead <{FROM}>"
    message["To"] = recipient
    message["Subject"] = "Spring sale"
    message.set_content("Twenty percent off.\n")
    return Envelope(FROM, recipient, message.as_bytes(policy=email.policy.SMTP))


def test_each_call_opens_a_connection_of_its_own(smtp_sink: Sink):
    open_sender = smtp_senders(settings(smtp_sink))
    first, second = open_sender(), open_sender()
    try:
        assert isinstance(first, SMTPSender)  # nothing to sign, no limit: SMTP as it is
        first.send(envelope("a@example.com"))
        second.send(envelope("b@example.com"))
        first.send(envelope("c@example.com"))
    finally:
        first.close()
        second.close()

    assert smtp_sink.connections == 2
    assert [(m.recipients, m.connection) for m in smtp_sink.received] == [
        (("a@example.com",), 1),
        (("b@example.com",), 2),
        (("c@example.com",), 1),
    ]


def test_messages_are_signed_when_dkim_is_set(smtp_sink: Sink, key_pair):
    key_file, record = key_pair
    open_sender = smtp_senders(settings(smtp_sink, dkim_selector=SELECTOR, dkim_key_file=key_file))
    sender = open_sender()
    try:
        assert isinstance(sender, SigningSender)
        assert sender.send(envelope("ada@example.com")).accepted
    finally:
        sender.close()

    [received] = smtp_sink.received
    assert received.message.startswith(b"DKIM-Signature: ")
    assert dkim.verify(received.message, dnsfunc=dns_for(record))


def test_the_connections_share_one_rate(smtp_sink: Sink):
    open_sender = smtp_senders(settings(smtp_sink, smtp_rate=40))  # 0.025 s apart over all connections
    senders: list[Sender] = [open_sender(), open_sender()]
    assert all(isinstance(sender, ThrottledSender) for sender in senders)

    def send_four(sender: Sender, name: str) -> None:
        for n in range(4):
            sender.send(envelope(f"{name}{n}@example.com"))

    threads = [threading.Thread(target=send_four, args=(s, f"t{i}-")) for i, s in enumerate(senders)]
    began = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        took = time.monotonic() - began
    finally:
        for sender in senders:
            sender.close()

    assert len(smtp_sink.received) == 8
    assert smtp_sink.connections == 2
    # Eight slots, the first at once: seven intervals at least. A limit of each connection's own
    # would let them through in three.
    assert took >= 7 * 0.025
