"""Segment benchmark: the dev corpus' phrases counted by Tailor beside DuckDB on the same data, in one run.

    python bench/segment_bench.py [--databases sqlite,postgresql] [--sqlite-contacts 100000]
                                  [--postgres-contacts 1000000]

It needs the evaluation kit beside the project (`../shared/eval`), the one benchmark that does: the
corpus, its data generator and its limit are written for one another. For each database it generates
the data with the kit's `gen_dataset.py` (kept in bench/out/), imports it with Tailor once (kept for
the next run), then times every phrase of the corpus through the segment service (reading, compiling
and counting members and reachable members; the better of two runs) and, on the same files, the
kit's `reference_times.py` (DuckDB running the corpus' hand-written SQL). It prints the median and
p95 of both, their ratio, and the targets; a phrase whose count differs from DuckDB's is listed,
since a fast wrong answer is no answer.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasets import AS_OF, EVAL, eval_data, store_url  # noqa: E402
from segments.service import Answer, SegmentService  # noqa: E402
from store.db import create_store_engine  # noqa: E402

TARGETS = {"postgresql": "median <= 2x DuckDB, p95 < 2 s", "sqlite": "p95 < 1 s"}


def corpus_texts() -> list[str]:
    if not (EVAL / "dev_corpus.py").exists():
        raise SystemExit(f"this benchmark needs the evaluation kit beside the project: {EVAL} is missing")
    spec = importlib.util.spec_from_file_location("dev_corpus", EVAL / "dev_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(EVAL))
    spec.loader.exec_module(module)
    return [entry["text"] for entry in module.entries(AS_OF)]


def reference(data: Path) -> dict:
    command = [sys.executable, str(EVAL / "reference_times.py"), str(data), "--json", "--as-of", AS_OF]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def tailor_times(url: str, texts: list[str]) -> list[tuple[float, int | None]]:
    """Milliseconds (better of two) and the member count of each phrase."""
    service = SegmentService(create_store_engine(url))
    as_of = datetime.fromisoformat(AS_OF)
    service.answer(texts[0], as_of)  # the lexicon is read once per process, not per phrase
    results = []
    for text in texts:
        best, count = float("inf"), None
        for _ in range(2):
            started = time.perf_counter()
            answer = service.answer(text, as_of)
            best = min(best, (time.perf_counter() - started) * 1000)
            count = answer.count if isinstance(answer, Answer) else None
        results.append((best, count))
    return results


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sqlite-contacts", type=int, default=100_000)
    parser.add_argument("--postgres-contacts", type=int, default=1_000_000)
    args = parser.parse_args()
    texts = corpus_texts()
    sizes = {"sqlite": args.sqlite_contacts, "postgresql": args.postgres_contacts}
    rows = []
    for kind in args.databases.split(","):
        data = eval_data(sizes[kind])
        url = store_url(kind, data)
        limit = reference(data)
        ours = tailor_times(url, texts)
        rows.append((kind, sizes[kind], ours, limit))
        for text, (_, count), phrase in zip(texts, ours, limit["phrases"], strict=True):
            if count != phrase["members"]:
                print(f"  {kind}: {text!r}: Tailor {count}, DuckDB {phrase['members']}", file=sys.stderr)
    print_table(rows, len(texts))


def print_table(rows: list, phrases: int) -> None:
    print(f"segment counts of the dev corpus ({phrases} phrases), as of {AS_OF}")
    header = (
        f"{'database':<11} {'contacts':>9} {'median':>9} {'p95':>9} {'DuckDB med':>10} {'DuckDB p95':>10}"
    )
    print(f"{header} {'median ratio':>12} {'same counts':>11}  target")
    for kind, contacts, ours, limit in rows:
        times = [ms for ms, _ in ours]
        same = sum(count == ref["members"] for (_, count), ref in zip(ours, limit["phrases"], strict=True))
        ratio = statistics.median(times) / limit["median_ms"]
        print(
            f"{kind:<11} {contacts:>9,} {statistics.median(times):>7.0f}ms {p95(times):>7.0f}ms "
            f"{limit['median_ms']:>8.0f}ms {limit['p95_ms']:>8.0f}ms {ratio:>11.2f}x {same:>6}/{phrases:<4}  "
            f"{TARGETS[kind]}"
        )
    texts = corpus_texts()
    timed = [(ms, kind, text) for kind, _, ours, _ in rows for (ms, _), text in zip(ours, texts, strict=True)]
    for ms, kind, text in sorted(timed, reverse=True)[:5]:
        print(f"  slowest: {kind:<11} {ms:>7.0f} ms  {text}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
