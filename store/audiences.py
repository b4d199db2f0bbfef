"""Campaign audiences kept in the store: one row per (campaign, contact) pair with a send.

A report counts a segment's pairs. Reading every event into a process at the first report (40-odd
seconds and 860 MB at a million contacts, on every `python app.py report`) is what this table
saves: the import builds it in SQL, and a report joins its members with it (`reports.audiences`).

    rebuild(conn)                          # every pair, after an import (the stored window)
    rebuild(conn, contact_ids=[12, 40])    # these contacts' pairs, after their events changed
    rebuild(conn, attribution_days=7)      # every pair, with another attribution window

Each pair's flags follow README's "Performance" section: a pair exists when the campaign (one the
`campaigns` table names) was sent to the contact; bounced, opened, clicked, unsubscribed,
complained when such an event carries the campaign; converted when a purchase belongs to it:
carrying its id, or without an id, by the contact's latest click at or before the purchase when
that click is at most the attribution window earlier (clicks at the same moment: the greatest
campaign id, a click of a known campaign before one of an unknown or no campaign; a latest click
of an unknown campaign attributes the purchase to nobody). A purchase carrying an id the
`campaigns` table lacks belongs to nobody; one of a pair without a send is left out. Revenue is
the sum of the pair's purchases' amounts in the store's currency (0 for a conversion without amounts, NULL
when none).

`campaign_audiences` keeps each campaign's first send (for trends) and the attribution window its
pairs were built with: one window for the whole store, the last one built.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Connection,
    Engine,
    Select,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from store.db import is_postgres
from store.models import Campaign, CampaignAudience, CampaignPair, Event
from store.pricing import fill_rates_of, priced

#: The attribution window of a store whose pairs were never built, in days.
ATTRIBUTION_DAYS = 5
SENT, BOUNCED, OPENED, CLICKED = 1, 2, 4, 8
UNSUBSCRIBED, COMPLAINED, CONVERTED = 16, 32, 64
#: The flag each engagement event sets on its pair: one bit per type.
FLAGS = {
    "email_sent": SENT,
    "email_bounced": BOUNCED,
    "email_opened": OPENED,
    "email_clicked": CLICKED,
    "email_unsubscribed": UNSUBSCRIBED,
    "email_complained": COMPLAINED,
}
MICROSECONDS = 1_000_000
#: PostgreSQL's settings while it groups every event into pairs (`_sorting`).
SORTING = {"enable_hashagg": "off", "work_mem": "256MB"}
#: Contacts per statement of a partial rebuild: below SQLite's limit of bound parameters.
CONTACTS_PER_STATEMENT = 10_000

pairs, audiences = CampaignPair.__table__, CampaignAudience.__table__
campaigns = Campaign.__table__


def rebuild(
    conn: Connection,
    contact_ids: Iterable[int] | None = None,
    attribution_days: int | None = None,
    events: Table = Event.__table__,
) -> None:
    """Rebuild the pairs of `contact_ids` (None: of every contact) from `events`, in SQL.

    The import calls it after loading events or campaigns; whatever else adds events (sends,
    tracking) calls it with the contacts whose events it added, which costs their events alone.
    `attribution_days` None keeps the window the store was built with; another window rebuilds
    every pair (a partial rebuild with another window would mix two windows, and is refused).
    """
    stored = built_window(conn)
    days = stored if attribution_days is None else attribution_days
    if days is None:
        days = ATTRIBUTION_DAYS
    if contact_ids is None or (stored is not None and days != stored):
        if contact_ids is not None:
            raise ValueError(f"the pairs were built with {stored} days: rebuild all for {days}")
        _rebuild_all(conn, days, events)
        return
    for chunk in _chunks(contact_ids, CONTACTS_PER_STATEMENT):
        chosen = events.c.contact_id.in_(chunk)
        fill_rates_of(conn, chosen, events)  # their new purchases came in without an import
        conn.execute(delete(pairs).where(pairs.c.contact_id.in_(chunk)))
        conn.execute(insert(pairs).from_select(PAIR_COLUMNS, pair_rows(events, days, chosen)))
        _merge_first_sends(conn, events, days, chosen)


def built_window(conn: Connection) -> int | None:
    """The attribution window the stored pairs were built with; None when nothing was sent."""
    return conn.execute(select(func.max(audiences.c.attribution_days))).scalar()


PAIR_COLUMNS = ["campaign_id", "contact_id", "flags", "revenue"]


def _rebuild_all(conn: Connection, days: int, events: Table) -> None:
    """Every pair, written in the key's order: PostgreSQL's table then holds each contact's pairs
    side by side, as SQLite's does by its key, and the key grows at its end."""
    conn.execute(delete(pairs))
    conn.execute(delete(audiences))
    rows = pair_rows(events, days)
    ordered = rows.order_by(rows.selected_columns.contact_id, rows.selected_columns.campaign_id)
    with _sorting(conn):
        conn.execute(insert(pairs).from_select(PAIR_COLUMNS, ordered))
    firsts = _first_sends(events, days)
    conn.execute(insert(audiences).from_select(["campaign_id", "first_sent_at", "attribution_days"], firsts))
    conn.exec_driver_sql(f"ANALYZE {pairs.name}")  # the planner's guess of a report's join


@contextmanager
def _sorting(conn: Connection) -> Iterator[None]:
    """PostgreSQL groups the events by sorting them, with room to sort in: a hash table of millions
    of pairs spills to disk, and sorted groups come out in the key's order (at 1M, the grouping took
    48 s against 107 s with hashing, on a busy machine)."""
    if not is_postgres(conn.engine):
        yield
        return
    names = list(SORTING)
    before = [conn.exec_driver_sql(f"SELECT current_setting('{name}')").scalar_one() for name in names]
    _configure(conn, SORTING)
    try:
        yield
    finally:
        _configure(conn, dict(zip(names, before, strict=True)))


def _configure(conn: Connection, settings: dict[str, str]) -> None:
    for name, value in settings.items():
        conn.execute(select(func.set_config(name, value, True)))


def vacuum(engine: Engine) -> None:
    """After a rebuild's commit, on PostgreSQL: a report reads the pairs from their key alone only
    where the visibility map says every row is visible, which VACUUM sets (autovacuum would, later)."""
    if is_postgres(engine):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM {pairs.name}")


def pair_rows(events: Table, days: int, chosen: ColumnElement[bool] | None = None) -> Select:
    """(campaign_id, contact_id, flags, revenue) of every pair with a send among the `chosen` events.

    The engagement flags per pair, and beside them the pair's purchases (`_purchases`), summed.
    """
    engaged = _engagement(events, chosen).subquery("engaged")
    bought = _purchases(events, days, chosen).subquery("bought")
    revenue = (
        select(
            bought.c.campaign_id,
            bought.c.contact_id,
            func.coalesce(func.sum(bought.c.amount), 0).label("revenue"),
        )
        .group_by(bought.c.campaign_id, bought.c.contact_id)
        .subquery("revenue")
    )
    converted = revenue.c.contact_id.is_not(None)
    return (
        select(
            engaged.c.campaign_id,
            engaged.c.contact_id,
            engaged.c.flags + case((converted, CONVERTED), else_=0),
            revenue.c.revenue,
        )
        .outerjoin(
            revenue,
            and_(
                revenue.c.campaign_id == engaged.c.campaign_id, revenue.c.contact_id == engaged.c.contact_id
            ),
        )
        .where(engaged.c.flags.op("&")(SENT) != 0)
    )


def _engagement(events: Table, chosen: ColumnElement[bool] | None) -> Select:
    """Per (known campaign, contact) with an engagement event, the or of their flags: a sum of
    each type's flag if it has any (SQLite has no bit_or; a sum of DISTINCT would keep PostgreSQL
    from hashing and from sharing the work with parallel workers).

    The events are grouped by their own columns before the campaigns are looked up: joined first,
    SQLite scanned every event once per campaign (a 100k store's pairs took 5.7 s against 2.9 s).
    """
    each_flag = (func.max(case((events.c.type == kind, flag), else_=0)) for kind, flag in FLAGS.items())
    flags = sum(each_flag, start=literal(0))  # SQL's 0 + max(..) + ..., a column from the start
    grouped = (
        select(events.c.contact_id, events.c.campaign_id, flags.label("flags"))
        .where(events.c.type.in_(list(FLAGS)), events.c.campaign_id.is_not(None), *_also(chosen))
        .group_by(events.c.contact_id, events.c.campaign_id)
        .subquery("grouped")
    )
    return select(campaigns.c.id.label("campaign_id"), grouped.c.contact_id, grouped.c.flags).join(
        campaigns, campaigns.c.external_id == grouped.c.campaign_id
    )


def _purchases(events: Table, days: int, chosen: ColumnElement[bool] | None) -> CompoundSelect:
    """(campaign_id, contact_id, amount) of every purchase that belongs to a known campaign: by the
    id it carries, or without one, by its latest click (`_latest_clicks`)."""
    joined, value = priced(events)
    own = (
        select(campaigns.c.id.label("campaign_id"), events.c.contact_id, value.label("amount"))
        .select_from(joined)
        .join(campaigns, campaigns.c.external_id == events.c.campaign_id)
        .where(events.c.type == "purchase", *_also(chosen))
    )
    latest = _latest_clicks(events, days, chosen).subquery("latest")
    clicks = events.alias("clicks")
    # Among the clicks of that moment, the greatest campaign id of a known campaign.
    winner = (
        select(latest.c.contact_id, latest.c.amount, func.max(campaigns.c.external_id).label("external_id"))
        .join(
            clicks,
            and_(clicks.c.contact_id == latest.c.contact_id, clicks.c.occurred_at == latest.c.clicked_at),
        )
        .join(campaigns, campaigns.c.external_id == clicks.c.campaign_id)
        .where(clicks.c.type == "email_clicked")
        .group_by(latest.c.contact_id, latest.c.occurred_at, latest.c.fingerprint, latest.c.amount)
        .subquery("winner")
    )
    via_click = select(campaigns.c.id, winner.c.contact_id, winner.c.amount).join(
        campaigns, campaigns.c.external_id == winner.c.external_id
    )
    return union_all(own, via_click)


def _latest_clicks(events: Table, days: int, chosen: ColumnElement[bool] | None) -> Select:
    """Each purchase without a campaign whose contact's latest click at or before it (a click of
    the same moment included: the window's frame takes the order's peers) is at most `days` old."""
    clicked = case((events.c.type == "email_clicked", events.c.occurred_at))
    joined, value = priced(events)
    timeline = (
        select(
            events.c.contact_id,
            events.c.type,
            events.c.occurred_at,
            events.c.fingerprint,
            events.c.campaign_id,
            value.label("amount"),
            func.max(clicked)
            .over(partition_by=events.c.contact_id, order_by=events.c.occurred_at)
            .label("clicked_at"),
        )
        .select_from(joined)
        .where(events.c.type.in_(["email_clicked", "purchase"]), *_also(chosen))
        .subquery("timeline")
    )
    window = literal(days * 86_400 * MICROSECONDS, BigInteger)
    return select(timeline).where(
        timeline.c.type == "purchase",
        timeline.c.campaign_id.is_(None),
        timeline.c.clicked_at.is_not(None),
        EpochMicroseconds(timeline.c.clicked_at) >= EpochMicroseconds(timeline.c.occurred_at) - window,
    )


def _first_sends(events: Table, days: int, chosen: ColumnElement[bool] | None = None) -> Select:
    """Each known campaign's first send among the `chosen` events, and the window: the sends
    grouped by their campaign before it is looked up (joined first, SQLite read every send once
    per campaign: 16.5 s against 4.6 s at 100k)."""
    sends = (
        select(events.c.campaign_id, func.min(events.c.occurred_at).label("first_sent_at"))
        .where(events.c.type == "email_sent", *_also(chosen))
        .group_by(events.c.campaign_id)
        .subquery("sends")
    )
    return select(campaigns.c.id, sends.c.first_sent_at, literal(days)).join(
        campaigns, campaigns.c.external_id == sends.c.campaign_id
    )


def _merge_first_sends(conn: Connection, events: Table, days: int, chosen: ColumnElement[bool]) -> None:
    """Campaigns' first sends, earlier ones of the chosen contacts' events included (events are
    only ever added, so the earliest stays the earliest)."""
    stored = dict(conn.execute(select(audiences.c.campaign_id, audiences.c.first_sent_at)).all())
    for campaign_id, first, _days in conn.execute(_first_sends(events, days, chosen)):
        if campaign_id not in stored:
            conn.execute(
                insert(audiences),
                {"campaign_id": campaign_id, "first_sent_at": first, "attribution_days": days},
            )
        elif first < stored[campaign_id]:
            conn.execute(
                audiences.update().where(audiences.c.campaign_id == campaign_id), {"first_sent_at": first}
            )


class EpochMicroseconds(FunctionElement):
    """A stored time stamp as microseconds since 1970 (SQLite keeps the milliseconds of its text)."""

    type = BigInteger()
    inherit_cache = True


@compiles(EpochMicroseconds, "sqlite")
def _sqlite_epoch(element: EpochMicroseconds, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%s', {moment}) AS INTEGER) * {MICROSECONDS}"
        f" + CAST(substr(strftime('%f', {moment}), 4) AS INTEGER) * 1000)"
    )


@compiles(EpochMicroseconds, "postgresql")
def _postgres_epoch(element: EpochMicroseconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(extract(epoch FROM {compiler.process(element.clauses, **kw)}) * {MICROSECONDS} AS BIGINT)"


def _also(condition: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [] if condition is None else [condition]


def _chunks(values: Iterable[int], size: int) -> Iterable[list[int]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk
