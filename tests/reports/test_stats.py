"""Intervals that respect their measure: revenue per recipient is a mean of non-negative amounts,
most of them 0, so its interval must stay at or above 0 and still cover the true mean."""

from __future__ import annotations

import math

import numpy as np

from reports.stats import mean_interval

#: Orders are log-normal around e^4 ≈ $55; this share of recipients buys.
LOG_MEAN, LOG_SD = 4.0, 1.0


def revenues(rng: np.random.Generator, n: int, buyers: float) -> np.ndarray:
    orders = rng.lognormal(LOG_MEAN, LOG_SD, n)
    return np.where(rng.random(n) < buyers, orders, 0.0)


def interval_of(values: np.ndarray) -> tuple[float, float]:
    got = mean_interval(float(values.sum()), float((values * values).sum()), len(values))
    assert got is not None
    return got


def test_revenue_per_recipient_interval_is_never_negative_on_1000_random_samples() -> None:
    rng = np.random.default_rng(19)
    normal_went_negative = nobody_bought = 0
    for _ in range(1000):
        n = int(rng.integers(2, 1000))
        values = revenues(rng, n, buyers=float(rng.uniform(0.001, 0.05)))
        if values.sum() == 0:  # nobody bought: no interval at all, rather than a certain-looking [0, 0]
            assert mean_interval(0.0, 0.0, n) is None
            nobody_bought += 1
            continue
        low, high = interval_of(values)
        assert 0 < low <= values.mean() <= high
        half = 1.959963984540054 * values.std(ddof=1) / math.sqrt(n)
        normal_went_negative += values.mean() - half < 0
    # The samples are ones where the normal approximation fails: it went below zero in many.
    assert normal_went_negative > 100 and nobody_bought < 300


def test_the_interval_covers_the_true_mean_about_95_times_in_100() -> None:
    rng = np.random.default_rng(7)
    buyers, n = 0.03, 2000
    true_mean = buyers * math.exp(LOG_MEAN + LOG_SD**2 / 2)
    covered = 0
    for _ in range(1000):
        low, high = interval_of(revenues(rng, n, buyers))
        covered += low <= true_mean <= high
    assert 0.92 <= covered / 1000 <= 0.98


def test_nobody_bought_or_no_recipients_give_no_interval() -> None:
    assert mean_interval(0.0, 0.0, 500) is None  # [0, 0] would claim a certainty 500 zeros lack
    assert mean_interval(0.0, 0.0, 0) is None
