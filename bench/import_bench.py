"""Import benchmark: Tailor's `import` beside the expert path, on the same data, in one run.

    python bench/import_bench.py [--contacts 100000] [--databases sqlite,postgresql] [--runs 1]

Generates the data with the demo generator (`store.demo`, kept in bench/out/ for the next run),
then times each path as a process of its own and prints rows/s, seconds, the peak resident
memory of the importing process, and the ratio of Tailor's time to the expert's. With `--runs N`,
the two paths take turns N times, and the medians follow: one run of either varies by 10-15%.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasets import Schema, demo_data, postgres_server  # noqa: E402


def rows_in(data: Path) -> int:
    total = 0
    for name in ("contacts.csv", "events.csv", "campaigns.csv"):
        with (data / name).open("rb") as f:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda f=f: f.read(1 << 24), b"")) - 1
    return total


#: Wall seconds and peak resident memory (MB) of one import.
Measured = tuple[float, float]


def timed(command: list[str]) -> Measured:
    """Wall seconds and peak RSS (MB) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({status}): {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def tailor_command(data: Path, url: str) -> list[str]:
    return [sys.executable, "app.py", "import", "--db", url, "--contacts", str(data / "contacts.csv"),
            "--events", str(data / "events.csv"), "--campaigns", str(data / "campaigns.csv")]  # fmt: skip


def expert_command(kind: str, data: Path, target: str) -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "expert_import.py"), kind, str(data), target]


def measure(kind: str, data: Path, server: str) -> Iterator[Measured]:
    """The expert's (seconds, MB), then Tailor's, each as soon as it is measured."""
    if kind == "postgresql":
        with Schema(server, "bench_expert") as expert, Schema(server, "bench_tailor") as tailor:
            yield timed(expert_command(kind, data, expert.url))
            yield timed(tailor_command(data, tailor.url))
        return
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "out") as scratch:
        yield timed(expert_command(kind, data, f"{scratch}/expert.db"))
        yield timed(tailor_command(data, f"sqlite:///{scratch}/tailor.db"))


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=postgres_server())
    parser.add_argument("--runs", type=int, default=1, help="pairs of imports; the medians are printed too")
    args = parser.parse_args()
    data = demo_data(args.contacts)
    rows = rows_in(data)
    size = sum(f.stat().st_size for f in data.iterdir()) / 1e9
    print(f"import of {args.contacts:,} contacts ({rows:,} rows, {size:.2f} GB)")
    print(
        f"{'database':<11} {'run':<7} "
        f"{'path':<8} {'seconds':>9} {'rows/s':>11} {'peak RSS':>10} {'vs limit':>9}"
    )
    for kind in args.databases.split(","):
        pairs = [pair(kind, data, args.postgres, rows, run) for run in range(1, args.runs + 1)]
        if args.runs > 1:
            limit, ours = (median_of([p[i] for p in pairs]) for i in (0, 1))
            print(row(kind, "median", "expert", limit, rows, "limit"))
            print(row(kind, "median", "tailor", ours, rows, f"{ours[0] / limit[0]:.2f}x"), flush=True)


def pair(kind: str, data: Path, server: str, rows: int, run: int) -> tuple[Measured, Measured]:
    """One import by each path, the expert's first; each printed as soon as it is measured."""
    results = measure(kind, data, server)
    limit = next(results)
    print(row(kind, str(run), "expert", limit, rows, "limit"), flush=True)
    ours = next(results)
    print(row(kind, str(run), "tailor", ours, rows, f"{ours[0] / limit[0]:.2f}x"), flush=True)
    results.close()
    return limit, ours


def median_of(measured: list[Measured]) -> Measured:
    """The median time, and the highest peak memory of any run."""
    return statistics.median(seconds for seconds, _ in measured), max(megabytes for _, megabytes in measured)


def row(kind: str, run: str, path: str, measured: Measured, rows: int, ratio: str) -> str:
    seconds, megabytes = measured
    speed = rows / seconds
    return f"{kind:<11} {run:<7} {path:<8} {seconds:>9.1f} {speed:>11,.0f} {megabytes:>7.0f} MB {ratio:>9}"


if __name__ == "__main__":
    main()
