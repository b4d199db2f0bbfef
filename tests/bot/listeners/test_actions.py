"""The buttons: Sample members, Save as..., Refine, a suggestion and a help example, clicked for real."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from store.models import Contact
from tests.bot.conftest import Tailor, opened_view
from tests.bot.listeners.test_commands import texts


def test_sample_members_is_ephemeral_and_masked(tailor, demo_store) -> None:
    app: Tailor = tailor()
    assert app.click("tailor_sample", "contacts in London").status == 200
    [sample] = app.fake.wait_calls("response")
    assert sample.args["response_type"] == "ephemeral" and sample.args["replace_original"] is False
    lines = [line for line in texts(sample.args["blocks"]).splitlines() if line.startswith("• ")]
    assert len(lines) == 5
    assert all(", London, " in line for line in lines)
    masked = [line.rsplit(", ", 1)[1] for line in lines]
    assert all(re.fullmatch(r"\w\*\*\*@[\w.-]+", email) for email in masked), masked
    with demo_store.engine.connect() as conn:
        emails = set(conn.execute(select(Contact.email).where(Contact.city == "London")).scalars())
    assert not any(email in sample.args["text"] + json.dumps(sample.args["blocks"]) for email in emails)


def test_sample_members_of_a_channel_answer_goes_to_the_clicker_only(tailor) -> None:
    app: Tailor = tailor()
    app.click("tailor_sample", "contacts in Paris", ephemeral=False)
    [sample] = app.fake.wait_calls("response")
    assert sample.args["response_type"] == "ephemeral"
    assert app.fake.of("chat.postMessage") == []


def test_save_as_opens_a_modal_asking_for_a_name(tailor) -> None:
    app: Tailor = tailor()
    app.click("tailor_save", "contacts in Madrid")
    [opened] = app.fake.wait_calls("views.open")
    assert opened.args["trigger_id"].startswith("trigger-")
    view = opened_view(opened)
    assert view["callback_id"] == "tailor_save_view"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["name"]
    assert json.loads(view["private_metadata"])["phrase"] == "contacts in Madrid"


def test_refine_opens_a_modal_with_the_conditions_and_the_phrase(tailor) -> None:
    app: Tailor = tailor()
    app.click("tailor_refine", "lapsed customers in Germany")
    [opened] = app.fake.wait_calls("views.open")
    assert "Reading the conditions" in texts(opened_view(opened)["blocks"])
    [updated] = app.fake.wait_calls("views.update")
    assert updated.args["view_id"] == "V0FAKE"
    view = opened_view(updated)
    shown = texts(view["blocks"])
    assert "• who are lapsed customers" in shown and "• in Germany" in shown
    [phrase] = [b for b in view["blocks"] if b["type"] == "input"]
    assert phrase["element"]["initial_value"] == "lapsed customers in Germany"


def test_a_suggestion_reruns_the_corrected_phrase_in_place(tailor) -> None:
    app: Tailor = tailor()
    app.click("tailor_rerun_0", "contacts in Berlin", ephemeral=False)
    reading, answer = app.fake.wait_calls("chat.update", 2)
    assert (reading.args["channel"], reading.args["ts"]) == ("C1", "1700000003.000100")
    assert "Reading" in texts(reading.args["blocks"])
    assert answer.args["ts"] == "1700000003.000100" and "Contacts in Berlin" in texts(answer.args["blocks"])


def test_a_suggestion_on_an_ephemeral_failure_replaces_it(tailor) -> None:
    app: Tailor = tailor()
    app.click("tailor_rerun_1", "contacts in Berlin")
    reading, answer = app.fake.wait_calls("response", 2)
    assert reading.args["replace_original"] and answer.args["replace_original"]
    assert "*Members*" in texts(answer.args["blocks"])


def test_a_help_example_is_answered_below_the_help(tailor) -> None:
    app: Tailor = tailor()
    app.click("tailor_ask_0", "contacts in New York", ephemeral=False)
    [posted] = app.fake.wait_calls("chat.postMessage")
    assert posted.args["channel"] == "C1"
    [answer] = app.fake.wait_calls("chat.update")
    assert "Contacts in New York" in texts(answer.args["blocks"])


def test_a_click_from_someone_not_allowed_is_refused(tailor) -> None:
    app: Tailor = tailor(allowed_users=("U1",))
    assert app.click("tailor_sample", "contacts in London", user="U7").status == 200
    [refusal] = app.fake.wait_calls("response")
    assert "isn't open to you" in refusal.args["text"] and "•" not in refusal.args["text"]
    assert not app.slow.started.is_set()
