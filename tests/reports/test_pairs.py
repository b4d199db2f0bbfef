"""The campaign pairs the import builds, on hand-made edge cases: ties of clicks, unknown campaigns,
bounced pairs, purchases and clicks without a send; each pair as the definitions make it, and the
report's metrics as the independent SQL counts them (reference_sql.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from reports import audiences
from reports.models import Report
from reports.selection import Selection
from reports.service import ReportService
from segments.service import SegmentService
from store.audiences import BOUNCED, CLICKED, CONVERTED, SENT
from store.demo import load_demo_if_empty
from store.models import Campaign, CampaignPair, Contact
from tests.conftest import WriteCsv
from tests.reports.reference_sql import reference_counts
from tests.reports.test_metrics import COUNTS
from tests.store.helpers import load

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
DEMO_AS_OF = datetime(2026, 6, 30, 12, tzinfo=UTC)
#: The counts of a campaign's pairs (`Counts`), which the reference counts too.
FOLDED = ("recipients", "bounces", "opens", "clicks", "unsubscribes", "complaints", "conversions")
#: t2 alone is in France: its tie of a known and an unknown campaign is where the reference SQL
#: (which ranks the ids alone) and the pairs (a known campaign first, as before) part.
CONTACTS = [["id", "email", "country"], *([f"t{i}", f"t{i}@example.com", "Germany"] for i in range(1, 8))]
CONTACTS[2][2] = "France"
CAMPAIGNS = [["id", "name", "sent_at"], ["A", "Alpha", ""], ["B", "Beta", ""], ["C", "Gamma", ""]]
DAY = "2026-02-01T"
EVENTS = [
    ["contact_id", "type", "occurred_at", "campaign_id", "amount"],
    # t1: two clicks at one moment: the greater campaign id, B, takes the purchase
    *(["t1", "email_sent", f"{DAY}09:00:00Z", k, ""] for k in "AB"),
    *(["t1", "email_clicked", f"{DAY}10:00:00Z", k, ""] for k in "BA"),
    ["t1", "purchase", f"{DAY}11:00:00Z", "", "30"],
    # t2: a click of A and one of Z (a campaign the store does not know) at one moment: A's
    ["t2", "email_sent", f"{DAY}09:00:00Z", "A", ""],
    ["t2", "email_clicked", f"{DAY}10:00:00Z", "A", ""],
    ["t2", "email_clicked", f"{DAY}10:00:00Z", "Z", ""],
    ["t2", "purchase", f"{DAY}12:00:00Z", "", "20"],
    # t3: the latest click is Z's: nobody's purchase, as is one carrying Z's id
    ["t3", "email_sent", f"{DAY}08:00:00Z", "A", ""],
    ["t3", "email_clicked", f"{DAY}09:00:00Z", "A", ""],
    ["t3", "email_clicked", f"{DAY}10:00:00Z", "Z", ""],
    ["t3", "purchase", f"{DAY}11:00:00Z", "", "15"],
    ["t3", "purchase", f"{DAY}11:30:00Z", "Z", "99"],
    # t4: bounced, and a purchase carrying B: the pair converts, but is no delivered pair
    ["t4", "email_sent", f"{DAY}09:00:00Z", "B", ""],
    ["t4", "email_bounced", f"{DAY}09:01:00Z", "B", ""],
    ["t4", "purchase", f"{DAY}12:00:00Z", "B", "50"],
    # t5: a purchase carrying C and a click of C, never sent: no pair, and no one's purchases
    ["t5", "email_sent", f"{DAY}09:00:00Z", "A", ""],
    ["t5", "email_clicked", f"{DAY}10:00:00Z", "C", ""],
    ["t5", "purchase", f"{DAY}10:30:00Z", "", "60"],
    ["t5", "purchase", f"{DAY}11:00:00Z", "C", "70"],
    # t6: a purchase at the click's moment is the click's; one carrying C adds to the same pair
    ["t6", "email_sent", f"{DAY}09:00:00Z", "C", ""],
    ["t6", "email_clicked", f"{DAY}10:00:00Z", "C", ""],
    ["t6", "purchase", f"{DAY}10:00:00Z", "", "5"],
    ["t6", "purchase", f"{DAY}13:00:00Z", "C", "7"],
    # t7: a purchase without an amount converts and adds nothing
    ["t7", "email_sent", f"{DAY}09:00:00Z", "A", ""],
    ["t7", "email_clicked", f"{DAY}10:00:00Z", "A", ""],
    ["t7", "purchase", f"{DAY}11:00:00Z", "", ""],
]
PAIRS = {
    ("t1", "A"): (SENT | CLICKED, None),
    ("t1", "B"): (SENT | CLICKED | CONVERTED, 30),
    ("t2", "A"): (SENT | CLICKED | CONVERTED, 20),
    ("t3", "A"): (SENT | CLICKED, None),
    ("t4", "B"): (SENT | BOUNCED | CONVERTED, 50),
    ("t5", "A"): (SENT, None),
    ("t6", "C"): (SENT | CLICKED | CONVERTED, 12),
    ("t7", "A"): (SENT | CLICKED | CONVERTED, 0),
}


@pytest.fixture
def store(engine: Engine, write_csv: WriteCsv) -> Engine:
    files = {kind: write_csv(f"{kind}.csv", rows) for kind, rows in
             (("contacts", CONTACTS), ("campaigns", CAMPAIGNS), ("events", EVENTS))}  # fmt: skip
    assert [f.rejected for f in load(engine, **files).files] == [0, 0, 0]
    return engine


def test_each_pair_is_as_the_definitions_make_it(store: Engine) -> None:
    pairs = CampaignPair.__table__
    query = (
        select(Contact.external_id, Campaign.external_id, pairs.c.flags, pairs.c.revenue)
        .join(Contact, Contact.id == pairs.c.contact_id)
        .join(Campaign, Campaign.id == pairs.c.campaign_id)
    )
    with store.connect() as conn:
        found = {(row[0], row[1]): (row.flags, row.revenue) for row in conn.execute(query)}

    assert found == PAIRS


def test_the_report_counts_the_pairs(store: Engine) -> None:
    found = ReportService(SegmentService(store), min_sample=1).report("contacts", Selection(), AS_OF)

    assert isinstance(found, Report), found
    metrics = found.metrics
    assert (metrics.recipients, metrics.bounces, metrics.clicks, metrics.conversions) == (8, 1, 6, 4)
    assert metrics.revenue == 30 + 20 + 12


def test_the_report_matches_the_independent_sql(store: Engine) -> None:
    segments = SegmentService(store)
    found = ReportService(segments, min_sample=1).report("contacts in Germany", Selection(), AS_OF)

    assert isinstance(found, Report), found
    with store.connect() as conn:
        members = conn.execute(select(Contact.id).where(Contact.country == "Germany")).scalars().all()
    want, revenues = reference_counts(store, list(members), ["A", "B", "C"], days=5)
    assert {name: getattr(found.metrics, name) for name in COUNTS} == {name: want[name] for name in COUNTS}
    assert found.metrics.revenue == pytest.approx(float(sum(revenues)))


def test_every_campaign_of_the_demo_data_matches_the_independent_sql(engine: Engine) -> None:
    load_demo_if_empty(engine, as_of=DEMO_AS_OF)
    with engine.connect() as conn:
        campaigns = conn.execute(select(Campaign.external_id).order_by(Campaign.external_id)).scalars().all()
        members, counted = audiences.count(conn, select(Contact.id), campaigns)
        everyone = conn.execute(select(Contact.id)).scalars().all()

    assert members == len(everyone) and [c.campaign_id for c in counted] == campaigns
    for campaign in counted:
        want, revenues = reference_counts(engine, everyone, [campaign.campaign_id], days=5)
        got = campaign.counts
        assert {name: getattr(got, name) for name in FOLDED} == {name: want[name] for name in FOLDED}
        assert float(got.revenue) == pytest.approx(float(sum(revenues)))
        assert float(got.revenue_squares) == pytest.approx(sum(float(r) ** 2 for r in revenues))
