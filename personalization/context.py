"""Each recipient's template variables, a batch of recipients at a time.

    contexts = Contexts(engine, as_of, pricing)              # the store's best sellers, once per run
    for batch in service.recipients(definition, as_of):
        for variables in contexts.batch(conn, batch, campaign="Winter sale", unsubscribe_url=link):
            ...

A batch costs three queries, whatever its size: the recipients' purchases, their email engagement
and their lifecycle stage. What is the same for every recipient is read once, when `Contexts` is
built: best sellers, what buyers of each product also bought, and what ranks every purchaser
against the others (the high-value customers, the RFM quintiles).

What a template sees (campaigns-contract.md) is one dict per recipient:

- every contact field by its column name, custom properties by their own; empty ones are left out,
  so that `default()` fills them in;
- `email`, `last_purchase` (`product`, `category`, `amount`, `currency`, `at`; none: left out),
  `recommendations` (a list of `{product, category}`), `lifecycle`, `rfm` (`r`, `f`, `m`; a contact
  who never bought has none), `engagement` (`opens`, `clicks`, `last_opened_at`), `campaign`
  (`name`) and `unsubscribe_url`, the last two when the caller gives them.

A context name wins over a custom property of the same name: the contract defines those names.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Integer, and_, any_, case, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from segments.compiler import Compiler
from segments.members import Recipient
from segments.presets import DEFAULT_DAYS, days, expand
from segments.service import latest_purchase
from segments.windows import resolve
from store.models import Contact, CustomProperty, Event
from store.pricing import Pricing, priced, unstated_currency

contacts, events = Contact.__table__, Event.__table__

#: How many products `recommendations` lists.
RECOMMENDATIONS = 3
#: For each product, how many of the products its buyers also bought are kept (with the ties at the
#: last place): enough to fill a recommendation list after the contact's own products are taken out.
RELATED = 50
#: The lifecycle stages, first match wins. A high-value customer stays one when lapsed (the
#: customers a win-back must not treat as any other); a buyer of the last 60 days is active even if
#: newly signed up; lapsed before new, since a purchase says more than a signup date; passive
#: (opened or clicked, never bought) last among the named ones; `other` is everyone else.
LIFECYCLE = ("high_value", "active", "lapsed", "new", "passive")
OTHER = "other"
#: The stages whose preset ranks the purchasers (the top 20% by spend): found once per run.
RANKED = ("high_value",)
#: The window of `engagement`'s counts: the "highly engaged" preset's.
ENGAGEMENT_DAYS = DEFAULT_DAYS["engaged"]


@dataclass(frozen=True)
class Product:
    name: str
    category: str | None

    def shown(self) -> dict[str, str]:
        return {"product": self.name, **({"category": self.category} if self.category else {})}


@dataclass
class Purchases:
    """One recipient's purchases up to `as_of`: the latest, the products, spend and orders by category."""

    latest: Mapping[str, Any] | None = None
    products: set[str] = field(default_factory=set)
    spend: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    orders: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def top_category(self) -> str | None:
        """The category the contact spent most in, then ordered most often, then by name."""
        if not self.orders:
            return None
        return min(self.orders, key=lambda c: (-self.spend[c], -self.orders[c], c))


@dataclass
class Catalog:
    """What every recipient's recommendations are drawn from, read once per run."""

    #: Products by number of buyers, then name.
    best_sellers: list[Product]
    #: The same within each category.
    by_category: dict[str, list[Product]]
    #: For each product, the products its buyers also bought with the number of buyers in common.
    related: dict[str, list[tuple[str, int]]]
    _named: dict[str, Product] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._named = {p.name: p for p in self.best_sellers}

    def recommend(
        self, bought: set[str], top_category: str | None, n: int = RECOMMENDATIONS
    ) -> list[Product]:
        """First what buyers of the contact's products also bought (a product bought with several of
        theirs first: its common buyers are summed over them), then the best sellers of their top
        category, then the store's; never a product they bought, none twice, ties by name."""
        common: dict[str, int] = defaultdict(int)
        for product in bought:
            for other, buyers in self.related.get(product, ()):
                common[other] += buyers
        also = sorted(common, key=lambda p: (-common[p], p))
        candidates = (
            *(self.product(name) for name in also),
            *self.by_category.get(top_category or "", ()),
            *self.best_sellers,
        )
        chosen: list[Product] = []
        seen = set(bought)
        for product in candidates:
            if product.name not in seen:
                seen.add(product.name)
                chosen.append(product)
                if len(chosen) == n:
                    break
        return chosen

    def product(self, name: str) -> Product:
        return self._named.get(name) or Product(name, None)


class Contexts:
    """The variables of each recipient of one render run, for one `as_of`."""

    def __init__(
        self,
        source: Engine | Connection,
        as_of: datetime,
        pricing: Pricing | None = None,
        zone: tzinfo = UTC,
        recommendations: int = RECOMMENDATIONS,
    ) -> None:
        """`pricing`: the workspace's currency, which the store's money was converted into (the
        segment service settles it); `zone`: the workspace's, for the presets' windows."""
        if as_of.tzinfo is None:
            raise ValueError(f"naive as_of {as_of!r}: give a time zone")
        self.as_of, self.zone, self.recommendations = as_of, zone, recommendations
        self.pricing = pricing or Pricing()
        if isinstance(source, Engine):
            with source.connect() as conn:
                self._load(conn)
        else:
            self._load(source)

    @property
    def currency(self) -> str:
        """The workspace's currency: what `money` shows an amount in when it says no other."""
        return self.pricing.currency

    def _load(self, conn: Connection) -> None:
        # The same compiler the segment service builds (custom properties and saved segments aside,
        # which no preset names), so that a lifecycle stage is the preset segment's membership.
        self.compiler = Compiler(self.as_of, self.zone, latest_purchase=latest_purchase(conn))
        self.unstated = unstated_currency(conn) or self.pricing.currency
        kinds = select(CustomProperty.name, CustomProperty.type).where(CustomProperty.entity == "contact")
        self.custom_types: dict[str, str] = dict(conn.execute(kinds).all())
        self.catalog = read_catalog(conn, self.as_of)
        # A ranking compares each purchaser with all the others: asked per batch, it would rank
        # every purchaser again for each thousand recipients. Its members and the quintiles are
        # found once, for the purchasers alone (a few bytes each).
        self.ranked = {
            name: set(conn.scalars(select(contacts.c.id).where(self.compiler.condition(expand(name)))))
            for name in RANKED
        }
        scored = self.compiler.rfm_scores("purchase")
        quintiles = conn.execute(select(scored.c.contact_id, scored.c.r, scored.c.f, scored.c.m))
        self.rfm = {contact_id: {"r": r, "f": f, "m": m} for contact_id, r, f, m in quintiles}

    # -- one batch --------------------------------------------------------------------------------

    def batch(
        self,
        conn: Connection,
        recipients: Sequence[Recipient],
        campaign: str | None = None,
        unsubscribe_url: Callable[[Recipient], str] | None = None,
    ) -> list[dict[str, Any]]:
        """One dict of variables per recipient, in their order."""
        if not recipients:
            return []
        ids = [r.id for r in recipients]
        bought = self.purchases(conn, ids)
        engaged = self.engagement(conn, ids)
        stages = self.stages(conn, ids)
        found = []
        for recipient in recipients:
            purchases = bought.get(recipient.id) or Purchases()
            lifecycle, rfm = stages.get(recipient.id, OTHER), self.rfm.get(recipient.id)
            rfm = dict(rfm) if rfm is not None else None  # its own: a template cannot change another's
            chosen = self.catalog.recommend(
                purchases.products, purchases.top_category(), self.recommendations
            )
            variables: dict[str, Any] = {
                **self.fields(recipient),
                "external_id": recipient.external_id,
                "email": recipient.email,
                "recommendations": [product.shown() for product in chosen],
                "lifecycle": lifecycle,
                "engagement": engaged.get(recipient.id) or {"opens": 0, "clicks": 0},
            }
            if purchases.latest is not None:
                variables["last_purchase"] = purchases.latest
            if rfm is not None:
                variables["rfm"] = rfm
            if campaign is not None:
                variables["campaign"] = {"name": campaign}
            if unsubscribe_url is not None:
                variables["unsubscribe_url"] = unsubscribe_url(recipient)
            found.append(variables)
        return found

    def fields(self, recipient: Recipient) -> dict[str, Any]:
        """The contact's fields with a value; custom dates and date/times as such (stored as ISO text)."""
        shown = {}
        for name, value in recipient.fields.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            shown[name] = _typed(self.custom_types.get(name), value)
        return shown

    def purchases(self, conn: Connection, ids: list[int]) -> dict[int, Purchases]:
        """The recipients' purchases up to `as_of`, in one query down the events' primary key."""
        joined, value = priced(events)
        rows = conn.execute(
            select(
                events.c.contact_id,
                events.c.occurred_at,
                events.c.product,
                events.c.category,
                events.c.amount,
                events.c.currency,
                value.label("priced"),
            )
            .select_from(joined)
            .where(
                _among(conn, events.c.contact_id, ids),
                events.c.type == "purchase",
                events.c.occurred_at <= self.as_of,
            )
            # The latest first; two at the same moment in the order of their fingerprints, the same
            # on every run and database.
            .order_by(events.c.contact_id, events.c.occurred_at.desc(), events.c.fingerprint)
        )
        found: dict[int, Purchases] = {}
        for contact_id, at, product, category, amount, currency, spent in rows:
            own = found.get(contact_id)
            if own is None:
                own = found[contact_id] = Purchases(
                    latest=self._last_purchase(product, category, amount, currency, at)
                )
            if product is not None:
                own.products.add(product)
            if category is not None:
                own.orders[category] += 1
                # A purchase whose currency has no rate counts as an order, not as spend.
                own.spend[category] += _decimal(spent) if spent is not None else Decimal(0)
        return found

    def _last_purchase(
        self, product: str | None, category: str | None, amount: Any, currency: str | None, at: datetime
    ) -> dict[str, Any]:
        known = {
            "product": product,
            "category": category,
            "amount": _decimal(amount) if amount is not None else None,
        }
        return {
            **{name: value for name, value in known.items() if value is not None},
            "currency": currency or self.unstated,
            "at": at,
        }

    def engagement(self, conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
        """Opens and clicks of the last 90 days and the latest open, in one grouped query."""
        window = resolve(days(ENGAGEMENT_DAYS), self.as_of, self.zone)
        recent = self.compiler.within(events.c.occurred_at, window)
        opened, clicked = events.c.type == "email_opened", events.c.type == "email_clicked"
        rows = conn.execute(
            select(
                events.c.contact_id,
                func.count().filter(and_(opened, recent)),
                func.count().filter(and_(clicked, recent)),
                func.max(events.c.occurred_at).filter(opened),
            )
            .where(
                _among(conn, events.c.contact_id, ids),
                events.c.type.in_(("email_opened", "email_clicked")),
                events.c.occurred_at <= self.as_of,
            )
            .group_by(events.c.contact_id)
        )
        found: dict[int, dict[str, Any]] = {}
        for contact_id, opens, clicks, last_opened in rows:
            found[contact_id] = {"opens": opens, "clicks": clicks}
            if last_opened is not None:
                found[contact_id]["last_opened_at"] = last_opened
        return found

    def stages(self, conn: Connection, ids: list[int]) -> dict[int, str]:
        """Each recipient's lifecycle stage, in one query: the first of `LIFECYCLE` whose preset
        segment holds the contact, compiled as the segments compile it (a ranking's members were
        found once per run: here, those of the batch)."""
        batch = set(ids)
        conditions = {
            name: _among(conn, contacts.c.id, sorted(batch & self.ranked[name]))
            if name in self.ranked
            else self.compiler.condition(expand(name))
            for name in LIFECYCLE
        }
        stage = case(*((conditions[name], literal(name)) for name in LIFECYCLE), else_=literal(OTHER))
        rows = conn.execute(select(contacts.c.id, stage).where(_among(conn, contacts.c.id, ids)))
        return {contact_id: lifecycle for contact_id, lifecycle in rows}


# -- the store's catalog, once per run -------------------------------------------------------------


def read_catalog(conn: Connection, as_of: datetime) -> Catalog:
    """Best sellers overall and per category, and what buyers of each product also bought, from
    the purchases up to `as_of`. One scan of the purchases, counted here: the three grouped queries
    (the co-purchases a self-join of every buyer's products) took seconds at 100,000 contacts, and
    Python orders ties by name, which the databases' collations would order differently anyway."""
    bought = and_(events.c.type == "purchase", events.c.occurred_at <= as_of, events.c.product.is_not(None))
    # .all(): fetched at once, where iterating the result fetches each row on its own
    rows = conn.execute(select(events.c.contact_id, events.c.product, events.c.category).where(bought)).all()
    orders: Counter[tuple[str, str | None]] = Counter()
    buyers_in: dict[tuple[str, str | None], set[int]] = defaultdict(set)
    owned: dict[int, set[str]] = defaultdict(set)
    for contact_id, product, category in rows:
        orders[product, category] += 1
        buyers_in[product, category].add(contact_id)
        owned[contact_id].add(product)
    per_category = [(p, c, count, len(buyers_in[p, c])) for (p, c), count in orders.items()]
    # Many buyers bought the same few products: each set of products is counted once, by its buyers.
    baskets = Counter(frozenset(products) for products in owned.values())
    overall: Counter[str] = Counter()
    for products, buyers in baskets.items():
        for product in products:
            overall[product] += buyers
    home = _home_categories(per_category)
    best_sellers = [Product(name, home[name]) for name in sorted(overall, key=lambda p: (-overall[p], p))]
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for product, category, _, count in per_category:
        if category is not None:
            ranked[category].append((-count, product))
    by_category = {c: [Product(p, c) for _, p in sorted(pairs)] for c, pairs in ranked.items()}
    return Catalog(best_sellers, by_category, _related(baskets))


def _home_categories(rows: Iterable[tuple[str, str | None, int, int]]) -> dict[str, str | None]:
    """Each product's category: the one most of its orders name (a product filed under two)."""
    best: dict[str, tuple[int, str]] = {}
    home: dict[str, str | None] = {}
    for product, category, orders, _ in rows:
        home.setdefault(product, None)
        if category is not None and (product not in best or (-orders, category) < best[product]):
            best[product] = (-orders, category)
            home[product] = category
    return home


def _related(baskets: Mapping[frozenset[str], int]) -> dict[str, list[tuple[str, int]]]:
    """For each product, the products its buyers also bought and how many buyers they share, the
    first `RELATED` (and those tied with the last: SQL's `rank() <= RELATED`) by that number, most
    first, ties by name. `baskets`: each set of products bought together, and by how many buyers."""
    common: dict[str, Counter[str]] = defaultdict(Counter)
    for products, buyers in baskets.items():
        if len(products) > 1:
            for product in products:
                shared = common[product]
                for other in products:
                    shared[other] += buyers
    related: dict[str, list[tuple[str, int]]] = {}
    for product, counts in common.items():
        del counts[product]  # a product is not bought "with" itself
        others = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        if len(others) > RELATED:  # the last kept place's count, and every product tied with it
            others = [pair for pair in others if pair[1] >= others[RELATED - 1][1]]
        if others:
            related[product] = others
    return related


def _among(conn: Connection, column: ColumnElement[int], ids: list[int]) -> ColumnElement[bool]:
    """`column` is one of `ids`. On PostgreSQL one array parameter (`= ANY`): binding a thousand
    parameters one by one costs more than the query they are for. SQLite binds them as they are."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


# -- values ----------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal:
    """An amount as the decimal it was imported as: SQLite hands back binary floats."""
    if isinstance(value, Decimal):
        return value.normalize() if value == value.to_integral() else value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _typed(kind: str | None, value: Any) -> Any:
    """A custom property's value as its type: JSON keeps dates as ISO text and decimals as floats."""
    try:
        match kind:
            case "date" if isinstance(value, str):
                return date.fromisoformat(value)
            case "datetime" if isinstance(value, str):
                moment = datetime.fromisoformat(value)
                return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            case "decimal" if isinstance(value, float | int):
                return Decimal(repr(value))
    except ValueError:  # a value stored before its column's type widened: shown as stored
        return value
    return value
