"""One process of the two-process scheduler test:

    python -m tests.delivery.scheduler_process URL FIRED [--ttl SECONDS] [--poll SECONDS]

runs a Scheduler on the store at URL until SIGTERM. It prints its lease holder id first; its
fire handler appends "CAMPAIGN PID" to the file FIRED and finishes the campaign, as the
dispatcher would.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import timedelta
from pathlib import Path

from delivery.lease import Lease, holder_id
from delivery.scheduler import Scheduler
from store.db import create_store_engine
from tests.delivery.scheduling import finish


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("fired", type=Path)
    parser.add_argument("--ttl", type=float, default=2.0)
    parser.add_argument("--poll", type=float, default=0.2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")

    engine = create_store_engine(args.url)

    def fire(campaign_id: int) -> None:
        # One write of a whole line in append mode: the two processes' lines never interleave.
        with args.fired.open("a") as file:
            file.write(f"{campaign_id} {os.getpid()}\n")
        finish(engine, campaign_id)

    lease = Lease(engine, holder_id(), timedelta(seconds=args.ttl))
    scheduler = Scheduler(engine, fire, lease, poll=args.poll)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    scheduler.start()
    print(lease.holder, flush=True)
    stopping.wait()
    scheduler.stop()
    engine.dispose()


if __name__ == "__main__":
    main()
