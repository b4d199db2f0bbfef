"""The buttons under an answer, a failure and help. Each carries its phrase as its value (Share,
its question: `bot.questions`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient

from bot import blocks
from bot.conversation import Conversation, Reply
from bot.listeners.answering import answer_at, post_answer, post_reply
from bot.places import of_action, the_message
from bot.questions import Question
from bot.replies import Posted, Replies

Listener = Callable[..., None]


def sample(conversation: Conversation) -> Listener:
    """A few members, masked, seen only by whoever clicked."""

    def show(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        Replies(client).whisper(of_action(body), conversation.sample(action["value"]))

    return show


def open_save() -> Listener:
    """A modal asking for the name (the trigger is good for 3 s: opened at once)."""

    def open_modal(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        meta = of_action(body).as_meta()
        client.views_open(trigger_id=body["trigger_id"], view=blocks.save_modal(action["value"], meta))

    return open_modal


def open_refine(conversation: Conversation) -> Listener:
    """A modal with the phrase to edit, opened at once; the reading's conditions follow into it."""

    def open_modal(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        phrase, meta = action["value"], of_action(body).as_meta()
        opened = client.views_open(
            trigger_id=body["trigger_id"], view=blocks.refine_modal(phrase, None, meta)
        )
        view = opened["view"]
        client.views_update(
            view_id=view["id"], hash=view.get("hash"), view=conversation.refine_view(phrase, meta)
        )

    return open_modal


def rerun(conversation: Conversation) -> Listener:
    """A suggestion: the corrected phrase's answer takes the failure's place."""

    def run(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        channel, ts = the_message(body)
        posted = Posted(channel=channel, ts=ts) if ts else Posted(response_url=body["response_url"])
        replies = Replies(client)
        replies.update(posted, conversation.reading(action["value"]))
        answer_at(replies, posted, conversation, action["value"], of_action(body))

    return run


def performance(conversation: Conversation) -> Listener:
    """The segment's performance over every campaign, posted below its answer; its chart beside."""

    def run(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        place, phrase = of_action(body), action["value"]
        waiting = blocks.reading(f"performance of {phrase}")
        post_reply(Replies(client), place, waiting, lambda: conversation.performance(phrase), phrase)

    return run


def share(conversation: Conversation) -> Listener:
    """A private answer, for everyone: its question answered again in the channel where it was
    asked (chart and all), and the private answer replaced by a line saying so."""

    def run(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        asked, private = Question.from_value(action["value"]), of_action(body)
        here, replies = private.in_channel(), Replies(client)

        def work() -> Reply:
            reply = conversation.answer(asked)
            return replace(reply, message=blocks.shared_by(reply.message, private.user))

        if post_reply(replies, here, blocks.reading(asked.text), work, asked.text) and private.response_url:
            replies.update(Posted(response_url=private.response_url), blocks.shared(here.channel))

    return run


def ask(conversation: Conversation) -> Listener:
    """A help example: its answer is posted below the help."""

    def run(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        post_answer(Replies(client), of_action(body), conversation, action["value"])

    return run
