"""Who may talk to Tailor: empty lists let everyone in; listed ones only."""

from __future__ import annotations

from bot.gate import Access


def test_empty_lists_permit_everyone() -> None:
    assert Access().permits("U1", "C1") and Access().permits("U2", "D9")


def test_listed_users_only() -> None:
    access = Access(users=("U1",))
    assert access.permits("U1", "C7") and access.permits("U1", "D1")
    assert not access.permits("U2", "C7") and not access.permits(None, "C7")


def test_listed_channels_only_and_direct_messages_for_listed_users() -> None:
    channels = Access(channels=("C1",))
    assert channels.permits("U5", "C1") and not channels.permits("U5", "C2")
    assert not channels.permits("U5", "D5")  # no user listed: a DM would bypass the channel list
    both = Access(channels=("C1",), users=("U5",))
    assert both.permits("U5", "D5") and not both.permits("U6", "D6")


def test_a_modal_submission_is_judged_by_its_user() -> None:
    access = Access(channels=("C1",), users=("U1",))
    assert access.permits("U1", None) and not access.permits("U2", None)
