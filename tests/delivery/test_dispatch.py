"""A campaign's send through a function sender, on both databases: each reachable member once,
consent read at the moment of sending, refusals recorded, and the campaign's state moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from sqlalchemy import Engine, select, update

from campaigns.service import CampaignService
from campaigns.states import Refused, State
from campaigns.timing import QuietHours
from delivery.transport import Delivered, Envelope, FunctionSender, TransportError
from store.models import Contact, Event, LedgerEntry, SuppressedContact
from tests.campaigns.conftest import ALICE, BOB, NOW
from tests.delivery.conftest import MakeDispatcher

OK = Delivered(True, 250, "2.0.0 queued")


def recorder(answer=lambda envelope: OK):
    sent: list[Envelope] = []

    def handler(envelope: Envelope) -> Delivered:
        sent.append(envelope)
        return answer(envelope)

    return sent, lambda: FunctionSender(handler)


def test_a_scheduled_campaign_is_sent_once_to_each_reachable_member(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher
) -> None:
    service.schedule(approved, by=BOB)
    sent, senders = recorder()

    progress = make_dispatcher(senders).run(approved)

    assert sorted(e.recipient for e in sent) == ["anna@example.de", "jonas@example.de"]
    message = message_from_bytes(sent[0].message)
    assert message["Message-ID"].startswith(f"<tailor.{approved}.c0")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://tailor.example/unsubscribe/" in message["List-Unsubscribe"]
    assert "mailto:unsubscribe@trailhead.example" in message["List-Unsubscribe"]
    assert sent[0].sender == "news@trailhead.example"
    assert progress is not None and progress.done and progress.counts["sent"] == 2
    campaign = service.show(approved)
    assert campaign.state is State.SENT and campaign.audit[-1].comment.startswith("2 sent, 1 skipped")
    with shop.connect() as conn:
        events = conn.execute(
            select(Event.contact_id, Event.campaign_id).where(Event.type == "email_sent")
        ).all()
    assert len(events) == 2 and {c for _, c in events} == {f"tailor-{approved}"}

    assert make_dispatcher(senders).run(approved) is None  # sent: a second firing sends nothing
    assert len(sent) == 2


def test_an_unsubscribe_after_approval_is_honoured_at_the_moment_of_sending(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher
) -> None:
    service.schedule(approved, by=BOB)

    def unsubscribe_jonas_when_anna_goes(envelope: Envelope) -> Delivered:
        if envelope.recipient == "anna@example.de":
            with shop.begin() as conn:
                conn.execute(
                    update(Contact).where(Contact.external_id == "c02").values(email_consent="unsubscribed")
                )
        return OK

    sent, senders = recorder(unsubscribe_jonas_when_anna_goes)
    make_dispatcher(senders).run(approved)

    assert [e.recipient for e in sent] == ["anna@example.de"]
    counts = service.send_counts(approved)
    assert (counts["sent"], counts["skipped"]) == (1, 2)  # Jonas, and Gisela (never subscribed)


def test_a_permanent_refusal_is_failed_with_the_answer_and_bounces_suppress(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher
) -> None:
    service.schedule(approved, by=BOB)
    refused = Delivered(False, 550, "5.1.1 no such user")
    _, senders = recorder(lambda e: refused if e.recipient.startswith("jonas") else OK)
    with shop.begin() as conn:  # a bounce before: this one is the second
        jonas = conn.scalar(select(Contact.id).where(Contact.external_id == "c02"))
        conn.execute(
            Event.__table__.insert().values(
                contact_id=jonas, type="email_bounced", occurred_at=NOW, fingerprint=1
            )
        )

    make_dispatcher(senders).run(approved)

    counts = service.send_counts(approved)
    assert (counts["sent"], counts["failed"]) == (1, 1)
    with shop.connect() as conn:
        assert conn.scalar(select(SuppressedContact.contact_id)) == jonas


def test_a_send_held_when_the_reachable_count_moved_past_the_tolerance(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher
) -> None:
    service.schedule(approved, by=BOB)
    with shop.begin() as conn:
        conn.execute(update(Contact).where(Contact.external_id == "c02").values(email_consent="unsubscribed"))
    sent, senders = recorder()

    progress = make_dispatcher(senders).run(approved)

    assert progress is not None and progress.held and sent == []
    held = service.show(approved)
    assert held.state is State.HELD and held.audit[-1].comment == "shrank 2 -> 1 since approval"
    service.release(approved, by=BOB, audience="all")
    make_dispatcher(senders).run(approved)
    assert [e.recipient for e in sent] == ["anna@example.de"]
    assert service.show(approved).state is State.SENT


def test_at_9_in_each_recipients_time_zone_each_gets_it_at_their_own_9(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher
) -> None:
    zones = {"c01": "Europe/Berlin", "c02": "America/New_York"}  # Gisela (c03): the workspace's, UTC
    with shop.begin() as conn:
        for contact, zone in zones.items():
            conn.execute(update(Contact).where(Contact.external_id == contact).values(timezone=zone))
    scheduled = service.schedule(approved, by=BOB, local_time="9:00").campaign
    first = datetime(2026, 12, 7, 14, tzinfo=UTC)  # 9:00 in New York, the first to come
    assert scheduled.send_at == first and scheduled.local_time == "09:00"
    sent, senders = recorder()

    make_dispatcher(senders, clock=lambda: first).run(approved)
    assert [e.recipient for e in sent] == ["jonas@example.de"]
    berlin = datetime(2026, 12, 8, 8, tzinfo=UTC)  # 9:00 in Berlin
    assert service.show(approved).send_at == berlin and service.show(approved).state is State.SENDING

    make_dispatcher(senders, clock=lambda: berlin).run(approved)
    assert [e.recipient for e in sent] == ["jonas@example.de", "anna@example.de"]
    utc = datetime(2026, 12, 8, 9, tzinfo=UTC)  # Gisela's: not subscribed, skipped, and the send ends
    make_dispatcher(senders, clock=lambda: utc).run(approved)
    assert len(sent) == 2 and service.show(approved).state is State.SENT


def test_quiet_hours_hold_a_message_until_they_end_on_the_recipients_clock(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher
) -> None:
    with shop.begin() as conn:
        conn.execute(update(Contact).where(Contact.external_id == "c01").values(timezone="Europe/Berlin"))
    service.schedule(approved, by=BOB)
    late = datetime(2026, 12, 7, 21, 30, tzinfo=UTC)  # 22:30 in Berlin, 21:30 for Jonas (UTC)
    sent, senders = recorder()

    make_dispatcher(senders, clock=lambda: late, quiet=QuietHours.parse("22:00-08:00")).run(approved)

    assert [e.recipient for e in sent] == ["jonas@example.de"]
    assert service.show(approved).send_at == datetime(2026, 12, 8, 7, tzinfo=UTC)  # 8:00 in Berlin


def test_the_unknown_are_sent_again_only_when_an_approver_asks(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher
) -> None:
    service.schedule(approved, by=BOB)
    sent, senders = recorder()
    make_dispatcher(senders).run(approved)
    with shop.begin() as conn:  # as a crash leaves it: handed over, no answer written
        anna = conn.scalar(select(Contact.id).where(Contact.external_id == "c01"))
        conn.execute(update(LedgerEntry).where(LedgerEntry.contact_id == anna).values(state="unknown"))
    make_dispatcher(senders).run(approved)
    assert len(sent) == 2  # a firing sends nobody again by itself

    with pytest.raises(Refused, match="U01ALICE is not an approver"):
        service.resend_unknown(approved, by=ALICE)
    service.resend_unknown(approved, by=BOB)
    make_dispatcher(senders).run(approved)

    assert [e.recipient for e in sent][2:] == ["anna@example.de"]
    campaign = service.show(approved)
    assert campaign.state is State.SENT and service.unknown_contacts(approved) == []
    assert [(e.by, e.action.value) for e in campaign.audit][-2:] == [(BOB, "resent"), ("tailor", "finished")]


def test_a_mail_server_out_of_reach_leaves_everyone_queued_and_the_send_tried_again(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher
) -> None:
    service.schedule(approved, by=BOB)

    def refused(envelope: Envelope) -> Delivered:
        raise TransportError("smtp://127.0.0.1:1026 cannot be reached: [Errno 111] Connection refused")

    make_dispatcher(lambda: FunctionSender(refused)).run(approved)

    counts = service.send_counts(approved)
    assert (counts["queued"], counts["sending"], counts["unknown"]) == (3, 0, 0)  # nothing was handed over
    campaign = service.show(approved)
    assert campaign.state is State.SENDING and campaign.send_at == NOW + timedelta(minutes=1)
    sent, senders = recorder()
    make_dispatcher(senders).run(approved)
    assert len(sent) == 2 and service.show(approved).state is State.SENT


def test_a_send_cancelled_while_it_runs_stops_at_the_next_batch(
    shop: Engine, service: CampaignService, approved: int, make_dispatcher: MakeDispatcher
) -> None:
    service.schedule(approved, by=BOB)

    def cancel_on_first(envelope: Envelope) -> Delivered:
        service.cancel(approved, by=BOB, comment="wrong offer")
        return OK

    sent, senders = recorder(cancel_on_first)
    make_dispatcher(senders, batch=1).run(approved)

    assert len(sent) == 1
    assert service.show(approved).state is State.CANCELLED
    assert service.send_counts(approved)["queued"] == 2  # Jonas and Gisela: never claimed


def test_a_change_to_a_scheduled_campaign_unschedules_it_and_says_so(
    service: CampaignService, approved: int
) -> None:
    service.schedule(approved, by=BOB, at=NOW + timedelta(hours=3))
    outcome, _ = service.change(approved, by=ALICE, subject="Wir vermissen dich")
    assert outcome.voided and outcome.campaign.send_at is None
    assert outcome.entry.comment.endswith("it is no longer scheduled: schedule it again once approved")
