"""The lifecycle presets of segment-semantics.md, spelled out as plain conditions.

Each preset is a labelled group, so the reading can say both its name and what it means. A
preset's window is its default; a phrase that names its own ("new subscribers from the last 14
days", "lapsed for 6 months") passes that window instead.
"""

from __future__ import annotations

from decimal import Decimal

from segments.definition import (
    All,
    AnyOf,
    Attribute,
    Condition,
    Count,
    Event,
    Last,
    Not,
    OlderThan,
    Rank,
    Reachability,
    Span,
    Window,
)

LABELS = {
    "new": "new subscribers",
    "active": "active buyers",
    "lapsed": "lapsed customers",
    "high_value": "high-value customers",
    "passive": "passive subscribers",
    "engaged": "highly engaged",
    "inactive": "inactive",
    "cart_abandoners": "cart abandoners",
    "browsers": "browsers who haven't purchased",
    "vip": "VIP",
    "reachable": "reachable",
    "suppressed": "suppressed",
    "first_time": "first-time buyers",
}
DEFAULT_DAYS = {"new": 30, "active": 60, "lapsed": 90, "engaged": 90, "inactive": 60, "cart_abandoners": 7,
                "browsers": 30}  # fmt: skip
#: Presets that take a time of the phrase: those with a default window, and first-time buyers.
TAKES_WINDOW = {*DEFAULT_DAYS, "first_time"}
#: Presets that say something about purchases, so that "customers" adds nothing of its own.
ABOUT_PURCHASES = {
    "active",
    "lapsed",
    "high_value",
    "cart_abandoners",
    "browsers",
    "vip",
    "passive",
    "first_time",
}


def days(n: int) -> Last:
    return Last(span=Span(n=n, unit="day"))


def first_purchase_in(window: Window | None) -> list[Condition]:
    """First-time buyers: the first purchase falls in the window (none said: exactly one purchase).
    A window that counts back ("the last 30 days") has its "before" ("more than 30 days ago")."""
    if window is None:
        return [Event(type="purchase", count=Count(op="eq", n=1))]
    if not isinstance(window, Last):
        raise ValueError("first-time buyers take a time that counts back, e.g. 'in the last 30 days'")
    return [
        Event(type="purchase", window=window),
        Not(of=Event(type="purchase", window=OlderThan(span=window.span))),
    ]


def expand(name: str, window: Window | None = None) -> Condition:
    """The preset `name` as conditions, with `window` in place of its default one."""
    window = window or (days(DEFAULT_DAYS[name]) if name in DEFAULT_DAYS else None)
    purchase = Event(type="purchase")
    parts: list[Condition]
    match name:
        case "new":
            parts = [Attribute(field="signed_up_at", op="present", window=window)]
        case "active":
            parts = [Event(type="purchase", window=window)]
        case "lapsed":
            parts = [purchase, Not(of=Event(type="purchase", window=window))]
        case "high_value":
            parts = [Rank(by="spend", percent=Decimal(20))]
        case "passive":
            engaged = AnyOf(of=[Event(type="email_opened"), Event(type="email_clicked")])
            parts = [engaged, Not(of=purchase)]
        case "engaged":
            parts = [Event(type="email_opened", window=window, count=Count(op="ge", n=3))]
        case "inactive":
            parts = [
                Not(of=Event(type="email_opened", window=window)),
                Not(of=Event(type="email_clicked", window=window)),
            ]
        case "cart_abandoners":
            parts = [
                Event(type="cart_abandoned", window=window),
                Not(of=Event(type="purchase", after_latest="cart_abandoned")),
            ]
        case "browsers":
            parts = [
                Event(type="product_viewed", window=window),
                Not(of=Event(type="purchase", window=window)),
            ]
        case "vip":
            parts = [Rank(by="rfm", percent=Decimal(5))]
        case "reachable" | "suppressed":
            return Reachability(state=name)
        case "first_time":
            parts = first_purchase_in(window)
        case _:
            raise KeyError(name)
    return All(of=parts, label=LABELS[name])
