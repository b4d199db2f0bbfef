"""A template file's front matter: an optional first block between `---` lines, YAML with the
email's `subject` and `preheader` (both Jinja2), then the HTML body.

The lines are counted as Jinja counts them (`\\r\\n`, `\\r` or `\\n`), so that an error in the body
can be reported at its line in the file, front matter included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from rapidfuzz import fuzz, process

#: The keys a front matter may have.
KEYS = ("subject", "preheader")
FENCE = "---"
#: One line and its end, the way Jinja's lexer splits lines.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class FrontMatter:
    """The parts of a template file. A `*_line` is the file's line of the key, 1-based."""

    body: str
    #: Lines of the file before the body's first: body line n is file line n + body_offset.
    body_offset: int = 0
    subject: str | None = None
    subject_line: int | None = None
    preheader: str | None = None
    preheader_line: int | None = None


def split_lines(text: str) -> list[str]:
    return _LINE.findall(text)


def parse(text: str) -> FrontMatter:
    """The front matter and body of `text`; FrontMatterError with its line when the block is wrong."""
    lines = split_lines(text)
    if not lines or lines[0].rstrip() != FENCE:
        return FrontMatter(body=text)
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == FENCE), None)
    if close is None:
        raise FrontMatterError(1, f"the front matter that starts on line 1 has no closing '{FENCE}' line")
    values, key_lines = _read_yaml("".join(lines[1:close]))
    found: dict[str, str] = {}
    for key, value in values.items():
        line = key_lines.get(key, 2)
        if key not in KEYS:
            raise FrontMatterError(line, _unknown_key(key))
        if not isinstance(value, str):
            shown = "empty" if value is None else "not text: put it in quotes"
            raise FrontMatterError(line, f"the {key} is {shown}")
        found[key] = value
    return FrontMatter(
        body="".join(lines[close + 1 :]),
        body_offset=close + 1,
        subject=found.get("subject"),
        subject_line=key_lines.get("subject"),
        preheader=found.get("preheader"),
        preheader_line=key_lines.get("preheader"),
    )


def _read_yaml(block: str) -> tuple[dict[object, object], dict[object, int]]:
    """The mapping of the block and the file line of each key (the block starts on line 2)."""
    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
        values = yaml.safe_load(block)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark else 2
        raise FrontMatterError(line, f"the front matter is not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise FrontMatterError(2, f"the front matter is not valid YAML: {error}") from None
    if values is None:
        return {}, {}
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise FrontMatterError(2, "the front matter should be lines like 'subject: \"...\"'")
    key_lines = {values_key.value: values_key.start_mark.line + 2 for values_key, _ in node.value}
    return values, key_lines


def _unknown_key(key: object) -> str:
    message = f"the front matter has {key!r}, which Tailor does not use: it takes subject and preheader"
    close = process.extractOne(str(key), KEYS, scorer=fuzz.ratio, score_cutoff=70)
    return f"{message} (did you mean {close[0]!r}?)" if close else message
