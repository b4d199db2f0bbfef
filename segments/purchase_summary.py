"""Purchase conditions answered from the per-contact purchase tables that every events import rebuilds.

`contact_purchases` holds each purchaser's orders, spend and first and last purchase;
`contact_category_purchases` the same per category. A purchase condition without a time window,
or with one that ends now, needs one summary row per contact instead of every order: "customers",
"spent more than $1,000", "bought yoga but never cycling", "no purchase in the last 90 days".
The compiler asks here first and reads the events when the answer is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import (
    ColumnElement,
    Numeric,
    Select,
    Table,
    func,
    literal,
    literal_column,
    not_,
    select,
    true,
)

from segments.definition import COMPARE, Aggregate, Event, EventFilter
from segments.windows import resolve
from store.models import Base, Contact, ContactCategoryPurchases, ContactPurchases


def _table(model: type[Base]) -> Table:
    """The table a model maps (a declarative class with a __tablename__ maps a Table)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


contacts = _table(Contact)
TOTALS = _table(ContactPurchases)
BY_CATEGORY = _table(ContactCategoryPurchases)
#: 1.0 as SQL text: a decimal on PostgreSQL, a float on SQLite (whose NUMERIC may hold integers).
ONE = literal_column("1.0", Numeric())


def money(measure: ColumnElement) -> ColumnElement:
    """An amount measure to 6 decimal places. SQLite keeps amounts as binary floats, whose sums
    miss by a hair (100.10 + 200.20 is 300.29999999999995); rounded, they compare and rank as the
    exact decimals of PostgreSQL."""
    return func.round(measure, 6, type_=measure.type)


def measures(table: Table) -> dict[str, ColumnElement]:
    """The aggregates a summary row knows. The average divides by the orders that carry an
    amount, as avg(amount) over the events leaves the others out."""
    return {
        "sum": money(table.c.spend),
        "count": table.c.orders,
        "avg": money(table.c.spend * ONE / func.nullif(table.c.priced_orders, 0)),
    }


@dataclass(frozen=True)
class Rows:
    """The summary rows that stand for a condition's purchases: all of a contact's, or one category's."""

    table: Table
    which: ColumnElement[bool]

    def contacts(self, *conditions: ColumnElement[bool]) -> Select:
        return select(self.table.c.contact_id).where(self.which, *conditions)

    def exists(self, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        own = self.table.c.contact_id == contacts.c.id
        return select(literal(1)).where(own, self.which, *conditions).exists()


@dataclass(frozen=True)
class PurchaseSummary:
    as_of: datetime
    zone: tzinfo = UTC
    #: The store's latest purchase. When it is not after `as_of`, "a purchase since X" is
    #: "the last purchase after X".
    latest_purchase: datetime | None = None

    def rows(self, node: Event | Aggregate) -> Rows | None:
        """The rows for purchases with no property filter, or with one category."""
        if node.type != "purchase" or getattr(node, "after_latest", None):
            return None
        if not node.where:
            return Rows(TOTALS, true())
        match node.where:
            case [
                EventFilter(field="category", op="eq" | "in", values=[str() as category], negated=False)
            ] if "\x00" not in category:
                return Rows(BY_CATEGORY, BY_CATEGORY.c.category == category)
        return None

    def has(self, node: Event) -> tuple[Rows, ColumnElement[bool]] | None:
        """ "Has such a purchase (in the window)": the rows, and the condition on them."""
        rows = self.rows(node)
        if rows is None:
            return None
        if node.window is None:
            return rows, true()
        bounds = resolve(node.window, self.as_of, self.zone)
        if bounds.start is None and bounds.end is not None and not bounds.end_inclusive:
            return rows, rows.table.c.first_at < bounds.end
        as_of = self.as_of.astimezone(UTC)
        up_to_now = bounds.end == as_of and bounds.end_inclusive and bounds.start is not None
        if up_to_now and self.latest_purchase is not None and self.latest_purchase <= as_of:
            last = rows.table.c.last_at
            return rows, last >= bounds.start if bounds.start_inclusive else last > bounds.start
        return None

    def counted(self, node: Event) -> ColumnElement[bool] | None:
        """ "Bought at least 3 times": the number of orders in the summary, with no window."""
        rows = self.rows(node)
        if rows is None or node.window is not None:
            return None
        count, orders = node.count, rows.table.c.orders
        if count.admits_zero():  # zero orders qualify: everyone but those who fail
            opposite = count.negated()
            return not_(contacts.c.id.in_(rows.contacts(COMPARE[opposite.op](orders, opposite.n))))
        return contacts.c.id.in_(rows.contacts(COMPARE[count.op](orders, count.n)))

    def aggregate(self, node: Aggregate) -> ColumnElement[bool] | None:
        rows = self.rows(node)
        if rows is None or node.window is not None or node.fn not in ("sum", "count", "avg"):
            return None
        measure = measures(rows.table)[node.fn]
        return contacts.c.id.in_(rows.contacts(COMPARE[node.op](measure, node.value)))
