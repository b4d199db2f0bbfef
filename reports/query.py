"""One SQL query for a report: per campaign, the counts of a segment's (contact, campaign) pairs.

    pair rows   the members' engagement events of the chosen campaigns, and their purchases:
                one carrying a chosen campaign's id, or none, then the campaign of the contact's
                latest click at most the attribution window before it (last click)
    pairs       grouped by (contact, campaign); kept when the pair has an `email_sent`
    per campaign   recipients, bounces, unique opens, ... of the delivered pairs

The segment is its compiled condition on `contacts` (segments/compiler.py); campaign ids, types and
the window travel as bound parameters. Dialect matters in one place: the window's start.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, Integer, Select, and_, case, func, literal, null, select, union_all

from store.models import Contact, Event

contacts = Contact.__table__
events = Event.__table__

SENT, BOUNCED, OPENED, CLICKED = "email_sent", "email_bounced", "email_opened", "email_clicked"
UNSUBSCRIBED, COMPLAINED, PURCHASE = "email_unsubscribed", "email_complained", "purchase"
#: Pair flags and the event type that sets each.
FLAGS = {
    "sent": SENT,
    "bounced": BOUNCED,
    "opened": OPENED,
    "clicked": CLICKED,
    "unsubscribed": UNSUBSCRIBED,
    "complained": COMPLAINED,
    "converted": PURCHASE,
}
#: The per-campaign columns the query returns, in order.
COLUMNS = (
    "campaign_id", "first_sent", "recipients", "bounces", "opens", "clicks", "unsubscribes",
    "complaints", "conversions", "revenue", "revenue_squares",
)  # fmt: skip


def window_start(moment: ColumnElement, days: int, dialect: str) -> ColumnElement:
    """`moment` less `days` days, comparable with stored time stamps (SQLite keeps sortable text;
    `datetime()` drops fractions of a second, which time stamps from CSV files do not have)."""
    if dialect == "sqlite":
        return func.datetime(moment, f"-{int(days)} days")
    return moment - literal(timedelta(days=days))


def last_click_campaign(purchase, days: int, dialect: str) -> ColumnElement:
    """The campaign of the contact's latest click at or before the purchase, at most `days` earlier
    (two clicks at the same moment: the greater campaign id)."""
    click = events.alias("click")
    return (
        select(click.c.campaign_id)
        .where(
            click.c.contact_id == purchase.c.contact_id,
            click.c.type == CLICKED,
            click.c.occurred_at <= purchase.c.occurred_at,
            click.c.occurred_at >= window_start(purchase.c.occurred_at, days, dialect),
        )
        .order_by(click.c.occurred_at.desc(), click.c.campaign_id.desc().nulls_last())
        .limit(1)
        .scalar_subquery()
    )


def _flag(type_column: ColumnElement, kind: str) -> ColumnElement:
    return case((type_column == kind, 1), else_=0)


def pair_rows(members: Select, campaign_ids: list[str], days: int, dialect: str) -> Select:
    """Rows of (contact, campaign, flags..., amount): events of the chosen campaigns, and
    purchases without a campaign under the campaign their last click gives them."""
    tagged = select(
        events.c.contact_id,
        events.c.campaign_id,
        events.c.occurred_at,
        *(_flag(events.c.type, kind).label(name) for name, kind in FLAGS.items()),
        case((events.c.type == PURCHASE, events.c.amount), else_=null()).label("amount"),
    ).where(
        events.c.type.in_(list(FLAGS.values())),
        events.c.campaign_id.in_(campaign_ids),
        events.c.contact_id.in_(members),
    )
    purchase = events.alias("purchase")
    unattributed = (
        select(purchase.c.contact_id, purchase.c.occurred_at, purchase.c.amount)
        .where(
            purchase.c.type == PURCHASE,
            purchase.c.campaign_id.is_(None),
            purchase.c.contact_id.in_(members),
        )
        .subquery("unattributed")
    )
    attributed = select(
        unattributed.c.contact_id,
        last_click_campaign(unattributed, days, dialect).label("campaign_id"),
        unattributed.c.occurred_at,
        *(literal(1 if name == "converted" else 0, Integer).label(name) for name in FLAGS),
        unattributed.c.amount,
    )
    return union_all(tagged, attributed)


def pairs(members: Select, campaign_ids: list[str], days: int, dialect: str) -> Select:
    """(contact, campaign) pairs with a send. Only chosen campaigns' sends are among the rows, so a
    purchase attributed to another campaign (or to none) makes a pair without a send, dropped here;
    filtering on the campaign before the grouping would have PostgreSQL look for the last click of
    every purchase in the store, members or not."""
    rows = pair_rows(members, campaign_ids, days, dialect).subquery("pair_rows")
    sent_at = case((rows.c.sent == 1, rows.c.occurred_at), else_=null())
    revenue = func.coalesce(func.sum(case((rows.c.converted == 1, rows.c.amount), else_=null())), 0)
    return (
        select(
            rows.c.contact_id,
            rows.c.campaign_id,
            func.min(sent_at).label("first_sent"),
            *(func.max(rows.c[name]).label(name) for name in FLAGS if name != "sent"),
            revenue.label("revenue"),
        )
        .group_by(rows.c.contact_id, rows.c.campaign_id)
        .having(func.max(rows.c.sent) == 1)
    )


def per_campaign(members: Select, campaign_ids: list[str], days: int, dialect: str) -> Select:
    """One row per campaign with recipients among the members: the columns of COLUMNS."""
    pair = pairs(members, campaign_ids, days, dialect).subquery("pairs")
    delivered = pair.c.bounced == 0

    def among_delivered(flag: str) -> ColumnElement:
        return func.sum(case((and_(delivered, pair.c[flag] == 1), 1), else_=0))

    revenue = case((delivered, pair.c.revenue), else_=0)
    return select(
        pair.c.campaign_id,
        func.min(pair.c.first_sent).label("first_sent"),
        func.count().label("recipients"),
        func.sum(pair.c.bounced).label("bounces"),
        among_delivered("opened").label("opens"),
        among_delivered("clicked").label("clicks"),
        among_delivered("unsubscribed").label("unsubscribes"),
        among_delivered("complained").label("complaints"),
        among_delivered("converted").label("conversions"),
        func.sum(revenue).label("revenue"),
        func.sum(revenue * revenue).label("revenue_squares"),
    ).group_by(pair.c.campaign_id)


def members_of(where: ColumnElement[bool]) -> Select:
    """The ids of the contacts that match a segment's compiled condition."""
    return select(contacts.c.id).where(where)
