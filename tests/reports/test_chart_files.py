"""A chart's file: a name made from what the report was asked, and the format its extension names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reports import chart_files
from reports.chart_files import ChartFileError, chart_format, chart_name

ASKED = {"segments": ["golfers"], "campaign": "Newsletter", "period": "2026-01-01..", "by": "month"}


@pytest.mark.parametrize(
    "change",
    [
        {"segments": ["runners"]},
        {"segments": ["golfers", "runners"]},  # a comparison
        {"segments": ["runners", "golfers"]},  # the other way round
        {"campaign": "Black Friday"},
        {"campaign": None},
        {"period": "2026-02-01.."},
        {"period": None},
        {"by": "week"},
        {"by": None},
        {"measure": "open_rate"},
    ],
)
def test_two_different_reports_never_share_a_name(change: dict) -> None:
    assert chart_name(**ASKED) != chart_name(**(ASKED | change))


def test_the_same_report_always_has_the_same_name() -> None:
    name = chart_name(**ASKED)
    assert name == chart_name(**ASKED)
    assert name == chart_name(**(ASKED | {"segments": ["  Golfers "], "campaign": "newsletter"}))
    assert re.fullmatch(r"tailor-golfers-newsletter-by-month-[0-9a-f]{8}\.png", name)


def test_a_name_holds_nothing_a_path_could_misread() -> None:
    name = chart_name(["../etc/passwd in Zürich; rm -rf /"], campaign="A/B test", extension="jpg")
    assert "/" not in name and ".." not in name and " " not in name
    assert name.startswith("tailor-etc-passwd-in-zurich-rm-rf-a-b-test-") and name.endswith(".jpg")
    long = chart_name(["contacts in Berlin who opened the spring newsletter but never bought golf"] * 3)
    assert len(long) < 90


@pytest.mark.parametrize(
    ("file", "kind"),
    [("g.png", "png"), ("g.PNG", "png"), ("g.jpg", "jpeg"), ("g.jpeg", "jpeg"), ("g.svg", "svg"),
     ("g.pdf", "pdf"), ("g", "png")],
)  # fmt: skip
def test_the_extension_names_the_format(file: str, kind: str) -> None:
    assert chart_format(Path(file)) == kind


def test_an_extension_tailor_does_not_write_is_refused_listing_those_it_does() -> None:
    with pytest.raises(ChartFileError) as refused:
        chart_format(Path("golfers.gif"))
    assert str(refused.value) == (
        "Tailor does not write .gif charts: name a file ending in .png, .jpg, .jpeg, .svg, .pdf"
    )


def test_without_pillow_jpeg_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_files, "find_spec", lambda name: None)
    assert chart_files.formats() == ["png", "svg", "pdf"]
    with pytest.raises(ChartFileError, match=r"\.jpg charts: name a file ending in \.png, \.svg, \.pdf$"):
        chart_format(Path("golfers.jpg"))
