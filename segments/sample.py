"""A few members of a segment, to look at: first name, city and a masked email, nothing more.

    sample_members(service, "lapsed customers in Germany", as_of, n=5)  # -> Sample | Failure

The members are spread evenly over the segment (in the order of their ids), so the same phrase
on the same data shows the same people.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select

from segments.service import Failure, SegmentService
from store.models import Contact

SAMPLE_SIZE = 5


class MemberCard(BaseModel):
    first_name: str | None
    city: str | None
    email: str  #: masked: "j***@example.com"


class Sample(BaseModel):
    text: str
    count: int
    members: list[MemberCard]


def sample_members(
    service: SegmentService, phrase: str, as_of: datetime, n: int = SAMPLE_SIZE
) -> Sample | Failure:
    answer = service.answer(phrase, as_of, members=True)
    if isinstance(answer, Failure):
        return answer
    picked = spread(answer.members or [], n)
    columns = (Contact.external_id, Contact.first_name, Contact.city, Contact.email)
    with service.engine.connect() as conn:
        rows = {
            row.external_id: row
            for row in conn.execute(select(*columns).where(Contact.external_id.in_(picked)))
        }
    cards = [
        MemberCard(first_name=rows[i].first_name, city=rows[i].city, email=mask_email(rows[i].email))
        for i in picked
        if i in rows
    ]
    return Sample(text=phrase, count=answer.count, members=cards)


def spread(items: list[str], n: int) -> list[str]:
    """`n` items evenly spaced over `items`, the first one included."""
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def mask_email(email: str) -> str:
    """'jane.doe@example.com' -> 'j***@example.com': the first letter and the domain."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}" if local else f"***@{domain}"
