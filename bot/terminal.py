"""Block Kit for a terminal: the console shows the very payloads Slack gets, drawn with rich.

Sections become text, fields one line, context dim lines, and buttons numbered choices
("[1] Sample members"), which the console lets you pick by number. A pipe gets plain text, not
wrapped, so scripts can read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from bot.blocks import Message

#: Slack's emoji, as a terminal shows them.
EMOJI = {
    ":warning:": "!",
    ":hourglass_flowing_sand:": "…",
    ":thinking_face:": "?",
    ":white_check_mark:": "✓",
    ":x:": "✗",
    ":lock:": "",
    ":thread:": "",
}
STYLES = {"*": "bold", "_": "italic", "`": "cyan"}
#: *bold*, _italic_ and `code`, each not inside a word.
MARKUP = re.compile(r"(?<!\w)([*_`])([^*_`\n]+?)\1(?!\w)")


@dataclass(frozen=True)
class Choice:
    label: str
    action_id: str
    value: str


class Terminal:
    def __init__(self, out: TextIO) -> None:
        tty = out.isatty()
        self.console = Console(
            file=out, force_terminal=tty, no_color=not tty, soft_wrap=not tty, highlight=False, emoji=False
        )

    def show(self, message: Message, first: int = 1) -> list[Choice]:
        """Print a message's blocks (or its text); its buttons, numbered from `first`."""
        choices: list[Choice] = []
        for block in message.get("blocks") or [{"type": "section", "text": {"text": message["text"]}}]:
            choices += self.block(block, first + len(choices))
        return choices

    def block(self, block: dict[str, Any], first: int) -> list[Choice]:
        kind = block["type"]
        if kind == "section" and "fields" in block:
            parts = [mrkdwn(f["text"].replace("*\n", "*: ")) for f in block["fields"]]
            self.console.print(Text("  ") + Text("   ").join(parts))
        elif kind == "section":
            for line in block["text"]["text"].splitlines():
                self.console.print(Text("  ") + mrkdwn(line))
        elif kind == "context":
            for element in block["elements"]:
                self.console.print(Text("  ") + mrkdwn(element.get("text", ""), style="dim"))
        elif kind == "actions":
            return self.actions(block, first)
        return []

    def actions(self, block: dict[str, Any], first: int) -> list[Choice]:
        choices = [Choice(e["text"]["text"], e["action_id"], e.get("value", "")) for e in block["elements"]]
        numbered = [Text(f"[{first + i}] ", style="bold cyan") + Text(c.label) for i, c in enumerate(choices)]
        self.console.print(Text("  ") + Text("  ").join(numbered))
        return choices

    def line(self, text: str, style: str | None = None) -> None:
        self.console.print(Text(text, style=style or ""))


def mrkdwn(text: str, style: str = "") -> Text:
    """Slack's mrkdwn as rich Text: styles kept, escapes undone, emoji spelled for terminals."""
    for code, shown in EMOJI.items():
        text = text.replace(f"{code} ", f"{shown} " if shown else "").replace(code, shown)
    result = Text(style=style)
    position = 0
    for match in MARKUP.finditer(text):
        result.append(_unescape(text[position : match.start()]))
        result.append(_unescape(match.group(2)), style=STYLES[match.group(1)])
        position = match.end()
    result.append(_unescape(text[position:]))
    result.rstrip()
    return result


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
