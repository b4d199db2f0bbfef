"""Campaigns in the console: a draft's samples and files, approval as the console's user or `--as`
someone, refusals said and nothing changed, a change that voids an approval, and the history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from settings import Settings
from store.db import create_store_engine
from store.models import CampaignAuditEntry, OwnedCampaign
from tests.bot.test_console import console

BOB = "U02BOB"
DRAFT = 'draft Win-back DE: lapsed custs in DE with template winback subject "We miss you"'


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Settings:
    """The demo store, with Bob the approver (set as the workspace sets it); files under tmp_path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAILOR_APPROVERS", BOB)
    monkeypatch.delenv("TAILOR_CONSOLE_USER", raising=False)
    monkeypatch.setenv("TAILOR_TIMEZONE", "UTC")
    return Settings(database_url=database_url, demo_data=True)


def drafted(settings: Settings, line: str = DRAFT) -> tuple[int, str]:
    """A campaign drafted in a console session of its own: its id, and what the console printed."""
    code, out = console(settings, line + "\n")
    assert code == 0
    found = re.search(r"✓ campaign (\d+) 'Win-back DE' drafted by ", out)
    assert found, out
    return int(found.group(1)), out


def state_and_actions(settings: Settings, campaign: int) -> tuple[str, list[str]]:
    engine = create_store_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            state = conn.execute(select(OwnedCampaign.state).where(OwnedCampaign.campaign_id == campaign))
            actions = select(CampaignAuditEntry.action).where(CampaignAuditEntry.campaign_id == campaign)
            return state.scalar_one(), list(conn.execute(actions.order_by(CampaignAuditEntry.id)).scalars())
    finally:
        engine.dispose()


def test_a_draft_prints_its_samples_and_writes_their_files(settings: Settings, tmp_path: Path) -> None:
    number, out = drafted(settings)
    assert f"drafted by console: awaiting approval (0 of 1 approvals; {BOB} can approve)" in out
    assert "> winback (version 1) for 'lapsed custs in DE'" in out
    assert "lapsed customers" in out and "in Germany" in out  # the reading
    assert re.search(r"members +\d+ +reachable +\d+", out)
    assert "check:" in out
    samples = re.findall(r"^sample \d+: c\d+ - .+$", out, re.MULTILINE)
    assert samples
    assert out.count("  subject:   We miss you\n") == len(samples)  # the campaign's own subject
    assert out.count("  preheader: ") == len(samples)
    assert "  | " in out  # the start of each text
    written = [p for line in out.splitlines() if line.startswith("wrote ") for p in line[6:].split(", ")]
    assert {Path(p).suffix for p in written} >= {".eml", ".html"}
    assert all(p.startswith(f"tailor-previews/campaign-{number}/") for p in written)
    assert all((tmp_path / p).stat().st_size > 0 for p in written)
    assert f"Next: `approve {number} --as USER`" in out
    code, listed = console(settings, "campaigns\n")
    assert code == 0
    assert re.search(rf"^ +{number}  awaiting approval +Win-back DE +winback version 1", listed, re.MULTILINE)


def test_the_drafter_cannot_approve_nor_a_non_approver_and_nothing_changes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAILOR_CONSOLE_USER", BOB)  # an approver, drafting: still not theirs to approve
    settings = Settings(database_url=settings.database_url, demo_data=True)
    number, out = drafted(settings)
    assert (
        "awaiting approval (0 of 1 approvals; no approver but its author: add one to TAILOR_APPROVERS)" in out
    )
    lines = [f"approve {number}", f"approve {number} --as U09EVE", f"reject {number} --as {BOB}", "help"]
    code, out = console(settings, "\n".join(lines) + "\n")
    assert code == 0
    assert f"✗ Not approved: {BOB} drafted or changed campaign {number}: someone else must approve it" in out
    assert f"✗ Not approved: U09EVE is not an approver: ask {BOB}" in out
    assert f"✗ Not rejected: {BOB} drafted or changed campaign {number}: someone else must reject it" in out
    assert "Commands:" in out  # the console went on
    assert state_and_actions(settings, number) == ("awaiting_approval", ["drafted"])


def test_an_approver_named_with_as_approves(settings: Settings) -> None:
    number, _ = drafted(settings)
    code, out = console(settings, f"approve {number} --as {BOB} looks good\ncampaign {number}\n")
    assert code == 0
    assert f"✓ campaign {number} 'Win-back DE': approved by {BOB}; now approved\n  looks good\n" in out
    shown = out.split(f"campaign {number} 'Win-back DE': approved\n", 1)[1]
    assert "  subject:   We miss you\n" in shown and f"  approved by {BOB}\n" in shown
    history = shown.split("history:\n", 1)[1].splitlines()
    assert re.fullmatch(r"  \d{4}-\d\d-\d\d \d\d:\d\d  console +drafted +v1 +\d+ reachable", history[0])
    assert re.fullmatch(rf"  .+  {BOB} +approved +v1 +\d+ reachable  looks good", history[1])
    assert state_and_actions(settings, number) == ("approved", ["drafted", "approved"])


def test_a_change_after_approval_voids_it_and_the_history_shows_it_all(settings: Settings) -> None:
    number, _ = drafted(settings)
    lines = [
        f"approve {number} --as {BOB}",
        f"change {number} subject “Komm zurück”",
        f"approve {number} --as {BOB}",
        f"change {number} segment lapsed custs in Berlin",
        f"changes {number} --as {BOB}: say Berlin in the subject",
        f"history {number}",
    ]
    code, out = console(settings, "\n".join(lines) + "\n")
    assert code == 0
    first_change, second_change = out.split(f"✓ campaign {number} 'Win-back DE': changed by console; ")[1:]
    assert first_change.startswith(
        "now awaiting approval\n  subject now 'Komm zurück'; the approval is void\n"
        f"! The approval of campaign {number} is void: it needs approving again.\n"
        f"  awaiting approval (0 of 1 approvals; {BOB} can approve)\n"
    )
    assert "  subject:   Komm zurück\n" in first_change  # its samples again, with the new subject
    assert "  segment now 'lapsed custs in Berlin'" in second_change
    assert f"! The approval of campaign {number} is void" in second_change
    assert f"✓ campaign {number} 'Win-back DE': changes requested by {BOB}" in out
    assert "  say Berlin in the subject\n" in out and "  sent back to console: " in out
    history = out.split("history:\n", 1)[1].splitlines()
    actions = [re.split(r" {2,}", line.strip())[2] for line in history]
    assert actions == ["drafted", "approved", "changed", "approved", "changed", "changes_requested"]
    assert history[2].endswith("subject now 'Komm zurück'; the approval is void")
    assert history[-1].endswith("say Berlin in the subject")
    assert state_and_actions(settings, number)[0] == "awaiting_approval"


def test_mistyped_commands_and_unknown_campaigns_are_answered_and_the_console_goes_on(
    settings: Settings,
) -> None:
    number, _ = drafted(settings)
    lines = [
        "draft lapsed custs with template winback",
        "draft Win-back: lapsed custs in Atlantis with template winback",
        "draft Win-back: lapsed custs with template winbak",
        "approve",
        f"approve {number} --as",
        "approve 999",
        f"changes {number}",
        f"change {number} colour red",
        f"change {number} version 7",
        "show me lapsed customers",  # a phrase, not `show ID`
    ]
    code, out = console(settings, "\n".join(lines) + "\n")
    assert code == 0
    assert 'draft: write `draft NAME: PHRASE with template TEMPLATE [subject "SUBJECT"]`' in out
    assert "✗ Not drafted: I don't know 'Atlantis'" in out and "  did you mean: lapsed custs in " in out
    assert "✗ Not drafted: no template 'winbak' (did you mean 'winback'?)" in out
    assert "approve: write `approve ID [--as USER] [COMMENT]`, the ID a number from `campaigns`" in out
    assert "approve: --as needs a user id, e.g. --as U02BOB" in out
    assert "✗ approve: no campaign 999: `campaigns` lists them" in out
    assert "changes: write `changes ID [--as USER]: COMMENT`" in out
    assert 'change: write `change ID subject "SUBJECT" | segment PHRASE' in out
    assert "✗ Not changed: template 'winback' has no version 7 (it has 1)" in out
    assert "Contacts who are lapsed customers" in out.split("(it has 1)", 1)[1]
    assert "Traceback" not in out
    assert state_and_actions(settings, number) == ("awaiting_approval", ["drafted"])


def test_help_says_the_campaign_commands(settings: Settings) -> None:
    code, out = console(settings, "help\n")
    assert code == 0
    assert 'draft NAME: PHRASE with template TEMPLATE [subject "SUBJECT"]' in out
    assert "approve ID [--as USER] [COMMENT]" in out and "changes ID [--as USER]: COMMENT" in out
    assert "campaign ID     its state, approvals and history" in out


def test_schedule_now_at_a_moment_or_locally_then_whats_scheduled_and_cancel(settings: Settings) -> None:
    number, _ = drafted(settings)
    lines = [
        f"schedule {number} now",  # not approved yet: refused
        f"approve {number} --as {BOB}",
        f"schedule {number} at 2099-12-09T10:00 --as U09EVE",  # neither its drafter nor an approver
        f"schedule {number} at 2099-12-09T10:00",
        "scheduled",
        f"reschedule {number} to local 9:00",
        f"send {number} fri 9am",
        "what's scheduled?",
        f"schedule {number} at teatime",
        f"cancel {number} --as {BOB} the offer ended",
        "scheduled",
    ]
    code, out = console(settings, "\n".join(lines) + "\n")
    assert code == 0 and "Traceback" not in out
    assert "✗ Not scheduled: cannot schedule a campaign that is awaiting approval" in out
    assert (
        f"✗ Not scheduled: only console, who drafted it, or an approver can schedule campaign {number}" in out
    )
    assert f"✓ campaign {number} 'Win-back DE': scheduled by console; now scheduled\n" in out
    assert "  send at 2099-12-09 10:00 UTC\n  sends for Wed 9 Dec 10:00 (UTC)\n" in out
    listed = out.split("\n", 1)[1]
    assert re.search(
        rf"^ +{number}  scheduled +Win-back DE +\d+ reachable  for Wed 9 Dec 10:00 \(UTC\)$", listed, re.M
    )
    assert "  sends for 09:00 in each recipient's time zone (the first at " in out
    assert re.search(r"  sends for Fri \d+ \w{3} 09:00 \(UTC\)\n", out)
    assert (
        "schedule: I could not read “teatime” as a time" in out
        and "e.g. `schedule 12 tomorrow at 9:00`" in out
    )
    assert f"✓ campaign {number} 'Win-back DE': cancelled by {BOB}; now cancelled\n  the offer ended\n" in out
    assert out.rstrip().endswith(
        "Nothing is scheduled, sending or held: `schedule ID now | at ISO | local HH:MM`"
    )
    _, actions = state_and_actions(settings, number)
    assert actions == ["drafted", "approved", "scheduled", "scheduled", "scheduled", "cancelled"]


def test_help_says_the_schedule_commands(settings: Settings) -> None:
    code, out = console(settings, "help\n")
    assert code == 0
    assert (
        "schedule ID now | at ISO | local HH:MM [--as USER]" in out
        and "  scheduled       the campaigns" in out
    )


def test_release_and_resend_are_refused_where_they_do_not_apply_and_say_how(settings: Settings) -> None:
    number, _ = drafted(settings)
    lines = [f"approve {number} --as {BOB}", f"release {number} all --as {BOB}", f"release {number} everyone",
             f"resend {number} --as {BOB}"]  # fmt: skip
    code, out = console(settings, "\n".join(lines) + "\n")
    assert code == 0 and "Traceback" not in out
    assert "✗ Not released: cannot release a campaign that is approved" in out
    assert "write `release ID all` (today's members) or `release ID approved` (as approved)" in out
    assert (
        "✗ Not sent again: cannot send again to the unknown recipients of a campaign that is approved" in out
    )
    assert state_and_actions(settings, number) == ("approved", ["drafted", "approved"])
