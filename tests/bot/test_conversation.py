"""The conversation calls the segment service from many threads at once: one marketer's slow
answer never holds another's."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.conversation import Conversation
from segments.service import SegmentService
from tests.bot.conftest import AS_OF, DemoStore


class Waiting:
    """The segment service, but 'contacts in Paris' is answered only once London's answer is out."""

    def __init__(self, service: SegmentService) -> None:
        self.service = service
        self.paris_asked, self.london_answered = threading.Event(), threading.Event()

    def answer(self, phrase: str, *args: Any, **kwargs: Any):
        if "Paris" in phrase:
            self.paris_asked.set()
            assert self.london_answered.wait(20), "London's answer waited behind Paris's"
        found = self.service.answer(phrase, *args, **kwargs)
        if "London" in phrase:
            self.london_answered.set()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.service, name)


def test_a_slow_answer_does_not_hold_the_next_one(demo_store: DemoStore) -> None:
    service = Waiting(SegmentService(demo_store.engine))
    conversation = Conversation(service, clock=lambda: AS_OF)
    with ThreadPoolExecutor(max_workers=2) as pool:
        paris = pool.submit(conversation.ask, "contacts in Paris")
        assert service.paris_asked.wait(20)  # Paris is in the service, waiting
        london = pool.submit(conversation.ask, "contacts in London")
        assert "Contacts in London" in str(london.result(30))
        assert "Contacts in Paris" in str(paris.result(30))
