"""`/tailor` over HTTP: signed, acknowledged at once with "Reading...", answered via response_url."""

from __future__ import annotations

from tests.bot.conftest import AS_OF, Tailor


def texts(blocks: list[dict]) -> str:
    """All the text of some blocks, to look for words in."""
    found = []
    for block in blocks:
        found += [block.get("text", {}).get("text", "")]
        found += [f.get("text", "") for f in block.get("fields", [])]
        found += [e.get("text", "") if isinstance(e.get("text"), str) else e.get("text", {}).get("text", "")
                  for e in block.get("elements", [])]  # fmt: skip
    return "\n".join(found)


def test_the_ack_returns_while_the_segment_service_still_works(tailor) -> None:
    app: Tailor = tailor()
    app.slow.hold()
    reply = app.command("lapsed customers")
    try:
        assert reply.status == 200
        assert reply.seconds < 1.0
        ack = reply.json()
        assert ack["response_type"] == "ephemeral"
        assert "Reading" in texts(ack["blocks"]) and "lapsed customers" in texts(ack["blocks"])
        assert app.slow.started.wait(10)  # the work began...
        assert app.slow.finished == 0  # ...and had not finished when the ack came back
    finally:
        app.slow.release()
    [answer] = app.fake.wait_calls("response")
    assert answer.args["replace_original"] is True
    assert answer.args["response_type"] == "ephemeral"
    shown = texts(answer.args["blocks"])
    assert "Contacts who are lapsed customers" in shown
    assert "*Members*" in shown and "*Reachable*" in shown
    buttons = [
        e["text"]["text"] for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == [
        "Sample members",
        "Save as...",
        "Refine",
        "Performance",
        "Draft an email",
        "Share in channel",
    ]


def test_the_answer_carries_the_services_counts(tailor) -> None:
    app: Tailor = tailor()
    app.command("contacts in New York")
    [answer] = app.fake.wait_calls("response")
    expected = app.slow.service.answer("contacts in New York", AS_OF)
    fields = next(b["fields"] for b in answer.args["blocks"] if "fields" in b)
    assert fields[0]["text"] == f"*Members*\n{expected.count:,}"
    assert fields[1]["text"] == f"*Reachable*\n{expected.reachable:,}"
    assert "too few to test on" in texts(answer.args["blocks"])


def test_chat_shorthand_and_typos_are_answered_and_each_rewrite_is_shown(tailor) -> None:
    app: Tailor = tailor()
    app.command("custmers in New York w/ 2+ ordrs")
    [answer] = app.fake.wait_calls("response")
    shown = texts(answer.args["blocks"])
    assert "read 'custmers' as 'customers'" in shown and "'w/' as 'with'" in shown
    assert "'ordrs' as 'orders'" in shown and "at least 2 purchases" in shown


def test_a_phrase_it_cannot_read_answers_with_suggestion_buttons(tailor) -> None:
    app: Tailor = tailor()
    app.command("contacts in Berl")
    [answer] = app.fake.wait_calls("response")
    assert "I couldn't read" in texts(answer.args["blocks"])
    buttons = [e for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "contacts in Berlin" in [b["value"] for b in buttons]
    assert all(b["action_id"].startswith("tailor_rerun_") for b in buttons)


def test_empty_and_help_answer_with_examples_from_the_data(tailor) -> None:
    app: Tailor = tailor()
    ack = app.command("")
    assert ack.status == 200 and "Gathering examples" in texts(ack.json()["blocks"])
    [answer] = app.fake.wait_calls("response")
    examples = [e["value"] for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "contacts in New York" in examples  # the demo data's biggest city
    assert any("Gear care tips" in e for e in examples)  # its latest campaign
    app.command("help")
    assert len(app.fake.wait_calls("response", 2)) == 2


def test_a_bad_or_stale_signature_gets_401_and_no_work(tailor) -> None:
    app: Tailor = tailor()
    assert app.command("lapsed customers", secret="not-the-secret").status == 401
    assert app.command("lapsed customers", timestamp=1_600_000_000).status == 401  # years old
    assert app.slow.started.is_set() is False
    assert app.fake.of("response") == []


def test_a_user_not_allowed_is_refused_politely_with_no_data(tailor) -> None:
    app: Tailor = tailor(allowed_users=("U1",))
    reply = app.command("lapsed customers", user="U2")
    assert reply.status == 200
    assert "isn't open to you" in reply.json()["text"]
    assert "Members" not in reply.body
    assert app.slow.started.is_set() is False
    allowed = app.command("lapsed customers", user="U1")
    assert "Reading" in allowed.body


def test_a_channel_not_allowed_is_refused(tailor) -> None:
    app: Tailor = tailor(allowed_channels=("C1",))
    assert "isn't open to you" in app.command("lapsed customers", channel="C2").body
    assert "Reading" in app.command("lapsed customers", channel="C1").body


def test_a_phrase_past_any_meaning_is_answered_in_words(tailor) -> None:
    app: Tailor = tailor()
    app.command("contacts who opened at least 2147483648 emails")
    [answer] = app.fake.wait_calls("response")
    shown = texts(answer.args["blocks"])
    assert "a count of more than 1,000,000,000 means nothing here" in shown
    assert "something went wrong" not in shown
