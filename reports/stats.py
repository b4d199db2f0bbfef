"""95% intervals from well-kept libraries, and what a difference between two segments says.

- A rate's interval is Wilson's score interval (statsmodels `proportion_confint`).
- Revenue per recipient is a mean of a non-negative, skewed amount (most recipients 0, a few big
  orders): its interval is taken on the log scale (the delta method), mean · exp(±1.96 · sd / (mean · √n)).
  It cannot go below zero, and it reaches further up than down, as such a mean's uncertainty does;
  the normal approximation (mean ± 1.96 · sd / √n) went below zero whenever few recipients bought.
  It needs only the sum and the sum of squares, so a report stays one SQL aggregation.
- The difference of two rates: Newcombe's hybrid score interval (statsmodels
  `confint_proportions_2indep`, method "newcomb"); of two means: the normal approximation with
  Welch's standard error.
"""

from __future__ import annotations

import math

from reports.models import Interval

CONFIDENCE = 0.95
#: Below this many pairs a rate is flagged as resting on too few to be steady.
MIN_SAMPLE = 100


def wilson(count: int, n: int) -> Interval | None:
    """None without a denominator, or when the count exceeds it (more clicks than opens, when opens
    went untracked: click-to-open is then no proportion)."""
    if n <= 0 or count > n:
        return None
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, n, alpha=1 - CONFIDENCE, method="wilson")
    return float(low), float(high)


def mean_sd(total: float, squares: float, n: int) -> tuple[float, float]:
    """The mean and sample standard deviation of n values from their sum and sum of squares."""
    mean = total / n
    variance = max(squares - n * mean * mean, 0.0) / (n - 1) if n > 1 else 0.0
    return mean, math.sqrt(variance)


def mean_interval(total: float, squares: float, n: int) -> Interval | None:
    """The 95% interval of a mean of n non-negative amounts, on the log scale: the standard error
    of log(mean) is sd / (mean · √n), and the interval is mean · exp(∓z · that)."""
    if n <= 0:
        return None
    from scipy.stats import norm

    mean, sd = mean_sd(total, squares, n)
    if mean <= 0:  # nobody bought: no spread to measure an interval by, and [0, 0] would look certain
        return None
    if sd == 0:  # every recipient spent the same
        return mean, mean
    spread = float(norm.ppf(0.5 + CONFIDENCE / 2)) * sd / (mean * math.sqrt(n))
    return mean * math.exp(-spread), mean * math.exp(spread)


def rate_difference(count: int, n: int, base_count: int, base_n: int) -> Interval | None:
    """The interval of count/n - base_count/base_n."""
    if n <= 0 or base_n <= 0:
        return None
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(
        count, n, base_count, base_n, method="newcomb", compare="diff", alpha=1 - CONFIDENCE
    )
    return float(low), float(high)


def mean_difference(
    moments: tuple[float, float, int], base_moments: tuple[float, float, int]
) -> Interval | None:
    """The interval of the difference of two means, each given as (sum, sum of squares, n)."""
    (total, squares, n), (base_total, base_squares, base_n) = moments, base_moments
    if n <= 1 or base_n <= 1:
        return None
    from scipy.stats import norm

    mean, sd = mean_sd(total, squares, n)
    base_mean, base_sd = mean_sd(base_total, base_squares, base_n)
    scale = math.sqrt(sd * sd / n + base_sd * base_sd / base_n)
    if scale == 0:
        return mean - base_mean, mean - base_mean
    low, high = norm.interval(CONFIDENCE, loc=mean - base_mean, scale=scale)
    return float(low), float(high)
