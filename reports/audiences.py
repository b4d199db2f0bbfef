"""What a segment's members did with each campaign: one aggregation over the store's campaign pairs.

The import keeps one row per (campaign, contact) pair with a send, with a byte of flags and the
attributed revenue (`store.audiences`, which says what each flag and the attribution mean). A
report is then one statement: the segment's member query joined with the pairs, grouped per
campaign and flags, in the database. Nothing is read into the process but a row per campaign and
combination of flags (a few hundred), so a fresh process answers as fast as a warm one.

    ids = segment_service.member_ids(conn, definition, as_of, reachable_only=False)
    members, counted = count(conn, ids, ["cmp-001", "cmp-002"])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, Row, Select, func, select, true

from reports.metrics import CampaignCounts, Counts
from store.audiences import BOUNCED, CLICKED, COMPLAINED, CONVERTED, OPENED, UNSUBSCRIBED
from store.models import Campaign, CampaignAudience, CampaignPair

pairs, audiences, campaigns = CampaignPair.__table__, CampaignAudience.__table__, Campaign.__table__

#: Pairs' counts of `Counts`, by the flag each counts among delivered pairs.
AMONG_DELIVERED = {
    "opens": OPENED,
    "clicks": CLICKED,
    "unsubscribes": UNSUBSCRIBED,
    "complaints": COMPLAINED,
    "conversions": CONVERTED,
}


def count(conn: Connection, members: Select, campaign_ids: list[str]) -> tuple[int, list[CampaignCounts]]:
    """How many members there are, and per chosen campaign sent to any of them, their pairs' counts.

    `members` selects the members' contact ids. One statement counts both: the members once (a
    common table expression used twice, which both databases materialize), and their pairs per
    campaign and combination of flags, which `_fold` turns into counts per campaign.
    """
    chosen, every = _chosen(conn, campaign_ids)
    found = members.cte("members")
    total = select(func.count().label("members")).select_from(found).subquery("total")
    revenue = pairs.c.revenue
    grouped = (
        select(
            pairs.c.campaign_id,
            pairs.c.flags,
            func.count().label("pairs"),
            func.sum(revenue).label("revenue"),
            func.sum(revenue * revenue).label("squares"),
        )
        # Each member's pairs looked up by the key, which holds them side by side: the planner
        # knows nothing of the members, and a join would have PostgreSQL hash every pair instead.
        .where(pairs.c.contact_id.in_(select(found.c[0])))
        # Every campaign sent (the default) needs no condition, which SQLite would test by looking
        # up each member's pair of each campaign, where it can read a member's pairs in one go.
        .where(*([] if every else [pairs.c.campaign_id.in_(list(chosen))]))
        .group_by(pairs.c.campaign_id, pairs.c.flags)
        .subquery("grouped")
    )
    # The count's one row, beside each group's: a segment whose members had no email still counts.
    statement = select(total.c.members, grouped).select_from(total.outerjoin(grouped, true()))
    rows = conn.execute(statement).all()
    counted = _fold([row for row in rows if row.campaign_id is not None])
    sent = [(key, name, first) for key, (name, first) in chosen.items() if key in counted]
    return rows[0].members, [CampaignCounts(name, first, counted[key]) for key, name, first in sent]


def _chosen(conn: Connection, campaign_ids: list[str]) -> tuple[dict[int, tuple[str, datetime | None]], bool]:
    """The chosen campaigns that were sent, by their key in the store: their id and first send, in
    the order chosen; and whether they are every campaign sent."""
    sent = select(campaigns.c.id, campaigns.c.external_id, audiences.c.first_sent_at).join(
        audiences, audiences.c.campaign_id == campaigns.c.id
    )
    found = {name: (key, first) for key, name, first in conn.execute(sent)}
    chosen = {found[name][0]: (name, found[name][1]) for name in campaign_ids if name in found}
    return chosen, len(chosen) == len(found)


def _fold(rows: Iterable[Row]) -> dict[int, Counts]:
    """Counts per campaign from its pairs counted per combination of flags."""
    folded: dict[int, Counts] = defaultdict(Counts)
    for row in rows:
        folded[row.campaign_id] += _group_counts(row)
    return dict(folded)


def _group_counts(group: Row) -> Counts:
    """The counts of one campaign's pairs that share a combination of flags (`grouped` of `count`):
    a bounced pair counts as a recipient and a bounce, and nothing else."""
    if group.flags & BOUNCED:
        return Counts(recipients=group.pairs, bounces=group.pairs)
    among_delivered: dict[str, int] = {
        name: group.pairs for name, flag in AMONG_DELIVERED.items() if group.flags & flag
    }
    return Counts(
        recipients=group.pairs,
        revenue=_money(group.revenue),
        revenue_squares=_money(group.squares),
        **among_delivered,
    )


def _money(value: Decimal | float | None) -> Decimal:
    """A sum of amounts as a Decimal (SQLite sums them as floating point), 0 for no amount."""
    return Decimal(0) if value is None else Decimal(str(round(float(value), 6)))
