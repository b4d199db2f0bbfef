"""Who was sent each campaign and what they did with it, as arrays in memory.

A report counts a segment's (contact, campaign) pairs. Grouping the events of a large segment in
SQL costs tens of seconds at a million contacts; here the events are read once, into one row per
pair (a contact id and a byte of flags), and a report then costs the segment's member query and an
array lookup per campaign: numpy, not SQL, does the counting.

    audiences = build(conn, attribution_days=5)
    audiences.counts(member_ids, ["cmp-001", "cmp-002"])    # CampaignCounts per campaign sent

Each pair's flags follow the definitions of README's "Performance" section: a pair exists when the
campaign was sent to the contact; bounced, opened, clicked, unsubscribed, complained when such an
event carries the campaign; converted when a purchase belongs to it, carrying its id, or without
an id, by the contact's latest click at most the attribution window before the purchase (two clicks
at the same moment: the greater campaign id). Revenue is the sum of those purchases' amounts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Float,
    Select,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)

from reports.metrics import CampaignCounts, Counts
from store.models import Campaign, Event

events, campaigns = Event.__table__, Campaign.__table__

SENT, BOUNCED, OPENED, CLICKED = 1, 2, 4, 8
UNSUBSCRIBED, COMPLAINED, CONVERTED = 16, 32, 64
#: The flag each engagement event sets on its pair.
FLAGS = {
    "email_sent": SENT,
    "email_bounced": BOUNCED,
    "email_opened": OPENED,
    "email_clicked": CLICKED,
    "email_unsubscribed": UNSUBSCRIBED,
    "email_complained": COMPLAINED,
}
#: Pairs' counts of `Counts`, by the flag each counts among delivered pairs.
AMONG_DELIVERED = {
    "opens": OPENED,
    "clicks": CLICKED,
    "unsubscribes": UNSUBSCRIBED,
    "complaints": COMPLAINED,
    "conversions": CONVERTED,
}
#: A purchase's campaign when it carries none, and when it carries one the `campaigns` table lacks.
NO_CAMPAIGN, UNKNOWN_CAMPAIGN = -1, -2
MICROSECONDS = 1_000_000
#: Rows of one PostgreSQL chunk: those whose first column (a contact id) agrees but in these low bits.
PACKED_GROUP_BITS = 12
#: The arrays' types for the kinds of `fetch`: 'i' integers, 'f' floating point.
DTYPES = {"i": np.int64, "f": np.float64}
#: Rows fetched at a time: memory stays flat whatever the number of events.
BATCH = 262_144


@dataclass(frozen=True)
class Audience:
    """One campaign's pairs: contact ids (sorted), their flags, and the revenue of converted pairs."""

    campaign_id: str
    first_sent: datetime | None
    contacts: np.ndarray  # int32, sorted
    flags: np.ndarray  # uint8, aligned with contacts
    paid: np.ndarray  # int64 positions in contacts of the pairs with revenue
    revenue: np.ndarray  # float64, aligned with paid

    def counts(self, members: np.ndarray) -> Counts:
        """The counts of the pairs whose contact is a member (`members[id]` is true)."""
        inside = members[self.contacts]
        flags = self.flags[inside]
        delivered = (flags & BOUNCED) == 0
        counted = {
            name: int(np.count_nonzero(delivered & ((flags & flag) != 0)))
            for name, flag in AMONG_DELIVERED.items()
        }
        kept = inside[self.paid] & ((self.flags[self.paid] & BOUNCED) == 0)
        revenue = self.revenue[kept]
        return Counts(
            recipients=int(inside.sum()),
            bounces=int(np.count_nonzero(~delivered)),
            **counted,
            revenue=_money(revenue.sum()),
            revenue_squares=_money(np.square(revenue).sum()),
        )


@dataclass(frozen=True)
class Audiences:
    """Every campaign's audience, read at one state of the store with one attribution window."""

    campaigns: dict[str, Audience]
    #: The largest contact id with a pair, or -1.
    largest: int = -1

    def counts(self, members: Iterable[int], campaign_ids: list[str]) -> list[CampaignCounts]:
        """Per chosen campaign with pairs among the members, their counts."""
        ids = np.fromiter(members, dtype=np.int64)
        # A mask over contact ids: a lookup per pair, where a search in the ids would cost twenty.
        mask = np.zeros(max(int(ids.max(initial=-1)), self.largest) + 1, dtype=bool)
        mask[ids] = True
        found = []
        for campaign_id in campaign_ids:
            audience = self.campaigns.get(campaign_id)
            if audience is None:
                continue
            counts = audience.counts(mask)
            if counts.recipients:
                found.append(CampaignCounts(campaign_id, audience.first_sent, counts))
        return found


def build(conn: Connection, attribution_days: int) -> Audiences:
    """Every campaign's audience, from the events (campaigns as the `campaigns` table names them)."""
    named = select(campaigns.c.id, campaigns.c.external_id).order_by(campaigns.c.external_id)
    known = conn.execute(named).all()
    code = np.full(max((i for i, _ in known), default=0) + 1, -1, dtype=np.int64)
    code[[i for i, _ in known]] = np.arange(len(known))
    pair_keys, pair_flags = _pairs(conn, code)
    revenue = _revenue_per_pair(pair_keys, *_conversions(conn, code, attribution_days))
    pair_flags[revenue.positions] |= CONVERTED
    first_sent = _first_sends(conn)
    bounds = np.searchsorted(pair_keys >> 32, np.arange(len(known) + 1))
    audiences = {}
    for k, (_id, name) in enumerate(known):
        low, high = bounds[k], bounds[k + 1]
        in_range = (revenue.positions >= low) & (revenue.positions < high)
        audiences[name] = Audience(
            campaign_id=name,
            first_sent=first_sent.get(name),
            contacts=(pair_keys[low:high] & 0xFFFFFFFF).astype(np.int32),
            flags=pair_flags[low:high],
            paid=revenue.positions[in_range] - low,
            revenue=revenue.amounts[in_range],
        )
    largest = int((pair_keys & 0xFFFFFFFF).max(initial=-1))
    return Audiences(audiences, largest)


def epoch_microseconds(moment: ColumnElement, dialect: str) -> ColumnElement:
    """A stored time stamp as microseconds since 1970 (SQLite keeps milliseconds of its text)."""
    if dialect == "sqlite":
        seconds = cast(func.strftime("%s", moment), BigInteger) * MICROSECONDS
        return seconds + cast(func.substr(func.strftime("%f", moment), 4), BigInteger) * 1000
    return cast(func.extract("epoch", moment) * MICROSECONDS, BigInteger)


def _pairs(conn: Connection, code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(campaign << 32 | contact) of every pair with a send, sorted, and each pair's flags.

    Each engagement event is packed into one integer, campaign, contact and flag, so that one
    in-place sort brings a pair's events together and its flags are or-ed in one pass.
    """
    rows = (
        select(events.c.contact_id, campaigns.c.id, case(FLAGS, value=events.c.type))
        .join(campaigns, campaigns.c.external_id == events.c.campaign_id)
        .where(events.c.type.in_(list(FLAGS)))
    )
    packed = [code[k] << 40 | contact << 8 | flag for contact, k, flag in fetch(conn, rows, "iii")]
    keys = np.concatenate(packed) if packed else np.array([], dtype=np.int64)
    del packed
    keys.sort()
    flags = (keys & 0xFF).astype(np.uint8)
    keys >>= 8
    if not len(keys):
        return keys, flags
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    pair_keys, pair_flags = keys[starts], np.bitwise_or.reduceat(flags, starts)
    sent = (pair_flags & SENT) != 0
    return pair_keys[sent], pair_flags[sent]


def _first_sends(conn: Connection) -> dict[str, datetime]:
    """Each campaign's first send."""
    firsts = (
        select(events.c.campaign_id, func.min(events.c.occurred_at))
        .where(events.c.type == "email_sent", events.c.campaign_id.is_not(None))
        .group_by(events.c.campaign_id)
    )
    return {name: first for name, first in conn.execute(firsts)}


def _conversions(conn: Connection, code: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """(campaign << 32 | contact, amount) of every purchase that belongs to a known campaign.

    Purchases and clicks are sorted together by contact and time (a click before a purchase of the
    same moment, and among clicks of one moment, the greatest campaign id last); the latest click
    at or before each purchase is then a running maximum of click positions.
    """
    none = case((events.c.campaign_id.is_(None), NO_CAMPAIGN), else_=UNKNOWN_CAMPAIGN)
    rows = (
        select(
            events.c.contact_id,
            epoch_microseconds(events.c.occurred_at, conn.dialect.name),
            case((events.c.type == "purchase", 1), else_=0),
            func.coalesce(campaigns.c.id, none),
            func.coalesce(cast(events.c.amount, Float), 0.0),
        )
        .outerjoin(campaigns, campaigns.c.external_id == events.c.campaign_id)
        .where(events.c.type.in_(["email_clicked", "purchase"]))
    )
    contact, moment, purchase, campaign, amount = columns(conn, rows, "iiiif")
    campaign = np.where(campaign >= 0, code[np.maximum(campaign, 0)], campaign).astype(np.int64)
    order = np.lexsort((campaign, purchase, moment, contact))
    contact, moment, purchase, campaign = contact[order], moment[order], purchase[order], campaign[order]
    positions = np.arange(len(order))
    latest = np.maximum.accumulate(np.where(purchase == 0, positions, -1)) if len(order) else positions
    bought = positions[purchase == 1]
    click = latest[bought]
    via = np.maximum(click, 0)
    window = days * 86_400 * MICROSECONDS
    attributed = (click >= 0) & (contact[via] == contact[bought]) & (moment[via] >= moment[bought] - window)
    own = campaign[bought]
    belongs = np.where(own == NO_CAMPAIGN, np.where(attributed, campaign[via], NO_CAMPAIGN), own)
    kept = belongs >= 0
    keys = belongs[kept] << 32 | contact[bought][kept].astype(np.int64)
    return keys, amount[order][bought][kept]


@dataclass(frozen=True)
class _Revenue:
    positions: np.ndarray  # positions in the pairs' arrays
    amounts: np.ndarray


def _revenue_per_pair(pair_keys: np.ndarray, paid_keys: np.ndarray, amounts: np.ndarray) -> _Revenue:
    """Purchases summed per pair; purchases of a pair without a send are left out."""
    at = np.searchsorted(pair_keys, paid_keys)
    found = at < len(pair_keys)
    found[found] = pair_keys[at[found]] == paid_keys[found]
    positions, inverse = np.unique(at[found], return_inverse=True)
    sums = np.zeros(len(positions), dtype=np.float64)
    np.add.at(sums, inverse, amounts[found])
    return _Revenue(positions.astype(np.int64), sums)


def fetch(conn: Connection, statement: Select, kinds: str) -> Iterator[list[np.ndarray]]:
    """A result of numbers without NULLs, in batches of columns (`kinds`: 'i' int64, 'f' float64).

    PostgreSQL sends it packed into bytes (`_packed`); elsewhere rows are fetched.
    """
    if conn.dialect.name == "postgresql":
        yield from _packed(conn, statement, kinds)
        return
    result = conn.execute(statement.execution_options(stream_results=True, yield_per=BATCH))
    for batch in result.partitions():
        rows = np.array([tuple(row) for row in batch], dtype=np.float64).reshape(-1, len(kinds))
        yield [rows[:, i].astype(DTYPES[k]) for i, k in enumerate(kinds)]


def columns(conn: Connection, statement: Select, kinds: str) -> list[np.ndarray]:
    """The whole result of `fetch`, one array per column."""
    batches = list(zip(*fetch(conn, statement, kinds), strict=True))
    if not batches:
        return [np.array([], dtype=DTYPES[k]) for k in kinds]
    return [np.concatenate(batch) for batch in batches]


def _packed(conn: Connection, statement: Select, kinds: str) -> Iterator[list[np.ndarray]]:
    """PostgreSQL packs each row into bytes (int8send, float8send) and groups of rows into one bytea
    (string_agg, by the first column's high bits), read straight into arrays: a few hundred rows for
    tens of millions, where a row at a time would cost Python a microsecond each."""
    inner = statement.subquery()
    sends = [
        func.int8send(cast(column, BigInteger)) if kind == "i" else func.float8send(cast(column, Float))
        for column, kind in zip(inner.c, kinds, strict=True)
    ]
    row = functools.reduce(lambda a, b: a.op("||")(b), sends)
    group = cast(inner.c[0], BigInteger).op(">>")(literal(PACKED_GROUP_BITS))
    chunks = select(func.string_agg(row, literal_column("''::bytea"))).group_by(group)
    record = np.dtype([(f"c{i}", ">i8" if kind == "i" else ">f8") for i, kind in enumerate(kinds)])
    for (chunk,) in conn.execute(chunks.execution_options(stream_results=True, yield_per=4)):
        rows = np.frombuffer(chunk, dtype=record)
        yield [rows[f"c{i}"].astype(DTYPES[k]) for i, k in enumerate(kinds)]


def _money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 6)))
