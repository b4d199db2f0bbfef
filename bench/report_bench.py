"""Report benchmark: a cold report (a new process) beside the cold count of the same segment, in the
same run, on SQLite and PostgreSQL stores of the demo generator's data at N contacts.

    python bench/report_bench.py [--contacts 1000000] [--databases sqlite,postgresql] [--runs 3]
                                 [--no-rebuild]

The stores are imported once (into bench/out/ and the schema bench_demo_N) and kept. Each timing is
a new process, as `python app.py report ...` is on every call: `app.py segment PHRASE --json` for
the count (reading, compiling, counting members and reachable members), `app.py report PHRASE
--json` for the report (the same reading, then the members joined with the stored campaign pairs and
counted per campaign, and the intervals), so interpreter start-up and imports are on both sides. The
best of `--runs`, after one untimed run of each (the page cache). Target: a cold report costs at
most 3x the cold count. Beside it, the peak memory (RSS) of each process.

Unless `--no-rebuild`, the campaign pairs are first rebuilt from the events as an import rebuilds
them (`store.audiences.rebuild`, committed, then vacuumed on PostgreSQL): the import time the pairs
add, printed on a line of its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.datasets import AS_OF, demo_data, store_url  # noqa: E402
from store import audiences  # noqa: E402
from store.db import create_store_engine, is_postgres  # noqa: E402
from store.models import CampaignPair  # noqa: E402

TARGET = 3.0
REPORT = "lapsed customers"
COMPARE = ("runners", "hikers")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    output: str


#: Runs app.py as its own main, and prints the peak memory of this process's image when it ends:
#: Linux's VmHWM, which starts afresh at exec, where getrusage's maximum keeps the parent's RSS at
#: fork (the benchmark's, which holds the store's engine and the segment service's imports).
RUNNER = """import atexit, runpy, sys
def peak():
    hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM:')]
    print('peak-kb', hwm[0].split()[1], file=sys.stderr)
atexit.register(peak)
sys.argv = ['app.py', *sys.argv[1:]]
runpy.run_path('app.py', run_name='__main__')
"""


def run_app(*args: str) -> Run:
    """`python app.py ARGS` in a new process: its wall time, its peak RSS and its output."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"app.py {' '.join(args)} exited with {done.returncode}: {done.stderr[-2000:]}")
    peak = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("peak-kb ")]
    return Run(seconds, int(peak[-1]) / 1024, done.stdout)


def best(args: tuple[str, ...], runs: int) -> Run:
    run_app(*args)  # untimed: the page cache
    return min((run_app(*args) for _ in range(runs)), key=lambda r: r.seconds)


@dataclass(frozen=True)
class Case:
    name: str
    count: tuple[str, ...]
    report: tuple[str, ...]


def cases(url: str, batch: Path) -> list[Case]:
    common = ("--db", url, "--as-of", AS_OF, "--json")
    return [
        Case(f"report: {REPORT}", ("segment", REPORT, *common), ("report", REPORT, *common)),
        Case(
            f"compare: {' vs '.join(COMPARE)}",
            ("segment", "--batch", str(batch), *common),
            ("report", COMPARE[0], "--compare", COMPARE[1], *common),
        ),
    ]


def rebuild(url: str) -> tuple[float, int]:
    """The pairs rebuilt from the events, as an import rebuilds them: seconds, and how many."""
    engine = create_store_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        audiences.rebuild(conn)
    if is_postgres(engine):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM {CampaignPair.__tablename__}")
    seconds = time.perf_counter() - started
    with engine.connect() as conn:
        pairs = conn.execute(select(func.count()).select_from(CampaignPair)).scalar_one()
    engine.dispose()
    return seconds, pairs


def main() -> None:
    options = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    options.add_argument("--contacts", type=int, default=1_000_000)
    options.add_argument("--databases", default="sqlite,postgresql")
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--no-rebuild", action="store_true", help="skip timing the pairs' rebuild")
    args = options.parse_args()
    data = demo_data(args.contacts)
    rows, builds = [], []
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "phrases.txt"
        batch.write_text("\n".join(COMPARE) + "\n", encoding="utf-8")
        for kind in args.databases.split(","):
            url = store_url(kind, data)
            if not args.no_rebuild:
                builds.append((kind, *rebuild(url)))
            for case in cases(url, batch):
                rows.append((kind, case.name, best(case.count, args.runs), best(case.report, args.runs)))
    print_table(rows, args.contacts, args.runs)
    for kind, seconds, pairs in builds:
        print(f"{kind}: campaign pairs built as an import builds them: {seconds:.1f} s", end="")
        print(f" ({pairs:,} pairs)")


def print_table(rows: list, contacts: int, runs: int) -> None:
    print(f"cold reports (a new process each), {contacts:,} contacts, all campaigns, as of {AS_OF}", end="")
    print(f" (best of {runs})")
    print(
        f"{'database':<11}{'case':<29}{'members':>16}{'recipients':>20}{'count s':>9}{'report s':>9}"
        f"{'ratio':>7}  {'target':<13}{'count MB':>9}{'report MB':>10}"
    )
    for kind, name, count, report in rows:
        members = "+".join(f"{json.loads(line)['count']:,}" for line in count.output.splitlines())
        found = json.loads(report.output)
        reports = [found, *found.get("compared", [])]
        recipients = "+".join(f"{r['metrics']['recipients']:,}" for r in reports)
        ratio = report.seconds / count.seconds
        verdict = f"<= {TARGET:.0f}x {'met' if ratio <= TARGET else 'NOT met'}"
        print(
            f"{kind:<11}{name:<29}{members:>16}{recipients:>20}{count.seconds:>9.2f}{report.seconds:>9.2f}"
            f"{ratio:>6.2f}x  {verdict:<13}{count.peak_mb:>9.0f}{report.peak_mb:>10.0f}"
        )


if __name__ == "__main__":
    main()
