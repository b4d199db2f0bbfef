"""Render benchmark: whole emails per second on one core, beside a bare Jinja2 render of the same
template from contexts already in memory, in the same run.

    python bench/render_bench.py [--contacts 100000] [--emails 20000] [--template winback]
                                 [--databases sqlite,postgresql]

The store is the demo generator's data at N contacts (bench/out/, imported once and kept). The
full path is what a send does for each recipient: its context from the store (batches of 1,000),
the sandboxed render of subject, preheader and body, the footer, CSS inlined, the text part and
the message's bytes. The bare render is `jinja2.Environment(autoescape=True)` rendering the same
body, subject and preheader from the same contexts, loaded before the clock starts: the cost of
Jinja2 alone. One process, one thread: per core. Targets: at least 2,000 emails/s, and at most
4x the bare render's time per email.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jinja2  # noqa: E402

from bench.datasets import AS_OF, LETTERHEAD, demo_data, store_url  # noqa: E402
from personalization.context import Contexts  # noqa: E402
from personalization.filters import filters  # noqa: E402
from personalization.front_matter import parse  # noqa: E402
from personalization.message import Composer  # noqa: E402
from personalization.templates import Sandbox  # noqa: E402
from segments.definition import Definition  # noqa: E402
from segments.service import SegmentService  # noqa: E402
from store.db import create_store_engine  # noqa: E402

TEMPLATES = ROOT / "personalization" / "demo_templates"
TARGET_RATE = 2000
TARGET_RATIO = 4.0


@dataclass(frozen=True)
class Timing:
    emails: int
    seconds: float
    bytes: int = 0
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.emails / self.seconds

    def cells(self) -> tuple[str, str, str]:
        return f"{self.emails:,}", f"{self.seconds:.2f}", f"{self.rate:,.0f}"


ROW = "{:<11} {:<32} {:>7} {:>8} {:>9} {:>6}  {}"


def members(segments: SegmentService, emails: int, as_of: datetime) -> list:
    """The first `emails` reachable contacts, in batches of 1,000 (every contact: `Definition()`)."""
    batches, count = [], 0
    for batch in segments.recipients(Definition(), as_of):
        batches.append(batch[: emails - count])
        count += len(batches[-1])
        if count >= emails:
            break
    return batches


def full(engine, segments: SegmentService, template: str, batches: list, as_of: datetime) -> Timing:
    """Context from the store, render, footer, inline, text part, message bytes: the send's path.
    Each stage's time is summed on the side (`Timing.stages`), so the table says where it goes."""
    sandbox = Sandbox(filters=filters(segments.pricing.currency))
    compiled = sandbox.compile("bench", template)
    composer = Composer(LETTERHEAD.sender, LETTERHEAD.postal_address)
    clock = Stages()
    made = size = 0
    started = time.perf_counter()
    with clock("context, once per run"):
        contexts = Contexts(engine, as_of, segments.pricing, segments.zone)
    with engine.connect() as conn:
        for batch in batches:
            with clock("context, per batch"):
                variables = contexts.batch(conn, batch)
            for recipient, context in zip(batch, variables, strict=True):
                with clock("sandboxed render"):
                    rendered = compiled.render(context)
                with clock("footer, CSS inlined, text part"):
                    email = composer.compose(
                        recipient.email,
                        rendered.subject,
                        rendered.preheader,
                        rendered.html,
                        LETTERHEAD.unsubscribe_url(recipient),
                        {"Message-ID": f"<bench.{recipient.external_id}@trailhead.example>"},
                    )
                with clock("message bytes (email package)"):
                    size += len(email.as_bytes())
                made += 1
    return Timing(made, time.perf_counter() - started, size, clock.spent)


class Stages:
    """Seconds per named stage, summed over a run."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - began


def bare(engine, segments: SegmentService, template: str, batches: list, as_of: datetime) -> Timing:
    """Jinja2 alone, unsandboxed, from contexts loaded beforehand."""
    contexts = Contexts(engine, as_of, segments.pricing, segments.zone)
    with engine.connect() as conn:
        loaded: list[dict[str, Any]] = [c for batch in batches for c in contexts.batch(conn, batch)]
    environment = jinja2.Environment(autoescape=True)
    environment.filters.update(filters(segments.pricing.currency))
    parts = parse(template)
    sources = (parts.subject or "", parts.preheader or "", parts.body)
    compiled = [environment.from_string(source) for source in sources]
    started = time.perf_counter()
    for context in loaded:
        for part in compiled:
            part.render(context)
    return Timing(len(loaded), time.perf_counter() - started)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--contacts", type=int, default=100_000)
    options.add_argument("--emails", type=int, default=20_000)
    options.add_argument("--template", default="winback")
    options.add_argument("--databases", default="sqlite")
    args = options.parse_args()
    template = (TEMPLATES / f"{args.template}.html").read_text(encoding="utf-8")
    as_of = datetime.fromisoformat(AS_OF)
    data = demo_data(args.contacts)
    print(f"render benchmark: template {args.template}, {args.emails:,} emails, {args.contacts:,} contacts")
    print(ROW.format("database", "path", "emails", "seconds", "emails/s", "ratio", "target"))
    for kind in args.databases.split(","):
        engine = create_store_engine(store_url(kind, data))
        segments = SegmentService(engine)
        batches = members(segments, args.emails, as_of)
        base = bare(engine, segments, template, batches, as_of)
        whole = full(engine, segments, template, batches, as_of)
        ratio = whole.seconds / base.seconds
        met = whole.rate >= TARGET_RATE and ratio <= TARGET_RATIO
        target = f">= {TARGET_RATE:,}/s, <= {TARGET_RATIO:g}x: {'met' if met else 'MISSED'}"
        print(ROW.format(kind, "bare Jinja2, contexts in memory", *base.cells(), "", ""))
        print(ROW.format(kind, "full email (context ... bytes)", *whole.cells(), f"{ratio:.2f}x", target))
        print(f"{kind:<11} mean message: {whole.bytes / whole.emails:,.0f} bytes; per email, by stage:")
        for stage, seconds in whole.stages.items():
            print(f"{'':<11}   {stage:<34} {seconds / whole.emails * 1000:6.3f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
