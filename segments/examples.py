"""Example phrases made from the workspace's own data, for help: its biggest city, country
and purchase category, a common interest, and its latest campaign. Only phrases the service reads and
finds members for are offered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, func, select

from segments.service import Answer, SegmentService
from store.models import Campaign, Contact, Event

EXAMPLES = 4


def example_phrases(service: SegmentService, as_of: datetime, limit: int = EXAMPLES) -> list[str]:
    """Up to `limit` phrases over this store's data that answer with members."""
    with service.engine.connect() as conn:
        candidates = [make(conn) for make in MAKERS]
    found = []
    for phrase in filter(None, candidates):
        answer = service.answer(phrase, as_of)
        if isinstance(answer, Answer) and answer.count > 0:
            found.append(phrase)
        if len(found) == limit:
            break
    return found


def _most_common(conn: Connection, column) -> str | None:
    query = select(column).where(column.is_not(None), column != "").group_by(column)
    return conn.execute(query.order_by(func.count().desc(), column).limit(1)).scalar()


def _city(conn: Connection) -> str | None:
    city = _most_common(conn, Contact.city)
    return city and f"contacts in {city}"


def _country(conn: Connection) -> str | None:
    country = _most_common(conn, Contact.country)
    return country and f"lapsed customers in {country}"


def _category(conn: Connection) -> str | None:
    purchases = select(Event.category).where(Event.type == "purchase").subquery()
    category = _most_common(conn, purchases.c.category)
    return category and f"customers who bought {category} in the last 90 days"


def _campaign(conn: Connection) -> str | None:
    latest = select(Campaign.name).where(Campaign.sent_at.is_not(None)).order_by(Campaign.sent_at.desc())
    name = conn.execute(latest.limit(1)).scalar()
    return name and f"received the {name} email but didn't open it"


def _interest(conn: Connection) -> str | None:
    tags: Counter[str] = Counter()
    rows = conn.execute(select(Contact.interests).where(Contact.interests.is_not(None)).limit(5000))
    for (interests,) in rows:
        tags.update(filter(None, (interests or "").split(";")))
    return f"interested in {tags.most_common(1)[0][0]}" if tags else None


MAKERS: tuple[Callable[[Connection], str | None], ...] = (_city, _category, _campaign, _country, _interest)
