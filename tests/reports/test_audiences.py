"""Reports read the campaign pairs that the import keeps in the store, not the events: a fresh
service answers from them, another import or another window rebuilds them, a store imported before
they existed gets them on upgrade, and a rebuild of some contacts equals a rebuild of all."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine, delete, select, text

from reports.models import Report
from reports.selection import Selection
from reports.service import ReportService
from segments.service import SegmentService
from store import audiences
from store.migrate import alembic_config, upgrade
from store.models import CampaignAudience, CampaignPair, Contact, Event
from tests.store.helpers import count, load

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
CONTACTS = [["id", "email"], ["c1", "a@example.com"], ["c2", "b@example.com"]]
CAMPAIGNS = [["id", "name", "sent_at"], ["k1", "Spring", "2026-02-01T09:00:00Z"]]
HEADER = ["contact_id", "type", "occurred_at", "campaign_id", "amount"]
EVENTS = [
    HEADER,
    ["c1", "email_sent", "2026-02-01T09:00:00Z", "k1", ""],
    ["c2", "email_sent", "2026-02-01T09:00:00Z", "k1", ""],
    ["c1", "email_opened", "2026-02-01T10:00:00Z", "k1", ""],
    ["c1", "email_clicked", "2026-02-01T10:01:00Z", "k1", ""],
    ["c1", "purchase", "2026-02-03T10:01:00Z", "", "40"],  # two days after the click
]


def report(service: ReportService) -> Report:
    found = service.report("contacts", Selection(), AS_OF)
    assert isinstance(found, Report), found
    return found


def loaded(engine: Engine, write_csv, events=EVENTS) -> ReportService:
    load(engine, contacts=write_csv("c.csv", CONTACTS), campaigns=write_csv("k.csv", CAMPAIGNS))
    load(engine, events=write_csv("e.csv", events))
    return ReportService(SegmentService(engine))


def stored_pairs(engine: Engine) -> list[tuple]:
    pairs = CampaignPair.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(pairs).order_by(pairs.c.contact_id, pairs.c.campaign_id)).all()
    return [(*row[:3], None if row[3] is None else float(row[3])) for row in rows]


def test_a_report_after_another_import_counts_the_new_events(engine: Engine, write_csv) -> None:
    service = loaded(engine, write_csv, EVENTS[:2])
    before = report(service).metrics
    assert (before.recipients, before.opens, before.conversions) == (1, 0, 0)

    load(engine, events=write_csv("e2.csv", [HEADER, *EVENTS[2:]]))

    after = report(service).metrics
    assert (after.recipients, after.opens, after.clicks, after.conversions) == (2, 1, 1, 1)
    assert after.revenue == 40


def test_a_fresh_service_answers_from_the_pairs_without_reading_the_events(engine, write_csv) -> None:
    expected = report(loaded(engine, write_csv)).metrics
    assert (expected.recipients, expected.clicks, expected.conversions, expected.revenue) == (2, 1, 1, 40)
    with engine.begin() as conn:
        conn.execute(delete(Event))  # what a report would read of the events is gone

    fresh = ReportService(SegmentService(engine))

    assert report(fresh).metrics == expected
    assert count(engine, CampaignPair) == 2


def test_a_store_imported_before_the_pairs_gets_them_on_upgrade(engine, write_csv, caplog) -> None:
    expected = report(loaded(engine, write_csv)).metrics
    expected_pairs = stored_pairs(engine)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")  # the store as an import before the pairs left it
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == len(EVENTS) - 1

    with caplog.at_level(logging.WARNING):
        upgrade(engine)

    assert "building the campaign pairs" in caplog.text  # revision 0010 builds them, converted
    assert stored_pairs(engine) == expected_pairs
    assert report(ReportService(SegmentService(engine))).metrics == expected


def test_another_window_rebuilds_the_pairs_once_and_the_store_keeps_it(engine, write_csv, caplog) -> None:
    five = report(loaded(engine, write_csv)).metrics
    one_day = ReportService(SegmentService(engine), attribution_days=1)

    with caplog.at_level(logging.WARNING, logger="reports.service"):
        first, second = report(one_day), report(one_day)

    assert (five.conversions, first.metrics.conversions, second.metrics.conversions) == (1, 0, 0)
    assert first.attribution_days == 1
    assert caplog.text.count("rebuilding them with 1 days") == 1
    with engine.connect() as conn:
        assert audiences.built_window(conn) == 1
    opened = ["c2", "email_opened", "2026-02-01T11:00:00Z", "k1", ""]
    load(engine, events=write_csv("e2.csv", [HEADER, opened]))
    with engine.connect() as conn:
        assert audiences.built_window(conn) == 1  # the import kept the window


def test_a_rebuild_of_some_contacts_equals_a_rebuild_of_all(engine, write_csv) -> None:
    loaded(engine, write_csv, EVENTS[:2])
    with engine.begin() as conn:
        ids = dict(conn.execute(select(Contact.external_id, Contact.id)).all())
        # Events added as sends and tracking will add them: straight into the table.
        conn.execute(
            Event.__table__.insert(),
            [
                event(ids["c2"], "email_sent", "2026-01-31T09:00:00Z", "k1"),
                event(ids["c2"], "email_clicked", "2026-02-01T10:01:00Z", "k1"),
                event(ids["c2"], "purchase", "2026-02-02T10:01:00Z", None, amount=25),
            ],
        )
        audiences.rebuild(conn, contact_ids=[ids["c2"]])
    partly = stored_pairs(engine)
    with engine.connect() as conn:
        first_sent = conn.execute(select(CampaignAudience.first_sent_at)).scalar_one()
    with engine.begin() as conn:
        audiences.rebuild(conn)

    assert partly == stored_pairs(engine)
    flags = audiences.SENT | audiences.CLICKED | audiences.CONVERTED
    assert [(contact, f, revenue) for contact, _, f, revenue in partly] == [
        (ids["c1"], audiences.SENT, None),
        (ids["c2"], flags, 25.0),
    ]
    assert first_sent == datetime(2026, 1, 31, 9, tzinfo=UTC)  # c2's send came first


def event(contact_id: int, kind: str, at: str, campaign: str | None, amount: int | None = None) -> dict:
    moment = datetime.fromisoformat(at)
    return {"contact_id": contact_id, "type": kind, "occurred_at": moment, "fingerprint": hash((kind, at)),
            "campaign_id": campaign, "amount": amount}  # fmt: skip
