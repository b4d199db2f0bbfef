"""The `report` command's output: one JSON object for programs, a short table for people."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import date, timedelta, tzinfo
from pathlib import Path
from typing import Any, TextIO

from reports.chart_files import chart_format, chart_name
from reports.compare import shown
from reports.models import RATES, Comparison, NoCampaign, Report
from reports.selection import Selection
from segments.currencies import money
from segments.service import Failure
from segments.windows import Bounds, midnight

#: The order of the metrics' keys in JSON and in the table.
COUNTED = (
    "recipients",
    "bounces",
    "delivered",
    "opens",
    "clicks",
    "unsubscribes",
    "complaints",
    "conversions",
)


def selection(name: str | None, since: date | None, until: date | None, zone: tzinfo) -> Selection:
    """Campaigns named by `name`, sent from `since` through `until` (whole days in the workspace's zone)."""
    period = None
    if since or until:
        start = midnight(since, zone) if since else None
        end = midnight(until + timedelta(days=1), zone) if until else None
        period = Bounds(start, end)
    return Selection(name=name, period=period)


def as_json(found: Comparison) -> dict[str, Any]:
    """The first segment's report (`segment`, `campaigns`, `metrics`, ...), and with more segments,
    `compared` (each one's `segment` and `metrics`) and `differences`."""
    first, *others = found.reports
    data = first.model_dump(mode="json", exclude_none=True)
    if others:
        data["compared"] = [
            r.model_dump(mode="json", include={"segment", "metrics", "warnings"}) for r in others
        ]
        data["differences"] = [d.model_dump(mode="json") for d in found.differences]
    return data


def text_lines(found: Comparison) -> list[str]:
    lines = []
    for report in found.reports:
        lines += report_lines(report)
    baseline = found.reports[0].segment.text
    for segment in dict.fromkeys(d.segment for d in found.differences):  # each after the first
        lines.append(f"  {segment} compared with {baseline}:")
        lines += [f"    {d.measure:<22} {d.verdict}" for d in found.differences if d.segment == segment]
    return lines


def report_lines(report: Report) -> list[str]:
    m, cur = report.metrics, report.currency
    count = len(report.campaigns)
    lines = [
        f"> {report.segment.text}",
        f"  {report.segment.explanation}",
        f"  {report.segment.count:,} members; {count} campaign{'s' if count != 1 else ''}; "
        f"purchases by last click within {report.attribution_days} days",
        "  " + "   ".join(f"{name} {getattr(m, name):,}" for name in COUNTED),
    ]
    for rate in (*RATES, "revenue_per_recipient"):
        interval = m.interval(rate)
        ci = f"[{shown(rate, interval[0], cur)}, {shown(rate, interval[1], cur)}]" if interval else ""
        lines.append(f"  {rate:<24}{shown(rate, m.value(rate), cur):>10}  {ci}")
    lines.append(f"  {'revenue':<24}{money(m.revenue, cur):>10}")
    for point in report.trend or []:
        p = point.metrics
        lines.append(
            f"  {point.label:<20} recipients {p.recipients:>8,}  open {shown('open_rate', p.open_rate):>6}"
            f"  click {shown('click_rate', p.click_rate):>6}"
            f"  conversion {shown('conversion_rate', p.conversion_rate):>6}"
        )
    return lines + [f"  ! {w}" for w in report.warnings]


def chart_file(
    path: Path | None,
    phrases: list[str],
    campaign: str | None,
    since: date | None,
    until: date | None,
    by: str | None,
) -> Path | None:
    """Where the chart goes: the file named, or in the folder named a file named from the report."""
    if path is None or not path.is_dir():
        return path
    period = f"{since or ''}..{until or ''}" if since or until else None
    return path / chart_name(phrases, campaign, period, by)


def print_report(
    found: Comparison | Failure,
    out: TextIO,
    json_out: bool,
    chart_path: Path | None,
    measure: str | None = None,
) -> int:
    """Prints the report (or what failed) and writes the chart; the exit status."""
    if isinstance(found, Failure):
        text = json.dumps(found.model_dump(), ensure_ascii=False) if json_out else _failure(found)
        print(text, file=out)
        return 1
    if json_out:
        print(json.dumps(as_json(found), ensure_ascii=False), file=out)
    else:
        print("\n".join(text_lines(found)), file=out)
    if chart_path:
        from reports.charts import chart  # matplotlib costs a second or two: only for a chart

        shown_report = found if len(found.reports) > 1 else found.reports[0]
        try:
            chart_path.write_bytes(chart(shown_report, measure, chart_format(chart_path)))
        except OSError as error:
            print(f"tailor: could not write the chart to {chart_path}: {error.strerror}", file=sys.stderr)
            return 1
        if not json_out:
            print(f"  chart: {chart_path}", file=out)
    return 0


def _failure(found: Failure) -> str:
    """What failed; a campaign name offered is said as the option that picks it."""
    lines = [f"? {found.text}", f"  {found.error}"]
    offered = (
        [f"--campaign {shlex.quote(s)}" for s in found.suggestions]
        if isinstance(found, NoCampaign)
        else found.suggestions
    )
    return "\n".join(lines + [f"  did you mean: {s}" for s in offered])
