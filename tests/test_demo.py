"""The built-in demo data: it loads through the real import, completely, and deterministically."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from store.db import create_store_engine
from store.demo import DEMO_CONTACTS, holds_demo, load_demo_if_empty, write_demo_csv
from store.importer import ImportReport, ImportSources, run_import
from store.models import Campaign, Contact, CustomProperty, Event

AS_OF = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)

EVENT_TYPES = {
    "email_sent", "email_opened", "email_clicked", "email_bounced", "email_unsubscribed",
    "email_complained", "purchase", "product_viewed", "cart_abandoned", "webinar_attended",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, ImportReport]:
    """A SQLite store loaded with the demo data by `load_demo_if_empty`, and its report."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = create_store_engine(f"sqlite:///{path}")
    report = load_demo_if_empty(engine, as_of=AS_OF, zone=UTC)
    assert report is not None
    return engine, report


def scalar(engine: Engine, query):
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_demo_imports_without_rejections(demo):
    _, report = demo
    assert report.rejected == 0
    assert report.exit_status == 0
    by_kind = {f.kind: f for f in report.files}
    assert set(by_kind) == {"contacts", "events", "campaigns"}
    for file in report.files:
        assert file.inserted == file.rows > 0, file.kind  # no duplicate rows, nothing merged away


def test_demo_sizes_are_in_the_expected_ranges(demo):
    engine, _ = demo
    assert scalar(engine, select(func.count()).select_from(Contact)) == DEMO_CONTACTS == 3000
    assert 20_000 <= scalar(engine, select(func.count()).select_from(Event)) <= 80_000
    assert 6 <= scalar(engine, select(func.count()).select_from(Campaign)) <= 8


def test_demo_has_every_event_type_within_the_year_before_as_of(demo):
    engine, _ = demo
    with engine.connect() as conn:
        counts = dict(conn.execute(select(Event.type, func.count()).group_by(Event.type)).all())
        first, last = conn.execute(select(func.min(Event.occurred_at), func.max(Event.occurred_at))).one()
    assert set(counts) == EVENT_TYPES
    assert counts["email_sent"] > counts["email_opened"] > counts["email_clicked"]
    assert AS_OF - timedelta(days=365) <= first < last <= AS_OF
    assert last > AS_OF - timedelta(days=2)  # recent activity, for "in the last 7 days" segments


def test_demo_events_carry_their_known_columns(demo):
    engine, _ = demo
    with engine.connect() as conn:
        campaign_ids = set(conn.execute(select(Campaign.external_id)).scalars())
        email_campaigns = set(
            conn.execute(select(Event.campaign_id).where(Event.type.like("email_%")).distinct()).scalars()
        )
        purchases = conn.execute(
            select(Event.amount, Event.currency, Event.category, Event.product).where(
                Event.type == "purchase"
            )
        ).all()
        topics = set(conn.execute(select(Event.topic).where(Event.type == "webinar_attended")).scalars())
    attributed = scalar(
        engine, select(func.count()).where(Event.type == "purchase", Event.campaign_id.is_not(None))
    )
    assert email_campaigns <= campaign_ids and len(email_campaigns) >= 6
    assert all(
        amount > 0 and currency and category and product for amount, currency, category, product in purchases
    )
    assert {"EUR", "USD", "GBP"} <= {p.currency for p in purchases}
    assert None not in topics and len(topics) >= 3
    assert attributed > 0


def test_demo_contacts_look_like_a_real_audience(demo):
    engine, _ = demo
    with engine.connect() as conn:
        consent = dict(
            conn.execute(select(Contact.email_consent, func.count()).group_by(Contact.email_consent)).all()
        )
        zones = set(conn.execute(select(Contact.timezone).where(Contact.timezone.is_not(None))).scalars())
        first_names = set(conn.execute(select(Contact.first_name)).scalars())
        interests = set(
            conn.execute(select(Contact.interests).where(Contact.interests.like("%;%"))).scalars()
        )
        custom = dict(conn.execute(select(CustomProperty.name, CustomProperty.type)).all())
    emails = scalar(engine, select(func.count(func.distinct(Contact.email))))
    b2b = scalar(engine, select(func.count()).where(Contact.company_size > 0, Contact.job_title.is_not(None)))
    assert set(consent) == {"subscribed", "unsubscribed", "pending"}
    assert consent["subscribed"] > 0.7 * DEMO_CONTACTS
    assert len(zones) >= 10
    for zone in zones:
        ZoneInfo(zone)  # every time zone is a real IANA name
    assert any(not name.isascii() for name in first_names)  # Chloé, Jürgen, Łukasz ...
    assert interests  # several interest tags, separated by ';'
    assert emails == DEMO_CONTACTS
    assert custom == {"plan": "text", "lifetime_orders": "integer"}
    assert 0 < b2b < DEMO_CONTACTS


def test_load_demo_if_empty_loads_only_once(demo):
    engine, _ = demo
    events = scalar(engine, select(func.count()).select_from(Event))
    assert load_demo_if_empty(engine, as_of=AS_OF + timedelta(days=1), zone=UTC) is None
    assert scalar(engine, select(func.count()).select_from(Contact)) == DEMO_CONTACTS
    assert scalar(engine, select(func.count()).select_from(Event)) == events


def test_load_demo_if_empty_leaves_a_store_with_contacts_alone(tmp_path: Path):
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("id,email\nu1,ana@example.com\n", encoding="utf-8")
    engine = create_store_engine(f"sqlite:///{tmp_path / 'own.db'}")
    run_import(engine, ImportSources(contacts=contacts))
    assert load_demo_if_empty(engine, as_of=AS_OF, zone=UTC) is None
    assert scalar(engine, select(func.count()).select_from(Contact)) == 1
    assert scalar(engine, select(func.count()).select_from(Event)) == 0


def test_generation_is_deterministic(tmp_path: Path):
    first = write_demo_csv(tmp_path / "a", as_of=AS_OF, seed=7, contacts=300)
    again = write_demo_csv(tmp_path / "b", as_of=AS_OF, seed=7, contacts=300)
    other = write_demo_csv(tmp_path / "c", as_of=AS_OF, seed=8, contacts=300)
    for kind in ("contacts", "events", "campaigns"):
        assert getattr(first, kind).read_bytes() == getattr(again, kind).read_bytes(), kind
    assert first.events.read_bytes() != other.events.read_bytes()
    assert first.contacts.read_text(encoding="utf-8").count("\n") == 301


def test_default_demo_files_are_deterministic(tmp_path: Path):
    first = write_demo_csv(tmp_path / "a", as_of=AS_OF)
    again = write_demo_csv(tmp_path / "b", as_of=AS_OF.replace(microsecond=5))
    assert first.contacts.read_bytes() == again.contacts.read_bytes()
    assert first.events.read_bytes() == again.events.read_bytes()
    assert first.campaigns.read_bytes() == again.campaigns.read_bytes()


def test_importing_into_the_demo_store_says_it_holds_the_demo_data(run_app, tmp_path: Path):
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("email\nana@shop.example\n", encoding="utf-8")
    demo_store, own_store = tmp_path / "demo.db", tmp_path / "own.db"
    demo, own = (create_store_engine(f"sqlite:///{path}") for path in (demo_store, own_store))
    load_demo_if_empty(demo, as_of=AS_OF, zone=UTC)

    into_demo = run_app("import", "--contacts", contacts, "--db", f"sqlite:///{demo_store}")
    into_own = run_app("import", "--contacts", contacts, "--db", f"sqlite:///{own_store}")

    assert into_demo.returncode == into_own.returncode == 0
    assert into_demo.stderr.startswith("note: This store holds the demo data: your rows are added beside it.")
    assert "--db sqlite:///yours.db" in into_demo.stderr
    assert "demo" not in into_own.stderr
    assert holds_demo(demo) and not holds_demo(own)
    demo.dispose()
    own.dispose()
