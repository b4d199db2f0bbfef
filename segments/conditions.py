"""A reading split into its conditions, one line each, for a person to check and refine.

reading_conditions(definition, as_of, zone)
# ["who are lapsed customers [with at least one purchase and ...]", "in Germany"]
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from segments.definition import All, Definition
from segments.reading import Reader
from store.pricing import DEFAULT_CURRENCY


def reading_conditions(
    definition: Definition, as_of: datetime, zone: tzinfo = UTC, currency: str = DEFAULT_CURRENCY
) -> list[str]:
    """The top-level conditions of the definition, read; empty for every contact."""
    where = definition.where
    if where is None:
        return []
    reader = Reader(as_of, zone, currency)
    parts = where.of if isinstance(where, All) and not where.label else [where]
    return [reader.condition(part) for part in parts]
