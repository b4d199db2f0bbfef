"""The tables of the store, typed with SQLAlchemy 2.

`contacts` carries every known column of the data contract typed, and custom columns in
`properties` (a JSON object whose value types `custom_properties` records). `events` keeps
its known columns typed and any other column in `properties`. An event is identified by
its contact, type, time and a fingerprint of everything else, so that importing the same
row twice keeps one row.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.types import Document, Timestamp

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    #: Every model here is declared with `__tablename__`, so its `__table__` is a `Table` (with
    #: `insert()`, `indexes`, `name`), not just the `FromClause` that DeclarativeBase promises.
    __table__: ClassVar[Table]
    type_annotation_map: ClassVar = {datetime: Timestamp(), dict[str, Any]: Document}


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(Text, unique=True)
    email: Mapped[str] = mapped_column(Text)
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[str | None] = mapped_column(Text)
    birth_date: Mapped[date | None] = mapped_column(Date)
    city: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(Text)
    company_size: Mapped[int | None] = mapped_column(Integer)
    job_title: Mapped[str | None] = mapped_column(Text)
    signup_source: Mapped[str | None] = mapped_column(Text)
    signed_up_at: Mapped[datetime | None]
    device: Mapped[str | None] = mapped_column(Text)
    loyalty_tier: Mapped[str | None] = mapped_column(Text)
    #: Interest tags, lower case, separated by ';' as in the import file.
    interests: Mapped[str | None] = mapped_column(Text)
    #: subscribed, unsubscribed or pending; empty means unknown, which is never mailed.
    email_consent: Mapped[str | None] = mapped_column(String(16))
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index(None, "email"),)


class Event(Base):
    __tablename__ = "events"

    #: contacts.id. Import checks it; no foreign key, whose per-row check would double the
    #: cost of loading millions of events.
    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(Text, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(primary_key=True)
    #: A 64-bit hash of the row's other values: two events that differ only there stay apart.
    fingerprint: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    campaign_id: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric)
    currency: Mapped[str | None] = mapped_column(String(8))
    category: Mapped[str | None] = mapped_column(Text)
    product: Mapped[str | None] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict[str, Any] | None]

    __table_args__ = (
        # "who did X in a window": type and time first, the contact to answer from the index;
        # on PostgreSQL the campaign too, so "who opened the Yoga Week email" reads no rows.
        Index(None, "type", "occurred_at", "contact_id", postgresql_include=["campaign_id"]),
        {"sqlite_with_rowid": False},
    )


class CurrencyRate(Base):
    """What one unit of a currency was worth in the store's currency on a day (`store.pricing`):
    one row per (currency, day) of the store's purchases, fixed when they were imported."""

    __tablename__ = "currency_rates"

    currency: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    factor: Mapped[Decimal] = mapped_column(Numeric)

    __table_args__ = ({"sqlite_with_rowid": False},)


class UnconvertedPurchases(Base):
    """Purchases whose currency had no rate on their day, by currency: left out of money."""

    __tablename__ = "unconverted_purchases"

    currency: Mapped[str] = mapped_column(String(8), primary_key=True)
    purchases: Mapped[int] = mapped_column(Integer)


class StoreSetting(Base):
    """What the store's contents depend on: `currency`, the one its money is converted into."""

    __tablename__ = "store_settings"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ContactPurchases(Base):
    """Each purchaser's orders, spend and first and last purchase, rebuilt by every events import.

    Segments read it instead of the events for "customers", "spent more than", "average order
    value", rankings by spend and "lapsed": one row per purchaser rather than every order.
    """

    __tablename__ = "contact_purchases"

    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    #: Orders that carried an amount: the average order value is spend / priced_orders.
    priced_orders: Mapped[int] = mapped_column(Integer)
    #: None when no purchase carried an amount.
    spend: Mapped[Decimal | None] = mapped_column(Numeric)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]


class ContactCategoryPurchases(Base):
    """The same per purchaser and category: "bought yoga but never cycling", "bought running 3 times"."""

    __tablename__ = "contact_category_purchases"

    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(Text, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    priced_orders: Mapped[int] = mapped_column(Integer)
    spend: Mapped[Decimal | None] = mapped_column(Numeric)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]


class SuppressedContact(Base):
    """Contacts not to mail whatever their consent: they complained, or bounced on two or more
    sends (segment-semantics.md, Consent). Rebuilt by every events import."""

    __tablename__ = "suppressed_contacts"

    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class CampaignPair(Base):
    """A campaign sent to a contact, and what the contact did with it (`store.audiences` builds it
    after every import of events or campaigns): reports join a segment's members with it, where
    grouping the events would cost tens of seconds at a million contacts.

    Keyed by contact first: a report reads its members' pairs, each member's side by side.
    """

    __tablename__ = "campaign_pairs"

    #: contacts.id; no foreign keys, which the bulk rebuild would check row by row.
    contact_id: Mapped[int] = mapped_column(Integer)
    #: campaigns.id
    campaign_id: Mapped[int] = mapped_column(Integer)
    #: Bits of `store.audiences`: sent, bounced, opened, clicked, unsubscribed, complained, converted.
    flags: Mapped[int] = mapped_column(SmallInteger)
    #: The attributed purchases' amounts; None when the pair did not convert.
    revenue: Mapped[Decimal | None] = mapped_column(Numeric)

    __table_args__ = (
        # The key carries the rest on PostgreSQL, so that a report reads the index alone; SQLite
        # keeps the rows in the key's order, which is as good.
        PrimaryKeyConstraint("contact_id", "campaign_id", postgresql_include=["flags", "revenue"]),
        {"sqlite_with_rowid": False},
    )


class CampaignAudience(Base):
    """Each campaign with a send: its first send, and the attribution window of its pairs."""

    __tablename__ = "campaign_audiences"

    #: campaigns.id
    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_sent_at: Mapped[datetime]
    attribution_days: Mapped[int] = mapped_column(Integer)


class CustomProperty(Base):
    """The value type of each custom column, inferred from the imported values."""

    __tablename__ = "custom_properties"

    entity: Mapped[str] = mapped_column(String(16), primary_key=True)  # contact | event
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    type: Mapped[str] = mapped_column(String(16))  # integer | decimal | date | datetime | boolean | text


class SavedSegment(Base):
    """A segment definition saved under a name; phrases can use the name ("VIP but not golf-comeback")."""

    __tablename__ = "saved_segments"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    #: The phrase it was saved from, for people; the definition is what counts.
    text: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]]
    created_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ImportRun(Base):
    """One run of `import`: what was read, loaded and rejected, per file."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # loaded | rejected_rows | failed
    message: Mapped[str | None] = mapped_column(Text)


class ImportFile(Base):
    __tablename__ = "import_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # contacts | events | campaigns
    path: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    inserted: Mapped[int] = mapped_column(BigInteger, default=0)
    updated: Mapped[int] = mapped_column(BigInteger, default=0)
    unchanged: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)


class ImportRejection(Base):
    """A rejected row: file, line and reason (the first few thousand of each file are kept)."""

    __tablename__ = "import_rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("import_files.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)


class SeenRequest(Base):
    """The id of a Slack request already handled (an event's id, a request's signature), kept a
    while so that a redelivery or a replay is done once."""

    __tablename__ = "seen_requests"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class EmailTemplate(Base):
    """One version of an email template: the whole file as imported (front matter and HTML).

    A version is never changed once written: a campaign approved with version 2 sends version 2,
    whatever is imported after it. The digest tells an import whether the content is new.
    """

    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    #: 1 for the first import of a name, then one more for each new content.
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    #: sha256 of the content (UTF-8), hex.
    digest: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("name", "version"),)


class OwnedCampaign(Base):
    """A campaign Tailor drafted, beside its row in `campaigns` (same id), which reports read for
    Tailor's campaigns as for imported ones: what it sends to whom, and where its approval stands.

    `state` changes only through `campaigns.states` (the allowed moves) and `campaigns.service`,
    which writes each change to `campaign_audit` in the same transaction.
    """

    __tablename__ = "owned_campaigns"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    #: The words it was drafted from, for people; `definition` is what is sent to.
    phrase: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]]
    template: Mapped[str] = mapped_column(Text)
    template_version: Mapped[int] = mapped_column(Integer)
    #: Replaces the template's subject (Jinja2 as well); None: the template's own.
    subject: Mapped[str | None] = mapped_column(Text)
    #: Slack user id of who drafted it.
    drafted_by: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(24))
    approvals_required: Mapped[int] = mapped_column(SmallInteger)
    #: Members and reachable members when last drafted or changed, then when approved.
    count: Mapped[int] = mapped_column(BigInteger)
    reachable: Mapped[int] = mapped_column(BigInteger)
    approved_count: Mapped[int | None] = mapped_column(BigInteger)
    approved_reachable: Mapped[int | None] = mapped_column(BigInteger)
    #: Where its Slack thread is (channel id, the parent message's ts), when drafted in Slack.
    channel: Mapped[str | None] = mapped_column(Text)
    thread_ts: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: When its send is due (UTC); with `local_time`, the first recipient's moment.
    send_at: Mapped[datetime | None]
    #: "09:00": each recipient at that time of their own day (their time zone, else the workspace's).
    local_time: Mapped[str | None] = mapped_column(String(5))
    #: After a hold: "all" (today's members) or "approved" (the members as approved).
    audience: Mapped[str | None] = mapped_column(String(16))
    #: Bumped by every change: two clicks read the same revision, and the second one's write fails
    #: rather than overwriting the first's (`__mapper_args__`).
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012 (typed by SQLAlchemy as an instance attribute)


class CampaignAuditEntry(Base):
    """One thing done to a campaign Tailor owns, kept for good: rows are only ever added (the
    migration's triggers refuse UPDATE and DELETE on both databases)."""

    __tablename__ = "campaign_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    at: Mapped[datetime]
    #: Slack user id from the signed request (the console and the command line pass one).
    by: Mapped[str] = mapped_column(Text)
    #: drafted, approved, changes_requested, rejected, changed, approval_voided, ... (`campaigns.states`)
    action: Mapped[str] = mapped_column(String(32))
    #: The campaign's state after the action.
    state: Mapped[str] = mapped_column(String(24))
    template_version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]]
    #: Reachable members at the time.
    count: Mapped[int] = mapped_column(BigInteger)
    comment: Mapped[str | None] = mapped_column(Text)


class LedgerEntry(Base):
    """One recipient of one send: written before the message is handed over, so a restart knows
    who was sent, who was in flight (`sending`, then `unknown`) and who is still to go.

    States: queued, sending, sent, skipped (`reason`), failed (`answer`, the server's), unknown.
    """

    __tablename__ = "send_ledger"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(12))
    #: Not before this moment (the recipient's own 9:00, the end of quiet hours).
    due_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "campaign_id", "state", "due_at"),)


class SchedulerLease(Base):
    """Which process runs the scheduler of this store: APScheduler's job store must never be shared
    by two running schedulers, so one holds the lease, renewing it, and the others wait."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]


class SchedulerJob(Base):
    """APScheduler's own job table (`SQLAlchemyJobStore`), declared here so that migrations own the
    schema; a job holds a module-level function's name and a campaign id."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
