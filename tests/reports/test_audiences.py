"""Campaign audiences are read once and kept: a report after another import counts its events."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from reports.models import Report
from reports.selection import Selection
from reports.service import ReportService
from segments.service import SegmentService
from tests.store.helpers import load

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
CONTACTS = [["id", "email"], ["c1", "a@example.com"], ["c2", "b@example.com"]]
CAMPAIGNS = [["id", "name", "sent_at"], ["k1", "Spring", "2026-02-01T09:00:00Z"]]
HEADER = ["contact_id", "type", "occurred_at", "campaign_id", "amount"]


def report(service: ReportService) -> Report:
    found = service.report("contacts", Selection(), AS_OF)
    assert isinstance(found, Report), found
    return found


def test_a_report_after_another_import_counts_the_new_events(engine: Engine, write_csv) -> None:
    first = [HEADER, ["c1", "email_sent", "2026-02-01T09:00:00Z", "k1", ""]]
    load(engine, contacts=write_csv("c.csv", CONTACTS), campaigns=write_csv("k.csv", CAMPAIGNS))
    load(engine, events=write_csv("e1.csv", first))
    service = ReportService(SegmentService(engine))
    before = report(service).metrics
    assert (before.recipients, before.opens, before.conversions) == (1, 0, 0)

    later = [
        HEADER,
        ["c2", "email_sent", "2026-02-01T09:00:00Z", "k1", ""],
        ["c1", "email_opened", "2026-02-01T10:00:00Z", "k1", ""],
        ["c1", "email_clicked", "2026-02-01T10:01:00Z", "k1", ""],
        ["c1", "purchase", "2026-02-01T10:01:00Z", "", "40"],  # the click's moment: attributed
    ]
    load(engine, events=write_csv("e2.csv", later))

    after = report(service).metrics
    assert (after.recipients, after.opens, after.clicks, after.conversions) == (2, 1, 1, 1)
    assert after.revenue == 40


def test_the_audiences_warmed_at_start_up_serve_the_reports_until_the_next_import(engine, write_csv) -> None:
    load(engine, contacts=write_csv("c.csv", CONTACTS), campaigns=write_csv("k.csv", CAMPAIGNS))
    load(engine, events=write_csv("e.csv", [HEADER, ["c1", "email_sent", "2026-02-01T09:00:00Z", "k1", ""]]))
    service = ReportService(SegmentService(engine))

    service.warm()
    with engine.connect() as conn:
        warmed = service.audiences(conn)
    assert report(service).metrics.recipients == 1
    with engine.connect() as conn:
        assert service.audiences(conn) is warmed
    load(engine, events=write_csv("e2.csv", [HEADER, ["c2", "email_sent", "2026-02-01T09:00:00Z", "k1", ""]]))
    with engine.connect() as conn:
        assert service.audiences(conn) is not warmed
