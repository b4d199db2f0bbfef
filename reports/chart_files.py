"""A report's chart as a file: its name, made from what the report was asked, and its format, the
one its extension names. Nothing here loads matplotlib: the command line checks a chart's file
before a report is computed.

    chart_name(["golfers", "runners"], campaign="Newsletter", by="month")
    # 'tailor-golfers-vs-runners-newsletter-by-month-5d41402a.png'
    chart_format(Path("golfers.jpg"))   # 'jpeg'
"""

from __future__ import annotations

import hashlib
import json
from importlib.util import find_spec
from pathlib import Path

from segments.normalize import fold

#: The extensions a chart may have, and matplotlib's format for each (JPEG is drawn by Pillow).
FORMATS = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "svg": "svg", "pdf": "pdf"}
#: How long the words of a chart's name may run before its digest.
WORDS = 60


class ChartFileError(ValueError):
    """A chart file Tailor cannot write, said in one line."""


def formats() -> list[str]:
    """The extensions this installation writes: JPEG only with Pillow."""
    return [ext for ext, kind in FORMATS.items() if kind != "jpeg" or find_spec("PIL") is not None]


def chart_format(path: Path) -> str:
    """matplotlib's format for the file's extension (PNG when it has none), or a ChartFileError
    that lists the extensions written."""
    extension = path.suffix.lower().removeprefix(".")
    if not extension:
        return "png"
    if extension not in formats():
        written = ", ".join(f".{ext}" for ext in formats())
        raise ChartFileError(f"Tailor does not write .{extension} charts: name a file ending in {written}")
    return FORMATS[extension]


def chart_name(
    segments: list[str],
    campaign: str | None = None,
    period: str | None = None,
    by: str | None = None,
    measure: str | None = None,
    extension: str = "png",
) -> str:
    """The file name of a report's chart: its segments, campaign, trend and measure in words, and
    a digest of all it was asked (`period` too, as it was said), so that two different reports
    never share a name and the same report always has the same one."""
    folded = [" ".join(fold(text).split()) for text in segments]
    named = " ".join(fold(campaign).split()) if campaign else None
    asked = {"segments": folded, "campaign": named, "period": period, "by": by, "measure": measure}
    digest = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:8]
    said = [" vs ".join(folded), named, f"by {by}" if by else None, measure]
    return f"tailor-{_slug(' '.join(w for w in said if w))}-{digest}.{extension}"


def _slug(text: str) -> str:
    """'golfers-vs-runners': the words and numbers of the text, nothing a path could misread."""
    words = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).split("-")
    return "-".join(w for w in words if w)[:WORDS].strip("-")
