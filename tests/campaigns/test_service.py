"""The campaign service on both databases: drafting, who may approve, voiding, the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from campaigns.service import CampaignService, NoCampaign
from campaigns.states import Action, Refused, State
from personalization.filters import filters
from personalization.library import import_directory
from personalization.preview import PreviewError
from personalization.templates import Sandbox
from tests.campaigns.conftest import ALICE, BOB, CAROL, EVE, MakeService

LAPSED_DE = "lapsed custs in DE"


def drafted(service: CampaignService, phrase: str = LAPSED_DE) -> int:
    return service.draft("Win-back DE", phrase, "winback", by=ALICE).campaign.id


def test_a_draft_awaits_approval_with_its_counts_samples_and_audit(service: CampaignService) -> None:
    result = service.draft("Win-back DE", LAPSED_DE, "winback", by=ALICE)
    campaign = result.campaign
    assert campaign.state is State.AWAITING_APPROVAL
    assert (campaign.count, campaign.reachable) == (3, 2)  # c03 unsubscribed
    assert (campaign.template, campaign.template_version, campaign.drafted_by) == ("winback", 1, ALICE)
    assert {sample.contact for sample in result.preview.samples} == {"c01", "c02"}
    assert "1 of 2 have no first name" in " ".join(result.preview.check.lines())
    (entry,) = campaign.audit
    assert (entry.action, entry.by, entry.count, entry.template_version) == (Action.DRAFTED, ALICE, 2, 1)
    assert entry.definition == campaign.definition
    second = drafted(service, "custs in the US")
    assert [c.id for c in service.list()] == [second, campaign.id]  # the newest first
    data = result.as_json()
    assert {k: data[k] for k in ("id", "state", "count", "reachable")} == {
        "id": campaign.id, "state": "awaiting_approval", "count": 3, "reachable": 2,
    }  # fmt: skip


def test_reports_see_a_drafted_campaign_like_an_imported_one(service: CampaignService, shop: Engine) -> None:
    campaign_id = drafted(service)
    with shop.connect() as conn:
        row = conn.execute(
            text("SELECT external_id, name FROM campaigns WHERE id = :id"), {"id": campaign_id}
        ).one()
    assert tuple(row) == (f"tailor-{campaign_id}", "Win-back DE")


def test_the_drafter_cannot_approve_and_a_non_approver_is_told_who_can(service: CampaignService) -> None:
    campaign_id = drafted(service)
    service.approvers = type(service.approvers)((ALICE, BOB))  # even an approver, for their own draft
    with pytest.raises(
        Refused, match=r"U01ALICE drafted or changed campaign \d+: someone else must approve it"
    ):
        service.approve(campaign_id, by=ALICE)
    with pytest.raises(Refused, match="U04EVE is not an approver: ask U01ALICE or U02BOB") as refused:
        service.approve(campaign_id, by=EVE)
    assert refused.value.people == (ALICE, BOB)
    campaign = service.show(campaign_id)
    assert campaign.state is State.AWAITING_APPROVAL and [e.action for e in campaign.audit] == [
        Action.DRAFTED
    ]


def test_an_approvers_approval_moves_the_state_and_is_audited(service: CampaignService) -> None:
    campaign_id = drafted(service)
    outcome = service.approve(campaign_id, by=BOB, comment="looks right")
    campaign = outcome.campaign
    assert campaign.state is State.APPROVED
    assert (campaign.approved_count, campaign.approved_reachable, campaign.approvals) == (3, 2, [BOB])
    assert (outcome.entry.action, outcome.entry.by, outcome.entry.comment) == (
        Action.APPROVED,
        BOB,
        "looks right",
    )
    with pytest.raises(Refused, match="cannot approve a campaign that is approved"):
        service.approve(campaign_id, by=CAROL)


def test_two_approvals_required_means_two_different_approvers(make_service: MakeService) -> None:
    service = make_service(required=2)
    campaign_id = drafted(service)
    assert service.approve(campaign_id, by=BOB).campaign.state is State.AWAITING_APPROVAL
    with pytest.raises(Refused, match=r"U02BOB has approved campaign \d+ already; it needs 1 more"):
        service.approve(campaign_id, by=BOB)
    campaign = service.approve(campaign_id, by=CAROL).campaign
    assert campaign.state is State.APPROVED and campaign.approvals == [BOB, CAROL]


def test_a_change_after_approval_voids_it(service: CampaignService) -> None:
    campaign_id = drafted(service)
    service.approve(campaign_id, by=BOB)
    outcome, preview = service.change(
        campaign_id, by=ALICE, subject="{{ first_name | default('Hi') }}, come back"
    )
    assert outcome.voided and outcome.campaign.state is State.AWAITING_APPROVAL
    assert outcome.campaign.approvals == [] and outcome.campaign.approved_count is None
    assert "approval is void" in (outcome.entry.comment or "")
    assert {s.email.subject for s in preview.samples} == {"Anna, come back", "Hi, come back"}
    # the segment too, and the one who changed it cannot approve the new version
    outcome, preview = service.change(campaign_id, by=BOB, phrase="custs in the US")
    assert not outcome.voided and outcome.campaign.reachable == 1 and preview.members == 1  # c04 bought
    with pytest.raises(Refused, match="U02BOB drafted or changed"):
        service.approve(campaign_id, by=BOB)
    assert service.approve(campaign_id, by=CAROL).campaign.state is State.APPROVED


def test_a_new_template_version_is_a_change_and_the_same_one_is_refused(
    service: CampaignService, shop: Engine, tmp_path
) -> None:
    campaign_id = drafted(service)
    service.approve(campaign_id, by=BOB)
    with pytest.raises(Refused, match="already has that segment, template version and subject"):
        service.change(campaign_id, by=ALICE, template="winback", version=1)
    (tmp_path / "winback.html").write_text('---\nsubject: "We miss you"\n---\n<p>Come back</p>\n')
    import_directory(shop, tmp_path, Sandbox(filters=filters("USD")))
    outcome, _ = service.change(campaign_id, by=ALICE, template="winback")  # the latest: 2
    assert outcome.voided and outcome.campaign.template_version == 2
    assert outcome.entry.template_version == 2 and "template now winback version 2" in (
        outcome.entry.comment or ""
    )


def test_changes_requested_and_rejected(service: CampaignService) -> None:
    campaign_id = drafted(service)
    with pytest.raises(Refused, match="say what should change"):
        service.request_changes(campaign_id, by=BOB, comment="  ")
    sent_back = service.request_changes(campaign_id, by=BOB, comment="too pushy").campaign
    assert sent_back.state is State.AWAITING_APPROVAL and sent_back.audit[-1].comment == "too pushy"
    rejected = service.reject(campaign_id, by=CAROL, comment="not this month").campaign
    assert rejected.state is State.REJECTED
    for act in (
        lambda: service.approve(campaign_id, by=BOB),
        lambda: service.change(campaign_id, ALICE, subject="x"),
    ):
        with pytest.raises(Refused, match="a campaign that was rejected"):
            act()
    assert [e.action for e in service.show(campaign_id).audit] == [
        Action.DRAFTED, Action.CHANGES_REQUESTED, Action.REJECTED,
    ]  # fmt: skip


def test_a_user_group_approves_through_its_members(make_service: MakeService) -> None:
    groups = {"S0REVIEW": {CAROL}}
    service = make_service(approvers=("S0REVIEW",), members_of=lambda group: groups.get(group, set()))
    campaign_id = drafted(service)
    with pytest.raises(Refused, match="not an approver"):
        service.approve(campaign_id, by=BOB)
    assert service.approve(campaign_id, by=CAROL).campaign.state is State.APPROVED


def test_no_approvers_set_says_which_setting(make_service: MakeService) -> None:
    service = make_service(approvers=())
    with pytest.raises(Refused, match="set TAILOR_APPROVERS"):
        service.approve(drafted(service), by=BOB)


def test_a_second_click_on_what_the_first_changed_is_refused(service: CampaignService) -> None:
    """Two approvers read the campaign, then both act: the second finds it changed under it."""
    campaign_id = drafted(service)
    seen = service.show(campaign_id)
    service.approve(campaign_id, by=BOB)
    with pytest.raises(Refused, match="at the same moment"):
        service._act(seen, CAROL, Action.REJECTED)
    assert service.show(campaign_id).state is State.APPROVED


def test_the_audit_is_append_only_in_the_database(service: CampaignService, shop: Engine) -> None:
    drafted(service)
    for statement in ("UPDATE campaign_audit SET by = 'U09MALLORY'", "DELETE FROM campaign_audit"):
        with pytest.raises(DBAPIError, match="append-only"), shop.begin() as conn:
            conn.execute(text(statement))
    with shop.connect() as conn:
        assert conn.execute(text("SELECT by FROM campaign_audit")).scalars().all() == [ALICE]


def test_unknown_campaign_template_and_phrase(service: CampaignService) -> None:
    with pytest.raises(NoCampaign, match="no campaign 99"):
        service.show(99)
    with pytest.raises(PreviewError, match="did you mean 'winback'"):
        service.draft("x", LAPSED_DE, "winbak", by=ALICE)
    with pytest.raises(PreviewError):
        service.draft("x", "custs who bougth golf", "winback", by=ALICE)
    assert service.list() == []
