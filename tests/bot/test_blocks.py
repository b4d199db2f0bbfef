"""Block Kit renderers: what people and the data wrote cannot mention, link or overflow."""

from __future__ import annotations

import json

from bot import blocks
from bot.questions import Question
from segments.sample import MemberCard, Sample
from segments.service import Answer, Failure


def an_answer(**changes) -> Answer:
    fields = dict(text="contacts in Berlin", definition={}, explanation="Contacts in Berlin", count=1234,
                  reachable=1000, warnings=[])  # fmt: skip
    return Answer(**(fields | changes))


def test_user_text_is_escaped() -> None:
    message = blocks.answer(an_answer(text="<!channel> & <https://x.example|click>"))
    shown = json.dumps(message["blocks"][:-1])  # the mrkdwn; buttons carry the phrase as data
    assert "<!channel>" not in shown and "&lt;!channel&gt; &amp; &lt;https" in shown
    assert message["blocks"][-1]["elements"][0]["value"] == "<!channel> & <https://x.example|click>"


def test_counts_are_grouped_and_warnings_shown() -> None:
    message = blocks.answer(an_answer(warnings=["Only 1,000 reachable contacts"]))
    assert message["blocks"][1]["fields"][0]["text"] == "*Members*\n1,234"
    assert message["blocks"][2]["elements"][0]["text"] == ":warning: Only 1,000 reachable contacts"
    assert message["text"] == "contacts in Berlin: 1,234 members, 1,000 reachable"


def test_long_texts_are_clipped_to_slacks_limits() -> None:
    message = blocks.answer(an_answer(explanation="x" * 5000, text="y" * 2500))
    assert len(message["blocks"][0]["text"]["text"]) == blocks.MAX_TEXT
    assert all(len(e["value"]) <= blocks.MAX_VALUE for e in message["blocks"][-1]["elements"])
    assert all(len(e["text"]["text"]) <= blocks.MAX_LABEL for e in message["blocks"][-1]["elements"])


def test_a_failure_offers_at_most_five_suggestions_with_distinct_action_ids() -> None:
    failure = Failure(text="contacts in Berl", error="I don't know the word 'Berl'",
                      suggestions=[f"contacts in City{i}" for i in range(8)])  # fmt: skip
    buttons = blocks.failure(failure)["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == [f"tailor_rerun_{i}" for i in range(5)]


def test_a_sample_shows_only_masked_cards() -> None:
    sample = Sample(
        text="vips", count=40, members=[MemberCard(first_name="Ana", city=None, email="a***@x.example")]
    )
    text = blocks.sample(sample)["blocks"][0]["text"]["text"]
    assert "*1 of the 40 members*" in text and "• Ana, (no city), a***@x.example" in text


def test_a_private_answer_shares_its_question_in_full_or_says_it_is_too_long() -> None:
    answer = blocks.answer(an_answer(text="custs in DE w/ 3+ orders"))
    shared = blocks.private(answer, Question(text="custs in DE w/ 3+ orders"), blocks.CHART_IN_DM)
    [share] = shared["blocks"][-1]["elements"]
    assert (share["action_id"], share["value"]) == (blocks.SHARE, '{"text":"custs in DE w/ 3+ orders"}')
    assert shared["blocks"][-2]["elements"][0]["text"] == f":bar_chart: {blocks.CHART_IN_DM}"
    long = "contacts in Berlin or " * 95 + "contacts in Paris"  # past 2,000 characters as a value
    kept = blocks.private(answer, Question(text=long))
    assert blocks.SHARE not in json.dumps(kept["blocks"][len(answer["blocks"]) :])
    assert kept["blocks"][-1]["elements"][0]["text"] == blocks.TOO_LONG_TO_SHARE


def test_a_private_report_of_fifty_blocks_keeps_its_share_button_within_slacks_limit() -> None:
    message = {"text": "a long report", "blocks": [blocks.context(f"May {i}") for i in range(50)]}
    shared = blocks.private(message, Question(text="how did vips do"), blocks.CHART_IN_DM)
    assert len(shared["blocks"]) == blocks.MAX_BLOCKS and shared["blocks"][-1]["type"] == "actions"


def test_not_in_channel_links_only_a_channel_id_and_knows_a_direct_conversation() -> None:
    assert "<#C0123>" in blocks.not_in_channel("C0123")["text"]
    assert "this channel" in blocks.not_in_channel("<!channel>")["text"]
    assert blocks.not_in_channel("D0456")["text"].startswith("I can't post in this conversation")
