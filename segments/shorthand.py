"""Chat shorthand ("custs", "w/", "90d", "dont"), read from `shorthand.toml`.

The table is data so that a workspace's habits are a line to add, not code to change. Each
expansion travels with the words it made (normalize.Word.rewrite), so the reading can say
"read 'custs' as 'customers'".
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("shorthand.toml")


@cache
def _table() -> dict[str, dict[str, str]]:
    with TABLE.open("rb") as file:
        return tomllib.load(file)


def words() -> dict[str, str]:
    return _table()["words"]


def after_number() -> dict[str, str]:
    return _table()["after_number"]


def signs() -> dict[str, str]:
    return _table()["signs"]


@cache
def phrases() -> tuple[tuple[tuple[str, ...], str], ...]:
    """The phrases, as word tuples, longest first."""
    table = _table().get("phrases", {})
    return tuple(sorted(((tuple(p.split()), read) for p, read in table.items()), key=lambda e: -len(e[0])))


def expand(word: str, table: dict[str, str]) -> str | None:
    """The words `word` stands for in `table`, its plural understood ("custs" -> "customers")."""
    if word in table:
        return table[word]
    stem = word[:-1] if word.endswith("s") else None
    if stem and stem in table and " " not in table[stem]:
        return plural(table[stem])
    return None


def plural(noun: str) -> str:
    if noun.endswith("s"):
        return noun
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


@cache
def sign_pattern() -> str:
    """A regex alternative for the slashed forms, longest first, standing alone ("w/o", not "aw/o")."""
    forms = sorted(signs(), key=len, reverse=True)
    return rf"(?<![^\W_])(?:{'|'.join(map(re.escape, forms))})(?![^\W_])"


@cache
def unit_pattern() -> str:
    """The units that may be glued to a number ("90d", "6mos"), longest first."""
    units = set(after_number()) | {u + "s" for u in after_number() if not u.endswith("s")}
    return "|".join(sorted(units, key=len, reverse=True))
