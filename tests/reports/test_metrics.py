"""Every metric of a report against the independent SQL of its definition (reference_sql.py), on
the generated data set, on SQLite and PostgreSQL; the intervals against scipy and numpy."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from scipy.stats import binomtest
from sqlalchemy import Engine, select

from reports.cli import COUNTED
from reports.models import RATES, Report
from reports.selection import Selection
from reports.service import ReportService
from segments.compiler import Compiler, members_query
from segments.service import SegmentService
from segments.windows import Bounds
from store.models import Contact
from tests.reports.reference_sql import reference_counts
from tests.segments.dataset import DATA_AS_OF

#: Every counted metric, in the order the command line prints them.
COUNTS = COUNTED
SEGMENTS = ("contacts", "golfers", "lapsed customers", "subscribers in Germany", "VIP")
SELECTIONS = {
    "all": Selection(),
    "newsletters": Selection(name="newsletter"),
    "since 2026": Selection(period=Bounds(datetime(2026, 1, 1, tzinfo=UTC))),
    "black friday in 2025": Selection(
        name="Black Friday", period=Bounds(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    ),
}


def member_ids(engine: Engine, service: SegmentService, phrase: str) -> list[int]:
    definition, _notes = service.read(phrase)
    with engine.connect() as conn:
        compiler = Compiler(DATA_AS_OF, UTC, service.lexicon.custom_types, service.saved.get)
        external = set(conn.execute(members_query(compiler, definition)).scalars())
        ids = conn.execute(select(Contact.external_id, Contact.id)).all()
    return [id_ for external_id, id_ in ids if external_id in external]


def check(report: Report, engine: Engine, members: list[int], days: int) -> None:
    campaigns = [c.id for c in report.campaigns]
    want, revenues = reference_counts(engine, members, campaigns, days)
    got = report.metrics
    assert {name: getattr(got, name) for name in COUNTS} == {name: want[name] for name in COUNTS}
    assert got.delivered == got.recipients - got.bounces
    assert got.revenue == pytest.approx(float(sum(revenues)), abs=0.005)
    for rate, (numerator, denominator) in RATES.items():
        k, n = want[numerator], want[denominator]
        if n == 0:
            assert got.value(rate) is None and got.interval(rate) is None
            continue
        assert got.value(rate) == pytest.approx(k / n)
        if k > n:  # more clicks than opens: no proportion, no interval
            assert got.interval(rate) is None
            continue
        wilson = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert got.interval(rate) == pytest.approx((wilson.low, wilson.high), abs=1e-9)
    values = np.array([float(r) for r in revenues])
    assert len(values) == want["delivered"]
    if len(values) > 1:
        mean, sd = values.mean(), values.std(ddof=1)
        assert got.revenue_per_recipient == pytest.approx(mean)
        # On the log scale (README, Statistics): mean · exp(±z · sd / (mean · √n)); none without revenue.
        if mean == 0:
            assert got.revenue_per_recipient_ci is None
        else:
            spread = 1.959963984540054 * sd / (mean * np.sqrt(len(values))) if sd > 0 else 0.0
            low, high = mean * np.exp(-spread), mean * np.exp(spread)
            assert got.revenue_per_recipient_ci == pytest.approx((low, high), abs=1e-9)


@pytest.mark.parametrize("phrase", SEGMENTS)
@pytest.mark.parametrize("selection", list(SELECTIONS), ids=list(SELECTIONS))
def test_every_metric_matches_the_independent_sql(report_store: Engine, phrase: str, selection: str) -> None:
    segments = SegmentService(report_store)
    report = ReportService(segments).report(phrase, SELECTIONS[selection], DATA_AS_OF)
    assert isinstance(report, Report), report
    check(report, report_store, member_ids(report_store, segments, phrase), days=5)


@pytest.mark.parametrize("days", [1, 5, 30])
def test_the_attribution_window_is_a_setting(report_store: Engine, days: int) -> None:
    segments = SegmentService(report_store)
    report = ReportService(segments, attribution_days=days).report("contacts", Selection(), DATA_AS_OF)
    assert report.attribution_days == days
    check(report, report_store, member_ids(report_store, segments, "contacts"), days=days)


def test_a_wider_window_attributes_more_purchases(report_store: Engine) -> None:
    segments = SegmentService(report_store)
    narrow, wide = (
        ReportService(segments, attribution_days=d).report("contacts", Selection(), DATA_AS_OF)
        for d in (1, 30)
    )
    assert wide.metrics.conversions > narrow.metrics.conversions
    assert wide.metrics.revenue > narrow.metrics.revenue


def test_the_campaigns_are_the_selections(report_store: Engine) -> None:
    segments = SegmentService(report_store)
    report = ReportService(segments).report("contacts", SELECTIONS["newsletters"], DATA_AS_OF)
    assert report.campaigns and all("newsletter" in c.name.lower() for c in report.campaigns)
    everything = ReportService(segments).report("contacts", Selection(), DATA_AS_OF)
    assert len(everything.campaigns) > len(report.campaigns)
    assert everything.metrics.recipients > report.metrics.recipients
