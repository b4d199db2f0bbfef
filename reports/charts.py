"""Charts of reports as PNG bytes (or JPEG, SVG, PDF), drawn with matplotlib's Agg canvas (no
display, no pyplot, so threads may draw at once), sized and lettered to be read on a phone: a square
1080 px image, large type, few words. Titled with the segment's reading, never with the words typed."""

from __future__ import annotations

import io
import textwrap

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from reports.models import Comparison, Report
from segments.currencies import money

SIZE, DPI = 7.2, 150  # inches and dots per inch: 1080 x 1080 pixels
FONT = 13
COLOURS = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#e53e3e")
#: The rates a bar chart shows, and their labels.
SHOWN = {"open_rate": "Open", "click_rate": "Click", "click_to_open_rate": "Click-to-open",
         "conversion_rate": "Conversion", "unsubscribe_rate": "Unsubscribe"}  # fmt: skip
LABELS = {
    **{k: f"{v} rate" for k, v in SHOWN.items()},
    "bounce_rate": "Bounce rate",
    "complaint_rate": "Complaint rate",
    "revenue_per_recipient": "Revenue per recipient",
}


def _wrap(text: str, width: int = 52, lines: int = 3) -> str:
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder=" …"))


def _figure() -> Figure:
    figure = Figure(figsize=(SIZE, SIZE), dpi=DPI, layout="constrained")
    figure.set_facecolor("white")
    return figure


def _saved(figure: Figure, kind: str) -> bytes:
    """The figure's bytes in matplotlib's format `kind` (chart_files.chart_format)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=kind)
    return buffer.getvalue()


def rates_chart(found: Comparison | Report, kind: str = "png") -> bytes:
    """Bars of the main rates per segment, with their 95% intervals as error bars."""
    reports = found.reports if isinstance(found, Comparison) else [found]
    figure = _figure()
    axes = figure.subplots()
    measures = [m for m in SHOWN if any(r.metrics.value(m) is not None for r in reports)]
    width = 0.8 / len(reports)
    for i, report in enumerate(reports):
        values = [report.metrics.value(m) or 0.0 for m in measures]
        errors = [_errors(report.metrics.value(m), report.metrics.interval(m)) for m in measures]
        positions = [j + (i - (len(reports) - 1) / 2) * width for j in range(len(measures))]
        colour, name = COLOURS[i % len(COLOURS)], _wrap(report.segment.text, 30, 1)
        error_bars = list(zip(*errors, strict=True)) if errors else None
        axes.bar(positions, values, width, yerr=error_bars, capsize=5, color=colour, label=name)
    axes.set_xticks(range(len(measures)), [SHOWN[m] for m in measures], fontsize=FONT, rotation=20)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.tick_params(axis="y", labelsize=FONT)
    axes.set_ylabel("rate (bars: 95% interval)", fontsize=FONT)
    axes.grid(axis="y", alpha=0.3)
    if len(reports) > 1:
        axes.legend(fontsize=FONT, loc="upper right")
    readings = "\nvs ".join(_wrap(r.segment.explanation, 52, 2) for r in reports)
    figure.suptitle(readings, fontsize=FONT + 1, fontweight="bold")
    campaigns = reports[0].campaigns
    axes.set_title(f"{len(campaigns)} campaign{'s' if len(campaigns) != 1 else ''}", fontsize=FONT - 1)
    return _saved(figure, kind)


def trend_chart(report: Report, measure: str = "open_rate", kind: str = "png") -> bytes:
    """A line of one metric by week or month, its 95% interval shaded."""
    points = report.trend or []
    figure = _figure()
    axes = figure.subplots()
    xs = list(range(len(points)))
    values = [p.metrics.value(measure) for p in points]
    shown = [
        (x, v, p.metrics.interval(measure))
        for x, v, p in zip(xs, values, points, strict=True)
        if v is not None
    ]
    if shown:
        axes.plot([x for x, _, _ in shown], [v for _, v, _ in shown], marker="o", linewidth=3,
                  markersize=8, color=COLOURS[0])  # fmt: skip
        banded = [(x, ci) for x, _, ci in shown if ci is not None]
        axes.fill_between([x for x, _ in banded], [ci[0] for _, ci in banded], [ci[1] for _, ci in banded],
                          color=COLOURS[0], alpha=0.2, label="95% interval")  # fmt: skip
        axes.legend(fontsize=FONT, loc="best")
    axes.set_xticks(xs, [_short(p.label) for p in points], fontsize=FONT - 1, rotation=45, ha="right")
    label = LABELS.get(measure, measure)
    if measure == "revenue_per_recipient":
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: money(v, report.currency)))
        label += f" ({report.currency})"
    else:
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.tick_params(axis="y", labelsize=FONT)
    axes.set_ylabel(label, fontsize=FONT)
    axes.grid(alpha=0.3)
    axes.set_title(f"{LABELS.get(measure, measure)}, {report.by} by {report.by}", fontsize=FONT)
    figure.suptitle(_wrap(report.segment.explanation), fontsize=FONT + 1, fontweight="bold")
    return _saved(figure, kind)


def chart(found: Comparison | Report, measure: str | None = None, kind: str = "png") -> bytes:
    """The chart a report asks for: a trend when it has one, else the rates; PNG unless `kind`
    names another of matplotlib's formats ("jpeg", "svg", "pdf")."""
    if isinstance(found, Report) and found.trend is not None:
        return trend_chart(found, measure or "open_rate", kind)
    return rates_chart(found, kind)


def _errors(value: float | None, interval: tuple[float, float] | None) -> tuple[float, float]:
    if value is None or interval is None:
        return 0.0, 0.0
    return max(value - interval[0], 0.0), max(interval[1] - value, 0.0)


def _short(label: str) -> str:
    return label.removeprefix("week of ")
