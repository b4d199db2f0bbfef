"""Previews on both databases: a real template rendered for a small shop's segments, the emails
checked against the contacts' rows, the samples against the edges, the check against a count."""

from __future__ import annotations

import email
import json
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import Engine

from personalization.demo import DEMO_TEMPLATES
from personalization.filters import filters
from personalization.letterhead import Letterhead
from personalization.library import import_directory
from personalization.preview import Preview, Previewer, PreviewError
from personalization.screenshot import browser
from personalization.templates import Sandbox
from segments.service import SegmentService
from tests.store.helpers import load

AS_OF = datetime(2026, 12, 7, 12, tzinfo=UTC)
LETTERHEAD = Letterhead(
    sender="Trailhead <news@trailhead.example>",
    postal_address="Trailhead Outfitters\n12 Market St\nPortland, OR 97201",
    public_url="https://tailor.example",
)
#: A real template file, as a marketer writes one: front matter, lifecycle blocks, a loop, money.
TEMPLATES = Path(__file__).parent / "templates"
HEADER = ["id", "email", "first_name", "city", "language", "country", "signed_up_at", "email_consent"]
LONG_AGO = "2024-03-01T09:00:00Z"
CONTACTS = [
    ["c01", "anna@example.de", "Anna", "Berlin", "de", "Germany", LONG_AGO, "subscribed"],
    ["c02", "nobody@example.fr", "", "Lyon", "fr", "France", LONG_AGO, "subscribed"],
    ["c03", "nora@example.com", "Nora", "", "en", "United States", "2026-12-01T08:00:00Z", "subscribed"],
    ["c04", "jonas@example.de", "Jonas", "Munich", "de", "Germany", LONG_AGO, "subscribed"],
    ["c05", "liam@example.com", "Liam", "Austin", "en", "United States", LONG_AGO, "subscribed"],
    ["c06", "gone@example.de", "Gisela", "Hamburg", "de", "Germany", LONG_AGO, "unsubscribed"],
    ["c07", "sven@example.se", "", "", "sv", "Sweden", LONG_AGO, "subscribed"],
]
#: (contact, product, category, days before AS_OF, amount, currency)
PURCHASES = [
    ("c01", "Trail Runner 3", "running", 10, "129.00", "EUR"),
    ("c01", "Running Socks", "running", 40, "18.00", "EUR"),
    ("c02", "Yoga Mat", "yoga", 200, "45.00", "EUR"),
    ("c04", "Trail Runner 3", "running", 300, "129.00", "EUR"),
    ("c05", "Running Socks", "running", 5, "19.00", "USD"),
    ("c05", "Headlamp", "camping", 6, "35.00", "USD"),
    ("c06", "Yoga Mat", "yoga", 20, "45.00", "EUR"),
]


@pytest.fixture
def previews(engine: Engine, write_csv) -> Previewer:
    events = [["contact_id", "type", "occurred_at", "amount", "currency", "category", "product"]]
    for contact, product, category, before, amount, currency in PURCHASES:
        moment = (AS_OF - timedelta(days=before)).isoformat()
        events.append([contact, "purchase", moment, amount, currency, category, product])
    load(
        engine,
        contacts=write_csv("contacts.csv", [HEADER, *CONTACTS]),
        events=write_csv("events.csv", events),
    )
    imported = import_directory(engine, TEMPLATES, Sandbox(filters=filters("USD")))
    assert [(i.template, i.version) for i in imported] == [("picks", 1)]  # type: ignore[union-attr]
    return Previewer(engine, SegmentService(engine), LETTERHEAD)


def test_a_chosen_contact_reads_their_own_row(previews: Previewer) -> None:
    found = previews.preview("picks", "custs in DE", AS_OF, contact="c01")
    (sample,) = found.samples
    mail = sample.email
    assert mail.to == "anna@example.de"
    assert mail.subject == "Anna, new picks"
    assert mail.preheader == "Picked for Berlin"
    assert "Hello Anna," in mail.text and "Thanks for being here." in mail.text
    assert "Your Trail Runner 3 cost 129,00\xa0€." in mail.text  # German money, the purchase's own
    assert '<h1 style="color: #234e52;">Hello Anna,</h1>' in mail.html
    assert "Trailhead Outfitters<br>12 Market St<br>Portland, OR 97201" in mail.html
    assert mail.text.rstrip().endswith("Unsubscribe (https://tailor.example/unsubscribe/preview)")


def test_recommendations_in_the_emails_are_never_bought_by_their_reader(previews: Previewer) -> None:
    found = previews.preview("picks", "contacts", AS_OF, samples=10)
    bought: dict[str, set[str]] = {}
    for contact, product, *_ in PURCHASES:
        bought.setdefault(contact, set()).add(product)
    assert len(found.samples) == 6
    for sample in found.samples:
        picks = [
            part.split(">", 1)[1].split("<", 1)[0] for part in sample.email.html.split('class="pick"')[1:]
        ]
        unbought = {product for _, product, *_ in PURCHASES} - bought.get(sample.contact, set())
        assert len(picks) == min(3, len(unbought)) and set(picks) <= unbought


def test_the_samples_cover_every_branch_taken_and_every_language(previews: Previewer) -> None:
    found = previews.preview("picks", "contacts", AS_OF)
    whys = [reason for sample in found.samples for reason in sample.why]
    reachable = [row for row in CONTACTS if row[-1] == "subscribed"]
    assert {f"language {row[4]}" for row in reachable} <= set(whys)
    assert "no first name" in whys and "no city" in whys
    assert any("lifecycle == 'new'" in why for why in whys)
    assert any("lifecycle == 'lapsed'" in why for why in whys)
    assert any(why.startswith("else of the if on line") for why in whys)
    assert len(found.samples) == 5 and len({s.contact for s in found.samples}) == 5
    assert all(sample.why for sample in found.samples)


def test_the_check_counts_each_fallback_over_the_reachable_members(previews: Previewer) -> None:
    found = previews.preview("picks", "contacts", AS_OF, samples=0)
    reachable = [row for row in CONTACTS if row[-1] == "subscribed"]
    assert found.check.recipients == found.reachable == len(reachable) == 6
    counted = {f.variable: (f.recipients, f.reads) for f in found.check.fallbacks}
    assert counted["first_name"] == (sum(1 for row in reachable if not row[2]), "there")  # the body's
    assert counted["city"] == (sum(1 for row in reachable if not row[3]), "you")
    assert "2 of 6 have no first name: they read 'there'" in found.check.lines()
    assert found.samples == []


def test_the_same_store_and_moment_give_the_same_samples_and_bytes(previews: Previewer) -> None:
    first, second = (previews.preview("picks", "contacts", AS_OF) for _ in range(2))
    assert [s.contact for s in first.samples] == [s.contact for s in second.samples]
    assert [s.email.as_bytes() for s in first.samples] == [s.email.as_bytes() for s in second.samples]


def test_an_email_parses_back_as_multipart_alternative(previews: Previewer) -> None:
    mail = previews.preview("picks", "custs in DE", AS_OF, contact="c04").samples[0].email
    parsed = email.message_from_bytes(mail.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Message-ID"] == "<preview.picks.1.c04@trailhead.example>"
    assert parsed["Date"] == "Mon, 07 Dec 2026 12:00:00 +0000"
    assert parsed["Subject"] == "Jonas, we miss you"


@pytest.mark.parametrize(
    ("template", "phrase", "contact", "said"),
    [
        ("pikcs", "contacts", None, "no template 'pikcs' (did you mean 'picks'?)"),
        ("picks", "custs in Atlantis", None, "Atlantis"),
        ("picks", "custs in DE", "c06", "c06 is not a reachable member of 'custs in DE'"),
    ],
)
def test_what_stops_a_preview_is_said(
    previews: Previewer, template: str, phrase: str, contact: str | None, said: str
) -> None:
    with pytest.raises(PreviewError, match=said.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        previews.preview(template, phrase, AS_OF, contact=contact)


def test_the_demo_templates_preview_on_a_demo_like_shop(previews: Previewer) -> None:
    import_directory(previews.engine, DEMO_TEMPLATES, Sandbox(filters=filters("USD")))
    for name in ("welcome", "winback", "recommendations", "newsletter"):
        found: Preview = previews.preview(name, "contacts", AS_OF, samples=3)
        assert found.check.failures == 0 and len(found.samples) == 3
        assert all(s.email.subject and "Unsubscribe" in s.email.text for s in found.samples)


def test_the_command_prints_json_lines_and_writes_the_files(
    previews: Previewer, database_url: str, run_app, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = run_app("preview", "picks", "custs in DE", "--as-of", AS_OF.isoformat(), "--samples", "2",
                   "--json", "--out", out, "--db", database_url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [set(line) for line in lines] == [{"contact", "why", "subject", "preheader", "html", "text"}] * 2
    for line in lines:
        written = {p.name for p in out.glob(f"{line['contact']}.*")}
        expected = {f"{line['contact']}.eml", f"{line['contact']}.html"}
        assert written == expected | ({f"{line['contact']}.png"} if browser() else set())
        parsed = email.message_from_bytes(
            (out / f"{line['contact']}.eml").read_bytes(), policy=policy.default
        )
        assert parsed["Subject"] == line["subject"]
    if browser():
        png = (out / f"{lines[0]['contact']}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 2000


def test_the_command_says_what_went_wrong_with_exit_status_1(
    previews: Previewer, database_url: str, run_app
) -> None:
    done = run_app("preview", "pikcs", "contacts", "--json", "--db", database_url)
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"] == "no template 'pikcs' (did you mean 'picks'?)"
    human = run_app("preview", "picks", "custs in DE", "--as-of", AS_OF.isoformat(), "--db", database_url)
    assert human.returncode == 0, human.stderr
    assert "> picks (version 1) for 'custs in DE'" in human.stdout
    assert "sample 1: c0" in human.stdout and "subject:" in human.stdout
    assert "TAILOR_POSTAL_ADDRESS is not set" in human.stdout
