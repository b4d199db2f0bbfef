"""The App Home tab: what Tailor does, phrases to try made from the workspace's own data, and the
saved segments with their readings. Pure: the conversation gathers the data (`Conversation.home`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.blocks import Block, context, escape, mrkdwn
from reports.phrases import parse_request
from segments.saved import SavedReading

#: Saved segments listed one by one; the rest are counted (a view holds at most 100 blocks).
MAX_SAVED = 30

CAN_DO = (
    "*What I do*\n"
    "• *Segments in plain words*, chat shorthand welcome (“custs in DE w/ 3+ orders”): I read the "
    "phrase back, count its members and the reachable ones, and warn when it is too small to test on.\n"
    "• *Reports*: how a segment did on your campaigns, rates with 95% intervals and a chart.\n"
    "• *Comparisons*: two segments side by side, with a verdict on each gap.\n"
    "• *Saved segments*: an answer saved under a name, and the name used in later phrases."
)
WAYS_IN = (
    "Ask with `/tailor <phrase>` (the answer and its chart are yours alone until you press *Share in "
    "channel*), by mentioning me in a channel, or in the *Messages* tab."
)
NONE_SAVED = "None saved yet: press *Save as...* under an answer to save one."


def report_examples(examples: Sequence[str], readable: Callable[[str], bool]) -> list[str]:
    """A report and a comparison on the data's own example segments, each offered only when it is
    read back as those very segments (an "and" or an "on" inside a segment can split it otherwise)."""
    if not examples:
        return []
    first = examples[0]
    report = [f"how did {first} do"] if _reads_as(f"how did {first} do", [first], readable) else []
    # The last examples (a country, an interest) are the shortest segments: the easiest to compare.
    pairs = ((f"compare {first} and {other}", [first, other]) for other in reversed(examples[1:]))
    comparison = next((phrase for phrase, both in pairs if _reads_as(phrase, both, readable)), None)
    return report + ([comparison] if comparison else [])


def _reads_as(phrase: str, segments: list[str], readable: Callable[[str], bool]) -> bool:
    request = parse_request(phrase, readable)
    return request is not None and request.segments == segments


def home_view(examples: Sequence[str], saved: Sequence[SavedReading]) -> Block:
    """The view `views.publish` shows in the Home tab."""
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Tailor"}},
        mrkdwn(CAN_DO),
        context(WAYS_IN),
        {"type": "divider"},
    ]
    if examples:
        tries = "\n".join(f"• `/tailor {escape(e)}`" for e in examples)
        blocks.append(mrkdwn(f"*Try these on your data*\n{tries}"))
    blocks += [{"type": "divider"}, *_saved(saved)]
    return {"type": "home", "blocks": blocks}


def _saved(saved: Sequence[SavedReading]) -> list[Block]:
    if not saved:
        return [mrkdwn("*Saved segments*"), context(NONE_SAVED)]
    shown = [mrkdwn(f"*{escape(s.name)}*: {escape(s.explanation)}") for s in saved[:MAX_SAVED]]
    more = [context(f"…and {len(saved) - MAX_SAVED} more.")] if len(saved) > MAX_SAVED else []
    return [mrkdwn(f"*Saved segments* ({len(saved)})"), *shown, *more]
