"""Slack acknowledgement benchmark: signed `/tailor` commands into Tailor in HTTP mode.

    python bench/slack_ack_bench.py [--requests 200] [--concurrency 20] [--db URL]
    python bench/slack_ack_bench.py --drafts 20 [--db URL]

Starts Tailor's Slack app (Bolt through waitress, as `python app.py` runs it) on a loopback port
against the tests' local fake of Slack's Web API, on the demo data (a temporary SQLite store unless
--db names one), fires the signed slash commands, `--concurrency` at a time, and prints the ack
latency (p50, p99, max) beside Slack's 3 s limit and the 300 ms p99 target. It then waits until every
command's answer reached the fake through its response URL, and says how long that took.

With --drafts N it fires N signed `/tailor draft ...` commands at once (each renders a preview of
the winback template for its segment in the background, posts the draft, its samples and their
files in a thread), prints the ack latency table beside the 3 s limit, and waits until every
draft's thread is complete (its command's private answer says where the thread is).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import create_app  # noqa: E402
from bot.serve import PATH, http_server  # noqa: E402
from bot.services import build_services  # noqa: E402
from personalization.demo import install_demo_templates  # noqa: E402
from settings import Settings  # noqa: E402
from store.db import create_store_engine  # noqa: E402
from store.demo import load_demo_if_empty  # noqa: E402
from tests.bot import signing  # noqa: E402
from tests.bot.fake_slack import fake_slack  # noqa: E402

LIMIT, TARGET = 3.0, 0.300


def main() -> int:
    options = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    options.add_argument("--requests", type=int, default=200)
    options.add_argument("--concurrency", type=int, default=20)
    options.add_argument("--db", metavar="URL", help="a store to use (default: a temporary SQLite file)")
    options.add_argument(
        "--drafts", type=int, metavar="N", help="N concurrent /tailor draft commands instead"
    )
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as scratch, fake_slack() as fake:
        url = args.db or f"sqlite:///{Path(scratch) / 'bench.db'}"
        settings = Settings(
            database_url=url, demo_data=False, slack_bot_token="xoxb-bench",
            slack_signing_secret=signing.SECRET, slack_api_url=fake.api_url, host="127.0.0.1", port=0,
        )  # fmt: skip
        engine = create_store_engine(url)
        load_demo_if_empty(engine, as_of=datetime.now(UTC).replace(microsecond=0), zone=UTC)
        install_demo_templates(engine, settings.currency)
        server = http_server(create_app(settings, build_services(settings, engine)), settings)
        threading.Thread(target=server.run, daemon=True).start()
        endpoint = f"http://127.0.0.1:{server.effective_port}{PATH}"
        if args.drafts:
            return drafts(endpoint, fake, args.drafts)
        started = time.monotonic()
        with ThreadPoolExecutor(args.concurrency) as pool:
            replies = list(
                pool.map(lambda n: command(endpoint, fake.response_url(f"b{n}")), range(args.requests))
            )
        fake.wait_calls("response", args.requests, timeout=600)
        answered = time.monotonic() - started
    report(replies, args, answered)
    return 0 if all(r.status == 200 for r in replies) else 1


#: What the drafts are for: phrases a marketer types, in turn.
DRAFTED = ("lapsed custs in DE", "custs w/ 3+ orders", "lapsed custs in FR", "custs in Spain")


def drafts(endpoint: str, fake, n: int) -> int:
    """`n` drafts at once: each ack's time, then each thread's completion."""
    started = time.monotonic()
    with ThreadPoolExecutor(n) as pool:
        replies = list(pool.map(lambda i: draft_command(endpoint, fake.response_url(f"d{i}"), i), range(n)))
    done = fake.wait_for(lambda calls: len(_drafted(calls)) >= n, timeout=900)
    completed, answered = len(_drafted(done)), time.monotonic() - started
    seconds = sorted(r.seconds for r in replies)
    p99 = seconds[min(len(seconds) - 1, round(0.99 * len(seconds)) - 1)]
    statuses = sorted({r.status for r in replies})
    print(f"{n} signed /tailor draft commands at once (winback template, demo data); statuses: {statuses}")
    print(f"{'n':>4}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'limit ms':>10}{'p99/limit':>11}{'drafts':>8}")
    print(f"{n:>4}{statistics.median(seconds) * 1000:>10.1f}{p99 * 1000:>10.1f}{seconds[-1] * 1000:>10.1f}"
          f"{LIMIT * 1000:>10.0f}{p99 / LIMIT:>11.3f}{f'{completed}/{n}':>8}")  # fmt: skip
    uploads = len([c for c in done if c.method == "files.completeUploadExternal"])
    print(
        f"all {completed} drafts posted (parent, samples, {uploads} files in their threads) "
        f"after {answered:.1f} s"
    )
    return 0 if statuses == [200] and completed == n else 1


def _drafted(calls: list) -> list:
    return [
        c
        for c in calls
        if c.method == "response" and str(c.args.get("text", "")).startswith("Drafted campaign")
    ]


def draft_command(endpoint: str, response_url: str, i: int) -> signing.Reply:
    phrase = DRAFTED[i % len(DRAFTED)]
    text = f'draft "Bench {i + 1}" for {phrase} with template winback'
    return command(endpoint, response_url, text)


def command(endpoint: str, response_url: str, text: str = "lapsed customers") -> signing.Reply:
    fields = {"command": "/tailor", "text": text, "user_id": "U1", "channel_id": "C1",
              "team_id": "T0TEAM", "response_url": response_url}  # fmt: skip
    body, kind = signing.form(fields)
    return signing.send(endpoint, body, kind)


def report(replies: list[signing.Reply], args: argparse.Namespace, answered: float) -> None:
    seconds = sorted(r.seconds for r in replies)
    p99 = seconds[min(len(seconds) - 1, round(0.99 * len(seconds)) - 1)]
    rows = [("p50", statistics.median(seconds)), ("p99", p99), ("max", seconds[-1])]
    print(f"{args.requests} signed /tailor commands, {args.concurrency} at a time; statuses: "
          f"{sorted({r.status for r in replies})}")  # fmt: skip
    print(f"{'ack latency':<12}{'ms':>10}{'limit ms':>12}{'target ms':>12}")
    for name, value in rows:
        target = f"{TARGET * 1000:.0f}" if name == "p99" else ""
        print(f"{name:<12}{value * 1000:>10.1f}{LIMIT * 1000:>12.0f}{target:>12}")
    print(f"all {len(replies)} answers posted through their response URLs after {answered:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
