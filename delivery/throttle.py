"""Messages per second over all of a send's connections (TAILOR_SMTP_RATE): providers cap what
an account may hand them, and a burst over the cap is refused with 4xx or worse, a block."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimit:
    """A token bucket holding one token, shared by the threads that send: each `wait()` takes the
    next free slot, `1 / per_second` after the one before, and sleeps until it comes.

    A slot is taken under the lock and slept for outside it, so one thread's wait never delays
    another's booking, and the spacing holds however many connections share the limit. Holding
    one token only means no burst after an idle spell: a provider counting per second never sees
    more than `per_second` in any second.
    """

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second < 0:
            raise ValueError(f"a rate is not negative: {per_second}")
        self.interval = 1 / per_second if per_second else 0.0  # 0: no limit
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next: float | None = None  # the earliest time the next message may go

    def wait(self) -> None:
        """Block until a message may go."""
        if not self.interval:
            return
        delay = self._book()
        if delay > 0:
            self.sleep(delay)

    def _book(self) -> float:
        """Take the next slot; how long until it comes."""
        with self._lock:
            now = self.clock()
            slot = now if self._next is None else max(now, self._next)
            self._next = slot + self.interval
            return slot - now
