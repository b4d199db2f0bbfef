"""Modal submissions: a name saves the segment, an edited phrase is run again where the answer was."""

from __future__ import annotations

import uuid

from bot import blocks
from bot.places import Place
from segments.service import Answer, SegmentService
from tests.bot.conftest import AS_OF, Tailor, opened_view
from tests.bot.listeners.test_commands import texts


def save_view(phrase: str) -> dict:
    return blocks.save_modal(phrase, Place(user="U1", channel="C1").as_meta())


def test_a_name_saves_the_segment_and_the_modal_says_so(tailor, demo_store) -> None:
    app: Tailor = tailor()
    name = f"bot test {uuid.uuid4().hex[:8]}"
    ack = app.submit(save_view("contacts in Paris"), {"name": {"name_input": name}})
    assert ack.status == 200
    assert ack.json()["response_action"] == "update" and "Saving" in texts(ack.json()["view"]["blocks"])
    [updated] = app.fake.wait_calls("views.update")
    assert f"Saved as *{name}*" in texts(opened_view(updated)["blocks"])
    service = SegmentService(demo_store.engine)
    try:
        [info] = [info for info in service.saved.list() if info.name == name]
        assert (info.text, info.created_by) == ("contacts in Paris", "U1")
    finally:
        service.delete(name)


def test_a_taken_name_is_asked_again_and_submitted_again_replaces(tailor, demo_store) -> None:
    """The modal says the name is taken and asks again; the same name again replaces the segment
    saved under it, another name saves beside it."""
    app: Tailor = tailor()
    service = SegmentService(demo_store.engine)
    name, other = f"bot test {uuid.uuid4().hex[:8]}", f"bot test {uuid.uuid4().hex[:8]}"
    try:
        assert isinstance(service.save(name, "contacts in Paris", AS_OF), Answer)
        app.submit(save_view("contacts in London"), {"name": {"name_input": name}})
        [asked] = app.fake.wait_calls("views.update")
        again = opened_view(asked)
        assert f"*{name}* is already a saved segment: _contacts in Paris_" in texts(again["blocks"])
        assert "press *Save* to replace it with _contacts in London_" in texts(again["blocks"])
        [field] = [b for b in again["blocks"] if b["type"] == "input"]
        assert (field["block_id"], field["element"]["initial_value"]) == ("name", name)
        assert again["callback_id"] == "tailor_save_view" and again["submit"]["text"] == "Save"
        assert _saved_text(service, name) == "contacts in Paris"  # nothing replaced yet
        app.submit(again, {"name": {"name_input": name}})
        replaced = opened_view(app.fake.wait_calls("views.update", 2)[1])
        assert f"Saved as *{name}*" in texts(replaced["blocks"])
        assert _saved_text(service, name) == "contacts in London"
        app.submit(again, {"name": {"name_input": other}})
        beside = opened_view(app.fake.wait_calls("views.update", 3)[2])
        assert f"Saved as *{other}*" in texts(beside["blocks"])
        assert (_saved_text(service, name), _saved_text(service, other)) == ("contacts in London",) * 2
    finally:
        service.delete(name)
        service.delete(other)


def _saved_text(service: SegmentService, name: str) -> str | None:
    info = service.saved.info(name)
    return info.text if info else None


def test_an_empty_name_is_refused_in_the_modal(tailor) -> None:
    app: Tailor = tailor()
    ack = app.submit(save_view("contacts in Paris"), {"name": {"name_input": "  "}})
    assert ack.status == 200
    assert ack.json() == {"response_action": "errors", "errors": {"name": "Give the segment a name."}}


def test_a_name_the_store_refuses_is_said_in_the_modal(tailor) -> None:
    app: Tailor = tailor()
    app.submit(save_view("contacts in Paris"), {"name": {"name_input": "???"}})
    [updated] = app.fake.wait_calls("views.update")
    assert "Not saved" in texts(opened_view(updated)["blocks"])


def test_a_refined_phrase_is_answered_where_the_answer_was(tailor) -> None:
    app: Tailor = tailor()
    place = Place(user="U1", channel="C1", response_url=app.fake.response_url("refined"))
    view = blocks.refine_modal("contacts in Paris", ["in Rome"], place.as_meta())
    ack = app.submit(view, {"phrase": {"phrase_input": "contacts in Milan"}})
    assert (ack.status, ack.body) == (200, "")  # the modal closes
    reading, answer = app.fake.wait_calls("response", 2)
    assert reading.args["_url"] == "/response/refined" and "Reading" in texts(reading.args["blocks"])
    assert answer.args["replace_original"] is True and "Contacts in Milan" in texts(answer.args["blocks"])


def test_a_refined_phrase_of_a_thread_answer_goes_to_the_thread(tailor) -> None:
    app: Tailor = tailor()
    place = Place(user="U1", channel="C1", thread_ts="1700000001.000100")
    view = blocks.refine_modal("contacts in Paris", ["in Rome"], place.as_meta())
    app.submit(view, {"phrase": {"phrase_input": "contacts in Milan"}})
    [posted] = app.fake.wait_calls("chat.postMessage")
    assert (posted.args["channel"], posted.args["thread_ts"]) == ("C1", "1700000001.000100")
    app.fake.wait_calls("chat.update")


def test_an_empty_phrase_is_refused_in_the_modal(tailor) -> None:
    app: Tailor = tailor()
    view = blocks.refine_modal("contacts in Paris", ["in Rome"], Place(user="U1").as_meta())
    ack = app.submit(view, {"phrase": {"phrase_input": ""}})
    assert ack.json()["response_action"] == "errors"
