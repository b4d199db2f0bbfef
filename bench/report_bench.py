"""Report benchmark: a segment's report over all campaigns, and a two-segment comparison, each beside
the segment count alone, in the same run, on the PostgreSQL store of `gen_dataset.py --contacts N`.

    python bench/report_bench.py [--contacts 1000000] [--runs 3]

The store is the segment benchmark's (imported once into the schema bench_segments_N and kept). Each
timing is the best of `--runs`, after one warm-up run of every query. The count is what `segment`
does (read the phrase, compile, count members and reachable members); the report also reads the
segment, fetches its members and counts them among each campaign's audience, then computes the
intervals. Target: a report costs at most 3x its segment count.

The audiences (every campaign's recipients and what they did, `reports/audiences.py`) are read from
the events once per process and import; that one-time cost is printed on a line of its own.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasets import dataset  # noqa: E402
from bench.segment_bench import AS_OF, store_url  # noqa: E402
from reports.models import Comparison, Report  # noqa: E402
from reports.selection import Selection  # noqa: E402
from reports.service import ReportService  # noqa: E402
from segments.service import Answer, SegmentService  # noqa: E402
from store.db import create_store_engine  # noqa: E402

TARGET = 3.0
REPORT = "lapsed customers"
COMPARE = ("golfers", "runners")


def best(run: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--contacts", type=int, default=1_000_000)
    options.add_argument("--runs", type=int, default=3)
    args = options.parse_args()
    url = store_url("postgresql", args.contacts, dataset(args.contacts))
    engine = create_store_engine(url)
    segments = SegmentService(engine)
    reports = ReportService(segments)
    as_of = datetime.fromisoformat(AS_OF)
    started = time.perf_counter()
    with engine.connect() as conn:
        audiences = reports.audiences(conn)
    built = time.perf_counter() - started
    pairs = sum(len(a.contacts) for a in audiences.campaigns.values())

    def count(*phrases: str) -> Callable[[], list]:
        return lambda: [segments.answer(p, as_of) for p in phrases]

    cases = [
        (f"report: {REPORT}", count(REPORT), lambda: reports.report(REPORT, Selection(), as_of)),
        (
            f"compare: {' vs '.join(COMPARE)}",
            count(*COMPARE),
            lambda: reports.compare(list(COMPARE), Selection(), as_of),
        ),
    ]
    for _name, counting, reporting in cases:  # warm-up: the lexicon, statsmodels, the caches
        counting(), reporting()
    rows = []
    for name, counting, reporting in cases:
        count_seconds, answers = best(counting, args.runs)
        report_seconds, found = best(reporting, args.runs)
        assert all(isinstance(a, Answer) for a in answers), answers
        assert isinstance(found, Report | Comparison), found
        rows.append((name, answers, count_seconds, report_seconds, found))
    print_table(rows, args.contacts, args.runs)
    print(f"campaign audiences read once per process and import: {built:.1f} s ({pairs:,} pairs)")


def print_table(rows: list, contacts: int, runs: int) -> None:
    print(f"reports on PostgreSQL, {contacts:,} contacts, all campaigns, as of {AS_OF} (best of {runs})")
    print(f"{'case':<30}{'members':>18}{'recipients':>22}{'count s':>10}{'report s':>10}{'ratio':>8}  target")
    for name, answers, count_seconds, report_seconds, found in rows:
        members = "+".join(f"{a.count:,}" for a in answers)
        reports = found.reports if isinstance(found, Comparison) else [found]
        recipients = "+".join(f"{r.metrics.recipients:,}" for r in reports)
        ratio = report_seconds / count_seconds
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(
            f"{name:<30}{members:>18}{recipients:>22}{count_seconds:>10.2f}{report_seconds:>10.2f}"
            f"{ratio:>7.2f}x  <= {TARGET:.0f}x {verdict}"
        )


if __name__ == "__main__":
    main()
