"""The App Home view: examples on the data checked to read back, saved segments or a line for none."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import home
from segments.saved import SavedReading
from tests.bot.listeners.test_commands import texts


def a_saved(name: str, explanation: str) -> SavedReading:
    return SavedReading(name=name, text="lapsed custs in DE", created_by="U1", definition={},
                        created_at=datetime(2026, 5, 1, tzinfo=UTC), explanation=explanation)  # fmt: skip


def test_nothing_saved_says_so_and_offers_the_examples_as_commands() -> None:
    view = home.home_view(["contacts in Lyon"], [])
    shown = texts(view["blocks"])
    assert view["type"] == "home" and home.NONE_SAVED in shown
    assert "`/tailor contacts in Lyon`" in shown


def test_saved_segments_are_escaped_and_counted_past_the_ones_listed() -> None:
    saved = [
        a_saved(f"win-back {i:02}", "Contacts who are lapsed customers") for i in range(home.MAX_SAVED + 2)
    ]
    saved[0] = a_saved("<!channel>", "Contacts in <Germany>")
    shown = texts(home.home_view([], saved)["blocks"])
    assert "*&lt;!channel&gt;*: Contacts in &lt;Germany&gt;" in shown and "<!channel>" not in shown
    assert f"*Saved segments* ({home.MAX_SAVED + 2})" in shown and "…and 2 more." in shown
    assert "win-back 31" not in shown


def test_report_examples_are_offered_only_when_they_read_back_as_the_examples() -> None:
    # the last one, tried first, splits: "compare ... camping" with "the last 90 days" as a campaign
    examples = ["contacts in Lyon", "lapsed custs in DE", "custs who bought camping in the last 90 days"]
    readable = set(examples).__contains__
    assert home.report_examples(examples, readable) == [
        "how did contacts in Lyon do",
        "compare contacts in Lyon and lapsed custs in DE",
    ]
    assert home.report_examples([], readable) == []
