"""RateLimit: messages spaced 1/rate apart, however many threads share it."""

from __future__ import annotations

import threading
import time

import pytest

from delivery.throttle import RateLimit


class StoppedClock:
    """A clock that stands still and a sleep that only records: each wait's sleep is then exactly
    how far its slot lies from now, whatever order the threads run in."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


def test_two_threads_share_the_slots_one_interval_apart():
    time_ = StoppedClock()
    limit = RateLimit(5, clock=time_.clock, sleep=time_.sleep)
    start = threading.Barrier(2)

    def send_five() -> None:
        start.wait()
        for _ in range(5):
            limit.wait()

    threads = [threading.Thread(target=send_five) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)

    # Ten messages at 5 a second: the first goes at once, the others 0.2 s after each other.
    assert sorted(time_.sleeps) == pytest.approx([0.2 * n for n in range(1, 10)])


def test_an_idle_limit_lets_the_next_message_go_at_once_but_saves_no_burst():
    time_ = StoppedClock(now=0.0)
    limit = RateLimit(10, clock=time_.clock, sleep=time_.sleep)

    limit.wait()  # at 0.0
    time_.now = 0.05
    limit.wait()  # its slot is 0.1
    time_.now = 7.0
    limit.wait()  # long after: at once
    limit.wait()  # and the one after it waits its turn, as after any other
    assert time_.sleeps == pytest.approx([0.05, 0.1])


def test_a_rate_of_zero_never_waits():
    def no_clock() -> float:
        raise AssertionError("a limit of 0 needs no clock")

    def no_sleep(seconds: float) -> None:
        raise AssertionError("a limit of 0 never sleeps")

    limit = RateLimit(0, clock=no_clock, sleep=no_sleep)
    for _ in range(100):
        limit.wait()


def test_a_negative_rate_is_refused():
    with pytest.raises(ValueError, match="not negative"):
        RateLimit(-1)


def test_real_time_spacing_across_threads():
    limit = RateLimit(50)  # 0.02 s apart
    sent: list[float] = []
    lock = threading.Lock()

    def send(count: int) -> None:
        for _ in range(count):
            limit.wait()
            with lock:
                sent.append(time.monotonic())

    threads = [threading.Thread(target=send, args=(5,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)

    sent.sort()
    assert len(sent) == 10
    assert sent[-1] - sent[0] >= 9 * 0.02 - 1e-3  # nine intervals, give or take the rounding
