"""Segments side by side: each one's difference from the first, its interval, and a verdict in
plain English ("golfers opened more: 31% vs 24%, the gap is real")."""

from __future__ import annotations

from reports import stats
from reports.metrics import Counts
from reports.models import MEASURES, RATES, Difference, Interval, Metrics
from segments.currencies import money
from store.pricing import DEFAULT_CURRENCY

#: What a segment did more or less of, by measure.
VERBS = {
    "bounce_rate": "bounced",
    "open_rate": "opened",
    "click_rate": "clicked",
    "unsubscribe_rate": "unsubscribed",
    "complaint_rate": "complained",
    "click_to_open_rate": "clicked after opening",
    "conversion_rate": "bought",
    "revenue_per_recipient": "brought in revenue per recipient",
}


def shown(measure: str, value: float | None, currency: str = DEFAULT_CURRENCY) -> str:
    if value is None:
        return "n/a"
    if measure == "revenue_per_recipient":
        return money(value, currency)
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


def verdict(
    measure: str,
    name: str,
    metrics: Metrics,
    base: Metrics,
    ci: Interval | None,
    currency: str = DEFAULT_CURRENCY,
) -> str:
    value, base_value = metrics.value(measure), base.value(measure)
    both = f"{shown(measure, value, currency)} vs {shown(measure, base_value, currency)}"
    if ci is None or min(metrics.sample(measure), base.sample(measure)) < stats.MIN_SAMPLE:
        return f"too few recipients to tell ({both})"
    if ci[0] > 0 or ci[1] < 0:
        more = "more" if ci[0] > 0 else "less"
        return f"{name} {VERBS[measure]} {more}: {both}, the gap is real"
    return f"no clear difference: {both}, the gap could be chance"


def interval(
    measure: str, counts: Counts, base: Counts, metrics: Metrics, base_metrics: Metrics
) -> Interval | None:
    if measure in RATES:
        numerator, denominator = RATES[measure]
        return stats.rate_difference(
            getattr(metrics, numerator),
            getattr(metrics, denominator),
            getattr(base_metrics, numerator),
            getattr(base_metrics, denominator),
        )
    return stats.mean_difference(counts.moments, base.moments)


def differences(
    names: list[str],
    counted: list[Counts],
    measured: list[Metrics],
    measures: tuple[str, ...] = MEASURES,
    currency: str = DEFAULT_CURRENCY,
) -> list[Difference]:
    """Every segment after the first against the first, measure by measure."""
    found = []
    for name, counts, metrics in zip(names[1:], counted[1:], measured[1:], strict=True):
        for measure in measures:
            value, base_value = metrics.value(measure), measured[0].value(measure)
            ci = interval(measure, counts, counted[0], metrics, measured[0])
            found.append(
                Difference(
                    measure=measure,
                    segment=name,
                    baseline=names[0],
                    value=value,
                    baseline_value=base_value,
                    difference=None if value is None or base_value is None else value - base_value,
                    ci=ci,
                    verdict=verdict(measure, name, metrics, measured[0], ci, currency),
                )
            )
    return found
