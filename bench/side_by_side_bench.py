"""Side-by-side benchmark: twenty different phrases asked at once, against the same twenty in turn.

    python bench/side_by_side_bench.py [--contacts 100000] [--databases sqlite,postgresql] [--runs 3]

Each phrase goes through the conversation, as a Slack request's worker calls it (read the phrase,
compile, count members and reachable members, render the blocks), on the store of
the demo generator's data at N contacts (imported once and kept). "In turn"
is one thread asking the twenty one after another, what a lock around the segment service gave;
"at once" is twenty threads, one per phrase, and its time is that of the last answer. Each is the
best of `--runs`, after a warm-up that reads every phrase once. Target: at once well under in turn.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasets import AS_OF, demo_data, store_url  # noqa: E402
from bot.conversation import Conversation  # noqa: E402
from segments.service import SegmentService  # noqa: E402
from store.db import create_store_engine  # noqa: E402

PHRASES = [
    "custs in DE w/ 3+ orders",
    "lapsed customers in Germany",
    "ppl who opened an email in the last 30d",
    "subs in FR who havent bought in 6mos",
    "customers who spent $500+",
    "contacts in Berlin or Munich",
    "customers who clicked but didnt buy in 90d",
    "new subscribers",
    "custmers in germny",
    "people who bought camping gear",
    "contacts who never opened an email",
    "cart abandoners in the US",
    "customers w/ exactly 1 order",
    "contacts who signed up in 2025",
    "high value customers",
    "first-time buyers in the UK",
    "customers who bought running gear in the last qtr",
    "contacts in DE not in Berlin",
    "vips who havent opened in 60d",
    "passive subscribers in Spain",
]


def timed(run: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def measure(url: str, runs: int) -> tuple[float, float]:
    """(in turn, at once) seconds for the twenty phrases."""
    conversation = Conversation(
        SegmentService(create_store_engine(url)), clock=lambda: datetime.fromisoformat(AS_OF)
    )
    in_turn = lambda: [conversation.ask(p) for p in PHRASES]  # noqa: E731
    pool = ThreadPoolExecutor(max_workers=len(PHRASES))
    at_once = lambda: list(pool.map(conversation.ask, PHRASES))  # noqa: E731
    in_turn()  # warm-up: the lexicon, the caches of the grammar and of the store
    at_once()
    try:
        return timed(in_turn, runs), timed(at_once, runs)
    finally:
        pool.shutdown()


def main() -> None:
    options = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    options.add_argument("--contacts", type=int, default=100_000)
    options.add_argument("--databases", default="sqlite,postgresql")
    options.add_argument("--runs", type=int, default=3)
    args = options.parse_args()
    data = demo_data(args.contacts)
    rows = [(kind, *measure(store_url(kind, data), args.runs)) for kind in args.databases.split(",")]
    print(
        f"{len(PHRASES)} different phrases through the conversation, {args.contacts:,} contacts,"
        f" best of {args.runs}"
    )
    print(f"{'database':<11} {'in turn':>9} {'at once':>9} {'at once / in turn':>18}")
    for kind, in_turn, at_once in rows:
        print(f"{kind:<11} {in_turn:>8.2f}s {at_once:>8.2f}s {at_once / in_turn:>17.2f}x")


if __name__ == "__main__":
    main()
