"""A campaign's send to a real SMTP server on loopback (aiosmtpd), on both databases: a deferral
then an acceptance is one message, a permanent refusal is failed with the server's answer and
suppresses by the bounce rule, and an unsubscribe between approval and send is honoured."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes

from sqlalchemy import Engine, select, update

from campaigns.service import CampaignService
from campaigns.states import State
from delivery.smtp import SMTPSender
from store.models import Contact, Event, LedgerEntry, SuppressedContact
from tests.campaigns.conftest import BOB, NOW
from tests.delivery.conftest import MakeDispatcher
from tests.delivery.sink import Sink

ANNA, JONAS = "anna@example.de", "jonas@example.de"


def smtp(sink: Sink, slept: list[float] | None = None) -> Callable[[], SMTPSender]:
    return lambda: SMTPSender(sink.url, sleep=(slept if slept is not None else []).append)


def test_a_deferral_then_an_acceptance_is_one_message_and_a_refusal_is_failed_and_suppresses(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher, sink_of
) -> None:
    def answer(recipient: str, attempt: int) -> str | None:
        if recipient == ANNA:
            return "451 4.7.1 greylisted, try later" if attempt == 1 else None
        return "550 5.1.1 no such mailbox"

    sink = sink_of(answer)
    with shop.begin() as conn:  # Jonas bounced once before: this is the second, and suppresses
        jonas = conn.scalar(select(Contact.id).where(Contact.external_id == "c02"))
        conn.execute(
            Event.__table__.insert().values(
                contact_id=jonas, type="email_bounced", occurred_at=NOW, fingerprint=7
            )
        )
    service.schedule(approved, by=BOB)
    slept: list[float] = []

    make_dispatcher(smtp(sink, slept), connections=2).run(approved)

    assert [r.recipients for r in sink.received] == [(ANNA,)] and len(slept) == 1
    assert message_from_bytes(sink.received[0].message)["To"] == ANNA
    with shop.connect() as conn:
        rows = dict(conn.execute(select(LedgerEntry.contact_id, LedgerEntry.answer)).all())
        assert rows[jonas] == "550 5.1.1 no such mailbox"
        assert conn.scalar(select(SuppressedContact.contact_id)) == jonas
    counts = service.send_counts(approved)
    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert service.show(approved).state is State.SENT


def test_an_unsubscribe_between_approval_and_send_is_honoured(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher, smtp_sink: Sink
) -> None:
    service.schedule(approved, by=BOB)
    with shop.begin() as conn:  # Jonas unsubscribes (the link in an earlier email) after approval
        conn.execute(update(Contact).where(Contact.external_id == "c02").values(email_consent="unsubscribed"))
        jonas = conn.scalar(select(Contact.id).where(Contact.external_id == "c02"))
        unsubscribed = {
            "contact_id": jonas,
            "type": "email_unsubscribed",
            "occurred_at": NOW,
            "fingerprint": 3,
        }
        conn.execute(Event.__table__.insert().values(**unsubscribed))

    make_dispatcher(smtp(smtp_sink), tolerance=1.0).run(approved)

    assert [r.recipients for r in smtp_sink.received] == [(ANNA,)]
    with shop.connect() as conn:
        skipped = conn.execute(
            select(Contact.external_id, LedgerEntry.reason)
            .join(LedgerEntry, LedgerEntry.contact_id == Contact.id)
            .where(LedgerEntry.state == "skipped")
            .order_by(Contact.external_id)
        ).all()
    # Gisela never was subscribed: a member all the same, skipped, and the reason says so
    assert [tuple(row) for row in skipped] == [
        ("c02", "unsubscribed since approval"),
        ("c03", "not subscribed"),
    ]
