"""The definitions on a store small enough to count by hand: unique events per pair, bounced pairs
left out of delivered, last-click attribution and its window's edges, purchases carrying a campaign."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from reports.models import CampaignRef, NoCampaign, Report
from reports.selection import Chosen, Selection, unmatched
from reports.service import ReportService
from segments.service import SegmentService
from segments.windows import Bounds
from tests.conftest import WriteCsv
from tests.store.helpers import load

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
CONTACTS = [
    ["id", "email", "country", "email_consent"],
    ["c1", "c1@example.com", "Germany", "subscribed"],
    ["c2", "c2@example.com", "Germany", "subscribed"],
    ["c3", "c3@example.com", "France", "subscribed"],
]
CAMPAIGNS = [
    ["id", "name", "subject", "sent_at"],
    ["A", "Alpha Sale", "a", "2026-01-01T09:00:00Z"],
    ["B", "Beta News", "b", "2026-01-11T09:00:00Z"],
    ["C", "Gamma News", "c", "2026-02-02T09:00:00Z"],
]
EVENTS = [
    ["contact_id", "type", "occurred_at", "campaign_id", "amount"],
    # c1, A: opened, clicked; a purchase exactly 5 days after the click is A's, 1 s later is nobody's
    ["c1", "email_sent", "2026-01-01T09:00:00Z", "A", ""],
    ["c1", "email_opened", "2026-01-01T10:00:00Z", "A", ""],
    ["c1", "email_clicked", "2026-01-01T10:05:00Z", "A", ""],
    ["c1", "purchase", "2026-01-06T10:05:00Z", "", "10"],
    ["c1", "purchase", "2026-01-06T10:05:01Z", "", "1000"],
    # c1, B: a purchase carrying B's id is B's; one just before B's click is not (its latest click is
    # A's, 10 days earlier)
    ["c1", "email_sent", "2026-01-11T09:00:00Z", "B", ""],
    ["c1", "purchase", "2026-01-11T10:04:59Z", "", "500"],
    ["c1", "email_clicked", "2026-01-11T10:05:00Z", "B", ""],
    ["c1", "purchase", "2026-02-20T12:00:00Z", "B", "7"],
    # c2, A: bounced, so not delivered: its purchase counts nowhere
    ["c2", "email_sent", "2026-01-01T09:00:00Z", "A", ""],
    ["c2", "email_bounced", "2026-01-01T09:01:00Z", "A", ""],
    ["c2", "purchase", "2026-01-02T09:00:00Z", "A", "100"],
    # c2, B: opened twice (one open), unsubscribed
    ["c2", "email_sent", "2026-01-11T09:00:00Z", "B", ""],
    ["c2", "email_opened", "2026-01-11T09:30:00Z", "B", ""],
    ["c2", "email_opened", "2026-01-12T09:30:00Z", "B", ""],
    ["c2", "email_unsubscribed", "2026-01-12T09:31:00Z", "B", ""],
    # c3, C: a purchase without an amount after a click: a conversion worth nothing
    ["c3", "email_sent", "2026-02-02T09:00:00Z", "C", ""],
    ["c3", "email_clicked", "2026-02-02T12:00:00Z", "C", ""],
    ["c3", "purchase", "2026-02-03T12:00:00Z", "", ""],
    # a campaign id nobody was sent is no pair
    ["c3", "email_opened", "2026-02-03T12:00:00Z", "A", ""],
]


@pytest.fixture
def service(engine: Engine, write_csv: WriteCsv) -> ReportService:
    files = {kind: write_csv(f"{kind}.csv", rows) for kind, rows in
             (("contacts", CONTACTS), ("campaigns", CAMPAIGNS), ("events", EVENTS))}  # fmt: skip
    report = load(engine, **files)
    assert [f.rejected for f in report.files] == [0, 0, 0]
    return ReportService(SegmentService(engine), min_sample=1)


def metrics_of(service: ReportService, phrase: str, selection: Selection) -> dict:
    report = service.report(phrase, selection, AS_OF)
    assert isinstance(report, Report), report
    return report.metrics.model_dump()


def test_every_campaign(service: ReportService) -> None:
    found = metrics_of(service, "contacts", Selection())
    assert {k: found[k] for k in ("recipients", "bounces", "delivered", "opens", "clicks")} == {
        "recipients": 5, "bounces": 1, "delivered": 4, "opens": 2, "clicks": 3,
    }  # fmt: skip
    assert (found["unsubscribes"], found["complaints"], found["conversions"]) == (1, 0, 3)
    assert found["revenue"] == 17
    assert found["revenue_per_recipient"] == 17 / 4
    assert found["bounce_rate"] == 1 / 5
    assert found["open_rate"] == 2 / 4
    # c1 clicked B and c3 clicked C unopened (opens untracked): more clicks than opens, no interval
    assert found["click_to_open_rate"] == 3 / 2 and found["click_to_open_rate_ci"] is None
    assert found["open_rate_ci"][0] < 2 / 4 < found["open_rate_ci"][1]
    assert found["conversion_rate"] == 3 / 4


def test_campaigns_named_by_a_word(service: ReportService) -> None:
    found = metrics_of(service, "contacts", Selection(name="news"))
    assert (found["recipients"], found["bounces"], found["opens"], found["clicks"]) == (3, 0, 1, 2)
    assert (found["unsubscribes"], found["conversions"], found["revenue"]) == (1, 2, 7)


def test_a_segment_narrows_the_pairs(service: ReportService) -> None:
    found = metrics_of(service, "contacts in Germany", Selection(name="alpha"))
    assert (found["recipients"], found["bounces"], found["delivered"]) == (2, 1, 1)
    assert (found["conversions"], found["revenue"]) == (1, 10)


def test_the_window_is_a_setting(service: ReportService) -> None:
    six = ReportService(service.segments, attribution_days=6, min_sample=1)
    found = metrics_of(six, "contacts", Selection(name="alpha"))
    assert (found["conversions"], found["revenue"]) == (1, 1010)


def test_no_campaign_matches(service: ReportService) -> None:
    """The store's campaigns are listed, the latest first, with the close names to pick."""
    failed = service.report("contacts", Selection(name="Alpah"), AS_OF)
    assert isinstance(failed, NoCampaign)
    assert failed.error == (
        "No campaign matches: none is named like “Alpah”. The store's campaigns, most recent first: "
        "Gamma News (2 Feb 2026), Beta News (11 Jan 2026), Alpha Sale (1 Jan 2026)."
    )
    assert failed.suggestions == ["Alpha Sale"]
    assert failed.campaigns == ["Gamma News", "Beta News", "Alpha Sale"]
    far = service.report("contacts", Selection(name="Omega"), AS_OF)
    assert isinstance(far, NoCampaign) and far.suggestions == [] and len(far.campaigns) == 3


def test_campaigns_named_so_but_sent_at_other_times_are_listed(service: ReportService) -> None:
    march = Bounds(start=datetime(2026, 3, 1, tzinfo=UTC))
    failed = service.report("contacts", Selection(name="news", period=march), AS_OF)
    assert isinstance(failed, NoCampaign) and failed.suggestions == []
    assert failed.error == (
        "No campaign matches: none named like “news” was sent from 1 Mar 2026. Those named like it, "
        "most recent first: Gamma News (2 Feb 2026), Beta News (11 Jan 2026)."
    )
    anything = service.report("contacts", Selection(period=march), AS_OF)
    assert isinstance(anything, NoCampaign)
    assert anything.error.startswith(
        "No campaign matches: none was sent from 1 Mar 2026. The store's campaigns"
    )


def test_a_handful_of_campaigns_is_listed() -> None:
    every = [
        Chosen(CampaignRef(id=f"c{i}", name=f"Issue {i}"), datetime(2026, 1, i, tzinfo=UTC))
        for i in range(1, 9)
    ]
    unsent = Chosen(CampaignRef(id="x", name="Draft"), None)
    failed = unmatched("golfers", Selection(name="Isue 3"), [unsent, *every], UTC)
    assert failed.campaigns == ["Issue 8", "Issue 7", "Issue 6", "Issue 5", "Issue 4"]
    assert failed.error.endswith("Issue 4 (4 Jan 2026), and 4 more.")  # Issue 3 to 1, and Draft
    assert failed.suggestions[0] == "Issue 3"


def test_trend_by_month(service: ReportService) -> None:
    report = service.report("contacts", Selection(), AS_OF, by="month")
    assert [(p.label, p.campaigns, p.metrics.recipients) for p in report.trend] == [
        ("Jan 2026", 2, 4),
        ("Feb 2026", 1, 1),
    ]
    weekly = service.report("contacts", Selection(), AS_OF, by="week")
    assert [str(p.start) for p in weekly.trend] == ["2025-12-29", "2026-01-05", "2026-02-02"]
