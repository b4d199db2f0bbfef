"""The names a template may use: each contact field of the data contract by its column name, the
store's custom contact properties, and what `personalization.context` adds for each recipient.

Import checks a template against these, so a misspelt variable is found before anything is sent.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from store.models import Contact, CustomProperty

#: What the context adds beside the contact's own fields (campaigns-contract.md).
CONTEXT = (
    "email",
    "last_purchase",  # product, category, amount, currency, at
    "recommendations",  # a list of {product, category}
    "lifecycle",  # new, active, lapsed, high_value, passive or other
    "rfm",  # r, f, m: 1-5 each
    "engagement",  # opens and clicks of the last 90 days, the latest open
    "campaign",  # name
    "unsubscribe_url",
)
#: The fields of what the context adds, so `last_purchase.prodcut` is found at import.
FIELDS = {
    "last_purchase": frozenset({"product", "category", "amount", "currency", "at"}),
    "rfm": frozenset({"r", "f", "m"}),
    "engagement": frozenset({"opens", "clicks", "last_opened_at"}),
    "campaign": frozenset({"name"}),
}
#: The fields of each of `recommendations`.
RECOMMENDATION_FIELDS = frozenset({"product", "category"})
#: Contact columns that are the store's bookkeeping, not fields a template shows.
HIDDEN = frozenset({"id", "properties"})


def contact_fields() -> list[str]:
    return [c.name for c in Contact.__table__.columns if c.name not in HIDDEN]


def known_variables(conn: Connection) -> set[str]:
    """Every name a template of this store may use."""
    custom = conn.scalars(select(CustomProperty.name).where(CustomProperty.entity == "contact"))
    return {*contact_fields(), *custom, *CONTEXT}
