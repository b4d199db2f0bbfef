"""The issue's definitions written again as plain SQL (`reports.audiences` counts with numpy): one query per
metric over DISTINCT pairs with EXISTS, and last-click attribution as "a click with no later click"
(NOT EXISTS) and the window in whole seconds. The independent check of every metric."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine, bindparam, text

from tests.reference_money import in_dollars

WINDOW = {
    "sqlite": "CAST(strftime('%s', p.occurred_at) AS INTEGER)"
    " - CAST(strftime('%s', c.occurred_at) AS INTEGER)",
    "postgresql": "EXTRACT(EPOCH FROM p.occurred_at - c.occurred_at)",
}

PAIRS = """
WITH sent AS (
    SELECT DISTINCT contact_id, campaign_id FROM events
    WHERE type = 'email_sent' AND campaign_id IN :campaigns AND contact_id IN :members
),
delivered AS (
    SELECT s.contact_id, s.campaign_id FROM sent s
    WHERE NOT EXISTS (SELECT 1 FROM events b WHERE b.contact_id = s.contact_id
                      AND b.campaign_id = s.campaign_id AND b.type = 'email_bounced')
),
attributed AS (
    SELECT p.contact_id, p.campaign_id, p.amount, p.currency, p.occurred_at FROM events p
    WHERE p.type = 'purchase' AND p.campaign_id IS NOT NULL
    UNION ALL
    SELECT p.contact_id, c.campaign_id, p.amount, p.currency, p.occurred_at
    FROM events p JOIN events c ON c.contact_id = p.contact_id AND c.type = 'email_clicked'
         AND c.occurred_at <= p.occurred_at AND {window} <= :seconds
    WHERE p.type = 'purchase' AND p.campaign_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM events c2 WHERE c2.contact_id = p.contact_id
                      AND c2.type = 'email_clicked' AND c2.occurred_at <= p.occurred_at
                      AND (c2.occurred_at > c.occurred_at
                           OR (c2.occurred_at = c.occurred_at AND c2.campaign_id > c.campaign_id)))
)
"""

QUERIES = {
    "recipients": "SELECT count(*) FROM sent",
    "delivered": "SELECT count(*) FROM delivered",
    "bounces": "SELECT count(*) FROM sent s WHERE EXISTS (SELECT 1 FROM events e WHERE "
    "e.contact_id = s.contact_id AND e.campaign_id = s.campaign_id AND e.type = 'email_bounced')",
    "opens": "SELECT count(*) FROM delivered d WHERE EXISTS (SELECT 1 FROM events e WHERE "
    "e.contact_id = d.contact_id AND e.campaign_id = d.campaign_id AND e.type = 'email_opened')",
    "clicks": "SELECT count(*) FROM delivered d WHERE EXISTS (SELECT 1 FROM events e WHERE "
    "e.contact_id = d.contact_id AND e.campaign_id = d.campaign_id AND e.type = 'email_clicked')",
    "unsubscribes": "SELECT count(*) FROM delivered d WHERE EXISTS (SELECT 1 FROM events e WHERE "
    "e.contact_id = d.contact_id AND e.campaign_id = d.campaign_id AND e.type = 'email_unsubscribed')",
    "complaints": "SELECT count(*) FROM delivered d WHERE EXISTS (SELECT 1 FROM events e WHERE "
    "e.contact_id = d.contact_id AND e.campaign_id = d.campaign_id AND e.type = 'email_complained')",
    "conversions": "SELECT count(*) FROM delivered d WHERE EXISTS (SELECT 1 FROM attributed a "
    "WHERE a.contact_id = d.contact_id AND a.campaign_id = d.campaign_id)",
    # Each delivered pair with its attributed purchases (one row without any), added up in dollars
    # (`in_dollars`).
    "pair_revenue": "SELECT d.contact_id, d.campaign_id, a.amount, a.currency, a.occurred_at "
    "FROM delivered d LEFT JOIN attributed a ON a.contact_id = d.contact_id "
    "AND a.campaign_id = d.campaign_id",
}


def reference_counts(
    engine: Engine, members: list[int], campaigns: list[str], days: int
) -> tuple[dict[str, int], list[Decimal]]:
    """The counts of every metric, and each delivered pair's revenue (0 without purchases)."""
    head = PAIRS.format(window=WINDOW[engine.dialect.name])
    params = {"members": members, "campaigns": campaigns, "seconds": days * 86400}
    found: dict[str, int] = {}
    with engine.connect() as conn:
        for name, body in QUERIES.items():
            statement = text(head + body).bindparams(
                bindparam("members", expanding=True), bindparam("campaigns", expanding=True)
            )
            rows = conn.execute(statement, params).all()
            if name == "pair_revenue":
                revenues = _pair_revenues(rows)
            else:
                found[name] = rows[0][0]
    return found, revenues


def _pair_revenues(rows: list) -> list[Decimal]:
    """Each pair's purchases in dollars, summed (0 without a purchase or an amount)."""
    pairs: dict[tuple[int, str], float] = {}
    for contact_id, campaign_id, amount, currency, at in rows:
        dollars = in_dollars(amount, currency, at) if at is not None else None
        pairs[(contact_id, campaign_id)] = pairs.get((contact_id, campaign_id), 0.0) + (dollars or 0.0)
    return [Decimal(repr(total)) for total in pairs.values()]
