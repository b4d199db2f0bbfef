"""`python app.py campaign ...` as the contract says, on both databases: JSON for scripts, exit 1
with the reason for every refused move."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from tests.campaigns.conftest import ALICE, BOB, CAROL, EVE

APPROVERS = {"TAILOR_APPROVERS": f"{BOB},{CAROL}"}


def draft(run_app, database_url: str, *extra: str):
    return run_app(
        "campaign", "draft", "Win-back DE", "--segment", "lapsed custs in DE", "--template", "winback",
        "--by", ALICE, "--db", database_url, *extra, env=APPROVERS,
    )  # fmt: skip


def campaign(run_app, database_url: str, *args: object):
    return run_app("campaign", *args, "--db", database_url, env=APPROVERS)


def test_draft_json_approve_show_and_list(shop: Engine, database_url: str, run_app, tmp_path: Path) -> None:
    done = draft(run_app, database_url, "--json", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    drafted = json.loads(done.stdout)
    assert {k: drafted[k] for k in ("state", "count", "reachable", "template_version")} == {
        "state": "awaiting_approval", "count": 3, "reachable": 2, "template_version": 1,
    }  # fmt: skip
    assert sorted(s["contact"] for s in drafted["samples"]) == ["c01", "c02"]
    assert (tmp_path / "c01.eml").read_bytes().startswith(b"To: anna@example.de")
    number = str(drafted["id"])

    approved = campaign(run_app, database_url, "approve", number, "--by", BOB, "--comment", "ship it")
    assert approved.returncode == 0, approved.stderr
    assert f"campaign {number} 'Win-back DE': approved by {BOB}; now approved" in approved.stdout

    shown = json.loads(campaign(run_app, database_url, "show", number, "--json").stdout)
    assert shown["state"] == "approved"
    assert shown["counts"] == {"sent": 0, "skipped": 0, "failed": 0, "unknown": 0}
    assert [(e["by"], e["action"], e["template_version"], e["count"]) for e in shown["audit"]] == [
        (ALICE, "drafted", 1, 2), (BOB, "approved", 1, 2),
    ]  # fmt: skip
    assert shown["audit"][1]["comment"] == "ship it"
    listed = campaign(run_app, database_url, "list", "--json").stdout.splitlines()
    assert [json.loads(line)["id"] for line in listed] == [drafted["id"]]
    text = campaign(run_app, database_url, "show", number).stdout
    assert "history:" in text and f"{BOB}        approved" in text


def test_every_refused_move_exits_1_with_its_reason_and_changes_nothing(
    shop: Engine, database_url: str, run_app
) -> None:
    number = str(json.loads(draft(run_app, database_url, "--json").stdout)["id"])
    refusals = [
        (("approve", number, "--by", ALICE), "U01ALICE drafted or changed campaign"),
        (("approve", number, "--by", EVE), f"U04EVE is not an approver: ask {BOB} or {CAROL}"),
        (("approve", "99", "--by", BOB), "no campaign 99"),
        (("change", number, "--by", ALICE, "--template", "winbak"), "did you mean 'winback'"),
    ]
    for args, reason in refusals:
        done = campaign(run_app, database_url, *args)
        assert (done.returncode, done.stdout) == (1, ""), args
        assert reason in done.stderr, (args, done.stderr)
    assert campaign(run_app, database_url, "reject", number, "--by", CAROL).returncode == 0
    late = campaign(run_app, database_url, "approve", number, "--by", BOB, "--json")
    assert late.returncode == 1
    assert json.loads(late.stdout)["error"] == "cannot approve a campaign that was rejected"
    shown = json.loads(campaign(run_app, database_url, "show", number, "--json").stdout)
    assert [e["action"] for e in shown["audit"]] == ["drafted", "rejected"]


def test_a_change_after_approval_voids_it(shop: Engine, database_url: str, run_app) -> None:
    number = str(json.loads(draft(run_app, database_url, "--json").stdout)["id"])
    campaign(run_app, database_url, "approve", number, "--by", BOB)
    changed = campaign(run_app, database_url, "change", number, "--by", ALICE, "--segment", "custs in the US")
    assert changed.returncode == 0, changed.stderr
    assert "changed by U01ALICE; now awaiting approval" in changed.stdout
    assert "segment now 'custs in the US' (1 reachable); the approval is void" in changed.stdout
    shown = json.loads(campaign(run_app, database_url, "show", number, "--json").stdout)
    assert (shown["state"], shown["approvals"], shown["reachable"]) == ("awaiting_approval", [], 1)


def test_schedule_refuses_an_unapproved_campaign_and_a_past_time_and_then_sets_the_time(
    shop: Engine, database_url: str, run_app
) -> None:
    number = str(json.loads(draft(run_app, database_url, "--json").stdout)["id"])
    early = campaign(run_app, database_url, "schedule", number, "--now", "--by", ALICE)
    assert early.returncode == 1
    assert "campaign schedule: cannot schedule a campaign that is awaiting approval" in early.stderr
    campaign(run_app, database_url, "approve", number, "--by", BOB)

    past = campaign(run_app, database_url, "schedule", number, "--at", "2020-01-01T09:00", "--by", ALICE)
    assert past.returncode == 1 and "2020-01-01 09:00 has passed" in past.stderr
    stranger = campaign(run_app, database_url, "schedule", number, "--now", "--by", EVE)
    assert stranger.returncode == 1 and "who drafted it, or an approver can schedule" in stranger.stderr

    done = campaign(
        run_app, database_url, "schedule", number, "--at", "2099-06-01T09:00+02:00", "--by", ALICE
    )
    assert done.returncode == 0, done.stderr
    assert f"campaign {number} 'Win-back DE': scheduled by {ALICE}" in done.stdout
    shown = json.loads(campaign(run_app, database_url, "show", number, "--json").stdout)
    assert shown["state"] == "scheduled" and shown["send_at"] == "2099-06-01T07:00:00+00:00"
    assert shown["audit"][-1]["comment"] == "send at 2099-06-01 07:00 UTC"
    listed = campaign(run_app, database_url, "list").stdout
    assert "scheduled" in listed and "2099-06-01 07:00" in listed
    local = campaign(run_app, database_url, "schedule", number, "--local", "9:00", "--by", BOB)
    assert local.returncode == 0, local.stderr
    text = campaign(run_app, database_url, "show", number).stdout
    assert "(09:00 on each recipient's clock)" in text
