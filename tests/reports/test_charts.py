"""Charts: valid PNG files of phone size, drawn for a comparison and for a trend; JPEG, SVG, PDF."""

from __future__ import annotations

import struct

import pytest
from sqlalchemy import Engine

from reports.charts import chart
from reports.models import Comparison, Report
from reports.selection import Selection
from reports.service import ReportService
from segments.service import SegmentService
from tests.segments.dataset import DATA_AS_OF

PNG = b"\x89PNG\r\n\x1a\n"


def assert_png(data: bytes) -> tuple[int, int]:
    """A PNG's signature and header chunk; its width and height, a square a phone shows whole."""
    assert data[:8] == PNG
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    assert 800 <= width <= 1600 and width == height
    return width, height


def test_a_comparison_chart(report_store: Engine) -> None:
    found = ReportService(SegmentService(report_store)).compare(
        ["golfers", "runners"], Selection(), DATA_AS_OF
    )
    assert isinstance(found, Comparison)
    assert_png(chart(found))


def test_a_trend_chart(report_store: Engine) -> None:
    found = ReportService(SegmentService(report_store)).report("VIP", Selection(), DATA_AS_OF, by="week")
    assert isinstance(found, Report) and found.trend
    assert_png(chart(found, "revenue_per_recipient"))
    assert_png(chart(found))


@pytest.mark.parametrize(
    ("kind", "starts"), [("jpeg", b"\xff\xd8\xff"), ("svg", b"<?xml"), ("pdf", b"%PDF-")]
)
def test_a_chart_in_another_format(report_store: Engine, kind: str, starts: bytes) -> None:
    found = ReportService(SegmentService(report_store)).report("golfers", Selection(), DATA_AS_OF)
    assert isinstance(found, Report)
    drawn = chart(found, kind=kind)
    assert drawn.startswith(starts) and len(drawn) > 5000
